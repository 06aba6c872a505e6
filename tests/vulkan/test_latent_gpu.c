/* test_latent_gpu.c - latent encoder shaders vs the C reference: grid sampling forward/backward, the QAT passes, full decode, and a short training run. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "neural/latent.h"
#include "neural/tt_neural.h"
#include "tt_test.h"
#include "nn_abi.h" /* latent_probe.comp's contract */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Hi grids of the models below: 1, then the tests run again with a pyramid of 2 (every scale_hi here is even). */
static uint32_t g_hi_levels = 1;
/* Upsampling of the models below: bilinear, then some tests again bicubic. */
static uint32_t g_upsample = TT_LATENT_UPSAMPLE_BILINEAR;

static void latent_model(tt_nn_model *m, uint32_t w, uint32_t h, uint32_t ch_lo, uint32_t scale_lo, uint32_t ch_hi,
                         uint32_t scale_hi, uint32_t hidden, uint32_t depth)
{
    memset(m, 0, sizeof *m);
    m->kind = TT_NN_KIND_LATENT;
    m->width = w;
    m->height = h;
    tt_latent_cfg_default(&m->latent);
    m->latent.ch_lo = ch_lo;
    m->latent.scale_lo = scale_lo;
    m->latent.ch_hi = ch_hi;
    m->latent.scale_hi = scale_hi;
    m->latent.hi_levels = g_hi_levels;
    m->latent.upsample = g_upsample;
    m->dec = (tt_nn_decoder_cfg){.hidden = hidden, .depth = depth, .act = TT_NN_ACT_SIREN, .omega0 = 30.0f};
}

/* The encoder alone (shaders/latent_probe.comp): features at given points
 * equal tt_latent_sample; the atomically scattered backward equals the sum of
 * tt_latent_sample_backward; and, FD-free, <dfeat, F(grid)> = <G, grid> since
 * the features are linear in the grid (checks the backward against the GPU's
 * own forward). 6 lo + 3 hi channels in 2 parts: the second spans both grids. */
static void test_encoder(tt_vk *vk, uint32_t hi_levels, uint32_t upsample)
{
    tt_latent_layout l;
    /* lo 5x3, hi 11x7; pyramid of 3: hi 11x7, hi2 22x14, hi3 45x29 */
    CHECK(tt_latent_layout_init_pyramid(&l, 45, 29, 6, 8, 3, 4, hi_levels) == TT_OK);
    l.upsample = upsample;
    uint32_t F = l.features, np = 300;
    /* LAT_PARTS_TARGET of latent_probe.comp: features 0-4 | 5 + hi 0-2; with the pyramid of 3, 15 features:
     * lo 0-5 + hi 0-1 | hi 2, hi2 0-2, hi3 0-2 (a part spanning three grids) */
    uint32_t parts = 2;
    float *grid = malloc(sizeof(float) * l.total), *feat = malloc(sizeof(float) * np * F);
    float *dfeat = malloc(sizeof(float) * np * F), *gref = calloc(l.total, sizeof(float));
    float *ggpu = malloc(sizeof(float) * l.total), *pos = malloc(sizeof(float) * 2 * np);
    tt_nn_rng r;
    tt_nn_rng_seed(&r, 3);
    for (uint32_t i = 0; i < l.total; i++) grid[i] = tt_nn_rng_uniform(&r, -1, 1);
    for (uint32_t i = 0; i < np; i++) {
        /* include the corners and the border exactly */
        pos[2 * i] = i < 4 ? (float)(i & 1) : tt_nn_coord01(i % 45, 45);
        pos[2 * i + 1] = i < 4 ? (float)(i >> 1) : tt_nn_coord01((i * 7) % 29, 29);
    }
    for (uint32_t i = 0; i < np * F; i++) dfeat[i] = tt_nn_rng_uniform(&r, -1, 1);

    tt_vk_buffer bp = {0}, bg = {0}, bf = {0}, bd = {0}, bpos = {0}, bs = {0};
    tt_vk_pipeline *pipe = NULL;
    uint32_t spec[LAT_PROBE_SPEC_COUNT] = {0};
    tt_latent_spec_fill(&l, spec);
    CHECK(tt_vk_buffer_create(vk, 4ull * l.total, TT_MEM_DEVICE, &bp) == TT_OK);
    CHECK(tt_vk_buffer_create(vk, 4ull * l.total, TT_MEM_DEVICE, &bg) == TT_OK);
    CHECK(tt_vk_buffer_create(vk, 4ull * np * F, TT_MEM_DEVICE, &bf) == TT_OK);
    CHECK(tt_vk_buffer_create(vk, 4ull * np * F, TT_MEM_DEVICE, &bd) == TT_OK);
    CHECK(tt_vk_buffer_create(vk, 8ull * np, TT_MEM_DEVICE, &bpos) == TT_OK);
    CHECK(tt_vk_buffer_create(vk, 16, TT_MEM_DEVICE, &bs) == TT_OK);
    tt_status s = tt_vk_pipeline_create(vk, "latent_probe", LAT_PROBE_BUFFERS, sizeof(tt_latent_probe_push), spec,
                                        LAT_PROBE_SPEC_COUNT, LAT_PROBE_WG, 1, 1, &pipe);
    CHECK_MSG(s == TT_OK, "%s", tt_last_error());
    if (s != TT_OK) return;
    CHECK(tt_vk_upload(vk, &bp, 0, grid, 4ull * l.total) == TT_OK);
    CHECK(tt_vk_upload(vk, &bd, 0, dfeat, 4ull * np * F) == TT_OK);
    CHECK(tt_vk_upload(vk, &bpos, 0, pos, 8ull * np) == TT_OK);
    CHECK(tt_vk_fill(vk, &bg, 0) == TT_OK);
    CHECK(tt_vk_fill(vk, &bs, 0) == TT_OK);
    tt_vk_buffer *bufs[6] = {&bp, &bg, &bf, &bd, &bpos, &bs};
    tt_latent_probe_push fwd = {.n_points = np}, bwd = {.n_points = np, .backward = 1};
    CHECK(tt_vk_begin(vk) == TT_OK);
    tt_vk_dispatch(vk, pipe, bufs, &fwd, np * parts, 1, 1);
    tt_vk_barrier(vk);
    tt_vk_dispatch(vk, pipe, bufs, &bwd, np * parts, 1, 1);
    CHECK(tt_vk_submit(vk, NULL) == TT_OK);
    CHECK(tt_vk_download(vk, &bf, 0, feat, 4ull * np * F) == TT_OK);
    CHECK(tt_vk_download(vk, &bg, 0, ggpu, 4ull * l.total) == TT_OK);

    double max_fe = 0, max_ge = 0, lhs = 0, rhs = 0;
    float ref[TT_LATENT_MAX_FEATURES];
    for (uint32_t i = 0; i < np; i++) {
        tt_latent_sample(&l, grid, pos[2 * i], pos[2 * i + 1], ref);
        for (uint32_t f = 0; f < F; f++) {
            double e = fabs(ref[f] - feat[i * F + f]);
            if (e > max_fe) max_fe = e;
            lhs += (double)dfeat[i * F + f] * feat[i * F + f];
        }
        tt_latent_sample_backward(&l, pos[2 * i], pos[2 * i + 1], dfeat + i * F, gref);
    }
    for (uint32_t k = 0; k < l.total; k++) {
        double e = fabs(gref[k] - ggpu[k]);
        if (e > max_ge) max_ge = e;
        rhs += (double)ggpu[k] * grid[k];
    }
    CHECK_MSG(max_fe < 1e-5, "forward max error %g", max_fe);
    CHECK_MSG(max_ge < 1e-4, "backward max error %g", max_ge);
    CHECK_MSG(fabs(lhs - rhs) < 1e-3 * (1 + fabs(lhs)), "adjoint <dF,F(g)> %.9g vs <G,g> %.9g", lhs, rhs);

    tt_vk_pipeline_destroy(vk, pipe);
    tt_vk_buffer *all[6] = {&bp, &bg, &bf, &bd, &bpos, &bs};
    for (int i = 0; i < 6; i++) tt_vk_buffer_destroy(vk, all[i]);
    free(grid); free(feat); free(dfeat); free(gref); free(ggpu); free(pos);
}

