/* bc7_ref_multi.c - C reference, multi-subset family (modes 0-3 for opaque blocks, 7 for blocks with alpha): partition pre-selection, per-subset endpoint fit, driven by the mode table. */
#include <string.h>

#include "bc7/bc7_ref.h"

/* Twin of shaders/bc7_multi.glsl, which runs the subsets of a partition in lockstep (encode_pair for modes 1
 * and 3, encode_sets for 0, 2 and 7) with exactly this file's decisions per subset.
 *
 * Modes 0-3 are RGB (their alpha decodes as 255: opaque blocks only), mode 7 is RGBA; `nch` (3 or 4) is the
 * number of channels fitted. Partition pre-selection: for each partition of the mode an integer scatter matrix
 * per subset and a line-fit residual estimate (trace minus a Rayleigh quotient after one power step), summed over
 * the subsets; the p->partitions lowest are encoded fully: endpoints at the extreme projections, p-bit search,
 * least-squares refit, greedy +-1 steps, per subset; the best partition by exact weighted SSE wins. */
#ifndef TWO_JITTER
#define TWO_JITTER 1
#endif

/* Narrow fields: a candidate is copied for every trial. */
typedef struct {
    int part;
    int sse[3];       /* per subset, weighted over the fitted channels (alpha of modes 0-3 is exact) */
    int16_t q[3][2][4]; /* [subset][endpoint][rgba]: colour_bits wide (alpha: alpha_bits, mode 7 only); a step may
                         * leave the range for a moment (-1 or top + 1), then it is rejected */
    int8_t p[3][2];     /* p-bits; mode 1 shares one per subset */
    uint8_t idx[16];
} candm;

/* Texel masks of subsets 1 and 2 of `part` (subset 0: the rest); m[1] = 0 for two subsets. */
static void partition_masks(int subsets, int part, int m[2])
{
    uint32_t w = subsets == 3 ? tt_bc7_partition3[part] : tt_bc7_partition2[part];
    m[0] = (int)tt_bc7_subset_mask(w, 1u);
    m[1] = subsets == 3 ? (int)tt_bc7_subset_mask(w, 2u) : 0;
}

/* Per-texel moment vectors: 1, t[0..3], then the products t[a] t[b] for a <= b (MOM_SS gives their slot); the
 * integer sums of a subset's vectors are the n, sum(t) and sum(t t^T) of subset_axis, so the sums of subset 0 are
 * the block's minus the others' (exact integers). */
#define MOM_N 16
static const int mom_ss[4][4] = {{5, 6, 7, 8}, {6, 9, 10, 11}, {7, 10, 12, 13}, {8, 11, 13, 14}};

static void block_moments(const block_in *in, int mv[16][MOM_N], int total[MOM_N])
{
    for (int k = 0; k < MOM_N; k++) total[k] = 0;
    for (int i = 0; i < 16; i++) {
        mv[i][0] = 1;
        for (int a = 0; a < 4; a++) {
            mv[i][1 + a] = in->t[i][a];
            for (int b = a; b < 4; b++) mv[i][mom_ss[a][b]] = in->t[i][a] * in->t[i][b];
        }
        mv[i][15] = 0;
        for (int k = 0; k < MOM_N; k++) total[k] += mv[i][k];
    }
}

/* Two 8-lane integer vectors hold one moment vector (GCC / Clang vector extension: AVX2 registers in the AVX2
 * build, SSE pairs otherwise). */
typedef int mom_half __attribute__((vector_size(32)));

static void mask_moments(const int mv[16][MOM_N], int mask, int out[MOM_N])
{
    mom_half lo = {0}, hi = {0}, a, b;
    for (unsigned bits = (unsigned)mask & 0xFFFFu; bits; bits &= bits - 1) {
        const int *v = mv[__builtin_ctz(bits)];
        memcpy(&a, v, sizeof a);
        memcpy(&b, v + 8, sizeof b);
        lo += a;
        hi += b;
    }
    memcpy(out, &lo, sizeof lo);
    memcpy(out + 8, &hi, sizeof hi);
}

