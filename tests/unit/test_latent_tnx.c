/* test_latent_tnx.c - latent models through the .tnx container: every codec round-trips, the pinned section survives a re-save, corrupt files are refused. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "neural/latent.h"
#include "neural/tt_neural.h"
#include "tt_test.h"
#include "tt_test_tnx.h"

static void build(tt_nn_model *m, uint32_t qat_bits)
{
    memset(m, 0, sizeof *m);
    m->kind = TT_NN_KIND_LATENT;
    m->width = 100;
    m->height = 60;
    tt_latent_cfg_default(&m->latent);
    m->latent.ch_lo = 7;       /* lo 12x7, hi 25x15 */
    m->latent.qat_bits = qat_bits;
    tt_nn_decoder_cfg_default(&m->dec);
    m->dec.hidden = 16;
}

/* Latents with some spatial structure (what trained grids look like to a codec). */
static void fill(const tt_nn_model *m, float *p, uint64_t seed)
{
    tt_nn_init_params(m, seed, p);
    tt_latent_layout l;
    tt_latent_layout_of(m, &l);
    tt_nn_rng r;
    tt_nn_rng_seed(&r, seed + 1);
    for (uint32_t g = 0; g < l.n_grids; g++)
        for (uint32_t y = 0; y < l.h[g]; y++)
            for (uint32_t x = 0; x < l.w[g]; x++)
                for (uint32_t c = 0; c < l.ch[g]; c++)
                    p[l.offset[g] + (y * l.w[g] + x) * l.ch[g] + c] =
                        0.2f * sinf(0.5f * x + c) * cosf(0.3f * y) + tt_nn_rng_normal(&r, 0, 0.01f);
}

/* hi_levels 3: the pyramid of hi grids 25x15, 50x30, 100x60 (scale 4, 2, 1), whose LATC chunk carries the level
 * count */