/* Min and max of channel c of grid g, computed here (not by the library). */
static void channel_range(const tt_latent_layout *l, const float *grid, uint32_t g, uint32_t c, float *lo, float *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (uint32_t i = 0; i < l->w[g] * l->h[g]; i++) {
        float v = grid[l->offset[g] + i * l->ch[g] + c];
        *lo = fminf(*lo, v);
        *hi = fmaxf(*hi, v);
    }
}

/* QAT on the GPU against a quantiser written here from docs/algorithms.md, Latent model: per channel
 * min/max over the whole channel, (v-min)/(max-min), round to 2^bits-1
 * levels, back. The range pass (latent_minmax.comp) must find each channel's
 * min and max; the encoder with the QAT flag (latent_probe.comp) must then
 * sample those quantised values, exactly as tt_latent_quantize + the float
 * sampler do. Three consecutive steps with shrinking ranges check the parity
 * slots and their reset (a stale slot would widen a range). */
static void test_qat(tt_vk *vk)
{
    tt_nn_model m;
    latent_model(&m, 72, 40, 5, 8, 2, 4, 8, 1); /* lo 9x5x5, hi 18x10x2 */
    CHECK(tt_nn_model_build(&m) == TT_OK);
    tt_latent_layout l;
    tt_latent_layout_of(&m, &l);
    uint32_t F = m.enc_features, words = 4 * F, np = 257, parts = 2;
    float *grid = malloc(sizeof(float) * m.enc_count), *cq = malloc(sizeof(float) * m.enc_count);
    float *feat = malloc(sizeof(float) * np * F), *pos = malloc(sizeof(float) * 2 * np);
    uint32_t *keys = malloc(sizeof(uint32_t) * words);
    tt_nn_rng r;
    tt_nn_rng_seed(&r, 11);
    for (uint32_t i = 0; i < np; i++) {
        pos[2 * i] = tt_nn_rng_uniform(&r, 0, 1);
        pos[2 * i + 1] = tt_nn_rng_uniform(&r, 0, 1);
    }
    tt_vk_buffer bp = {0}, bs = {0}, bg = {0}, bf = {0}, bpos = {0};
    tt_latent_qat_gpu q;
    tt_vk_pipeline *probe = NULL;
    uint32_t spec[LAT_PROBE_SPEC_COUNT] = {0};
    tt_latent_spec_fill(&l, spec);
    CHECK(tt_vk_buffer_create(vk, 4ull * m.enc_count, TT_MEM_DEVICE, &bp) == TT_OK);
    CHECK(tt_vk_buffer_create(vk, 4ull * m.enc_count, TT_MEM_DEVICE, &bg) == TT_OK);
    CHECK(tt_vk_buffer_create(vk, 4ull * words, TT_MEM_DEVICE, &bs) == TT_OK);
    CHECK(tt_vk_buffer_create(vk, 4ull * np * F, TT_MEM_DEVICE, &bf) == TT_OK);
    CHECK(tt_vk_buffer_create(vk, 8ull * np, TT_MEM_DEVICE, &bpos) == TT_OK);
    CHECK(tt_vk_fill(vk, &bs, 0) == TT_OK);
    CHECK(tt_vk_upload(vk, &bpos, 0, pos, 8ull * np) == TT_OK);
    tt_status s = tt_latent_qat_pipelines(vk, &q);
    if (s == TT_OK) s = tt_vk_pipeline_create(vk, "latent_probe", LAT_PROBE_BUFFERS, sizeof(tt_latent_probe_push), spec,
                                                        LAT_PROBE_SPEC_COUNT, LAT_PROBE_WG, 1, 1, &probe);
    CHECK_MSG(s == TT_OK, "%s", tt_last_error());
    if (s != TT_OK) return;
    tt_vk_buffer *bufs[6] = {&bp, &bg, &bf, &bf, &bpos, &bs};
    for (uint32_t step = 0; step < 3; step++) {
        int bits = step == 1 ? 3 : 8;
        /* each step: different ranges (shrinking), so a stale slot would show */
        for (uint32_t i = 0; i < m.enc_count; i++) grid[i] = tt_nn_rng_normal(&r, 0.1f * step, 0.05f / (step + 1));
        CHECK(tt_vk_upload(vk, &bp, 0, grid, 4ull * m.enc_count) == TT_OK);
        tt_latent_probe_push fwd = {.n_points = np, .flags = tt_latent_qat_flags((uint32_t)bits), .step = 7 + step};
        CHECK(tt_vk_begin(vk) == TT_OK);
        tt_latent_record_ranges(vk, &q, &m, &bp, &bs, 7 + step);
        tt_vk_barrier(vk);
        tt_vk_dispatch(vk, probe, bufs, &fwd, np * parts, 1, 1);
        CHECK(tt_vk_submit(vk, NULL) == TT_OK);
        CHECK(tt_vk_download(vk, &bs, 0, keys, 4ull * words) == TT_OK);
        CHECK(tt_vk_download(vk, &bf, 0, feat, 4ull * np * F) == TT_OK);
        float mn[16], mx[16];
        tt_latent_state_ranges(&m, keys, 7 + step, mn, mx);
        int bad_range = 0, stale = 0;
        double levels = (1 << bits) - 1;
        for (uint32_t g = 0; g < l.n_grids; g++)
            for (uint32_t c = 0; c < l.ch[g]; c++) {
                uint32_t cells = l.w[g] * l.h[g], C = l.ch[g];
                float lo, hi;
                channel_range(&l, grid, g, c, &lo, &hi);
                uint32_t f = tt_latent_feature_index(&l, g, c);
                if (mn[f] != lo || mx[f] != hi) bad_range++;
                uint32_t other = 4 * f + 2 * ((7 + step + 1) & 1);
                stale += keys[other] != 0 || keys[other + 1] != 0;
                double range = hi - lo;
                for (uint32_t i = 0; i < cells; i++) {
                    uint32_t k = l.offset[g] + i * C + c;
                    cq[k] = (float)(floor((grid[k] - lo) / range * levels + 0.5) / levels * range + lo);
                }
            }
        CHECK_MSG(bad_range == 0, "step %u: %d channel ranges differ", step, bad_range);
        CHECK_MSG(stale == 0, "step %u: %d range slots of the next step not cleared", step, stale);
        /* the C reference QAT agrees with the quantiser above */
        float *cref = malloc(sizeof(float) * m.enc_count);
        tt_latent_quantize(&l, grid, bits, cref, NULL, NULL);
        int diff = 0;
        for (uint32_t k = 0; k < m.enc_count; k++) diff += fabsf(cq[k] - cref[k]) > 1e-6f;
        CHECK_MSG(diff == 0, "step %u: %d values of tt_latent_quantize differ", step, diff);
        free(cref);
        double max_fe = 0;
        float ref[TT_LATENT_MAX_FEATURES];
        for (uint32_t i = 0; i < np; i++) {
            tt_latent_sample(&l, cq, pos[2 * i], pos[2 * i + 1], ref);
            for (uint32_t f = 0; f < F; f++) max_fe = fmax(max_fe, fabs(ref[f] - feat[i * F + f]));
        }
        CHECK_MSG(max_fe < 1e-5, "step %u: QAT forward max error %g", step, max_fe);
    }
    tt_latent_qat_release(vk, &q);
    tt_vk_pipeline_destroy(vk, probe);
    tt_vk_buffer *all[5] = {&bp, &bs, &bg, &bf, &bpos};
    for (int i = 0; i < 5; i++) tt_vk_buffer_destroy(vk, all[i]);
    free(grid); free(cq); free(feat); free(pos); free(keys);
}