/* Scatter of a subset (its moment sums mo) over nch channels (scaled by n: n*sum(t t^T) - sum(t) sum(t)^T), v = its
 * column of the largest diagonal scaled by a power of two to max |v| in [0.5, 1), and w = C v (one power step).
 * The estimate (SSE units) is the fraction *num / *den = (trace vv q - wv (q - 1)) / (vv n q), i.e.
 * (trace - Rayleigh quotient) / n + Rayleigh quotient / (n q): the line-fit residual, plus what spacing the subset's
 * spread along the line over L index levels costs, q = (L - 1)^2 (texels spread evenly over a range R lose
 * R^2 / (12 (L - 1)^2) each, and n R^2 / 12 is about the Rayleigh quotient / n). Without the second term every
 * partition of collinear texels (a grey block) scores 0 and the ranking is noise. Kept as a fraction so that no
 * division is needed: every operation is one Vulkan requires to be correctly rounded. dir = w. With nch = 4 and a constant alpha every alpha term is an
 * exact zero, so the values equal those of nch = 3 (the shader fits modes 0 and 2 with four channels). */
static void subset_axis_terms(const int mo[MOM_N], int nch, float dir[4], tt_bc7_axis_terms *at)
{
    int n = mo[0], s[4], ss[4][4];
    for (int a = 0; a < nch; a++) {
        s[a] = mo[1 + a];
        for (int b = a; b < nch; b++) ss[a][b] = mo[mom_ss[a][b]];
    }
    dir[0] = dir[1] = dir[2] = dir[3] = 0.0f;
    at->flat = 1;
    if (n < 2) return;
    float m[4][4];
    int c[4][4], k = 0, tr = 0;
    for (int a = 0; a < nch; a++)
        for (int b = a; b < nch; b++) {
            c[a][b] = c[b][a] = n * ss[a][b] - s[a] * s[b];
            m[a][b] = m[b][a] = (float)c[a][b];
        }
    for (int a = 1; a < nch; a++)
        if (c[a][a] > c[k][k]) k = a;
    if (c[k][k] == 0) return;
    for (int a = 0; a < nch; a++) tr += c[a][a];
    float trace = (float)tr, v[4], mx = 0.0f;
    for (int a = 0; a < nch; a++) {
        v[a] = m[a][k];
        mx = a == 0 || fabsf(v[a]) > mx ? fabsf(v[a]) : mx; /* fmaxf of non-negative numbers */
    }
    float scale = pow2_neg(frexp_exp(mx)); /* mx >= 1: c[k][k] > 0 */
    for (int a = 0; a < nch; a++) v[a] = v[a] * scale;
    float vv = v[0] * v[0], wv = 0.0f;
    for (int a = 1; a < nch; a++) vv = vv + v[a] * v[a];
    for (int a = 0; a < nch; a++) {
        float w = m[a][0] * v[0];
        for (int b = 1; b < nch; b++) w = w + m[a][b] * v[b];
        dir[a] = w;
        wv = a == 0 ? w * v[0] : wv + w * v[a];
    }
    at->flat = 0;
    at->trace = trace;
    at->vv = vv;
    at->wv = wv;
    at->n = (float)n;
}

/* The q-free terms of subset_axis_terms (dir is not needed for the estimate) for `count` subsets at once, their
 * moment sums lane by lane (mo[k][j]), written for the compiler to vectorise over the lanes: each lane runs the
 * float operations of subset_axis_terms in the same order, with selects for its branches, so the terms are the
 * same. */
typedef struct {
    int mo[MOM_N][64];
    float trace[64], vv[64], wv[64];
    float n[64];
    int flat[64];
} axis_lanes;

