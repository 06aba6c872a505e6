/* bc7_ref_single.c - C reference, single-subset family (mode 6; the rotation modes 4 and 5 belong here): PCA guess, Nelder-Mead on the quantized loss, least-squares refit, +-1 polish. */
#include <string.h>

#include "bc7/bc7_ref.h"

/* Twin of shaders/bc7_single.glsl (same names, same float operations in the same order). */
#define NM_ALPHA 1.3f
#define NM_GAMMA 2.2f
#define NM_RHO 0.55f
#define NM_SIGMA 0.45f

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

/* The good-enough threshold is in unweighted units: scaled by the mean channel weight (1 by default; exact). */
static float weight_scale(const block_in *in) { return (float)(in->w[0] + in->w[1] + in->w[2] + in->w[3]) * 0.25f; }

static float clamp01(float x) { return x < 0.0f ? 0.0f : (x > 1.0f ? 1.0f : x); }

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

/* The endpoints already assessed (sse_memo). An old value is given instead of assessing again where it is at or
 * above the bound now (the caller rejects it and needs no indices), or, for a caller that uses the SSE only
 * (value_only: Nelder-Mead), always. */
typedef struct {
    int value_only;
    sse_memo m;
} memo;

/* Best 4-bit index per texel for the 8-bit endpoints of `c` (ramp_search). Fills c->idx and c->sse; `bound` only
 * decides what the memo may give back (an SSE at or above it is one the caller drops). */
static void assign_indices(const block_in *in, candidate *c, int bound, memo *mm)
{
    uint64_t key = 0;
    if (mm) {
        key = (uint64_t)c->p[0] | (uint64_t)c->p[1] << 1;
        for (int k = 0; k < 4; k++) key |= (uint64_t)c->q[0][k] << (2 + 7 * k) | (uint64_t)c->q[1][k] << (30 + 7 * k);
        int old = memo_find(&mm->m, key);
        if (old >= 0 && (old >= bound || mm->value_only)) {
            c->sse = old;
            return;
        }
    }
    int e0[4], e1[4];
    for (int k = 0; k < 4; k++) {
        e0[k] = (c->q[0][k] << 1) | c->p[0];
        e1[k] = (c->q[1][k] << 1) | c->p[1];
    }
    int sel[16];
    int sse = ramp_search(in->ct, 16, 16, 4, 15, c->half ? 6 : 14, e0, e1, in->w, 0, sel);
    for (int i = 0; i < 16; i++) c->idx[i] = sel[i];
    c->sse = sse;
    if (mm) memo_add(&mm->m, key, sse);
}

/* Quantizes float endpoints (8-bit scale), p-bit per endpoint by nearest
 * fit (opaque: p = 1 and alpha 127 so alpha decodes to 255; alpha_free: alpha 127, p by the RGB error), then
 * indices. */
static void quantize_nearest(const block_in *in, const float x[8], candidate *c, int bound, memo *mm)
{
    for (int j = 0; j < 2; j++) {
        if (in->opaque && !in->alpha_free) {
            c->p[j] = 1;
            quant_endpoint(x + 4 * j, 1, 1, c->q[j]);
        } else {
            int q0[4], q1[4];
            float err0 = quant_endpoint(x + 4 * j, 0, in->opaque, q0);
            float err1 = quant_endpoint(x + 4 * j, 1, in->opaque, q1);
            int p = err1 < err0 ? 1 : 0;
            c->p[j] = p;
            for (int k = 0; k < 4; k++) c->q[j][k] = p ? q1[k] : q0[k];
        }
    }
    c->half = 0;
    assign_indices(in, c, bound, mm);
}

/* Quantizes with each of the 4 p-bit combinations (opaque, unless alpha_free: only (1,1), or
 * only (1,0) for a half candidate) and keeps the lowest block SSE; a result at or above `bound` is one the caller
 * drops (assign_indices). */
static void quantize_pbit_search(const block_in *in, const float x[8], int half, candidate *best, int bound, memo *mm)
{
    best->sse = 0x7FFFFFFF;
    int first = half ? 1 : (in->opaque && !in->alpha_free ? 3 : 0), last = half ? 1 : 3;
    for (int combo = first; combo <= last; combo++) {
        candidate c;
        c.half = half;
        c.p[0] = combo & 1;
        c.p[1] = combo >> 1;
        quant_endpoint(x, c.p[0], in->opaque, c.q[0]);
        quant_endpoint(x + 4, c.p[1], in->opaque, c.q[1]);
        assign_indices(in, &c, best->sse < bound ? best->sse : bound, mm);
        if (c.sse < best->sse) *best = c;
    }
}

