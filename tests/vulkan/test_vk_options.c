/* test_vk_options.c - tt_vk_options: device index checks, the descriptor-pool path, and no environment read by the library. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bc7/tt_bc7_gpu.h"
#include "tt_test.h"
#include "vk/tt_vk.h"

#define W 45
#define H 27
#define BLOCKS (((W + 3) / 4) * ((H + 3) / 4))

static void encode(tt_vk *vk, const tt_image *img, tt_bc7_block *out)
{
    tt_bc7_config cfg;
    tt_bc7_config_init(&cfg);
    tt_status s = tt_bc7_encode_gpu(vk, img, &cfg, out, 1, NULL);
    CHECK_MSG(s == TT_OK, "%s", tt_last_error());
}

int main(void)
{
    tt_vk_options o;
    tt_vk_options_init(&o);
    CHECK_EQ_INT(o.device, -1);
    CHECK_EQ_INT(o.validation, 0);
    CHECK_EQ_INT(o.cooperative_matrix, 1);
    CHECK_EQ_INT(o.push_descriptors, 1);
    CHECK_EQ_INT(o.pipeline_stats, 0);

    /* The variables the CLI maps are not the library's business: a bad TINYTEX_DEVICE changes nothing here. */
    setenv("TINYTEX_DEVICE", "abc", 1);
    setenv("TINYTEX_NO_PUSH_DESCRIPTORS", "1", 1);
    tt_vk *vk = NULL;
    tt_status s = tt_vk_create_opts(NULL, &vk);
    unsetenv("TINYTEX_DEVICE");
    unsetenv("TINYTEX_NO_PUSH_DESCRIPTORS");
    if (s != TT_OK) {
        printf("skip: no Vulkan device (%s)\n", tt_last_error());
        return 77;
    }
    printf("device: %s\n", tt_vk_info(vk)->name);
    uint32_t n = 0;
    CHECK(tt_vk_enumerate(NULL, 0, &n) == TT_OK && n >= 1);

    tt_vk *bad = (tt_vk *)&bad;
    tt_vk_options_init(&o);
    o.device = (int)n;
    CHECK(tt_vk_create_opts(&o, &bad) == TT_ERR_INVALID_ARG);
    CHECK(bad == NULL);
    char want[64];
    snprintf(want, sizeof want, "device %u does not exist", n);
    CHECK_MSG(strstr(tt_last_error(), want) != NULL, "%s", tt_last_error());
    CHECK(tt_vk_create(7 + (int)n, &bad) == TT_ERR_INVALID_ARG && bad == NULL);

    /* Without push descriptors (descriptor sets from pools), the same blocks as with them. */
    tt_image img = {0};
    CHECK(tt_image_alloc(&img, W, H) == TT_OK);
    for (size_t i = 0; img.rgba && i < (size_t)W * H * 4; i++) img.rgba[i] = (uint8_t)(i * 73u ^ (i >> 7) * 29u);
    static tt_bc7_block with[BLOCKS], without[BLOCKS];
    if (img.rgba) encode(vk, &img, with);
    tt_vk_options_init(&o);
    o.device = 0;
    o.push_descriptors = 0;
    o.cooperative_matrix = 0;
    tt_vk *pools = NULL;
    s = tt_vk_create_opts(&o, &pools);
    CHECK_MSG(s == TT_OK, "%s", tt_last_error());
    if (s == TT_OK && img.rgba) {
        CHECK(tt_vk_get_caps(pools)->coopmat_f16 == 0);
        encode(pools, &img, without);
        encode(pools, &img, without);   /* pools are reset between recordings */
        CHECK(memcmp(with, without, sizeof with) == 0);
    }
    tt_vk_destroy(pools);
    tt_image_free(&img);
    tt_vk_destroy(vk);
    TT_TEST_END();
}
