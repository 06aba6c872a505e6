/* nn_train.c - GPU trainer shared by all neural encoders: fused train step + Adam, many steps per submit; GPU decode. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "neural/tt_neural.h"
#include "nn_abi.h"

_Static_assert(TT_NN_BIND_PARAMS == NN_TRAIN_BIND_PARAMS && TT_NN_BIND_GRADS == NN_TRAIN_BIND_GRADS &&
                   TT_NN_BIND_TARGET == NN_TRAIN_BIND_TARGET && TT_NN_BIND_STATS == NN_TRAIN_BIND_STATS &&
                   TT_NN_BIND_AUX == NN_TRAIN_BIND_AUX && TT_NN_BIND_STATE == NN_TRAIN_BIND_STATE,
               "tt_neural.h train bindings");
_Static_assert(NN_SPEC_ENC + 6 == NN_SPEC_TUNE && NN_SPEC_PATCH + 1 == LAT_SPEC_HI_LEVELS && LAT_SPEC_UPSAMPLE + 1 == NN_SPEC_COUNT,
               "spec ids: encoders fill NN_SPEC_ENC..+5 and the pyramid's (tt_nn_encoder_ops.spec), the trainer the rest");
_Static_assert(NN_SPEC_COUNT <= TT_VK_MAX_SPEC, "tt_vk_pipeline_create takes at most TT_VK_MAX_SPEC constants");
_Static_assert(NN_CM_PIXELS == NN_WG / 32u * 16u, "tensor-core decode: 16 pixels a 32-wide subgroup");

/* GPU parameter layout: canonical vector with the decoder moved to a 4-aligned
 * offset and the rows of W0 padded with zeros to a multiple of 4 inputs (vec4
 * loads of every weight row); the encoder range [0, enc_count) is unchanged. */
static uint32_t in4_of(const tt_nn_model *m) { return (m->enc_features + 3u) & ~3u; }
static uint32_t gpu_dec_offset(const tt_nn_model *m) { return (m->dec_offset + 3u) & ~3u; }
static uint32_t gpu_total(const tt_nn_model *m)
{
    return gpu_dec_offset(m) + m->dec_count + m->dec.hidden * (in4_of(m) - m->enc_features);
}

uint32_t tt_nn_gpu_index(const tt_nn_model *m, uint32_t i)
{
    if (i < m->dec_offset) return i;
    uint32_t d = i - m->dec_offset, in = m->enc_features, w0 = m->dec.hidden * in;
    if (d < w0) return gpu_dec_offset(m) + d / in * in4_of(m) + d % in;
    return gpu_dec_offset(m) + d + m->dec.hidden * (in4_of(m) - in);
}
uint32_t tt_nn_gpu_count(const tt_nn_model *m) { return gpu_total(m); }
uint32_t tt_nn_gpu_dec_offset(const tt_nn_model *m) { return gpu_dec_offset(m); }

static float *to_gpu_layout(const tt_nn_model *m, const float *params)
{
    float *g = calloc(gpu_total(m), sizeof(float));
    if (!g) return NULL;
    memcpy(g, params, sizeof(float) * m->dec_offset);
    for (uint32_t i = m->dec_offset; i < m->total; i++) g[tt_nn_gpu_index(m, i)] = params[i];
    return g;
}

/* NN_TUNE bits (spec NN_SPEC_TUNE): the tuning's switches, and the compact tile where pick_tile chose it. */
static uint32_t tune_bits(const tt_nn_tuning *t, int compact)
{
    return (t->no_pad ? 0 : NN_TUNE_PAD) | (t->no_xsplit ? 0 : NN_TUNE_XSPLIT) | (t->no_prefetch ? 0 : NN_TUNE_PREFETCH) |
           (compact ? NN_TUNE_COMPACT : 0) | (t->no_swizzle ? 0 : NN_TUNE_SWIZZLE);
}
/* The compact tile (nn_common.glsl NN_COMPACT): no derivative rows, for SIREN and ReLU. compact OFF never, ON always
 * (tests: the layout the GPUs that fit two workgroups run, on a device that would not pick it). */
static int compact_allowed(const tt_nn_model *m, const tt_nn_tuning *t)
{
    return t->compact != TT_NN_TUNE_OFF && (m->dec.act == TT_NN_ACT_SIREN || m->dec.act == TT_NN_ACT_RELU);
}
/* Tile columns XOR-swizzled instead of rows padded, where ns/4 is a power of two. */
static int swizzle_on(const tt_nn_tuning *t, uint32_t ns) { return !t->no_swizzle && ((ns / 4) & (ns / 4 - 1)) == 0; }
static uint32_t row_vec4(const tt_nn_tuning *t, uint32_t ns)
{
    return swizzle_on(t, ns) ? ns / 4 : !t->no_pad ? ((ns / 4) | 1u) : ns / 4;
}

/* Head forward parts (NN_HQ, spec 15): enough (channel, 4 samples, part) tasks to fill the workgroup. */
static uint32_t default_hq(const tt_nn_model *m, uint32_t ns)
{
    uint32_t hq = NN_WG / (3 * (ns / 4)), h4 = m->dec.hidden / 4;
    if (hq > h4) hq = h4;
    return hq < 1 ? 1 : hq;
}
static uint32_t forced_hq(const tt_nn_tuning *t) { return t->head_parts >= 1 && t->head_parts <= 64 ? t->head_parts : 0; }