/* Whole model: GPU decode (latent_decode.comp, or latent_decode_cm.comp on tensor cores) equals the C reference
 * (its fp16-operand variant for the tensor-core decode). */
static void test_decode(tt_vk *vk)
{
    tt_nn_model m;
    latent_model(&m, 33, 21, 6, 4, 2, 2, 16, 2);
    CHECK(tt_nn_model_build(&m) == TT_OK);
    float *p = malloc(sizeof(float) * m.total);
    tt_nn_init_params(&m, 4, p);
    tt_nn_rng r;
    tt_nn_rng_seed(&r, 2);
    for (uint32_t i = 0; i < m.enc_count; i++) p[i] = tt_nn_rng_uniform(&r, -0.1f, 0.1f);
    tt_image ref = {0}, gpu = {0};
    CHECK((tt_nn_decode_f16(vk, &m) ? tt_nn_decode_ref_f16 : tt_nn_decode_ref)(&m, p, &ref) == TT_OK);
    tt_status s = tt_nn_decode_gpu(vk, &m, p, 1, &gpu, NULL);
    CHECK_MSG(s == TT_OK, "%s", tt_last_error());
    printf("decode: %s\n", tt_nn_decode_f16(vk, &m) ? "tensor cores (fp16 products, fp32 sums)" : "fp32 loop");
    if (s == TT_OK) {
        int maxd = 0;
        for (size_t i = 0; i < (size_t)m.width * m.height * 4; i++) maxd = abs(ref.rgba[i] - gpu.rgba[i]) > maxd ? abs(ref.rgba[i] - gpu.rgba[i]) : maxd;
        CHECK_MSG(maxd <= 1, "decode differs from the C reference by %d/255", maxd);
    }
    tt_image_free(&ref);
    tt_image_free(&gpu);
    free(p);
}