static inline __attribute__((always_inline)) void axis_terms_lanes(axis_lanes *L, int count, int nch)
{
    /* the channel loops unrolled first (nch is a constant here), so that the lane loop is what gets vectorised */
    for (int j = 0; j < count; j++) {
        int n = L->mo[0][j], c[4][4];
        #pragma GCC unroll 4
        for (int a = 0; a < nch; a++)
            #pragma GCC unroll 4
            for (int b = a; b < nch; b++)
                c[a][b] = c[b][a] = n * L->mo[mom_ss[a][b]][j] - L->mo[1 + a][j] * L->mo[1 + b][j];
        int k = 0, ckk = c[0][0], tr = c[0][0];
        #pragma GCC unroll 4
        for (int a = 1; a < nch; a++) {
            int larger = c[a][a] > ckk;
            k = larger ? a : k;
            ckk = larger ? c[a][a] : ckk;
            tr += c[a][a];
        }
        float v[4], mx = 0.0f;
        #pragma GCC unroll 4
        for (int a = 0; a < nch; a++) {
            int cak = c[a][0];
            #pragma GCC unroll 4
            for (int b = 1; b < nch; b++) cak = k == b ? c[a][b] : cak;
            v[a] = (float)cak;
            float f = fabsf(v[a]);
            mx = a == 0 || f > mx ? f : mx;
        }
        float scale = pow2_neg(frexp_exp(mx)); /* mx may be 0 in a flat lane: any finite scale, unused */
        #pragma GCC unroll 4
        for (int a = 0; a < nch; a++) v[a] = v[a] * scale;
        float vv = v[0] * v[0], wv = 0.0f;
        #pragma GCC unroll 4
        for (int a = 1; a < nch; a++) vv = vv + v[a] * v[a];
        #pragma GCC unroll 4
        for (int a = 0; a < nch; a++) {
            float w = (float)c[a][0] * v[0];
            #pragma GCC unroll 4
            for (int b = 1; b < nch; b++) w = w + (float)c[a][b] * v[b];
            wv = a == 0 ? w * v[0] : wv + w * v[a];
        }
        L->flat[j] = n < 2 || ckk == 0;
        L->trace[j] = (float)tr;
        L->vv[j] = vv;
        L->wv[j] = wv;
        L->n[j] = (float)n;
    }
}

/* The terms of the subsets of the partitions todo[0..count) into terms[part][0..ns), from the per-texel moments mv
 * and the block's total (subset 0: the total less the others, exact integers). L: ns lane sets. */
static void partition_terms(const int mv[16][MOM_N], const int total[MOM_N], int ns, int nch, const int *todo,
                            int count, axis_lanes *L, tt_bc7_axis_terms (*terms)[3])
{
    for (int j = 0; j < count; j++) {
        int m[2], mo[3][MOM_N];
        partition_masks(ns, todo[j], m);
        mask_moments(mv, m[0], mo[1]);
        if (ns == 3) mask_moments(mv, m[1], mo[2]);
        for (int k = 0; k < MOM_N; k++) mo[0][k] = total[k] - mo[1][k] - (ns == 3 ? mo[2][k] : 0);
        for (int sub = 0; sub < ns; sub++)
            for (int k = 0; k < MOM_N; k++) L[sub].mo[k][j] = mo[sub][k];
    }
    for (int sub = 0; sub < ns; sub++) {
        if (nch == 3)
            axis_terms_lanes(&L[sub], count, 3);
        else
            axis_terms_lanes(&L[sub], count, 4);
        for (int j = 0; j < count; j++) {
            tt_bc7_axis_terms *at = &terms[todo[j]][sub];
            at->flat = L[sub].flat[j];
            at->trace = L[sub].trace[j];
            at->vv = L[sub].vv[j];
            at->wv = L[sub].wv[j];
            at->n = L[sub].n[j];
        }
    }
}

/* The estimate num / den of subset_axis from its q-free terms (the same float operations in the same order). */
static void axis_estimate(const tt_bc7_axis_terms *at, float q, float *num, float *den)
{
    if (at->flat) {
        *num = 0.0f;
        *den = 1.0f;
        return;
    }
    *num = at->trace * at->vv * q - at->wv * (q - 1.0f);
    *den = at->vv * at->n * q;
}

