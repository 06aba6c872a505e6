/* bc7_encode_ref.c - C reference BC7 encoder: mode 6 (PCA guess, Nelder-Mead on the quantized loss, LS refit, jitter) plus mode 1/3 two-subset candidates for opaque blocks. */
#include <math.h>
#include <string.h>

#include "bc7/bc7_internal.h"

/* This file and shaders/bc7_encode.glsl implement the same algorithm with
 * the same float operation order, so the GPU reproduces these blocks bit
 * for bit. Rules that keep them in step (see docs/bc7.md):
 *  - floats only go through +, -, *, min, max, floor, compares and int
 *    conversions, which Vulkan requires to be correctly rounded/exact, in
 *    the same order; the shader marks them `precise` (no FMA contraction),
 *    and C on x86-64 without -ffp-contract=fast does not contract either;
 *  - the only inexact ops are the divisions (projection scales of the two
 *    starting guesses and the least-squares refit), IEEE-exact here and on lavapipe, but allowed
 *    2.5 ulp by Vulkan on other GPUs;
 *  - every decision after quantization is integer (loss = integer SSE of
 *    the decoded block; ties broken by a fixed order). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#endif

#define NM_ALPHA 1.3f
#define NM_GAMMA 2.2f
#define NM_RHO 0.55f
#define NM_SIGMA 0.45f
#ifndef REFIT_ITERATIONS
#define REFIT_ITERATIONS 2
#endif
#ifndef PA_START
#define PA_START 1 /* second start from the principal axis */
#endif
#ifndef LITE_POLISH
/* 1: opaque blocks that also get a two-subset candidate (mode 1/3) take a
 * lighter mode-6 polish: one +-1 pass, no principal-axis start */
#define LITE_POLISH 1
#endif
#ifndef JITTER_PASSES
#define JITTER_PASSES 1
#endif

/* Block state shared by all steps: integer texels and whether alpha is all 255. */
typedef struct {
    int t[16][4];
    int opaque;
} block_in;

/* A quantized candidate: 7-bit endpoints, p-bits, indices, its SSE.
 * half = 1: an opaque block with p-bits (1, 0), whose second endpoint has
 * alpha 254, so only indices 0..7 (weights <= 30, alpha still 255) may be
 * used; it buys 8-bit endpoint precision for low-contrast blocks. */
typedef struct {
    int q[2][4];
    int p[2];
    int idx[16];
    int sse;
    int half;
} candidate;

static float clamp01(float x) { return x < 0.0f ? 0.0f : (x > 1.0f ? 1.0f : x); }

/* 7-bit value for the 8-bit-scale float x with p-bit p: nearest (2q+p). */
static int quant7(float x, int p)
{
    float v = floorf((x - (float)p) * 0.5f + 0.5f);
    return (int)fminf(fmaxf(v, 0.0f), 127.0f);
}

/* Quantizes one endpoint (x in 8-bit scale) with p-bit p; returns float error. */
static float quant_endpoint(const float x[4], int p, int opaque, int q[4])
{
    float err = 0.0f;
    int nc = opaque ? 3 : 4;
    for (int c = 0; c < nc; c++) {
        q[c] = quant7(x[c], p);
        float d = (float)(2 * q[c] + p) - x[c];
        err = err + d * d;
    }
    if (opaque) q[3] = 127;
    return err;
}

/* Of the two bracketing indices k0 and k0 + 1 (weights wa, wb), the one whose
 * decoded texel ((64 - w) e0 + w e1 + 32) >> 6 is nearer to t over `nch`
 * channels, by exact integer squared error (ties go to k0); adds that error
 * to *sse. */
static int pick_bracket(const int *e0, const int *e1, const int *t, int nch, int k0, int wa, int wb, int *sse)
{
    int ea = 0, eb = 0;
    for (int k = 0; k < nch; k++) {
        int va = ((64 - wa) * e0[k] + wa * e1[k] + 32) >> 6;
        int vb = ((64 - wb) * e0[k] + wb * e1[k] + 32) >> 6;
        ea += (va - t[k]) * (va - t[k]);
        eb += (vb - t[k]) * (vb - t[k]);
    }
    if (eb < ea) {
        *sse += eb;
        return k0 + 1;
    }
    *sse += ea;
    return k0;
}

/* Best 4-bit index per texel for the 8-bit endpoints of `c`: project onto
 * the endpoint axis, then pick the better of the two bracketing indices by
 * exact integer error. Fills c->idx and c->sse. */
