/* test_dds.c - DDS (DX10) BC7 writer checked field by field against Microsoft's layout; reader survives truncation and mutation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/tt_bytes.h"
#include "formats/tt_formats.h"
#include "tt_test.h"
#include "tt_test_texture.h"

/* Offsets and values from Microsoft's "DDS_HEADER", "DDS_PIXELFORMAT" and
 * "DDS_HEADER_DXT10" pages, written out here rather than taken from dds.c. */
static uint32_t u32(const uint8_t *p, size_t off) { return tt_get_le32(p + off); }
static void put32(uint8_t *p, size_t off, uint32_t v) { tt_put_le32(p + off, v); }

static tt_texture make_texture(uint32_t w, uint32_t h, int srgb) { return tt_test_texture(w, h, srgb, 7, 3); }

static unsigned rng_state = 0x12345678u;
static unsigned rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static void test_header_fields(int srgb)
{
    tt_texture t = make_texture(5, 3, srgb); /* 2x1 blocks = 32 bytes */
    uint8_t *f = NULL;
    size_t n = 0;
    CHECK_EQ_INT(tt_dds_write_memory(&t, &f, &n), TT_OK);
    CHECK_EQ_INT(n, 4 + 124 + 20 + 32);
    if (!f || n < 180) return;
    CHECK(memcmp(f, "DDS ", 4) == 0);
    CHECK_EQ_INT(u32(f, 4), 124);                      /* dwSize */
    uint32_t flags = u32(f, 8);
    /* DDSD_CAPS 0x1, HEIGHT 0x2, WIDTH 0x4, PIXELFORMAT 0x1000, LINEARSIZE 0x80000 */
    CHECK_EQ_INT(flags & 0x81007u, 0x81007u);
    CHECK_EQ_INT(flags & 0x8u, 0);                     /* not DDSD_PITCH */
    CHECK_EQ_INT(u32(f, 12), 3);                       /* dwHeight */
    CHECK_EQ_INT(u32(f, 16), 5);                       /* dwWidth */
    CHECK_EQ_INT(u32(f, 20), 32);                      /* dwPitchOrLinearSize: bytes of level 0 */
    CHECK_EQ_INT(u32(f, 28), 1);                       /* dwMipMapCount: one level */
    CHECK_EQ_INT(u32(f, 76), 32);                      /* ddspf.dwSize */
    CHECK_EQ_INT(u32(f, 80), 0x4);                     /* DDPF_FOURCC */
    CHECK(memcmp(f + 84, "DX10", 4) == 0);             /* dwFourCC */
    CHECK_EQ_INT(u32(f, 108), 0x1000);                 /* dwCaps = DDSCAPS_TEXTURE (no MIPMAP|COMPLEX) */
    CHECK_EQ_INT(u32(f, 112), 0);                      /* dwCaps2: not a cube map / volume */
    CHECK_EQ_INT(u32(f, 128), srgb ? 99 : 98);         /* DXGI_FORMAT_BC7_UNORM(_SRGB) */
    CHECK_EQ_INT(u32(f, 132), 3);                      /* D3D10_RESOURCE_DIMENSION_TEXTURE2D */
    CHECK_EQ_INT(u32(f, 136), 0);                      /* miscFlag */
    CHECK_EQ_INT(u32(f, 140), 1);                      /* arraySize */
    CHECK_EQ_INT(u32(f, 144), 0);                      /* DDS_ALPHA_MODE_UNKNOWN: straight, no claim */
    for (size_t i = 32; i < 76; i += 4) CHECK_EQ_INT(u32(f, i), 0); /* dwReserved1 */
    CHECK(memcmp(f + 148, t.data, 32) == 0);

    tt_texture back;
    CHECK_EQ_INT(tt_dds_read_memory(f, n, "x.dds", &back), TT_OK);
    CHECK(back.width == 5 && back.height == 3 && back.srgb == srgb && back.data_size == 32);
    CHECK(back.data && memcmp(back.data, t.data, 32) == 0);
    tt_texture_free(&back);
    CHECK(back.data == NULL);

    /* Every truncation is refused; exact-size copies let ASan catch overreads. */
    for (size_t len = 0; len < n; len++) {
        uint8_t *cut = malloc(len ? len : 1);
        memcpy(cut, f, len);
        tt_texture r;
        tt_status s = tt_dds_read_memory(cut, len, "cut.dds", &r);
        CHECK_MSG(s != TT_OK, "truncation to %zu bytes accepted", len);
        CHECK(r.data == NULL);
        free(cut);
    }
    free(f);
    tt_texture_free(&t);
}

