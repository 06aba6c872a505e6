/* latent_model.c - the latent encoder plugged into the shared neural machinery: layout, C reference hooks, .tnx chunks, QAT pass on the GPU. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neural/latent.h"
#include "neural/tt_neural.h"
#include "core/tt_bytes.h"
#include "nn_abi.h"

/* ---- configuration ------------------------------------------------------ */
void tt_latent_cfg_default(tt_nn_latent_cfg *c)
{
    memset(c, 0, sizeof *c);
    c->ch_lo = 16;
    c->scale_lo = 8;
    c->ch_hi = 2;
    c->scale_hi = 4;
    c->qat_bits = 8;
    c->qat_start = 500;
}

void tt_latent_train_cfg_default(tt_nn_train_cfg *c)
{
    tt_nn_train_cfg_default(c);
    c->lr[TT_NN_GROUP_ENC] = 3e-3f; /* docs/algorithms.md, Latent model: one learning rate for everything */
    c->lr[TT_NN_GROUP_NET] = 3e-3f;
}

float tt_latent_cfg_noise(const tt_nn_latent_cfg *c)
{
    float f;
    memcpy(&f, &c->reserved[0], sizeof f);
    return isfinite(f) && f > 0 ? f : 0.0f;
}

void tt_latent_cfg_set_noise(tt_nn_latent_cfg *c, float steps)
{
    memcpy(&c->reserved[0], &steps, sizeof steps);
}

static float cfg_float(const tt_nn_latent_cfg *c, int slot)
{
    float f;
    memcpy(&f, &c->reserved[slot], sizeof f);
    return isfinite(f) && f > 0 ? f : 0.0f;
}

float tt_latent_cfg_step(const tt_nn_latent_cfg *c) { return cfg_float(c, 1); }
void tt_latent_cfg_set_step(tt_nn_latent_cfg *c, float step) { memcpy(&c->reserved[1], &step, sizeof step); }
float tt_latent_cfg_lambda(const tt_nn_latent_cfg *c) { return cfg_float(c, 2); }
void tt_latent_cfg_set_lambda(tt_nn_latent_cfg *c, float lambda) { memcpy(&c->reserved[2], &lambda, sizeof lambda); }

tt_status tt_latent_layout_of(const tt_nn_model *m, tt_latent_layout *l)
{
    tt_status s = tt_latent_layout_init_pyramid(l, m->width, m->height, m->latent.ch_lo, m->latent.scale_lo,
                                                m->latent.ch_hi, m->latent.scale_hi, m->latent.hi_levels);
    l->upsample = m->latent.upsample;
    if (s == TT_OK && m->latent.upsample > TT_LATENT_UPSAMPLE_BICUBIC)
        s = tt_fail(TT_ERR_INVALID_ARG, "latent: unknown upsampling %u", m->latent.upsample);
    return s;
}

/* Names of the grids: the model's tensors and `info`. */
static const char *const grid_name[TT_LATENT_MAX_GRIDS] = {"lo", "hi", "hi2", "hi3", "hi4"};

/* aux words (informational; the shaders take sizes from spec constants LAT_SPEC_* and pick their work split,
 * ENC_PARTS, from the trainer's tile size): [0] features [1] w_lo [2] h_lo [3] w_hi [4] h_hi [5] offset of the
 * (first) hi grid. */
