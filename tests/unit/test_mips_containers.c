/* test_mips_containers.c - mip chains in DDS and KTX2 (plain and Zstandard), checked at the spec's byte offsets against hand-computed sizes; alpha mode and sRGB metadata; hostile level tables refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "core/tt_bytes.h"
#include "formats/tt_formats.h"
#include "tt_test.h"

/* Offsets from the specifications, written out here rather than taken from dds.c / ktx2.c:
 * DDS ("DDS_HEADER", "DDS_HEADER_DXT10", after the 4-byte magic): dwFlags 8, dwHeight 12, dwWidth 16,
 * dwPitchOrLinearSize 20, dwMipMapCount 28, dwCaps 108, dxgiFormat 128, miscFlags2 144, data 148.
 * KTX 2.0 ("File Structure"): levelCount 40, supercompressionScheme 44, dfdByteOffset 48, kvdByteOffset 56,
 * kvdByteLength 60, level index from 80, 24 bytes (byteOffset, byteLength, uncompressedByteLength) per level. */
#define DDS_DATA 148
#define DDSD_MIPMAPCOUNT 0x20000u
#define DDSCAPS_COMPLEX 0x8u
#define DDSCAPS_TEXTURE 0x1000u
#define DDSCAPS_MIPMAP 0x400000u

static uint32_t u32(const uint8_t *p, size_t off) { return tt_get_le32(p + off); }
static uint64_t u64(const uint8_t *p, size_t off) { return tt_get_le64(p + off); }
static uint64_t lvl(const uint8_t *f, uint32_t i, int field) { return u64(f, 80 + 24 * (size_t)i + 8 * (size_t)field); }
static void set_lvl(uint8_t *f, uint32_t i, int field, uint64_t v) { tt_put_le64(f + 80 + 24 * (size_t)i + 8 * (size_t)field, v); }

/* Level shapes by the floor rule, and ceil(w/4) * ceil(h/4) * 16 bytes, worked out by hand. */
typedef struct {
    uint32_t w, h;
    size_t bytes;
} shape;
typedef struct {
    uint32_t width, height, count;
    const shape *levels;
    size_t total;
} chain;

static const shape chain_1000x600[] = {
    {1000, 600, 600000}, {500, 300, 150000}, {250, 150, 38304}, {125, 75, 9728}, {62, 37, 2560},
    {31, 18, 640},       {15, 9, 192},       {7, 4, 32},        {3, 2, 16},      {1, 1, 16},
};
static const shape chain_5x3[] = {{5, 3, 32}, {2, 1, 16}, {1, 1, 16}};
static const shape chain_1x1[] = {{1, 1, 16}};
static const shape chain_4096x1[] = {
    {4096, 1, 16384}, {2048, 1, 8192}, {1024, 1, 4096}, {512, 1, 2048}, {256, 1, 1024}, {128, 1, 512}, {64, 1, 256},
    {32, 1, 128},     {16, 1, 64},     {8, 1, 32},      {4, 1, 16},     {2, 1, 16},     {1, 1, 16},
};
static const chain CHAINS[] = {
    {1000, 600, 10, chain_1000x600, 801488},
    {5, 3, 3, chain_5x3, 64},
    {1, 1, 1, chain_1x1, 16},
    {4096, 1, 13, chain_4096x1, 32784},
};

static unsigned rng_state = 0x9E3779B9u;
static unsigned rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* A texture of `count` levels of made-up blocks (distinct bytes in every level). */
static tt_texture make_chain(uint32_t w, uint32_t h, uint32_t count, int srgb, int premultiplied)
{
    tt_texture t;
    if (tt_bc7_texture_alloc_levels(&t, w, h, count, srgb, "test") != TT_OK) abort();
    for (size_t i = 0; i < t.data_size; i++) t.data[i] = (uint8_t)rnd();
    t.premultiplied = premultiplied;
    return t;
}

static void check_levels(const tt_texture *t, const chain *c, uint32_t count)
{
    CHECK_EQ_INT(t->level_count, count);
    size_t offset = 0;
    for (uint32_t i = 0; i < count && i < t->level_count; i++) {
        CHECK_EQ_INT(t->levels[i].width, c->levels[i].w);
        CHECK_EQ_INT(t->levels[i].height, c->levels[i].h);
        CHECK_EQ_INT(t->levels[i].size, c->levels[i].bytes);
        CHECK_EQ_INT(t->levels[i].offset, offset);
        offset += c->levels[i].bytes;
    }
    CHECK_EQ_INT(t->data_size, offset);
}

static void check_same(const tt_texture *a, const tt_texture *b)
{
    CHECK(b->data != NULL && a->width == b->width && a->height == b->height && a->srgb == b->srgb);
    CHECK_EQ_INT(b->level_count, a->level_count);
    CHECK_EQ_INT(b->premultiplied, a->premultiplied);
    CHECK_MSG(a->data_size == b->data_size && b->data && memcmp(a->data, b->data, a->data_size) == 0,
              "the blocks differ after the round trip (%zu vs %zu bytes)", a->data_size, b->data_size);
    for (uint32_t i = 0; i < a->level_count && i < TT_MAX_LEVELS; i++)
        CHECK(a->levels[i].width == b->levels[i].width && a->levels[i].height == b->levels[i].height &&
              a->levels[i].offset == b->levels[i].offset && a->levels[i].size == b->levels[i].size);
}

