/* test_nn_hash_gpu.c - hash model shaders vs the C reference: forward (decode), backward (gradients), one Adam step, short training. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "neural/tt_neural.h"
#include "tt_test.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void small_model(tt_nn_model *m, uint32_t w, uint32_t h, uint32_t hidden, uint32_t depth, tt_nn_act act)
{
    memset(m, 0, sizeof *m);
    m->kind = TT_NN_KIND_HASH;
    m->width = w;
    m->height = h;
    /* 5 levels x 2 features = 10 inputs: exercises the padded (non multiple of 4) input path. */
    m->hash = (tt_nn_hash_cfg){.n_levels = 5, .n_features = 2, .log2_t = 6, .base_res = 4, .max_res = 24};
    m->dec = (tt_nn_decoder_cfg){.hidden = hidden, .depth = depth, .act = act, .omega0 = 30.0f};
}

static void synth_image(tt_image *img, uint32_t w, uint32_t h)
{
    tt_image_alloc(img, w, h);
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            uint8_t *p = img->rgba + ((size_t)y * w + x) * 4;
            p[0] = (uint8_t)(128 + 100 * sin(x * 0.4) * cos(y * 0.3));
            p[1] = (uint8_t)(x * 255 / (w - 1));
            p[2] = (uint8_t)((x * 7 + y * 13) % 256);
            p[3] = 255;
        }
}

/* Forward: GPU decode equals the C reference within 1/255 per channel (float rounding order differs); the
 * tensor-core decode is compared with the reference that rounds the same operands to fp16. */
static void test_forward(tt_vk *vk, tt_nn_act act)
{
    tt_nn_model m;
    small_model(&m, 37, 29, 16, 2, act);
    CHECK(tt_nn_model_build(&m) == TT_OK);
    float *p = malloc(sizeof(float) * m.total);
    tt_nn_init_params(&m, 5, p);
    tt_nn_rng r;
    tt_nn_rng_seed(&r, 9);
    for (uint32_t i = 0; i < m.enc_count; i++) p[i] = tt_nn_rng_uniform(&r, -0.5f, 0.5f);
    tt_image ref = {0}, gpu = {0};
    CHECK((tt_nn_decode_f16(vk, &m) ? tt_nn_decode_ref_f16 : tt_nn_decode_ref)(&m, p, &ref) == TT_OK);
    tt_status s = tt_nn_decode_gpu(vk, &m, p, 1, &gpu, NULL);
    CHECK_MSG(s == TT_OK, "%s", tt_last_error());
    if (s == TT_OK) {
        int maxd = 0;
        for (size_t i = 0; i < (size_t)m.width * m.height * 4; i++) {
            int d = abs((int)ref.rgba[i] - (int)gpu.rgba[i]);
            if (d > maxd) maxd = d;
        }
        CHECK_MSG(maxd <= 1, "act %s: max |gpu - ref| = %d", tt_nn_act_name(act), maxd);
    }
    tt_image_free(&ref);
    tt_image_free(&gpu);
    free(p);
}

/* Backward + Adam: after one step, adam_m = (1 - b1) g and adam_v = (1 - b2) g^2 on the GPU; g must match the
 * C reference over the same pixels (tt_nn_sample_pixel), and params must follow Adam from those moments. `compact`
 * is the tuning's: ON the compact tile (for SIREN and ReLU; what GPUs that fit two workgroups an SM run), OFF the
 * full one. */