static void random_postfilter(tt_postfilter *f, uint64_t seed)
{
    tt_nn_rng r;
    tt_nn_rng_seed(&r, seed);
    memset(f, 0, sizeof *f);
    f->on = 1;
    for (int k = 0; k < TT_PF_WEIGHTS; k++) f->w[k] = (int16_t)tt_nn_rng_uniform(&r, -2500, 2500);
    for (int c = 0; c < 3; c++) {
        f->w[c * 27 + c * 9 + 4] = 4096;
        f->b[c] = (int32_t)tt_nn_rng_uniform(&r, -300000, 300000);
    }
}

/* The post-filter pass (nn_postfilter.comp) gives the bytes of the C reference, alone on an image whose sums clamp
 * at both ends, and after the network in the decode of a model that holds one (the decoder's own pass). */
static void test_postfilter(tt_vk *vk)
{
    tt_image in = {0}, ref = {0}, got = {0};
    CHECK(tt_image_alloc(&in, 37, 29) == TT_OK);   /* not a multiple of the 8 x 8 workgroup */
    for (size_t i = 0; i < (size_t)37 * 29 * 4; i++) in.rgba[i] = (uint8_t)(tt_nn_pcg_hash((uint32_t)i) >> 24);
    tt_postfilter f;
    random_postfilter(&f, 11);
    CHECK(tt_postfilter_apply(&f, &in, &ref) == TT_OK);
    tt_postfilter_gpu *g = NULL;
    tt_vk_buffer bi = {0}, bo = {0};
    size_t bytes = (size_t)37 * 29 * 4;
    CHECK(tt_postfilter_gpu_create(vk, &f, 37, 29, &g) == TT_OK);
    CHECK(tt_vk_buffer_create(vk, bytes, TT_MEM_DEVICE, &bi) == TT_OK);
    CHECK(tt_vk_buffer_create(vk, bytes, TT_MEM_DEVICE, &bo) == TT_OK);
    CHECK(tt_vk_upload(vk, &bi, 0, in.rgba, bytes) == TT_OK);
    CHECK(tt_image_alloc(&got, 37, 29) == TT_OK);
    if (g && tt_vk_begin(vk) == TT_OK) {
        tt_postfilter_gpu_record(g, &bi, &bo);
        CHECK(tt_vk_submit(vk, NULL) == TT_OK);
        CHECK(tt_vk_download(vk, &bo, 0, got.rgba, bytes) == TT_OK);
        size_t diff = 0, clamped = 0;
        for (size_t i = 0; i < bytes; i++) {
            diff += got.rgba[i] != ref.rgba[i];
            clamped += i % 4 != 3 && (ref.rgba[i] == 0 || ref.rgba[i] == 255);
        }
        CHECK_MSG(diff == 0, "post-filter pass: %zu bytes differ from the C reference", diff);
        CHECK(clamped > 0);
    }
    tt_postfilter_gpu_destroy(g);
    tt_vk_buffer_destroy(vk, &bi);
    tt_vk_buffer_destroy(vk, &bo);
    tt_image_free(&in);
    tt_image_free(&ref);
    tt_image_free(&got);

    tt_nn_model m;
    latent_model(&m, 33, 21, 6, 4, 2, 2, 16, 2);
    CHECK(tt_nn_model_build(&m) == TT_OK);
    float *p = malloc(sizeof(float) * m.total);
    tt_nn_init_params(&m, 4, p);
    tt_image plain = {0}, filtered = {0}, expect = {0};
    CHECK(tt_nn_decode_gpu(vk, &m, p, 1, &plain, NULL) == TT_OK);
    random_postfilter(&m.latent.post, 12);
    CHECK(tt_nn_decode_gpu(vk, &m, p, 2, &filtered, NULL) == TT_OK);
    if (plain.rgba && filtered.rgba && tt_postfilter_apply(&m.latent.post, &plain, &expect) == TT_OK)
        CHECK_MSG(memcmp(expect.rgba, filtered.rgba, (size_t)m.width * m.height * 4) == 0,
                  "decode with a post-filter differs from the filter applied to the decode");
    tt_image_free(&plain);
    tt_image_free(&filtered);
    tt_image_free(&expect);
    free(p);
}

