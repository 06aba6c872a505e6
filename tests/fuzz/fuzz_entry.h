/* fuzz_entry.h - the checks run on one input by the libFuzzer targets (tests/fuzz/fuzz_*.c) and by the corpus replay ctest (tests/unit/test_fuzz_regress.c). */
#ifndef TT_FUZZ_ENTRY_H
#define TT_FUZZ_ENTRY_H

/* Header-only on purpose: CMake builds every tests/fuzz/fuzz_*.c as its own
 * fuzzer executable, so shared code cannot live in a .c file there. Every
 * function is `static inline` so a translation unit may use only some. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinytex.h"
#include "bc7/tt_bc7.h"
#include "formats/tt_formats.h"
#include "neural/latent.h"
#include "neural/tt_neural.h"

/* Bounds that keep one execution fast; the parsers themselves accept more. */
#define TT_FUZZ_IMAGE_MAX_DIMENSION 4096u
#define TT_FUZZ_IMAGE_MAX_PIXELS (4096ull * 4096ull)
#define TT_FUZZ_DECODE_MAX_PIXELS (1u << 20)  /* BC7 textures decoded to RGBA */
#define TT_FUZZ_ROUNDTRIP_MAX_BYTES (1u << 24) /* BC7 data re-written and re-read */
#define TT_FUZZ_ZSTD_MAX_BYTES (1u << 20)      /* ... and also through Zstandard */
#define TT_FUZZ_TNX_MAX_FORWARD_PARAMS (1u << 22)

/* A property that must hold for every input. A violation aborts, which
 * libFuzzer records as a crash and the replay test as a failed test. */
#define TT_FUZZ_ASSERT(cond)                                                                          \
    do {                                                                                              \
        if (!(cond)) {                                                                                \
            fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);        \
            abort();                                                                                  \
        }                                                                                             \
    } while (0)

/* A refused input must give a real error status and a one-line, non-empty
 * message (the CLI prints it as is). */
static inline void tt_fuzz_check_status(tt_status s)
{
    TT_FUZZ_ASSERT((int)s >= 0 && (int)s < TT_STATUS_COUNT);
    if (s == TT_OK) return;
    const char *msg = tt_last_error();
    TT_FUZZ_ASSERT(msg[0] != '\0');
    TT_FUZZ_ASSERT(strchr(msg, '\n') == NULL && strchr(msg, '\r') == NULL);
}

/* ---- images (stb_image behind tt_image_load_memory) ---------------------- */
static inline int tt_fuzz_image(const uint8_t *data, size_t size)
{
    tt_image_limits lim = {.max_pixels = TT_FUZZ_IMAGE_MAX_PIXELS, .max_dimension = TT_FUZZ_IMAGE_MAX_DIMENSION};
    tt_image img;
    tt_status s = tt_image_load_memory(data, size, "fuzz.img", &lim, &img);
    tt_fuzz_check_status(s);
    if (s != TT_OK) {
        TT_FUZZ_ASSERT(img.rgba == NULL);
        return 0;
    }
    TT_FUZZ_ASSERT(img.rgba != NULL);
    TT_FUZZ_ASSERT(img.width >= 1 && img.width <= lim.max_dimension);
    TT_FUZZ_ASSERT(img.height >= 1 && img.height <= lim.max_dimension);
    TT_FUZZ_ASSERT((uint64_t)img.width * img.height <= lim.max_pixels);
    TT_FUZZ_ASSERT(img.source_channels >= 1 && img.source_channels <= 4);
    TT_FUZZ_ASSERT(img.source_bits == 8 || img.source_bits == 16 || img.source_bits == 32);
    (void)tt_image_has_alpha(&img);
    tt_metrics m;
    s = tt_compare_images(&img, &img, &m);
    TT_FUZZ_ASSERT(s == TT_OK && m.mse_rgba == 0.0 && m.max_abs_err_rgba == 0 && isinf(m.psnr_rgb));
    tt_image_free(&img);
    return 0;
}

