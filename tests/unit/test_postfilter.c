/* test_postfilter.c - the latent post-filter: its integer arithmetic against a direct evaluation, the least-squares fit recovering a known filter, its LPFL chunk and LATC word in the container. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "neural/latent.h"
#include "neural/tt_neural.h"
#include "tt_test.h"
#include "tt_test_tnx.h"

static void random_image(tt_image *img, uint32_t w, uint32_t h, uint64_t seed, double amp)
{
    CHECK(tt_image_alloc(img, w, h) == TT_OK);
    tt_nn_rng r;
    tt_nn_rng_seed(&r, seed);
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            uint8_t *p = img->rgba + ((size_t)y * w + x) * 4;
            /* smooth structure plus noise, so neighbouring taps are correlated as in decoded photos */
            for (int c = 0; c < 3; c++) {
                double v = 128 + amp * (0.75 * sin(0.21 * x + c) * cos(0.13 * y - c) + tt_nn_rng_uniform(&r, -0.25, 0.25));
                p[c] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
            }
            p[3] = (uint8_t)(x * 7 + y);
        }
}

/* The filter's definition evaluated in double (exact here: integer sums far below 2^53), edges replicated. */
static uint8_t direct(const tt_postfilter *f, const tt_image *in, int x, int y, int c)
{
    double acc = f->b[c];
    for (int i = 0; i < 3; i++)
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++) {
                int sx = x + dx < 0 ? 0 : x + dx >= (int)in->width ? (int)in->width - 1 : x + dx;
                int sy = y + dy < 0 ? 0 : y + dy >= (int)in->height ? (int)in->height - 1 : y + dy;
                acc += (double)f->w[c * 27 + i * 9 + (dy + 1) * 3 + (dx + 1)] * in->rgba[((size_t)sy * in->width + sx) * 4 + i];
            }
    double q = floor(acc / 4096.0 + 0.5);
    return (uint8_t)(q < 0 ? 0 : q > 255 ? 255 : q);
}

static void test_apply(void)
{
    tt_image in, out;
    random_image(&in, 23, 17, 1, 110);
    tt_postfilter id = {.on = 1};
    for (int c = 0; c < 3; c++) id.w[c * 27 + c * 9 + 4] = 4096;
    CHECK(tt_postfilter_apply(&id, &in, &out) == TT_OK);
    CHECK(memcmp(in.rgba, out.rgba, (size_t)in.width * in.height * 4) == 0); /* identity, alpha kept */
    tt_image_free(&out);

    /* random weights and biases, large enough that outputs clamp at both ends and sums go negative */
    tt_postfilter f = {.on = 1};
    tt_nn_rng r;
    tt_nn_rng_seed(&r, 7);
    for (int k = 0; k < TT_PF_WEIGHTS; k++) f.w[k] = (int16_t)tt_nn_rng_uniform(&r, -3000, 3000);
    for (int c = 0; c < 3; c++) f.b[c] = (int32_t)tt_nn_rng_uniform(&r, -400000, 400000);
    f.w[27 * 1 + 9 * 1 + 4] = 32767;
    f.w[27 * 2 + 9 * 0 + 0] = -32768;
    CHECK(tt_postfilter_apply(&f, &in, &out) == TT_OK);
    int bad = 0, low = 0, high = 0;
    for (uint32_t y = 0; y < in.height; y++)
        for (uint32_t x = 0; x < in.width; x++)
            for (int c = 0; c < 3; c++) {
                uint8_t got = out.rgba[((size_t)y * in.width + x) * 4 + c];
                bad += got != direct(&f, &in, (int)x, (int)y, c);
                low += got == 0;
                high += got == 255;
            }
    CHECK_EQ_INT(bad, 0);
    CHECK(low > 0 && high > 0);
    tt_image_free(&out);
    tt_image_free(&in);
}

/* A decoded image made blurry and tinted by a known filter: the fit must find (nearly) its inverse's least-squares
 * answer; checked the other way round, the fit of target = known_filter(decoded) must find known_filter. */
