/* test_latent.c - C reference of the latent grid: layout, bilinear sampling and its gradient, QAT, and the raw/png/jpeg latent section. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tt_test.h"
#include "neural/latent.h"

static uint32_t rng_state = 12345u;
static float frand(void) /* [-1, 1) */
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (float)(rng_state >> 8) / 8388608.0f - 1.0f;
}

static void test_layout(void)
{
    tt_latent_layout l;
    /* The reference configuration of docs/algorithms.md, Latent model, on 512x512: 16x64x64 + 2x128x128. */
    CHECK(tt_latent_layout_init(&l, 512, 512, 16, 8, 2, 4) == TT_OK);
    CHECK_EQ_INT(l.n_grids, 2);
    CHECK_EQ_INT(l.w[0], 64); CHECK_EQ_INT(l.h[0], 64);
    CHECK_EQ_INT(l.w[1], 128); CHECK_EQ_INT(l.h[1], 128);
    CHECK_EQ_INT(l.total, 16 * 64 * 64 + 2 * 128 * 128);
    CHECK_EQ_INT(l.total + 5571, 103875);
    CHECK_EQ_INT(l.features, 18);
    CHECK_EQ_INT(l.offset[1], 16 * 64 * 64);
    /* single-scale float configuration: no hi grid */
    CHECK(tt_latent_layout_init(&l, 512, 512, 32, 8, 0, 4) == TT_OK);
    CHECK_EQ_INT(l.n_grids, 1);
    CHECK_EQ_INT(l.total, 32 * 64 * 64);
    /* integer division, at least 1 */
    CHECK(tt_latent_layout_init(&l, 7, 3, 4, 8, 1, 2) == TT_OK);
    CHECK_EQ_INT(l.w[0], 1); CHECK_EQ_INT(l.h[0], 1);
    CHECK_EQ_INT(l.w[1], 3); CHECK_EQ_INT(l.h[1], 1);
    CHECK(tt_latent_layout_init(&l, 64, 64, 0, 8, 2, 4) != TT_OK);
    CHECK(tt_latent_layout_init(&l, 64, 64, 4, 0, 2, 4) != TT_OK);
    /* pyramid of 3 hi grids from scale 4 on a 100x60 image: 25x15, 50x30, 100x60, features in grid order */
    CHECK(tt_latent_layout_init_pyramid(&l, 100, 60, 5, 8, 2, 4, 3) == TT_OK);
    CHECK_EQ_INT(l.n_grids, 4);
    CHECK_EQ_INT(l.w[2], 50); CHECK_EQ_INT(l.h[2], 30); CHECK_EQ_INT(l.w[3], 100); CHECK_EQ_INT(l.h[3], 60);
    CHECK_EQ_INT(l.scale[3], 1);
    CHECK_EQ_INT(l.features, 5 + 3 * 2);
    CHECK_EQ_INT(tt_latent_feature_index(&l, 3, 1), 10);
    CHECK_EQ_INT(l.offset[3], 5 * 12 * 7 + 2 * (25 * 15 + 50 * 30));
    CHECK_EQ_INT(l.total, 5 * 12 * 7 + 2 * (25 * 15 + 50 * 30 + 100 * 60));
    CHECK(tt_latent_layout_init_pyramid(&l, 64, 64, 4, 8, 2, 4, 4) != TT_OK);   /* scale 4 / 8 */
    CHECK(tt_latent_layout_init_pyramid(&l, 64, 64, 4, 8, 2, 16, 5) != TT_OK);  /* more than 4 levels */
    CHECK(tt_latent_layout_init_pyramid(&l, 64, 64, 4, 8, 0, 4, 2) != TT_OK);   /* a pyramid of no hi channels */
    CHECK(tt_latent_layout_init_pyramid(&l, 64, 64, 64, 8, 32, 4, 3) != TT_OK); /* 160 features */
    /* the automatic SIREN frequency of the library and the CLI (docs/rd.md): 20 with a rate term, else 30 */
    CHECK(tt_latent_omega0(0, 0) == 30.0f && tt_latent_omega0(0, 0.001f) == 20.0f && tt_latent_omega0(25, 0.001f) == 25.0f);
}