static void assign_indices(const block_in *in, candidate *c)
{
    int e0[4], e1[4], d[4], len2 = 0;
    for (int k = 0; k < 4; k++) {
        e0[k] = (c->q[0][k] << 1) | c->p[0];
        e1[k] = (c->q[1][k] << 1) | c->p[1];
        d[k] = e1[k] - e0[k];
        len2 += d[k] * d[k];
    }
    /* k0 = floor(15 dot / len2) via one rounded-up reciprocal per call
     * instead of a division per texel: exact, or one too high when the
     * fraction is > 0.97 (then k0 and k0 + 1 still bracket the best index);
     * dot <= len2 keeps 15 dot rcp <= 15 (2^27 + len2) < 2^31. */
    int rcp = len2 > 0 ? ((1 << 27) + len2 - 1) / len2 : 0;
    int sse = 0;
    for (int i = 0; i < 16; i++) {
        int dot = 0;
        for (int k = 0; k < 4; k++) dot += (in->t[i][k] - e0[k]) * d[k];
        dot = dot < 0 ? 0 : (dot > len2 ? len2 : dot);
        int k0 = (15 * dot * rcp) >> 27;
        int kmax = c->half ? 6 : 14;
        if (k0 > kmax) k0 = kmax;
        /* weights4[k] == (64k + 7) / 15 for k = 0..15 */
        int wa = (64 * k0 + 7) / 15, wb = (64 * (k0 + 1) + 7) / 15;
        c->idx[i] = pick_bracket(e0, e1, in->t[i], 4, k0, wa, wb, &sse);
    }
    c->sse = sse;
}

/* Quantizes float endpoints (8-bit scale), p-bit per endpoint by nearest
 * fit (opaque: p = 1 and alpha 127 so alpha decodes to 255), then indices. */
static void quantize_nearest(const block_in *in, const float x[8], candidate *c)
{
    for (int j = 0; j < 2; j++) {
        if (in->opaque) {
            c->p[j] = 1;
            quant_endpoint(x + 4 * j, 1, 1, c->q[j]);
        } else {
            int q0[4], q1[4];
            float err0 = quant_endpoint(x + 4 * j, 0, 0, q0);
            float err1 = quant_endpoint(x + 4 * j, 1, 0, q1);
            int p = err1 < err0 ? 1 : 0;
            c->p[j] = p;
            for (int k = 0; k < 4; k++) c->q[j][k] = p ? q1[k] : q0[k];
        }
    }
    c->half = 0;
    assign_indices(in, c);
}

/* Quantizes with each of the 4 p-bit combinations (opaque: only (1,1), or
 * only (1,0) for a half candidate) and keeps the lowest block SSE. */
static void quantize_pbit_search(const block_in *in, const float x[8], int half, candidate *best)
{
    best->sse = 0x7FFFFFFF;
    int first = half ? 1 : (in->opaque ? 3 : 0), last = half ? 1 : 3;
    for (int combo = first; combo <= last; combo++) {
        candidate c;
        c.half = half;
        c.p[0] = combo & 1;
        c.p[1] = combo >> 1;
        quant_endpoint(x, c.p[0], in->opaque, c.q[0]);
        quant_endpoint(x + 4, c.p[1], in->opaque, c.q[1]);
        assign_indices(in, &c);
        if (c.sse < best->sse) *best = c;
    }
}

static int nm_loss(const block_in *in, const float v[8])
{
    float x[8];
    for (int k = 0; k < 8; k++) x[k] = v[k] * 255.0f;
    candidate c;
    quantize_nearest(in, x, &c);
    return c.sse;
}