/* One training step's gradient (adam_m / (1 - b1) after step 0) equals the C reference over the same pixels
 * (tt_nn_sample_pixel): the grid scatter and the decoder's weight gradients of the latent trainer. Four ways: grid
 * gradients summed in each workgroup's shared patch or added to global memory directly (tuning no_patch), each
 * with float grids and with QAT from step 0 (the reference then runs on tt_latent_quantize's grids; the
 * straight-through gradient lands on the same values). */
static void test_step_gradient_one(tt_vk *vk, int patch, int qat)
{
    tt_nn_model m;
    latent_model(&m, 41, 37, 4, 4, 2, 2, 16, 2);
    if (qat) m.latent.qat_start = 0;
    CHECK(tt_nn_model_build(&m) == TT_OK);
    tt_image img;
    tt_image_alloc(&img, m.width, m.height);
    for (uint32_t i = 0; i < m.width * m.height; i++) {
        img.rgba[4 * i] = (uint8_t)(i * 37u);
        img.rgba[4 * i + 1] = (uint8_t)(i * 11u + 5u);
        img.rgba[4 * i + 2] = (uint8_t)(200 - i % 97u);
        img.rgba[4 * i + 3] = 255;
    }
    float *p = malloc(sizeof(float) * m.total), *pq = malloc(sizeof(float) * m.total);
    float *gref = calloc(m.total, sizeof(float));
    tt_nn_init_params(&m, 3, p);
    tt_nn_rng r;
    tt_nn_rng_seed(&r, 5);
    for (uint32_t i = 0; i < m.enc_count; i++) p[i] = tt_nn_rng_uniform(&r, -0.5f, 0.5f);
    memcpy(pq, p, sizeof(float) * m.total);
    if (qat) {
        tt_latent_layout l;
        tt_latent_layout_of(&m, &l);
        tt_latent_quantize(&l, p, (int)m.latent.qat_bits, pq, NULL, NULL);
    }
    tt_nn_train_cfg c;
    tt_latent_train_cfg_default(&c);
    c.iters = 2;
    c.batch = 3001;
    c.seed = 0xabcdef12345ull;
    double loss = tt_nn_step_gradient_ref(&m, pq, &img, &c, 0, gref) / (3.0 * c.batch);
    c.tune.no_patch = !patch;
    /* with the patch, 3 tiles a workgroup (the later tiles' samples are fetched during the previous tile's loss, and
     * the last group's tiles run past the batch) in the compact tile; without, the full tile */
    if (patch) c.tune.tiles_per_group = 3;
    c.tune.compact = patch ? TT_NN_TUNE_ON : TT_NN_TUNE_OFF;
    tt_nn_trainer *tr = NULL;
    tt_status s = tt_nn_trainer_create(vk, &m, p, &img, &c, &tr);
    CHECK_MSG(s == TT_OK, "%s", tt_last_error());
    if (s == TT_OK) {
        printf("step gradient: %s, %s tile, shared patch %u floats\n", qat ? "QAT" : "float grids",
               tr->compact ? "compact" : "full", tr->enc_patch);
        CHECK(tr->compact == patch);
        if (patch && !tr->enc_patch) printf("  (this device gives no shared patch: the global path is what it runs)\n");
        CHECK(patch || tr->enc_patch == 0);
        CHECK(tt_nn_trainer_run(tr, 1, NULL) == TT_OK);
        uint32_t n = tt_nn_gpu_count(&m);
        float *gm = malloc(4 * n);
        CHECK(tt_vk_download(vk, &tr->adam_m, 0, gm, 4ull * n) == TT_OK);
        float gmax = 0;
        for (uint32_t i = 0; i < m.total; i++) gmax = fmaxf(gmax, fabsf(gref[i]));
        int bad = 0;
        for (uint32_t i = 0; i < m.total; i++) {
            float g = gm[tt_nn_gpu_index(&m, i)] / (1.0f - c.beta1);
            if (fabsf(g - gref[i]) > 1e-4f * gmax + 1e-4f * fabsf(gref[i])) {
                if (bad < 5) fprintf(stderr, "grad %u: gpu %.9g ref %.9g\n", i, g, gref[i]);
                bad++;
            }
        }
        CHECK_MSG(gmax > 0 && bad == 0, "%d of %u gradients differ from the C reference (patch %d, QAT %d)", bad,
                  m.total, patch, qat);
        float gl = 0;   /* the step's loss, summed over every tile of every workgroup */
        CHECK(tt_nn_trainer_losses(tr, 0, 1, &gl) == TT_OK);
        CHECK_MSG(fabs(gl - loss) <= 1e-4 * loss + 1e-7, "step loss %.9g, reference %.9g", gl, loss);
        if (qat) {   /* Adam left the next step's ranges: the per-channel min/max of the updated grids */
            float *after = malloc(sizeof(float) * m.total), mn[16], mx[16];
            uint32_t keys[64];
            tt_latent_layout l;
            tt_latent_layout_of(&m, &l);
            CHECK(tt_nn_trainer_get_params(tr, after) == TT_OK);
            CHECK(tt_vk_download(vk, &tr->state, 0, keys, 16ull * m.enc_features) == TT_OK);
            tt_latent_state_ranges(&m, keys, 1, mn, mx);
            int bad_range = 0;
            for (uint32_t g = 0; g < l.n_grids; g++)
                for (uint32_t ch = 0; ch < l.ch[g]; ch++) {
                    float lo, hi;
                    channel_range(&l, after, g, ch, &lo, &hi);
                    uint32_t f = tt_latent_feature_index(&l, g, ch);
                    bad_range += mn[f] != lo || mx[f] != hi;
                }
            CHECK_MSG(bad_range == 0, "%d channel ranges after Adam differ from the updated grids", bad_range);
            free(after);
        }
        free(gm);
        tt_nn_trainer_destroy(tr);
    }
    free(p);
    free(pq);
    free(gref);
    tt_image_free(&img);
}

