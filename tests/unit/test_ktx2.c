/* test_ktx2.c - KTX2 BC7 writer checked field by field against the KTX 2.0 spec and KDFS; reader survives truncation and mutation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/tt_bytes.h"
#include "formats/tt_formats.h"
#include "tt_test.h"
#include "tt_test_texture.h"

/* Offsets from the KTX 2.0 "File Structure" listing: identifier[12], nine
 * UInt32 (vkFormat .. supercompressionScheme) at 12..47, dfdByteOffset 48,
 * dfdByteLength 52, kvdByteOffset 56, kvdByteLength 60, sgdByteOffset 64
 * (UInt64), sgdByteLength 72 (UInt64), level index from 80. */
static uint32_t u32(const uint8_t *p, size_t off) { return tt_get_le32(p + off); }
static uint64_t u64(const uint8_t *p, size_t off) { return tt_get_le64(p + off); }
static void put32(uint8_t *p, size_t off, uint32_t v) { tt_put_le32(p + off, v); }
static void put64(uint8_t *p, size_t off, uint64_t v) { tt_put_le64(p + off, v); }

static tt_texture make_texture(uint32_t w, uint32_t h, int srgb) { return tt_test_texture(w, h, srgb, 11, 5); }

static unsigned rng_state = 0xC0FFEEu;
static unsigned rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* Runs a KTX validator on the file if one is installed (KTX-Software's
 * `ktx validate` or the older `ktx2check`); Debian 12 packages neither. */
static void external_validate(const uint8_t *f, size_t n)
{
    const char *tool = NULL;
    if (system("command -v ktx >/dev/null 2>&1") == 0) tool = "ktx validate";
    else if (system("command -v ktx2check >/dev/null 2>&1") == 0) tool = "ktx2check";
    if (!tool) {
        printf("no KTX validator installed: external validation skipped\n");
        return;
    }
    char path[] = "/tmp/tt_test_ktx2_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return;
    CHECK(write(fd, f, n) == (ssize_t)n);
    close(fd);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s %s", tool, path);
    int rc = system(cmd);
    CHECK_MSG(rc == 0, "%s rejected our file", tool);
    unlink(path);
}