/* SPEC.md section 1 step 2: PCA-like initial endpoints in [0,1]. */
static void pca_guess(const block_in *in, float v[8])
{
    const float inv255 = 1.0f / 255.0f;
    float t[16][4], m[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    float amin = 1.0f, amax = 0.0f;
    for (int i = 0; i < 16; i++) {
        float a = (float)in->t[i][3] * inv255;
        for (int k = 0; k < 3; k++) t[i][k] = ((float)in->t[i][k] * inv255) * a;
        t[i][3] = a;
        amin = fminf(amin, a);
        amax = fmaxf(amax, a);
        for (int k = 0; k < 4; k++) m[k] = m[k] + t[i][k];
    }
    for (int k = 0; k < 4; k++) m[k] = m[k] * 0.0625f;

    float s[3][4];
    for (int a = 0; a < 3; a++) {
        for (int k = 0; k < 4; k++) s[a][k] = 0.0f;
        for (int i = 0; i < 16; i++)
            if (t[i][a] - m[a] > 0.0f)
                for (int k = 0; k < 4; k++) s[a][k] = s[a][k] + (t[i][k] - m[k]);
    }
    int pick = 0;
    float best_len = -1.0f;
    for (int a = 0; a < 3; a++) {
        float l2 = s[a][0] * s[a][0] + s[a][1] * s[a][1] + s[a][2] * s[a][2] + s[a][3] * s[a][3];
        if (l2 > best_len) {
            best_len = l2;
            pick = a;
        }
    }
    float d[4];
    for (int k = 0; k < 4; k++) d[k] = s[pick][k];
    if (d[0] + d[1] + d[2] + d[3] < 0.0f)
        for (int k = 0; k < 4; k++) d[k] = -d[k];
    /* Unnormalized direction: projections p' = |d| p, and m + d'*(p'/|d|^2)
     * equals m + d*p, which saves the square root. */
    float l2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2] + d[3] * d[3];
    float lo = 0.0f, hi = 0.0f;
    for (int i = 0; i < 16; i++) {
        float pr = (t[i][0] - m[0]) * d[0] + (t[i][1] - m[1]) * d[1] + (t[i][2] - m[2]) * d[2] +
                   (t[i][3] - m[3]) * d[3];
        if (i == 0) {
            lo = pr;
            hi = pr;
        } else {
            lo = fminf(lo, pr);
            hi = fmaxf(hi, pr);
        }
    }
    float slo = 0.0f, shi = 0.0f;
    if (l2 > 0.0f && hi > lo) { /* else degenerate: both endpoints at the mean */
        slo = lo / l2;
        shi = hi / l2;
    }
    for (int k = 0; k < 3; k++) {
        float a = d[k] * slo, b = d[k] * shi;
        v[k] = clamp01(m[k] + fminf(a, b));
        v[4 + k] = clamp01(m[k] + fmaxf(a, b));
    }
    v[3] = amin;
    v[7] = amax;
}

/* Second start, not in the prototype: the principal axis of the RGBA
 * covariance (8-bit scale, 8 power iterations from (1,1,1,1), rescaled by
 * exact powers of two), endpoints at the extreme projections. The polish
 * step refits them by least squares. */
static void principal_axis_guess(const block_in *in, float x[8])
{
    float m[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    for (int i = 0; i < 16; i++)
        for (int k = 0; k < 4; k++) m[k] = m[k] + (float)in->t[i][k];
    for (int k = 0; k < 4; k++) m[k] = m[k] * 0.0625f;
    float cv[4][4] = {{0.0f}};
    for (int i = 0; i < 16; i++) {
        float d[4];
        for (int k = 0; k < 4; k++) d[k] = (float)in->t[i][k] - m[k];
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 4; b++) cv[a][b] = cv[a][b] + d[a] * d[b];
    }
    float v[4] = {1.0f, 1.0f, 1.0f, 1.0f};
    for (int it = 0; it < 8; it++) {
        float u[4];
        for (int a = 0; a < 4; a++) u[a] = cv[a][0] * v[0] + cv[a][1] * v[1] + cv[a][2] * v[2] + cv[a][3] * v[3];
        float mx = fmaxf(fmaxf(fabsf(u[0]), fabsf(u[1])), fmaxf(fabsf(u[2]), fabsf(u[3])));
        if (mx == 0.0f) break;
        int e;
        frexpf(mx, &e);
        for (int a = 0; a < 4; a++) v[a] = ldexpf(u[a], -e);
    }
    float l2 = v[0] * v[0] + v[1] * v[1] + v[2] * v[2] + v[3] * v[3];
    float lo = 0.0f, hi = 0.0f;
    for (int i = 0; i < 16; i++) {
        float pr = ((float)in->t[i][0] - m[0]) * v[0] + ((float)in->t[i][1] - m[1]) * v[1] +
                   ((float)in->t[i][2] - m[2]) * v[2] + ((float)in->t[i][3] - m[3]) * v[3];
        if (i == 0) {
            lo = pr;
            hi = pr;
        } else {
            lo = fminf(lo, pr);
            hi = fmaxf(hi, pr);
        }
    }
    float slo = 0.0f, shi = 0.0f;
    if (l2 > 0.0f && hi > lo) {
        slo = lo / l2;
        shi = hi / l2;
    }
    for (int k = 0; k < 4; k++) {
        x[k] = m[k] + v[k] * slo;
        x[4 + k] = m[k] + v[k] * shi;
    }
}