static tt_status latent_layout(tt_nn_model *m)
{
    const tt_nn_latent_cfg *c = &m->latent;
    if (c->qat_bits > 8)
        return tt_fail(TT_ERR_INVALID_ARG, "latent: qat-bits %u out of range (0 = off, 1..8)", c->qat_bits);
    if (c->scale_lo > 4096 || c->scale_hi > 4096)
        return tt_fail(TT_ERR_INVALID_ARG, "latent: grid scale out of range (1..4096)");
    tt_latent_layout l;
    tt_status s = tt_latent_layout_of(m, &l);
    if (s != TT_OK) return s;
    /* the rate term's per-channel |level| sums are 32-bit fixed point of at least one unit a level (nn_adam.comp) */
    for (uint32_t g = 0; c->qat_bits > 0 && tt_latent_cfg_step(c) > 0 && g < l.n_grids; g++)
        if ((uint64_t)l.w[g] * l.h[g] > (1u << 23))
            return tt_fail(TT_ERR_LIMIT, "latent: a %ux%u grid is too large for a fixed quantisation step (at most 2^23 "
                           "cells a grid); use a coarser --scale-hi or fewer --hi-levels", l.w[g], l.h[g]);
    s = tt_nn_model_add_tensor(m, grid_name[0], l.w[0] * l.h[0] * l.ch[0], TT_NN_GROUP_ENC, l.h[0], l.w[0], l.ch[0]);
    if (s != TT_OK) return s;
    for (uint32_t g = 1; g < l.n_grids; g++) {
        s = tt_nn_model_add_tensor(m, grid_name[g], l.w[g] * l.h[g] * l.ch[g], TT_NN_GROUP_ENC, l.h[g], l.w[g],
                                   l.ch[g]);
        if (s != TT_OK) return s;
    }
    m->enc_features = l.features;
    m->aux[0] = l.features;
    m->aux[1] = l.w[0];
    m->aux[2] = l.h[0];
    m->aux[3] = l.n_grids > 1 ? l.w[1] : 0;
    m->aux[4] = l.n_grids > 1 ? l.h[1] : 0;
    m->aux[5] = l.n_grids > 1 ? l.offset[1] : 0;
    m->aux_words = 6;
    return TT_OK;
}

static void latent_init(const tt_nn_model *m, float *params, tt_nn_rng *rng)
{
    for (uint32_t i = 0; i < m->enc_count; i++) params[i] = tt_nn_rng_normal(rng, 0.0f, 0.01f);
}

static void latent_forward(const tt_nn_model *m, const float *params, float x01, float y01, float *feat)
{
    tt_latent_layout l;
    if (tt_latent_layout_of(m, &l) != TT_OK) return;
    tt_latent_sample(&l, params, x01, y01, feat);
}

static void latent_backward(const tt_nn_model *m, const float *params, float x01, float y01, const float *dfeat,
                            float *grad)
{
    (void)params;
    tt_latent_layout l;
    if (tt_latent_layout_of(m, &l) != TT_OK) return;
    tt_latent_sample_backward(&l, x01, y01, dfeat, grad);
}

/* ---- .tnx chunks ---------------------------------------------------------- */
#define LATC_BYTES 24          /* ch_lo, scale_lo, ch_hi, scale_hi, qat_bits, qat_start */
#define LATC_PYRAMID_BYTES 28  /* then hi_levels, written only when > 1 (so one-hi-grid files stay as they were) */
/* The upsampling is in bits 16..23 of the qat_bits word: every earlier reader refuses qat_bits > 8, so a build that
 * knows only bilinear sampling refuses a bicubic file instead of decoding it bilinear; bilinear files are as before. */
#define LATC_UPSAMPLE_SHIFT 16
/* Bit 24 says an LPFL chunk (the post-filter) follows: builds without the filter read an upsampling of 256 or more
 * (or, before bicubic sampling, qat_bits above 8) and refuse the file instead of decoding it unfiltered. */
#define LATC_FILTER_BIT (1u << 24)

static tt_status latent_write_config(const tt_nn_model *m, tt_nn_buf *b)
{
    uint8_t p[LATC_PYRAMID_BYTES];
    const tt_nn_latent_cfg *c = &m->latent;
    tt_put_le32(p + 24, c->hi_levels);
    tt_put_le32(p + 0, c->ch_lo);
    tt_put_le32(p + 4, c->scale_lo);
    tt_put_le32(p + 8, c->ch_hi);
    tt_put_le32(p + 12, c->scale_hi);
    tt_put_le32(p + 16, c->qat_bits | c->upsample << LATC_UPSAMPLE_SHIFT | (c->post.on ? LATC_FILTER_BIT : 0));
    tt_put_le32(p + 20, c->qat_start);
    tt_status s = tt_nn_buf_chunk(b, TT_TNX_CHUNK_LATC, p, c->hi_levels > 1 ? LATC_PYRAMID_BYTES : LATC_BYTES);
    if (s != TT_OK || !c->post.on) return s;
    uint8_t pf[TT_PF_PAYLOAD];
    tt_postfilter_write(&c->post, pf);
    return tt_nn_buf_chunk(b, TT_TNX_CHUNK_LPFL, pf, sizeof pf);
}

