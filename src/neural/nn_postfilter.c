/* nn_postfilter.c - the post-filter of a decoded latent image: least-squares fit at encode time, LPFL chunk, C reference and GPU pass. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/tt_bytes.h"
#include "neural/tt_neural.h"
#include "nn_abi.h"

_Static_assert(TT_PF_FRAC_BITS == 12 && TT_PF_WEIGHTS == 81, "shaders/nn_postfilter.comp spells these numbers out");

#define PF_K (3 * TT_PF_TAPS)              /* inputs of one output channel: 3 channels x 9 taps */
#define PF_ONE (1 << TT_PF_FRAC_BITS)
#define PF_MAX_SAMPLES (4u << 20)          /* pixels the fit reads at most (whole rows, evenly spaced) */
#define PF_VERSION 1

const tt_postfilter *tt_nn_postfilter_of(const tt_nn_model *m)
{
    return m->kind == TT_NN_KIND_LATENT && m->latent.post.on ? &m->latent.post : NULL;
}

/* The 27 inputs of pixel (x, y): for each channel, its 3x3 neighbourhood in raster order, edges replicated. */
static void gather(const tt_image *img, uint32_t x, uint32_t y, int32_t v[PF_K])
{
    for (int t = 0; t < TT_PF_TAPS; t++) {
        int sx = (int)x + t % 3 - 1, sy = (int)y + t / 3 - 1;
        sx = sx < 0 ? 0 : sx >= (int)img->width ? (int)img->width - 1 : sx;
        sy = sy < 0 ? 0 : sy >= (int)img->height ? (int)img->height - 1 : sy;
        const uint8_t *p = img->rgba + ((size_t)sy * img->width + (size_t)sx) * 4;
        for (int i = 0; i < 3; i++) v[i * TT_PF_TAPS + t] = p[i];
    }
}

static uint8_t filter_pixel(const tt_postfilter *f, int c, const int32_t v[PF_K])
{
    int32_t acc = f->b[c];
    for (int k = 0; k < PF_K; k++) acc += (int32_t)f->w[c * PF_K + k] * v[k];
    acc += PF_ONE / 2;
    /* floor division by 2^bits then a clamp, as the shader's arithmetic shift; negative sums clamp to 0 */
    return acc < 0 ? 0 : (acc >> TT_PF_FRAC_BITS) > 255 ? 255 : (uint8_t)(acc >> TT_PF_FRAC_BITS);
}

tt_status tt_postfilter_apply(const tt_postfilter *f, const tt_image *in, tt_image *out)
{
    tt_status s = tt_image_alloc(out, in->width, in->height);
    if (s != TT_OK) return s;
    for (uint32_t y = 0; y < in->height; y++)
        for (uint32_t x = 0; x < in->width; x++) {
            int32_t v[PF_K];
            gather(in, x, y, v);
            size_t i = ((size_t)y * in->width + x) * 4;
            for (int c = 0; c < 3; c++) out->rgba[i + (size_t)c] = filter_pixel(f, c, v);
            out->rgba[i + 3] = in->rgba[i + 3];
        }
    return TT_OK;
}

/* Solves g x = r for symmetric positive definite g (n x n, destroyed) by Cholesky; 0 on success. */
static int cholesky_solve(double *g, int n, const double *r, double *x)
{
    for (int j = 0; j < n; j++) {
        double d = g[j * n + j];
        for (int k = 0; k < j; k++) d -= g[j * n + k] * g[j * n + k];
        if (!(d > 0)) return -1;
        d = sqrt(d);
        g[j * n + j] = d;
        for (int i = j + 1; i < n; i++) {
            double e = g[i * n + j];
            for (int k = 0; k < j; k++) e -= g[i * n + k] * g[j * n + k];
            g[i * n + j] = e / d;
        }
    }
    for (int i = 0; i < n; i++) {   /* L y = r, then L^T x = y */
        double e = r[i];
        for (int k = 0; k < i; k++) e -= g[i * n + k] * x[k];
        x[i] = e / g[i * n + i];
    }
    for (int i = n - 1; i >= 0; i--) {
        double e = x[i];
        for (int k = i + 1; k < n; k++) e -= g[k * n + i] * x[k];
        x[i] = e / g[i * n + i];
    }
    return 0;
}