/* A grid whose channels are affine in the cell coordinates: bilinear
 * interpolation reproduces an affine function exactly, so the expected
 * feature is a + b*gx + d*gy with gx = (x+1)/2*(W-1), clamped (docs/algorithms.md, Latent model). */
static void test_sample_forward(void)
{
    tt_latent_layout l;
    tt_latent_layout_init(&l, 40, 24, 3, 8, 2, 4); /* lo 5x3, hi 10x6 */
    float *g = malloc(l.total * sizeof(float));
    float a[5] = {0.1f, -0.3f, 0.7f, 0.2f, -0.9f}, b[5] = {0.5f, 1.5f, -0.25f, 0.05f, 0.3f}, d[5] = {-0.2f, 0.4f, 1.0f, -0.6f, 0.15f};
    for (uint32_t gi = 0; gi < l.n_grids; gi++)
        for (uint32_t y = 0; y < l.h[gi]; y++)
            for (uint32_t x = 0; x < l.w[gi]; x++)
                for (uint32_t c = 0; c < l.ch[gi]; c++) {
                    uint32_t f = tt_latent_feature_index(&l, gi, c);
                    g[l.offset[gi] + (y * l.w[gi] + x) * l.ch[gi] + c] = a[f] + b[f] * x + d[f] * y;
                }
    /* x, y in [-1,1] (docs/algorithms.md, Latent model); the API takes x01 = (x+1)/2 */
    float pts[][2] = {{-1, -1}, {1, 1}, {0, 0}, {0.37f, -0.81f}, {-0.999f, 0.5f}, {1.5f, -2.0f}, {0.9999f, 0.25f}};
    for (size_t p = 0; p < sizeof(pts) / sizeof(pts[0]); p++) {
        float feat[5];
        tt_latent_sample(&l, g, (pts[p][0] + 1) * 0.5f, (pts[p][1] + 1) * 0.5f, feat);
        for (uint32_t gi = 0; gi < l.n_grids; gi++) {
            double gx = (fmin(fmax(pts[p][0], -1.0), 1.0) + 1) * 0.5 * (l.w[gi] - 1);
            double gy = (fmin(fmax(pts[p][1], -1.0), 1.0) + 1) * 0.5 * (l.h[gi] - 1);
            for (uint32_t c = 0; c < l.ch[gi]; c++) {
                uint32_t f = tt_latent_feature_index(&l, gi, c);
                CHECK_NEAR(feat[f], a[f] + b[f] * gx + d[f] * gy, 1e-5);
            }
        }
    }
    /* at a cell centre the value is the cell's own */
    float feat[5];
    tt_latent_sample(&l, g, 2.0f / 4, 1.0f / 2, feat); /* lo cell (2,1) of 5x3 */
    CHECK_NEAR(feat[0], g[(1 * 5 + 2) * 3 + 0], 1e-6);
    free(g);
}

/* Bicubic (Catmull-Rom) sampling, checked against what the kernel must do, not against its code: it passes through
 * the grid values at the grid points (everywhere, borders included), and away from the borders (where no point is
 * clamped) it reproduces a quadratic exactly (Keys' cubic convolution has third-order accuracy). */
