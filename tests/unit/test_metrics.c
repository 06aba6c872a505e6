/* test_metrics.c - PSNR/MSE against hand-computed values from the definition in docs/algorithms.md, PSNR. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tinytex.h"
#include "tt_test.h"

static tt_image make(uint32_t w, uint32_t h, const uint8_t *rgba)
{
    tt_image img;
    CHECK_EQ_INT(tt_image_alloc(&img, w, h), TT_OK);
    if (rgba && img.rgba) memcpy(img.rgba, rgba, (size_t)w * h * 4);
    return img;
}

int main(void)
{
    /* Identical 1x1 images: MSE 0, PSNR +inf. */
    {
        const uint8_t px[4] = {10, 20, 30, 255};
        tt_image a = make(1, 1, px), b = make(1, 1, px);
        tt_metrics m;
        CHECK_EQ_INT(tt_compare_images(&a, &b, &m), TT_OK);
        CHECK(m.mse_rgb == 0.0 && m.mse_rgba == 0.0);
        CHECK(isinf(m.psnr_rgb) && m.psnr_rgb > 0);
        CHECK(isinf(m.psnr_rgba) && m.psnr_rgba > 0);
        CHECK_EQ_INT(m.max_abs_err_rgb, 0);
        CHECK_EQ_INT(m.max_abs_err_rgba, 0);
        CHECK_EQ_INT(m.has_alpha, 0);
        tt_image_free(&a);
        tt_image_free(&b);
    }
    /* 1x1, R off by one: MSE_rgb = (1/255)^2 / 3 = 5.126233499935921e-06,
     * PSNR = 10 log10(3 * 255^2) = 52.90201615587573 dB;
     * RGBA: 10 log10(4 * 255^2) = 54.15140352195873 dB. */
    {
        const uint8_t pa[4] = {100, 50, 25, 255}, pb[4] = {101, 50, 25, 255};
        tt_image a = make(1, 1, pa), b = make(1, 1, pb);
        tt_metrics m;
        CHECK_EQ_INT(tt_compare_images(&a, &b, &m), TT_OK);
        CHECK_NEAR(m.mse_rgb, 5.126233499935921e-06, 1e-18);
        CHECK_NEAR(m.psnr_rgb, 52.90201615587573, 1e-9);
        CHECK_NEAR(m.psnr_rgba, 54.15140352195873, 1e-9);
        CHECK_EQ_INT(m.max_abs_err_rgb, 1);
        CHECK_EQ_INT(m.max_abs_err_rgba, 1);
        CHECK_EQ_INT(m.has_alpha, 0);
        tt_image_free(&a);
        tt_image_free(&b);
    }
    /* 2x1: pixel 0 differs by (3, 0, 4) in RGB, pixel 1 by 10 in alpha only.
     * RGB: sum 25 -> MSE 25 / 255^2 / 6 = 6.407791874919902e-05,
     *      PSNR 41.932916025795166; max err 4.
     * RGBA: sum 125 -> MSE 125 / 255^2 / 8 = 0.00024029219530949635,
     *      PSNR 36.19260334851798; max err 10; has alpha. */
    {
        const uint8_t pa[8] = {10, 10, 10, 255, 200, 200, 200, 245};
        const uint8_t pb[8] = {13, 10, 6, 255, 200, 200, 200, 255};
        tt_image a = make(2, 1, pa), b = make(2, 1, pb);
        tt_metrics m;
        CHECK_EQ_INT(tt_compare_images(&a, &b, &m), TT_OK);
        CHECK_NEAR(m.mse_rgb, 6.407791874919902e-05, 1e-17);
        CHECK_NEAR(m.mse_rgba, 0.00024029219530949635, 1e-16);
        CHECK_NEAR(m.psnr_rgb, 41.932916025795166, 1e-9);
        CHECK_NEAR(m.psnr_rgba, 36.19260334851798, 1e-9);
        CHECK_EQ_INT(m.max_abs_err_rgb, 4);
        CHECK_EQ_INT(m.max_abs_err_rgba, 10);
        CHECK_EQ_INT(m.has_alpha, 1);
        /* Symmetric. */
        tt_metrics r;
        CHECK_EQ_INT(tt_compare_images(&b, &a, &r), TT_OK);
        CHECK(r.mse_rgb == m.mse_rgb && r.mse_rgba == m.mse_rgba);
        tt_image_free(&a);
        tt_image_free(&b);
    }
    /* Black vs white: MSE 1, PSNR 0 dB exactly; max error 255. */
    {
        tt_image a = make(3, 3, NULL), b = make(3, 3, NULL);
        memset(b.rgba, 255, 3 * 3 * 4);
        for (int i = 0; i < 9; i++) a.rgba[i * 4 + 3] = 255;
        tt_metrics m;
        CHECK_EQ_INT(tt_compare_images(&a, &b, &m), TT_OK);
        CHECK(m.mse_rgb == 1.0);
        CHECK(m.psnr_rgb == 0.0);
        CHECK_NEAR(m.mse_rgba, 0.75, 1e-15);
        CHECK_EQ_INT(m.max_abs_err_rgb, 255);
        CHECK_EQ_INT(m.has_alpha, 0);
        tt_image_free(&a);
        tt_image_free(&b);
    }
    /* Random 37x23 images against a straightforward double accumulation of
     * ((a-b)/255)^2 written here, independently of the library. */
    {
        tt_image a = make(37, 23, NULL), b = make(37, 23, NULL);
        unsigned seed = 12345;
        for (size_t i = 0; i < 37 * 23 * 4; i++) {
            seed = seed * 1103515245u + 12345u;
            a.rgba[i] = (uint8_t)(seed >> 16);
            seed = seed * 1103515245u + 12345u;
            b.rgba[i] = (uint8_t)(seed >> 16);
        }
        double s3 = 0, s4 = 0;
        for (size_t p = 0; p < 37 * 23; p++)
            for (int c = 0; c < 4; c++) {
                double d = (a.rgba[p * 4 + c] - b.rgba[p * 4 + c]) / 255.0;
                if (c < 3) s3 += d * d;
                s4 += d * d;
            }
        double mse3 = s3 / (37.0 * 23 * 3), mse4 = s4 / (37.0 * 23 * 4);
        tt_metrics m;
        CHECK_EQ_INT(tt_compare_images(&a, &b, &m), TT_OK);
        CHECK_NEAR(m.mse_rgb, mse3, mse3 * 1e-12);
        CHECK_NEAR(m.mse_rgba, mse4, mse4 * 1e-12);
        CHECK_NEAR(m.psnr_rgb, 10 * log10(1 / mse3), 1e-9);
        CHECK_EQ_INT(m.has_alpha, 1);
        tt_image_free(&a);
        tt_image_free(&b);
    }
    /* PSNR helper. */
    CHECK_NEAR(tt_psnr_from_mse(0.01), 20.0, 1e-12);
    CHECK_NEAR(tt_psnr_from_mse(1.0), 0.0, 1e-12);
    CHECK(isinf(tt_psnr_from_mse(0.0)));
    /* Size mismatch and missing images. */
    {
        tt_image a = make(4, 4, NULL), b = make(4, 5, NULL);
        tt_metrics m;
        CHECK_EQ_INT(tt_compare_images(&a, &b, &m), TT_ERR_INVALID_ARG);
        CHECK(strstr(tt_last_error(), "4x4") && strstr(tt_last_error(), "4x5"));
        CHECK_EQ_INT(tt_compare_images(&a, NULL, &m), TT_ERR_INVALID_ARG);
        CHECK_EQ_INT(tt_compare_images(&a, &a, NULL), TT_ERR_INVALID_ARG);
        tt_image_free(&a);
        tt_image_free(&b);
    }
    TT_TEST_END();
}