static void test_codecs(uint32_t hi_levels, uint32_t upsample)
{
    tt_nn_model m;
    build(&m, 8);
    m.latent.hi_levels = hi_levels;
    m.latent.upsample = upsample;
    CHECK(tt_nn_model_build(&m) == TT_OK);
    CHECK_EQ_INT(m.enc_count, 7 * 12 * 7 + 2 * 25 * 15 + (hi_levels == 3 ? 2 * (50 * 30 + 100 * 60) : 0));
    tt_latent_layout l;
    tt_latent_layout_of(&m, &l);
    float *p = malloc(sizeof(float) * m.total), *q = malloc(sizeof(float) * m.total);
    fill(&m, p, 5);
    memcpy(q, p, sizeof(float) * m.total);
    tt_latent_quantize(&l, p, 8, q, NULL, NULL); /* what QAT training leaves */
    float mn[16], mx[16];
    tt_latent_channel_minmax(&l, q, mn, mx);

    struct { tt_latent_codec c; tt_latent_pack k; int q; } v[] = {
        {TT_LATENT_CODEC_RAW, TT_LATENT_PACK_TILES, 85}, {TT_LATENT_CODEC_PNG, TT_LATENT_PACK_TILES, 85},
        {TT_LATENT_CODEC_PNG, TT_LATENT_PACK_RGB, 85}, {TT_LATENT_CODEC_JPEG, TT_LATENT_PACK_TILES, 85},
        {TT_LATENT_CODEC_JPEG, TT_LATENT_PACK_TILES, 40}, {TT_LATENT_CODEC_JPEG, TT_LATENT_PACK_RGB, 85},
        {TT_LATENT_CODEC_ENTROPY, TT_LATENT_PACK_TILES, 85},
    };
    size_t raw_size = 0;
    for (size_t t = 0; t < sizeof v / sizeof v[0]; t++) {
        tt_nn_save_opts so = {.precision = TT_NN_FP16, .latent_codec = TT_LATENT_SAVE_OPT(v[t].c, v[t].k), .jpeg_quality = v[t].q};
        uint8_t *bytes = NULL;
        size_t n = 0;
        tt_status s = tt_tnx_encode(&m, q, &so, &bytes, &n);
        CHECK_MSG(s == TT_OK, "%s", tt_last_error());
        if (s != TT_OK) continue;
        if (v[t].c == TT_LATENT_CODEC_RAW) raw_size = n;
        /* entropy: the test grids are sinusoids (arcsine-distributed, the Laplace's worst case), so no size claim
         * here beyond a byte a value and the models; test_latent_cli.sh compares sizes on trained grids */
        if (v[t].c == TT_LATENT_CODEC_ENTROPY)
            CHECK_MSG(raw_size && n <= raw_size + 4 * 16 + 5 + raw_size / 50, "entropy %zu bytes, raw %zu", n, raw_size);
        tt_nn_model back;
        float *bp = NULL;
        s = tt_tnx_decode(bytes, n, "t.tnx", &back, &bp, NULL);
        CHECK_MSG(s == TT_OK, "%s", tt_last_error());
        if (s != TT_OK) { free(bytes); continue; }
        CHECK_EQ_INT(back.kind, TT_NN_KIND_LATENT);
        CHECK_EQ_INT(back.latent.ch_lo, 7);
        CHECK_EQ_INT(back.latent.hi_levels, hi_levels);
        CHECK_EQ_INT(back.latent.upsample, upsample);
        CHECK_EQ_INT(back.latent.qat_bits, 8);
        CHECK_EQ_INT(back.total, m.total);
        /* decoder: fp16 of the original */
        int dec_ok = 1;
        for (uint32_t i = m.dec_offset; i < m.total; i++)
            if (bp[i] != tt_f16_to_f32(tt_f32_to_f16(q[i]))) dec_ok = 0;
        CHECK(dec_ok);
        double worst = 0; /* in quantisation steps of the channel */
        for (uint32_t g = 0; g < l.n_grids; g++)
            for (uint32_t i = 0; i < l.w[g] * l.h[g]; i++)
                for (uint32_t c = 0; c < l.ch[g]; c++) {
                    uint32_t k = l.offset[g] + i * l.ch[g] + c, f = tt_latent_feature_index(&l, g, c);
                    worst = fmax(worst, fabs(bp[k] - q[k]) / ((mx[f] - mn[f]) / 255.0));
                }
        if (v[t].c == TT_LATENT_CODEC_JPEG) {
            /* the pyramid's finest grid (100x60 here) holds the sinusoids at full resolution, in more 8x8 blocks */
            double bound = v[t].k == TT_LATENT_PACK_RGB ? 100 : v[t].q >= 80 ? (hi_levels > 1 ? 20 : 16) : 40;
            CHECK_MSG(worst <= bound, "jpeg q%d %s: %.2f steps", v[t].q, tt_latent_pack_name(v[t].k), worst);
        } else {
            CHECK_MSG(worst == 0, "%s %s not bit-exact: %.3g steps", tt_latent_codec_name(v[t].c),
                      tt_latent_pack_name(v[t].k), worst);
        }
        /* re-save after "fine-tuning" the decoder: with the section kept (tt_nn_save_opts.keep_section),
         * the latent bytes are kept verbatim and decode to the same grid */
        if (v[t].c == TT_LATENT_CODEC_JPEG) {
            tt_latent_layout lb;
            tt_latent_layout_of(&back, &lb);
            tt_latent_store_opts lso;
            tt_latent_store_opts_init(&lso);
            lso.codec = v[t].c; lso.pack = v[t].k; lso.jpeg_quality = v[t].q;
            uint8_t *sec = NULL;
            size_t sn = 0;
            CHECK(tt_latent_store(&lb, q, 8, &lso, &sec, &sn) == TT_OK);
            float *pinned = malloc(sizeof(float) * back.enc_count);
            CHECK(pinned != NULL);
            if (pinned) memcpy(pinned, bp, sizeof(float) * back.enc_count);
            for (uint32_t i = back.dec_offset; i < back.total; i++) bp[i] *= 1.01f;
            uint8_t *b2 = NULL;
            size_t n2 = 0;
            tt_nn_save_opts keep = so;
            keep.keep_section = sec;
            keep.keep_section_size = sn;
            keep.keep_grid = pinned;
            CHECK(tt_tnx_encode(&back, bp, &keep, &b2, &n2) == TT_OK);
            free(pinned);
            CHECK_EQ_INT(n2, n);
            tt_nn_model m3;
            float *p3 = NULL;
            CHECK(tt_tnx_decode(b2, n2, "t2.tnx", &m3, &p3, NULL) == TT_OK);
            if (p3) CHECK(memcmp(p3, bp, sizeof(float) * back.enc_count) == 0);
            /* without the pin, coding the decoded grid again changes it */
            uint8_t *b3 = NULL;
            size_t n3 = 0;
            CHECK(tt_tnx_encode(&back, bp, &so, &b3, &n3) == TT_OK);
            free(b3);
            free(p3);
            free(b2);
            free(sec);
        }
        free(bp);
        free(bytes);
    }
    CHECK(raw_size > m.enc_count); /* uint8 latents + fp16 decoder */
    free(p);
    free(q);
}