/* ---- DDS ------------------------------------------------------------------------------------------------------ */
static void check_dds_file(const uint8_t *f, size_t n, const tt_texture *t, const chain *c)
{
    CHECK_EQ_INT(n, DDS_DATA + c->total);
    if (n != DDS_DATA + c->total) return;
    CHECK(memcmp(f, "DDS ", 4) == 0);
    CHECK(u32(f, 8) & DDSD_MIPMAPCOUNT);
    CHECK_EQ_INT(u32(f, 12), c->height);
    CHECK_EQ_INT(u32(f, 16), c->width);
    CHECK_EQ_INT(u32(f, 20), c->levels[0].bytes); /* linear size: level 0 */
    CHECK_EQ_INT(u32(f, 28), c->count);
    CHECK_EQ_INT(u32(f, 108), c->count > 1 ? DDSCAPS_TEXTURE | DDSCAPS_COMPLEX | DDSCAPS_MIPMAP : DDSCAPS_TEXTURE);
    CHECK_EQ_INT(u32(f, 128), t->srgb ? 99 : 98);
    CHECK_EQ_INT(u32(f, 144), t->premultiplied ? 2 : 0); /* DDS_ALPHA_MODE_PREMULTIPLIED, else unknown */
    /* Level 0 first, each level right after the one before. */
    size_t pos = DDS_DATA;
    for (uint32_t i = 0; i < c->count; i++) {
        CHECK_MSG(memcmp(f + pos, t->data + t->levels[i].offset, c->levels[i].bytes) == 0, "DDS level %u", i);
        pos += c->levels[i].bytes;
    }
}

/* ---- KTX2 ----------------------------------------------------------------------------------------------------- */
/* The value of key `key` in the key/value data, or NULL. */
static const char *kv_value(const uint8_t *f, size_t n, const char *key)
{
    size_t pos = u32(f, 56), end = pos + u32(f, 60);
    if (end > n) return NULL;
    while (pos + 4 <= end) {
        uint32_t len = u32(f, pos);
        if (len > end - pos - 4) return NULL;
        const char *k = (const char *)f + pos + 4;
        size_t klen = strnlen(k, len);
        if (klen < len && strcmp(k, key) == 0) return k + klen + 1;
        pos += 4 + (len + 3) / 4 * 4;
    }
    return NULL;
}

static void check_ktx2_file(const uint8_t *f, size_t n, const tt_texture *t, const chain *c, int zstd_level)
{
    if (n < 80 + 24 * c->count) {
        CHECK(0);
        return;
    }
    CHECK_EQ_INT(u32(f, 12), t->srgb ? 146 : 145);
    CHECK_EQ_INT(u32(f, 20), c->width);
    CHECK_EQ_INT(u32(f, 24), c->height);
    CHECK_EQ_INT(u32(f, 40), c->count);
    CHECK_EQ_INT(u32(f, 44), zstd_level ? 2 : 0);
    uint32_t dfd = u32(f, 48);
    CHECK_EQ_INT(dfd, 80 + 24 * c->count); /* the DFD follows the level index */
    if (dfd + 44 > n) return;
    CHECK_EQ_INT(f[dfd + 12], 134);                          /* KHR_DF_MODEL_BC7 */
    CHECK_EQ_INT(f[dfd + 14], t->srgb ? 2 : 1);              /* KHR_DF_TRANSFER_SRGB / LINEAR */
    CHECK_EQ_INT(f[dfd + 15], t->premultiplied ? 1 : 0);     /* KHR_DF_FLAG_ALPHA_PREMULTIPLIED */
    CHECK_EQ_INT(f[dfd + 20], 16);                           /* bytesPlane0 kept when supercompressed */
    const char *sc = kv_value(f, n, "KTXwriterScParams");
    if (zstd_level) {
        char want[32];
        snprintf(want, sizeof want, "--zstd %d", zstd_level);
        CHECK_MSG(sc && strcmp(sc, want) == 0, "KTXwriterScParams is '%s'", sc ? sc : "(none)");
    } else {
        CHECK(sc == NULL);
    }
    uint64_t meta_end = (uint64_t)u32(f, 56) + u32(f, 60);
    uint8_t *buf = malloc(c->levels[0].bytes);
    for (uint32_t i = 0; i < c->count; i++) {
        uint64_t off = lvl(f, i, 0), len = lvl(f, i, 1), ulen = lvl(f, i, 2);
        CHECK_EQ_INT(ulen, c->levels[i].bytes);
        CHECK(off >= meta_end && off <= n && len <= n - off);
        if (off > n || len > n - off) continue;
        /* "Mip Level Array": smallest first, so level i + 1 lies before level i; level 0 ends the file. */
        if (i + 1 < c->count) CHECK_MSG(lvl(f, i + 1, 0) < off, "level %u is not before level %u", i + 1, i);
        if (i == 0) CHECK_EQ_INT(off + len, n);
        if (zstd_level) {
            /* Alignment 1: each level follows the one smaller than it with no padding. */
            if (i + 1 < c->count) CHECK_EQ_INT(off, lvl(f, i + 1, 0) + lvl(f, i + 1, 1));
            else CHECK_EQ_INT(off, meta_end);
            size_t got = ZSTD_decompress(buf, c->levels[i].bytes, f + off, len);
            CHECK_MSG(!ZSTD_isError(got) && got == c->levels[i].bytes, "level %u inflates to %zu", i, got);
            CHECK(memcmp(buf, t->data + t->levels[i].offset, c->levels[i].bytes) == 0);
            CHECK_EQ_INT(ZSTD_getFrameContentSize(f + off, len), c->levels[i].bytes);
        } else {
            CHECK_EQ_INT(off % 16, 0); /* lcm(texel block size 16, 4) */
            CHECK_EQ_INT(len, c->levels[i].bytes);
            CHECK(memcmp(f + off, t->data + t->levels[i].offset, c->levels[i].bytes) == 0);
            for (uint64_t p = (i + 1 < c->count ? lvl(f, i + 1, 0) + lvl(f, i + 1, 1) : meta_end); p < off; p++)
                CHECK_EQ_INT(f[p], 0); /* mipPadding */
        }
    }
    free(buf);
}