/* Shared-memory bytes of the training tile for ns samples, hq head parts, compact or not, with the encoder's own
 * (the latent patch's range and geometry): the arrays of nn_common.glsl and latent_enc.glsl, sized by nn_abi.h. */
static uint64_t tile_smem(const tt_nn_model *m, const tt_nn_tuning *t, uint32_t ns, uint32_t hq, int compact)
{
    uint64_t in4 = in4_of(m), dh = (uint64_t)m->dec.depth * m->dec.hidden, ns4 = ns / 4;
    uint64_t dfeat0 = compact ? m->dec.hidden : 0;
    uint64_t rows = in4 + NN_A_ROWS_OF(dh, dfeat0, in4) + (compact ? 0 : dh);   /* s_x, s_a, s_d */
    uint64_t head = NN_GH_VEC4_OF(ns4) + NN_TGT_VEC4_OF(ns4) + NN_HZ_VEC4_OF(ns4, (uint64_t)hq);
    uint64_t pyramid = m->enc->kind == TT_NN_KIND_LATENT && m->latent.hi_levels > 2 ? m->latent.hi_levels - 2 : 0;
    uint64_t enc = m->enc->group_patch ? LAT_SMEM_PER_FEATURE * m->enc_features + LAT_SMEM_GEOMETRY + 16 * pyramid : 0;
    return (rows * row_vec4(t, ns) + head) * 16 + 8ull * ns + enc + (compact ? 16 : 0);   /* s_pos; s_d[1] */
}

static uint64_t smem_limit(tt_vk *vk)
{
    uint64_t limit = tt_vk_get_caps(vk)->max_shared_memory;
    return limit ? limit : NN_SMEM_DEFAULT_LIMIT;
}

/* Shared memory a training workgroup may take so that two share an SM (nn_abi.h; measured: a 23,328-byte tile ran
 * two workgroups an SM on an H200, a 24,720-byte one only one; docs/dev/journal.md, "2026-11-27, third session"). */
static uint64_t smem_two_per_sm(tt_vk *vk) { return smem_limit(vk) / 2 - NN_SMEM_GROUP_RESERVE; }

/* The training tile: ns samples, hq head parts (at most default_hq) and the layout. The tile is the largest whose
 * smallest form fits (beyond 32 samples the 128 threads already have a 4x4 tile each in the default model); then,
 * in order of preference, the full layout if two workgroups can share an SM with it, the compact one if that is
 * what buys the second workgroup (at one workgroup an SM it is slower: H200, latent default, 1.029 s GPU full
 * against 1.080 s compact), else the full layout; each with the most head parts that meet its budget.
 * The tuning's tile and head_parts force the tile and the parts where they fit (the parts fall back to 1);
 * compact ON forces the compact layout where the activation has one, OFF forbids it. */
static uint32_t most_hq(const tt_nn_model *m, const tt_nn_tuning *t, uint32_t ns, int compact, uint64_t budget)
{
    uint32_t hq_forced = forced_hq(t);
    for (uint32_t h = hq_forced ? hq_forced : default_hq(m, ns); h >= 1; h = hq_forced ? 0 : h - 1)
        if (tile_smem(m, t, ns, h, compact) <= budget) return h;
    return 0;
}
static void pick_tile(tt_vk *vk, const tt_nn_model *m, const tt_nn_tuning *t, uint32_t *ns_out, uint32_t *hq_out,
                      int *compact_out)
{
    static const uint32_t cand[] = {NN_TILE_MAX, 24, 16, 12, 8, 4};
    uint64_t limit = smem_limit(vk), two = smem_two_per_sm(vk);
    uint32_t hq = 0, ns = 4;
    int allowed = compact_allowed(m, t), compact = allowed && t->compact == TT_NN_TUNE_ON;
    uint32_t forced = t->tile >= 4 && t->tile % 4 == 0 ? t->tile : 0;
    if (forced && tile_smem(m, t, forced, 1, compact) <= limit) {
        ns = forced;
    } else {
        for (size_t i = 0; i < sizeof cand / sizeof cand[0]; i++)
            if (tile_smem(m, t, cand[i], 1, compact) <= limit) {
                ns = cand[i];
                break;
            }
    }
    if (compact) {
        hq = most_hq(m, t, ns, 1, limit);
    } else {
        hq = most_hq(m, t, ns, 0, two);
        if (!hq && allowed && (hq = most_hq(m, t, ns, 1, two)) != 0) compact = 1;
        if (!hq) hq = most_hq(m, t, ns, 0, limit);
    }
    *ns_out = ns;
    *hq_out = hq ? hq : 1;
    *compact_out = compact;
}

/* The encoder's per-workgroup patch (spec NN_SPEC_PATCH): the floats that fit in the shared memory the tile leaves,
 * at most LAT_PATCH_MAX; none with no_patch (the global-memory path, also what groups whose patch would not fit run). */