static void test_backward_adam(tt_vk *vk, uint32_t depth, uint32_t hidden, int default_encoder, tt_nn_act act,
                               tt_nn_tune_mode compact)
{
    tt_nn_model m;
    small_model(&m, 23, 19, hidden, depth, act);
    if (default_encoder) {
        tt_nn_hash_cfg_default(&m.hash);
        m.hash.max_res = 64;
    }
    CHECK(tt_nn_model_build(&m) == TT_OK);
    tt_image img = {0};
    synth_image(&img, m.width, m.height);
    float *p = malloc(sizeof(float) * m.total), *gref = calloc(m.total, sizeof(float));
    tt_nn_init_params(&m, 1, p);
    tt_nn_rng r;
    tt_nn_rng_seed(&r, 2);
    for (uint32_t i = 0; i < m.enc_count; i++) p[i] = tt_nn_rng_uniform(&r, -0.5f, 0.5f);
    tt_nn_train_cfg c;
    tt_nn_train_cfg_default(&c);
    c.iters = 4;
    c.batch = 301; /* not a multiple of the tile: exercises the batch tail */
    c.seed = 0x123456789ull;
    double loss = tt_nn_step_gradient_ref(&m, p, &img, &c, 0, gref);
    loss /= 3.0 * c.batch;
    tt_nn_trainer *tr = NULL;
    c.tune.compact = compact;
    tt_status s = tt_nn_trainer_create(vk, &m, p, &img, &c, &tr);
    CHECK_MSG(s == TT_OK, "%s", tt_last_error());
    if (s != TT_OK) goto out;
    CHECK_MSG(tr->compact == (compact == TT_NN_TUNE_ON && (act == TT_NN_ACT_SIREN || act == TT_NN_ACT_RELU)),
              "%s %ux%u: compact tile %d", tt_nn_act_name(act), hidden, depth, tr->compact);
    CHECK(tt_nn_trainer_run(tr, 1, NULL) == TT_OK);
    float gl;
    CHECK(tt_nn_trainer_losses(tr, 0, 1, &gl) == TT_OK);
    CHECK_NEAR(gl, loss, 1e-4 * loss + 1e-7);
    uint32_t n = tt_nn_gpu_count(&m);
    float *gm = malloc(4 * n), *gv = malloc(4 * n), *gp = malloc(4 * n);
    CHECK(tt_vk_download(vk, &tr->adam_m, 0, gm, 4ull * n) == TT_OK);
    CHECK(tt_vk_download(vk, &tr->adam_v, 0, gv, 4ull * n) == TT_OK);
    CHECK(tt_vk_download(vk, &tr->params, 0, gp, 4ull * n) == TT_OK);
    float gmax = 0;
    for (uint32_t i = 0; i < m.total; i++) gmax = fmaxf(gmax, fabsf(gref[i]));
    CHECK(gmax > 0);
    int bad_g = 0, bad_p = 0;
    float lr[2] = {(float)tt_nn_lr_at(&c, 0, 0), (float)tt_nn_lr_at(&c, 1, 0)};
    for (uint32_t i = 0; i < m.total; i++) {
        uint32_t k = tt_nn_gpu_index(&m, i);
        float g = gm[k] / (1.0f - c.beta1);
        /* fp32 sums in a different order: relative 1e-4 of the largest gradient */
        if (fabsf(g - gref[i]) > 1e-4f * gmax + 1e-4f * fabsf(gref[i])) {
            if (bad_g < 5) fprintf(stderr, "grad %u: gpu %.9g ref %.9g\n", i, g, gref[i]);
            bad_g++;
        }
        float bc1 = (float)(1.0 - (double)c.beta1), bc2 = (float)(1.0 - (double)c.beta2);
        CHECK_NEAR(gv[k], (1.0f - c.beta2) * g * g, 1e-4 * (1.0f - c.beta2) * g * g + 1e-30);
        float want = p[i] - lr[i < m.dec_offset ? 0 : 1] * (gm[k] / bc1) / (sqrtf(gv[k] / bc2) + 1e-15f);
        if (fabsf(gp[k] - want) > 1e-6f * fmaxf(1.0f, fabsf(want))) {
            if (bad_p < 5) fprintf(stderr, "param %u: gpu %.9g want %.9g\n", i, gp[k], want);
            bad_p++;
        }
    }
    CHECK_MSG(bad_g == 0, "%s hidden %u depth %u, %s tile: %d of %u gradients differ from the C reference",
              tt_nn_act_name(act), hidden, depth, tr->compact ? "compact" : "full", bad_g, m.total);
    CHECK_MSG(bad_p == 0, "depth %u: %d of %u Adam updates differ", depth, bad_p, m.total);
    /* Grads were zeroed by the Adam kernel. */
    CHECK(tt_vk_download(vk, &tr->grads, 0, gm, 4ull * n) == TT_OK);
    float gz = 0;
    for (uint32_t i = 0; i < n; i++) gz = fmaxf(gz, fabsf(gm[i]));
    CHECK(gz == 0.0f);
    free(gm);
    free(gv);
    free(gp);
out:
    tt_nn_trainer_destroy(tr);
    tt_image_free(&img);
    free(p);
    free(gref);
}