/* The quantized loss of v, exact below `bound` (a value >= bound otherwise: nelder_mead says where that is enough). */
static int nm_loss(const block_in *in, const float v[8], int bound, memo *mm)
{
    float x[8];
    for (int k = 0; k < 8; k++) x[k] = v[k] * 255.0f;
    candidate c;
    quantize_nearest(in, x, &c, bound, mm);
    return c.sse;
}

/* docs/algorithms.md, BC7 encoder, step 2: PCA-like initial endpoints in [0,1]. */
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

/* docs/algorithms.md, BC7 encoder, step 5 (Nelder-Mead), on the quantized loss. Returns the best vertex in v. */
static void nelder_mead(const block_in *in, float v[8], int loss0, int iterations, memo *mm)
{
    float s[9][8];
    int l[9];
    for (int k = 0; k < 8; k++) s[0][k] = v[k];
    l[0] = loss0;
    for (int j = 1; j < 9; j++) {
        for (int k = 0; k < 8; k++) s[j][k] = v[k];
        s[j][j - 1] = clamp01(v[j - 1] + 0.1f);
        l[j] = nm_loss(in, s[j], 0x7FFFFFFF, mm);
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
        /* bounds: the reflection is kept or compared only below l[sw] (>= l[b]), the expansion only below lr, the
         * contraction only below l[w] */
        int lr = nm_loss(in, r, l[sw], mm);
        if (lr < l[b]) {
            float x[8];
            for (int k = 0; k < 8; k++) x[k] = clamp01(c[k] + NM_GAMMA * (r[k] - c[k]));
            int lx = nm_loss(in, x, lr, mm);
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
            int lk = nm_loss(in, kk, l[w], mm);
            if (lk < l[w]) {
                memcpy(s[w], kk, sizeof kk);
                l[w] = lk;
            } else {
                for (int j = 0; j < 9; j++) {
                    if (j == b) continue;
                    for (int k = 0; k < 8; k++) s[j][k] = clamp01(s[b][k] + NM_SIGMA * (s[j][k] - s[b][k]));
                    l[j] = nm_loss(in, s[j], 0x7FFFFFFF, mm);
                }
            }
        }
    }
    int b = 0;
    for (int j = 1; j < 9; j++)
        if (l[j] < l[b]) b = j;
    for (int k = 0; k < 8; k++) v[k] = s[b][k];
}

/* Index trials of the polish (as in the multi-subset modes, bc7_ref_multi.c), from level 2 on: at level 1 they
 * gain nothing here that Nelder-Mead has not found (docs/bc7.md). */
static void trials_single(const block_in *in, int half, int trials, candidate *best, memo *mm)
{
    float x[8];
    if (!half && trials >= 2 && best->sse > 0) {
        int lo = 15, hi = 0, base[16];
        memcpy(base, best->idx, sizeof base);
        for (int i = 0; i < 16; i++) {
            lo = base[i] < lo ? base[i] : lo;
            hi = base[i] > hi ? base[i] : hi;
        }
        int q = trials - 1, ntrial = 3 + (q + 2) * (q + 2);
        for (int tr = 0; tr < ntrial && best->sse > 0; tr++) {
            int sel[16];
            for (int i = 0; i < 16; i++) sel[i] = tt_bc7_trial_index(base[i], tr, q, 15, lo, hi);
            if (!ls_solve(in, sel, 0xFFFF, 15, 4, x)) continue;
            candidate c;
            quantize_pbit_search(in, x, half, &c, best->sse, mm);
            if (c.sse < best->sse) *best = c;
        }
    }
}

/* Greedy +-1 steps of each 7-bit endpoint value in a fixed order, then joint steps (polish's last step). */
static void jitter_single(const block_in *in, int half, int passes, candidate *best, memo *mm)
{
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
                    assign_indices(in, &c, best->sse, mm);
                    if (c.sse < best->sse) {
                        *best = c;
                        improved = 1;
                    }
                }
        /* Joint steps of one endpoint: every channel by one 8-bit unit (p-bit flip, where p-bits are free) and
         * by one 7-bit step. A grey block needs them: a step of one channel alone unbalances it. */
        for (int j = 0; j < 2 * in->joint; j++)
            for (int s = -1; s <= 1; s += 2)
                for (int kind = (in->opaque && !in->alpha_free) || half ? 1 : 0; kind < 2; kind++) {
                    candidate c = *best;
                    int ok = 1, dq = joint_dq(&c.p[j], s, kind);
                    for (int k = 0; k < nc; k++) {
                        c.q[j][k] += dq;
                        ok &= c.q[j][k] >= 0 && c.q[j][k] <= 127;
                    }
                    if (!ok) continue;
                    assign_indices(in, &c, best->sse, mm);
                    if (c.sse < best->sse) {
                        *best = c;
                        improved = 1;
                    }
                }
        if (!improved) break;
    }
}