/* SPEC.md section 1 step 5, on the quantized loss. Returns the best vertex in v. */
static void nelder_mead(const block_in *in, float v[8], int loss0, int iterations)
{
    float s[9][8];
    int l[9];
    for (int k = 0; k < 8; k++) s[0][k] = v[k];
    l[0] = loss0;
    for (int j = 1; j < 9; j++) {
        for (int k = 0; k < 8; k++) s[j][k] = v[k];
        s[j][j - 1] = clamp01(v[j - 1] + 0.1f);
        l[j] = nm_loss(in, s[j]);
    }
    for (int it = 0; it < iterations; it++) {
        /* Order as a stable ascending sort would: best = first minimum,
         * worst = last maximum, second worst = last maximum of the rest. */
        int b = 0, w = 0;
        for (int j = 1; j < 9; j++) {
            if (l[j] < l[b]) b = j;
            if (l[j] >= l[w]) w = j;
        }
        if (l[w] == l[b]) break; /* flat simplex: every vertex quantizes alike */
        int sw = w == 0 ? 1 : 0;
        for (int j = 0; j < 9; j++)
            if (j != w && l[j] >= l[sw]) sw = j;
        float c[8], r[8];
        for (int k = 0; k < 8; k++) {
            float acc = 0.0f;
            for (int j = 0; j < 9; j++)
                if (j != w) acc = acc + s[j][k];
            c[k] = acc * 0.125f;
        }
        for (int k = 0; k < 8; k++) r[k] = clamp01(c[k] + NM_ALPHA * (c[k] - s[w][k]));
        int lr = nm_loss(in, r);
        if (lr < l[b]) {
            float x[8];
            for (int k = 0; k < 8; k++) x[k] = clamp01(c[k] + NM_GAMMA * (r[k] - c[k]));
            int lx = nm_loss(in, x);
            if (lx < lr) {
                memcpy(s[w], x, sizeof x);
                l[w] = lx;
            } else {
                memcpy(s[w], r, sizeof r);
                l[w] = lr;
            }
        } else if (lr < l[sw]) {
            memcpy(s[w], r, sizeof r);
            l[w] = lr;
        } else {
            float kk[8];
            for (int k = 0; k < 8; k++) kk[k] = clamp01(c[k] + NM_RHO * (s[w][k] - c[k]));
            int lk = nm_loss(in, kk);
            if (lk < l[w]) {
                memcpy(s[w], kk, sizeof kk);
                l[w] = lk;
            } else {
                for (int j = 0; j < 9; j++) {
                    if (j == b) continue;
                    for (int k = 0; k < 8; k++) s[j][k] = clamp01(s[b][k] + NM_SIGMA * (s[j][k] - s[b][k]));
                    l[j] = nm_loss(in, s[j]);
                }
            }
        }
    }
    int b = 0;
    for (int j = 1; j < 9; j++)
        if (l[j] < l[b]) b = j;
    for (int k = 0; k < 8; k++) v[k] = s[b][k];
}

/* Rounds a quotient to a multiple of 1/256. Vulkan allows division 2.5 ulp
 * of error; least-squares endpoints are often exact rationals such as
 * k + 0.5, where a 1-ulp error would flip the later rounding. On the 1/256
 * grid both sides agree unless the quotient lies within a few ulp of a
 * grid midpoint. */
static float snap256(float x) { return floorf(x * 256.0f + 0.5f) * 0.00390625f; }

/* Least-squares endpoints (8-bit scale) of the texels in `mask` for indices
 * idx on a ramp of `steps` intervals (weight (64 i + steps/2) / steps, the
 * BC7 tables for 4-, 3- and 2-bit indices), `ch` channels: x[0..ch) the
 * first endpoint, x[ch..2ch) the second. 0 if the system is singular (all
 * those texels on one index). */
static int ls_solve(const block_in *in, const int idx[16], int mask, int steps, int ch, float *x)
{
    int a = 0, bb = 0, cc = 0, x0[4] = {0, 0, 0, 0}, x1[4] = {0, 0, 0, 0};
    for (int i = 0; i < 16; i++) {
        if (!((mask >> i) & 1)) continue;
        int w = (64 * idx[i] + steps / 2) / steps, iw = 64 - w;
        a += iw * iw;
        bb += iw * w;
        cc += w * w;
        for (int k = 0; k < ch; k++) {
            x0[k] += iw * in->t[i][k];
            x1[k] += w * in->t[i][k];
        }
    }
    int det = a * cc - bb * bb; /* <= (65536/2)^2: fits in int32 */
    if (det <= 0) return 0;
    float fa = (float)a, fb = (float)bb, fc = (float)cc, fdet = (float)det;
    for (int k = 0; k < ch; k++) {
        float n0 = fc * (float)x0[k] - fb * (float)x1[k];
        float n1 = fa * (float)x1[k] - fb * (float)x0[k];
        x[k] = snap256((n0 * 64.0f) / fdet);
        x[ch + k] = snap256((n1 * 64.0f) / fdet);
    }
    return 1;
}

/* Endpoint polish from float endpoints x (8-bit scale): p-bit search,
 * least-squares refit while it helps, then greedy +-1 steps of each 7-bit
 * endpoint value in a fixed order. */
