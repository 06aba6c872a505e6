/* latent.c - C reference of the latent grids (lo, hi or a hi pyramid): layout, init, bilinear or bicubic sampling forward/backward, per-channel QAT. */
#include "neural/latent.h"
#include "neural/entropy.h"

#include <math.h>
#include <string.h>

tt_status tt_latent_layout_init(tt_latent_layout *l, uint32_t img_w, uint32_t img_h,
                                uint32_t ch_lo, uint32_t scale_lo, uint32_t ch_hi, uint32_t scale_hi)
{
    return tt_latent_layout_init_pyramid(l, img_w, img_h, ch_lo, scale_lo, ch_hi, scale_hi, 1);
}

tt_status tt_latent_pyramid_check(uint32_t ch_lo, uint32_t ch_hi, uint32_t scale_hi, uint32_t hi_levels)
{
    if (hi_levels == 0) hi_levels = 1;
    if (hi_levels > TT_LATENT_MAX_HI_LEVELS)
        return tt_fail(TT_ERR_INVALID_ARG, "latent: --hi-levels must be 1..%d", TT_LATENT_MAX_HI_LEVELS);
    if (hi_levels > 1 && ch_hi == 0)
        return tt_fail(TT_ERR_INVALID_ARG, "latent: --hi-levels %u needs hi grid channels (--ch-hi > 0)", hi_levels);
    if (ch_hi > 0 && hi_levels > 1 && scale_hi % (1u << (hi_levels - 1)) != 0)
        return tt_fail(TT_ERR_INVALID_ARG, "latent: --scale-hi %u is not a multiple of 2^(hi-levels - 1) = %u", scale_hi,
                       1u << (hi_levels - 1));
    if ((uint64_t)ch_lo + (uint64_t)ch_hi * hi_levels > TT_LATENT_MAX_FEATURES)
        return tt_fail(TT_ERR_INVALID_ARG, "latent: --ch-lo + --ch-hi x --hi-levels must be at most %d",
                       TT_LATENT_MAX_FEATURES);
    return TT_OK;
}

tt_status tt_latent_rate_check(float quant_step, int target, uint32_t qat_bits, uint32_t qat_start, uint32_t steps)
{
    if (!(quant_step == 0 || (quant_step >= 1e-6f && quant_step <= 1000)))
        return tt_fail(TT_ERR_INVALID_ARG, "latent: quant step %g out of range (0, or 1e-6..1000)", quant_step);
    if (target && (qat_bits == 0 || qat_start >= steps))
        return tt_fail(TT_ERR_INVALID_ARG, "latent: a bpp/PSNR target needs quantisation-aware training (QAT bits "
                       "1..8) starting (at step %u) before the last step (%u): lambda acts only from then",
                       qat_start, steps);
    return TT_OK;
}

tt_status tt_latent_grids_check(int grids, float lambda, int target)
{
    if (grids < TT_LATENT_GRIDS_CUSTOM || grids > TT_LATENT_GRIDS_COARSE)
        return tt_fail(TT_ERR_INVALID_ARG, "latent: unknown grid layout %d", grids);
    if (grids == TT_LATENT_GRIDS_AUTO && !(lambda > 0) && !target)
        return tt_fail(TT_ERR_INVALID_ARG, "latent: auto grids keep the file of the lower MSE + lambda x bpp: give a "
                       "lambda or a bpp/PSNR target");
    return TT_OK;
}

tt_status tt_latent_layout_init_pyramid(tt_latent_layout *l, uint32_t img_w, uint32_t img_h, uint32_t ch_lo,
                                        uint32_t scale_lo, uint32_t ch_hi, uint32_t scale_hi, uint32_t hi_levels)
{
    memset(l, 0, sizeof(*l));
    if (hi_levels == 0) hi_levels = 1;
    if (img_w == 0 || img_h == 0)
        return tt_fail(TT_ERR_INVALID_ARG, "latent: empty image");
    if (ch_lo == 0)
        return tt_fail(TT_ERR_INVALID_ARG, "latent: --ch-lo must be at least 1");
    if (scale_lo == 0 || (ch_hi > 0 && scale_hi == 0))
        return tt_fail(TT_ERR_INVALID_ARG, "latent: grid scales must be at least 1");
    tt_status s = tt_latent_pyramid_check(ch_lo, ch_hi, scale_hi, hi_levels);
    if (s != TT_OK) return s;
    l->n_grids = ch_hi > 0 ? 1 + hi_levels : 1;
    uint64_t total = 0;
    uint32_t features = 0;
    for (uint32_t g = 0; g < l->n_grids; g++) {
        uint32_t sc = g == 0 ? scale_lo : scale_hi >> (g - 1);
        l->ch[g] = g == 0 ? ch_lo : ch_hi;
        l->scale[g] = sc;
        l->w[g] = img_w / sc ? img_w / sc : 1;
        l->h[g] = img_h / sc ? img_h / sc : 1;
        l->offset[g] = (uint32_t)total;
        l->feature0[g] = features;
        features += l->ch[g];
        total += (uint64_t)l->w[g] * l->h[g] * l->ch[g];
        if (total > (1u << 30))
            return tt_fail(TT_ERR_LIMIT, "latent: grids of %llu values are too large", (unsigned long long)total);
    }
    l->features = features;
    l->total = (uint32_t)total;
    return TT_OK;
}