static uint32_t pick_patch(tt_vk *vk, const tt_nn_model *m, const tt_nn_tuning *t, uint32_t ns, uint32_t hq,
                           int compact)
{
    if (!m->enc->group_patch || t->no_patch) return 0;
    uint64_t used = tile_smem(m, t, ns, hq, compact), limit = smem_limit(vk);
    if (used <= smem_two_per_sm(vk)) limit = smem_two_per_sm(vk);   /* the patch must not cost the second workgroup */
    uint64_t n = used < limit ? (limit - used) / 4 : 0;
    return n < LAT_PATCH_MIN ? 0 : n > LAT_PATCH_MAX ? LAT_PATCH_MAX : (uint32_t)n;
}

/* Weight-gradient accumulators per thread with register accumulation (mirrors nn_mlp.glsl). */
static uint32_t racc_floats(const tt_nn_model *m)
{
    uint32_t h = m->dec.hidden, kmax = in4_of(m) > h ? in4_of(m) : h;
    uint32_t rt = ((h / 4) * (kmax / 4) + NN_WG - 1) / NN_WG, rb = (h + NN_WG - 1) / NN_WG;
    uint32_t rh = (3 * h + 3 + NN_WG - 1) / NN_WG;
    return m->dec.depth * (rt * 16 + rb) + rh;
}

static const tt_nn_tuning default_tuning;   /* all zero: the defaults */

/* Decode: pixels per workgroup (one per thread) whose feature + hidden columns fit in shared memory. */
static uint32_t pick_dp(tt_vk *vk, const tt_nn_model *m, const tt_nn_tuning *t)
{
    uint64_t limit = smem_limit(vk), row = 4ull * (in4_of(m) + m->dec.hidden);
    uint32_t dp = t->decode_pixels == 0 || t->decode_pixels > NN_WG ? NN_WG : t->decode_pixels;
    while (dp > 1 && row * dp > limit) dp /= 2;
    return dp;
}

/* The encoder's constants (hook: NN_SPEC_ENC..+5 and the latent pyramid's ids) first; the trainer's NN_SPEC_TUNE
 * and NN_SPEC_HQ after, NN_SPEC_PATCH is set by the caller (0 here). */
static void fill_spec(const tt_nn_model *m, const tt_nn_tuning *t, uint32_t ns, uint32_t hq, int compact, uint32_t tpg,
                      uint32_t racc, uint32_t dp, uint32_t spec[NN_SPEC_COUNT])
{
    memset(spec, 0, NN_SPEC_COUNT * sizeof(uint32_t));
    spec[NN_SPEC_IN] = m->enc_features;
    spec[NN_SPEC_HIDDEN] = m->dec.hidden;
    spec[NN_SPEC_DEPTH] = m->dec.depth;
    spec[NN_SPEC_ACT] = (uint32_t)m->dec.act;
    spec[NN_SPEC_NS] = ns;
    spec[NN_SPEC_TPG] = tpg;
    spec[NN_SPEC_RACC] = racc;
    spec[NN_SPEC_DP] = dp;
    if (m->enc->spec) m->enc->spec(m, spec);
    spec[NN_SPEC_TUNE] = tune_bits(t, compact);
    spec[NN_SPEC_HQ] = hq;
}

/* ---- Tensor-core decode (`<decode_shader>_cm`, nn_decode.glsl NN_DECODE_CM) ----
 * Each 32-wide subgroup decodes 16 pixels: every layer is a 16-pixel x 16-output x 16-input fp16 matrix product
 * with fp32 sums (VK_NV_cooperative_matrix), bias and activation in between. The weights come from a separate fp16
 * buffer laid out for those products (dec_f16_build). */
static uint32_t round16(uint32_t v) { return (v + 15u) & ~15u; }

int tt_nn_decode_f16_tuned(tt_vk *vk, const tt_nn_model *m, const tt_nn_tuning *tune)
{
    /* shared memory (nn_common.glsl): per subgroup two fp16 tiles of 16 x (K + NN_CM_ROW_PAD), one fp32 16x16 block */
    uint64_t k = round16(m->enc_features) > m->dec.hidden ? round16(m->enc_features) : m->dec.hidden;
    uint64_t smem = (NN_WG / 32) * (2 * 16 * (k + NN_CM_ROW_PAD) * 2 + 16 * 16 * 4);
    return tt_vk_get_caps(vk)->coopmat_f16 && m->dec.hidden % 16 == 0 && !(tune && tune->no_coopmat) &&
           smem <= smem_limit(vk);
}

int tt_nn_decode_f16(tt_vk *vk, const tt_nn_model *m) { return tt_nn_decode_f16_tuned(vk, m, NULL); }

/* fp16 weights, per layer l: W_l[j][k] at j*K_l + k (K_0 = enc_features rounded up to 16, zeros past it; K_l = hidden
 * after), then the head as 16 rows of hidden (rows 3..15 zero). Count in halves: dec_f16_count. */
static uint64_t dec_f16_count(const tt_nn_model *m)
{
    uint64_t H = m->dec.hidden;
    return H * round16(m->enc_features) + (uint64_t)(m->dec.depth - 1) * H * H + 16 * H;
}

