/* test_bc7_sampler.c - the driver's BC7 sampler (an independent decoder) must match tt_bc7_decode_image bit for bit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bc7/tt_bc7_gpu.h"
#include "tt_test.h"

/* The driver's sampler through the library's tt_bc7_decode_sampler (src/bc7/bc7_sampler.c). */
static void sample_blocks(tt_vk *vk, const tt_bc7_block *blocks, uint32_t w, uint32_t h, uint8_t *out_rgba)
{
    if (tt_bc7_decode_sampler(vk, blocks, w, h, out_rgba) != TT_OK) {
        fprintf(stderr, "sampler decode: %s\n", tt_last_error());
        exit(1);
    }
}

static size_t count_diffs(const uint8_t *a, const uint8_t *b, size_t n, const char *what)
{
    size_t d = 0;
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i]) {
            if (d < 5) fprintf(stderr, "%s: byte %zu (texel %zu ch %zu): sampler %u, tinytex %u\n", what, i, i / 4, i % 4, a[i], b[i]);
            d++;
        }
    return d;
}

static unsigned rng = 777;
static unsigned rnd(void)
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

int main(void)
{
    tt_vk *vk = NULL;
    if (tt_vk_create(-1, &vk) != TT_OK) {
        printf("skip: no Vulkan device (%s)\n", tt_last_error());
        return 77;
    }
    VkFormatProperties fp;
    vkGetPhysicalDeviceFormatProperties(tt_vk_physical(vk), VK_FORMAT_BC7_UNORM_BLOCK, &fp);
    if (!tt_vk_get_caps(vk)->bc7_sampling || !(fp.optimalTilingFeatures & VK_FORMAT_FEATURE_SAMPLED_IMAGE_BIT)) {
        printf("skip: %s has no textureCompressionBC / sampled BC7 images\n", tt_vk_info(vk)->name);
        tt_vk_destroy(vk);
        return 77;
    }
    printf("device: %s\n", tt_vk_info(vk)->name);

    /* 1. Blocks of every mode: random bits with the mode prefix forced, so
     * every field (partitions, rotations, index selection, p-bits) varies.
     * 32x32 blocks = 128x128 texels; block i has mode i % 9 (8 = reserved). */
    {
        uint32_t bw = 32, w = bw * 4;
        tt_bc7_block *blocks = malloc(bw * bw * sizeof *blocks);
        for (uint32_t i = 0; i < bw * bw; i++) {
            for (int k = 0; k < 16; k++) blocks[i].b[k] = (uint8_t)rnd();
            unsigned mode = i % 9;
            if (mode == 8) blocks[i].b[0] = 0;
            else blocks[i].b[0] = (uint8_t)((blocks[i].b[0] & (0xFEu << mode)) | (1u << mode));
        }
        uint8_t *ref = malloc((size_t)w * w * 4), *got = malloc((size_t)w * w * 4);
        tt_bc7_decode_image(blocks, w, w, ref);
        sample_blocks(vk, blocks, w, w, got);
        size_t d = count_diffs(got, ref, (size_t)w * w * 4, "every-mode blocks");
        printf("every-mode blocks (1024, modes 0-7 + reserved): %zu differing bytes\n", d);
        CHECK_EQ_INT(d, 0);
        free(blocks);
        free(ref);
        free(got);
    }

    /* 2. tinytex's encoding of sample.jpg, plus an odd-sized crop. */
    const char *dir = getenv("TT_SAMPLES");
    char path[1024];
    snprintf(path, sizeof path, "%s/sample.jpg", dir ? dir : "samples");
    tt_image img;
    if (tt_image_load(path, NULL, &img) != TT_OK) {
        CHECK_MSG(0, "%s", tt_last_error());
        TT_TEST_END();
    }
    tt_bc7_config p;
    tt_bc7_config_init(&p);
    size_t nb = (size_t)((img.width + 3) / 4) * ((img.height + 3) / 4);
    tt_bc7_block *blocks = malloc(nb * sizeof *blocks);
    CHECK_EQ_INT(tt_bc7_encode_image_ref(&img, &p, blocks), TT_OK);
    size_t n = (size_t)img.width * img.height * 4;
    uint8_t *ref = malloc(n), *got = malloc(n);
    tt_bc7_decode_image(blocks, img.width, img.height, ref);
    sample_blocks(vk, blocks, img.width, img.height, got);
    CHECK_EQ_INT(count_diffs(got, ref, n, "sample.jpg"), 0);
    tt_image dec = {img.width, img.height, got, 4, 8};
    tt_metrics m;
    CHECK_EQ_INT(tt_compare_images(&img, &dec, &m), TT_OK);
    size_t alpha_bad = 0;
    for (size_t i = 0; i < n / 4; i++) alpha_bad += got[i * 4 + 3] != 255;
    printf("sample.jpg through the BC7 sampler: RGB PSNR %.3f dB, alpha != 255: %zu\n", m.psnr_rgb, alpha_bad);
    CHECK_EQ_INT(alpha_bad, 0);
    /* Quality bar. bc7enc -C -p0 -u4 reaches 39.944 dB but lets opaque
     * alpha fall to 254; tinytex keeps it 255 (docs/bc7.md). */
    CHECK(m.psnr_rgb >= 39.90);
    free(blocks);
    free(ref);
    free(got);

    /* 3. tinytex's own blocks of every mode: a 64x64 crop, opaque and with an alpha ramp, encoded with each mode
     * beside mode 6 (modes 0-5 opaque, 4, 5, 7 with alpha); every mode must occur and the sampler must agree. */
    {
        tt_image c;
        CHECK_EQ_INT(tt_image_alloc(&c, 64, 64), TT_OK);
        int seen[8] = {0};
        for (int pass = 0; pass < 2; pass++) {
            for (uint32_t y = 0; y < 64; y++) {
                memcpy(c.rgba + (size_t)y * 64 * 4, img.rgba + ((size_t)(200 + y) * img.width + 160) * 4, 64 * 4);
                if (pass)
                    for (uint32_t x = 0; x < 64; x++) c.rgba[(y * 64 + x) * 4 + 3] = (uint8_t)(x * 4 + (y & 3));
            }
            for (int mode = 0; mode < 8; mode++) {
                if (mode == 6 || (pass == 0 && mode == 7) || (pass == 1 && mode < 4)) continue;
                tt_bc7_config q;
                tt_bc7_config_init(&q);
                q.modes = (1u << 6) | (1u << mode);
                tt_bc7_block mb[256];
                uint8_t r8[64 * 64 * 4], g8[64 * 64 * 4];
                CHECK_EQ_INT(tt_bc7_encode_image_ref(&c, &q, mb), TT_OK);
                for (int i = 0; i < 256; i++) {
                    int md = 0;
                    while (md < 8 && !(mb[i].b[0] & (1u << md))) md++;
                    if (md < 8) seen[md]++;
                }
                tt_bc7_decode_image(mb, 64, 64, r8);
                sample_blocks(vk, mb, 64, 64, g8);
                char what[64];
                snprintf(what, sizeof what, "%s crop, modes %d,6", pass ? "alpha" : "opaque", mode);
                CHECK_EQ_INT(count_diffs(g8, r8, sizeof r8, what), 0);
            }
        }
        printf("tinytex blocks through the sampler, per mode 0-7: %d %d %d %d %d %d %d %d\n", seen[0], seen[1],
               seen[2], seen[3], seen[4], seen[5], seen[6], seen[7]);
        for (int mode = 0; mode < 8; mode++) CHECK_MSG(seen[mode] > 0, "no tinytex block of mode %d", mode);
        tt_image_free(&c);
    }

    /* 4. A mip chain (issue 14): a 1000x600 image (sample.jpg repeated) and its 9 smaller levels, each a 2x2 mean
     * of the one before (the test's own filter: any content will do), encoded, written as DDS, KTX2 and KTX2 with
     * Zstandard, read back, and every level of each file uploaded as one mipmapped BC7 image and read through the
     * sampler at its lod: 10 levels of the floor-rule sizes, bytes as written, every level equal to the C decoder. */
    {
        tt_image lv[TT_MAX_LEVELS];
        memset(lv, 0, sizeof lv);
        CHECK_EQ_INT(tt_image_alloc(&lv[0], 1000, 600), TT_OK);
        for (uint32_t y = 0; y < 600; y++)
            for (uint32_t x = 0; x < 1000; x++)
                memcpy(lv[0].rgba + ((size_t)y * 1000 + x) * 4,
                       img.rgba + ((size_t)(y % img.height) * img.width + x % img.width) * 4, 4);
        uint32_t count = 1;
        while (lv[count - 1].width > 1 || lv[count - 1].height > 1) {
            const tt_image *a = &lv[count - 1];
            uint32_t w2 = a->width > 1 ? a->width / 2 : 1, h2 = a->height > 1 ? a->height / 2 : 1;
            CHECK_EQ_INT(tt_image_alloc(&lv[count], w2, h2), TT_OK);
            for (uint32_t y = 0; y < h2; y++)
                for (uint32_t x = 0; x < w2; x++)
                    for (int k = 0; k < 4; k++) {
                        uint32_t x0 = 2 * x < a->width ? 2 * x : a->width - 1, y0 = 2 * y < a->height ? 2 * y : a->height - 1;
                        uint32_t x1 = x0 + 1 < a->width ? x0 + 1 : x0, y1 = y0 + 1 < a->height ? y0 + 1 : y0;
                        unsigned sum = a->rgba[((size_t)y0 * a->width + x0) * 4 + k] + a->rgba[((size_t)y0 * a->width + x1) * 4 + k] +
                                       a->rgba[((size_t)y1 * a->width + x0) * 4 + k] + a->rgba[((size_t)y1 * a->width + x1) * 4 + k];
                        lv[count].rgba[((size_t)y * w2 + x) * 4 + k] = (uint8_t)((sum + 2) / 4);
                    }
            count++;
        }
        CHECK_EQ_INT(count, 10);
        tt_bc7_config q;
        tt_bc7_config_init(&q);
        CHECK_EQ_INT(tt_bc7_config_preset(&q, TT_BC7_PRESET_FASTEST), TT_OK);
        tt_texture tex;
        CHECK_EQ_INT(tt_bc7_encode_levels_cpu(lv, count, &q, &tex), TT_OK);
        const uint32_t want_w[10] = {1000, 500, 250, 125, 62, 31, 15, 7, 3, 1}, want_h[10] = {600, 300, 150, 75, 37, 18, 9, 4, 2, 1};
        for (int file = 0; file < 3 && tex.data; file++) {
            const char *names[3] = {"DDS", "KTX2", "KTX2 + zstd 19"};
            tt_save_options so;
            tt_save_options_init(&so);
            so.zstd_level = file == 2 ? 19 : 0;
            uint8_t *bytes = NULL;
            size_t size = 0;
            tt_texture back;
            memset(&back, 0, sizeof back);
            tt_status st = tt_texture_write_memory_opts(file ? TT_CONTAINER_KTX2 : TT_CONTAINER_DDS, &tex, &so, &bytes, &size);
            CHECK_MSG(st == TT_OK, "%s: write: %s", names[file], tt_last_error());
            if (st == TT_OK) st = tt_texture_read_memory(bytes, size, names[file], &back);
            CHECK_MSG(st == TT_OK, "%s: read: %s", names[file], tt_last_error());
            free(bytes);
            if (st != TT_OK) continue;
            CHECK_EQ_INT(back.level_count, 10);
            CHECK(back.data_size == tex.data_size && memcmp(back.data, tex.data, tex.data_size) == 0);
            uint8_t *outs[TT_MAX_LEVELS];
            for (uint32_t i = 0; i < back.level_count && i < 10; i++) {
                CHECK(back.levels[i].width == want_w[i] && back.levels[i].height == want_h[i]);
                outs[i] = malloc((size_t)back.levels[i].width * back.levels[i].height * 4);
            }
            if (back.level_count == 10) {
                CHECK_EQ_INT(tt_bc7_decode_sampler_levels(vk, &back, outs), TT_OK);
                size_t diffs = 0;
                for (uint32_t i = 0; i < 10; i++) {
                    tt_image dl;
                    CHECK_EQ_INT(tt_texture_decode(&back, i, &dl), TT_OK);
                    char what[64];
                    snprintf(what, sizeof what, "%s level %u", names[file], i);
                    diffs += count_diffs(outs[i], dl.rgba, (size_t)dl.width * dl.height * 4, what);
                    tt_image_free(&dl);
                }
                printf("%s: 10 levels 1000x600 .. 1x1 through the sampler: %zu differing bytes\n", names[file], diffs);
                CHECK_EQ_INT(diffs, 0);
            }
            for (uint32_t i = 0; i < back.level_count && i < 10; i++) free(outs[i]);
            tt_texture_free(&back);
        }
        tt_texture_free(&tex);
        for (uint32_t i = 0; i < count; i++) tt_image_free(&lv[i]);
    }
    tt_image_free(&img);
    tt_vk_destroy(vk);
    TT_TEST_END();
}
