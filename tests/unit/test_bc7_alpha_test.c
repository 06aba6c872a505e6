/* test_bc7_alpha_test.c - tt_bc7_alpha_test_fix with the C reference encoder: texels decoding across an alpha test are counted as this test counts them, become fewer, only the blocks holding them change, and a config without the test changes nothing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bc7/tt_bc7.h"
#include "mip/tt_mip.h"
#include "tt_test.h"

static tt_status encode_ref(void *ctx, const tt_image *img, const tt_bc7_config *p, tt_bc7_block *blocks)
{
    (void)ctx;
    return tt_bc7_encode_image_ref(img, p, blocks);
}

/* Texels on the other side of alpha >= m after decoding, counted over the image (partial blocks cropped). */
static uint32_t across(const tt_image *img, const tt_bc7_block *blocks, uint8_t m)
{
    uint8_t *dec = malloc((size_t)img->width * img->height * 4);
    tt_bc7_decode_image(blocks, img->width, img->height, dec);
    uint32_t n = 0;
    for (size_t i = 0; i < (size_t)img->width * img->height; i++)
        n += (img->rgba[i * 4 + 3] >= m) != (dec[i * 4 + 3] >= m);
    free(dec);
    return n;
}

int main(void)
{
    /* 70 x 54 (partial blocks on two edges): a colour gradient with grain under alpha that waves across the test,
     * as the filtered edges of a cutout do (128 + 90 sin cos, with +-4 grain), so BC7's alpha error moves the texels
     * near 128 across it */
    tt_image img;
    CHECK_EQ_INT(tt_image_alloc(&img, 70, 54), TT_OK);
    uint32_t h = 12345;
    for (uint32_t y = 0; y < 54; y++)
        for (uint32_t x = 0; x < 70; x++) {
            uint8_t *t = img.rgba + ((size_t)y * 70 + x) * 4;
            h = h * 1664525u + 1013904223u;
            int grain = (int)(h >> 29) - 4;
            t[0] = (uint8_t)(40 + 2 * x + grain);
            t[1] = (uint8_t)(200 - 3 * y + grain);
            t[2] = (uint8_t)(90 + x + y);
            double a = 128.0 + 90.0 * sin(x / 4.0) * cos(y / 6.0) + grain;
            t[3] = (uint8_t)(a < 0 ? 0 : a > 255 ? 255 : a);
        }
    CHECK_EQ_INT(tt_mip_alpha_test_byte(0.5f), 128);
    CHECK_EQ_INT(tt_mip_alpha_test_byte(0.0f), 0);
    CHECK_EQ_INT(tt_mip_alpha_test_byte(1.0f), 255);
    CHECK_EQ_INT(tt_mip_alpha_test_byte(100.0f / 255.0f), 100);

    size_t nb = (size_t)18 * 14;
    tt_bc7_block *plain = calloc(nb, sizeof *plain), *fixed = calloc(nb, sizeof *fixed);
    tt_bc7_config p;
    tt_bc7_config_init(&p);
    tt_bc7_config_preset(&p, TT_BC7_PRESET_FAST);
    CHECK_EQ_INT(tt_bc7_encode_image_ref(&img, &p, plain), TT_OK);
    uint32_t before_count = across(&img, plain, 128);

    /* off: nothing moves */
    memcpy(fixed, plain, nb * sizeof *fixed);
    uint32_t before = 99, after = 99;
    CHECK_EQ_INT(tt_bc7_alpha_test_fix(&img, &p, fixed, encode_ref, NULL, &before, &after), TT_OK);
    CHECK(before == 0 && after == 0 && memcmp(fixed, plain, nb * sizeof *fixed) == 0);

    p.alpha_test = 0.5f;
    CHECK_EQ_INT(tt_bc7_alpha_test_fix(&img, &p, fixed, encode_ref, NULL, &before, &after), TT_OK);
    uint32_t after_count = across(&img, fixed, 128);
    printf("texels across alpha >= 128: %u before (counted here %u), %u after (counted here %u), of %u\n", before,
           before_count, after, after_count, 70u * 54u);
    CHECK_EQ_INT(before, before_count);
    CHECK_EQ_INT(after, after_count);
    CHECK(before_count >= 20);             /* the image does test the fix */
    CHECK(after_count * 4 <= before_count); /* at least three in four put back */
    /* blocks without a texel across keep their encoding */
    uint8_t dec[16][4], in[16][4];
    size_t changed = 0, changed_clean = 0;
    for (size_t b = 0; b < nb; b++) {
        int diff = memcmp(&plain[b], &fixed[b], 16) != 0;
        changed += diff;
        tt_bc7_decode_block(&plain[b], dec);
        tt_bc7_fetch_block(&img, (uint32_t)(b % 18), (uint32_t)(b / 18), in);
        int clean = 1;
        for (int t = 0; t < 16; t++)
            if ((b % 18) * 4 + (size_t)(t & 3) < 70 && (b / 18) * 4 + (size_t)(t >> 2) < 54 &&
                (in[t][3] >= 128) != (dec[t][3] >= 128))
                clean = 0;
        changed_clean += diff && clean;
    }
    printf("blocks changed: %zu of %zu, of them without a texel across before: %zu\n", changed, nb, changed_clean);
    CHECK(changed > 0);
    CHECK_EQ_INT(changed_clean, 0);
    /* the whole-image entry point applies the same fix */
    tt_bc7_block *whole = calloc(nb, sizeof *whole);
    CHECK_EQ_INT(tt_bc7_encode_image_ref(&img, &p, whole), TT_OK);
    CHECK(memcmp(whole, fixed, nb * sizeof *whole) == 0);
    free(whole);
    free(plain);
    free(fixed);
    tt_image_free(&img);
    TT_TEST_END();
}