static void test_header_fields(int srgb)
{
    tt_texture t = make_texture(5, 3, srgb); /* 2x1 blocks = 32 bytes */
    uint8_t *f = NULL;
    size_t n = 0;
    CHECK_EQ_INT(tt_ktx2_write_memory(&t, &f, &n), TT_OK);
    if (!f || n < 176) {
        CHECK(0);
        return;
    }
    static const uint8_t id[12] = {0xAB, 0x4B, 0x54, 0x58, 0x20, 0x32, 0x30, 0xBB, 0x0D, 0x0A, 0x1A, 0x0A};
    CHECK(memcmp(f, id, 12) == 0);
    CHECK_EQ_INT(u32(f, 12), srgb ? 146 : 145); /* VK_FORMAT_BC7_{SRGB,UNORM}_BLOCK */
    CHECK_EQ_INT(u32(f, 16), 1);                /* typeSize: 1 for _BLOCK formats */
    CHECK_EQ_INT(u32(f, 20), 5);                /* pixelWidth */
    CHECK_EQ_INT(u32(f, 24), 3);                /* pixelHeight */
    CHECK_EQ_INT(u32(f, 28), 0);                /* pixelDepth */
    CHECK_EQ_INT(u32(f, 32), 0);                /* layerCount: not an array */
    CHECK_EQ_INT(u32(f, 36), 1);                /* faceCount */
    CHECK_EQ_INT(u32(f, 40), 1);                /* levelCount (0 is not allowed for BC) */
    CHECK_EQ_INT(u32(f, 44), 0);                /* supercompressionScheme: none */

    uint32_t dfd_off = u32(f, 48), dfd_len = u32(f, 52), kvd_off = u32(f, 56), kvd_len = u32(f, 60);
    CHECK_EQ_INT(dfd_off, 80 + 24);             /* right after one level index entry */
    CHECK_EQ_INT(dfd_len, 44);                  /* 4 + 24 + 16 x 1 sample */
    CHECK_EQ_INT(u64(f, 64), 0);                /* sgdByteOffset */
    CHECK_EQ_INT(u64(f, 72), 0);                /* sgdByteLength */
    /* "dfdTotalSize != kvdByteOffset - dfdByteOffset: the file is invalid" */
    CHECK_EQ_INT(kvd_off - dfd_off, dfd_len);
    CHECK_EQ_INT(kvd_off % 4, 0);

    /* Level index: offset aligned to lcm(16, 4) = 16, lengths = 32, level
     * data runs to the end of the file. */
    uint64_t lo = u64(f, 80), ll = u64(f, 88), lu = u64(f, 96);
    CHECK_EQ_INT(lo % 16, 0);
    CHECK_EQ_INT(ll, 32);
    CHECK_EQ_INT(lu, 32);
    CHECK_EQ_INT(lo + ll, n);
    CHECK(lo >= (uint64_t)kvd_off + kvd_len);
    for (uint64_t i = (uint64_t)kvd_off + kvd_len; i < lo; i++) CHECK_EQ_INT(f[i], 0); /* mipPadding */
    CHECK(memcmp(f + lo, t.data, 32) == 0);

    /* Data Format Descriptor (KDFS basic block, BC7 section). */
    const uint8_t *d = f + dfd_off;
    CHECK_EQ_INT(u32(d, 0), 44);                /* dfdTotalSize == dfdByteLength */
    CHECK_EQ_INT(u32(d, 4), 0);                 /* vendorId 0 (Khronos), descriptorType 0 */
    CHECK_EQ_INT(u32(d, 8) & 0xFFFF, 2);        /* versionNumber: KHR_DF_VERSIONNUMBER_1_3 */
    CHECK_EQ_INT(u32(d, 8) >> 16, 40);          /* descriptorBlockSize = 24 + 16 */
    CHECK_EQ_INT(d[12], 134);                   /* colorModel KHR_DF_MODEL_BC7 */
    CHECK_EQ_INT(d[13], 1);                     /* colorPrimaries BT709 */
    CHECK_EQ_INT(d[14], srgb ? 2 : 1);          /* transferFunction SRGB / LINEAR */
    CHECK_EQ_INT(d[15], 0);                     /* flags: straight alpha */
    CHECK(d[16] == 3 && d[17] == 3 && d[18] == 0 && d[19] == 0); /* 4x4x1x1 texel block */
    CHECK(d[20] == 16 && d[21] == 0 && d[22] == 0 && d[23] == 0); /* bytesPlane0 = 16 */
    CHECK_EQ_INT(u32(d, 24), 0);                /* bytesPlane4..7 */
    CHECK_EQ_INT(u32(d, 28) & 0xFFFF, 0);       /* sample bitOffset 0 */
    CHECK_EQ_INT(d[30], 127);                   /* bitLength 128 - 1 */
    CHECK_EQ_INT(d[31], 0);                     /* channelType BC7_COLOR, no qualifier bits */
    CHECK_EQ_INT(u32(d, 32), 0);                /* samplePosition0..3 */
    CHECK_EQ_INT(u32(d, 36), 0);                /* sampleLower */
    CHECK_EQ_INT(u32(d, 40), 0xFFFFFFFFu);      /* sampleUpper */

    /* Key/value data: one pair, KTXwriter, NUL-terminated key and value,
     * padded to 4; "sum of ceil(len/4)*4 + 4n == kvdByteLength". */
    const uint8_t *kv = f + kvd_off;
    uint32_t kvlen = u32(kv, 0);
    static const char expect[] = "KTXwriter\0tinytex 0.1.0"; /* sizeof includes the final NUL */
    CHECK_EQ_INT(kvlen, sizeof expect);
    CHECK(memcmp(kv + 4, expect, sizeof expect) == 0);
    CHECK_EQ_INT(kvd_len, 4 + (kvlen + 3) / 4 * 4);

    external_validate(f, n);

    tt_texture back;
    CHECK_EQ_INT(tt_ktx2_read_memory(f, n, "x.ktx2", &back), TT_OK);
    CHECK(back.width == 5 && back.height == 3 && back.srgb == srgb && back.data_size == 32);
    CHECK(back.data && memcmp(back.data, t.data, 32) == 0);
    tt_texture_free(&back);

    for (size_t len = 0; len < n; len++) {
        uint8_t *cut = malloc(len ? len : 1);
        memcpy(cut, f, len);
        tt_texture r;
        tt_status s = tt_ktx2_read_memory(cut, len, "cut.ktx2", &r);
        CHECK_MSG(s != TT_OK, "truncation to %zu bytes accepted", len);
        CHECK(r.data == NULL);
        free(cut);
    }
    free(f);
    tt_texture_free(&t);
}