static void test_float_latents(void)
{
    tt_nn_model m;
    build(&m, 0);
    m.latent.ch_hi = 0;
    m.latent.ch_lo = 32;
    CHECK(tt_nn_model_build(&m) == TT_OK);
    CHECK_EQ_INT(m.enc_features, 32);
    float *p = malloc(sizeof(float) * m.total);
    fill(&m, p, 9);
    tt_nn_save_opts so = {.precision = TT_NN_FP16, .latent_codec = TT_LATENT_SAVE_OPT(TT_LATENT_CODEC_RAW, 0)};
    uint8_t *bytes = NULL;
    size_t n = 0;
    CHECK(tt_tnx_encode(&m, p, &so, &bytes, &n) == TT_OK);
    tt_nn_model back;
    float *bp = NULL;
    CHECK(tt_tnx_decode(bytes, n, "f.tnx", &back, &bp, NULL) == TT_OK);
    if (bp) {
        int ok = 1;
        for (uint32_t i = 0; i < m.total; i++)
            if (bp[i] != tt_f16_to_f32(tt_f32_to_f16(p[i]))) ok = 0;
        CHECK(ok);
        CHECK_EQ_INT(back.latent.ch_hi, 0);
    }
    /* PNG of float latents: quantised to 8 bits at save time */
    so.latent_codec = TT_LATENT_SAVE_OPT(TT_LATENT_CODEC_PNG, 0);
    uint8_t *b2 = NULL;
    size_t n2 = 0;
    CHECK(tt_tnx_encode(&m, p, &so, &b2, &n2) == TT_OK);
    free(bp);
    bp = NULL;
    CHECK(tt_tnx_decode(b2, n2, "f2.tnx", &back, &bp, NULL) == TT_OK);
    free(bp);
    free(b2);
    free(bytes);
    free(p);
}

/* The upsampling lives in bits 16..23 of LATC's qat_bits word (docs/latent.md), which every earlier reader refuses
 * above 8: a bicubic file writes it there (a bilinear one does not, so its bytes are as before), and a file naming an
 * unknown upsampling is refused with a reason, even with valid CRCs. */
static void test_upsample_word(void)
{
    for (uint32_t up = 0; up <= 1; up++) {
        tt_nn_model m;
        build(&m, 8);
        m.latent.upsample = up;
        CHECK(tt_nn_model_build(&m) == TT_OK);
        float *p = malloc(sizeof(float) * m.total);
        fill(&m, p, 3);
        uint8_t *bytes = NULL;
        size_t n = 0;
        CHECK(tt_test_encode_raw(&m, p, &bytes, &n) == TT_OK);
        size_t latc = tt_test_find_chunk(bytes, n, TT_TNX_CHUNK_LATC);
        CHECK(latc > 0);
        if (latc) CHECK_EQ_INT(tt_get_le32(bytes + latc + 4), 24);
        if (latc) CHECK_EQ_INT(tt_get_le32(bytes + latc + 8 + 16), 8u | up << 16);
        tt_nn_model b;
        float *bp = NULL;
        CHECK(tt_tnx_decode(bytes, n, "up.tnx", &b, &bp, NULL) == TT_OK);
        CHECK_EQ_INT(b.latent.upsample, up);
        CHECK_EQ_INT(b.latent.qat_bits, 8);
        free(bp);
        if (up && latc) {
            tt_put_le32(bytes + latc + 8 + 16, 8u | 2u << 16);
            tt_test_reseal(bytes, latc);
            bp = NULL;
            tt_status s = tt_tnx_decode(bytes, n, "up.tnx", &b, &bp, NULL);
            CHECK(s == TT_ERR_FORMAT);
            CHECK_MSG(strstr(tt_last_error(), "upsampling") != NULL, "%s", tt_last_error());
            if (s == TT_OK) free(bp);
        }
        free(bytes);
        free(p);
    }
}

/* Damaged files: every single-byte flip and every truncation is refused with
 * a status (checksums cover every chunk), never a crash. */