/* Corner indices and weights of an align-corners bilinear lookup along one
 * axis: x01 in [0,1] (x = 2 x01 - 1 in [-1,1]) maps to [0, n-1], clamped. */
static void axis_lookup(float x01, uint32_t n, uint32_t *i0, uint32_t *i1, float *f)
{
    float s = x01 * (float)(n - 1);
    if (s < 0.0f) s = 0.0f;
    if (s > (float)(n - 1)) s = (float)(n - 1);
    float fl = floorf(s);
    uint32_t a = (uint32_t)fl;
    if (a > n - 1) a = n - 1;
    *i0 = a;
    *i1 = a + 1 < n ? a + 1 : n - 1;
    *f = s - fl;
}

/* The four points around the lookup of axis_lookup (i0 - 1 .. i1 + 1, clamped) and their Catmull-Rom weights, as
 * lat_axis_cubic in shaders/latent_enc.glsl: they sum to 1 and give the grid value itself at f = 0. */
static void axis_cubic(float x01, uint32_t n, uint32_t idx[4], float w[4])
{
    uint32_t i0, i1;
    float f;
    axis_lookup(x01, n, &i0, &i1, &f);
    idx[0] = i0 > 0 ? i0 - 1 : 0;
    idx[1] = i0;
    idx[2] = i1;
    idx[3] = i1 + 1 < n ? i1 + 1 : n - 1;
    float f2 = f * f, f3 = f2 * f;
    w[0] = 0.5f * (2.0f * f2 - f3 - f);
    w[1] = 0.5f * (3.0f * f3 - 5.0f * f2 + 2.0f);
    w[2] = 0.5f * (4.0f * f2 - 3.0f * f3 + f);
    w[3] = 0.5f * (f3 - f2);
}

/* Bicubic sampling of grid g: rows of four points weighted along x, then the rows along y (the shader's order). */
static void sample_cubic(const tt_latent_layout *l, const float *grid, uint32_t g, float x01, float y01, float *feat)
{
    uint32_t xs[4], ys[4], C = l->ch[g];
    float wx[4], wy[4];
    axis_cubic(x01, l->w[g], xs, wx);
    axis_cubic(y01, l->h[g], ys, wy);
    const float *base = grid + l->offset[g];
    for (uint32_t c = 0; c < C; c++) {
        float acc = 0.0f;
        for (int j = 0; j < 4; j++) {
            float row = 0.0f;
            for (int i = 0; i < 4; i++) row += wx[i] * base[((size_t)ys[j] * l->w[g] + xs[i]) * C + c];
            acc += wy[j] * row;
        }
        feat[c] = acc;
    }
}

static void sample_cubic_backward(const tt_latent_layout *l, uint32_t g, float x01, float y01, const float *dfeat,
                                  float *dgrid)
{
    uint32_t xs[4], ys[4], C = l->ch[g];
    float wx[4], wy[4];
    axis_cubic(x01, l->w[g], xs, wx);
    axis_cubic(y01, l->h[g], ys, wy);
    float *base = dgrid + l->offset[g];
    for (uint32_t c = 0; c < C; c++)
        for (int j = 0; j < 4; j++)
            for (int i = 0; i < 4; i++) /* points may coincide at the border: accumulate */
                base[((size_t)ys[j] * l->w[g] + xs[i]) * C + c] += wx[i] * wy[j] * dfeat[c];
}

void tt_latent_sample(const tt_latent_layout *l, const float *grid, float x01, float y01, float *feat)
{
    uint32_t k = 0;
    for (uint32_t g = 0; g < l->n_grids; g++) {
        if (l->upsample == TT_LATENT_UPSAMPLE_BICUBIC) {
            sample_cubic(l, grid, g, x01, y01, feat + k);
            k += l->ch[g];
            continue;
        }
        uint32_t x0, x1, y0, y1;
        float fx, fy;
        axis_lookup(x01, l->w[g], &x0, &x1, &fx);
        axis_lookup(y01, l->h[g], &y0, &y1, &fy);
        uint32_t C = l->ch[g];
        const float *base = grid + l->offset[g];
        const float *p00 = base + ((size_t)y0 * l->w[g] + x0) * C;
        const float *p10 = base + ((size_t)y0 * l->w[g] + x1) * C;
        const float *p01 = base + ((size_t)y1 * l->w[g] + x0) * C;
        const float *p11 = base + ((size_t)y1 * l->w[g] + x1) * C;
        float w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
        for (uint32_t c = 0; c < C; c++)
            feat[k++] = w00 * p00[c] + w10 * p10[c] + w01 * p01[c] + w11 * p11[c];
    }
}

