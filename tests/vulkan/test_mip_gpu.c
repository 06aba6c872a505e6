/* test_mip_gpu.c - the GPU mip-chain builder (tt_mip_build, shaders/mip_filter.comp + mip_store.comp) must give the C reference's chain (tt_mip_build_cpu): same level sizes, every channel of every level within 1. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinytex.h"
#include "tt_test.h"

/* Expected agreement: within 1 per channel, not bit-exact. Both sides run the same float operations in the same
 * order from the same tables (filter weights and level-0 decode values are computed once on the host), with no
 * fused multiply-add (GLSL `precise`), so the filtered floats agree wherever the device rounds + and * to nearest.
 * The operations Vulkan does not require to be exact (division in un-premultiplying, sqrt in renormalising
 * normals, pow in the sRGB encode) may differ by a few ulps, which can move a value across a rounding boundary of
 * the 8-bit output: one step. */

static unsigned rng = 2024;
static unsigned rnd(void)
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

/* Smooth colour, texture noise, and alpha with fully transparent, partial and opaque regions. */
static tt_image colour_image(uint32_t w, uint32_t h)
{
    tt_image img;
    if (tt_image_alloc(&img, w, h) != TT_OK) exit(1);
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            uint8_t *p = img.rgba + ((size_t)y * w + x) * 4;
            double fx = (double)x / w, fy = (double)y / h;
            p[0] = (uint8_t)(255.0 * fx);
            p[1] = (uint8_t)(127.5 + 127.5 * sin(fx * 17.0 + fy * 5.0));
            p[2] = (uint8_t)(rnd() & 0xFF);
            double r = hypot(fx - 0.5, fy - 0.5);
            int a = r < 0.25 ? 255 : r < 0.4 ? (int)(255.0 * (0.4 - r) / 0.15) : 0;
            if ((x / 7 + y / 5) % 5 == 0) a = (int)(rnd() & 0xFF); /* speckles of any alpha */
            p[3] = (uint8_t)a;
        }
    return img;
}

static tt_image normal_image(uint32_t w, uint32_t h)
{
    tt_image img;
    if (tt_image_alloc(&img, w, h) != TT_OK) exit(1);
    for (size_t i = 0; i < (size_t)w * h; i++) {
        double vx = (rnd() % 2001) / 1000.0 - 1.0, vy = (rnd() % 2001) / 1000.0 - 1.0;
        double vz = 1.0 - vx * vx - vy * vy;
        if (vz < 0.02) vz = 0.02;
        double len = sqrt(vx * vx + vy * vy + vz);
        img.rgba[i * 4 + 0] = (uint8_t)floor((vx / len + 1) * 127.5 + 0.5);
        img.rgba[i * 4 + 1] = (uint8_t)floor((vy / len + 1) * 127.5 + 0.5);
        img.rgba[i * 4 + 2] = (uint8_t)floor((sqrt(vz) / len + 1) * 127.5 + 0.5);
        img.rgba[i * 4 + 3] = (uint8_t)(rnd() & 0xFF);
    }
    return img;
}

static void free_levels(tt_image *levels, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) tt_image_free(&levels[i]);
}

static void compare(tt_context *ctx, const char *name, const tt_image *img, const tt_mip_config *c)
{
    tt_image gpu[TT_MAX_LEVELS], ref[TT_MAX_LEVELS];
    uint32_t ng = 0, nr = 0;
    tt_status sg = tt_mip_build(ctx, img, c, gpu, &ng);
    CHECK_MSG(sg == TT_OK, "%s %ux%u: tt_mip_build: %s", name, img->width, img->height, tt_last_error());
    tt_status sr = tt_mip_build_cpu(img, c, ref, &nr);
    CHECK_MSG(sr == TT_OK, "%s %ux%u: tt_mip_build_cpu: %s", name, img->width, img->height, tt_last_error());
    CHECK_EQ_INT(ng, nr);
    CHECK_EQ_INT(ng, c->levels ? c->levels : tt_mip_full_count(img->width, img->height));
    int worst = 0;
    size_t differ = 0, total = 0;
    for (uint32_t i = 0; i < ng && i < nr; i++) {
        CHECK_MSG(gpu[i].width == ref[i].width && gpu[i].height == ref[i].height, "%s level %u: %ux%u vs %ux%u",
                  name, i, gpu[i].width, gpu[i].height, ref[i].width, ref[i].height);
        if (gpu[i].width != ref[i].width || gpu[i].height != ref[i].height) continue;
        size_t bytes = (size_t)gpu[i].width * gpu[i].height * 4;
        int level_worst = 0;
        for (size_t k = 0; k < bytes; k++) {
            int d = abs((int)gpu[i].rgba[k] - (int)ref[i].rgba[k]);
            if (d > level_worst) level_worst = d;
            differ += d != 0;
            if (d > 1 && level_worst == d)
                fprintf(stderr, "%s level %u texel %zu channel %zu: GPU %d, C %d\n", name, i, k / 4, k % 4,
                        gpu[i].rgba[k], ref[i].rgba[k]);
        }
        total += bytes;
        CHECK_MSG(level_worst <= 1, "%s %ux%u level %u: off by %d", name, img->width, img->height, i, level_worst);
        if (level_worst > worst) worst = level_worst;
    }
    printf("%-22s %4ux%-4u %2u levels: %zu of %zu bytes differ, by at most %d\n", name, img->width, img->height, ng,
           differ, total, worst);
    free_levels(gpu, ng);
    free_levels(ref, nr);
}

