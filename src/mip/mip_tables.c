/* mip_tables.c - the mip filters (box, Kaiser, Lanczos-3) as per-level weight tables, and the level-0 decode tables, computed in double once for the C reference and the shaders alike. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mip/tt_mip.h"
#include "mip_abi.h" /* shaders/: the table layout */

#define MIP_PI 3.14159265358979323846
/* Windowed filters reach this many destination texels either side of a texel's centre (docs/mips.md, "Filters"). */
#define MIP_RADIUS 3.0
#define MIP_KAISER_ALPHA 4.0
#define MIP_KAISER_STRETCH 1.0
/* Source texels one destination texel can touch: the ratio source/destination is at most 3 (3 -> 1, and
 * 2k + 1 -> k), so a windowed filter spans at most 2 * 3 * 3 + 2 source texels. */
#define MIP_MAX_SPAN 24

static double sinc(double x)
{
    if (fabs(x) < 1e-12) return 1.0;
    return sin(MIP_PI * x) / (MIP_PI * x);
}

/* Modified Bessel function of the first kind, order 0, by its power series (converges fast for the alpha used). */
static double bessel_i0(double x)
{
    double sum = 1.0, term = 1.0, q = x * x / 4.0;
    for (int k = 1; k < 100 && term > sum * 1e-17; k++) {
        term *= q / ((double)k * k);
        sum += term;
    }
    return sum;
}

/* The filter at distance x, in destination texels (docs/mips.md, "Filters"). */
static double window(tt_mip_filter f, double x)
{
    double ax = fabs(x);
    if (ax >= MIP_RADIUS) return 0.0;
    if (f == TT_MIP_LANCZOS) return sinc(x) * sinc(x / MIP_RADIUS);
    double t = x / MIP_RADIUS;
    return sinc(x * MIP_KAISER_STRETCH) * bessel_i0(MIP_KAISER_ALPHA * sqrt(1.0 - t * t)) / bessel_i0(MIP_KAISER_ALPHA);
}

/* The weights of destination coordinate d along an axis of src source and dst destination texels: the first source
 * coordinate *j0 and w[0..n), normalised to sum 1; returns n. Box: the overlap of each source texel with the
 * destination texel's footprint [d, d + 1) * src / dst. Windowed: the filter at each source texel centre, scaled
 * by src / dst. */
static uint32_t axis_weights(tt_mip_filter f, uint32_t src, uint32_t dst, uint32_t d, int32_t *j0,
                             double w[MIP_MAX_SPAN])
{
    double ratio = (double)src / (double)dst;
    int32_t lo, hi;
    if (f == TT_MIP_BOX) {
        double a = (double)d * src / dst, b = (double)(d + 1) * src / dst;
        lo = (int32_t)floor(a);
        hi = (int32_t)ceil(b) - 1;
        for (int32_t j = lo; j <= hi; j++) w[j - lo] = fmin(b, j + 1.0) - fmax(a, (double)j);
    } else {
        double c = (d + 0.5) * ratio, r = MIP_RADIUS * ratio;
        lo = (int32_t)floor(c - r - 0.5);
        hi = (int32_t)ceil(c + r - 0.5);
        for (int32_t j = lo; j <= hi; j++) w[j - lo] = window(f, (j + 0.5 - c) / ratio);
    }
    /* drop the ends that carry nothing (rounding slivers of the box, the window's zeros) */
    int32_t first = lo, last = hi;
    while (first < last && fabs(w[first - lo]) < 1e-9) first++;
    while (last > first && fabs(w[last - lo]) < 1e-9) last--;
    uint32_t n = (uint32_t)(last - first + 1);
    double sum = 0.0;
    for (uint32_t k = 0; k < n; k++) sum += w[first - lo + k];
    for (uint32_t k = 0; k < n; k++) w[k] = w[first - lo + k] / sum;
    *j0 = first;
    return n;
}

static uint32_t float_bits(float f)
{
    union { float f; uint32_t u; } v = {f};
    return v.u;
}