void tt_latent_sample_backward(const tt_latent_layout *l, float x01, float y01, const float *dfeat, float *dgrid)
{
    uint32_t k = 0;
    for (uint32_t g = 0; g < l->n_grids; g++) {
        if (l->upsample == TT_LATENT_UPSAMPLE_BICUBIC) {
            sample_cubic_backward(l, g, x01, y01, dfeat + k, dgrid);
            k += l->ch[g];
            continue;
        }
        uint32_t x0, x1, y0, y1;
        float fx, fy;
        axis_lookup(x01, l->w[g], &x0, &x1, &fx);
        axis_lookup(y01, l->h[g], &y0, &y1, &fy);
        uint32_t C = l->ch[g];
        float *base = dgrid + l->offset[g];
        float *p00 = base + ((size_t)y0 * l->w[g] + x0) * C;
        float *p10 = base + ((size_t)y0 * l->w[g] + x1) * C;
        float *p01 = base + ((size_t)y1 * l->w[g] + x0) * C;
        float *p11 = base + ((size_t)y1 * l->w[g] + x1) * C;
        float w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
        for (uint32_t c = 0; c < C; c++) {
            float d = dfeat[k++];
            /* Corners may coincide at the border: accumulate, never assign. */
            p00[c] += w00 * d;
            p10[c] += w10 * d;
            p01[c] += w01 * d;
            p11[c] += w11 * d;
        }
    }
}

void tt_latent_channel_minmax(const tt_latent_layout *l, const float *grid, float *mn, float *mx)
{
    for (uint32_t g = 0; g < l->n_grids; g++) {
        uint32_t C = l->ch[g];
        size_t cells = (size_t)l->w[g] * l->h[g];
        const float *base = grid + l->offset[g];
        for (uint32_t c = 0; c < C; c++) {
            float lo = INFINITY, hi = -INFINITY;
            for (size_t i = 0; i < cells; i++) {
                float v = base[i * C + c];
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
            }
            uint32_t f = tt_latent_feature_index(l, g, c);
            mn[f] = lo;
            mx[f] = hi;
        }
    }
}

void tt_latent_quantize(const tt_latent_layout *l, const float *grid, int bits, float *out, float *mn_out, float *mx_out)
{
    float mn[TT_LATENT_MAX_FEATURES], mx[TT_LATENT_MAX_FEATURES];
    tt_latent_channel_minmax(l, grid, mn, mx);
    float levels = (float)((1u << bits) - 1u);
    for (uint32_t g = 0; g < l->n_grids; g++) {
        uint32_t C = l->ch[g];
        size_t cells = (size_t)l->w[g] * l->h[g];
        for (uint32_t c = 0; c < C; c++) {
            uint32_t f = tt_latent_feature_index(l, g, c);
            float range = tt_latent_qat_range(mn[f], mx[f]);
            for (size_t i = 0; i < cells; i++) {
                size_t at = l->offset[g] + i * C + c;
                out[at] = tt_latent_qat_value(tt_latent_qat_level(grid[at], mn[f], range, levels), mn[f], range, levels);
            }
        }
    }
    if (mn_out) memcpy(mn_out, mn, l->features * sizeof(float));
    if (mx_out) memcpy(mx_out, mx, l->features * sizeof(float));
}

void tt_latent_quantize_step(const tt_latent_layout *l, const float *grid, int bits, float step, float *out)
{
    float lo, range, levels = (float)((1u << bits) - 1u), inv = 1.0f / step;
    tt_latent_step_window(bits, step, &lo, &range);
    for (uint32_t i = 0; i < l->total; i++)
        out[i] = tt_latent_qat_value(tt_latent_step_level(grid[i], inv, bits), lo, range, levels);
}

void tt_latent_rate_scales(const tt_latent_layout *l, const float *grid, float step, float *b)
{
    for (uint32_t g = 0; g < l->n_grids; g++)
        for (uint32_t c = 0; c < l->ch[g]; c++) {
            size_t cells = (size_t)l->w[g] * l->h[g];
            double sum = 0;
            for (size_t i = 0; i < cells; i++) sum += fabs(grid[l->offset[g] + i * l->ch[g] + c] / step);
            double mean = cells ? sum / (double)cells : 0;
            b[tt_latent_feature_index(l, g, c)] = mean > TT_LATENT_RATE_MIN_SCALE ? (float)mean : TT_LATENT_RATE_MIN_SCALE;
        }
}

double tt_latent_rate_grad(const tt_latent_layout *l, const float *grid, float step, const float *b, float *grad)
{
    double total = 0;
    for (uint32_t g = 0; g < l->n_grids; g++)
        for (uint32_t c = 0; c < l->ch[g]; c++) {
            uint32_t f = tt_latent_feature_index(l, g, c);
            size_t cells = (size_t)l->w[g] * l->h[g];
            for (size_t i = 0; i < cells; i++) {
                size_t at = l->offset[g] + i * l->ch[g] + c;
                double d;
                total += tt_ec_laplace_bits(grid[at] / step, 0.0, b[f], &d, NULL);
                if (grad) grad[at] = (float)(d / step);
            }
        }
    return total;
}
