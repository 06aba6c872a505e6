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
    tt_image_free(&img);
    tt_vk_destroy(vk);
    TT_TEST_END();
}
