/* test_nn_model.c - hash/SIREN model: the parameter counts of docs/algorithms.md (Hash-grid model), level table, hash index, gradients vs finite differences, Adam, fp16, CRC32. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "neural/tt_neural.h"
#include "tt_test.h"

static void hash_model(tt_nn_model *m, uint32_t log2_t, uint32_t hidden, uint32_t depth)
{
    memset(m, 0, sizeof *m);
    m->kind = TT_NN_KIND_HASH;
    m->width = m->height = 512;
    tt_nn_hash_cfg_default(&m->hash);
    tt_nn_decoder_cfg_default(&m->dec);
    m->hash.log2_t = log2_t;
    m->dec.hidden = hidden;
    m->dec.depth = depth;
}

static void test_counts(void)
{
    tt_nn_model m;
    /* docs/algorithms.md, Hash-grid model: default, tiny, large. */
    hash_model(&m, 12, 64, 2);
    CHECK(tt_nn_model_build(&m) == TT_OK);
    CHECK_EQ_INT(m.total, 101399);
    CHECK_EQ_INT(m.enc_features, 32);
    static const uint32_t res[16] = {16, 20, 25, 32, 40, 51, 64, 81, 102, 128, 161, 203, 256, 323, 406, 512};
    for (int l = 0; l < 16; l++) {
        CHECK_EQ_INT(m.level_res[l], res[l]);
        uint64_t d = (uint64_t)res[l] * res[l];
        CHECK_EQ_INT(m.level_size[l], d < 4096 ? d : 4096);
    }
    hash_model(&m, 10, 32, 1);
    CHECK(tt_nn_model_build(&m) == TT_OK);
    CHECK_EQ_INT(m.total, 30341);
    hash_model(&m, 14, 128, 3);
    CHECK(tt_nn_model_build(&m) == TT_OK);
    CHECK_EQ_INT(m.total, 322145);
    hash_model(&m, 12, 63, 2);
    CHECK(tt_nn_model_build(&m) == TT_ERR_INVALID_ARG);
}

/* The hashed index of one corner, from the formula of docs/algorithms.md (Hash-grid model) written out independently. */
static void test_hash_index(void)
{
    tt_nn_model m;
    hash_model(&m, 12, 64, 2);
    CHECK(tt_nn_model_build(&m) == TT_OK);
    float *p = calloc(m.total, sizeof(float));
    /* Level 15 (res 512, hashed): x01 = y01 = 100/511 hits corner (100,100) exactly. */
    uint32_t ix = 100, iy = 100;
    uint32_t e = (uint32_t)(((uint64_t)ix * 2654435761ull ^ (uint64_t)iy * 805459861ull) % 4096ull);
    p[m.level_offset[15] + e * 2 + 0] = 0.25f;
    p[m.level_offset[15] + e * 2 + 1] = -0.5f;
    /* Level 0 (res 16, dense): corner (3,5) at x01 = 3/15, y01 = 5/15 -> index 3*16+5. */
    float feat[32];
    m.enc->forward(&m, p, 100.0f / 511.0f, 100.0f / 511.0f, feat);
    CHECK_NEAR(feat[30], 0.25, 1e-4);
    CHECK_NEAR(feat[31], -0.5, 1e-4);
    memset(p, 0, sizeof(float) * m.total);
    p[m.level_offset[0] + (3 * 16 + 5) * 2] = 1.0f;
    m.enc->forward(&m, p, 3.0f / 15.0f, 5.0f / 15.0f, feat);
    CHECK_NEAR(feat[0], 1.0, 1e-5);
    /* Halfway between x corners 3 and 4: bilinear weight 1/2. */
    m.enc->forward(&m, p, 3.5f / 15.0f, 5.0f / 15.0f, feat);
    CHECK_NEAR(feat[0], 0.5, 1e-5);
    free(p);
}