/* The LPFL chunk: exactly one when bit 24 of LATC's qat_bits word announces it, none otherwise. */
static tt_status read_post_filter(tt_nn_model *m, const tt_nn_chunk *chunks, uint32_t n, const char *name,
                                  int announced)
{
    const tt_nn_chunk *pf = NULL;
    for (uint32_t i = 0; i < n; i++) {
        if (chunks[i].type != TT_TNX_CHUNK_LPFL) continue;
        if (pf) return tt_fail(TT_ERR_FORMAT, "%s: more than one LPFL chunk", name);
        pf = &chunks[i];
    }
    if (!announced)
        return pf ? tt_fail(TT_ERR_FORMAT, "%s: an LPFL chunk that LATC does not announce", name) : TT_OK;
    if (!pf) return tt_fail(TT_ERR_FORMAT, "%s: LATC announces a post-filter but there is no LPFL chunk", name);
    return tt_postfilter_read(pf->data, pf->size, name, &m->latent.post);
}

static tt_status latent_read_config(tt_nn_model *m, const tt_nn_chunk *chunks, uint32_t n, const char *name)
{
    for (uint32_t i = 0; i < n; i++) {
        if (chunks[i].type != TT_TNX_CHUNK_LATC) continue;
        if (chunks[i].size < LATC_BYTES)
            return tt_fail(TT_ERR_FORMAT, "%s: LATC chunk too short (%u bytes)", name, chunks[i].size);
        const uint8_t *p = chunks[i].data;
        memset(&m->latent, 0, sizeof m->latent);
        m->latent.ch_lo = tt_get_le32(p);
        m->latent.scale_lo = tt_get_le32(p + 4);
        m->latent.ch_hi = tt_get_le32(p + 8);
        m->latent.scale_hi = tt_get_le32(p + 12);
        uint32_t qat_word = tt_get_le32(p + 16);
        m->latent.qat_bits = qat_word & ((1u << LATC_UPSAMPLE_SHIFT) - 1);
        m->latent.upsample = (qat_word & ~LATC_FILTER_BIT) >> LATC_UPSAMPLE_SHIFT;
        m->latent.qat_start = tt_get_le32(p + 20);
        m->latent.hi_levels = chunks[i].size >= LATC_PYRAMID_BYTES ? tt_get_le32(p + 24) : 1;
        if (m->latent.upsample > TT_LATENT_UPSAMPLE_BICUBIC)
            return tt_fail(TT_ERR_FORMAT, "%s: LATC chunk names an unknown upsampling (%u)", name, m->latent.upsample);
        if (m->latent.hi_levels < 1 ||
            tt_latent_pyramid_check(m->latent.ch_lo, m->latent.ch_hi, m->latent.scale_hi, m->latent.hi_levels) != TT_OK)
            return tt_fail(TT_ERR_FORMAT, "%s: LATC chunk holds an impossible pyramid (%u hi levels)", name,
                           m->latent.hi_levels);
        if (m->latent.ch_lo < 1 ||
            m->latent.scale_lo < 1 || m->latent.scale_lo > 4096 || (m->latent.ch_hi && (m->latent.scale_hi < 1 || m->latent.scale_hi > 4096)) ||
            m->latent.qat_bits > 8)
            return tt_fail(TT_ERR_FORMAT, "%s: LATC chunk holds an impossible configuration", name);
        return read_post_filter(m, chunks, n, name, (qat_word & LATC_FILTER_BIT) != 0);
    }
    return tt_fail(TT_ERR_FORMAT, "%s: latent model without a LATC chunk", name);
}

static tt_status latent_write_params(const tt_nn_model *m, const float *params, const tt_nn_save_opts *o,
                                     tt_nn_buf *b)
{
    tt_latent_layout l;
    tt_status s = tt_latent_layout_of(m, &l);
    if (s != TT_OK) return s;
    if (o && o->keep_section && o->keep_grid && memcmp(o->keep_grid, params, (size_t)l.total * sizeof(float)) == 0)
        return tt_nn_buf_chunk(b, TT_TNX_CHUNK_LGRD, o->keep_section, o->keep_section_size);
    tt_latent_store_opts so;
    tt_latent_store_opts_init(&so);
    so.codec = (tt_latent_codec)TT_LATENT_SAVE_CODEC(o->latent_codec);
    so.pack = (tt_latent_pack)TT_LATENT_SAVE_PACK(o->latent_codec);
    if (so.codec > TT_LATENT_CODEC_LAST || so.pack > TT_LATENT_PACK_RGB)
        return tt_fail(TT_ERR_INVALID_ARG, "latent: unknown codec %d", o->latent_codec);
    if (o->jpeg_quality > 0) so.jpeg_quality = o->jpeg_quality;
    if (m->latent.qat_bits > 0) so.step = tt_latent_cfg_step(&m->latent);
    uint8_t *sec = NULL;
    size_t n = 0;
    s = tt_latent_store(&l, params, (int)m->latent.qat_bits, &so, &sec, &n);
    if (s != TT_OK) return s;
    s = tt_nn_buf_chunk(b, TT_TNX_CHUNK_LGRD, sec, n);
    free(sec);
    return s;
}