static void polish(const block_in *in, float x[8], int half, int passes, candidate *best)
{
    quantize_pbit_search(in, x, half, best);
    for (int it = 0; it < REFIT_ITERATIONS && best->sse > 0; it++) {
        candidate c;
        if (!ls_solve(in, best->idx, 0xFFFF, 15, 4, x)) break;
        quantize_pbit_search(in, x, half, &c);
        if (c.sse >= best->sse) break;
        *best = c;
    }
    int nc = in->opaque ? 3 : 4;
    for (int pass = 0; pass < passes && best->sse > 0; pass++) {
        int improved = 0;
        for (int j = 0; j < 2; j++)
            for (int k = 0; k < nc; k++)
                for (int s = -1; s <= 1; s += 2) {
                    int q = best->q[j][k] + s;
                    if (q < 0 || q > 127) continue;
                    candidate c = *best;
                    c.q[j][k] = q;
                    assign_indices(in, &c);
                    if (c.sse < best->sse) {
                        *best = c;
                        improved = 1;
                    }
                }
        if (!improved) break;
    }
}


/* ---- Two-subset opaque candidate: BC7 mode 1 or mode 3 ------------------
 * Opaque blocks only (alpha of modes 1 and 3 decodes as 255). Partition
 * pre-selection: for each of the 64 partitions an integer scatter matrix per
 * subset and a line-fit residual estimate (trace minus a Rayleigh quotient
 * after one power step); the TWO_KEEP lowest are encoded fully: endpoints at
 * the extreme projections, p-bit search, least-squares refit, greedy +-1
 * steps, per subset; the best partition by exact integer SSE wins. */
#ifndef TWO_KEEP
#define TWO_KEEP 4
#endif
#ifndef TWO_JITTER
#define TWO_JITTER 1
#endif

typedef struct {
    int part;
    int q[2][2][3]; /* [subset][endpoint][rgb]: 6-bit (mode 1) or 7-bit (mode 3) */
    int p[2][2];    /* p-bits; mode 1 shares one per subset */
    int idx[16];
    int sse[2];     /* per subset, RGB (alpha is exact) */
} cand2;

static int partition_mask(int part) /* bit i set: texel i in subset 1 */
{
    return (int)tt_bc7_subset_mask(tt_bc7_partition2[part], 1u);
}

/* Scatter of the texels in `mask` (scaled by n: n*sum(t t^T) - sum(t) sum(t)^T,
 * order rr gg bb rg rb gb), v = its column of the largest diagonal scaled
 * by a power of two to max |v| in [0.5, 1), and w = C v (one power step).
 * The line-fit residual estimate (SSE units) is the fraction *num / *den =
 * (trace vv - wv) / (vv n), i.e. (trace - Rayleigh quotient) / n, kept as a
 * fraction so that no division is needed: every operation is one Vulkan
 * requires to be correctly rounded. dir = w. */
static void subset_axis(const block_in *in, int mask, float dir[3], float *num, float *den)
{
    int n = 0, s[3] = {0, 0, 0}, ss[6] = {0, 0, 0, 0, 0, 0};
    for (int i = 0; i < 16; i++) {
        if (!((mask >> i) & 1)) continue;
        int r = in->t[i][0], g = in->t[i][1], b = in->t[i][2];
        n++;
        s[0] += r; s[1] += g; s[2] += b;
        ss[0] += r * r; ss[1] += g * g; ss[2] += b * b;
        ss[3] += r * g; ss[4] += r * b; ss[5] += g * b;
    }
    dir[0] = dir[1] = dir[2] = 0.0f;
    *num = 0.0f;
    *den = 1.0f;
    if (n < 2) return;
    int c[6];
    c[0] = n * ss[0] - s[0] * s[0];
    c[1] = n * ss[1] - s[1] * s[1];
    c[2] = n * ss[2] - s[2] * s[2];
    c[3] = n * ss[3] - s[0] * s[1];
    c[4] = n * ss[4] - s[0] * s[2];
    c[5] = n * ss[5] - s[1] * s[2];
    int k = 0;
    if (c[1] > c[k]) k = 1;
    if (c[2] > c[k]) k = 2;
    if (c[k] == 0) return;
    float trace = (float)(c[0] + c[1] + c[2]);
    float m00 = (float)c[0], m11 = (float)c[1], m22 = (float)c[2], m01 = (float)c[3], m02 = (float)c[4],
          m12 = (float)c[5];
    float v0 = k == 0 ? m00 : (k == 1 ? m01 : m02);
    float v1 = k == 0 ? m01 : (k == 1 ? m11 : m12);
    float v2 = k == 0 ? m02 : (k == 1 ? m12 : m22);
    int e;
    frexpf(fmaxf(fmaxf(fabsf(v0), fabsf(v1)), fabsf(v2)), &e);
    v0 = ldexpf(v0, -e);
    v1 = ldexpf(v1, -e);
    v2 = ldexpf(v2, -e);
    float w0 = m00 * v0 + m01 * v1 + m02 * v2;
    float w1 = m01 * v0 + m11 * v1 + m12 * v2;
    float w2 = m02 * v0 + m12 * v1 + m22 * v2;
    float vv = v0 * v0 + v1 * v1 + v2 * v2;
    float wv = w0 * v0 + w1 * v1 + w2 * v2;
    dir[0] = w0;
    dir[1] = w1;
    dir[2] = w2;
    *num = trace * vv - wv;
    *den = vv * (float)n;
}