/* Shared-memory bytes of the trainer the tuning gives (tile pinned to 16 samples, head in 1 part). */
static uint32_t trainer_smem(tt_vk *vk, const tt_nn_model *m, const float *p, const tt_image *img,
                             tt_nn_tune_mode compact, int *is_compact)
{
    tt_nn_train_cfg c;
    tt_nn_train_cfg_default(&c);
    c.iters = 1;
    c.batch = 1024;
    c.tune.tile = 16;
    c.tune.head_parts = 1;
    c.tune.compact = compact;
    tt_nn_trainer *tr = NULL;
    tt_status s = tt_nn_trainer_create(vk, m, p, img, &c, &tr);
    CHECK_MSG(s == TT_OK, "%s", tt_last_error());
    uint32_t bytes = s == TT_OK ? tr->train_smem : 0;
    if (is_compact) *is_compact = s == TT_OK && tr->compact;
    tt_nn_trainer_destroy(tr);
    return bytes;
}

/* The trainer takes the compact tile exactly where the full one does not let two workgroups share the shared
 * memory (maxComputeSharedMemorySize / 2 - 1 KB each) and the compact one does; never for an activation without a
 * compact form. */
static void test_tile_choice(tt_vk *vk, uint32_t log2_t, uint32_t hidden, uint32_t depth, tt_nn_act act)
{
    tt_nn_model m;
    small_model(&m, 23, 19, hidden, depth, act);
    tt_nn_hash_cfg_default(&m.hash);
    m.hash.log2_t = log2_t;
    CHECK(tt_nn_model_build(&m) == TT_OK);
    tt_image img = {0};
    synth_image(&img, m.width, m.height);
    float *p = malloc(sizeof(float) * m.total);
    tt_nn_init_params(&m, 1, p);
    uint32_t two = tt_vk_get_caps(vk)->max_shared_memory / 2 - 1024;
    int chosen = 0, forced = 0;
    uint32_t full = trainer_smem(vk, &m, p, &img, TT_NN_TUNE_OFF, NULL);
    uint32_t compact = trainer_smem(vk, &m, p, &img, TT_NN_TUNE_ON, &forced);
    uint32_t got = trainer_smem(vk, &m, p, &img, TT_NN_TUNE_AUTO, &chosen);
    int want = forced && full > two && compact <= two;
    printf("tile choice, %s %ux%u: full %u B, compact %u B (two fit in %u each): %s\n", tt_nn_act_name(act), hidden,
           depth, full, forced ? compact : 0, two, chosen ? "compact" : "full");
    CHECK_MSG(chosen == want, "%s %ux%u: %s tile chosen", tt_nn_act_name(act), hidden, depth, chosen ? "compact" : "full");
    CHECK(got == (chosen ? compact : full));
    tt_image_free(&img);
    free(p);
}