/* Taps of an axis: the most any destination coordinate needs. */
static uint32_t axis_taps(tt_mip_filter f, uint32_t src, uint32_t dst)
{
    uint32_t taps = 1;
    double w[MIP_MAX_SPAN];
    int32_t j0;
    for (uint32_t d = 0; d < dst; d++) {
        uint32_t n = axis_weights(f, src, dst, d, &j0, w);
        if (n > taps) taps = n;
    }
    return taps;
}

static void axis_write(tt_mip_filter f, uint32_t src, uint32_t dst, uint32_t taps, uint32_t *words)
{
    double w[MIP_MAX_SPAN];
    for (uint32_t d = 0; d < dst; d++) {
        int32_t j0;
        uint32_t n = axis_weights(f, src, dst, d, &j0, w), *e = words + (size_t)d * (taps + 1);
        e[0] = (uint32_t)j0;
        for (uint32_t k = 0; k < taps; k++) e[1 + k] = float_bits(k < n ? (float)w[k] : 0.0f);
    }
}

tt_status tt_mip_tables_make(const tt_mip_plan *plan, tt_mip_tables *out)
{
    memset(out, 0, sizeof *out);
    tt_mip_filter f = plan->cfg.filter;
    size_t n = TT_MIP_TAB_WEIGHTS;
    for (uint32_t i = 1; i < plan->count; i++) {
        out->taps_x[i] = axis_taps(f, plan->width[i - 1], plan->width[i]);
        out->taps_y[i] = axis_taps(f, plan->height[i - 1], plan->height[i]);
        out->tab_x[i] = (uint32_t)n;
        n += (size_t)plan->width[i] * (out->taps_x[i] + 1);
        out->tab_y[i] = (uint32_t)n;
        n += (size_t)plan->height[i] * (out->taps_y[i] + 1);
    }
    /* n < 768 + 17 levels * 2 axes * 32768 * 25 words: small, and within the uint32 offsets */
    out->words = malloc(n * sizeof *out->words);
    if (!out->words) return tt_fail(TT_ERR_NOMEM, "mip: out of memory for %zu words of filter tables", n);
    out->n_words = n;
    for (uint32_t k = 0; k < 256; k++) {
        double x = k / 255.0;
        double lin = x <= 0.04045 ? x / 12.92 : pow((x + 0.055) / 1.055, 2.4); /* the sRGB EOTF (IEC 61966-2-1) */
        out->words[TT_MIP_LUT_SRGB + k] = float_bits((float)lin);
        out->words[TT_MIP_LUT_UNORM + k] = float_bits((float)x);
        out->words[TT_MIP_LUT_SNORM + k] = float_bits((float)(2.0 * k / 255.0 - 1.0));
    }
    for (uint32_t i = 1; i < plan->count; i++) {
        axis_write(f, plan->width[i - 1], plan->width[i], out->taps_x[i], out->words + out->tab_x[i]);
        axis_write(f, plan->height[i - 1], plan->height[i], out->taps_y[i], out->words + out->tab_y[i]);
        /* the source rows an 8-row tile of the filter shader holds in shared memory (bounded in mip_abi.h) */
        for (uint32_t y0 = 0; y0 < plan->height[i]; y0 += TT_MIP_LOCAL_SIZE) {
            uint32_t y1 = y0 + TT_MIP_LOCAL_SIZE - 1;
            if (y1 >= plan->height[i]) y1 = plan->height[i] - 1;
            const uint32_t *e0 = out->words + out->tab_y[i] + (size_t)y0 * (out->taps_y[i] + 1);
            const uint32_t *e1 = out->words + out->tab_y[i] + (size_t)y1 * (out->taps_y[i] + 1);
            int64_t rows = (int64_t)(int32_t)e1[0] + out->taps_y[i] - (int32_t)e0[0];
            if (rows > TT_MIP_TILE_ROWS) {
                tt_mip_tables_free(out);
                return tt_fail(TT_ERR_UNSUPPORTED, "mip level %u: a filter tile needs %lld source rows, above %u",
                               i, (long long)rows, TT_MIP_TILE_ROWS);
            }
        }
    }
    return TT_OK;
}

void tt_mip_tables_free(tt_mip_tables *t)
{
    if (!t) return;
    free(t->words);
    memset(t, 0, sizeof *t);
}