/* Round trips of every chain through DDS, KTX2 and KTX2 + Zstandard 1 and 19. */
static void test_round_trips(void)
{
    for (size_t k = 0; k < sizeof CHAINS / sizeof *CHAINS; k++) {
        const chain *c = &CHAINS[k];
        CHECK_EQ_INT(tt_container_full_levels(c->width, c->height), c->count);
        int srgb = (int)(k & 1), premul = (int)(k >> 1 & 1);
        tt_texture t = make_chain(c->width, c->height, c->count, srgb, premul);
        check_levels(&t, c, c->count);
        static const int modes[] = {-1, 0, 1, 19}; /* -1 = DDS, else the KTX2 zstd level */
        for (size_t m = 0; m < sizeof modes / sizeof *modes; m++) {
            uint8_t *f = NULL;
            size_t n = 0;
            tt_save_options o;
            tt_save_options_init(&o);
            o.zstd_level = modes[m] < 0 ? 0 : modes[m];
            tt_container ct = modes[m] < 0 ? TT_CONTAINER_DDS : TT_CONTAINER_KTX2;
            tt_status s = tt_texture_write_memory_opts(ct, &t, &o, &f, &n);
            CHECK_MSG(s == TT_OK, "%ux%u mode %d: %s", c->width, c->height, modes[m], tt_last_error());
            if (s != TT_OK) continue;
            if (ct == TT_CONTAINER_DDS) check_dds_file(f, n, &t, c);
            else check_ktx2_file(f, n, &t, c, o.zstd_level);
            uint8_t *exact = malloc(n); /* an exact-size copy, so ASan sees any overread */
            memcpy(exact, f, n);
            tt_texture back;
            s = tt_texture_read_memory(exact, n, "rt", &back);
            CHECK_MSG(s == TT_OK, "%ux%u mode %d: %s", c->width, c->height, modes[m], tt_last_error());
            if (s == TT_OK) {
                check_same(&t, &back);
                check_levels(&back, c, c->count);
                CHECK_EQ_INT(back.supercompression, o.zstd_level ? 2 : 0);
            }
            tt_texture_free(&back);
            free(exact);
            free(f);
        }
        tt_texture_free(&t);
    }
    /* DDS may hold a shorter chain than the full one; so may KTX2. */
    const chain *c = &CHAINS[0];
    tt_texture t = make_chain(1000, 600, 4, 0, 0);
    check_levels(&t, c, 4);
    for (int ct = 0; ct < 2; ct++) {
        uint8_t *f = NULL;
        size_t n = 0;
        CHECK_EQ_INT(tt_texture_write_memory((tt_container)ct, &t, &f, &n), TT_OK);
        if (ct == 0) CHECK_EQ_INT(n, DDS_DATA + 600000 + 150000 + 38304 + 9728);
        CHECK_EQ_INT(u32(f, ct == 0 ? 28 : 40), 4);
        tt_texture back;
        CHECK_EQ_INT(tt_texture_read_memory(f, n, "short", &back), TT_OK);
        check_same(&t, &back);
        tt_texture_free(&back);
        free(f);
    }
    tt_texture_free(&t);
}