/* Rate-aware training (--quant-step, --lambda): one step's gradient (adam_m / (1 - b1)) equals the C reference's
 * distortion gradient on the fixed-step quantised grids plus the rate term's of tt_latent_rate_grad, with the
 * channel scales b the trainer derives (the |level| sums of parity 0 are uploaded as Adam of a step before would
 * have left them); and Adam leaves the sums of the updated grids for the next step. */
static void test_rate_gradient(tt_vk *vk, float step)
{
    tt_nn_model m;
    latent_model(&m, 41, 37, 4, 4, 2, 2, 16, 2);
    m.latent.qat_start = 0;
    /* the pyramid's finest grid takes smaller distortion gradients: a smaller lambda keeps the two in scale */
    const float lambda = g_hi_levels > 1 ? 0.5f : 2.0f;
    tt_latent_cfg_set_step(&m.latent, step);
    tt_latent_cfg_set_lambda(&m.latent, lambda);
    CHECK(tt_nn_model_build(&m) == TT_OK);
    tt_latent_layout l;
    CHECK(tt_latent_layout_of(&m, &l) == TT_OK);
    tt_image img;
    tt_image_alloc(&img, m.width, m.height);
    for (uint32_t i = 0; i < m.width * m.height; i++) {
        img.rgba[4 * i] = (uint8_t)(i * 37u);
        img.rgba[4 * i + 1] = (uint8_t)(i * 11u + 5u);
        img.rgba[4 * i + 2] = (uint8_t)(200 - i % 97u);
        img.rgba[4 * i + 3] = 255;
    }
    uint32_t F = l.features;
    float *p = malloc(sizeof(float) * m.total), *pq = malloc(sizeof(float) * m.total);
    float *gref = calloc(m.total, sizeof(float)), *grate = calloc(l.total, sizeof(float)), b[16];
    tt_nn_init_params(&m, 3, p);
    tt_nn_rng r;
    tt_nn_rng_seed(&r, 7);
    /* channel f spread over about f + 1 levels either side of 0, some values outside the 8-bit window */
    for (uint32_t g = 0; g < l.n_grids; g++)
        for (uint32_t c = 0; c < l.ch[g]; c++)
            for (uint32_t i = 0; i < l.w[g] * l.h[g]; i++) {
                float spread = step * (float)(tt_latent_feature_index(&l, g, c) + 1);
                float v = i == 0 ? 200.0f * step : tt_nn_rng_uniform(&r, -spread, spread);
                /* every 5th value on a rounding boundary ((k + 1/2) step, a tie: half up) or one ulp under it, where
                 * rate-aware training leaves many: the GPU must pick the C reference's level there too */
                float tie = (floorf(v / step) + 0.5f) * step;
                if (i % 5 == 3) v = tie;
                if (i % 5 == 4) v = nextafterf(tie, -INFINITY);
                p[l.offset[g] + i * l.ch[g] + c] = v;
            }
    memcpy(pq, p, sizeof(float) * m.total);
    tt_latent_quantize_step(&l, p, (int)m.latent.qat_bits, step, pq);
    CHECK(pq[0] == 127.0f * step);   /* clamped to the window's top level */
    /* the scales as the trainer derives them: fixed-point sums (nn_adam.comp's RATE_FIX) */
    uint32_t count_max = 0;
    for (uint32_t g = 0; g < l.n_grids; g++) count_max = l.w[g] * l.h[g] > count_max ? l.w[g] * l.h[g] : count_max;
    uint32_t fix = 0x7FFFFFFFu / (count_max * 256u);
    fix = fix < 1 ? 1 : fix > 256 ? 256 : fix;
    uint32_t *words = calloc(6 * F, sizeof(uint32_t));
    for (uint32_t g = 0; g < l.n_grids; g++)
        for (uint32_t c = 0; c < l.ch[g]; c++) {
            uint32_t f = tt_latent_feature_index(&l, g, c), sum = 0, cells = l.w[g] * l.h[g];
            for (uint32_t i = 0; i < cells; i++) {
                float u = fabsf(p[l.offset[g] + i * l.ch[g] + c]) * (1.0f / step);
                sum += (uint32_t)(fminf(u, 256.0f) * (float)fix);
            }
            words[4 * F + 2 * f] = sum;
            b[f] = fmaxf((float)sum / ((float)fix * (float)cells), TT_LATENT_RATE_MIN_SCALE);
        }
    double bits = tt_latent_rate_grad(&l, p, step, b, grate);
    float rscale = lambda / ((float)m.width * (float)m.height);
    tt_nn_train_cfg c;
    tt_latent_train_cfg_default(&c);
    c.iters = 2;
    c.batch = 3001;
    c.seed = 0xabcdef12345ull;
    tt_nn_step_gradient_ref(&m, pq, &img, &c, 0, gref);
    tt_nn_trainer *tr = NULL;
    tt_status s = tt_nn_trainer_create(vk, &m, p, &img, &c, &tr);
    CHECK_MSG(s == TT_OK, "%s", tt_last_error());
    if (s == TT_OK) {
        CHECK(tt_vk_upload(vk, &tr->state, 0, words, 4ull * 6 * F) == TT_OK);
        CHECK(tt_nn_trainer_run(tr, 1, NULL) == TT_OK);
        uint32_t n = tt_nn_gpu_count(&m);
        float *gm = malloc(4 * n);
        CHECK(tt_vk_download(vk, &tr->adam_m, 0, gm, 4ull * n) == TT_OK);
        float gmax = 0, glat = 0, rmax = 0;
        for (uint32_t i = 0; i < m.total; i++) gmax = fmaxf(gmax, fabsf(gref[i]));
        for (uint32_t i = 0; i < l.total; i++) glat = fmaxf(glat, fabsf(gref[i]));
        for (uint32_t i = 0; i < l.total; i++) rmax = fmaxf(rmax, fabsf(rscale * grate[i]));
        int bad = 0;
        for (uint32_t i = 0; i < m.total; i++) {
            float want = gref[i] + (i < l.total ? rscale * grate[i] : 0.0f);
            float g = gm[tt_nn_gpu_index(&m, i)] / (1.0f - c.beta1);
            float scale = i < l.total ? glat + rmax : gmax;   /* the grids' gradients are far below the decoder's */
            if (fabsf(g - want) > 1e-4f * scale + 1e-4f * fabsf(want)) {
                if (bad < 5) fprintf(stderr, "grad %u: gpu %.9g ref %.9g (rate %.9g)\n", i, g, want,
                                     i < l.total ? rscale * grate[i] : 0.0f);
                bad++;
            }
        }
        printf("rate step gradient (step %g): %.1f bits of grids, largest grid gradient: rate %.3g, distortion %.3g\n", step, bits, rmax,
               glat);
        CHECK_MSG(rmax > 0.1f * glat && rmax < 10.0f * glat, "the test's rate term is out of scale (%g vs %g)", rmax, glat);
        CHECK_MSG(bad == 0, "%d of %u gradients differ from distortion + rate of the C reference", bad, m.total);
        /* the sums Adam left for step 1 (parity 1) are those of the updated grids */
        float *after = malloc(sizeof(float) * m.total), b_after[16];
        CHECK(tt_nn_trainer_get_params(tr, after) == TT_OK);
        CHECK(tt_vk_download(vk, &tr->state, 0, words, 4ull * 6 * F) == TT_OK);
        tt_latent_rate_scales(&l, after, step, b_after);
        int bad_b = 0;
        for (uint32_t g = 0; g < l.n_grids; g++)
            for (uint32_t ch = 0; ch < l.ch[g]; ch++) {
                uint32_t f = tt_latent_feature_index(&l, g, ch);
                float bg = fmaxf((float)words[4 * F + 2 * f + 1] / ((float)fix * (float)(l.w[g] * l.h[g])),
                                 TT_LATENT_RATE_MIN_SCALE);
                /* truncation to 1/fix of a level per value, and the 256-level cap of the outlier */
                if (fabsf(bg - b_after[f]) > 1.0f / fix + 256.0f / (l.w[g] * l.h[g])) {
                    fprintf(stderr, "scale %u: gpu %g, C %g\n", f, bg, b_after[f]);
                    bad_b++;
                }
            }
        CHECK_MSG(bad_b == 0, "%d channel scales after Adam differ from the updated grids'", bad_b);
        free(after);
        free(gm);
        tt_nn_trainer_destroy(tr);
    }
    free(words);
    free(p);
    free(pq);
    free(gref);
    free(grate);
    tt_image_free(&img);
}