/* Endpoint polish from float endpoints x (8-bit scale): p-bit search,
 * least-squares refit while it helps, index trials (level >= 2), then greedy +-1 steps of each 7-bit
 * endpoint value in a fixed order and joint steps. */
static void polish(const block_in *in, float x[8], int half, int passes, int trials, candidate *best)
{
    memo mm;
    memo_clear(&mm.m);
    mm.value_only = 0;
    quantize_pbit_search(in, x, half, best, 0x7FFFFFFF, &mm);
    for (int it = 0; it < REFIT_ITERATIONS && best->sse > 0; it++) {
        candidate c;
        if (!ls_solve(in, best->idx, 0xFFFF, 15, 4, x)) break;
        quantize_pbit_search(in, x, half, &c, best->sse, &mm);
        if (c.sse >= best->sse) break;
        *best = c;
    }
    trials_single(in, half, trials, best, &mm);
    jitter_single(in, half, passes, best, &mm);
}

/* The mode-6 fields of c: an anchor index >= 8 swaps the endpoints (with their p-bits) and mirrors every index. */
static void pack_single(const candidate *c, tt_bc7_fields *f)
{
    tt_bc7_mode6 m;
    for (int j = 0; j < 2; j++) {
        m.p[j] = (uint8_t)c->p[j];
        for (int k = 0; k < 4; k++) m.e[j][k] = (uint8_t)c->q[j][k];
    }
    for (int i = 0; i < 16; i++) m.idx[i] = (uint8_t)c->idx[i];
    tt_bc7_mode6_fields(&m, f);
}

int tt_bc7_ref_encode_single(const block_in *in, const tt_bc7_config *p, int lite, tt_bc7_fields *out)
{
    float v[8];
    pca_guess(in, v);
    memo nm; /* Nelder-Mead's vertices often quantize alike */
    memo_clear(&nm.m);
    nm.value_only = 1;
    int loss = nm_loss(in, v, 0x7FFFFFFF, &nm);
    if (p->refine && (float)loss > p->good_enough * 65025.0f * weight_scale(in))
        nelder_mead(in, v, loss, p->nm_iterations, &nm);

    float x[8];
    for (int k = 0; k < 8; k++) x[k] = v[k] * 255.0f;
    candidate best;
    if (p->refit) {
        int passes = lite ? 1 : p->polish_passes;
        polish(in, x, 0, passes, p->index_trials, &best);
        if (!lite && best.sse > 0) {
            candidate c;
            principal_axis_guess(in, x);
            polish(in, x, 0, passes, p->index_trials, &c);
            if (c.sse < best.sse) best = c;
        }
        if (in->opaque && !in->alpha_free && best.sse > 0) {
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
            polish(in, x, 1, passes, p->index_trials, &h);
            if (h.sse < best.sse) best = h;
        }
    } else {
        quantize_nearest(in, x, &best, 0x7FFFFFFF, NULL);
    }
    pack_single(&best, out);
    return best.sse;
}

int tt_bc7_ref_finish_single(const block_in *in, int level, tt_bc7_fields *f, int sse)
{
    if (in->opaque && !in->alpha_free && f->p[0] != f->p[1]) return sse; /* a half candidate: its own rules */
    candidate c;
    memset(&c, 0, sizeof c);
    for (int j = 0; j < 2; j++) {
        c.p[j] = f->p[j];
        for (int k = 0; k < 4; k++) c.q[j][k] = f->e[j][k];
    }
    memo mm;
    memo_clear(&mm.m);
    mm.value_only = 0;
    assign_indices(in, &c, 0x7FFFFFFF, &mm);
    trials_single(in, 0, level, &c, &mm);
    jitter_single(in, 0, 1, &c, &mm);
    if (c.sse >= sse) return sse;
    pack_single(&c, f);
    return c.sse;
}