/* 8-bit value of quantized endpoint component q (channel ch) of `mode`. */
static int expandm(const tt_bc7_mode_info *mi, int ch, int q, int p)
{
    return expand_channel(q, p, ch == 3 ? mi->alpha_bits : mi->color_bits, mi->pbit_unique || mi->pbit_shared);
}

/* The texels of one subset, listed once, and the endpoints already assessed in this subset's search (encode_subset)
 * with the SSE each gave. Within one search the subset's best SSE only falls, and an assessed endpoint set either
 * became the best or lost to a value at most the best of its time, so its SSE is at or above the subset's best
 * from then on: assessing it again is skipped and its old value given (without indices), which every caller
 * rejects as it would the new one. (The shader stops summing at a bound instead; a result at or above the bound is
 * rejected either way.) */
typedef struct {
    int mask, n, lanes;
    int at[16];
    int ct[4][16]; /* the texels channel-major (lane j: texel at[j]; lanes n..15 zero), for ramp_search */
    sse_memo memo;
} texset;

static void texset_of(const block_in *in, int mask, texset *ts)
{
    ts->mask = mask;
    ts->n = 0;
    memo_clear(&ts->memo);
    memset(ts->ct, 0, sizeof ts->ct);
    for (int i = 0; i < 16; i++)
        if ((mask >> i) & 1) {
            for (int k = 0; k < 4; k++) ts->ct[k][ts->n] = in->t[i][k];
            ts->at[ts->n++] = i;
        }
    ts->lanes = ts->n <= 8 ? 8 : 16;
}

/* The indices of the texels of ts for endpoints e0, e1 (8-bit, nch channels) on a ramp of nl levels (ramp_search);
 * returns the weighted SSE. */
static inline __attribute__((always_inline)) int assign_set(const block_in *in, texset *ts, int nch, int nl,
                                                             int unit, const int *e0, const int *e1, uint8_t *idx)
{
    int sel[16];
    int sse = ts->lanes == 8 ? ramp_search(ts->ct, 8, ts->n, nch, nl - 1, nl - 2, e0, e1, in->w, unit, sel)
                             : ramp_search(ts->ct, 16, ts->n, nch, nl - 1, nl - 2, e0, e1, in->w, unit, sel);
    for (int j = 0; j < ts->n; j++) idx[ts->at[j]] = (uint8_t)sel[j];
    return sse;
}

/* Indices (and weighted SSE over nch channels) of the texels of subset `sub` (assign_set). */
static int assignm(const block_in *in, const tt_bc7_mode_info *mi, int nch, texset *ts, candm *c, int sub)
{
    int e0[4], e1[4], sse;
    uint64_t key = (uint64_t)c->p[sub][0] | (uint64_t)c->p[sub][1] << 1;
    for (int k = 0; k < nch; k++) key |= (uint64_t)c->q[sub][0][k] << (2 + 7 * k) | (uint64_t)c->q[sub][1][k] << (30 + 7 * k);
    int old = memo_find(&ts->memo, key);
    if (old >= 0) {
        c->sse[sub] = old;
        return old;
    }
    for (int k = 0; k < nch; k++) {
        e0[k] = expandm(mi, k, c->q[sub][0][k], c->p[sub][0]);
        e1[k] = expandm(mi, k, c->q[sub][1][k], c->p[sub][1]);
    }
    int unit = in->w[0] == 1 && in->w[1] == 1 && in->w[2] == 1 && (nch == 3 || in->w[3] == 1);
#define ASSIGN_SET(nch_, nl_)                                                                                          \
    (unit ? assign_set(in, ts, nch_, nl_, 1, e0, e1, c->idx) : assign_set(in, ts, nch_, nl_, 0, e0, e1, c->idx))
    if (mi->index_bits == 2)
        sse = nch == 3 ? ASSIGN_SET(3, 4) : ASSIGN_SET(4, 4);
    else
        sse = nch == 3 ? ASSIGN_SET(3, 8) : ASSIGN_SET(4, 8);
#undef ASSIGN_SET
    memo_add(&ts->memo, key, sse);
    c->sse[sub] = sse;
    return sse;
}