tt_status tt_postfilter_fit(const tt_image *ref, const tt_image *decoded, tt_postfilter *out)
{
    memset(out, 0, sizeof *out);
    if (ref->width != decoded->width || ref->height != decoded->height)
        return tt_fail(TT_ERR_INVALID_ARG, "post-filter: the images differ in size");
    /* sums for the normal equations of all three outputs at once: they share the 27 inputs */
    double g[PF_K * PF_K] = {0}, r[3][PF_K] = {{0}}, mean_in[PF_K] = {0}, mean_t[3] = {0}, count = 0;
    uint32_t w = ref->width, h = ref->height;
    uint32_t row_step = (uint64_t)w * h > PF_MAX_SAMPLES ? (uint32_t)(((uint64_t)w * h + PF_MAX_SAMPLES - 1) / PF_MAX_SAMPLES) : 1;
    for (uint32_t y = 0; y < h; y += row_step)
        for (uint32_t x = 0; x < w; x++) {
            int32_t v[PF_K];
            gather(decoded, x, y, v);
            for (int i = 0; i < PF_K; i++) {
                for (int j = 0; j <= i; j++) g[i * PF_K + j] += (double)v[i] * v[j];
                mean_in[i] += v[i];
            }
            const uint8_t *t = ref->rgba + ((size_t)y * w + x) * 4;
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < PF_K; i++) r[c][i] += (double)v[i] * t[c];
                mean_t[c] += t[c];
            }
            count += 1;
        }
    /* solved on the centred statistics (covariances), the bias then following from the means: a ridge on raw
     * moments would shrink the bias and bend the weights to make up for it */
    for (int i = 0; i < PF_K; i++) mean_in[i] /= count;
    double tr = 0, work[PF_K * PF_K];
    for (int i = 0; i < PF_K; i++) tr += g[i * PF_K + i] / count - mean_in[i] * mean_in[i];
    int usable = 1;
    for (int c = 0; c < 3 && usable; c++) {
        double x[PF_K], rc[PF_K], mt = mean_t[c] / count;
        for (int i = 0; i < PF_K; i++) {
            for (int j = 0; j <= i; j++)
                work[i * PF_K + j] = work[j * PF_K + i] = g[i * PF_K + j] / count - mean_in[i] * mean_in[j];
            /* a ridge of one level^2 (and 1e-6 of the mean variance): it bounds the weights, so the filter does not
             * amplify the last-level differences between decoders (fp32 and tensor-core) into larger ones, nor fit
             * noise on small images; on photos it costs under 0.01 dB (docs/algorithms.md) */
            work[i * PF_K + i] += 1.0 + 1e-6 * tr / PF_K;
            rc[i] = r[c][i] / count - mean_in[i] * mt;
        }
        if (cholesky_solve(work, PF_K, rc, x) != 0) {
            usable = 0;
            break;
        }
        /* weights rounded to 1/2^bits; the bias from the means with the rounded weights */
        double bias = mt;
        for (int k = 0; k < PF_K; k++) {
            double q = nearbyint(x[k] * PF_ONE);
            if (!(fabs(q) <= 32767)) {
                usable = 0;
                break;
            }
            out->w[c * PF_K + k] = (int16_t)q;
            bias -= q / PF_ONE * mean_in[k];
        }
        double qb = nearbyint(bias * PF_ONE);
        if (!(fabs(qb) < (double)(1 << 26))) usable = 0;
        else out->b[c] = (int32_t)qb;
    }
    if (!usable) memset(out, 0, sizeof *out);
    else out->on = 1;
    return TT_OK;
}