/* 8-bit endpoint value of a quantized mode-1/3 component. */
static int expand2(int mode, int q, int p)
{
    int v = (q << 1) | p;
    return mode == 3 ? v : ((v << 1) | (v >> 6));
}

static int quant2(int mode, float x, int p)
{
    if (mode == 3) return quant7(x, p);
    float v = floorf((x - (float)(2 * p)) * 0.25f + 0.5f);
    return (int)fminf(fmaxf(v, 0.0f), 63.0f);
}

/* Indices (and SSE) of the texels of subset `sub` (mask: its texels). */
static int assign2(const block_in *in, int mode, int mask, cand2 *c, int sub)
{
    int nl = mode == 3 ? 4 : 8; /* levels */
    int e0[3], e1[3], d[3], len2 = 0;
    for (int k = 0; k < 3; k++) {
        e0[k] = expand2(mode, c->q[sub][0][k], c->p[sub][0]);
        e1[k] = expand2(mode, c->q[sub][1][k], c->p[sub][1]);
        d[k] = e1[k] - e0[k];
        len2 += d[k] * d[k];
    }
    int rcp = len2 > 0 ? ((1 << 27) + len2 - 1) / len2 : 0; /* as in assign_indices */
    int sse = 0;
    for (int i = 0; i < 16; i++) {
        if (!((mask >> i) & 1)) continue;
        int dot = 0;
        for (int k = 0; k < 3; k++) dot += (in->t[i][k] - e0[k]) * d[k];
        dot = dot < 0 ? 0 : (dot > len2 ? len2 : dot);
        int k0 = ((nl - 1) * dot * rcp) >> 27;
        if (k0 > nl - 2) k0 = nl - 2;
        /* weights: (64k + 1) / 3 for 2-bit, (64k + 3) / 7 for 3-bit */
        int wa = mode == 3 ? (64 * k0 + 1) / 3 : (64 * k0 + 3) / 7;
        int wb = mode == 3 ? (64 * (k0 + 1) + 1) / 3 : (64 * (k0 + 1) + 3) / 7;
        c->idx[i] = pick_bracket(e0, e1, in->t[i], 3, k0, wa, wb, &sse);
    }
    c->sse[sub] = sse;
    return sse;
}

/* Quantizes float endpoints x[0..5] (8-bit scale) of subset `sub` with the
 * best p-bits (mode 1: 2 shared choices, mode 3: 4 combinations) by SSE. */
static void quant2_search(const block_in *in, int mode, int mask, const float x[6], cand2 *c, int sub)
{
    cand2 t = *c;
    int best = 0x7FFFFFFF, ncombo = mode == 3 ? 4 : 2;
    for (int combo = 0; combo < ncombo; combo++) {
        t.p[sub][0] = combo & 1;
        t.p[sub][1] = mode == 3 ? combo >> 1 : combo & 1;
        for (int j = 0; j < 2; j++)
            for (int k = 0; k < 3; k++) t.q[sub][j][k] = quant2(mode, x[3 * j + k], t.p[sub][j]);
        int e = assign2(in, mode, mask, &t, sub);
        if (e < best) {
            best = e;
            *c = t;
        }
    }
}