static uint16_t *dec_f16_build(const tt_nn_model *m, const float *params)
{
    uint32_t H = m->dec.hidden, D = m->dec.depth;
    uint16_t *w = calloc(dec_f16_count(m), sizeof(uint16_t));
    if (!w) return NULL;
    uint64_t o = 0;
    for (uint32_t l = 0; l <= D; l++) {
        uint32_t in = l == 0 ? m->enc_features : H, k_pad = l == 0 ? round16(in) : H, rows = l == D ? 3 : H;
        const float *W = params + tt_nn_layer_w_offset(m, l);
        for (uint32_t j = 0; j < rows; j++)
            for (uint32_t k = 0; k < in; k++) w[o + (uint64_t)j * k_pad + k] = tt_f32_to_f16(W[j * in + k]);
        o += (uint64_t)(l == D ? 16 : H) * k_pad;
    }
    return w;
}

/* The decode ignores the train-only constants: fixed values (tile 32, 1 head part, no compact tile, the default
 * NN_TUNE bits) keep one pipeline per model shape whatever the tuning. */
static tt_status make_decode_pipeline(tt_vk *vk, const tt_nn_model *m, const tt_nn_tuning *t, tt_vk_pipeline **out,
                                      uint32_t *ns_out)
{
    uint32_t spec[NN_SPEC_COUNT], dp = pick_dp(vk, m, t);
    if (tt_nn_decode_f16_tuned(vk, m, t)) {
        char name[64];
        fill_spec(m, &default_tuning, 32, 1, 0, 1, 0, NN_CM_PIXELS, spec);
        *ns_out = NN_CM_PIXELS;
        snprintf(name, sizeof name, "%s_cm", m->enc->decode_shader);
        return tt_vk_pipeline_create(vk, name, NN_DECODE_CM_BUFFERS, sizeof(tt_nn_decode_push), spec, NN_SPEC_COUNT,
                                     NN_WG, 1, 1, out);
    }
    fill_spec(m, &default_tuning, 32, 1, 0, 1, 0, dp, spec);
    *ns_out = dp;
    return tt_vk_pipeline_create(vk, m->enc->decode_shader, NN_DECODE_BUFFERS, sizeof(tt_nn_decode_push), spec,
                                 NN_SPEC_COUNT, NN_WG, 1, 1, out);
}

/* Builds the fp16 weight buffer of params (canonical layout) into *buf, creating it when empty. */
static tt_status upload_dec_f16(tt_vk *vk, const tt_nn_model *m, const float *params, tt_vk_buffer *buf)
{
    uint64_t bytes = dec_f16_count(m) * 2;
    uint16_t *w = dec_f16_build(m, params);
    if (!w) return tt_fail(TT_ERR_NOMEM, "out of memory");
    tt_status s = buf->buffer ? TT_OK : tt_vk_buffer_create(vk, bytes, TT_MEM_DEVICE, buf);
    if (s == TT_OK) s = tt_vk_upload(vk, buf, 0, w, bytes);
    free(w);
    return s;
}