static void expect32(const uint8_t *f, size_t n, size_t off, uint32_t val, tt_status want, const char *text)
{
    uint8_t *m = malloc(n);
    memcpy(m, f, n);
    put32(m, off, val);
    tt_texture r;
    tt_status s = tt_ktx2_read_memory(m, n, "x.ktx2", &r);
    CHECK_MSG(s == want, "offset %zu value %u: status %d (%s)", off, val, (int)s, tt_last_error());
    if (text) CHECK_MSG(strstr(tt_last_error(), text) != NULL, "'%s' lacks '%s'", tt_last_error(), text);
    tt_texture_free(&r);
    free(m);
}

static void expect64(const uint8_t *f, size_t n, size_t off, uint64_t val, tt_status want, const char *text)
{
    uint8_t *m = malloc(n);
    memcpy(m, f, n);
    put64(m, off, val);
    tt_texture r;
    tt_status s = tt_ktx2_read_memory(m, n, "x.ktx2", &r);
    CHECK_MSG(s == want, "offset %zu value %llu: status %d (%s)", off, (unsigned long long)val, (int)s,
              tt_last_error());
    if (text) CHECK_MSG(strstr(tt_last_error(), text) != NULL, "'%s' lacks '%s'", tt_last_error(), text);
    tt_texture_free(&r);
    free(m);
}