/* A 64x64 crop of the sample trains past 28 dB within 250 steps of 1024 pixels. */
static void test_training(tt_vk *vk)
{
    const char *dir = getenv("TT_SAMPLES");
    char path[1024];
    snprintf(path, sizeof path, "%s/sample.png", dir ? dir : "samples");
    tt_image full = {0}, img = {0}, out = {0};
    if (tt_image_load(path, NULL, &full) != TT_OK) {
        fprintf(stderr, "skip training test: %s\n", tt_last_error());
        return;
    }
    tt_image_alloc(&img, 64, 64);
    for (uint32_t y = 0; y < 64; y++) memcpy(img.rgba + y * 64 * 4, full.rgba + ((size_t)(y + 224) * full.width + 224) * 4, 64 * 4);
    tt_nn_model m;
    memset(&m, 0, sizeof m);
    m.kind = TT_NN_KIND_HASH;
    m.width = m.height = 64;
    tt_nn_hash_cfg_default(&m.hash);
    m.hash.max_res = 64;
    m.hash.n_levels = 8;
    tt_nn_decoder_cfg_default(&m.dec);
    m.dec.hidden = 32;
    CHECK(tt_nn_model_build(&m) == TT_OK);
    float *p = malloc(sizeof(float) * m.total);
    tt_nn_init_params(&m, 0, p);
    tt_nn_train_cfg c;
    tt_nn_train_cfg_default(&c);
    c.iters = 250;
    c.batch = 1024;
    tt_nn_trainer *tr = NULL;
    tt_status s = tt_nn_trainer_create(vk, &m, p, &img, &c, &tr);
    CHECK_MSG(s == TT_OK, "%s", tt_last_error());
    if (s == TT_OK) {
        CHECK(tt_nn_trainer_run(tr, 250, NULL) == TT_OK);
        CHECK(tt_nn_trainer_decode(tr, &out, NULL) == TT_OK);
        tt_metrics mt;
        CHECK(tt_compare_images(&img, &out, &mt) == TT_OK);
        float l[1];
        tt_nn_trainer_losses(tr, 249, 250, l);
        printf("64x64 crop, 250 steps of 1024: PSNR %.2f dB (last batch loss %.3g)\n", mt.psnr_rgb, l[0]);
        CHECK_MSG(mt.psnr_rgb > 28.0, "PSNR %.2f", mt.psnr_rgb);
        /* The decoded image equals the C reference decode of the trained params (within 1/255). */
        CHECK(tt_nn_trainer_get_params(tr, p) == TT_OK);
        tt_image ref = {0};
        CHECK((tt_nn_decode_f16(vk, &m) ? tt_nn_decode_ref_f16 : tt_nn_decode_ref)(&m, p, &ref) == TT_OK);
        int maxd = 0;
        for (size_t i = 0; i < 64 * 64 * 4; i++) maxd = abs(ref.rgba[i] - out.rgba[i]) > maxd ? abs(ref.rgba[i] - out.rgba[i]) : maxd;
        CHECK_MSG(maxd <= 1, "trained decode differs from the reference by %d", maxd);
        tt_image_free(&ref);
    }
    tt_nn_trainer_destroy(tr);
    tt_image_free(&full);
    tt_image_free(&img);
    tt_image_free(&out);
    free(p);
}

int main(void)
{
    tt_vk *vk = NULL;
    tt_status s = tt_vk_create(-1, &vk);
    if (s != TT_OK) {
        fprintf(stderr, "no Vulkan device: %s\n", tt_last_error());
        return 77;
    }
    printf("device: %s (float atomics %d)\n", tt_vk_info(vk)->name, tt_vk_get_caps(vk)->float_atomic_add);
    double t0 = now_s();
    test_forward(vk, TT_NN_ACT_SIREN);
    test_forward(vk, TT_NN_ACT_GELU);
    test_forward(vk, TT_NN_ACT_SILU);
    test_forward(vk, TT_NN_ACT_RELU);
    test_backward_adam(vk, 1, 8, 0, TT_NN_ACT_SIREN, TT_NN_TUNE_ON);   /* compact, one layer: dfeat rows past the layer's */
    test_backward_adam(vk, 2, 8, 0, TT_NN_ACT_SIREN, TT_NN_TUNE_OFF);
    test_backward_adam(vk, 2, 8, 0, TT_NN_ACT_SIREN, TT_NN_TUNE_ON);
    test_backward_adam(vk, 2, 8, 0, TT_NN_ACT_RELU, TT_NN_TUNE_ON);
    test_backward_adam(vk, 2, 8, 0, TT_NN_ACT_GELU, TT_NN_TUNE_ON);    /* no compact form: the full tile */
    test_backward_adam(vk, 2, 64, 1, TT_NN_ACT_SIREN, TT_NN_TUNE_OFF);  /* the default decoder: several tiles per thread */
    test_backward_adam(vk, 2, 64, 1, TT_NN_ACT_SIREN, TT_NN_TUNE_ON);
    test_tile_choice(vk, 12, 64, 2, TT_NN_ACT_SIREN);   /* the default model */
    test_tile_choice(vk, 10, 32, 1, TT_NN_ACT_SIREN);   /* the tiny one */
    test_tile_choice(vk, 12, 64, 2, TT_NN_ACT_RELU);
    test_tile_choice(vk, 12, 64, 2, TT_NN_ACT_GELU);
    double t1 = now_s();
    test_training(vk);
    printf("reference checks %.1f s, training %.1f s\n", t1 - t0, now_s() - t1);
    tt_vk_destroy(vk);
    TT_TEST_END();
}