static void test_step_gradient(tt_vk *vk)
{
    for (int patch = 1; patch >= 0; patch--)
        for (int qat = 0; qat <= 1; qat++) test_step_gradient_one(vk, patch, qat);
}

/* Sampling (tt_nn_sample_pixel, mirrored by the shaders): over the samples of one step every pixel is hit as often
 * as an unbiased draw allows (stratified: each pixel's count is within 1 of batch / pixels when batch is a multiple
 * of the pixel count), and strips of `strip` rows alternate direction, so consecutive samples stay close. */
static void test_sampling(void)
{
    uint32_t w = 37, h = 23, n = w * h, batch = 3 * n;
    uint32_t strip = tt_nn_sample_strip(w, h, batch), *count = calloc(n, sizeof(uint32_t));
    uint32_t far = 0, prev = 0;
    for (uint32_t i = 0; i < batch; i++) {
        uint32_t p = tt_nn_sample_pixel(7, 3, i, batch, w, h, strip);
        count[p]++;
        if (i && (abs((int)(p % w) - (int)(prev % w)) > 2 || abs((int)(p / w) - (int)(prev / w)) > (int)strip)) far++;
        prev = p;
    }
    uint32_t lo = batch, hi = 0;
    for (uint32_t k = 0; k < n; k++) {
        lo = count[k] < lo ? count[k] : lo;
        hi = count[k] > hi ? count[k] : hi;
    }
    CHECK_MSG(lo >= 2 && hi <= 4, "pixel counts %u..%u for 3 samples a pixel", lo, hi);
    CHECK_MSG(far == 0, "%u jumps between consecutive samples", far);
    /* fewer samples than pixels, over 400 steps: each pixel's count is binomial around 400 * batch / pixels */
    batch = 301;
    strip = tt_nn_sample_strip(w, h, batch);
    memset(count, 0, n * sizeof(uint32_t));
    for (uint32_t step = 0; step < 400; step++)
        for (uint32_t i = 0; i < batch; i++) count[tt_nn_sample_pixel(0x1234567890ull, step, i, batch, w, h, strip)]++;
    double mean = 400.0 * batch / n, sd = sqrt(mean * (1 - (double)batch / n));
    int outliers = 0;
    for (uint32_t k = 0; k < n; k++) outliers += fabs(count[k] - mean) > 5 * sd;
    CHECK_MSG(outliers == 0, "%d pixels drawn far from %.1f +- %.1f times", outliers, mean, sd);
    free(count);
}