/* Sets the 32-bit field at `off` of a copy of file `f` and checks the
 * reader's status (and message, if `text`). */
static void mutate_and_expect(const uint8_t *f, size_t n, size_t off, uint32_t val, tt_status want,
                              const char *text)
{
    uint8_t *m = malloc(n);
    memcpy(m, f, n);
    put32(m, off, val);
    tt_texture r;
    tt_status s = tt_dds_read_memory(m, n, "x.dds", &r);
    CHECK_MSG(s == want, "offset %zu value %u: status %d (%s)", off, val, (int)s, tt_last_error());
    if (text)
        CHECK_MSG(strstr(tt_last_error(), text) != NULL, "'%s' lacks '%s'", tt_last_error(), text);
    tt_texture_free(&r);
    free(m);
}

static void test_refusals(void)
{
    tt_texture t = make_texture(8, 8, 0);
    uint8_t *f = NULL;
    size_t n = 0;
    CHECK_EQ_INT(tt_dds_write_memory(&t, &f, &n), TT_OK);
    uint8_t *m = malloc(n);
    tt_texture r;

    mutate_and_expect(f, n, 128, 71, TT_ERR_UNSUPPORTED, "x.dds: DXGI format 71 (BC1) is not BC7");
    mutate_and_expect(f, n, 128, 77, TT_ERR_UNSUPPORTED, "(BC3)");
    mutate_and_expect(f, n, 128, 12345, TT_ERR_UNSUPPORTED, "DXGI format 12345");
    mutate_and_expect(f, n, 84, 0x31545844u /* "DXT1" */, TT_ERR_UNSUPPORTED, "'DXT1'");
    mutate_and_expect(f, n, 80, 0x40 /* DDPF_RGB */, TT_ERR_UNSUPPORTED, "not BC7");
    mutate_and_expect(f, n, 0, 0x12345678u, TT_ERR_FORMAT, "not a DDS file");
    mutate_and_expect(f, n, 4, 100, TT_ERR_FORMAT, "header size");
    mutate_and_expect(f, n, 76, 24, TT_ERR_FORMAT, "pixel format size");
    mutate_and_expect(f, n, 16, 0, TT_ERR_FORMAT, "0x8");
    mutate_and_expect(f, n, 12, 0, TT_ERR_FORMAT, NULL);
    mutate_and_expect(f, n, 16, 65537, TT_ERR_FORMAT, "65537x8");
    mutate_and_expect(f, n, 12, 0xFFFFFFFFu, TT_ERR_FORMAT, NULL);
    mutate_and_expect(f, n, 132, 4, TT_ERR_UNSUPPORTED, "3D");
    mutate_and_expect(f, n, 132, 2, TT_ERR_UNSUPPORTED, "1D");
    mutate_and_expect(f, n, 132, 9, TT_ERR_FORMAT, NULL);
    mutate_and_expect(f, n, 140, 0, TT_ERR_FORMAT, "array size");
    /* Claimed size far beyond the data: refused before allocating 4 GiB. */
    memcpy(m, f, n);
    put32(m, 12, 65536);
    put32(m, 16, 65536);
    CHECK_EQ_INT(tt_dds_read_memory(m, n, "x.dds", &r), TT_ERR_FORMAT);
    CHECK(strstr(tt_last_error(), "truncated") != NULL);
    /* Typeless BC7 and sRGB are accepted. */
    mutate_and_expect(f, n, 128, 97, TT_OK, NULL);
    mutate_and_expect(f, n, 128, 99, TT_OK, NULL);
    memcpy(m, f, n);
    put32(m, 128, 99);
    CHECK_EQ_INT(tt_dds_read_memory(m, n, "x.dds", &r), TT_OK);
    CHECK_EQ_INT(r.srgb, 1);
    tt_texture_free(&r);

    /* mipMapCount levels are read (8x8: 64 + 16 + 16 + 16 bytes for the full chain of 4); array slices and
     * bytes after them are left alone. */
    uint8_t *big = malloc(n + 64);
    memcpy(big, f, n);
    memset(big + n, 0xEE, 64);
    put32(big, 28, 3);
    CHECK_EQ_INT(tt_dds_read_memory(big, n + 64, "x.dds", &r), TT_OK);
    CHECK_EQ_INT(r.level_count, 3);
    CHECK(r.data_size == 96 && memcmp(r.data, t.data, t.data_size) == 0);
    CHECK(r.levels[1].width == 4 && r.levels[1].height == 4 && r.levels[1].offset == 64 && r.levels[1].size == 16);
    CHECK(r.levels[2].width == 2 && r.levels[2].height == 2 && r.levels[2].offset == 80 && r.levels[2].size == 16);
    CHECK(r.data[64] == 0xEE && r.data[95] == 0xEE);
    tt_texture_free(&r);
    put32(big, 28, 4);
    CHECK_EQ_INT(tt_dds_read_memory(big, n + 64, "x.dds", &r), TT_OK);
    CHECK(r.level_count == 4 && r.data_size == 112);
    tt_texture_free(&r);
    put32(big, 28, 5); /* beyond 8x8's chain */
    CHECK_EQ_INT(tt_dds_read_memory(big, n + 64, "x.dds", &r), TT_ERR_FORMAT);
    CHECK(strstr(tt_last_error(), "mipMapCount 5") != NULL && r.data == NULL);
    put32(big, 28, 4);
    CHECK_EQ_INT(tt_dds_read_memory(big, n + 47, "x.dds", &r), TT_ERR_FORMAT); /* one byte short of 4 levels */
    CHECK(strstr(tt_last_error(), "truncated") != NULL);
    free(big);
    mutate_and_expect(f, n, 28, 2, TT_ERR_FORMAT, "truncated");
    mutate_and_expect(f, n, 28, 0, TT_OK, NULL); /* 0: one level */

    CHECK_EQ_INT(tt_dds_read_memory(NULL, 0, "x.dds", &r), TT_ERR_FORMAT);
    free(m);

    /* Writer refuses inconsistent textures. */
    uint8_t *o = NULL;
    size_t on = 0;
    t.data_size -= 1;
    CHECK_EQ_INT(tt_dds_write_memory(&t, &o, &on), TT_ERR_INVALID_ARG);
    t.data_size += 1;
    t.width = 0;
    CHECK_EQ_INT(tt_dds_write_memory(&t, &o, &on), TT_ERR_INVALID_ARG);
    t.width = 70000;
    CHECK_EQ_INT(tt_dds_write_memory(&t, &o, &on), TT_ERR_INVALID_ARG);
    CHECK(o == NULL);
    free(f);
    tt_texture_free(&t);
}