int main(void)
{
    tt_context *ctx = NULL;
    tt_status st = tt_context_create(NULL, &ctx);
    if (st == TT_ERR_NO_DEVICE) {
        printf("skip: no Vulkan device (%s)\n", tt_last_error());
        return 77;
    }
    CHECK_MSG(st == TT_OK, "tt_context_create: %s", tt_last_error());
    if (st != TT_OK) TT_TEST_END();
    tt_device_info info;
    if (tt_context_device(ctx, &info) == TT_OK) printf("device: %s\n", info.name);

    static const struct { uint32_t w, h; } sizes[] = {{257, 131}, {64, 64}, {5, 3}, {1, 1}, {300, 1}};
    struct {
        const char *name;
        tt_mip_filter filter;
        int srgb, premultiply, normal_map;
        float coverage;
        uint32_t levels;
    } configs[] = {
        {"box", TT_MIP_BOX, 0, 0, 0, -1.0f, 0},
        {"kaiser", TT_MIP_KAISER, 0, 0, 0, -1.0f, 0},
        {"lanczos", TT_MIP_LANCZOS, 0, 0, 0, -1.0f, 0},
        {"kaiser srgb", TT_MIP_KAISER, 1, 0, 0, -1.0f, 0},
        {"box srgb premultiply", TT_MIP_BOX, 1, 1, 0, -1.0f, 0},
        {"lanczos premultiply", TT_MIP_LANCZOS, 0, 1, 0, -1.0f, 0},
        {"kaiser coverage 0.5", TT_MIP_KAISER, 1, 0, 0, 0.5f, 0},
        {"lanczos cov 0.3 pm", TT_MIP_LANCZOS, 0, 1, 0, 0.3f, 0},
        {"box 3 levels", TT_MIP_BOX, 1, 0, 0, -1.0f, 3},
        {"normal kaiser", TT_MIP_KAISER, 0, 0, 1, -1.0f, 0},
        {"normal lanczos cov", TT_MIP_LANCZOS, 0, 0, 1, 0.5f, 0},
        {"normal box", TT_MIP_BOX, 0, 0, 1, -1.0f, 0},
    };
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        tt_image colour = colour_image(sizes[s].w, sizes[s].h), normal = normal_image(sizes[s].w, sizes[s].h);
        for (size_t k = 0; k < sizeof configs / sizeof configs[0]; k++) {
            tt_mip_config c;
            tt_mip_config_init(&c);
            c.filter = configs[k].filter;
            c.srgb = configs[k].srgb;
            c.premultiply = configs[k].premultiply;
            c.normal_map = configs[k].normal_map;
            c.alpha_coverage = configs[k].coverage;
            uint32_t full = tt_mip_full_count(sizes[s].w, sizes[s].h);
            c.levels = configs[k].levels <= full ? configs[k].levels : 0;
            compare(ctx, configs[k].name, c.normal_map ? &normal : &colour, &c);
        }
        tt_image_free(&colour);
        tt_image_free(&normal);
    }

    /* errors: nothing allocated, count 0 */
    {
        tt_image img = colour_image(5, 3), lv[TT_MAX_LEVELS];
        tt_mip_config c;
        tt_mip_config_init(&c);
        c.levels = 4;
        uint32_t n = 99;
        CHECK_EQ_INT(tt_mip_build(ctx, &img, &c, lv, &n), TT_ERR_INVALID_ARG);
        CHECK_EQ_INT(n, 0);
        CHECK(lv[0].rgba == NULL);
        n = 99;
        CHECK_EQ_INT(tt_mip_build(NULL, &img, NULL, lv, &n), TT_ERR_INVALID_ARG);
        CHECK_EQ_INT(n, 0);
        c.levels = 0;
        c.filter = (tt_mip_filter)9;
        CHECK_EQ_INT(tt_mip_build(ctx, &img, &c, lv, &n), TT_ERR_INVALID_ARG);
        tt_image_free(&img);
    }
    tt_context_destroy(ctx);
    TT_TEST_END();
}