static void test_sample_bicubic(void)
{
    tt_latent_layout l;
    tt_latent_layout_init(&l, 80, 48, 2, 8, 1, 4); /* lo 10x6, hi 20x12 */
    l.upsample = TT_LATENT_UPSAMPLE_BICUBIC;
    float *g = malloc(l.total * sizeof(float));
    float a[3] = {0.1f, -0.3f, 0.7f}, b[3] = {0.05f, 0.15f, -0.025f}, d[3] = {-0.02f, 0.04f, 0.1f};
    float e[3] = {0.003f, -0.002f, 0.001f}, q[3] = {-0.004f, 0.002f, 0.0015f}, xy[3] = {0.001f, 0.003f, -0.002f};
    for (uint32_t gi = 0; gi < l.n_grids; gi++)
        for (uint32_t y = 0; y < l.h[gi]; y++)
            for (uint32_t x = 0; x < l.w[gi]; x++)
                for (uint32_t c = 0; c < l.ch[gi]; c++) {
                    uint32_t f = tt_latent_feature_index(&l, gi, c);
                    g[l.offset[gi] + (y * l.w[gi] + x) * l.ch[gi] + c] =
                        a[f] + b[f] * x + d[f] * y + e[f] * x * x + q[f] * y * y + xy[f] * x * y;
                }
    /* at every grid point of the lo grid, the grid value */
    for (uint32_t y = 0; y < l.h[0]; y++)
        for (uint32_t x = 0; x < l.w[0]; x++) {
            float feat[3];
            tt_latent_sample(&l, g, (float)x / (l.w[0] - 1), (float)y / (l.h[0] - 1), feat);
            for (uint32_t c = 0; c < 2; c++) CHECK_NEAR(feat[c], g[(y * l.w[0] + x) * 2 + c], 1e-5);
        }
    /* inside, the quadratic; the points are in the inner cells of both grids */
    float pts[][2] = {{0.2f, 0.3f}, {0.5f, 0.5f}, {0.37f, 0.61f}, {0.77f, 0.25f}, {0.13f, 0.79f}};
    for (size_t p = 0; p < sizeof(pts) / sizeof(pts[0]); p++) {
        float feat[3];
        tt_latent_sample(&l, g, pts[p][0], pts[p][1], feat);
        for (uint32_t gi = 0; gi < l.n_grids; gi++) {
            double gx = pts[p][0] * (l.w[gi] - 1.0), gy = pts[p][1] * (l.h[gi] - 1.0);
            CHECK(gx >= 1 && gx < l.w[gi] - 2 && gy >= 1 && gy < l.h[gi] - 2);
            for (uint32_t c = 0; c < l.ch[gi]; c++) {
                uint32_t f = tt_latent_feature_index(&l, gi, c);
                CHECK_NEAR(feat[f], a[f] + b[f] * gx + d[f] * gy + e[f] * gx * gx + q[f] * gy * gy + xy[f] * gx * gy,
                           2e-5);
            }
        }
    }
    /* grids of one and two points a side (every index clamps): a constant grid samples to its constant, and the
     * backward's weights still sum to 1 */
    {
        tt_latent_layout t;
        tt_latent_layout_init(&t, 12, 5, 1, 8, 1, 4); /* lo 1x1, hi 3x1 */
        t.upsample = TT_LATENT_UPSAMPLE_BICUBIC;
        float cg[4] = {0.625f, 0.25f, 0.25f, 0.25f}, cf[2], d1[2] = {1.0f, -2.0f}, dg[4] = {0, 0, 0, 0};
        float at[][2] = {{0, 0}, {1, 1}, {0.3f, 0.9f}, {0.77f, 0.5f}};
        for (int k = 0; k < 4; k++) {
            tt_latent_sample(&t, cg, at[k][0], at[k][1], cf);
            CHECK_NEAR(cf[0], 0.625f, 1e-6);
            CHECK_NEAR(cf[1], 0.25f, 1e-6);
            memset(dg, 0, sizeof dg);
            tt_latent_sample_backward(&t, at[k][0], at[k][1], d1, dg);
            CHECK_NEAR(dg[0], 1.0f, 1e-6);
            CHECK_NEAR(dg[1] + dg[2] + dg[3], -2.0f, 1e-6);
        }
    }
    /* bilinear does not reproduce the quadratic: the test can tell the two apart */
    l.upsample = TT_LATENT_UPSAMPLE_BILINEAR;
    float feat[3];
    tt_latent_sample(&l, g, 0.37f, 0.61f, feat);
    double gx = 0.37 * (l.w[0] - 1.0), gy = 0.61 * (l.h[0] - 1.0);
    CHECK(fabs(feat[0] - (a[0] + b[0] * gx + d[0] * gy + e[0] * gx * gx + q[0] * gy * gy + xy[0] * gx * gy)) > 1e-4);
    free(g);
}