static tt_status latent_read_params(const tt_nn_model *m, const tt_nn_chunk *chunks, uint32_t n, float *params,
                                    uint8_t *filled, const char *name)
{
    tt_latent_layout l;
    tt_status s = tt_latent_layout_of(m, &l);
    if (s != TT_OK) return s;
    for (uint32_t i = 0; i < n; i++) {
        if (chunks[i].type != TT_TNX_CHUNK_LGRD) continue;
        for (uint32_t k = 0; k < l.total; k++)
            if (filled[k]) return tt_fail(TT_ERR_FORMAT, "%s: latent value %u stored twice", name, k);
        s = tt_latent_load(&l, chunks[i].data, chunks[i].size, name, params);
        if (s != TT_OK) return s;
        for (uint32_t k = 0; k < l.total; k++) filled[k] = 1;
        return TT_OK;
    }
    return tt_fail(TT_ERR_FORMAT, "%s: latent model without its grids (LGRD chunk)", name);
}

/* ---- GPU: QAT ranges ----------------------------------------------------------
 * STATE buffer (layout in shaders/latent_qat.glsl): per feature 4 uint slots of
 * order-preserving keys (min, max) x 2 parities. One small dispatch per step
 * (latent_minmax.comp: many workgroups, shared-memory atomics) fills this
 * step's parity; the training step quantises as it reads the grids
 * (latent_enc.glsl) and its first workgroup clears the other parity.
 * Push constants, bindings and constant ids: shaders/nn_abi.h. */
_Static_assert(TT_LATENT_MAX_FEATURES <= LAT_RANGE_SLOTS, "latent_minmax.comp: a shared range slot per channel");

static uint64_t latent_state_bytes(const tt_nn_model *m)
{
    return 6ull * m->enc_features * sizeof(uint32_t);   /* ranges 4F, then |level| sums 2F (nn_abi.h) */
}

tt_status tt_latent_qat_pipelines(tt_vk *vk, tt_latent_qat_gpu *q)
{
    memset(q, 0, sizeof *q);
    tt_status s = tt_vk_pipeline_create(vk, "latent_minmax", LAT_MINMAX_BUFFERS, sizeof(tt_latent_minmax_push), NULL, 0,
                                        LAT_MINMAX_WG, 1, 1, &q->minmax);
    if (s != TT_OK) tt_latent_qat_release(vk, q);
    return s;
}

void tt_latent_qat_release(tt_vk *vk, tt_latent_qat_gpu *q)
{
    tt_vk_pipeline_destroy(vk, q->minmax);
    q->minmax = NULL;
}

/* First float of grid g, or the end of the grids where there is no grid g (the shaders' feature lookup). */
static uint32_t grid_start(const tt_latent_layout *l, uint32_t g)
{
    return g < l->n_grids ? l->offset[g] : l->total;
}

void tt_latent_record_ranges(tt_vk *vk, const tt_latent_qat_gpu *q, const tt_nn_model *m, tt_vk_buffer *params,
                             tt_vk_buffer *state, uint32_t step)
{
    tt_latent_layout l;
    if (tt_latent_layout_of(m, &l) != TT_OK) return;
    tt_latent_minmax_push pc = {
        .offset_hi = grid_start(&l, 1),
        .ch_lo = l.ch[0], .ch_hi = l.n_grids > 1 ? l.ch[1] : 1,
        .total = l.total, .step = step, .per_thread = LAT_MINMAX_PER_THREAD,
        .offset_hi2 = grid_start(&l, 2), .offset_hi3 = grid_start(&l, 3), .offset_hi4 = grid_start(&l, 4),
    };
    tt_vk_buffer *bufs[LAT_MINMAX_BUFFERS] = {[LAT_MINMAX_BIND_PARAMS] = params, [LAT_MINMAX_BIND_STATE] = state};
    uint32_t per_group = LAT_MINMAX_WG * LAT_MINMAX_PER_THREAD;
    tt_vk_dispatch_groups(vk, q->minmax, bufs, &pc, (l.total + per_group - 1) / per_group, 1, 1);
}