static void test_init(void)
{
    tt_nn_model m;
    hash_model(&m, 12, 64, 2);
    CHECK(tt_nn_model_build(&m) == TT_OK);
    float *p = malloc(sizeof(float) * m.total);
    tt_nn_init_params(&m, 7, p);
    float amax = 0;
    for (uint32_t i = 0; i < m.enc_count; i++) amax = fmaxf(amax, fabsf(p[i]));
    CHECK(amax <= 1e-3f && amax > 0.9e-3f);
    uint32_t w0 = tt_nn_layer_w_offset(&m, 0), w1 = tt_nn_layer_w_offset(&m, 1), wh = tt_nn_layer_w_offset(&m, 2);
    float a0 = 0, a1 = 0, ah = 0;
    for (uint32_t i = 0; i < 64 * 32; i++) a0 = fmaxf(a0, fabsf(p[w0 + i]));
    for (uint32_t i = 0; i < 64 * 64; i++) a1 = fmaxf(a1, fabsf(p[w1 + i]));
    for (uint32_t i = 0; i < 3 * 64 + 3; i++) ah = fmaxf(ah, fabsf(p[wh + i]));
    CHECK(a0 <= 1.0f / 32 && a0 > 0.9f / 32);
    CHECK(a1 <= sqrtf(6.0f / 64) / 30 && a1 > 0.9f * sqrtf(6.0f / 64) / 30);
    CHECK(ah <= 0.125f && ah > 0.1f);
    CHECK(p[tt_nn_layer_b_offset(&m, 0)] == 0.0f && p[tt_nn_layer_b_offset(&m, 1) + 63] == 0.0f);
    free(p);
}

/* Loss of the batch {samples} for the finite-difference check. */
static double batch_loss(const tt_nn_model *m, const float *p, const float (*xy)[2], const float (*tg)[3], int n)
{
    double l = 0;
    for (int i = 0; i < n; i++) {
        float rgb[3];
        tt_nn_forward_ref(m, p, xy[i][0], xy[i][1], rgb);
        for (int c = 0; c < 3; c++) l += ((double)rgb[c] - tg[i][c]) * ((double)rgb[c] - tg[i][c]);
    }
    return l / (3.0 * n);
}

static void test_gradients(tt_nn_act act)
{
    tt_nn_model m;
    memset(&m, 0, sizeof m);
    m.kind = TT_NN_KIND_HASH;
    m.width = m.height = 16;
    m.hash = (tt_nn_hash_cfg){.n_levels = 3, .n_features = 2, .log2_t = 4, .base_res = 2, .max_res = 8};
    m.dec = (tt_nn_decoder_cfg){.hidden = 8, .depth = 2, .act = act, .omega0 = act == TT_NN_ACT_SIREN ? 3.0f : 1.0f};
    CHECK(tt_nn_model_build(&m) == TT_OK);
    float *p = malloc(sizeof(float) * m.total), *g = calloc(m.total, sizeof(float));
    tt_nn_init_params(&m, 3, p);
    tt_nn_rng r;
    tt_nn_rng_seed(&r, 11);
    for (uint32_t i = 0; i < m.enc_count; i++) p[i] = tt_nn_rng_uniform(&r, -1, 1); /* make encoder gradients visible */
    enum { N = 6 };
    float xy[N][2], tg[N][3];
    for (int i = 0; i < N; i++) {
        xy[i][0] = tt_nn_rng_uniform(&r, 0, 1);
        xy[i][1] = tt_nn_rng_uniform(&r, 0, 1);
        for (int c = 0; c < 3; c++) tg[i][c] = tt_nn_rng_uniform(&r, 0, 1);
    }
    for (int i = 0; i < N; i++) tt_nn_backward_ref(&m, p, xy[i][0], xy[i][1], tg[i], 1.0f / (3.0f * N), g);
    int bad = 0, checked = 0;
    for (uint32_t i = 0; i < m.total; i++) {
        float save = p[i], h = 1e-2f * fmaxf(1.0f, fabsf(save)) / (act == TT_NN_ACT_SIREN ? 3.0f : 1.0f);
        p[i] = save + h;
        double lp = batch_loss(&m, p, xy, tg, N);
        p[i] = save - h;
        double lm = batch_loss(&m, p, xy, tg, N);
        p[i] = save;
        double fd = (lp - lm) / (2.0 * h);
        double tol = 2e-3 * fabs(fd) + 2e-5;
        if (act == TT_NN_ACT_RELU) tol += 1e-3; /* kinks */
        checked++;
        if (fabs(fd - g[i]) > tol) {
            if (bad < 5) fprintf(stderr, "act %s param %u: analytic %.8g, finite difference %.8g\n", tt_nn_act_name(act), i, g[i], fd);
            bad++;
        }
    }
    CHECK_MSG(bad == 0, "%d of %d gradients differ (%s)", bad, checked, tt_nn_act_name(act));
    free(p);
    free(g);
}

