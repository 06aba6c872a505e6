/* nn_model.c - what every neural model shares below its encoders: decoder layout, tensor records, init, RNGs, sampling order, half floats. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "neural/tt_neural.h"

void tt_nn_hash_cfg_default(tt_nn_hash_cfg *c)
{
    c->n_levels = 16;
    c->n_features = 2;
    c->log2_t = 12;
    c->base_res = 16;
    c->max_res = 512;
}

void tt_nn_decoder_cfg_default(tt_nn_decoder_cfg *c)
{
    c->hidden = 64;
    c->depth = 2;
    c->act = TT_NN_ACT_SIREN;
    c->omega0 = 30.0f;
}

void tt_nn_train_cfg_default(tt_nn_train_cfg *c)
{
    memset(c, 0, sizeof *c);
    c->iters = 5000;
    c->batch = 65536;
    c->seed = 0;
    c->lr[TT_NN_GROUP_ENC] = 3e-2f;
    c->lr[TT_NN_GROUP_NET] = 1e-3f;
    c->beta1 = 0.9f;
    c->beta2 = 0.999f;
    c->eps = 1e-15f;
    c->steps_per_submit = 0;
}

const char *tt_nn_act_name(tt_nn_act a)
{
    switch (a) {
    case TT_NN_ACT_SIREN: return "siren";
    case TT_NN_ACT_GELU: return "gelu";
    case TT_NN_ACT_SILU: return "silu";
    case TT_NN_ACT_RELU: return "relu";
    }
    return "?";
}

const char *tt_nn_kind_name(tt_nn_kind k)
{
    switch (k) {
    case TT_NN_KIND_HASH: return "hash";
    case TT_NN_KIND_LATENT: return "latent";
    }
    return "?";
}


tt_status tt_nn_model_add_tensor(tt_nn_model *m, const char *name, uint32_t count, uint32_t group,
                                 uint32_t d0, uint32_t d1, uint32_t d2)
{
    if (m->n_tensors >= TT_NN_MAX_TENSORS) return tt_fail(TT_ERR_LIMIT, "model: more than %d tensors", TT_NN_MAX_TENSORS);
    if ((uint64_t)m->total + count > (1u << 30)) return tt_fail(TT_ERR_LIMIT, "model: more than 2^30 parameters");
    tt_nn_tensor *t = &m->tensors[m->n_tensors++];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    t->offset = m->total;
    t->count = count;
    t->group = group;
    t->dims[0] = d0;
    t->dims[1] = d1;
    t->dims[2] = d2;
    m->total += count;
    return TT_OK;
}

uint32_t tt_nn_decoder_param_count(uint32_t in, uint32_t hidden, uint32_t depth)
{
    uint64_t n = 0, prev = in;
    for (uint32_t l = 0; l < depth; l++) {
        n += (uint64_t)hidden * prev + hidden;
        prev = hidden;
    }
    n += 3 * prev + 3;
    return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

uint32_t tt_nn_layer_w_offset(const tt_nn_model *m, uint32_t l)
{
    uint32_t off = m->dec_offset, prev = m->enc_features, h = m->dec.hidden;
    for (uint32_t i = 0; i < l; i++) {
        off += h * prev + h;
        prev = h;
    }
    return off;
}

uint32_t tt_nn_layer_b_offset(const tt_nn_model *m, uint32_t l)
{
    uint32_t in = l == 0 ? m->enc_features : m->dec.hidden;
    uint32_t out = l == m->dec.depth ? 3 : m->dec.hidden;
    if (m->dec.depth == 0 && l == 0) in = m->enc_features;
    return tt_nn_layer_w_offset(m, l) + out * in;
}

/* ---- RNG ------------------------------------------------------------------ */
void tt_nn_rng_seed(tt_nn_rng *r, uint64_t seed) { r->state = seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull; }

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint32_t tt_nn_rng_u32(tt_nn_rng *r) { return (uint32_t)(splitmix64(&r->state) >> 32); }

float tt_nn_rng_uniform(tt_nn_rng *r, float lo, float hi)
{
    double u = (double)(splitmix64(&r->state) >> 11) * (1.0 / 9007199254740992.0);
    return (float)(lo + (hi - lo) * u);
}