static void test_mutations(void)
{
    tt_texture t = make_texture(13, 9, 1);
    uint8_t *f = NULL;
    size_t n = 0;
    CHECK_EQ_INT(tt_dds_write_memory(&t, &f, &n), TT_OK);
    static const uint32_t extremes[] = {0, 1, 3, 4, 97, 98, 99, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu, 65536, 65537};
    int accepted = 0;
    for (int iter = 0; iter < 600; iter++) {
        /* Mutated copies are sometimes also shortened or extended. */
        size_t len = n;
        unsigned shape = rnd() % 8;
        if (shape == 0) len = rnd() % n;
        else if (shape == 1) len = n + rnd() % 64;
        uint8_t *m = malloc(len ? len : 1);
        memset(m, 0, len ? len : 1);
        memcpy(m, f, len < n ? len : n);
        int edits = 1 + rnd() % 4;
        for (int e = 0; e < edits && len >= 4; e++) {
            size_t pos = (rnd() % 4) ? rnd() % (148 < len ? 148 : len) : rnd() % len;
            if (rnd() % 2) m[pos] ^= (uint8_t)(1u << (rnd() % 8));
            else if (pos + 4 <= len) put32(m, pos & ~(size_t)3, extremes[rnd() % (sizeof extremes / sizeof *extremes)]);
        }
        tt_texture r;
        if (tt_dds_read_memory(m, len, "fuzz.dds", &r) == TT_OK) {
            accepted++;
            /* Every level by the floor rule, one after the other. */
            size_t expect = 0;
            CHECK(r.level_count >= 1 && r.level_count <= 17);
            for (uint32_t i = 0; i < r.level_count && i < 17; i++) {
                uint32_t w = r.width >> i ? r.width >> i : 1, h = r.height >> i ? r.height >> i : 1;
                size_t bytes = (size_t)((w + 3) / 4) * ((h + 3) / 4) * 16;
                CHECK(r.levels[i].width == w && r.levels[i].height == h && r.levels[i].offset == expect &&
                      r.levels[i].size == bytes);
                expect += bytes;
            }
            CHECK(r.width >= 1 && r.width <= 65536 && r.height >= 1 && r.height <= 65536);
            CHECK(r.data_size == expect && r.data != NULL);
            CHECK(148 + r.data_size <= len);
            tt_texture_free(&r);
        } else {
            CHECK(r.data == NULL && tt_last_error()[0] != '\0');
        }
        free(m);
    }
    printf("dds mutations: %d of 600 still parse\n", accepted);
    free(f);
    tt_texture_free(&t);
}