/* ---- Zstandard on encoded blocks ------------------------------------------------------------------------------ */
/* 2x2 box filter by the floor rule (a test-local stand-in for the mip builder). */
static tt_image half(const tt_image *a)
{
    tt_image b;
    uint32_t w = a->width > 1 ? a->width / 2 : 1, h = a->height > 1 ? a->height / 2 : 1;
    if (tt_image_alloc(&b, w, h) != TT_OK) abort();
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++)
            for (int ch = 0; ch < 4; ch++) {
                unsigned sum = 0;
                for (int dy = 0; dy < 2; dy++)
                    for (int dx = 0; dx < 2; dx++) {
                        uint32_t sx = 2 * x + dx < a->width ? 2 * x + dx : a->width - 1;
                        uint32_t sy = 2 * y + dy < a->height ? 2 * y + dy : a->height - 1;
                        sum += a->rgba[((size_t)sy * a->width + sx) * 4 + ch];
                    }
                b.rgba[((size_t)y * w + x) * 4 + ch] = (uint8_t)((sum + 2) / 4);
            }
    return b;
}

/* A 256x256 crop of samples/sample.png (or, without it, a synthetic picture) with its chain, encoded on the CPU. */
static int encoded_sample(tt_texture *out)
{
    tt_image full = {0}, img;
    char path[1024];
    const char *dir = getenv("TT_SAMPLES");
    snprintf(path, sizeof path, "%s/sample.png", dir ? dir : "samples");
    if (tt_image_alloc(&img, 256, 256) != TT_OK) return 0;
    if (tt_image_load(path, NULL, &full) == TT_OK && full.width >= 256 && full.height >= 256) {
        uint32_t x0 = (full.width - 256) / 2, y0 = (full.height - 256) / 2;
        for (uint32_t y = 0; y < 256; y++)
            memcpy(img.rgba + (size_t)y * 256 * 4, full.rgba + ((size_t)(y0 + y) * full.width + x0) * 4, 256 * 4);
        printf("zstd test on a 256x256 crop of %s\n", path);
    } else {
        for (uint32_t y = 0; y < 256; y++)
            for (uint32_t x = 0; x < 256; x++) {
                uint8_t *p = img.rgba + ((size_t)y * 256 + x) * 4;
                p[0] = (uint8_t)x;
                p[1] = (uint8_t)(y ^ (x >> 3));
                p[2] = (uint8_t)((x * y) >> 8);
                p[3] = 255;
            }
        printf("zstd test on a synthetic 256x256 picture (%s not readable)\n", path);
    }
    tt_image_free(&full);
    tt_image levels[TT_MAX_LEVELS];
    uint32_t count = 9;
    levels[0] = img;
    for (uint32_t i = 1; i < count; i++) levels[i] = half(&levels[i - 1]);
    tt_bc7_config cfg;
    tt_bc7_config_init(&cfg);
    tt_bc7_config_preset(&cfg, TT_BC7_PRESET_FASTEST);
    tt_status s = tt_bc7_encode_levels_cpu(levels, count, &cfg, out);
    for (uint32_t i = 0; i < count; i++) tt_image_free(&levels[i]);
    CHECK_MSG(s == TT_OK, "%s", tt_last_error());
    return s == TT_OK;
}

static void test_zstd_smaller(void)
{
    tt_texture t;
    if (!encoded_sample(&t)) return;
    CHECK_EQ_INT(t.level_count, 9);
    uint8_t *plain = NULL, *z1 = NULL, *z19 = NULL;
    size_t np = 0, n1 = 0, n19 = 0;
    tt_save_options o;
    tt_save_options_init(&o);
    CHECK_EQ_INT(tt_texture_write_memory_opts(TT_CONTAINER_KTX2, &t, &o, &plain, &np), TT_OK);
    o.zstd_level = 1;
    CHECK_EQ_INT(tt_texture_write_memory_opts(TT_CONTAINER_KTX2, &t, &o, &z1, &n1), TT_OK);
    o.zstd_level = 19;
    CHECK_EQ_INT(tt_texture_write_memory_opts(TT_CONTAINER_KTX2, &t, &o, &z19, &n19), TT_OK);
    printf("KTX2 of %zu bytes of BC7: plain %zu, zstd 1 %zu (%.1f%%), zstd 19 %zu (%.1f%%)\n", t.data_size, np, n1,
           100.0 * n1 / np, n19, 100.0 * n19 / np);
    CHECK(n1 < np);
    CHECK(n19 < np);
    CHECK(n19 <= n1);
    uint8_t *files[3] = {plain, z1, z19};
    size_t sizes[3] = {np, n1, n19};
    for (int k = 0; k < 3; k++) {
        tt_texture back;
        CHECK_EQ_INT(files[k] ? tt_texture_read_memory(files[k], sizes[k], "z", &back) : TT_ERR_IO, TT_OK);
        if (files[k]) check_same(&t, &back);
        tt_texture_free(&back);
        free(files[k]);
    }
    /* Determinism: the same input gives the same file. */
    uint8_t *again = NULL;
    size_t na = 0;
    CHECK_EQ_INT(tt_texture_write_memory_opts(TT_CONTAINER_KTX2, &t, &o, &again, &na), TT_OK);
    CHECK_EQ_INT(na, n19);
    free(again);
    tt_texture_free(&t);
}