static void test_fit(void)
{
    tt_image dec, target, fitted_out;
    random_image(&dec, 96, 80, 3, 60);   /* the target never clamps: a linear fit can reach it */
    tt_postfilter known = {.on = 1};
    for (int c = 0; c < 3; c++) {
        for (int t = 0; t < 9; t++) known.w[c * 27 + c * 9 + t] = t == 4 ? 2600 : 187;   /* sharpen-free blur */
        known.w[c * 27 + ((c + 1) % 3) * 9 + 4] = 300;                                      /* cross-channel */
        known.b[c] = -4096 * 9 * (c + 1);                                                   /* -9(c+1) levels */
    }
    CHECK(tt_postfilter_apply(&known, &dec, &target) == TT_OK);
    tt_postfilter f;
    CHECK(tt_postfilter_fit(&target, &dec, &f) == TT_OK);
    CHECK(f.on == 1);
    int worst = 0;
    for (int k = 0; k < TT_PF_WEIGHTS; k++) {
        int d = abs(f.w[k] - known.w[k]);
        worst = d > worst ? d : worst;
    }
    /* the target is rounded to levels and the fit's ridge (one level^2) shrinks the weights a little: within about 1 %
     * of 1 (48/4096) of the truth; a wrong tap order or channel gives errors of hundreds */
    CHECK_MSG(worst <= 48, "largest weight error %d / 4096", worst);
    CHECK(tt_postfilter_apply(&f, &dec, &fitted_out) == TT_OK);
    size_t n = (size_t)dec.width * dec.height, off = 0;
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < 3; c++) off += abs(fitted_out.rgba[i * 4 + c] - target.rgba[i * 4 + c]) > 1;
    CHECK_MSG(off == 0, "%zu values more than one level from the target", off);

    tt_postfilter none;
    tt_image small;
    CHECK(tt_image_alloc(&small, 5, 4) == TT_OK);
    CHECK(tt_postfilter_fit(&small, &dec, &none) == TT_ERR_INVALID_ARG);
    tt_image_free(&small);
    tt_image_free(&fitted_out);
    tt_image_free(&target);
    tt_image_free(&dec);
}

static void test_chunk(void)
{
    tt_postfilter f = {.on = 1}, g;
    for (int k = 0; k < TT_PF_WEIGHTS; k++) f.w[k] = (int16_t)(k * 811 - 32768);
    f.b[0] = -(1 << 26) + 1;
    f.b[1] = 12345;
    f.b[2] = (1 << 26) - 1;
    uint8_t p[TT_PF_PAYLOAD];
    tt_postfilter_write(&f, p);
    CHECK(tt_postfilter_read(p, sizeof p, "x.tnx", &g) == TT_OK);
    CHECK(memcmp(&f, &g, sizeof f) == 0);
    CHECK(tt_postfilter_read(p, sizeof p - 1, "x.tnx", &g) == TT_ERR_FORMAT);
    CHECK(strstr(tt_last_error(), "x.tnx") != NULL);
    for (int i = 0; i < 4; i++) {
        uint8_t q[TT_PF_PAYLOAD];
        memcpy(q, p, sizeof q);
        q[i] ^= 1;
        CHECK(tt_postfilter_read(q, sizeof q, "x.tnx", &g) == TT_ERR_FORMAT);
    }
    tt_put_le32(p + 4 + 2 * TT_PF_WEIGHTS, (uint32_t)(1 << 26));
    CHECK(tt_postfilter_read(p, sizeof p, "x.tnx", &g) == TT_ERR_FORMAT);
}