float tt_nn_rng_normal(tt_nn_rng *r, float mean, float stddev)
{
    double u1 = ((double)(splitmix64(&r->state) >> 11) + 1.0) * (1.0 / 9007199254740993.0);
    double u2 = (double)(splitmix64(&r->state) >> 11) * (1.0 / 9007199254740992.0);
    return (float)(mean + stddev * sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
}

uint32_t tt_nn_pcg_hash(uint32_t v)
{
    uint32_t state = v * 747796405u + 2891336453u;
    uint32_t word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
    return (word >> 22u) ^ word;
}

uint32_t tt_nn_sample_strip(uint32_t width, uint32_t height, uint32_t batch)
{
    double per_group = 128.0 * ((double)width * height) / (batch ? batch : 1);
    double s = floor(sqrt(per_group) + 0.5);
    return s < 1 ? 1 : s > height ? height : (uint32_t)s;
}

uint32_t tt_nn_sample_pixel(uint64_t seed, uint32_t step, uint32_t i, uint32_t batch, uint32_t width, uint32_t height,
                            uint32_t strip)
{
    uint32_t h = tt_nn_pcg_hash((uint32_t)seed ^ tt_nn_pcg_hash((uint32_t)(seed >> 32) + step));
    uint64_t n = (uint64_t)width * height, r = tt_nn_pcg_hash(h + i);
    uint64_t q = ((uint64_t)i * n + ((r * n) >> 32)) / batch;
    if (q >= n) q = n - 1;
    uint64_t band = (uint64_t)strip * width, s = q / band, rest = q - s * band;
    uint64_t hs = height - s * strip < strip ? height - s * strip : strip, c = rest / hs;
    uint64_t x = (s & 1) ? width - 1 - c : c, y = s * strip + (rest - c * hs);
    return (uint32_t)(y * width + x);
}

float tt_nn_coord01(uint32_t i, uint32_t n)
{
    return n > 1 ? (float)i / (float)(n - 1) : 0.0f;
}

/* ---- Init ------------------------------------------------------------------ */
void tt_nn_init_params(const tt_nn_model *m, uint64_t seed, float *params)
{
    tt_nn_rng rng;
    tt_nn_rng_seed(&rng, seed);
    memset(params, 0, sizeof(float) * m->total);
    m->enc->init(m, params, &rng);
    /* Decoder from its own stream so encoder changes do not shift it. */
    tt_nn_rng_seed(&rng, seed ^ 0x5DEECE66Dull);
    uint32_t prev = m->enc_features, h = m->dec.hidden;
    for (uint32_t l = 0; l < m->dec.depth; l++) {
        float *w = params + tt_nn_layer_w_offset(m, l);
        float *b = params + tt_nn_layer_b_offset(m, l);
        float wb, bb;
        if (m->dec.act == TT_NN_ACT_SIREN) {
            wb = l == 0 ? 1.0f / (float)prev : sqrtf(6.0f / (float)prev) / m->dec.omega0;
            bb = 0.0f;
        } else {
            wb = bb = 1.0f / sqrtf((float)prev);
        }
        for (uint32_t i = 0; i < h * prev; i++) w[i] = tt_nn_rng_uniform(&rng, -wb, wb);
        for (uint32_t i = 0; i < h; i++) b[i] = bb > 0 ? tt_nn_rng_uniform(&rng, -bb, bb) : 0.0f;
        prev = h;
    }
    float hb = 1.0f / sqrtf((float)prev);
    float *w = params + tt_nn_layer_w_offset(m, m->dec.depth);
    for (uint32_t i = 0; i < 3 * prev + 3; i++) w[i] = tt_nn_rng_uniform(&rng, -hb, hb);
}

void tt_nn_model_release(tt_nn_model *m)
{
    (void)m; /* encoders that attach host state free it through their own API */
}

/* ---- Half floats ------------------------------------------------------------ */
uint16_t tt_f32_to_f16(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000u;
    uint32_t exp = (x >> 23) & 0xFFu;
    uint32_t man = x & 0x7FFFFFu;
    if (exp == 0xFF) return (uint16_t)(sign | 0x7C00u | (man ? 0x200u : 0));
    int e = (int)exp - 127 + 15;
    if (e >= 31) return (uint16_t)(sign | 0x7C00u);
    if (e <= 0) {
        if (e < -10) return (uint16_t)sign;
        man |= 0x800000u;
        uint32_t shift = (uint32_t)(14 - e);
        uint32_t half = man >> shift;
        uint32_t rem = man & ((1u << shift) - 1);
        uint32_t mid = 1u << (shift - 1);
        if (rem > mid || (rem == mid && (half & 1))) half++;
        return (uint16_t)(sign | half);
    }
    uint32_t half = sign | ((uint32_t)e << 10) | (man >> 13);
    uint32_t rem = man & 0x1FFFu;
    if (rem > 0x1000u || (rem == 0x1000u && (half & 1))) half++; /* carries into exponent correctly */
    return (uint16_t)half;
}

float tt_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1Fu;
    uint32_t man = h & 0x3FFu;
    uint32_t x;
    if (exp == 0) {
        if (man == 0) x = sign;
        else {
            int e = -1;
            do { man <<= 1; e++; } while (!(man & 0x400u));
            x = sign | ((uint32_t)(127 - 15 - e) << 23) | ((man & 0x3FFu) << 13);
        }
    } else if (exp == 31) {
        x = sign | 0x7F800000u | (man << 13);
    } else {
        x = sign | ((exp + 127 - 15) << 23) | (man << 13);
    }
    float f;
    memcpy(&f, &x, 4);
    return f;
}