/* ---- metadata ------------------------------------------------------------------------------------------------- */
static void test_alpha_modes(void)
{
    tt_texture t = make_chain(20, 12, 5, 1, 1);
    uint8_t *f = NULL;
    size_t n = 0;
    CHECK_EQ_INT(tt_dds_write_memory(&t, &f, &n), TT_OK);
    CHECK_EQ_INT(u32(f, 144), 2);
    tt_texture back;
    /* DDS alpha modes (DDS_ALPHA_MODE_*): only 2 is premultiplied; the high bits of miscFlags2 are not the mode. */
    static const uint32_t modes[][2] = {{0, 0}, {1, 0}, {2, 1}, {3, 0}, {4, 0}, {0x10002u, 1}, {0x10001u, 0}};
    for (size_t k = 0; k < sizeof modes / sizeof *modes; k++) {
        tt_put_le32(f + 144, modes[k][0]);
        CHECK_EQ_INT(tt_dds_read_memory(f, n, "a.dds", &back), TT_OK);
        CHECK_MSG(back.premultiplied == (int)modes[k][1], "miscFlags2 0x%x", modes[k][0]);
        CHECK_EQ_INT(back.srgb, 1);
        CHECK_EQ_INT(back.supercompression, 0);
        tt_texture_free(&back);
    }
    free(f);
    for (int z = 0; z < 2; z++) {
        CHECK_EQ_INT(tt_ktx2_write_memory_zstd(&t, z ? 3 : 0, &f, &n), TT_OK);
        uint32_t dfd = u32(f, 48);
        CHECK_EQ_INT(f[dfd + 15], 1);
        CHECK_EQ_INT(tt_ktx2_read_memory(f, n, "a.ktx2", &back), TT_OK);
        CHECK_EQ_INT(back.premultiplied, 1);
        CHECK_EQ_INT(back.supercompression, z ? 2 : 0);
        tt_texture_free(&back);
        f[dfd + 15] = 0; /* straight */
        CHECK_EQ_INT(tt_ktx2_read_memory(f, n, "a.ktx2", &back), TT_OK);
        CHECK_EQ_INT(back.premultiplied, 0);
        tt_texture_free(&back);
        free(f);
    }
    /* Straight alpha: DDS alpha mode stays unknown (0), the DFD flag 0. */
    t.premultiplied = 0;
    CHECK_EQ_INT(tt_dds_write_memory(&t, &f, &n), TT_OK);
    CHECK_EQ_INT(u32(f, 144), 0);
    free(f);
    CHECK_EQ_INT(tt_ktx2_write_memory(&t, &f, &n), TT_OK);
    CHECK_EQ_INT(f[u32(f, 48) + 15], 0);
    free(f);
    tt_texture_free(&t);
}

/* ---- hostile files -------------------------------------------------------------------------------------------- */
/* Reads an exact-size copy of m[0..n) and checks the status, and that a refusal names the file in one line and
 * leaves nothing allocated. */
static void expect_read(const uint8_t *m, size_t n, const char *name, tt_status want, const char *text,
                        const char *what)
{
    uint8_t *copy = malloc(n ? n : 1);
    if (n) memcpy(copy, m, n);
    tt_texture r;
    tt_status s = tt_texture_read_memory(copy, n, name, &r);
    CHECK_MSG(s == want, "%s: status %d, want %d (%s)", what, (int)s, (int)want, tt_last_error());
    if (s != TT_OK) {
        const char *e = tt_last_error();
        CHECK_MSG(r.data == NULL && r.level_count == 0, "%s: refused but left data", what);
        CHECK_MSG(strstr(e, name) != NULL && strchr(e, '\n') == NULL, "%s: message '%s'", what, e);
        if (text) CHECK_MSG(strstr(e, text) != NULL, "%s: '%s' lacks '%s'", what, e, text);
    }
    tt_texture_free(&r);
    free(copy);
}