static void test_refusals(void)
{
    tt_texture t = make_texture(8, 8, 0);
    uint8_t *f = NULL;
    size_t n = 0;
    CHECK_EQ_INT(tt_ktx2_write_memory(&t, &f, &n), TT_OK);
    expect32(f, n, 12, 131, TT_ERR_UNSUPPORTED, "x.ktx2: VkFormat 131 (BC1_RGB_UNORM) is not BC7");
    expect32(f, n, 12, 0, TT_ERR_UNSUPPORTED, "VkFormat 0");
    expect32(f, n, 12, 99999, TT_ERR_UNSUPPORTED, "VkFormat 99999");
    expect32(f, n, 44, 2, TT_ERR_FORMAT, "not a Zstandard frame"); /* raw blocks are not Zstandard frames */
    expect32(f, n, 44, 1, TT_ERR_UNSUPPORTED, "BasisLZ");
    expect32(f, n, 44, 3, TT_ERR_UNSUPPORTED, "ZLIB");
    expect32(f, n, 44, 99, TT_ERR_UNSUPPORTED, "scheme 99");
    expect32(f, n, 0, 0, TT_ERR_FORMAT, "not a KTX2 file");
    expect32(f, n, 16, 4, TT_ERR_FORMAT, "typeSize");
    expect32(f, n, 20, 0, TT_ERR_FORMAT, NULL);
    expect32(f, n, 24, 0, TT_ERR_FORMAT, NULL);
    expect32(f, n, 20, 65537, TT_ERR_FORMAT, "65537x8");
    expect32(f, n, 28, 1, TT_ERR_UNSUPPORTED, "3D");
    expect32(f, n, 36, 2, TT_ERR_FORMAT, "faceCount");
    expect32(f, n, 40, 1000, TT_ERR_FORMAT, "levelCount");
    expect32(f, n, 40, 20, TT_ERR_FORMAT, "level index"); /* 20 entries do not fit */
    expect32(f, n, 40, 2, TT_ERR_FORMAT, "levelCount does not match"); /* the 2nd entry would be the DFD */
    expect32(f, n, 40, 5, TT_ERR_FORMAT, "levelCount 5");               /* 8x8 has 4 levels */
    expect32(f, n, 48, 0xFFFFFFF0u, TT_ERR_FORMAT, "descriptor");
    expect32(f, n, 52, 0xFFFFFFF0u, TT_ERR_FORMAT, "descriptor");
    expect32(f, n, 56, (uint32_t)n, TT_ERR_FORMAT, "key/value"); /* starts at EOF, runs past it */
    expect64(f, n, 64, 1ull << 40, TT_ERR_FORMAT, "supercompression data");
    expect64(f, n, 72, UINT64_MAX, TT_ERR_FORMAT, "supercompression data");
    expect64(f, n, 80, n, TT_ERR_FORMAT, "level 0");         /* offset at EOF with 1024 bytes */
    expect64(f, n, 80, UINT64_MAX - 8, TT_ERR_FORMAT, "level 0");  /* offset + length overflows */
    expect64(f, n, 88, UINT64_MAX, TT_ERR_FORMAT, "level 0");
    expect64(f, n, 88, 16, TT_ERR_FORMAT, "byteLength 16 differs"); /* less than 8x8 needs */
    expect64(f, n, 96, 16, TT_ERR_FORMAT, "uncompressedByteLength is 16");
    expect64(f, n, 96, 64 + 16, TT_ERR_FORMAT, "uncompressedByteLength");
    expect64(f, n, 80, 96, TT_ERR_FORMAT, "overlaps the header"); /* level 0 on the DFD */
    /* DFD contradicting the format: colour model BC1 (128). */
    expect32(f, n, 104 + 12, 128 | (1 << 8) | (1 << 16), TT_ERR_FORMAT, "colour model 128");
    /* Huge claimed size with tiny data: refused without allocating. */
    {
        uint8_t *m = malloc(n);
        memcpy(m, f, n);
        put32(m, 20, 65536);
        put32(m, 24, 65536);
        tt_texture r;
        CHECK_EQ_INT(tt_ktx2_read_memory(m, n, "x.ktx2", &r), TT_ERR_FORMAT);
        free(m);
    }
    /* Tolerated: sRGB variant, levelCount 0 (read as one level), no DFD at
     * all. Layers claimed without their bytes are not. */
    expect32(f, n, 12, 146, TT_OK, NULL);
    expect32(f, n, 40, 0, TT_OK, NULL);
    expect32(f, n, 52, 0, TT_OK, NULL);
    expect32(f, n, 32, 3, TT_ERR_FORMAT, "uncompressedByteLength is 64; 3 image(s)");
    /* Array layers and cube faces: each level holds every image. Level 0 ends the file, so the other images can
     * be appended to it (image k filled with byte k). Without a pick they are refused; with one, that image. */
    for (int cube = 0; cube < 2; cube++) {
        uint32_t images = cube ? 6 : 3;
        size_t mn = n + (images - 1) * 64;
        uint8_t *m = malloc(mn);
        memcpy(m, f, n);
        for (uint32_t k = 1; k < images; k++) memset(m + n + (k - 1) * 64, (int)k, 64);
        put32(m, cube ? 36 : 32, cube ? 6 : 3);
        put64(m, 88, images * 64);
        put64(m, 96, images * 64);
        tt_texture r;
        CHECK_EQ_INT(tt_ktx2_read_memory(m, mn, "x.ktx2", &r), TT_ERR_UNSUPPORTED);
        CHECK(strstr(tt_last_error(), cube ? "KTX2 cube map (1 layer of 6 faces)" : "KTX2 array of 3 layers") != NULL);
        CHECK(strstr(tt_last_error(), cube ? "--face N" : "--layer N") != NULL);
        CHECK(r.data == NULL);
        tt_texture_shape shape;
        for (uint32_t k = 0; k < images; k++) {
            tt_texture_pick pick = {cube ? -1 : (int64_t)k, cube ? (int64_t)k : -1};
            CHECK_EQ_INT(tt_ktx2_parse_pick(m, mn, mn, "x.ktx2", &pick, &r, NULL, &shape), TT_OK);
            CHECK(shape.levels == 1 && shape.layers == (cube ? 1u : 3u) && shape.faces == (cube ? 6u : 1u));
            uint8_t want[64];
            memset(want, (int)k, 64);
            CHECK(r.data_size == 64 && r.data && memcmp(r.data, k ? want : t.data, 64) == 0);
            tt_texture_free(&r);
        }
        tt_texture_pick beyond = {cube ? 0 : 3, cube ? 6 : 0};
        CHECK_EQ_INT(tt_ktx2_parse_pick(m, mn, mn, "x.ktx2", &beyond, &r, NULL, NULL), TT_ERR_INVALID_ARG);
        /* One image short: the header promises more than the file holds, pick or not. */
        tt_texture_pick first = {0, 0};
        CHECK_EQ_INT(tt_ktx2_parse_pick(m, mn - 64, mn - 64, "x.ktx2", &first, &r, NULL, NULL), TT_ERR_FORMAT);
        free(m);
    }
    CHECK_EQ_INT(tt_ktx2_read_memory(NULL, 0, "x.ktx2", &(tt_texture){0}), TT_ERR_FORMAT);

    uint8_t *o = NULL;
    size_t on = 0;
    t.data_size += 16;
    CHECK_EQ_INT(tt_ktx2_write_memory(&t, &o, &on), TT_ERR_INVALID_ARG);
    t.data_size -= 16;
    t.height = 0;
    CHECK_EQ_INT(tt_ktx2_write_memory(&t, &o, &on), TT_ERR_INVALID_ARG);
    CHECK(o == NULL);
    free(f);
    tt_texture_free(&t);
}

