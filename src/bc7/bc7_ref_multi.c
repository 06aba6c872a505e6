/* bc7_ref_multi.c - C reference, multi-subset family (modes 1 and 3 for opaque blocks; 0, 2 and 7 belong here): partition pre-selection, per-subset endpoint fit, driven by the mode table. */
#include <string.h>

#include "bc7/bc7_ref.h"

/* Twin of shaders/bc7_multi.glsl, which runs the two subsets of a partition in lockstep (encode_pair) with
 * exactly this file's decisions per subset.
 *
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
    int q[2][2][3]; /* [subset][endpoint][rgb]: colour_bits wide (6 in mode 1, 7 in mode 3) */
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

/* 8-bit value of a quantized endpoint component of `mode`. */
static int expand2(int mode, int q, int p)
{
    const tt_bc7_mode_info *mi = tt_bc7_mode(mode);
    return expand_channel(q, p, mi->color_bits, mi->pbit_unique || mi->pbit_shared);
}

/* Nearest quantized endpoint component of `mode` with p-bit p. */
static int quant2(int mode, float x, int p) { return quant_channel(x, p, tt_bc7_mode(mode)->color_bits); }

/* Indices (and SSE) of the texels of subset `sub` (mask: its texels). */
static int assign2(const block_in *in, int mode, int mask, cand2 *c, int sub)
{
    const uint8_t *w = tt_bc7_mode(mode)->index_bits == 2 ? tt_bc7_weights2 : tt_bc7_weights3;
    int nl = 1 << tt_bc7_mode(mode)->index_bits; /* levels */
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
        c->idx[i] = pick_bracket(e0, e1, in->t[i], 3, k0, w[k0], w[k0 + 1], in->w, &sse);
    }
    c->sse[sub] = sse;
    return sse;
}

/* Quantizes float endpoints x[0..5] (8-bit scale) of subset `sub` with the
 * best p-bits (shared per subset, mode 1: 2 choices; per endpoint, mode 3: 4 combinations) by SSE. */
static void quant2_search(const block_in *in, int mode, int mask, const float x[6], cand2 *c, int sub)
{
    cand2 t = *c;
    const tt_bc7_mode_info *mi = tt_bc7_mode(mode);
    int best = 0x7FFFFFFF, ncombo = mi->pbit_unique ? 4 : (mi->pbit_shared ? 2 : 1);
    for (int combo = 0; combo < ncombo; combo++) {
        t.p[sub][0] = combo & 1;
        t.p[sub][1] = mi->pbit_unique ? combo >> 1 : combo & 1;
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
        if (!ls_solve(in, c->idx, mask, (1 << tt_bc7_mode(mode)->index_bits) - 1, 3, x)) break;
        quant2_search(in, mode, mask, x, &t, sub);
        if (t.sse[sub] >= c->sse[sub]) break;
        *c = t;
    }
    int qmax = (1 << tt_bc7_mode(mode)->color_bits) - 1;
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
static int encode_multi(const block_in *in, int mode, cand2 *best)
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

/* The fields of a two-subset candidate of `mode`: a subset whose anchor index needs the MSB gets its endpoints
 * (and p-bits) swapped and its indices mirrored. */
static void pack_multi(int mode, cand2 c, tt_bc7_fields *f)
{
    int nl = 1 << tt_bc7_mode(mode)->index_bits;
    int m1 = partition_mask(c.part);
    for (int sub = 0; sub < 2; sub++) {
        int a = tt_bc7_anchor_of(2, c.part, sub);
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
    memset(f, 0, sizeof *f);
    f->mode = mode;
    f->partition = (unsigned)c.part;
    for (int e = 0; e < 4; e++) {
        for (int k = 0; k < 3; k++) f->e[e][k] = (uint8_t)c.q[e >> 1][e & 1][k];
        f->p[e] = (uint8_t)c.p[e >> 1][e & 1];
    }
    for (int i = 0; i < 16; i++) f->idx[i] = (uint8_t)c.idx[i];
}

int tt_bc7_ref_encode_multi(const block_in *in, int mode, const tt_bc7_config *p, tt_bc7_fields *out)
{
    (void)p;
    if ((mode != 1 && mode != 3) || !in->opaque) return TT_BC7_NO_CANDIDATE; /* 0, 2, 7: not yet */
    cand2 c;
    int sse = encode_multi(in, mode, &c);
    pack_multi(mode, c, out);
    return sse;
}