static void test_adam(void)
{
    tt_nn_model m;
    hash_model(&m, 10, 32, 1);
    CHECK(tt_nn_model_build(&m) == TT_OK);
    tt_nn_train_cfg c;
    tt_nn_train_cfg_default(&c);
    c.iters = 10;
    float *p = calloc(m.total, 4), *g = calloc(m.total, 4), *am = calloc(m.total, 4), *av = calloc(m.total, 4);
    p[0] = 0.5f;
    g[0] = 0.2f;
    p[m.dec_offset] = 0.5f;
    g[m.dec_offset] = -0.1f;
    am[m.dec_offset] = 0.05f;
    av[m.dec_offset] = 0.001f;
    tt_nn_adam_ref(&m, &c, 3, p, g, am, av); /* 4th step: t = 4, lr factor (1+cos(pi*3/10))/2 */
    double f = (1 + cos(M_PI * 0.3)) / 2;
    /* param 0 (hash group): m = 0.02, v = 4e-5 */
    double mh = 0.1 * 0.2 / (1 - pow(0.9, 4)), vh = 0.001 * 0.04 / (1 - pow(0.999, 4));
    CHECK_NEAR(p[0], 0.5 - 3e-2 * f * mh / (sqrt(vh) + 1e-15), 1e-6);
    double m2 = 0.9 * 0.05 + 0.1 * -0.1, v2 = 0.999 * 0.001 + 0.001 * 0.01;
    CHECK_NEAR(am[m.dec_offset], m2, 1e-7);
    CHECK_NEAR(av[m.dec_offset], v2, 1e-8);
    CHECK_NEAR(p[m.dec_offset], 0.5 - 1e-3 * f * (m2 / (1 - pow(0.9, 4))) / (sqrt(v2 / (1 - pow(0.999, 4))) + 1e-15), 1e-6);
    CHECK(p[5] == 0.0f); /* zero gradient, zero moments: unchanged */
    CHECK_NEAR(tt_nn_lr_at(&c, 0, 0), 3e-2, 1e-9);
    CHECK_NEAR(tt_nn_lr_at(&c, 1, 5), 0.5e-3, 1e-9);
    free(p); free(g); free(am); free(av);
}

static void test_half_crc(void)
{
    CHECK_EQ_INT(tt_f32_to_f16(1.0f), 0x3C00);
    CHECK_EQ_INT(tt_f32_to_f16(-2.0f), 0xC000);
    CHECK_EQ_INT(tt_f32_to_f16(65504.0f), 0x7BFF);
    CHECK_EQ_INT(tt_f32_to_f16(1e6f), 0x7C00);
    CHECK_EQ_INT(tt_f32_to_f16(5.9604645e-8f), 0x0001);
    CHECK_EQ_INT(tt_f32_to_f16(1.0f + 1.0f / 2048), 0x3C00);       /* tie -> even */
    CHECK_EQ_INT(tt_f32_to_f16(1.0f + 3.0f / 2048), 0x3C02);       /* tie -> even (up) */
    CHECK(tt_f16_to_f32(0x3555) > 0.3332f && tt_f16_to_f32(0x3555) < 0.3334f);
    CHECK(tt_f16_to_f32(0x0001) == 5.9604645e-8f);
    for (uint32_t h = 0; h < 0x7C00; h++) CHECK_EQ_INT(tt_f32_to_f16(tt_f16_to_f32((uint16_t)h)), h);
    CHECK_EQ_INT(tt_crc32(0, "123456789", 9), 0xCBF43926u);
    CHECK_EQ_INT(tt_crc32(tt_crc32(0, "1234", 4), "56789", 5), 0xCBF43926u);
    CHECK_EQ_INT(tt_crc32(0, "", 0), 0);
}

int main(void)
{
    test_counts();
    test_hash_index();
    test_init();
    test_gradients(TT_NN_ACT_SIREN);
    test_gradients(TT_NN_ACT_GELU);
    test_gradients(TT_NN_ACT_SILU);
    test_gradients(TT_NN_ACT_RELU);
    test_adam();
    test_half_crc();
    TT_TEST_END();
}