static void test_mutations(void)
{
    tt_texture t = make_texture(9, 14, 0);
    uint8_t *f = NULL;
    size_t n = 0;
    CHECK_EQ_INT(tt_ktx2_write_memory(&t, &f, &n), TT_OK);
    static const uint32_t extremes[] = {0, 1, 2, 6, 16, 145, 146, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu, 65536, 65537};
    int accepted = 0;
    for (int iter = 0; iter < 600; iter++) {
        size_t len = n;
        unsigned shape = rnd() % 8;
        if (shape == 0) len = rnd() % n;
        else if (shape == 1) len = n + rnd() % 64;
        uint8_t *m = malloc(len ? len : 1);
        memset(m, 0, len ? len : 1);
        memcpy(m, f, len < n ? len : n);
        int edits = 1 + rnd() % 4;
        for (int e = 0; e < edits && len >= 8; e++) {
            size_t pos = (rnd() % 4) ? rnd() % (176 < len ? 176 : len) : rnd() % len;
            if (rnd() % 2) m[pos] ^= (uint8_t)(1u << (rnd() % 8));
            else if ((pos & ~(size_t)3) + 4 <= len) put32(m, pos & ~(size_t)3, extremes[rnd() % (sizeof extremes / sizeof *extremes)]);
        }
        tt_texture r;
        if (tt_ktx2_read_memory(m, len, "fuzz.ktx2", &r) == TT_OK) {
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
            tt_texture_free(&r);
        } else {
            CHECK(r.data == NULL && tt_last_error()[0] != '\0');
        }
        free(m);
    }
    printf("ktx2 mutations: %d of 600 still parse\n", accepted);
    free(f);
    tt_texture_free(&t);
}

static void test_files(void)
{
    char dir[] = "/tmp/tt_test_ktx2_XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0);
        return;
    }
    char p[512];
    snprintf(p, sizeof p, "%s/a.ktx2", dir);
    tt_texture t = make_texture(1, 1, 1), back;
    CHECK_EQ_INT(tt_texture_save_as(p, TT_CONTAINER_KTX2, &t), TT_OK);
    CHECK_EQ_INT(tt_texture_load(p, NULL, &back), TT_OK);
    CHECK(back.width == 1 && back.height == 1 && back.srgb == 1 && back.data_size == 16);
    CHECK(memcmp(back.data, t.data, 16) == 0);
    tt_texture_free(&back);
    unlink(p);
    /* Content decides, not the extension: a DDS named .ktx2 still loads. */
    CHECK_EQ_INT(tt_texture_save_as(p, TT_CONTAINER_DDS, &t), TT_OK);
    CHECK_EQ_INT(tt_texture_load(p, NULL, &back), TT_OK);
    CHECK(back.width == 1 && back.srgb == 1);
    tt_texture_free(&back);
    unlink(p);
    rmdir(dir);
    tt_texture_free(&t);

    /* Largest legal size is accepted by the size arithmetic. */
    size_t sz = 0;
    CHECK_EQ_INT(tt_bc7_data_size(65536, 65536, "big", &sz), TT_OK);
    CHECK_EQ_INT(sz, 16384ull * 16384ull * 16ull);
    CHECK_EQ_INT(tt_bc7_data_size(65537, 1, "big", &sz), TT_ERR_INVALID_ARG);
    CHECK_EQ_INT(tt_bc7_data_size(5, 3, "x", &sz), TT_OK);
    CHECK_EQ_INT(sz, 32);
}

int main(void)
{
    test_header_fields(0);
    test_header_fields(1);
    test_refusals();
    test_mutations();
    test_files();
    TT_TEST_END();
}