/* The p-bit (0 or 1) with which the endpoint x[0..nch) (8-bit scale) quantizes closest, by weighted squared
 * error (ties: 0); float + and * in this order only, as pbit_of in bc7_multi.glsl. */
static int pbit_of(const block_in *in, const tt_bc7_mode_info *mi, int nch, const float *x)
{
    float e[2];
    for (int pb = 0; pb < 2; pb++) {
        for (int k = 0; k < nch; k++) {
            int bits = k == 3 ? mi->alpha_bits : mi->color_bits;
            float d = (float)expand_channel(quant_channel(x[k], pb, bits), pb, bits, 1) - x[k];
            float t = d * d * (float)in->w[k];
            e[pb] = k == 0 ? t : e[pb] + t;
        }
    }
    return e[1] < e[0];
}

/* Quantizes float endpoints x[0..2nch) (8-bit scale) of subset `sub` with the best p-bits (none, mode 2; shared
 * per subset, mode 1: 2 choices; per endpoint, modes 0, 3, 7: 4 combinations, or with in->lean the one pbit_of
 * gives) by SSE. */
static void quant_search(const block_in *in, const tt_bc7_mode_info *mi, int nch, texset *ts, const float *x,
                         candm *c, int sub)
{
    candm t = *c;
    int best = 0x7FFFFFFF, ncombo = mi->pbit_unique ? 4 : (mi->pbit_shared ? 2 : 1), first = 0;
    if (in->lean && mi->pbit_unique) {
        first = pbit_of(in, mi, nch, x) | pbit_of(in, mi, nch, x + nch) << 1;
        ncombo = first + 1;
    }
    for (int combo = first; combo < ncombo; combo++) {
        t.p[sub][0] = combo & 1;
        t.p[sub][1] = mi->pbit_unique ? combo >> 1 : combo & 1;
        for (int j = 0; j < 2; j++)
            for (int k = 0; k < nch; k++)
                t.q[sub][j][k] = quant_channel(x[nch * j + k], t.p[sub][j], k == 3 ? mi->alpha_bits : mi->color_bits);
        int e = assignm(in, mi, nch, ts, &t, sub);
        if (e < best) {
            best = e;
            *c = t;
        }
    }
}

/* Least-squares refits from perturbed indices (bc7e's "uber" levels), after the refit rounds: trials 0-2 move the
 * subset's lowest used index one up, its highest one down, or both; with level >= 2, trials 3.. rescale every index
 * from [a, b] to the full range [0, top] for a in -Q..1 and b in top-1..top+Q (Q = level - 1). Each trial's indices
 * are solved by least squares and quantized with the p-bit search; the best result is kept. A fixed texel order and
 * integer rounding keep the shader's lockstep version (index_trials_* in bc7_multi.glsl) identical. */
int tt_bc7_trial_index(int v, int tr, int q, int top, int lo, int hi)
{
    if (tr < 3) {
        if ((tr == 0 || tr == 2) && v == lo && v < top) return v + 1;
        if ((tr == 1 || tr == 2) && v == hi && v > 0) return v - 1;
        return v;
    }
    int r = tr - 3, n = q + 2, a = r / n - q, b = top - 1 + r % n;
    int num = top * (v - a), den = b - a; /* round(num / den), den > 0 */
    int f = num >= 0 ? (2 * num + den) / (2 * den) : -((-2 * num + den) / (2 * den));
    return f < 0 ? 0 : (f > top ? top : f);
}