/* Backward: the gradient of L = sum_k r_k feat_k. L is linear in the grid, so
 * a central difference is exact up to rounding; checked on every entry, bilinear and bicubic. */
static void test_sample_backward(uint32_t upsample)
{
    tt_latent_layout l;
    tt_latent_layout_init(&l, 24, 16, 3, 8, 2, 4); /* lo 3x2, hi 6x4 */
    l.upsample = upsample;
    float *g = malloc(l.total * sizeof(float)), *dg = calloc(l.total, sizeof(float));
    for (uint32_t i = 0; i < l.total; i++) g[i] = frand();
    float pts[][2] = {{0.3f, 0.4f}, {1.0f, 1.0f}, {0.0f, 0.2f}, {0.95f, 0.001f}}; /* x01, y01 */
    for (size_t p = 0; p < 4; p++) {
        float r[5], feat[5];
        for (int k = 0; k < 5; k++) r[k] = frand();
        memset(dg, 0, l.total * sizeof(float));
        tt_latent_sample_backward(&l, pts[p][0], pts[p][1], r, dg);
        double wsum[2] = {0, 0};
        for (uint32_t i = 0; i < l.total; i++) {
            float keep = g[i];
            double h = 1e-2;
            g[i] = keep + (float)h;
            tt_latent_sample(&l, g, pts[p][0], pts[p][1], feat);
            double lp = 0; for (int k = 0; k < 5; k++) lp += r[k] * feat[k];
            g[i] = keep - (float)h;
            tt_latent_sample(&l, g, pts[p][0], pts[p][1], feat);
            double lm = 0; for (int k = 0; k < 5; k++) lm += r[k] * feat[k];
            g[i] = keep;
            CHECK_NEAR(dg[i], (lp - lm) / (2 * h), 2e-4);
        }
        /* per channel, the corner weights sum to 1: sum of grads = r_k */
        for (uint32_t gi = 0; gi < l.n_grids; gi++)
            for (uint32_t c = 0; c < l.ch[gi]; c++) {
                double s = 0;
                for (uint32_t i = 0; i < l.w[gi] * l.h[gi]; i++) s += dg[l.offset[gi] + i * l.ch[gi] + c];
                CHECK_NEAR(s, r[tt_latent_feature_index(&l, gi, c)], 1e-5);
                wsum[gi] += s;
            }
    }
    free(g); free(dg);
}

/* QAT forward vs an independent per-channel quantiser written here. */
static void test_qat(void)
{
    tt_latent_layout l;
    tt_latent_layout_init(&l, 64, 48, 4, 8, 2, 4);
    float *g = malloc(l.total * sizeof(float)), *q = malloc(l.total * sizeof(float));
    for (uint32_t i = 0; i < l.total; i++) g[i] = 0.03f * frand() + 0.001f * (float)(i % 7);
    /* make one channel constant: must not divide by zero */
    for (uint32_t i = 0; i < l.w[1] * l.h[1]; i++) g[l.offset[1] + i * 2 + 1] = 0.25f;
    for (int bits = 2; bits <= 8; bits += 3) {
        float mn[8], mx[8];
        tt_latent_quantize(&l, g, bits, q, mn, mx);
        int levels = (1 << bits) - 1;
        for (uint32_t gi = 0; gi < l.n_grids; gi++) {
            uint32_t C = l.ch[gi], cells = l.w[gi] * l.h[gi];
            for (uint32_t c = 0; c < C; c++) {
                double lo = 1e30, hi = -1e30;
                for (uint32_t i = 0; i < cells; i++) {
                    double v = g[l.offset[gi] + i * C + c];
                    lo = v < lo ? v : lo; hi = v > hi ? v : hi;
                }
                uint32_t f = tt_latent_feature_index(&l, gi, c);
                CHECK_NEAR(mn[f], lo, 0); CHECK_NEAR(mx[f], hi, 0);
                double range = hi - lo > 1e-8 ? hi - lo : 1e-8;
                int distinct_ok = 1;
                for (uint32_t i = 0; i < cells; i++) {
                    double v = g[l.offset[gi] + i * C + c];
                    double k = floor((v - lo) / range * levels + 0.5);
                    double expect = k / levels * range + lo;
                    double got = q[l.offset[gi] + i * C + c];
                    if (fabs(got - expect) > 1e-6 * (fabs(lo) + range)) distinct_ok = 0;
                    /* the value sits on one of the levels */
                    double kk = (got - lo) / range * levels;
                    if (fabs(kk - floor(kk + 0.5)) > 1e-3) distinct_ok = 0;
                }
                CHECK_MSG(distinct_ok, "bits %d grid %u channel %u", bits, gi, c);
            }
        }
    }
    free(g); free(q);
}