/* ---- BC7 textures in DDS / KTX2 ------------------------------------------ */
static inline tt_status tt_fuzz_read_container(tt_container c, const uint8_t *data, size_t size, tt_texture *t)
{
    return c == TT_CONTAINER_DDS ? tt_dds_read_memory(data, size, "fuzz.dds", t)
                                 : tt_ktx2_read_memory(data, size, "fuzz.ktx2", t);
}

/* c: 0 DDS, 1 KTX2, 2 KTX2 with Zstandard (level 1). */
static inline tt_status tt_fuzz_write_container(int c, const tt_texture *t, uint8_t **out, size_t *n)
{
    tt_save_options o;
    tt_save_options_init(&o);
    o.zstd_level = c == 2 ? 1 : 0;
    return tt_texture_write_memory_opts(c == 0 ? TT_CONTAINER_DDS : TT_CONTAINER_KTX2, t, &o, out, n);
}

/* Two textures hold the same thing: size, metadata, levels and blocks. */
static inline void tt_fuzz_check_same(const tt_texture *a, const tt_texture *b)
{
    TT_FUZZ_ASSERT(a->width == b->width && a->height == b->height && a->srgb == b->srgb);
    TT_FUZZ_ASSERT(a->premultiplied == b->premultiplied && a->level_count == b->level_count);
    TT_FUZZ_ASSERT(memcmp(a->levels, b->levels, sizeof a->levels) == 0);
    TT_FUZZ_ASSERT(a->data_size == b->data_size && memcmp(a->data, b->data, a->data_size) == 0);
}

/* What every accepted texture must satisfy: levels by the floor rule laid
 * out one after the other, a decodable payload, and a lossless write/read
 * round trip through DDS, KTX2 and KTX2 with Zstandard. */
static inline void tt_fuzz_check_texture(const tt_texture *t)
{
    TT_FUZZ_ASSERT(t->data != NULL);
    TT_FUZZ_ASSERT(t->srgb == 0 || t->srgb == 1);
    TT_FUZZ_ASSERT(t->premultiplied == 0 || t->premultiplied == 1);
    TT_FUZZ_ASSERT(t->supercompression == 0 || t->supercompression == 2);
    TT_FUZZ_ASSERT(t->level_count >= 1 && t->level_count <= TT_MAX_LEVELS);
    size_t offset = 0;
    uint64_t pixels = 0;
    for (uint32_t i = 0; i < t->level_count; i++) {
        uint32_t w = t->width >> i ? t->width >> i : 1, h = t->height >> i ? t->height >> i : 1;
        size_t want = 0;
        TT_FUZZ_ASSERT(tt_bc7_data_size(w, h, "fuzz", &want) == TT_OK);
        TT_FUZZ_ASSERT(t->levels[i].width == w && t->levels[i].height == h);
        TT_FUZZ_ASSERT(t->levels[i].offset == offset && t->levels[i].size == want);
        offset += want;
        pixels += (uint64_t)w * h;
    }
    /* No level beyond 1 x 1. */
    TT_FUZZ_ASSERT(t->level_count == 1 || t->levels[t->level_count - 2].width > 1 ||
                   t->levels[t->level_count - 2].height > 1);
    TT_FUZZ_ASSERT(t->data_size == offset);

    if (pixels <= TT_FUZZ_DECODE_MAX_PIXELS)
        for (uint32_t i = 0; i < t->level_count; i++) {
            tt_image img;
            TT_FUZZ_ASSERT(tt_texture_decode(t, i, &img) == TT_OK);
            tt_image_free(&img);
        }
    if (t->data_size > TT_FUZZ_ROUNDTRIP_MAX_BYTES) return;
    for (int c = 0; c < 3; c++) {
        if (c == 2 && t->data_size > TT_FUZZ_ZSTD_MAX_BYTES) break;
        uint8_t *file = NULL;
        size_t n = 0;
        tt_status s = tt_fuzz_write_container(c, t, &file, &n);
        TT_FUZZ_ASSERT(s == TT_OK);
        tt_texture back;
        s = tt_fuzz_read_container(c == 0 ? TT_CONTAINER_DDS : TT_CONTAINER_KTX2, file, n, &back);
        TT_FUZZ_ASSERT(s == TT_OK);
        tt_fuzz_check_same(t, &back);
        TT_FUZZ_ASSERT(back.supercompression == (c == 2 ? 2u : 0u));
        tt_texture_free(&back);
        free(file);
    }
}