static void index_trials(const block_in *in, const tt_bc7_mode_info *mi, int nch, texset *ts, int level,
                         candm *c, int sub)
{
    int top = (1 << mi->index_bits) - 1, lo = top, hi = 0, mask = ts->mask;
    for (int j = 0; j < ts->n; j++) {
        int i = ts->at[j];
        lo = c->idx[i] < lo ? c->idx[i] : lo;
        hi = c->idx[i] > hi ? c->idx[i] : hi;
    }
    int base[16];
    for (int i = 0; i < 16; i++) base[i] = c->idx[i];
    int q = level - 1, ntrial = 3 + (level >= 2 ? (q + 2) * (q + 2) : 0);
    for (int tr = 0; tr < ntrial && c->sse[sub] > 0; tr++) {
        int sel[16];
        for (int i = 0; i < 16; i++) sel[i] = tt_bc7_trial_index(base[i], tr, q, top, lo, hi);
        float x[8];
        if (!ls_solve(in, sel, mask, top, nch, x)) continue;
        candm t = *c;
        quant_search(in, mi, nch, ts, x, &t, sub);
        if (t.sse[sub] < c->sse[sub]) *c = t;
    }
}

static void jitter_subset(const block_in *in, const tt_bc7_mode_info *mi, int nch, texset *ts, candm *c, int sub);

static void encode_subset(const block_in *in, const tt_bc7_mode_info *mi, int nch, int mask, const float dir[4],
                          int trials, candm *c, int sub)
{
    texset ts;
    texset_of(in, mask, &ts);
    /* endpoints: the texels with the lowest and highest projection */
    float lo = 0.0f, hi = 0.0f;
    int ilo = -1, ihi = -1;
    for (int i = 0; i < 16; i++) {
        if (!((mask >> i) & 1)) continue;
        float pr = (float)in->t[i][0] * dir[0];
        for (int k = 1; k < nch; k++) pr = pr + (float)in->t[i][k] * dir[k];
        if (ilo < 0 || pr < lo) { lo = pr; ilo = i; }
        if (ihi < 0 || pr > hi) { hi = pr; ihi = i; }
    }
    float x[8];
    for (int k = 0; k < nch; k++) {
        x[k] = (float)in->t[ilo][k];
        x[nch + k] = (float)in->t[ihi][k];
    }
    quant_search(in, mi, nch, &ts, x, c, sub);
    for (int it = 0; it < REFIT_ITERATIONS && c->sse[sub] > 0; it++) {
        candm t = *c;
        int idx[16];
        for (int i = 0; i < 16; i++) idx[i] = c->idx[i];
        if (!ls_solve(in, idx, mask, (1 << mi->index_bits) - 1, nch, x)) break;
        quant_search(in, mi, nch, &ts, x, &t, sub);
        if (t.sse[sub] >= c->sse[sub]) break;
        *c = t;
    }
    if (trials) index_trials(in, mi, nch, &ts, trials, c, sub);
    jitter_subset(in, mi, nch, &ts, c, sub);
}

/* Greedy +-1 steps of subset `sub`'s endpoints, channel by channel, then jointly (encode_subset's last step). */
static void jitter_subset(const block_in *in, const tt_bc7_mode_info *mi, int nch, texset *ts, candm *c, int sub)
{
    for (int pass = 0; pass < TWO_JITTER && c->sse[sub] > 0; pass++) {
        int improved = 0;
        for (int j = 0; j < 2; j++)
            for (int k = 0; k < nch; k++)
                for (int s = -1; s <= 1; s += 2) {
                    int q = c->q[sub][j][k] + s;
                    if (q < 0 || q > (1 << (k == 3 ? mi->alpha_bits : mi->color_bits)) - 1) continue;
                    candm t = *c;
                    t.q[sub][j][k] = q;
                    if (assignm(in, mi, nch, ts, &t, sub) < c->sse[sub]) {
                        *c = t;
                        improved = 1;
                    }
                }
        /* joint steps: every channel of one endpoint together (bc7_ref_single.c's polish says why) */
        for (int j = 0; j < 2 * in->joint; j++)
            for (int s = -1; s <= 1; s += 2)
                for (int kind = mi->pbit_unique ? 0 : 1; kind < 2; kind++) {
                candm t = *c;
                int pj = t.p[sub][j], ok = 1, dq = joint_dq(&pj, s, kind);
                t.p[sub][j] = (int8_t)pj;
                for (int k = 0; k < nch; k++) {
                    t.q[sub][j][k] += dq;
                    ok &= t.q[sub][j][k] >= 0 && t.q[sub][j][k] <= (1 << (k == 3 ? mi->alpha_bits : mi->color_bits)) - 1;
                }
                if (ok && assignm(in, mi, nch, ts, &t, sub) < c->sse[sub]) {
                    *c = t;
                    improved = 1;
                }
            }
        if (!improved) break;
    }
}