tt_status tt_nn_trainer_create(tt_vk *vk, const tt_nn_model *m, const float *params, const tt_image *target,
                               const tt_nn_train_cfg *cfg, tt_nn_trainer **out)
{
    *out = NULL;
    if (target->width != m->width || target->height != m->height)
        return tt_fail(TT_ERR_INVALID_ARG, "trainer: image %ux%u does not match the model's %ux%u", target->width,
                       target->height, m->width, m->height);
    if (cfg->iters < 1 || cfg->batch < 1) return tt_fail(TT_ERR_INVALID_ARG, "trainer: iters and batch must be >= 1");
    tt_nn_trainer *tr = calloc(1, sizeof *tr);
    if (!tr) return tt_fail(TT_ERR_NOMEM, "out of memory");
    tr->vk = vk;
    tr->m = m;
    tr->cfg = *cfg;
    if (!tr->cfg.steps_per_submit) tr->cfg.steps_per_submit = 250;
    const tt_vk_caps *caps = tt_vk_get_caps(vk);
    tt_status s;
    float *gp = NULL;
    uint32_t n = gpu_total(m);
    uint64_t npix = (uint64_t)m->width * m->height;
    uint64_t state_bytes = m->enc->state_bytes ? m->enc->state_bytes(m) : 0;
    if (state_bytes < 16) state_bytes = 16;
#define TRY(x) do { if ((s = (x)) != TT_OK) goto fail; } while (0)
    TRY(tt_vk_buffer_create(vk, (VkDeviceSize)n * 4, TT_MEM_DEVICE, &tr->params));
    TRY(tt_vk_buffer_create(vk, (VkDeviceSize)n * 4, TT_MEM_DEVICE, &tr->grads));
    TRY(tt_vk_buffer_create(vk, (VkDeviceSize)n * 4, TT_MEM_DEVICE, &tr->adam_m));
    TRY(tt_vk_buffer_create(vk, (VkDeviceSize)n * 4, TT_MEM_DEVICE, &tr->adam_v));
    TRY(tt_vk_buffer_create(vk, npix * 4, TT_MEM_DEVICE, &tr->target));
    TRY(tt_vk_buffer_create(vk, npix * 4, TT_MEM_DEVICE, &tr->out_img));
    TRY(tt_vk_buffer_create(vk, (VkDeviceSize)cfg->iters * 4, TT_MEM_READBACK, &tr->stats));
    TRY(tt_vk_buffer_create(vk, (VkDeviceSize)(m->aux_words > 4 ? m->aux_words : 4) * 4, TT_MEM_DEVICE, &tr->aux));
    TRY(tt_vk_buffer_create(vk, state_bytes, TT_MEM_DEVICE, &tr->state));
    gp = to_gpu_layout(m, params);
    if (!gp) { s = tt_fail(TT_ERR_NOMEM, "out of memory"); goto fail; }
    TRY(tt_vk_upload(vk, &tr->params, 0, gp, (VkDeviceSize)n * 4));
    TRY(tt_vk_upload(vk, &tr->target, 0, target->rgba, npix * 4));
    if (m->aux_words) TRY(tt_vk_upload(vk, &tr->aux, 0, m->aux, (VkDeviceSize)m->aux_words * 4));
    TRY(tt_vk_begin(vk));
    tt_vk_fill_cmd(vk, &tr->grads, 0);
    tt_vk_fill_cmd(vk, &tr->adam_m, 0);
    tt_vk_fill_cmd(vk, &tr->adam_v, 0);
    tt_vk_fill_cmd(vk, &tr->stats, 0);
    tt_vk_fill_cmd(vk, &tr->state, 0);
    TRY(tt_vk_submit(vk, NULL));

    /* Tiles of ns samples; each workgroup runs tpg of them, summing weight gradients in registers (racc) when
     * they fit in a modest register budget, so the weights see one atomic per workgroup instead of per tile. */
    const tt_nn_tuning *t = &tr->cfg.tune;
    uint32_t spec[NN_SPEC_COUNT], ns = 4, hq = 1;
    int compact = 0;
    pick_tile(vk, m, t, &ns, &hq, &compact);
    uint32_t racc = t->racc == TT_NN_TUNE_AUTO ? racc_floats(m) <= 96 : t->racc == TT_NN_TUNE_ON;
    /* 8 tiles per group for the default batch (256 groups: one round of 2 per SM on an H100/H200). With the latent
     * grid patch filled once per group, 8 beat 4 (H100: 1.142 -> 1.108 s GPU; docs/dev/journal.md, "2026-11-27, first session"). */
    uint32_t tiles = (cfg->batch + ns - 1) / ns;
    uint32_t tpg = t->tiles_per_group ? (t->tiles_per_group > 64 ? 64 : t->tiles_per_group)
                   : racc ? (tiles / 256 > 16 ? 16 : tiles / 256 > 1 ? tiles / 256 : 1) : 1;
    if (tpg > tiles) tpg = tiles;
    tr->samples_per_group = ns * tpg;
    fill_spec(m, t, ns, hq, compact, tpg, racc, NN_WG, spec);
    tr->enc_patch = spec[NN_SPEC_PATCH] = pick_patch(vk, m, t, ns, hq, compact);
    tr->tile_samples = ns;
    tr->head_parts = hq;
    tr->compact = compact;
    tr->train_smem = (uint32_t)(tile_smem(m, t, ns, hq, compact) + 4ull * tr->enc_patch);
    char name[64];
    snprintf(name, sizeof name, "%s%s", m->enc->train_shader, caps->float_atomic_add ? "" : "_cas");
    TRY(tt_vk_pipeline_create(vk, name, NN_TRAIN_BUFFERS, sizeof(tt_nn_train_push), spec, NN_SPEC_COUNT, NN_WG, 1, 1,
                              &tr->train));
    uint32_t adam_spec[ADAM_SPEC_COUNT] = {0};
    adam_spec[ADAM_SPEC_RANGE_CH_LO] = adam_spec[ADAM_SPEC_RANGE_CH_HI] = 1;   /* no ranges: nothing divides by them */
    if (m->enc->adam_spec) m->enc->adam_spec(m, adam_spec);
    TRY(tt_vk_pipeline_create(vk, "nn_adam", ADAM_BUFFERS, sizeof(tt_nn_adam_push), adam_spec, ADAM_SPEC_COUNT,
                              NN_ADAM_WG, 1, 1, &tr->adam));
    uint32_t dns;
    TRY(make_decode_pipeline(vk, m, t, &tr->decode, &dns));
    if (m->enc->gpu_prepare) TRY(m->enc->gpu_prepare(tr));
    free(gp);
    *out = tr;
    return TT_OK;
fail:
    free(gp);
    tt_nn_trainer_destroy(tr);
    return s;
#undef TRY
}