uint32_t tt_latent_qat_flags(uint32_t bits) { return TT_LATENT_FLAG_QAT | (bits & 15u) << TT_LATENT_FLAG_BITS_SHIFT; }

void tt_latent_state_ranges(const tt_nn_model *m, const uint32_t *state_words, uint32_t step, float *mn, float *mx)
{
    uint32_t base = 2u * (step & 1u);
    for (uint32_t f = 0; f < m->enc_features; f++) {
        uint32_t klo = ~state_words[base + 4u * f], khi = state_words[base + 4u * f + 1u];
        uint32_t blo = (klo & 0x80000000u) ? (klo & 0x7FFFFFFFu) : ~klo;
        uint32_t bhi = (khi & 0x80000000u) ? (khi & 0x7FFFFFFFu) : ~khi;
        memcpy(&mn[f], &blo, 4);
        memcpy(&mx[f], &bhi, 4);
    }
}

static tt_status latent_gpu_prepare(tt_nn_trainer *tr)
{
    tt_latent_qat_gpu *g = calloc(1, sizeof *g);
    if (!g) return tt_fail(TT_ERR_NOMEM, "latent: out of memory");
    tt_status s = tt_latent_qat_pipelines(tr->vk, g);
    if (s != TT_OK) { free(g); return s; }
    tr->enc_gpu = g;
    return TT_OK;
}

/* The ranges of step s come from Adam of step s - 1 (latent_adam_spec); step 0 has none before it, so QAT from
 * step 0 takes them from the range pass. */
static void latent_record_pre_step(tt_nn_trainer *tr, uint32_t step0)
{
    const tt_nn_model *m = tr->m;
    int qat = m->latent.qat_bits > 0 && step0 >= m->latent.qat_start && !(tr->flags & TT_LATENT_FLAG_FROZEN);
    tr->flags &= ~tt_latent_qat_flags(15);
    tr->enc_param = tt_latent_cfg_noise(&m->latent);
    /* fixed step: no range pass needed, but Adam keeps the |level| sums of the rate term's scales current */
    float step = m->latent.qat_bits > 0 ? tt_latent_cfg_step(&m->latent) : 0.0f;
    float lambda = tt_latent_cfg_lambda(&m->latent);
    tr->enc_param2 = step;
    /* 1 / step: the level of tt_latent_step_level in the train shader, the rate term in Adam */
    tr->enc_param3 = tr->rate_inv_step = step > 0 ? 1.0f / step : 0.0f;
    tr->rate_scale = qat && step > 0 && lambda > 0 ? lambda / ((float)m->width * (float)m->height * step) : 0.0f;
    if (qat) {
        if (step0 == 0 && step == 0) {
            tt_latent_record_ranges(tr->vk, tr->enc_gpu, m, &tr->params, &tr->state, step0);
            tt_vk_barrier(tr->vk);
        }
        tr->flags |= tt_latent_qat_flags(m->latent.qat_bits);
    }
}

static void latent_adam_spec(const tt_nn_model *m, uint32_t *spec)
{
    tt_latent_layout l;
    if (m->latent.qat_bits == 0 || tt_latent_layout_of(m, &l) != TT_OK) return;
    spec[ADAM_SPEC_RANGE_F] = l.features;
    spec[ADAM_SPEC_RANGE_OFFSET_HI] = grid_start(&l, 1);
    spec[ADAM_SPEC_RANGE_CH_LO] = l.ch[0];
    spec[ADAM_SPEC_RANGE_CH_HI] = l.n_grids > 1 ? l.ch[1] : 1;
    spec[ADAM_SPEC_RANGE_TOTAL] = l.total;
    spec[ADAM_SPEC_RANGE_HI2] = grid_start(&l, 2);
    spec[ADAM_SPEC_RANGE_HI3] = grid_start(&l, 3);
    spec[ADAM_SPEC_RANGE_HI4] = grid_start(&l, 4);
}

static void latent_gpu_release(tt_nn_trainer *tr)
{
    tt_latent_qat_gpu *g = tr->enc_gpu;
    if (!g) return;
    tt_latent_qat_release(tr->vk, g);
    free(g);
    tr->enc_gpu = NULL;
}