/* In a .tnx: bit 24 of LATC's qat_bits word announces the LPFL chunk; either without the other is refused. */
static void test_container(void)
{
    tt_nn_model m;
    memset(&m, 0, sizeof m);
    m.kind = TT_NN_KIND_LATENT;
    m.width = 40;
    m.height = 24;
    tt_latent_cfg_default(&m.latent);
    m.latent.ch_lo = 4;
    m.latent.upsample = TT_LATENT_UPSAMPLE_BICUBIC;
    tt_nn_decoder_cfg_default(&m.dec);
    m.dec.hidden = 8;
    CHECK(tt_nn_model_build(&m) == TT_OK);
    float *p = malloc(sizeof(float) * m.total);
    tt_nn_init_params(&m, 9, p);
    uint8_t *plain = NULL, *bytes = NULL;
    size_t n0 = 0, n = 0;
    CHECK(tt_test_encode_raw(&m, p, &plain, &n0) == TT_OK);
    for (int k = 0; k < TT_PF_WEIGHTS; k++) m.latent.post.w[k] = (int16_t)(k - 40);
    m.latent.post.b[1] = -777;
    m.latent.post.on = 1;
    CHECK(tt_test_encode_raw(&m, p, &bytes, &n) == TT_OK);
    CHECK_EQ_INT(n, n0 + 12 + TT_PF_PAYLOAD);
    size_t latc = tt_test_find_chunk(bytes, n, TT_TNX_CHUNK_LATC), lpfl = tt_test_find_chunk(bytes, n, TT_TNX_CHUNK_LPFL);
    CHECK(latc > 0 && lpfl > 0);
    CHECK_EQ_INT(tt_test_find_chunk(plain, n0, TT_TNX_CHUNK_LPFL), 0);
    if (!latc || !lpfl) goto done;
    CHECK_EQ_INT(tt_get_le32(bytes + latc + 8 + 16), 8u | 1u << 16 | 1u << 24);
    tt_nn_model b;
    float *bp = NULL;
    CHECK(tt_tnx_decode(bytes, n, "pf.tnx", &b, &bp, NULL) == TT_OK);
    CHECK(memcmp(&b.latent.post, &m.latent.post, sizeof m.latent.post) == 0);
    CHECK_EQ_INT(b.latent.upsample, TT_LATENT_UPSAMPLE_BICUBIC);
    CHECK(tt_nn_postfilter_of(&b) != NULL);
    free(bp);
    tt_nn_model_release(&b);

    /* the word without the chunk: the chunk renamed to a type nobody reads */
    uint8_t *e = malloc(n);
    memcpy(e, bytes, n);
    tt_put_le32(e + lpfl, TT_FOURCC('X', 'P', 'F', 'L'));
    tt_test_reseal(e, lpfl);
    bp = NULL;
    CHECK(tt_tnx_decode(e, n, "pf.tnx", &b, &bp, NULL) == TT_ERR_FORMAT);
    CHECK_MSG(strstr(tt_last_error(), "LPFL") != NULL, "%s", tt_last_error());
    /* the chunk without the word */
    memcpy(e, bytes, n);
    tt_put_le32(e + latc + 8 + 16, 8u | 1u << 16);
    tt_test_reseal(e, latc);
    CHECK(tt_tnx_decode(e, n, "pf.tnx", &b, &bp, NULL) == TT_ERR_FORMAT);
    CHECK_MSG(strstr(tt_last_error(), "does not announce") != NULL, "%s", tt_last_error());
    /* other high bits of the word stay refused (a later format's) */
    memcpy(e, bytes, n);
    tt_put_le32(e + latc + 8 + 16, 8u | 1u << 16 | 1u << 24 | 1u << 25);
    tt_test_reseal(e, latc);
    CHECK(tt_tnx_decode(e, n, "pf.tnx", &b, &bp, NULL) == TT_ERR_FORMAT);
    /* a damaged coefficient payload */
    memcpy(e, bytes, n);
    e[lpfl + 8] = 2;   /* version */
    tt_test_reseal(e, lpfl);
    CHECK(tt_tnx_decode(e, n, "pf.tnx", &b, &bp, NULL) == TT_ERR_FORMAT);
    free(e);
done:
    free(bytes);
    free(plain);
    free(p);
    tt_nn_model_release(&m);
}

int main(void)
{
    test_apply();
    test_fit();
    test_chunk();
    test_container();
    TT_TEST_END();
}