/* Records training steps [from, to): the fused step, Adam, each followed by a barrier. */
static void record_steps(tt_nn_trainer *tr, uint32_t from, uint32_t to, uint32_t groups, uint32_t strip)
{
    tt_vk *vk = tr->vk;
    const tt_nn_model *m = tr->m;
    const tt_nn_train_cfg *c = &tr->cfg;
    tt_vk_buffer *tb[NN_TRAIN_BUFFERS] = {
        [NN_TRAIN_BIND_PARAMS] = &tr->params, [NN_TRAIN_BIND_GRADS] = &tr->grads, [NN_TRAIN_BIND_TARGET] = &tr->target,
        [NN_TRAIN_BIND_STATS] = &tr->stats, [NN_TRAIN_BIND_AUX] = &tr->aux, [NN_TRAIN_BIND_STATE] = &tr->state};
    tt_vk_buffer *ab[ADAM_BUFFERS] = {[ADAM_BIND_PARAMS] = &tr->params, [ADAM_BIND_GRADS] = &tr->grads,
                                      [ADAM_BIND_M] = &tr->adam_m, [ADAM_BIND_V] = &tr->adam_v,
                                      [ADAM_BIND_STATE] = &tr->state};
    for (uint32_t step = from; step < to; step++) {
        if (m->enc->record_pre_step) m->enc->record_pre_step(tr, step);
        tt_nn_train_push tp = {
            .step = step, .seed_lo = (uint32_t)c->seed, .seed_hi = (uint32_t)(c->seed >> 32), .batch = c->batch,
            .width = m->width, .height = m->height, .dec_offset = gpu_dec_offset(m), .omega0 = m->dec.omega0,
            .loss_scale = 1.0f / (3.0f * (float)c->batch), .flags = tr->flags,
            .strip = strip, .enc_param = tr->enc_param, .enc_param2 = tr->enc_param2,
            .enc_param3 = tr->enc_param3,
        };
        tt_vk_dispatch_groups(vk, tr->train, tb, &tp, groups, 1, 1);
        tt_vk_barrier(vk);
        double t = step + 1.0;
        tt_nn_adam_push ap = {
            .n = gpu_total(m), .dec_offset = gpu_dec_offset(m),
            .lr_enc = (float)tt_nn_lr_at(c, TT_NN_GROUP_ENC, step), .lr_net = (float)tt_nn_lr_at(c, TT_NN_GROUP_NET, step),
            .beta1 = c->beta1, .beta2 = c->beta2, .eps = c->eps,
            .bc1 = (float)(1.0 - pow(c->beta1, t)), .bc2 = (float)(1.0 - pow(c->beta2, t)),
            .range_parity = (step + 1) & 1, .rate_scale = tr->rate_scale, .rate_inv_step = tr->rate_inv_step,
        };
        tt_vk_dispatch(vk, tr->adam, ab, &ap, (ap.n + 3) / 4, 1, 1);   // four parameters a thread
        tt_vk_barrier(vk);
    }
}

tt_status tt_nn_trainer_run(tt_nn_trainer *tr, uint32_t n, double *gpu_ms)
{
    tt_vk *vk = tr->vk;
    const tt_nn_model *m = tr->m;
    const tt_nn_train_cfg *c = &tr->cfg;
    double total_ms = 0;
    int have_ms = 1;
    if (n > c->iters - tr->step) n = c->iters - tr->step;
    uint32_t groups = (c->batch + tr->samples_per_group - 1) / tr->samples_per_group;
    uint32_t strip = tt_nn_sample_strip(m->width, m->height, c->batch);
    while (n > 0) {
        uint32_t k = n < c->steps_per_submit ? n : c->steps_per_submit;
        /* Recorded in 4 pieces, each submitted before the next is recorded, so that the host's recording overlaps
         * the GPU's work (H200, latent default: wall 1.067-1.071 -> 1.057-1.058 s at the same GPU time). */
        uint32_t pieces = k >= 128 ? 4 : 1;
        for (uint32_t p = 0; p < pieces; p++) {
            tt_status s = tt_vk_begin(vk);
            if (s != TT_OK) return s;
            record_steps(tr, tr->step + k / pieces * p, tr->step + (p + 1 == pieces ? k : k / pieces * (p + 1)),
                         groups, strip);
            if (p + 1 < pieces) {
                s = tt_vk_submit_async(vk);
                if (s != TT_OK) return s;
                continue;
            }
            double ms = -1;
            s = tt_vk_submit(vk, &ms);
            if (s != TT_OK) return s;
            if (ms < 0) have_ms = 0;
            total_ms += ms;
        }
        tr->step += k;
        n -= k;
    }
    if (gpu_ms) *gpu_ms = have_ms ? total_ms : -1;
    return TT_OK;
}

tt_status tt_nn_trainer_losses(tt_nn_trainer *tr, uint32_t from, uint32_t to, float *out)
{
    if (from > to || to > tr->cfg.iters) return tt_fail(TT_ERR_INVALID_ARG, "trainer: loss range %u..%u", from, to);
    if (from == to) return TT_OK;
    tt_status s = tt_vk_download(tr->vk, &tr->stats, (VkDeviceSize)from * 4, out, (VkDeviceSize)(to - from) * 4);
    if (s != TT_OK) return s;
    float scale = 1.0f / (3.0f * (float)tr->cfg.batch);
    for (uint32_t i = 0; i < to - from; i++) out[i] *= scale;
    return TT_OK;
}