static void test_files(void)
{
    char dir[] = "/tmp/tt_test_dds_XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0);
        return;
    }
    char p[512];
    snprintf(p, sizeof p, "%s/a.dds", dir);
    tt_texture t = make_texture(17, 4, 0), back;
    CHECK_EQ_INT(tt_texture_save_as(p, TT_CONTAINER_DDS, &t), TT_OK);
    CHECK_EQ_INT(tt_texture_load(p, NULL, &back), TT_OK);
    CHECK(back.width == 17 && back.height == 4 && back.srgb == 0);
    CHECK(back.data_size == t.data_size && memcmp(back.data, t.data, t.data_size) == 0);
    tt_texture_free(&back);
    /* Same bytes as the in-memory writer. */
    uint8_t *mem = NULL, *disk = NULL;
    size_t mn = 0, dn = 0;
    CHECK_EQ_INT(tt_dds_write_memory(&t, &mem, &mn), TT_OK);
    CHECK_EQ_INT(tt_read_file(p, 0, &disk, &dn), TT_OK);
    CHECK(mn == dn && memcmp(mem, disk, mn) == 0);
    free(mem);
    free(disk);
    unlink(p);
    /* Not a texture. */
    snprintf(p, sizeof p, "%s/b.dds", dir);
    CHECK_EQ_INT(tt_write_file_atomic(p, "hello world", 11), TT_OK);
    CHECK_EQ_INT(tt_texture_load(p, NULL, &back), TT_ERR_FORMAT);
    CHECK(strstr(tt_last_error(), "b.dds") != NULL);
    unlink(p);
    snprintf(p, sizeof p, "%s/missing/c.dds", dir);
    CHECK_EQ_INT(tt_texture_save_as(p, TT_CONTAINER_DDS, &t), TT_ERR_IO);
    rmdir(dir);
    tt_texture_free(&t);

    tt_container c = TT_CONTAINER_KTX2;
    CHECK_EQ_INT(tt_container_from_path("out.dds", &c), 0);
    CHECK_EQ_INT(c, TT_CONTAINER_DDS);
    CHECK_EQ_INT(tt_container_from_path("dir.x/OUT.DDS", &c), 0);
    CHECK_EQ_INT(c, TT_CONTAINER_DDS);
    CHECK_EQ_INT(tt_container_from_path("a.b.KTX2", &c), 0);
    CHECK_EQ_INT(c, TT_CONTAINER_KTX2);
    CHECK_EQ_INT(tt_container_from_path("a.ktx", &c), -1);
    CHECK_EQ_INT(tt_container_from_path("a.png", &c), -1);
    CHECK_EQ_INT(tt_container_from_path("dds", &c), -1);
    CHECK_EQ_INT(tt_container_from_path("x.dds/file", &c), -1);
    CHECK_EQ_INT(tt_container_from_path(NULL, &c), -1);
}