/* Best block of `mode` into *best; returns its weighted SSE. Partitions that cannot get below `bound` are dropped:
 * if none does, returns a value >= bound and leaves *best untouched. */
static int encode_multi(const block_in *in, int mode, int keep, int trials, int bound,
                        tt_bc7_multi_cache *cache, candm *best)
{
    const tt_bc7_mode_info *mi = tt_bc7_mode(mode);
    int ns = mi->subsets, nch = mode == 7 ? 4 : 3, nparts = 1 << mi->part_bits;
    if (keep > nparts) keep = nparts;
    /* the `keep` lowest estimates num/den, ascending (ties: lower partition first), compared by
     * cross-multiplication; a two-subset estimate is the three-subset one with subset 2 at 0/1 (exactly) */
    float knum[TT_BC7_MAX_PARTITIONS], kden[TT_BC7_MAX_PARTITIONS];
    int kpart[TT_BC7_MAX_PARTITIONS];
    for (int j = 0; j < keep; j++) {
        knum[j] = 1.0f;
        kden[j] = 0.0f; /* +infinity */
        kpart[j] = 0;
    }
    float q = (float)(((1 << mi->index_bits) - 1) * ((1 << mi->index_bits) - 1));
    float dir[4], n0, d0, n1, d1, n2 = 0.0f, d2 = 1.0f;
    int mv[16][MOM_N], total[MOM_N], mo[3][MOM_N];
    block_moments(in, mv, total);
    /* the q-free terms of modes 0-3 (three channels) are shared through the cache: modes 1 and 3 have the same
     * partitions, mode 0's are the first 16 of mode 2's */
    int tb = ns == 3, use = cache && nch == 3;
    tt_bc7_axis_terms own[64][3], (*terms)[3] = use ? cache->terms[tb] : own; /* 64: most partitions */
    uint64_t have = use ? cache->have[tb] : 0;
    int todo[64], count = 0;
    for (int part = 0; part < nparts; part++)
        if (!((have >> part) & 1u)) todo[count++] = part;
    if (count) {
        axis_lanes lanes[3];
        partition_terms(mv, total, ns, nch, todo, count, lanes, terms);
        if (use)
            for (int j = 0; j < count; j++) cache->have[tb] |= 1ull << todo[j];
    }
    for (int part = 0; part < nparts; part++) {
        const tt_bc7_axis_terms *at = terms[part];
        axis_estimate(&at[0], q, &n0, &d0);
        axis_estimate(&at[1], q, &n1, &d1);
        if (ns == 3) axis_estimate(&at[2], q, &n2, &d2);
        float num = (n0 * d1 + n1 * d0) * d2 + n2 * (d0 * d1), den = d0 * d1 * d2;
        int pp = part;
        for (int j = 0; j < keep; j++)
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
    for (int j = 0; j < keep; j++) {
        candm c;
        memset(&c, 0, sizeof c);
        c.part = kpart[j];
        int m[2], sse = 0;
        partition_masks(ns, c.part, m);
        for (int s = 0; s < ns && sse < (best_sse < bound ? best_sse : bound); s++) {
            /* a partition whose finished subsets already reach the mode's best or the bound can no longer be kept
             * (the SSE of a subset is >= 0): its other subsets are skipped */
            int mask = s == 0 ? 0xFFFF & ~(m[0] | m[1]) : m[s - 1];
            tt_bc7_axis_terms unused;
            mask_moments(mv, mask, mo[0]);
            subset_axis_terms(mo[0], nch, dir, &unused);
            encode_subset(in, mi, nch, mask, dir, trials, &c, s);
            sse += c.sse[s];
        }
        if (sse < best_sse && sse < bound) {
            best_sse = sse;
            *best = c;
        }
    }
    return best_sse;
}

/* The fields of a candidate of `mode`: a subset whose anchor index needs the MSB gets its endpoints (and p-bits)
 * swapped and its indices mirrored. Modes 0-3 store no alpha. */
static void pack_multi(int mode, candm c, tt_bc7_fields *f)
{
    const tt_bc7_mode_info *mi = tt_bc7_mode(mode);
    int nl = 1 << mi->index_bits, ns = mi->subsets;
    for (int sub = 0; sub < ns; sub++) {
        if (c.idx[tt_bc7_anchor_of(ns, c.part, sub)] < nl / 2) continue;
        for (int k = 0; k < 4; k++) {
            int t = c.q[sub][0][k];
            c.q[sub][0][k] = c.q[sub][1][k];
            c.q[sub][1][k] = t;
        }
        int t = c.p[sub][0];
        c.p[sub][0] = c.p[sub][1];
        c.p[sub][1] = t;
        for (int i = 0; i < 16; i++)
            if (tt_bc7_subset_of(ns, c.part, i) == sub) c.idx[i] = nl - 1 - c.idx[i];
    }
    memset(f, 0, sizeof *f);
    f->mode = mode;
    f->partition = (unsigned)c.part;
    for (int e = 0; e < 2 * ns; e++) {
        for (int k = 0; k < (mi->alpha_bits ? 4 : 3); k++) f->e[e][k] = (uint8_t)c.q[e >> 1][e & 1][k];
        f->p[e] = (uint8_t)c.p[e >> 1][e & 1];
    }
    for (int i = 0; i < 16; i++) f->idx[i] = (uint8_t)c.idx[i];
}

int tt_bc7_ref_encode_multi(const block_in *in, int mode, const tt_bc7_config *p, tt_bc7_fields *out)
{
    return tt_bc7_ref_encode_multi_below(in, mode, p, TT_BC7_NO_CANDIDATE, NULL, out);
}

int tt_bc7_ref_encode_multi_below(const block_in *in, int mode, const tt_bc7_config *p, int bound,
                                  tt_bc7_multi_cache *cache, tt_bc7_fields *out)
{
    if (mode < 0 || mode > 7 || mode == 4 || mode == 5 || mode == 6) return TT_BC7_NO_CANDIDATE;
    if (mode != 7 && !in->opaque) return TT_BC7_NO_CANDIDATE; /* modes 0-3 decode alpha 255 */
    int keep = tt_bc7_mode_partitions(p, mode);
    candm c;
    int sse = encode_multi(in, mode, keep, p->index_trials, bound, cache, &c);
    if (sse >= bound) return sse; /* nothing below the bound: out untouched */
    pack_multi(mode, c, out);
    return sse;
}

int tt_bc7_ref_finish_multi(const block_in *in, int level, tt_bc7_fields *f, int sse)
{
    int mode = f->mode;
    const tt_bc7_mode_info *mi = tt_bc7_mode(mode);
    int ns = mi->subsets, nch = mode == 7 ? 4 : 3, m[2], total = 0;
    candm c;
    memset(&c, 0, sizeof c);
    c.part = (int)f->partition;
    for (int sub = 0; sub < ns; sub++)
        for (int j = 0; j < 2; j++) {
            for (int k = 0; k < nch; k++) c.q[sub][j][k] = f->e[2 * sub + j][k];
            c.p[sub][j] = (int8_t)f->p[2 * sub + j];
        }
    partition_masks(ns, c.part, m);
    for (int s = 0; s < ns; s++) {
        texset ts;
        texset_of(in, s == 0 ? 0xFFFF & ~(m[0] | m[1]) : m[s - 1], &ts);
        if (assignm(in, mi, nch, &ts, &c, s) > 0) {
            index_trials(in, mi, nch, &ts, level, &c, s);
            jitter_subset(in, mi, nch, &ts, &c, s);
        }
        total += c.sse[s];
    }
    if (total >= sse) return sse;
    pack_multi(mode, c, f);
    return total;
}