static tt_status download_params(tt_vk *vk, const tt_nn_model *m, tt_vk_buffer *buf, float *params)
{
    uint32_t n = gpu_total(m);
    float *g = malloc(sizeof(float) * n);
    if (!g) return tt_fail(TT_ERR_NOMEM, "out of memory");
    tt_status s = tt_vk_download(vk, buf, 0, g, (VkDeviceSize)n * 4);
    if (s == TT_OK) {
        memcpy(params, g, sizeof(float) * m->dec_offset);
        for (uint32_t i = m->dec_offset; i < m->total; i++) params[i] = g[tt_nn_gpu_index(m, i)];
    }
    free(g);
    return s;
}

tt_status tt_nn_trainer_get_params(tt_nn_trainer *tr, float *params) { return download_params(tr->vk, tr->m, &tr->params, params); }

/* Records one decode dispatch writing the image into out_buf (RGBA8 words, row-major). */
static void record_decode(tt_vk *vk, const tt_nn_model *m, tt_vk_pipeline *pipe, uint32_t ns, tt_vk_buffer *params,
                          tt_vk_buffer *out_buf, tt_vk_buffer *aux, tt_vk_buffer *state, tt_vk_buffer *dec_f16)
{
    tt_vk_buffer *b[NN_DECODE_CM_BUFFERS] = {[NN_DECODE_BIND_PARAMS] = params, [NN_DECODE_BIND_OUT] = out_buf,
                                             [NN_DECODE_BIND_AUX] = aux, [NN_DECODE_BIND_STATE] = state,
                                             [NN_DECODE_BIND_F16] = dec_f16};
    tt_nn_decode_push dp = {.width = m->width, .height = m->height, .dec_offset = gpu_dec_offset(m), .flags = 0,
                            .omega0 = m->dec.omega0};
    uint64_t npix = (uint64_t)m->width * m->height;
    uint32_t groups = (uint32_t)((npix + ns - 1) / ns);
    tt_vk_dispatch_groups(vk, pipe, b, &dp, groups, 1, 1);
}

static tt_status run_decode(tt_vk *vk, const tt_nn_model *m, tt_vk_pipeline *pipe, uint32_t ns, tt_vk_buffer *params,
                            tt_vk_buffer *out_buf, tt_vk_buffer *aux, tt_vk_buffer *state, tt_vk_buffer *dec_f16,
                            int repeats, tt_image *out, double *gpu_ms)
{
    uint64_t npix = (uint64_t)m->width * m->height;
    double best = -1;
    if (repeats < 1) repeats = 1;
    for (int r = 0; r < repeats; r++) {
        tt_status s = tt_vk_begin(vk);
        if (s != TT_OK) return s;
        record_decode(vk, m, pipe, ns, params, out_buf, aux, state, dec_f16);
        double ms = -1;
        s = tt_vk_submit(vk, &ms);
        if (s != TT_OK) return s;
        if (ms >= 0 && (best < 0 || ms < best)) best = ms;
    }
    if (gpu_ms) *gpu_ms = best;
    tt_status s = tt_image_alloc(out, m->width, m->height);
    if (s != TT_OK) return s;
    s = tt_vk_download(vk, out_buf, 0, out->rgba, npix * 4);
    if (s != TT_OK) tt_image_free(out);
    return s;
}

tt_status tt_nn_trainer_decode(tt_nn_trainer *tr, tt_image *out, double *gpu_ms)
{
    uint32_t ns = pick_dp(tr->vk, tr->m, &tr->cfg.tune);
    if (tt_nn_decode_f16_tuned(tr->vk, tr->m, &tr->cfg.tune)) {   /* the current weights, converted on the CPU (outside the timed decode) */
        float *p = malloc(sizeof(float) * tr->m->total);
        if (!p) return tt_fail(TT_ERR_NOMEM, "out of memory");
        tt_status s = tt_nn_trainer_get_params(tr, p);
        if (s == TT_OK) s = upload_dec_f16(tr->vk, tr->m, p, &tr->dec_f16);
        free(p);
        if (s != TT_OK) return s;
        ns = NN_CM_PIXELS;
    }
    return run_decode(tr->vk, tr->m, tr->decode, ns, &tr->params, &tr->out_img, &tr->aux, &tr->state, &tr->dec_f16, 1,
                      out, gpu_ms);
}

void tt_nn_trainer_destroy(tt_nn_trainer *tr)
{
    if (!tr) return;
    tt_vk *vk = tr->vk;
    if (tr->m->enc->gpu_release) tr->m->enc->gpu_release(tr);
    tt_vk_pipeline_destroy(vk, tr->train);
    tt_vk_pipeline_destroy(vk, tr->adam);
    tt_vk_pipeline_destroy(vk, tr->decode);
    tt_vk_buffer *bufs[] = {&tr->params, &tr->grads, &tr->adam_m, &tr->adam_v, &tr->target,
                            &tr->stats, &tr->aux, &tr->state, &tr->out_img, &tr->dec_f16};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        if (bufs[i]->buffer) tt_vk_buffer_destroy(vk, bufs[i]);
    free(tr);
}

tt_status tt_nn_decode_gpu(tt_vk *vk, const tt_nn_model *m, const float *params, int repeats, tt_image *out,
                           double *gpu_ms)
{
    return tt_nn_decode_gpu_tuned(vk, m, params, repeats, out, gpu_ms, NULL);
}