static void test_store_roundtrip(void)
{
    tt_latent_layout l;
    tt_latent_layout_init(&l, 100, 76, 5, 8, 2, 4); /* lo 12x9 (not multiples of 8), hi 25x19 */
    float *g = malloc(l.total * sizeof(float)), *q = malloc(l.total * sizeof(float)), *back = malloc(l.total * sizeof(float));
    /* smooth-ish content so JPEG has something realistic to code */
    for (uint32_t gi = 0; gi < l.n_grids; gi++)
        for (uint32_t y = 0; y < l.h[gi]; y++)
            for (uint32_t x = 0; x < l.w[gi]; x++)
                for (uint32_t c = 0; c < l.ch[gi]; c++)
                    g[l.offset[gi] + (y * l.w[gi] + x) * l.ch[gi] + c] =
                        0.1f * sinf(0.3f * x + c) * cosf(0.2f * y - c) + 0.005f * frand();
    tt_latent_quantize(&l, g, 8, q, NULL, NULL);
    float mn[8], mx[8];
    tt_latent_channel_minmax(&l, q, mn, mx);

    tt_latent_store_opts o;
    tt_latent_store_opts_init(&o);
    const tt_latent_codec codecs[] = {TT_LATENT_CODEC_RAW, TT_LATENT_CODEC_PNG, TT_LATENT_CODEC_JPEG, TT_LATENT_CODEC_JPEG, TT_LATENT_CODEC_PNG};
    const tt_latent_pack packs[] = {TT_LATENT_PACK_TILES, TT_LATENT_PACK_TILES, TT_LATENT_PACK_TILES, TT_LATENT_PACK_RGB, TT_LATENT_PACK_RGB};
    for (int t = 0; t < 5; t++) {
        o.codec = codecs[t];
        o.pack = packs[t];
        uint8_t *sec = NULL;
        size_t n = 0;
        CHECK(tt_latent_store(&l, q, 8, &o, &sec, &n) == TT_OK);
        tt_latent_section_info info;
        CHECK(tt_latent_section_describe(sec, n, "t", &info) == TT_OK);
        CHECK_EQ_INT(info.codec, o.codec);
        CHECK_EQ_INT(info.bits, 8);
        CHECK(tt_latent_load(&l, sec, n, "t", back) == TT_OK);
        double max_err_levels = 0;
        for (uint32_t i = 0; i < l.total; i++) {
            /* error in units of the channel's quantisation step */
            uint32_t gi = i >= l.offset[1] ? 1 : 0;
            uint32_t c = (i - l.offset[gi]) % l.ch[gi];
            uint32_t f = tt_latent_feature_index(&l, gi, c);
            double step = (mx[f] - mn[f]) / 255.0;
            double e = fabs(back[i] - q[i]) / step;
            if (e > max_err_levels) max_err_levels = e;
        }
        if (o.codec == TT_LATENT_CODEC_JPEG) {
            /* Q85 on 8-bit codes: grey tiles keep every value within a few
             * percent of the range; RGB triples lose more (stb subsamples chroma). */
            double bound = o.pack == TT_LATENT_PACK_TILES ? 24 : 80;
            if (getenv("TT_TEST_VERBOSE"))
                printf("jpeg %s: max error %.1f levels, %zu bytes\n", tt_latent_pack_name(o.pack), max_err_levels, n);
            CHECK_MSG(max_err_levels < bound, "jpeg %s max error %.1f levels", tt_latent_pack_name(o.pack), max_err_levels);
        } else {
            /* lossless: the de-quantised values are bit-identical */
            CHECK_MSG(memcmp(back, q, l.total * sizeof(float)) == 0, "%s not bit-exact (max %.3g levels)",
                      tt_latent_codec_name(o.codec), max_err_levels);
        }
        /* corruption is refused, never read out of bounds */
        CHECK(tt_latent_load(&l, sec, n - 1, "t", back) == TT_ERR_FORMAT);
        CHECK(tt_latent_load(&l, sec, 5, "t", back) == TT_ERR_FORMAT);
        sec[0] = 9;
        CHECK(tt_latent_load(&l, sec, n, "t", back) == TT_ERR_UNSUPPORTED);
        sec[0] = 1;
        sec[1] = 7;
        CHECK(tt_latent_load(&l, sec, n, "t", back) == TT_ERR_FORMAT);
        sec[1] = (uint8_t)o.codec;
        if (o.codec != TT_LATENT_CODEC_RAW) {
            /* damage the image bytes: either refused or decoded, never a crash */
            size_t img_at = n - info.image_bytes;
            for (size_t k = img_at + 20; k < n; k += 7) sec[k] ^= 0x5A;
            tt_status s = tt_latent_load(&l, sec, n, "t", back);
            CHECK(s == TT_OK || s == TT_ERR_FORMAT);
        }
        free(sec);
    }
    /* lower QAT bits: codes snap back to the same levels */
    tt_latent_quantize(&l, g, 5, q, NULL, NULL);
    for (int t = 0; t < 2; t++) {
        o.codec = codecs[t];
        o.pack = TT_LATENT_PACK_TILES;
        uint8_t *sec = NULL;
        size_t n = 0;
        CHECK(tt_latent_store(&l, q, 5, &o, &sec, &n) == TT_OK);
        CHECK(tt_latent_load(&l, sec, n, "t", back) == TT_OK);
        CHECK(memcmp(back, q, l.total * sizeof(float)) == 0);
        free(sec);
    }
    /* float latents, raw codec: fp16 */
    o.codec = TT_LATENT_CODEC_RAW;
    uint8_t *sec = NULL;
    size_t n = 0;
    CHECK(tt_latent_store(&l, g, 0, &o, &sec, &n) == TT_OK);
    CHECK(tt_latent_load(&l, sec, n, "t", back) == TT_OK);
    int ok = 1;
    for (uint32_t i = 0; i < l.total; i++)
        if (back[i] != tt_f16_to_f32(tt_f32_to_f16(g[i]))) ok = 0;
    CHECK(ok);
    /* a section for another model is refused */
    tt_latent_layout other;
    tt_latent_layout_init(&other, 100, 76, 6, 8, 2, 4);
    float *tmp = malloc(other.total * sizeof(float));
    CHECK(tt_latent_load(&other, sec, n, "t", tmp) == TT_ERR_FORMAT);
    free(tmp);
    free(sec);
    free(g); free(q); free(back);
}