static void encode_subset(const block_in *in, int mode, int mask, const float dir[3], cand2 *c, int sub)
{
    /* endpoints: the texels with the lowest and highest projection */
    float lo = 0.0f, hi = 0.0f;
    int ilo = -1, ihi = -1;
    for (int i = 0; i < 16; i++) {
        if (!((mask >> i) & 1)) continue;
        float pr = (float)in->t[i][0] * dir[0] + (float)in->t[i][1] * dir[1] + (float)in->t[i][2] * dir[2];
        if (ilo < 0 || pr < lo) { lo = pr; ilo = i; }
        if (ihi < 0 || pr > hi) { hi = pr; ihi = i; }
    }
    float x[6];
    for (int k = 0; k < 3; k++) {
        x[k] = (float)in->t[ilo][k];
        x[3 + k] = (float)in->t[ihi][k];
    }
    quant2_search(in, mode, mask, x, c, sub);
    for (int it = 0; it < REFIT_ITERATIONS && c->sse[sub] > 0; it++) {
        cand2 t = *c;
        if (!ls_solve(in, c->idx, mask, mode == 3 ? 3 : 7, 3, x)) break;
        quant2_search(in, mode, mask, x, &t, sub);
        if (t.sse[sub] >= c->sse[sub]) break;
        *c = t;
    }
    int qmax = mode == 3 ? 127 : 63;
    for (int pass = 0; pass < TWO_JITTER && c->sse[sub] > 0; pass++) {
        int improved = 0;
        for (int j = 0; j < 2; j++)
            for (int k = 0; k < 3; k++)
                for (int s = -1; s <= 1; s += 2) {
                    int q = c->q[sub][j][k] + s;
                    if (q < 0 || q > qmax) continue;
                    cand2 t = *c;
                    t.q[sub][j][k] = q;
                    if (assign2(in, mode, mask, &t, sub) < c->sse[sub]) {
                        *c = t;
                        improved = 1;
                    }
                }
        if (!improved) break;
    }
}

/* Best two-subset block of `mode` (1 or 3) into *best; returns its RGB SSE. */
static int encode_two_subset(const block_in *in, int mode, cand2 *best)
{
    /* the TWO_KEEP lowest estimates num/den, ascending (ties: lower
     * partition first), compared by cross-multiplication */
    float knum[TWO_KEEP], kden[TWO_KEEP];
    int kpart[TWO_KEEP];
    for (int j = 0; j < TWO_KEEP; j++) {
        knum[j] = 1.0f;
        kden[j] = 0.0f; /* +infinity */
        kpart[j] = 0;
    }
    float dir[3], n0, d0, n1, d1;
    for (int part = 0; part < 64; part++) {
        int m1 = partition_mask(part);
        subset_axis(in, 0xFFFF & ~m1, dir, &n0, &d0);
        subset_axis(in, m1, dir, &n1, &d1);
        float num = n0 * d1 + n1 * d0, den = d0 * d1;
        int pp = part;
        for (int j = 0; j < TWO_KEEP; j++)
            if (num * kden[j] < knum[j] * den) {
                float tn = knum[j], td = kden[j];
                int tp = kpart[j];
                knum[j] = num;
                kden[j] = den;
                kpart[j] = pp;
                num = tn;
                den = td;
                pp = tp;
            }
    }
    int best_sse = 0x7FFFFFFF;
    for (int j = 0; j < TWO_KEEP; j++) {
        cand2 c;
        memset(&c, 0, sizeof c);
        c.part = kpart[j];
        int m1 = partition_mask(c.part);
        subset_axis(in, 0xFFFF & ~m1, dir, &n0, &d0);
        encode_subset(in, mode, 0xFFFF & ~m1, dir, &c, 0);
        subset_axis(in, m1, dir, &n1, &d1);
        encode_subset(in, mode, m1, dir, &c, 1);
        int sse = c.sse[0] + c.sse[1];
        if (sse < best_sse) {
            best_sse = sse;
            *best = c;
        }
    }
    return best_sse;
}

static void put_bits(uint8_t b[16], unsigned pos, unsigned n, unsigned v)
{
    for (unsigned i = 0; i < n; i++, pos++)
        if ((v >> i) & 1u) b[pos >> 3] |= (uint8_t)(1u << (pos & 7));
}

/* Packs a mode-1 or mode-3 candidate; a subset whose anchor index needs the
 * MSB gets its endpoints (and p-bits) swapped and its indices mirrored. */
static void pack_two_subset(int mode, cand2 c, tt_bc7_block *out)
{
    int nl = mode == 3 ? 4 : 8, ib = mode == 3 ? 2 : 3, cb = mode == 3 ? 7 : 6;
    int m1 = partition_mask(c.part);
    for (int sub = 0; sub < 2; sub++) {
        int a = sub == 0 ? 0 : tt_bc7_anchor2_1[c.part];
        if (c.idx[a] < nl / 2) continue;
        for (int k = 0; k < 3; k++) {
            int t = c.q[sub][0][k];
            c.q[sub][0][k] = c.q[sub][1][k];
            c.q[sub][1][k] = t;
        }
        int t = c.p[sub][0];
        c.p[sub][0] = c.p[sub][1];
        c.p[sub][1] = t;
        for (int i = 0; i < 16; i++)
            if (((m1 >> i) & 1) == sub) c.idx[i] = nl - 1 - c.idx[i];
    }
    memset(out->b, 0, 16);
    unsigned pos = 0;
    put_bits(out->b, pos, (unsigned)mode + 1, 1u << mode);
    pos += (unsigned)mode + 1;
    put_bits(out->b, pos, 6, (unsigned)c.part);
    pos += 6;
    for (int k = 0; k < 3; k++)
        for (int e = 0; e < 4; e++) {
            put_bits(out->b, pos, (unsigned)cb, (unsigned)c.q[e >> 1][e & 1][k]);
            pos += (unsigned)cb;
        }
    if (mode == 3) {
        for (int e = 0; e < 4; e++) put_bits(out->b, pos++, 1, (unsigned)c.p[e >> 1][e & 1]);
    } else {
        put_bits(out->b, pos++, 1, (unsigned)c.p[0][0]);
        put_bits(out->b, pos++, 1, (unsigned)c.p[1][0]);
    }
    for (int i = 0; i < 16; i++) {
        int n = ib - ((i == 0 || i == tt_bc7_anchor2_1[c.part]) ? 1 : 0);
        put_bits(out->b, pos, (unsigned)n, (unsigned)c.idx[i]);
        pos += (unsigned)n;
    }
}