static void test_corrupt(void)
{
    tt_nn_model m;
    build(&m, 8);
    CHECK(tt_nn_model_build(&m) == TT_OK);
    float *p = malloc(sizeof(float) * m.total);
    fill(&m, p, 3);
    tt_nn_save_opts so = {.precision = TT_NN_FP16, .latent_codec = TT_LATENT_SAVE_OPT(TT_LATENT_CODEC_JPEG, 0), .jpeg_quality = 85};
    uint8_t *bytes = NULL;
    size_t n = 0;
    CHECK(tt_tnx_encode(&m, p, &so, &bytes, &n) == TT_OK);
    int accepted = 0, refused = 0;
    for (size_t at = 0; at < n; at += 13) {
        bytes[at] ^= 0x41;
        tt_nn_model b;
        float *bp = NULL;
        tt_status s = tt_tnx_decode(bytes, n, "bad.tnx", &b, &bp, NULL);
        if (s == TT_OK) { accepted++; free(bp); }
        else refused++;
        bytes[at] ^= 0x41;
    }
    CHECK_EQ_INT(accepted, 0);
    CHECK(refused > 0);
    for (size_t len = 0; len < n; len += 97) {
        tt_nn_model b;
        float *bp = NULL;
        tt_status s = tt_tnx_decode(bytes, len, "short.tnx", &b, &bp, NULL);
        CHECK(s != TT_OK);
        if (s == TT_OK) free(bp);
    }
    free(bytes);
    free(p);
}

/* The entropy-coded section below the container's CRCs: every truncation refused, random flips of its range-coded
 * stream refused (nearly always) or decoded to finite values, never a crash (the ASan build runs this), and flips of
 * its models only ever give a clean answer. */
static void test_entropy_section_corrupt(void)
{
    tt_nn_model m;
    build(&m, 5);
    CHECK(tt_nn_model_build(&m) == TT_OK);
    tt_latent_layout l;
    tt_latent_layout_of(&m, &l);
    float *p = malloc(sizeof(float) * m.total), *g = malloc(sizeof(float) * l.total);
    fill(&m, p, 11);
    tt_latent_quantize(&l, p, 5, p, NULL, NULL);
    tt_latent_store_opts o;
    tt_latent_store_opts_init(&o);
    o.codec = TT_LATENT_CODEC_ENTROPY;
    uint8_t *sec = NULL;
    size_t n = 0;
    CHECK(tt_latent_store(&l, p, 5, &o, &sec, &n) == TT_OK);
    CHECK(tt_latent_load(&l, sec, n, "ok", g) == TT_OK);
    CHECK(memcmp(g, p, sizeof(float) * l.total) == 0);
    int refused = 0;
    for (size_t len = 0; len < n; len++) {
        uint8_t *t = malloc(len ? len : 1); /* exact size: ASan sees a read past it */
        memcpy(t, sec, len);
        refused += tt_latent_load(&l, t, len, "short", g) != TT_OK;
        free(t);
    }
    CHECK_EQ_INT(refused, n);
    size_t models = 8 + 8 * (size_t)l.features + 8, stream = models + 4 * (size_t)l.features;
    CHECK(n > stream + 5);
    uint8_t *t = malloc(n);
    uint64_t r = 99;
    int flips = 0;
    refused = 0;
    for (int k = 0; k < 4000; k++) {
        memcpy(t, sec, n);
        r = r * 6364136223846793005ull + 1442695040888963407ull;
        int in_models = k % 4 == 0;
        size_t span = in_models ? stream - models : n - stream;
        size_t at = (in_models ? models : stream) + (size_t)(r >> 33) % span;
        t[at] ^= (uint8_t)(1 + (r >> 20) % 255);
        tt_status s = tt_latent_load(&l, t, n, "flip", g);
        int finite = 1;
        for (uint32_t i = 0; s == TT_OK && i < l.total; i++) finite &= isfinite(g[i]) != 0;
        CHECK(finite);
        if (!in_models) flips++, refused += s != TT_OK;
    }
    /* a flip in the last bytes changes only the last few levels, or only flush bits no level depends on: those
     * decode (to levels in range); the rest cannot end exactly where the encoder's stream did (84% measured) */
    CHECK_MSG(refused > flips * 3 / 4, "%d of %d flipped streams refused", refused, flips);
    free(t);
    free(sec);
    free(g);
    free(p);
}

int main(void)
{
    test_codecs(1, TT_LATENT_UPSAMPLE_BILINEAR);
    test_codecs(3, TT_LATENT_UPSAMPLE_BILINEAR);
    test_codecs(1, TT_LATENT_UPSAMPLE_BICUBIC);
    test_codecs(3, TT_LATENT_UPSAMPLE_BICUBIC);
    test_upsample_word();
    test_float_latents();
    test_corrupt();
    test_entropy_section_corrupt();
    TT_TEST_END();
}
