/* test_api_context.c - the public context and GPU BC7 encode: config checks, device list, tt_bc7_encode giving the GPU encoder's own blocks in a one-level texture, and tt_bc7_choose_encoder's C-or-device rule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/tt_context.h"
#include "bc7/tt_bc7_gpu.h"
#include "tt_test.h"

static void test_config(void)
{
    tt_context_config c;
    tt_context_config_init(&c);
    CHECK_EQ_INT(c.device, -1);
    CHECK_EQ_INT(c.validation, 0);
    CHECK_EQ_INT(c.cooperative_matrix, 1);
    CHECK_EQ_INT(c.push_descriptors, 1);
    CHECK_EQ_INT(c.pipeline_stats, 0);
    CHECK_EQ_INT(tt_context_config_validate(&c), TT_OK);
    CHECK_EQ_INT(tt_context_config_validate(NULL), TT_ERR_INVALID_ARG);
    c.device = -2;
    CHECK_EQ_INT(tt_context_config_validate(&c), TT_ERR_INVALID_ARG);
    CHECK(strstr(tt_last_error(), "device -2") != NULL);
    tt_context_config_init(&c);
    c.push_descriptors = 2;
    CHECK_EQ_INT(tt_context_config_validate(&c), TT_ERR_INVALID_ARG);
    tt_context *ctx = (tt_context *)&c; /* must be overwritten with NULL on failure */
    CHECK_EQ_INT(tt_context_create(&c, &ctx), TT_ERR_INVALID_ARG);
    CHECK(ctx == NULL);
    CHECK_EQ_INT(tt_context_create(NULL, NULL), TT_ERR_INVALID_ARG);
    tt_context_destroy(NULL);
}

/* A 37x21 image (partial blocks on both edges) of gradients and a hashed pattern, with some alpha. */
static tt_image test_image(void)
{
    tt_image img;
    if (tt_image_alloc(&img, 37, 21) != TT_OK) exit(1);
    for (uint32_t y = 0; y < img.height; y++)
        for (uint32_t x = 0; x < img.width; x++) {
            uint8_t *p = img.rgba + ((size_t)y * img.width + x) * 4;
            uint32_t h = (x * 2654435761u) ^ (y * 40503u);
            p[0] = (uint8_t)(x * 7);
            p[1] = (uint8_t)(y * 12);
            p[2] = (uint8_t)(h >> 13);
            p[3] = x > 30 ? (uint8_t)(y * 12) : 255;
        }
    return img;
}

static void test_encode(tt_context *ctx)
{
    tt_image img = test_image();
    tt_bc7_config cfg;
    tt_bc7_config_init(&cfg);
    cfg.srgb = 1;
    tt_texture tex;
    double gpu_ms = 0;
    tt_status st = tt_bc7_encode(ctx, &img, &cfg, &tex, &gpu_ms);
    CHECK_MSG(st == TT_OK, "%s", tt_last_error());
    size_t size = 10 * 6 * 16;
    CHECK_EQ_INT(tex.width, 37);
    CHECK_EQ_INT(tex.height, 21);
    CHECK_EQ_INT(tex.srgb, 1);
    CHECK_EQ_INT(tex.level_count, 1);
    CHECK_EQ_INT(tex.data_size, size);
    CHECK_EQ_INT(tex.levels[0].width, 37);
    CHECK_EQ_INT(tex.levels[0].height, 21);
    CHECK_EQ_INT(tex.levels[0].offset, 0);
    CHECK_EQ_INT(tex.levels[0].size, size);
    CHECK(gpu_ms == -1.0 || gpu_ms > 0);

    /* The same blocks as the GPU encoder called directly, and the srgb flag does not change them. */
    tt_bc7_block *direct = calloc(size / 16, sizeof *direct);
    cfg.srgb = 0;
    CHECK_EQ_INT(tt_bc7_encode_gpu(ctx->vk, &img, &cfg, direct, 1, NULL), TT_OK);
    CHECK(tex.data && memcmp(tex.data, direct, size) == 0);
    free(direct);
    free(tex.data);

    /* Defaults with a NULL config; an invalid config leaves a zeroed texture. */
    CHECK_EQ_INT(tt_bc7_encode(ctx, &img, NULL, &tex, NULL), TT_OK);
    CHECK_EQ_INT(tex.srgb, 0);
    free(tex.data);
    cfg.nm_iterations = -1;
    memset(&tex, 0xAB, sizeof tex);
    CHECK_EQ_INT(tt_bc7_encode(ctx, &img, &cfg, &tex, &gpu_ms), TT_ERR_INVALID_ARG);
    CHECK(tex.data == NULL && tex.level_count == 0);
    CHECK(gpu_ms == -1.0);
    CHECK_EQ_INT(tt_bc7_encode(NULL, &img, NULL, &tex, NULL), TT_ERR_INVALID_ARG);
    tt_image empty = {0};
    CHECK_EQ_INT(tt_bc7_encode(ctx, &empty, NULL, &tex, NULL), TT_ERR_INVALID_ARG);
    tt_image_free(&img);
}

