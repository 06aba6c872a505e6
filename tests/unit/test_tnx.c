/* test_tnx.c - .tnx container: round trip (fp16/fp32), and hostile input (bit flips, truncation, crafted chunks) refused cleanly. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "neural/tt_neural.h"
#include "tt_test.h"
#include "tt_test_tnx.h"

static void model(tt_nn_model *m)
{
    memset(m, 0, sizeof *m);
    m->kind = TT_NN_KIND_HASH;
    m->width = 40;
    m->height = 30;
    m->hash = (tt_nn_hash_cfg){.n_levels = 4, .n_features = 2, .log2_t = 6, .base_res = 4, .max_res = 32};
    m->dec = (tt_nn_decoder_cfg){.hidden = 8, .depth = 2, .act = TT_NN_ACT_SIREN, .omega0 = 30.0f};
}

int main(void)
{
    tt_nn_model m, r;
    model(&m);
    CHECK(tt_nn_model_build(&m) == TT_OK);
    float *p = malloc(sizeof(float) * m.total), *q = NULL;
    tt_nn_init_params(&m, 4, p);
    p[3] = 1.0f / 3.0f;
    uint8_t *data = NULL;
    size_t size = 0;

    /* fp32: exact round trip; sizes as docs/format.md says. */
    tt_nn_save_opts o32 = {.precision = TT_NN_FP32}, o16 = {.precision = TT_NN_FP16};
    CHECK(tt_tnx_encode(&m, p, &o32, &data, &size) == TT_OK);
    /* header 32 + DECP (12+24) + HASH (12+20) + PARM (12+16+4n) + TEND 12 */
    CHECK_EQ_INT(size, 32 + 36 + 32 + 28 + 4 * (size_t)m.total + 12);
    CHECK(memcmp(data, "TNX", 3) == 0);
    tt_tnx_info info;
    CHECK(tt_tnx_decode(data, size, "a.tnx", &r, &q, &info) == TT_OK);
    CHECK_EQ_INT(r.total, m.total);
    CHECK_EQ_INT(r.width, 40);
    CHECK_EQ_INT(r.hash.log2_t, 6);
    CHECK_EQ_INT(info.precision, TT_NN_FP32);
    CHECK(q && memcmp(p, q, sizeof(float) * m.total) == 0);
    free(q);
    q = NULL;
    free(data);

    /* fp16: values within half precision. */
    CHECK(tt_tnx_encode(&m, p, &o16, &data, &size) == TT_OK);
    CHECK_EQ_INT(size, 32 + 36 + 32 + 28 + 2 * (size_t)m.total + 12);
    CHECK(tt_tnx_decode(data, size, "a.tnx", &r, &q, &info) == TT_OK);
    CHECK_EQ_INT(info.precision, TT_NN_FP16);
    int bad = 0;
    for (uint32_t i = 0; q && i < m.total; i++)
        if (fabsf(q[i] - p[i]) > fabsf(p[i]) / 2048.0f + 1e-7f) bad++;
    CHECK_EQ_INT(bad, 0);
    free(q);
    q = NULL;

    /* int8: one byte a value plus an f32 scale a block of 64; every value within half a step of its block (the
     * block's largest |value| / 127), and the largest of a block comes back to within 1e-6. */
    {
        tt_nn_save_opts o8 = {.precision = TT_NN_INT8};
        uint8_t *d8 = NULL;
        size_t s8 = 0;
        CHECK(tt_tnx_encode(&m, p, &o8, &d8, &s8) == TT_OK);
        size_t blocks = (m.total + 63) / 64;
        CHECK_EQ_INT(s8, 32 + 36 + 32 + 28 + (size_t)m.total + 4 * blocks + 12);
        CHECK(tt_tnx_decode(d8, s8, "a.tnx", &r, &q, &info) == TT_OK);
        CHECK_EQ_INT(info.precision, TT_NN_INT8);
        int off = 0;
        for (size_t k = 0; q && k < blocks; k++) {
            float mx = 0;
            for (size_t i = 64 * k; i < 64 * k + 64 && i < m.total; i++) mx = fmaxf(mx, fabsf(p[i]));
            float step = mx / 127.0f * 1.00001f;
            for (size_t i = 64 * k; i < 64 * k + 64 && i < m.total; i++) {
                off += fabsf(q[i] - p[i]) > 0.5f * step + 1e-9f;
                if (fabsf(p[i]) == mx) off += fabsf(fabsf(q[i]) - mx) > 1e-6f * mx;
            }
        }
        CHECK_MSG(off == 0, "%d int8 values off their block's levels", off);
        free(q);
        q = NULL;
        free(d8);
    }

    /* Every single-bit flip is refused (CRC over header and every chunk; trailing bytes refused). */
    int accepted = 0;
    uint8_t *c = malloc(size);
    for (size_t i = 0; i < size; i++) {
        for (int b = 0; b < 8; b += 3) {
            memcpy(c, data, size);
            c[i] ^= (uint8_t)(1u << b);
            tt_status s = tt_tnx_decode(c, size, "flip.tnx", &r, &q, NULL);
            if (s == TT_OK) accepted++;
            else CHECK(strchr(tt_last_error(), '\n') == NULL && strstr(tt_last_error(), "flip.tnx") != NULL);
            free(q);
            q = NULL;
        }
    }
    CHECK_EQ_INT(accepted, 0);
    /* Every truncation, and trailing garbage, is refused. */
    for (size_t n = 0; n < size; n++) {
        tt_status s = tt_tnx_decode(data, n, "cut.tnx", &r, &q, NULL);
        CHECK(s != TT_OK && q == NULL);
    }
    uint8_t *longer = malloc(size + 1);
    memcpy(longer, data, size);
    longer[size] = 0;
    CHECK(tt_tnx_decode(longer, size + 1, "long.tnx", &r, &q, NULL) == TT_ERR_FORMAT);
    free(longer);

    /* Crafted chunks with valid CRCs: semantic checks must refuse them. */
    size_t parm = tt_test_find_chunk(data, size, TT_TNX_CHUNK_PARAMS);
    size_t decp = tt_test_find_chunk(data, size, TT_TNX_CHUNK_DECODER), hash = tt_test_find_chunk(data, size, TT_TNX_CHUNK_HASH);
    CHECK(parm && decp && hash);
    struct { size_t chunk, off; uint32_t value; const char *what; } edits[] = {
        {parm, 8 + 0, 1, "PARM range past the end"},
        {parm, 8 + 4, 0xFFFFFFF0u, "PARM count overflow"},
        {parm, 8 + 8, 7, "PARM dtype"},
        {decp, 8 + 0, 0, "hidden 0"},
        {decp, 8 + 0, 0xFFFFFFFFu, "hidden huge"},
        {decp, 8 + 4, 1000, "depth 1000"},
        {decp, 8 + 8, 9, "activation 9"},
        {decp, 8 + 12, 0x7F800000u, "omega0 inf"},
        {decp, 8 + 20, 12345, "stored total mismatch"},
        {hash, 8 + 0, 0, "0 levels"},
        {hash, 8 + 0, 1u << 30, "2^30 levels"},
        {hash, 8 + 8, 31, "log2_T 31"},
        {hash, 8 + 12, 0, "base_res 0"},
        {hash, 8 + 16, 1, "max_res < base_res"},
    };
    for (size_t e = 0; e < sizeof edits / sizeof edits[0]; e++) {
        memcpy(c, data, size);
        tt_put_le32(c + edits[e].chunk + edits[e].off, edits[e].value);
        tt_test_reseal(c, edits[e].chunk);
        tt_status s = tt_tnx_decode(c, size, "crafted.tnx", &r, &q, NULL);
        CHECK_MSG(s != TT_OK && q == NULL, "%s accepted", edits[e].what);
        free(q);
        q = NULL;
    }
    /* A NaN parameter is refused. */
    memcpy(c, data, size);
    c[parm + 8 + 16] = 0xFF;
    c[parm + 8 + 17] = 0x7F;
    tt_test_reseal(c, parm);
    CHECK(tt_tnx_decode(c, size, "nan.tnx", &r, &q, NULL) == TT_ERR_FORMAT);
    /* Header fields with a valid header CRC: unknown kind and version, chunk counts that lie (huge / more chunks than
     * present). The version is a u16, so its byte 8 is the one edited. */
    static const struct { size_t off; int byte; uint32_t value; tt_status want; const char *name; } hdr[] = {
        {12, 0, 77, TT_ERR_UNSUPPORTED, "kind.tnx"},
        {8, 1, 2, TT_ERR_UNSUPPORTED, "ver.tnx"},
        {24, 0, 100000, TT_ERR_FORMAT, "count.tnx"},
        {24, 0, 5, TT_ERR_FORMAT, "count.tnx"},
    };
    for (size_t e = 0; e < sizeof hdr / sizeof hdr[0]; e++) {
        memcpy(c, data, size);
        if (hdr[e].byte) c[hdr[e].off] = (uint8_t)hdr[e].value;
        else tt_put_le32(c + hdr[e].off, hdr[e].value);
        tt_put_le32(c + 28, tt_crc32(0, c, 28));
        CHECK_MSG(tt_tnx_decode(c, size, hdr[e].name, &r, &q, NULL) == hdr[e].want, "%s", hdr[e].name);
    }
    free(c);
    free(data);
    free(p);
    TT_TEST_END();
}