void tt_postfilter_write(const tt_postfilter *f, uint8_t *p)
{
    p[0] = PF_VERSION;
    p[1] = 3;                 /* taps per side */
    p[2] = TT_PF_FRAC_BITS;
    p[3] = 0;
    for (int k = 0; k < TT_PF_WEIGHTS; k++) tt_put_le16(p + 4 + 2 * k, (uint16_t)f->w[k]);
    for (int c = 0; c < 3; c++) tt_put_le32(p + 4 + 2 * TT_PF_WEIGHTS + 4 * c, (uint32_t)f->b[c]);
}

tt_status tt_postfilter_read(const uint8_t *p, uint32_t size, const char *name, tt_postfilter *out)
{
    memset(out, 0, sizeof *out);
    if (size != TT_PF_PAYLOAD)
        return tt_fail(TT_ERR_FORMAT, "%s: LPFL chunk of %u bytes (post-filter: %d expected)", name, size, TT_PF_PAYLOAD);
    if (p[0] != PF_VERSION || p[1] != 3 || p[2] != TT_PF_FRAC_BITS || p[3] != 0)
        return tt_fail(TT_ERR_FORMAT, "%s: LPFL chunk of an unknown kind (version %u, %u taps, %u bits)", name, p[0],
                       p[1], p[2]);
    for (int k = 0; k < TT_PF_WEIGHTS; k++) out->w[k] = (int16_t)tt_get_le16(p + 4 + 2 * k);
    for (int c = 0; c < 3; c++) {
        int32_t b = (int32_t)tt_get_le32(p + 4 + 2 * TT_PF_WEIGHTS + 4 * c);
        if (b <= -(1 << 26) || b >= (1 << 26))
            return tt_fail(TT_ERR_FORMAT, "%s: LPFL chunk holds a bias out of range (%d)", name, b);
        out->b[c] = b;
    }
    out->on = 1;
    return TT_OK;
}

struct tt_postfilter_gpu {
    tt_vk *vk;
    tt_vk_pipeline *pipe;
    tt_vk_buffer coef;
    uint32_t width, height;
};

tt_status tt_postfilter_gpu_create(tt_vk *vk, const tt_postfilter *f, uint32_t width, uint32_t height,
                                   tt_postfilter_gpu **out)
{
    *out = NULL;
    tt_postfilter_gpu *g = calloc(1, sizeof *g);
    if (!g) return tt_fail(TT_ERR_NOMEM, "post-filter: out of memory");
    g->vk = vk;
    g->width = width;
    g->height = height;
    int32_t coef[TT_PF_WEIGHTS + 3];
    for (int k = 0; k < TT_PF_WEIGHTS; k++) coef[k] = f->w[k];
    for (int c = 0; c < 3; c++) coef[TT_PF_WEIGHTS + c] = f->b[c];
    tt_status s = tt_vk_buffer_create(vk, sizeof coef, TT_MEM_DEVICE, &g->coef);
    if (s == TT_OK) s = tt_vk_upload(vk, &g->coef, 0, coef, sizeof coef);
    if (s == TT_OK)
        s = tt_vk_pipeline_create(vk, "nn_postfilter", NN_PF_BUFFERS, sizeof(tt_nn_postfilter_push), NULL, 0, NN_PF_WG,
                                  NN_PF_WG, 1, &g->pipe);
    if (s != TT_OK) tt_postfilter_gpu_destroy(g);
    else *out = g;
    return s;
}

void tt_postfilter_gpu_record(tt_postfilter_gpu *g, tt_vk_buffer *in, tt_vk_buffer *out)
{
    tt_vk_buffer *b[NN_PF_BUFFERS] = {[NN_PF_BIND_IN] = in, [NN_PF_BIND_OUT] = out, [NN_PF_BIND_COEF] = &g->coef};
    tt_nn_postfilter_push pc = {.width = g->width, .height = g->height};
    tt_vk_dispatch(g->vk, g->pipe, b, &pc, g->width, g->height, 1);
}

void tt_postfilter_gpu_destroy(tt_postfilter_gpu *g)
{
    if (!g) return;
    tt_vk_pipeline_destroy(g->vk, g->pipe);
    if (g->coef.buffer) tt_vk_buffer_destroy(g->vk, &g->coef);
    free(g);
}