/* Rate-aware training's C reference: the gradient of the summed rate (tt_latent_rate_grad, b held fixed) against
 * central finite differences of the sum; the fixed-step quantiser puts every value on a multiple of the step inside
 * the window (clamped outside); a store with that step writes levels the file gives back exactly. */
static void test_rate(void)
{
    tt_latent_layout l;
    tt_latent_layout_init(&l, 24, 16, 3, 8, 2, 4); /* lo 3x2x3, hi 6x4x2 */
    const float step = 0.25f;
    float *g = malloc(l.total * sizeof(float)), *grad = malloc(l.total * sizeof(float));
    float *q = malloc(l.total * sizeof(float)), *back = malloc(l.total * sizeof(float)), b[8];
    for (uint32_t i = 0; i < l.total; i++) g[i] = 1.2f * frand() * (float)(1 + i % 3); /* inside the window [-4, 3.75] */
    g[1] = 100.0f; /* far outside the 5-bit window [-16, 15] steps */
    tt_latent_rate_scales(&l, g, step, b);
    for (uint32_t f = 0; f < l.features; f++) CHECK(b[f] >= TT_LATENT_RATE_MIN_SCALE);
    double total = tt_latent_rate_grad(&l, g, step, b, grad);
    CHECK(total > 0);
    int bad = 0;
    for (uint32_t i = 0; i < l.total; i++) {
        const float h = 1e-3f;
        float keep = g[i];
        g[i] = keep + h;
        double up = tt_latent_rate_grad(&l, g, step, b, NULL);
        g[i] = keep - h;
        double down = tt_latent_rate_grad(&l, g, step, b, NULL);
        g[i] = keep;
        double fd = (up - down) / (2.0 * (double)h);
        if (fabs(fd - grad[i]) > 2e-3 * (1.0 + fabs(fd))) {
            if (bad < 5) fprintf(stderr, "rate gradient %u (v %g): %g, finite difference %g\n", i, g[i], grad[i], fd);
            bad++;
        }
    }
    CHECK_MSG(bad == 0, "%d rate gradients differ from finite differences", bad);
    /* moving a value toward 0 never costs bits (mean 0); past the coder's floor (2^-15) bits are flat */
    int wrong_sign = 0;
    for (uint32_t i = 0; i < l.total; i++) wrong_sign += (double)grad[i] * g[i] < 0;
    CHECK_MSG(wrong_sign == 0, "%d rate gradients point toward 0", wrong_sign);
    CHECK(grad[1] == 0);

    tt_latent_quantize_step(&l, g, 5, step, q);
    int off = 0;
    for (uint32_t i = 0; i < l.total; i++) {
        float k = q[i] / step;
        off += fabsf(k - floorf(k + 0.5f)) > 1e-5f || k < -16.0f || k > 15.0f;
        if (i != 1) off += fabsf(q[i] - g[i]) > 0.5f * step + 1e-6f;
    }
    CHECK_MSG(off == 0, "%d values off the fixed-step levels", off);
    CHECK(q[1] == 15.0f * step);
    for (int codec = TT_LATENT_CODEC_RAW; codec <= TT_LATENT_CODEC_ENTROPY; codec += TT_LATENT_CODEC_ENTROPY) {
        tt_latent_store_opts so;
        tt_latent_store_opts_init(&so);
        so.codec = (tt_latent_codec)codec;
        so.step = step;
        uint8_t *sec = NULL;
        size_t n = 0;
        CHECK(tt_latent_store(&l, g, 5, &so, &sec, &n) == TT_OK);
        CHECK(tt_latent_load(&l, sec, n, "rate", back) == TT_OK);
        int diff = 0;
        for (uint32_t i = 0; i < l.total; i++) diff += fabsf(back[i] - q[i]) > 1e-6f;
        CHECK_MSG(diff == 0, "codec %d: %d values of the file differ from the fixed-step quantised grid", codec, diff);
        free(sec);
    }
    free(g); free(grad); free(q); free(back);
}

int main(void)
{
    test_layout();
    test_sample_forward();
    test_sample_bicubic();
    test_sample_backward(TT_LATENT_UPSAMPLE_BILINEAR);
    test_sample_backward(TT_LATENT_UPSAMPLE_BICUBIC);
    test_qat();
    test_store_roundtrip();
    test_rate();
    TT_TEST_END();
}