/* Arrays and cube maps (DDS_HEADER_DXT10 arraySize, miscFlag DDS_RESOURCE_MISC_TEXTURECUBE 0x4): each image with
 * its whole chain, one after the other (Microsoft, "Programming Guide for DDS", texture arrays and cube maps). Here
 * 2 levels of 8x4 (32 + 16 bytes) per image, image k's bytes filled with k + 1. */
static void test_arrays(void)
{
    tt_texture t = tt_test_texture(8, 4, 0, 7, 3);
    CHECK(t.level_count == 1 && t.data_size == 32);
    tt_texture_free(&t);
    const size_t chain = 32 + 16;
    for (int cube = 0; cube < 2; cube++) {
        uint32_t layers = cube ? 2 : 3, images = layers * (cube ? 6 : 1);
        size_t n = 148 + images * chain;
        uint8_t *f = calloc(1, n);
        tt_texture one = tt_test_texture(8, 4, 0, 7, 3);
        uint8_t *w = NULL;
        size_t wn = 0;
        CHECK_EQ_INT(tt_dds_write_memory(&one, &w, &wn), TT_OK);
        memcpy(f, w, 148);
        free(w);
        tt_texture_free(&one);
        put32(f, 28, 2);                     /* dwMipMapCount */
        put32(f, 140, layers);               /* arraySize */
        if (cube) put32(f, 136, 0x4);        /* miscFlag TEXTURECUBE */
        for (uint32_t k = 0; k < images; k++) memset(f + 148 + k * chain, (int)(k + 1), chain);
        tt_texture r;
        CHECK_EQ_INT(tt_dds_read_memory(f, n, "a.dds", &r), TT_ERR_UNSUPPORTED);
        CHECK(strstr(tt_last_error(), cube ? "DDS cube map array (2 layers of 6 faces)" : "DDS array of 3 layers"));
        tt_texture_shape shape;
        tt_texture_pick pick = {layers - 1, cube ? 3 : -1};
        CHECK_EQ_INT(tt_dds_parse_pick(f, n, n, "a.dds", &pick, &r, NULL, &shape), TT_OK);
        CHECK(shape.levels == 2 && shape.layers == layers && shape.faces == (cube ? 6u : 1u));
        uint32_t k = (layers - 1) * (cube ? 6 : 1) + (cube ? 3 : 0);
        CHECK(r.level_count == 2 && r.data_size == chain && r.data[0] == k + 1 && r.data[chain - 1] == k + 1);
        tt_texture_free(&r);
        /* The header-first form asks for the prefix up to the picked image's end. */
        size_t need = 0;
        CHECK_EQ_INT(tt_dds_parse_pick(f, 148, n, "a.dds", &pick, &r, &need, NULL), TT_OK);
        CHECK(r.data == NULL && need == 148 + (k + 1) * chain);
        /* Beyond the file's layers or faces. */
        tt_texture_pick beyond = {layers, 0};
        CHECK_EQ_INT(tt_dds_parse_pick(f, n, n, "a.dds", &beyond, &r, NULL, NULL), TT_ERR_INVALID_ARG);
        /* One byte short of the last image: the header promises more than the file holds. */
        tt_texture_pick first = {0, 0};
        CHECK_EQ_INT(tt_dds_parse_pick(f, n - 1, n - 1, "a.dds", &first, &r, NULL, NULL), TT_ERR_FORMAT);
        CHECK(strstr(tt_last_error(), "DDS data truncated"));
        free(f);
    }
}

int main(void)
{
    test_header_fields(0);
    test_header_fields(1);
    test_refusals();
    test_mutations();
    test_files();
    test_arrays();
    TT_TEST_END();
}
