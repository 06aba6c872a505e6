/* test_api_transcode.c - tt_model_transcode_bc7 (neural -> BC7 on load): the blocks equal tt_bc7_encode of tt_model_decode's image, with a mip chain those of tt_bc7_encode_levels on tt_mip_build's chain; refused options and arguments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinytex.h"
#include "tt_test.h"

/* A 45x29 opaque image (partial blocks on both edges) of gradients and a hashed pattern. */
static tt_image test_image(void)
{
    tt_image img;
    if (tt_image_alloc(&img, 45, 29) != TT_OK) exit(1);
    for (uint32_t y = 0; y < img.height; y++)
        for (uint32_t x = 0; x < img.width; x++) {
            uint8_t *p = img.rgba + ((size_t)y * img.width + x) * 4;
            uint32_t h = (x * 2654435761u) ^ (y * 40503u);
            p[0] = (uint8_t)(x * 5);
            p[1] = (uint8_t)(y * 8);
            p[2] = (uint8_t)(h >> 13);
            p[3] = 255;
        }
    return img;
}

static int same_texture(const tt_texture *a, const tt_texture *b)
{
    if (a->level_count != b->level_count || a->data_size != b->data_size || a->width != b->width ||
        a->height != b->height || a->srgb != b->srgb || !a->data || !b->data)
        return 0;
    return memcmp(a->data, b->data, a->data_size) == 0;
}

int main(void)
{
    uint32_t n = 0;
    tt_context *ctx = NULL;
    tt_status st = tt_device_list(NULL, 0, &n);
    if (st == TT_OK && n > 0) st = tt_context_create(NULL, &ctx);
    if (st != TT_OK || n == 0) {
        printf("skip: no Vulkan device (%s)\n", tt_last_error());
        return 77;
    }
    tt_image img = test_image();
    tt_hash_config hc;
    tt_hash_config_init(&hc);
    hc.levels = 4;
    hc.log2_table_size = 10;
    hc.hidden = 16;
    hc.depth = 1;
    hc.steps = 30;
    hc.batch = 1024;
    tt_model *model = NULL;
    CHECK_MSG(tt_hash_train(ctx, &img, &hc, &model) == TT_OK, "%s", tt_last_error());
    if (!model) TT_TEST_END();
    tt_image net = {0};
    CHECK(tt_model_decode(ctx, model, &net, NULL) == TT_OK);

    /* one level, fastest and medium: the blocks of the decoded image */
    for (int preset = TT_BC7_PRESET_FASTEST; preset <= TT_BC7_PRESET_MEDIUM; preset += 2) {
        tt_bc7_config cfg;
        tt_bc7_config_init(&cfg);
        tt_bc7_config_preset(&cfg, (tt_bc7_preset)preset);
        tt_texture want = {0}, got = {0};
        double ms = 0;
        CHECK(tt_bc7_encode(ctx, &net, &cfg, &want, NULL) == TT_OK);
        CHECK_MSG(tt_model_transcode_bc7(ctx, model, &cfg, NULL, &got, &ms) == TT_OK, "%s", tt_last_error());
        CHECK_MSG(same_texture(&want, &got), "preset %d: transcoded blocks differ from tt_bc7_encode's", preset);
        CHECK(ms == -1.0 || ms > 0);
        tt_texture_free(&want);
        tt_texture_free(&got);
    }

    /* a mip chain (sRGB, box filter), the full chain clamped from 30 levels */
    {
        tt_bc7_config cfg;
        tt_bc7_config_init(&cfg);
        tt_bc7_config_preset(&cfg, TT_BC7_PRESET_FASTEST);
        cfg.srgb = 1;
        tt_mip_config mc;
        tt_mip_config_init(&mc);
        mc.srgb = 1;
        mc.filter = TT_MIP_BOX;
        tt_image levels[TT_MAX_LEVELS];
        uint32_t count = 0;
        CHECK(tt_mip_build(ctx, &net, &mc, levels, &count) == TT_OK);
        CHECK_EQ_INT(count, 6); /* 45x29 .. 1x1 */
        tt_texture want = {0}, got = {0};
        CHECK(tt_bc7_encode_levels(ctx, levels, count, &cfg, &want, NULL) == TT_OK);
        mc.levels = 30;
        CHECK_MSG(tt_model_transcode_bc7(ctx, model, &cfg, &mc, &got, NULL) == TT_OK, "%s", tt_last_error());
        CHECK_EQ_INT(got.level_count, 6);
        CHECK_MSG(same_texture(&want, &got), "mip chain: transcoded blocks differ");
        for (uint32_t i = 0; i < count; i++) tt_image_free(&levels[i]);
        tt_texture_free(&want);
        tt_texture_free(&got);
    }

    /* refused: what needs the image on the host, and missing arguments; out is left empty */
    {
        tt_bc7_config cfg;
        tt_bc7_config_init(&cfg);
        cfg.alpha_test = 0.5f;
        tt_texture got;
        memset(&got, 0xAB, sizeof got);
        double ms = 0;
        CHECK_EQ_INT(tt_model_transcode_bc7(ctx, model, &cfg, NULL, &got, &ms), TT_ERR_UNSUPPORTED);
        CHECK(got.data == NULL && got.level_count == 0 && ms == -1.0);
        tt_mip_config mc;
        tt_mip_config_init(&mc);
        mc.alpha_coverage = 0.5f;
        CHECK_EQ_INT(tt_model_transcode_bc7(ctx, model, NULL, &mc, &got, NULL), TT_ERR_UNSUPPORTED);
        CHECK(got.data == NULL);
        CHECK_EQ_INT(tt_model_transcode_bc7(NULL, model, NULL, NULL, &got, NULL), TT_ERR_INVALID_ARG);
        CHECK_EQ_INT(tt_model_transcode_bc7(ctx, NULL, NULL, NULL, &got, NULL), TT_ERR_INVALID_ARG);
        CHECK_EQ_INT(tt_model_transcode_bc7(ctx, model, NULL, NULL, NULL, NULL), TT_ERR_INVALID_ARG);
        cfg.alpha_test = -1.0f;
        cfg.partitions = 99;
        CHECK_EQ_INT(tt_model_transcode_bc7(ctx, model, &cfg, NULL, &got, NULL), TT_ERR_INVALID_ARG);
    }
    tt_image_free(&net);
    tt_image_free(&img);
    tt_model_free(model);
    tt_context_destroy(ctx);
    TT_TEST_END();
}