void tt_bc7_encode_block_ref(const uint8_t texels[16][4], const tt_bc7_config *p, tt_bc7_block *out)
{
    block_in in;
    in.opaque = 1;
    for (int i = 0; i < 16; i++) {
        for (int k = 0; k < 4; k++) in.t[i][k] = texels[i][k];
        if (texels[i][3] != 255) in.opaque = 0;
    }
    float v[8];
    pca_guess(&in, v);
    int loss = nm_loss(&in, v);
    if (p->refine && (float)loss > p->good_enough * 65025.0f) nelder_mead(&in, v, loss, p->nm_iterations);

    float x[8];
    for (int k = 0; k < 8; k++) x[k] = v[k] * 255.0f;
    candidate best;
    if (p->refit) {
        int lite = LITE_POLISH && in.opaque && (p->modes & ((1u << 1) | (1u << 3)));
        int passes = lite ? 1 : JITTER_PASSES;
        polish(&in, x, 0, passes, &best);
        if (PA_START && !lite && best.sse > 0) {
            candidate c;
            principal_axis_guess(&in, x);
            polish(&in, x, 0, passes, &c);
            if (c.sse < best.sse) best = c;
        }
        if (in.opaque && best.sse > 0) {
            /* Half candidate: keep the first endpoint, stretch the second so
             * that index 7 lands where index 15 was. */
            candidate h;
            for (int k = 0; k < 3; k++) {
                float e0 = (float)(2 * best.q[0][k] + 1), e1 = (float)(2 * best.q[1][k] + 1);
                x[k] = e0;
                x[4 + k] = e0 + (e1 - e0) * (64.0f / 30.0f);
            }
            x[3] = 255.0f;
            x[7] = 255.0f;
            polish(&in, x, 1, passes, &h);
            if (h.sse < best.sse) best = h;
        }
    } else {
        quantize_nearest(&in, x, &best);
    }

    if (p->refit && in.opaque && best.sse > 0 && (p->modes & ((1u << 1) | (1u << 3)))) {
        cand2 c2;
        int mode2 = 0, sse2 = best.sse;
        for (int mode = 1; mode <= 3; mode += 2) {
            if (!(p->modes & (1u << mode))) continue;
            cand2 c;
            int e = encode_two_subset(&in, mode, &c);
            if (e < sse2) {
                sse2 = e;
                c2 = c;
                mode2 = mode;
            }
        }
        if (mode2) {
            pack_two_subset(mode2, c2, out);
            return;
        }
    }

    tt_bc7_mode6 m;
    for (int j = 0; j < 2; j++) {
        m.p[j] = (uint8_t)best.p[j];
        for (int k = 0; k < 4; k++) m.e[j][k] = (uint8_t)best.q[j][k];
    }
    for (int i = 0; i < 16; i++) m.idx[i] = (uint8_t)best.idx[i];
    tt_bc7_pack_mode6(&m, out);
}

tt_status tt_bc7_encode_image_ref(const tt_image *img, const tt_bc7_config *p, tt_bc7_block *blocks)
{
    if (!img || !img->rgba || img->width == 0 || img->height == 0 || !p || !blocks)
        return tt_fail(TT_ERR_INVALID_ARG, "bc7 encode: empty image or missing argument");
    uint32_t bw = (img->width + 3) / 4, bh = (img->height + 3) / 4;
    uint8_t texels[16][4];
    for (uint32_t by = 0; by < bh; by++)
        for (uint32_t bx = 0; bx < bw; bx++) {
            tt_bc7_fetch_block(img, bx, by, texels);
            tt_bc7_encode_block_ref(texels, p, &blocks[(size_t)by * bw + bx]);
        }
    return TT_OK;
}