/* The loader's header-first path (tt_*_parse on the smallest prefix it may
 * pass, then on the prefix the header asks for) ends exactly as the
 * whole-buffer reader did. */
static inline void tt_fuzz_check_header_first(tt_container c, const uint8_t *data, size_t size, tt_status want,
                                              const tt_texture *whole)
{
    size_t head = c == TT_CONTAINER_DDS ? 148 : 80 + 32 * 24;
    if (head > size) head = size;
    tt_texture t;
    size_t need = 0;
    tt_status s = c == TT_CONTAINER_DDS ? tt_dds_parse(data, head, size, "fuzz", &t, &need)
                                        : tt_ktx2_parse(data, head, size, "fuzz", &t, &need);
    if (s == TT_OK && !t.data) {
        TT_FUZZ_ASSERT(need > head && need <= size);
        s = c == TT_CONTAINER_DDS ? tt_dds_parse(data, need, size, "fuzz", &t, &need)
                                  : tt_ktx2_parse(data, need, size, "fuzz", &t, &need);
        TT_FUZZ_ASSERT(s != TT_OK || t.data != NULL);
    }
    TT_FUZZ_ASSERT(s == want);
    if (s == TT_OK) {
        tt_fuzz_check_same(whole, &t);
        TT_FUZZ_ASSERT(t.supercompression == whole->supercompression);
        tt_texture_free(&t);
    } else {
        TT_FUZZ_ASSERT(t.data == NULL);
    }
}

/* Arrays and cube maps: one image picked by the input's last two bytes (layer 0..7, face 0..5 or none), read as
 * the CLI's --layer/--face read it: refused cleanly, or a valid texture inside the file's shape. */
static inline void tt_fuzz_pick(tt_container c, const uint8_t *data, size_t size)
{
    if (size < 2) return;
    tt_texture_pick pick = {data[size - 1] % 8, data[size - 2] % 7 == 6 ? -1 : data[size - 2] % 7};
    tt_texture t;
    tt_texture_shape shape;
    tt_status s = c == TT_CONTAINER_DDS ? tt_dds_parse_pick(data, size, size, "fuzz", &pick, &t, NULL, &shape)
                                        : tt_ktx2_parse_pick(data, size, size, "fuzz", &pick, &t, NULL, &shape);
    tt_fuzz_check_status(s);
    if (s != TT_OK) {
        TT_FUZZ_ASSERT(t.data == NULL);
        return;
    }
    TT_FUZZ_ASSERT(pick.layer < shape.layers && (pick.face < 0 ? shape.faces == 1 : pick.face < shape.faces));
    TT_FUZZ_ASSERT(shape.levels == t.level_count);
    tt_fuzz_check_texture(&t);
    tt_texture_free(&t);
}

static inline int tt_fuzz_container(tt_container c, const uint8_t *data, size_t size)
{
    tt_fuzz_pick(c, data, size);
    tt_texture t;
    tt_status s = tt_fuzz_read_container(c, data, size, &t);
    tt_fuzz_check_status(s);
    tt_fuzz_check_header_first(c, data, size, s, &t);
    if (s != TT_OK) {
        TT_FUZZ_ASSERT(t.data == NULL);
        return 0;
    }
    tt_fuzz_check_texture(&t);
    /* The public reader, choosing the container by its magic, ends the same. */
    tt_texture any;
    s = tt_texture_read_memory(data, size, "fuzz", &any);
    TT_FUZZ_ASSERT(s == TT_OK);
    tt_fuzz_check_same(&t, &any);
    TT_FUZZ_ASSERT(any.supercompression == t.supercompression);
    tt_texture_free(&any);
    tt_texture_free(&t);
    return 0;
}

