/* nn_hash.c - multiresolution hash-grid encoder (docs/algorithms.md, Hash-grid model): layout, init, C reference, .tnx config chunk. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "neural/tt_neural.h"
#include "core/tt_bytes.h"
#include "nn_abi.h"

/* aux words: [0] n_levels [1] n_features [2] T-1 [3] 0, then per level
 * {res, size, offset, hashed} (mirrored by shaders/hash_enc.glsl). */
static tt_status hash_layout(tt_nn_model *m)
{
    const tt_nn_hash_cfg *c = &m->hash;
    if (c->n_levels < 1 || c->n_levels > TT_NN_MAX_LEVELS)
        return tt_fail(TT_ERR_INVALID_ARG, "hash: n-levels %u out of range (1..%d)", c->n_levels, TT_NN_MAX_LEVELS);
    if (c->n_features < 1 || c->n_features > TT_NN_MAX_FEATURES)
        return tt_fail(TT_ERR_INVALID_ARG, "hash: n-features %u out of range (1..%d)", c->n_features, TT_NN_MAX_FEATURES);
    if (c->n_levels * c->n_features > TT_NN_MAX_ENC_FEATURES)
        return tt_fail(TT_ERR_INVALID_ARG, "hash: n-levels x n-features = %u exceeds %d", c->n_levels * c->n_features,
                       TT_NN_MAX_ENC_FEATURES);
    if (c->log2_t < 4 || c->log2_t > 24) return tt_fail(TT_ERR_INVALID_ARG, "hash: log2-t %u out of range (4..24)", c->log2_t);
    if (c->base_res < 2 || c->max_res < c->base_res || c->max_res > 65536)
        return tt_fail(TT_ERR_INVALID_ARG, "hash: need 2 <= base-res (%u) <= max-res (%u) <= 65536", c->base_res, c->max_res);
    uint32_t T = 1u << c->log2_t;
    double b = c->n_levels > 1 ? exp(log((double)c->max_res / c->base_res) / (c->n_levels - 1)) : 1.0;
    m->aux[0] = c->n_levels;
    m->aux[1] = c->n_features;
    m->aux[2] = T - 1;
    m->aux[3] = 0;
    for (uint32_t l = 0; l < c->n_levels; l++) {
        uint32_t res = (uint32_t)llround(c->base_res * pow(b, (double)l));
        if (res < 2) res = 2;
        uint64_t dense = (uint64_t)res * res;
        uint32_t size = dense > T ? T : (uint32_t)dense;
        m->level_res[l] = res;
        m->level_size[l] = size;
        m->level_offset[l] = m->total;
        uint32_t *a = &m->aux[4 + 4 * l];
        a[0] = res;
        a[1] = size;
        a[2] = m->total;
        a[3] = dense > T;
        char name[16];
        snprintf(name, sizeof name, "hash%u", l);
        tt_status s = tt_nn_model_add_tensor(m, name, size * c->n_features, TT_NN_GROUP_ENC, size, c->n_features, 0);
        if (s != TT_OK) return s;
    }
    m->aux_words = 4 + 4 * c->n_levels;
    m->enc_features = c->n_levels * c->n_features;
    return TT_OK;
}

static void hash_init(const tt_nn_model *m, float *params, tt_nn_rng *rng)
{
    for (uint32_t i = 0; i < m->enc_count; i++) params[i] = tt_nn_rng_uniform(rng, -1e-3f, 1e-3f);
}

/* Corner indices and bilinear weights of one level (shared by forward and backward). */
static void hash_corners(const tt_nn_model *m, uint32_t l, float x01, float y01, uint32_t idx[4], float w[4])
{
    uint32_t res = m->level_res[l];
    float sx = x01 * (float)(res - 1), sy = y01 * (float)(res - 1);
    float fx = floorf(sx), fy = floorf(sy);
    int ix0 = (int)fx, iy0 = (int)fy;
    float wx = sx - fx, wy = sy - fy;
    int last = (int)res - 1;
    if (ix0 < 0) ix0 = 0;
    if (iy0 < 0) iy0 = 0;
    if (ix0 > last) ix0 = last;
    if (iy0 > last) iy0 = last;
    uint32_t ix1 = (uint32_t)(ix0 + 1 > last ? last : ix0 + 1), iy1 = (uint32_t)(iy0 + 1 > last ? last : iy0 + 1);
    uint32_t cx[2] = {(uint32_t)ix0, ix1}, cy[2] = {(uint32_t)iy0, iy1};
    int hashed = (uint64_t)res * res > (1ull << m->hash.log2_t);
    uint32_t mask = (1u << m->hash.log2_t) - 1;
    for (int k = 0; k < 4; k++) {
        uint32_t x = cx[k & 1], y = cy[k >> 1];
        idx[k] = hashed ? ((x * 2654435761u) ^ (y * 805459861u)) & mask : x * res + y;
        w[k] = ((k & 1) ? wx : 1.0f - wx) * ((k >> 1) ? wy : 1.0f - wy);
    }
}