/* tt_bc7_choose_encoder: tiny jobs go to C with or without a device; a large job stays on a GPU and goes to C on a
 * CPU device (where C is faster per block at every preset: docs/bc7.md, "C encoder speed"); a driver list chosen in
 * the environment is always asked, so no NULL-context shortcut to C then. */
static void test_choice(tt_context *ctx, int cpu_device)
{
    tt_bc7_config cfg;
    tt_bc7_config_init(&cfg);
    CHECK_EQ_INT(tt_bc7_choose_encoder(NULL, 16, &cfg), TT_BC7_C_SMALL_JOB);
    CHECK_EQ_INT(tt_bc7_choose_encoder(ctx, 16, NULL), TT_BC7_C_SMALL_JOB);
    for (int p = TT_BC7_PRESET_FASTEST; p <= TT_BC7_PRESET_EXHAUSTIVE; p++) {
        CHECK(tt_bc7_config_preset(&cfg, (tt_bc7_preset)p) == TT_OK);
        CHECK_EQ_INT(tt_bc7_choose_encoder(ctx, 1u << 22, &cfg), cpu_device ? TT_BC7_C_CPU_DEVICE : TT_BC7_ON_DEVICE);
    }
    /* 32 blocks are a small job at any preset (thorough: 12 ms); 100000 thorough blocks are not (37 s of C time) */
    tt_bc7_config_init(&cfg);
    CHECK_EQ_INT(tt_bc7_choose_encoder(NULL, 32, &cfg), TT_BC7_C_SMALL_JOB);
    CHECK(tt_bc7_config_preset(&cfg, TT_BC7_PRESET_THOROUGH) == TT_OK);
    CHECK(tt_bc7_choose_encoder(NULL, 100000, &cfg) != TT_BC7_C_SMALL_JOB);
    const char *old = getenv("VK_DRIVER_FILES");
    char *keep = old ? strdup(old) : NULL;
    setenv("VK_DRIVER_FILES", keep ? keep : "/nonexistent.json", 1);
    CHECK_EQ_INT(tt_bc7_choose_encoder(NULL, 1u << 22, &cfg), TT_BC7_ON_DEVICE);
    if (keep) setenv("VK_DRIVER_FILES", keep, 1);
    else unsetenv("VK_DRIVER_FILES");
    free(keep);
}

int main(void)
{
    test_config();
    uint32_t n = 0;
    tt_status st = tt_device_list(NULL, 0, &n);
    tt_context *ctx = NULL;
    if (st == TT_OK && n > 0) st = tt_context_create(NULL, &ctx);
    if (st != TT_OK || n == 0) {
        printf("skip: no Vulkan device (%s)\n", tt_last_error());
        return 77;
    }
    tt_device_info *list = calloc(n, sizeof *list), dev;
    uint32_t n2 = 0;
    CHECK_EQ_INT(tt_device_list(list, n, &n2), TT_OK);
    CHECK_EQ_INT(n2, n);
    CHECK_EQ_INT(tt_device_list(list, 0, NULL), TT_ERR_INVALID_ARG);
    CHECK_EQ_INT(tt_context_device(ctx, &dev), TT_OK);
    int found = 0;
    for (uint32_t i = 0; i < n; i++) {
        CHECK(list[i].name[0] != '\0');
        CHECK(list[i].type <= TT_DEVICE_CPU);
        found += strcmp(list[i].name, dev.name) == 0 && list[i].vendor_id == dev.vendor_id &&
                 list[i].device_id == dev.device_id && list[i].api_version == dev.api_version;
    }
    CHECK_MSG(found >= 1, "context device %s is not in the list", dev.name);
    printf("device: %s (%u listed)\n", dev.name, n);

    /* A device index past the list is refused. */
    tt_context_config c;
    tt_context_config_init(&c);
    c.device = (int)n;
    tt_context *bad = NULL;
    CHECK_EQ_INT(tt_context_create(&c, &bad), TT_ERR_INVALID_ARG);
    CHECK(bad == NULL);

    test_encode(ctx);
    test_choice(ctx, dev.type == TT_DEVICE_CPU);
    free(list);
    tt_context_destroy(ctx);
    TT_TEST_END();
}