static inline int tt_fuzz_dds(const uint8_t *data, size_t size) { return tt_fuzz_container(TT_CONTAINER_DDS, data, size); }
static inline int tt_fuzz_ktx2(const uint8_t *data, size_t size) { return tt_fuzz_container(TT_CONTAINER_KTX2, data, size); }

/* ---- one BC7 block -------------------------------------------------------- */
static inline int tt_fuzz_bc7_block(const uint8_t *data, size_t size)
{
    tt_bc7_block blk;
    memset(&blk, 0, sizeof blk);
    memcpy(blk.b, data, size < 16 ? size : 16);

    /* The mode is the lowest set bit of byte 0 (BPTC spec); none = reserved. */
    int want_mode = -1;
    for (int k = 0; k < 8; k++)
        if (blk.b[0] & (1u << k)) {
            want_mode = k;
            break;
        }
    uint8_t px[16][4];
    memset(px, 0xA5, sizeof px);
    int mode = tt_bc7_decode_block(&blk, px);
    TT_FUZZ_ASSERT(mode == want_mode);
    if (mode < 0)
        for (int t = 0; t < 16; t++) TT_FUZZ_ASSERT(px[t][0] == 0 && px[t][1] == 0 && px[t][2] == 0 && px[t][3] == 0);

    /* Mode 6: unpack -> pack is the identity, and the fields decode (through
     * the encoder's own loss function) to exactly what the decoder produced. */
    tt_bc7_mode6 m;
    tt_status s = tt_bc7_unpack_mode6(&blk, &m);
    TT_FUZZ_ASSERT((s == TT_OK) == (mode == 6));
    if (s == TT_OK) {
        tt_bc7_block again;
        tt_bc7_pack_mode6(&m, &again);
        TT_FUZZ_ASSERT(memcmp(again.b, blk.b, 16) == 0);
        TT_FUZZ_ASSERT(tt_bc7_mode6_sse(&m, px) == 0);
    } else {
        tt_clear_error();
    }

    /* Any mode-6 field values (the bytes read as fields) pack into a block
     * that decodes as mode 6 to the colours the fields describe, whether or
     * not pack had to swap the endpoints to keep the anchor's MSB zero. */
    tt_bc7_mode6 f;
    for (int j = 0; j < 2; j++)
        for (int c = 0; c < 4; c++) f.e[j][c] = blk.b[j * 4 + c] & 0x7F;
    f.p[0] = blk.b[0] >> 7;
    f.p[1] = blk.b[1] >> 7;
    for (int t = 0; t < 16; t++) f.idx[t] = (blk.b[8 + t / 2] >> (4 * (t & 1))) & 15;
    tt_bc7_block packed;
    tt_bc7_pack_mode6(&f, &packed);
    uint8_t px6[16][4];
    TT_FUZZ_ASSERT(tt_bc7_decode_block(&packed, px6) == 6);
    TT_FUZZ_ASSERT(tt_bc7_mode6_sse(&f, px6) == 0);
    tt_bc7_mode6 f2;
    TT_FUZZ_ASSERT(tt_bc7_unpack_mode6(&packed, &f2) == TT_OK);
    TT_FUZZ_ASSERT(f2.idx[0] < 8 && tt_bc7_mode6_sse(&f2, px6) == 0);
    return 0;
}

/* ---- .tnx neural models (incl. the PNG/JPEG latent planes) --------------- */
/* Most random mutations only break a CRC; to reach the parsers behind it, the
 * target also parses a copy with every CRC recomputed. */