static void test_hostile_dds(void)
{
    tt_texture t = make_chain(20, 12, 5, 0, 0); /* 20x12 10x6 5x3 2x1 1x1: 240 + 96 + 32 + 16 + 16 = 400 bytes */
    uint8_t *f = NULL;
    size_t n = 0;
    CHECK_EQ_INT(tt_dds_write_memory(&t, &f, &n), TT_OK);
    CHECK_EQ_INT(n, DDS_DATA + 400);
    for (size_t len = 0; len < n; len++) expect_read(f, len, "t.dds", TT_ERR_FORMAT, NULL, "truncated DDS");
    uint8_t *m = malloc(n + 64);
    memcpy(m, f, n);
    expect_read(m, n - 1, "t.dds", TT_ERR_FORMAT, "truncated", "one byte short");
    tt_put_le32(m + 28, 6); /* 20x12 has 5 levels */
    expect_read(m, n, "t.dds", TT_ERR_FORMAT, "mipMapCount 6", "mipMapCount beyond the chain");
    tt_put_le32(m + 28, 100);
    expect_read(m, n, "t.dds", TT_ERR_FORMAT, "mipMapCount 100", "mipMapCount 100");
    tt_put_le32(m + 28, 0xFFFFFFFFu);
    expect_read(m, n, "t.dds", TT_ERR_FORMAT, "mipMapCount", "mipMapCount 2^32-1");
    tt_put_le32(m + 28, 0); /* 0 = one level, as DirectXTex reads it */
    expect_read(m, n, "t.dds", TT_OK, NULL, "mipMapCount 0");
    tt_texture back;
    CHECK_EQ_INT(tt_dds_read_memory(m, n, "t.dds", &back), TT_OK);
    CHECK(back.level_count == 1 && back.data_size == 240 && memcmp(back.data, t.data, 240) == 0);
    tt_texture_free(&back);
    /* Four levels where five were written: the fifth's bytes are left over, which DDS readers allow. */
    tt_put_le32(m + 28, 4);
    CHECK_EQ_INT(tt_dds_read_memory(m, n, "t.dds", &back), TT_OK);
    CHECK(back.level_count == 4 && back.data_size == 384 && memcmp(back.data, t.data, 384) == 0);
    tt_texture_free(&back);
    /* A 1000x600 header over these 400 bytes, and the largest size over them. */
    memcpy(m, f, n);
    tt_put_le32(m + 12, 600);
    tt_put_le32(m + 16, 1000);
    tt_put_le32(m + 28, 10);
    expect_read(m, n, "t.dds", TT_ERR_FORMAT, "truncated", "1000x600 chain in 400 bytes");
    tt_put_le32(m + 12, 65536);
    tt_put_le32(m + 16, 65536);
    tt_put_le32(m + 28, 17);
    expect_read(m, n, "t.dds", TT_ERR_FORMAT, "truncated", "65536^2 chain in 400 bytes");
    free(m);
    free(f);
    tt_texture_free(&t);
}

/* A copy of f with one more Zstandard frame (of `src`, `len` bytes, with or without its content size) appended,
 * and level `level` of the index pointing at it. */
static uint8_t *splice_frame(const uint8_t *f, size_t n, uint32_t level, const uint8_t *src, size_t len,
                             int content_size, size_t *out_n)
{
    size_t bound = ZSTD_compressBound(len);
    uint8_t *m = malloc(n + bound);
    memcpy(m, f, n);
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, content_size);
    size_t z = ZSTD_compress2(cctx, m + n, bound, src, len);
    ZSTD_freeCCtx(cctx);
    if (ZSTD_isError(z)) abort();
    set_lvl(m, level, 0, n);
    set_lvl(m, level, 1, z);
    *out_n = n + z;
    return m;
}