static void hash_forward(const tt_nn_model *m, const float *params, float x01, float y01, float *feat)
{
    uint32_t F = m->hash.n_features;
    for (uint32_t l = 0; l < m->hash.n_levels; l++) {
        uint32_t idx[4];
        float w[4];
        hash_corners(m, l, x01, y01, idx, w);
        const float *t = params + m->level_offset[l];
        for (uint32_t f = 0; f < F; f++) {
            float v = 0;
            for (int k = 0; k < 4; k++) v += w[k] * t[idx[k] * F + f];
            feat[l * F + f] = v;
        }
    }
}

static void hash_backward(const tt_nn_model *m, const float *params, float x01, float y01, const float *dfeat, float *grad)
{
    (void)params;
    uint32_t F = m->hash.n_features;
    for (uint32_t l = 0; l < m->hash.n_levels; l++) {
        uint32_t idx[4];
        float w[4];
        hash_corners(m, l, x01, y01, idx, w);
        float *g = grad + m->level_offset[l];
        for (uint32_t f = 0; f < F; f++)
            for (int k = 0; k < 4; k++) g[idx[k] * F + f] += w[k] * dfeat[l * F + f];
    }
}

static tt_status hash_write_config(const tt_nn_model *m, tt_nn_buf *b)
{
    uint8_t p[20];
    tt_put_le32(p + 0, m->hash.n_levels);
    tt_put_le32(p + 4, m->hash.n_features);
    tt_put_le32(p + 8, m->hash.log2_t);
    tt_put_le32(p + 12, m->hash.base_res);
    tt_put_le32(p + 16, m->hash.max_res);
    return tt_nn_buf_chunk(b, TT_TNX_CHUNK_HASH, p, sizeof p);
}

static tt_status hash_read_config(tt_nn_model *m, const tt_nn_chunk *chunks, uint32_t n, const char *name)
{
    for (uint32_t i = 0; i < n; i++) {
        if (chunks[i].type != TT_TNX_CHUNK_HASH) continue;
        if (chunks[i].size < 20) return tt_fail(TT_ERR_FORMAT, "%s: HASH chunk too short (%u bytes)", name, chunks[i].size);
        const uint8_t *p = chunks[i].data;
        m->hash.n_levels = tt_get_le32(p);
        m->hash.n_features = tt_get_le32(p + 4);
        m->hash.log2_t = tt_get_le32(p + 8);
        m->hash.base_res = tt_get_le32(p + 12);
        m->hash.max_res = tt_get_le32(p + 16);
        return TT_OK;
    }
    return tt_fail(TT_ERR_FORMAT, "%s: hash model without a HASH chunk", name);
}

static void hash_describe(const tt_nn_model *m, char *buf, size_t len)
{
    snprintf(buf, len, "hash grid: %u levels x %u features, T = 2^%u, resolution %u..%u (%u..%u used)",
             m->hash.n_levels, m->hash.n_features, m->hash.log2_t, m->hash.base_res, m->hash.max_res, m->level_res[0],
             m->level_res[m->hash.n_levels - 1]);
}

/* Shader constants HASH_SPEC_*: levels, features per level; nothing of the image's. */
static void hash_spec(const tt_nn_model *m, uint32_t *spec)
{
    spec[HASH_SPEC_LEVELS] = m->hash.n_levels;
    spec[HASH_SPEC_F] = m->hash.n_features;
}

const tt_nn_encoder_ops tt_nn_hash_encoder = {
    .kind = TT_NN_KIND_HASH,
    .name = "hash",
    .train_shader = "hash_train",
    .decode_shader = "hash_decode",
    .parts = 0,
    .layout = hash_layout,
    .init = hash_init,
    .forward = hash_forward,
    .backward = hash_backward,
    .write_config = hash_write_config,
    .read_config = hash_read_config,
    .spec = hash_spec,
    .describe = hash_describe,
};