/* A decode made ready on a device (tt_nn_decoder_create): the model's buffers uploaded and its pipeline built. */
struct tt_nn_decoder {
    tt_vk *vk;
    const tt_nn_model *m;
    tt_vk_buffer params, aux, state, dec_f16;
    tt_vk_pipeline *pipe;
    uint32_t ns;   /* pixels a workgroup */
    tt_postfilter_gpu *post;   /* the model's post-filter (NULL: none), reading the network's image from `mid` */
    tt_vk_buffer mid;
};

tt_status tt_nn_decoder_create(tt_vk *vk, const tt_nn_model *m, const float *params, const tt_nn_tuning *tune,
                               tt_nn_decoder **out)
{
    const tt_nn_tuning *t = tune ? tune : &default_tuning;
    *out = NULL;
    tt_nn_decoder *d = calloc(1, sizeof *d);
    float *gp = to_gpu_layout(m, params);
    if (!d || !gp) {
        free(d);
        free(gp);
        return tt_fail(TT_ERR_NOMEM, "out of memory");
    }
    d->vk = vk;
    d->m = m;
    uint32_t n = gpu_total(m);
    tt_status s;
#define TRY(x) do { if ((s = (x)) != TT_OK) goto done; } while (0)
    TRY(tt_vk_buffer_create(vk, (VkDeviceSize)n * 4, TT_MEM_DEVICE, &d->params));
    TRY(tt_vk_buffer_create(vk, (VkDeviceSize)(m->aux_words > 4 ? m->aux_words : 4) * 4, TT_MEM_DEVICE, &d->aux));
    TRY(tt_vk_buffer_create(vk, 16, TT_MEM_DEVICE, &d->state));
    TRY(tt_vk_upload(vk, &d->params, 0, gp, (VkDeviceSize)n * 4));
    if (m->aux_words) TRY(tt_vk_upload(vk, &d->aux, 0, m->aux, (VkDeviceSize)m->aux_words * 4));
    TRY(tt_vk_fill(vk, &d->state, 0));
    if (tt_nn_decode_f16_tuned(vk, m, t)) TRY(upload_dec_f16(vk, m, params, &d->dec_f16));
    TRY(make_decode_pipeline(vk, m, t, &d->pipe, &d->ns));
    if (tt_nn_postfilter_of(m)) {
        TRY(tt_vk_buffer_create(vk, (VkDeviceSize)m->width * m->height * 4, TT_MEM_DEVICE, &d->mid));
        TRY(tt_postfilter_gpu_create(vk, tt_nn_postfilter_of(m), m->width, m->height, &d->post));
    }
done:
#undef TRY
    free(gp);
    if (s != TT_OK) tt_nn_decoder_destroy(d);
    else *out = d;
    return s;
}

void tt_nn_decoder_record(tt_nn_decoder *d, tt_vk_buffer *out)
{
    record_decode(d->vk, d->m, d->pipe, d->ns, &d->params, d->post ? &d->mid : out, &d->aux, &d->state, &d->dec_f16);
    if (d->post) {
        tt_vk_barrier(d->vk);
        tt_postfilter_gpu_record(d->post, &d->mid, out);
    }
}

void tt_nn_decoder_destroy(tt_nn_decoder *d)
{
    if (!d) return;
    tt_vk_pipeline_destroy(d->vk, d->pipe);
    tt_postfilter_gpu_destroy(d->post);
    tt_vk_buffer *bufs[] = {&d->params, &d->aux, &d->state, &d->dec_f16, &d->mid};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        if (bufs[i]->buffer) tt_vk_buffer_destroy(d->vk, bufs[i]);
    free(d);
}

tt_status tt_nn_decode_gpu_tuned(tt_vk *vk, const tt_nn_model *m, const float *params, int repeats, tt_image *out,
                                 double *gpu_ms, const tt_nn_tuning *tune)
{
    tt_nn_decoder *d = NULL;
    tt_vk_buffer ob = {0};
    tt_status s = tt_nn_decoder_create(vk, m, params, tune, &d);
    if (s == TT_OK) s = tt_vk_buffer_create(vk, (uint64_t)m->width * m->height * 4, TT_MEM_DEVICE, &ob);
    double best = -1;
    for (int r = 0; s == TT_OK && r < (repeats < 1 ? 1 : repeats); r++) {
        double ms = -1;
        s = tt_vk_begin(vk);
        if (s != TT_OK) break;
        tt_nn_decoder_record(d, &ob);
        s = tt_vk_submit(vk, &ms);
        if (ms >= 0 && (best < 0 || ms < best)) best = ms;
    }
    if (gpu_ms) *gpu_ms = best;
    if (s == TT_OK) s = tt_image_alloc(out, m->width, m->height);
    if (s == TT_OK) {
        s = tt_vk_download(vk, &ob, 0, out->rgba, (VkDeviceSize)m->width * m->height * 4);
        if (s != TT_OK) tt_image_free(out);
    }
    if (ob.buffer) tt_vk_buffer_destroy(vk, &ob);
    tt_nn_decoder_destroy(d);
    return s;
}