static void test_hostile_ktx2(void)
{
    tt_texture t = make_chain(20, 12, 5, 0, 0); /* level bytes 240 96 32 16 16 */
    for (int z = 0; z < 2; z++) {
        uint8_t *f = NULL;
        size_t n = 0;
        CHECK_EQ_INT(tt_ktx2_write_memory_zstd(&t, z ? 5 : 0, &f, &n), TT_OK);
        const char *what = z ? "zstd KTX2" : "KTX2";
        for (size_t len = 0; len < n; len++) expect_read(f, len, "t.ktx2", TT_ERR_FORMAT, NULL, what);
        uint8_t *m = malloc(n);
#define RESET() memcpy(m, f, n)
        RESET();
        expect_read(m, n, "t.ktx2", TT_OK, NULL, what);
        /* Offsets and lengths past the end. */
        set_lvl(m, 2, 0, n);
        expect_read(m, n, "t.ktx2", TT_ERR_FORMAT, "level 2", "offset at EOF");
        set_lvl(m, 2, 0, UINT64_MAX - 4);
        expect_read(m, n, "t.ktx2", TT_ERR_FORMAT, "outside the file", "offset near 2^64");
        RESET();
        set_lvl(m, 0, 1, lvl(f, 0, 1) + 1);
        expect_read(m, n, "t.ktx2", TT_ERR_FORMAT, "level 0", "level 0 one byte past EOF");
        RESET();
        set_lvl(m, 3, 1, UINT64_MAX);
        expect_read(m, n, "t.ktx2", TT_ERR_FORMAT, "outside the file", "length 2^64-1");
        /* Overlapping levels: level 3 over level 4, level 1 over level 0, a level inside the header. */
        RESET();
        set_lvl(m, 3, 0, lvl(f, 4, 0));
        expect_read(m, n, "t.ktx2", TT_ERR_FORMAT, "overlap", "level 3 at level 4's offset");
        RESET();
        set_lvl(m, 1, 0, lvl(f, 0, 0) + 8);
        expect_read(m, n, "t.ktx2", TT_ERR_FORMAT, z ? NULL : "overlap", "level 1 inside level 0");
        RESET();
        set_lvl(m, 4, 0, 0);
        expect_read(m, n, "t.ktx2", TT_ERR_FORMAT, "overlaps the header", "level 4 at offset 0");
        RESET();
        set_lvl(m, 4, 0, u32(f, 48));
        expect_read(m, n, "t.ktx2", TT_ERR_FORMAT, "overlaps the header", "level 4 over the DFD");
        /* levelCount: beyond the chain, 2^32 - 1, one more than written (the index then runs into the DFD). */
        RESET();
        tt_put_le32(m + 40, 6);
        expect_read(m, n, "t.ktx2", TT_ERR_FORMAT, "levelCount 6", "levelCount 6 for a chain of 5");
        tt_put_le32(m + 40, 0xFFFFFFFFu);
        expect_read(m, n, "t.ktx2", TT_ERR_FORMAT, "levelCount", "levelCount 2^32-1");
        {
            tt_texture t4 = make_chain(20, 12, 4, 0, 0);
            uint8_t *f4 = NULL;
            size_t n4 = 0;
            CHECK_EQ_INT(tt_ktx2_write_memory_zstd(&t4, z ? 5 : 0, &f4, &n4), TT_OK);
            expect_read(f4, n4, "t.ktx2", TT_OK, NULL, "4 of 5 levels");
            tt_put_le32(f4 + 40, 5);
            expect_read(f4, n4, "t.ktx2", TT_ERR_FORMAT, "levelCount does not match", "levelCount 5 for 4 written");
            free(f4);
            tt_texture_free(&t4);
        }
        /* A 40x24 header over the 20x12 chain: 6 levels, and every size doubled. */
        RESET();
        tt_put_le32(m + 20, 40);
        tt_put_le32(m + 24, 24);
        expect_read(m, n, "t.ktx2", TT_ERR_FORMAT, "uncompressedByteLength", "40x24 header");
        /* uncompressedByteLength other than the level's size. */
        RESET();
        set_lvl(m, 1, 2, 96 + 16);
        expect_read(m, n, "t.ktx2", TT_ERR_FORMAT, "uncompressedByteLength", "uncompressedByteLength + 16");
        set_lvl(m, 1, 2, 0);
        expect_read(m, n, "t.ktx2", TT_ERR_FORMAT, "uncompressedByteLength", "uncompressedByteLength 0");
        /* Other supercompression schemes. */
        RESET();
        tt_put_le32(m + 44, 1);
        expect_read(m, n, "t.ktx2", TT_ERR_UNSUPPORTED, "BasisLZ", "scheme 1");
        tt_put_le32(m + 44, 3);
        expect_read(m, n, "t.ktx2", TT_ERR_UNSUPPORTED, "ZLIB", "scheme 3");
        tt_put_le32(m + 44, 0x10000u);
        expect_read(m, n, "t.ktx2", TT_ERR_UNSUPPORTED, "scheme 65536", "vendor scheme");
        if (!z) {
            /* byteLength must equal uncompressedByteLength without supercompression. */
            RESET();
            set_lvl(m, 0, 1, 224);
            expect_read(m, n, "t.ktx2", TT_ERR_FORMAT, "byteLength 224", "byteLength != uncompressedByteLength");
            /* Scheme 2 over plain blocks: not Zstandard frames. */
            RESET();
            tt_put_le32(m + 44, 2);
            expect_read(m, n, "t.ktx2", TT_ERR_FORMAT, "Zstandard", "scheme 2 over raw blocks");
        } else {
            /* Damaged frames: the magic, a byte inside (the frame checksum catches what decodes), a cut. */
            uint64_t off0 = lvl(f, 0, 0), len0 = lvl(f, 0, 1);
            RESET();
            m[off0] ^= 0x01;
            expect_read(m, n, "t.ktx2", TT_ERR_FORMAT, "not a Zstandard frame", "frame magic");
            for (uint64_t k = 6; k < len0; k++) {
                RESET();
                m[off0 + k] ^= 0x20;
                char w[64];
                snprintf(w, sizeof w, "level 0 byte %llu flipped", (unsigned long long)k);
                expect_read(m, n, "t.ktx2", TT_ERR_FORMAT, "level 0", w);
            }
            RESET();
            set_lvl(m, 0, 1, len0 - 1);
            expect_read(m, n, "t.ktx2", TT_ERR_FORMAT, "Zstandard", "frame cut by a byte");
            /* Frames of the wrong size: stated in the header (refused before allocating), or only found when
             * inflating. A frame without a stated size but the right bytes is fine. */
            uint8_t bytes[512];
            for (size_t k = 0; k < sizeof bytes; k++) bytes[k] = (uint8_t)(k * 7);
            size_t mn = 0;
            uint8_t *s1 = splice_frame(f, n, 1, bytes, 80, 1, &mn);
            expect_read(s1, mn, "t.ktx2", TT_ERR_FORMAT, "holds 80 bytes", "frame of 80 bytes for 96");
            free(s1);
            s1 = splice_frame(f, n, 1, bytes, 112, 0, &mn);
            expect_read(s1, mn, "t.ktx2", TT_ERR_FORMAT, "Zstandard", "unsized frame of 112 bytes for 96");
            free(s1);
            s1 = splice_frame(f, n, 1, bytes, 80, 0, &mn);
            expect_read(s1, mn, "t.ktx2", TT_ERR_FORMAT, "inflates to 80", "unsized frame of 80 bytes for 96");
            free(s1);
            s1 = splice_frame(f, n, 1, t.data + t.levels[1].offset, 96, 0, &mn);
            expect_read(s1, mn, "t.ktx2", TT_OK, NULL, "unsized frame of the right bytes");
            tt_texture back;
            CHECK_EQ_INT(tt_ktx2_read_memory(s1, mn, "t.ktx2", &back), TT_OK);
            CHECK(back.data && memcmp(back.data, t.data, t.data_size) == 0);
            tt_texture_free(&back);
            free(s1);
            /* Too few bytes to inflate to the level at all: refused before allocating. */
            RESET();
            set_lvl(m, 0, 1, 0);
            expect_read(m, n, "t.ktx2", TT_ERR_FORMAT, "cannot inflate", "empty level");
            /* Arrays are not read with Zstandard. */
            RESET();
            tt_put_le32(m + 32, 2);
            expect_read(m, n, "t.ktx2", TT_ERR_UNSUPPORTED, "array", "zstd array");
        }
#undef RESET
        free(m);
        free(f);
    }
    tt_texture_free(&t);

    /* A 4096x4096 header over the Zstandard frame of one block: 16 MiB cannot come from those few bytes, so
     * nothing is allocated for them. */
    tt_texture small = make_chain(1, 1, 1, 0, 0);
    uint8_t *f = NULL;
    size_t n = 0;
    CHECK_EQ_INT(tt_ktx2_write_memory_zstd(&small, 1, &f, &n), TT_OK);
    CHECK(lvl(f, 0, 1) < 100);
    tt_put_le32(f + 20, 4096);
    tt_put_le32(f + 24, 4096);
    set_lvl(f, 0, 2, (uint64_t)1024 * 1024 * 16);
    expect_read(f, n, "big.ktx2", TT_ERR_FORMAT, "cannot inflate", "16 MiB from a frame of a few bytes");
    free(f);
    tt_texture_free(&small);
}