/* Shader constants LAT_SPEC_*. The grid sizes follow the image's: a latent pipeline serves images of one size (with
 * one grid configuration). */
void tt_latent_spec_fill(const tt_latent_layout *l, uint32_t *spec)
{
    spec[LAT_SPEC_CH_LO] = l->ch[0];
    spec[LAT_SPEC_CH_HI] = l->n_grids > 1 ? l->ch[1] : 0;
    spec[LAT_SPEC_W_LO] = l->w[0];
    spec[LAT_SPEC_H_LO] = l->h[0];
    spec[LAT_SPEC_HI_LEVELS] = l->n_grids > 1 ? l->n_grids - 1 : 1;
    spec[LAT_SPEC_UPSAMPLE] = l->upsample;
    static const int w_id[TT_LATENT_MAX_GRIDS] = {0, LAT_SPEC_W_HI, LAT_SPEC_W_HI2, LAT_SPEC_W_HI3, LAT_SPEC_W_HI4};
    static const int h_id[TT_LATENT_MAX_GRIDS] = {0, LAT_SPEC_H_HI, LAT_SPEC_H_HI2, LAT_SPEC_H_HI3, LAT_SPEC_H_HI4};
    for (uint32_t g = 1; g < TT_LATENT_MAX_GRIDS; g++) {
        spec[w_id[g]] = g < l->n_grids ? l->w[g] : 1;
        spec[h_id[g]] = g < l->n_grids ? l->h[g] : 1;
    }
}

static void latent_spec(const tt_nn_model *m, uint32_t *spec)
{
    tt_latent_layout l;
    if (tt_latent_layout_of(m, &l) == TT_OK) tt_latent_spec_fill(&l, spec);
}

static void latent_describe(const tt_nn_model *m, char *buf, size_t len)
{
    tt_latent_layout l;
    if (tt_latent_layout_of(m, &l) != TT_OK) { snprintf(buf, len, "latent grid: invalid"); return; }
    int n = snprintf(buf, len, "latent grids: lo %u ch x %ux%u (1/%u)", l.ch[0], l.w[0], l.h[0], l.scale[0]);
    for (uint32_t g = 1; g < l.n_grids && n > 0 && (size_t)n < len; g++)
        n += snprintf(buf + n, len - (size_t)n, ", %s %u ch x %ux%u (1/%u)", grid_name[g], l.ch[g], l.w[g], l.h[g],
                      l.scale[g]);
    if (n > 0 && (size_t)n < len && l.upsample == TT_LATENT_UPSAMPLE_BICUBIC)
        n += snprintf(buf + n, len - (size_t)n, ", bicubic");
    if (n > 0 && (size_t)n < len && m->latent.post.on) n += snprintf(buf + n, len - (size_t)n, ", 3x3 post-filter");
    if (n > 0 && (size_t)n < len) {
        float step = tt_latent_cfg_step(&m->latent), lambda = tt_latent_cfg_lambda(&m->latent);
        if (m->latent.qat_bits && step > 0)
            snprintf(buf + n, len - (size_t)n, "; QAT %u bits of step %g from step %u, rate lambda %g", m->latent.qat_bits,
                     step, m->latent.qat_start, lambda);
        else if (m->latent.qat_bits)
            snprintf(buf + n, len - (size_t)n, "; QAT %u bits from step %u", m->latent.qat_bits, m->latent.qat_start);
        else
            snprintf(buf + n, len - (size_t)n, "; float latents");
    }
}

static const tt_nn_encoder_ops latent_ops = {
    .kind = TT_NN_KIND_LATENT,
    .name = "latent",
    .train_shader = "latent_train",
    .decode_shader = "latent_decode",
    .parts = 0,
    .group_patch = 1,
    .layout = latent_layout,
    .init = latent_init,
    .forward = latent_forward,
    .backward = latent_backward,
    .write_config = latent_write_config,
    .read_config = latent_read_config,
    .write_params = latent_write_params,
    .read_params = latent_read_params,
    .state_bytes = latent_state_bytes,
    .gpu_prepare = latent_gpu_prepare,
    .record_pre_step = latent_record_pre_step,
    .gpu_release = latent_gpu_release,
    .spec = latent_spec,
    .adam_spec = latent_adam_spec,
    .describe = latent_describe,
};

const tt_nn_encoder_ops *tt_nn_latent_encoder(void)
{
    return &latent_ops;
}