static inline void tt_fuzz_tnx_fix_crcs(uint8_t *d, size_t size)
{
    if (size < 32) return;
    tt_put_le32(d + 28, tt_crc32(0, d, 28));
    size_t pos = 32;
    while (size - pos >= 12) {
        uint32_t len = tt_get_le32(d + pos + 4);
        if ((uint64_t)len > size - pos - 12) break;
        tt_put_le32(d + pos + 8 + len, tt_crc32(tt_crc32(0, d + pos, 4), d + pos + 8, len));
        pos += (size_t)len + 12;
    }
}

static inline void tt_fuzz_tnx_parse(const uint8_t *data, size_t size)
{
    tt_nn_model m;
    float *params = NULL;
    tt_tnx_info info;
    tt_status s = tt_tnx_decode(data, size, "fuzz.tnx", &m, &params, &info);
    tt_fuzz_check_status(s);
    if (s != TT_OK) {
        TT_FUZZ_ASSERT(params == NULL);
        return;
    }
    TT_FUZZ_ASSERT(params != NULL && m.enc != NULL && m.total > 0);
    TT_FUZZ_ASSERT(m.dec_offset + m.dec_count == m.total && m.enc_count == m.dec_offset);
    for (uint32_t i = 0; i < m.total; i++) TT_FUZZ_ASSERT(isfinite(params[i]));
    if (m.kind == TT_NN_KIND_LATENT) {
        /* The grids fill the encoder range exactly. (This call also makes the
         * static library link src/neural/latent_model.c, whose strong
         * tt_nn_latent_encoder() replaces the weak stub in nn_model.c;
         * without a reference to that file, kind 2 reads as unsupported.) */
        tt_latent_layout l;
        TT_FUZZ_ASSERT(tt_latent_layout_of(&m, &l) == TT_OK);
        TT_FUZZ_ASSERT(l.total == m.enc_count && l.features == m.enc_features);
    }
    if (m.enc->describe) {
        char text[512];
        m.enc->describe(&m, text, sizeof text);
    }
    /* The C reference must only touch what the layout promises. */
    if (m.total <= TT_FUZZ_TNX_MAX_FORWARD_PARAMS) {
        static const float at[3][2] = {{0.0f, 0.0f}, {0.37f, 0.81f}, {1.0f, 1.0f}};
        for (int k = 0; k < 3; k++) {
            float rgb[3];
            tt_nn_forward_ref(&m, params, at[k][0], at[k][1], rgb);
        }
    }
    /* Hash models re-saved in fp32 must load back bit-identical. */
    if (m.kind == TT_NN_KIND_HASH && m.total <= TT_FUZZ_TNX_MAX_FORWARD_PARAMS) {
        tt_nn_save_opts o = {.precision = TT_NN_FP32, .latent_codec = 0, .jpeg_quality = 0};
        uint8_t *file = NULL;
        size_t n = 0;
        s = tt_tnx_encode(&m, params, &o, &file, &n);
        TT_FUZZ_ASSERT(s == TT_OK);
        tt_nn_model m2;
        float *p2 = NULL;
        s = tt_tnx_decode(file, n, "fuzz-resaved.tnx", &m2, &p2, NULL);
        TT_FUZZ_ASSERT(s == TT_OK);
        TT_FUZZ_ASSERT(m2.total == m.total && m2.width == m.width && m2.height == m.height);
        TT_FUZZ_ASSERT(memcmp(p2, params, sizeof(float) * m.total) == 0);
        tt_nn_model_release(&m2);
        free(p2);
        free(file);
    }
    tt_nn_model_release(&m);
    free(params);
}

static inline int tt_fuzz_tnx(const uint8_t *data, size_t size)
{
    tt_fuzz_tnx_parse(data, size);
    uint8_t *copy = malloc(size ? size : 1);
    TT_FUZZ_ASSERT(copy != NULL);
    if (size) memcpy(copy, data, size);
    tt_fuzz_tnx_fix_crcs(copy, size);
    if (size == 0 || memcmp(copy, data, size) != 0) tt_fuzz_tnx_parse(copy, size);
    free(copy);
    return 0;
}

#endif
