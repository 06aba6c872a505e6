/* metrics.c - image comparison exactly as docs/algorithms.md, PSNR defines it: MSE of (a-b)/255 over pixels x RGB(A), PSNR = 10 log10(1/MSE). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tinytex.h"

double tt_psnr_from_mse(double mse)
{
    if (!(mse > 0.0)) return INFINITY; /* identical (or NaN guard) */
    return 10.0 * log10(1.0 / mse);
}

tt_status tt_compare_images(const tt_image *a, const tt_image *b, tt_metrics *out)
{
    if (!out) return tt_fail(TT_ERR_INVALID_ARG, "tt_compare_images: no output");
    memset(out, 0, sizeof *out);
    if (!a || !b || !a->rgba || !b->rgba)
        return tt_fail(TT_ERR_INVALID_ARG, "tt_compare_images: missing image");
    if (a->width != b->width || a->height != b->height)
        return tt_fail(TT_ERR_INVALID_ARG, "cannot compare images of different sizes: %ux%u vs %ux%u",
                       a->width, a->height, b->width, b->height);
    size_t n = (size_t)a->width * a->height;
    if (n == 0) return tt_fail(TT_ERR_INVALID_ARG, "tt_compare_images: empty images");

    /* Sum squared byte differences exactly in integers, per row, then add
     * the row sums in double: the result equals the double accumulation of
     * ((a-b)/255)^2 up to the final scaling, without rounding drift. */
    double sum_rgb = 0.0, sum_alpha = 0.0;
    int max_rgb = 0, max_alpha = 0, alpha_seen = 0;
    for (uint32_t y = 0; y < a->height; y++) {
        const uint8_t *pa = a->rgba + (size_t)y * a->width * 4;
        const uint8_t *pb = b->rgba + (size_t)y * b->width * 4;
        uint64_t row_rgb = 0, row_alpha = 0;
        for (uint32_t x = 0; x < a->width; x++, pa += 4, pb += 4) {
            for (int c = 0; c < 3; c++) {
                int d = abs((int)pa[c] - (int)pb[c]);
                row_rgb += (uint64_t)(d * d);
                if (d > max_rgb) max_rgb = d;
            }
            int d = abs((int)pa[3] - (int)pb[3]);
            row_alpha += (uint64_t)(d * d);
            if (d > max_alpha) max_alpha = d;
            if (pa[3] != 255 || pb[3] != 255) alpha_seen = 1;
        }
        sum_rgb += (double)row_rgb;
        sum_alpha += (double)row_alpha;
    }
    const double scale = 255.0 * 255.0;
    out->mse_rgb = sum_rgb / scale / ((double)n * 3.0);
    out->mse_rgba = (sum_rgb + sum_alpha) / scale / ((double)n * 4.0);
    out->psnr_rgb = tt_psnr_from_mse(out->mse_rgb);
    out->psnr_rgba = tt_psnr_from_mse(out->mse_rgba);
    out->max_abs_err_rgb = max_rgb;
    out->max_abs_err_rgba = max_alpha > max_rgb ? max_alpha : max_rgb;
    out->has_alpha = alpha_seen;
    return TT_OK;
}

/* Unit vector of an RGBA8 texel's RGB read as 2 c / 255 - 1; 0 for a zero vector. */
static int texel_normal(const uint8_t *p, double v[3])
{
    double l2 = 0.0;
    for (int k = 0; k < 3; k++) {
        v[k] = 2.0 * p[k] / 255.0 - 1.0;
        l2 += v[k] * v[k];
    }
    if (l2 <= 0.0) return 0;
    double r = 1.0 / sqrt(l2);
    for (int k = 0; k < 3; k++) v[k] *= r;
    return 1;
}

tt_status tt_normal_angle_error(const tt_image *ref, const tt_image *test, double *mean_deg, double *max_deg)
{
    if (mean_deg) *mean_deg = 0.0;
    if (max_deg) *max_deg = 0.0;
    if (!ref || !test || !ref->rgba || !test->rgba)
        return tt_fail(TT_ERR_INVALID_ARG, "normal angle error: missing image");
    if (ref->width != test->width || ref->height != test->height)
        return tt_fail(TT_ERR_INVALID_ARG, "normal angle error: sizes differ (%ux%u vs %ux%u)", ref->width,
                       ref->height, test->width, test->height);
    size_t n = (size_t)ref->width * ref->height;
    double sum = 0.0, mx = 0.0;
    for (size_t i = 0; i < n; i++) {
        double a[3], b[3], deg = 90.0;
        if (texel_normal(ref->rgba + 4 * i, a) && texel_normal(test->rgba + 4 * i, b)) {
            double c = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
            c = c > 1.0 ? 1.0 : (c < -1.0 ? -1.0 : c);
            deg = acos(c) * (180.0 / 3.14159265358979323846);
        }
        sum += deg;
        mx = deg > mx ? deg : mx;
    }
    if (mean_deg) *mean_deg = n ? sum / (double)n : 0.0;
    if (max_deg) *max_deg = mx;
    return TT_OK;
}