/* The loader's header-first path on multi-level and Zstandard files: any prefix at least the header gives the
 * bytes still needed or the whole texture. */
static void test_header_first(void)
{
    tt_texture t = make_chain(64, 40, 7, 1, 1);
    for (int mode = 0; mode < 3; mode++) {
        uint8_t *f = NULL;
        size_t n = 0;
        CHECK_EQ_INT(mode == 0 ? tt_dds_write_memory(&t, &f, &n) : tt_ktx2_write_memory_zstd(&t, mode == 2 ? 9 : 0, &f, &n),
                     TT_OK);
        size_t head = mode == 0 ? 148 : 80 + 32 * 24;
        if (head > n) head = n;
        for (size_t avail = head; avail <= n; avail++) {
            tt_texture out;
            size_t need = 7;
            tt_status s = mode == 0 ? tt_dds_parse(f, avail, n, "p", &out, &need)
                                    : tt_ktx2_parse(f, avail, n, "p", &out, &need);
            CHECK_MSG(s == TT_OK, "mode %d avail %zu: %s", mode, avail, tt_last_error());
            if (out.data) {
                CHECK(need == 0);
                check_same(&t, &out);
                tt_texture_free(&out);
            } else {
                CHECK(need > avail && need <= n && out.width == 64 && out.height == 40 && out.srgb == 1);
            }
        }
        free(f);
    }
    /* And through files, with the save options. */
    char dir[512];
    snprintf(dir, sizeof dir, "%s/tt-mips-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir)) {
        CHECK(0);
        tt_texture_free(&t);
        return;
    }
    char p[600];
    snprintf(p, sizeof p, "%s/z.ktx2", dir);
    tt_save_options o;
    tt_save_options_init(&o);
    CHECK_EQ_INT(o.zstd_level, 0);
    o.zstd_level = 22;
    CHECK_EQ_INT(tt_texture_save_opts(p, TT_CONTAINER_KTX2, &t, &o), TT_OK);
    tt_texture back;
    CHECK_EQ_INT(tt_texture_load(p, NULL, &back), TT_OK);
    check_same(&t, &back);
    CHECK_EQ_INT(back.supercompression, 2);
    tt_texture_free(&back);
    unlink(p);
    snprintf(p, sizeof p, "%s/m.dds", dir);
    CHECK_EQ_INT(tt_texture_save_opts(p, TT_CONTAINER_DDS, &t, &o), TT_ERR_INVALID_ARG);
    CHECK(strstr(tt_last_error(), "m.dds") != NULL && strstr(tt_last_error(), "DDS") != NULL);
    CHECK(access(p, F_OK) != 0);
    o.zstd_level = 0;
    CHECK_EQ_INT(tt_texture_save_opts(p, TT_CONTAINER_DDS, &t, &o), TT_OK);
    CHECK_EQ_INT(tt_texture_load(p, NULL, &back), TT_OK);
    check_same(&t, &back);
    tt_texture_free(&back);
    unlink(p);
    rmdir(dir);
    tt_texture_free(&t);
}

int main(void)
{
    test_round_trips();
    test_zstd_smaller();
    test_alpha_modes();
    test_hostile_dds();
    test_hostile_ktx2();
    test_header_first();
    TT_TEST_END();
}