/* A small image trains past a PSNR threshold, with QAT switching on midway. */
static void test_training(tt_vk *vk)
{
    tt_image img;
    uint32_t W = 32, H = 32;
    tt_image_alloc(&img, W, H);
    for (uint32_t y = 0; y < H; y++)
        for (uint32_t x = 0; x < W; x++) {
            uint8_t *px = img.rgba + ((size_t)y * W + x) * 4;
            px[0] = (uint8_t)(128 + 90 * sin(x * 0.35) * cos(y * 0.2));
            px[1] = (uint8_t)(x * 255 / (W - 1));
            px[2] = (uint8_t)(255 - y * 6);
            px[3] = 255;
        }
    tt_nn_model m;
    latent_model(&m, W, H, 8, 4, 2, 2, 16, 1);
    m.latent.qat_start = 60;
    CHECK(tt_nn_model_build(&m) == TT_OK);
    tt_nn_train_cfg tc;
    tt_latent_train_cfg_default(&tc);
    tc.iters = 150;
    tc.batch = 512;
    tc.lr[0] = tc.lr[1] = 1e-2f;
    float *p = malloc(sizeof(float) * m.total);
    tt_nn_init_params(&m, 1, p);
    tt_nn_trainer *tr = NULL;
    double t0 = now_s();
    tt_status s = tt_nn_trainer_create(vk, &m, p, &img, &tc, &tr);
    CHECK_MSG(s == TT_OK, "%s", tt_last_error());
    if (s == TT_OK) s = tt_nn_trainer_run(tr, tc.iters, NULL);
    CHECK_MSG(s == TT_OK, "%s", tt_last_error());
    if (s == TT_OK) s = tt_nn_trainer_get_params(tr, p);
    tt_nn_trainer_destroy(tr);
    if (s == TT_OK) {
        /* what a file holds: the QAT-quantised grids */
        tt_latent_layout l;
        tt_latent_layout_of(&m, &l);
        tt_latent_quantize(&l, p, 8, p, NULL, NULL);
        tt_image out = {0};
        tt_metrics met;
        CHECK(tt_nn_decode_gpu(vk, &m, p, 1, &out, NULL) == TT_OK);
        CHECK(tt_compare_images(&img, &out, &met) == TT_OK);
        printf("training: %u steps of %u in %.2f s, PSNR %.2f dB\n", tc.iters, tc.batch, now_s() - t0, met.psnr_rgb);
        CHECK_MSG(met.psnr_rgb > 27.0, "PSNR %.2f dB after %u steps", met.psnr_rgb, tc.iters);
        tt_image_free(&out);
    }
    free(p);
    tt_image_free(&img);
}

int main(void)
{
    tt_vk *vk = NULL;
    tt_status s = tt_vk_create(-1, &vk);
    if (s != TT_OK) {
        fprintf(stderr, "skip: %s\n", tt_last_error());
        return 77;
    }
    printf("device: %s\n", tt_vk_info(vk)->name);
    double t = now_s();
    test_sampling();
    test_encoder(vk, 1, TT_LATENT_UPSAMPLE_BILINEAR);
    test_encoder(vk, 3, TT_LATENT_UPSAMPLE_BILINEAR);
    test_encoder(vk, 1, TT_LATENT_UPSAMPLE_BICUBIC);
    test_encoder(vk, 3, TT_LATENT_UPSAMPLE_BICUBIC);
    for (g_hi_levels = 1; g_hi_levels <= 2; g_hi_levels++) {
        test_qat(vk);
        test_decode(vk);
        test_step_gradient(vk);
        test_rate_gradient(vk, 0.125f);
        if (g_hi_levels == 1) test_rate_gradient(vk, 0.1f); /* 1 / step not exact in float */
    }
    /* bicubic: the decoder and the training step (the patch holds one more grid point on each side) on a pyramid */
    g_hi_levels = 2;
    g_upsample = TT_LATENT_UPSAMPLE_BICUBIC;
    test_decode(vk);
    test_step_gradient(vk);
    g_upsample = TT_LATENT_UPSAMPLE_BILINEAR;
    g_hi_levels = 1;
    test_postfilter(vk);
    printf("encoder/QAT/decode/step checks: %.2f s\n", now_s() - t);
    test_training(vk);
    tt_vk_destroy(vk);
    TT_TEST_END();
}
