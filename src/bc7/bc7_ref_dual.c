/* bc7_ref_dual.c - C reference, rotation modes 4 and 5: colour and alpha endpoints with separate index sets, a channel rotation and (mode 4) the index-selection bit. */
#include <string.h>

#include "bc7/bc7_ref.h"

/* Twin of shaders/bc7_dual.glsl (same names, same float operations in the same order).
 *
 * A configuration is (rotation r, index selection isel). With rotation r != 0 the decoder swaps alpha with channel
 * r - 1, so the encoder works on a rotated copy of the block: slots 0..2 (the colour endpoints, one index set) hold
 * the channels perm[0..2] and slot 3 (the scalar endpoints, the other index set) holds channel perm[3], where perm
 * is the identity with r - 1 and 3 swapped; each slot's error weighs with its real channel's weight. The two parts
 * are independent: colour = 3-channel line fit (principal axis of the covariance, extreme texels, quantisation,
 * least-squares refit, +-1 steps), scalar = 1-D fit (min / max, least squares, +-1 steps).
 *
 * Search: every configuration gets a rough estimate (the colour part's first quantised fit from the extreme texels
 * plus the scalar part's min / max fit, both exact integer SSE); only the DUAL_KEEP lowest (ties: earlier
 * configuration) are refined fully, the lowest refined SSE kept. Measured with --modes 4,5,6 on the image set: keeping
 * 1 is 0.04-0.1 dB (ui.png 0.24 dB) below refining all of them, keeping 2 halves that for one more full fit; 1 keeps
 * modes 4 + 5 on lavapipe at about a third of modes 1 + 3's time.
 *
 * Opaque blocks: the slot holding the real alpha keeps its endpoints at the maximum (decodes 255 exactly, error 0),
 * the scalar slot for r = 0, colour slot r - 1 otherwise; rotation 0 is skipped unless DUAL_OPAQUE_ROT0 (its colour
 * part is mode 6's with 2-bit indices: measured to change the image set by <= 0.01 dB, for a quarter of the rough
 * estimates). */
#ifndef DUAL_KEEP
#define DUAL_KEEP 1
#endif
#ifndef DUAL_OPAQUE_ROT0
#define DUAL_OPAQUE_ROT0 0
#endif
#ifndef DUAL_JITTER
#define DUAL_JITTER 1
#endif

/* A configuration's widths: colour / scalar endpoint bits and index bits. */
typedef struct {
    int rot, isel;
    int cb, sb, cib, sib;
} dual_cfg;

static dual_cfg make_cfg(int mode, int rot, int isel)
{
    dual_cfg g;
    g.rot = rot;
    g.isel = isel;
    g.cb = mode == 4 ? 5 : 7;
    g.sb = mode == 4 ? 6 : 8;
    g.cib = mode == 4 && isel ? 3 : 2;
    g.sib = mode == 4 && !isel ? 3 : 2;
    return g;
}

typedef struct {
    int q[2][3];
    int idx[16];
    int sse;
} col_fit;

typedef struct {
    int q[2];
    int idx[16];
    int sse;
} sca_fit;

/* Nearest `bits`-bit value (no p-bit) of 8-bit-scale x: x (2^bits - 1) / 255 rounded, the scale a product of two
 * floats so that the shader computes the same one. */
static int quant_dual(float x, int bits)
{
    int qmax = (1 << bits) - 1;
    float v = floorf(x * ((float)qmax * (1.0f / 255.0f)) + 0.5f);
    return clamp_q(v, qmax);
}

static int weight_of(int ib, int k) { return ib == 2 ? TT_BC7_WEIGHT2(k) : TT_BC7_WEIGHT3(k); }

/* The rotated block: slot k holds channel perm[k]. */
static void rotate_block(const block_in *in, int rot, block_in *rb)
{
    int perm[4] = {0, 1, 2, 3};
    if (rot) {
        perm[rot - 1] = 3;
        perm[3] = rot - 1;
    }
    for (int i = 0; i < 16; i++)
        for (int k = 0; k < 4; k++) rb->t[i][k] = rb->ct[k][i] = in->t[i][perm[k]];
    for (int k = 0; k < 4; k++) rb->w[k] = in->w[perm[k]];
    rb->opaque = in->opaque;
    rb->joint = in->joint;
}

/* Colour indices and SSE (slots 0..2) for the endpoints of c (ramp_search). `bound`: the SSE the caller keeps a fit
 * below (the shader stops summing there; the whole sum leads to the same choices). */
static void assign_col(const block_in *rb, const dual_cfg *g, col_fit *c, int bound)
{
    int e0[3], e1[3], sel[16];
    for (int k = 0; k < 3; k++) {
        e0[k] = expand_channel(c->q[0][k], 0, g->cb, 0);
        e1[k] = expand_channel(c->q[1][k], 0, g->cb, 0);
    }
    int top = (1 << g->cib) - 1;
    c->sse = top == 3 ? ramp_search(rb->ct, 16, 16, 3, 3, 2, e0, e1, rb->w, 0, sel)
                      : ramp_search(rb->ct, 16, 16, 3, 7, 6, e0, e1, rb->w, 0, sel);
    for (int i = 0; i < 16; i++) c->idx[i] = sel[i];
}

/* Scalar indices and SSE (slot 3), as assign_col. */
static void assign_sca(const block_in *rb, const dual_cfg *g, sca_fit *s, int bound)
{
    int e0 = expand_channel(s->q[0], 0, g->sb, 0), e1 = expand_channel(s->q[1], 0, g->sb, 0), sel[16];
    int top = (1 << g->sib) - 1;
    s->sse = top == 3 ? ramp_search(rb->ct + 3, 16, 16, 1, 3, 2, &e0, &e1, rb->w + 3, 0, sel)
                      : ramp_search(rb->ct + 3, 16, 16, 1, 7, 6, &e0, &e1, rb->w + 3, 0, sel);
    for (int i = 0; i < 16; i++) s->idx[i] = sel[i];
}

/* ls_solve (bc7_ref.h) from integer sums, the float operations of ls_solve in bc7_common.glsl, n channels. */
static int solve_sums(int a, int bb, int cc, const int *s0, const int *s1, int n, float *x0, float *x1)
{
    int det = a * cc - bb * bb;
    if (det <= 0) return 0;
    float fa = (float)a, fb = (float)bb, fc = (float)cc, fdet = (float)det;
    for (int k = 0; k < n; k++) {
        float n0 = fc * (float)s0[k] - fb * (float)s1[k];
        float n1 = fa * (float)s1[k] - fb * (float)s0[k];
        x0[k] = snap256((n0 * 64.0f) / fdet);
        x1[k] = snap256((n1 * 64.0f) / fdet);
    }
    return 1;
}

/* Least-squares endpoints of slots [ch, ch + n) for indices idx of `ib` bits. */
static int ls_slots(const block_in *rb, const int idx[16], int ib, int ch, int n, float *x0, float *x1)
{
    int a = 0, bb = 0, cc = 0, s0[3] = {0, 0, 0}, s1[3] = {0, 0, 0};
    for (int i = 0; i < 16; i++) {
        int w = weight_of(ib, idx[i]), iw = 64 - w;
        a += iw * iw;
        bb += iw * w;
        cc += w * w;
        for (int k = 0; k < n; k++) {
            s0[k] += iw * rb->t[i][ch + k];
            s1[k] += w * rb->t[i][ch + k];
        }
    }
    return solve_sums(a, bb, cc, s0, s1, n, x0, x1);
}

/* Colour endpoints quantised from 8-bit-scale x0, x1; an opaque block's alpha slot (rot - 1) pinned at the top. */
static void quant_col(const block_in *rb, const dual_cfg *g, const float x0[3], const float x1[3], col_fit *c,
                      int bound)
{
    int qmax = (1 << g->cb) - 1;
    for (int k = 0; k < 3; k++) {
        c->q[0][k] = quant_dual(x0[k], g->cb);
        c->q[1][k] = quant_dual(x1[k], g->cb);
        if (rb->opaque && k == g->rot - 1) {
            c->q[0][k] = qmax;
            c->q[1][k] = qmax;
        }
    }
    assign_col(rb, g, c, bound);
}

/* The principal direction of slots 0..2 (subset_axis in bc7_ref_multi.c over the whole block: the column of the
 * largest diagonal of the scaled covariance, one power step). */
static void col_axis(const block_in *rb, float dir[3])
{
    int s[3] = {0, 0, 0}, ss[6] = {0, 0, 0, 0, 0, 0};
    for (int i = 0; i < 16; i++) {
        int r = rb->t[i][0], g = rb->t[i][1], b = rb->t[i][2];
        s[0] += r; s[1] += g; s[2] += b;
        ss[0] += r * r; ss[1] += g * g; ss[2] += b * b;
        ss[3] += r * g; ss[4] += r * b; ss[5] += g * b;
    }
    dir[0] = dir[1] = dir[2] = 0.0f;
    int c[6];
    c[0] = 16 * ss[0] - s[0] * s[0];
    c[1] = 16 * ss[1] - s[1] * s[1];
    c[2] = 16 * ss[2] - s[2] * s[2];
    c[3] = 16 * ss[3] - s[0] * s[1];
    c[4] = 16 * ss[4] - s[0] * s[2];
    c[5] = 16 * ss[5] - s[1] * s[2];
    int k = 0;
    if (c[1] > c[k]) k = 1;
    if (c[2] > c[k]) k = 2;
    if (c[k] == 0) return;
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
    dir[0] = m00 * v0 + m01 * v1 + m02 * v2;
    dir[1] = m01 * v0 + m11 * v1 + m12 * v2;
    dir[2] = m02 * v0 + m12 * v1 + m22 * v2;
}

/* First colour fit: endpoints at the texels of lowest and highest projection on the axis. */
static void start_col(const block_in *rb, const dual_cfg *g, col_fit *c)
{
    float dir[3];
    col_axis(rb, dir);
    float lo = 0.0f, hi = 0.0f;
    int ilo = 0, ihi = 0;
    for (int i = 0; i < 16; i++) {
        float pr = (float)rb->t[i][0] * dir[0] + (float)rb->t[i][1] * dir[1] + (float)rb->t[i][2] * dir[2];
        if (i == 0 || pr < lo) { lo = pr; ilo = i; }
        if (i == 0 || pr > hi) { hi = pr; ihi = i; }
    }
    float x0[3], x1[3];
    for (int k = 0; k < 3; k++) {
        x0[k] = (float)rb->t[ilo][k];
        x1[k] = (float)rb->t[ihi][k];
    }
    quant_col(rb, g, x0, x1, c, 0x7FFFFFFF);
}

/* Least-squares refit rounds while they lower the SSE, then greedy +-1 steps (the pinned alpha slot excluded). */
static void refine_col(const block_in *rb, const dual_cfg *g, col_fit *c)
{
    float x0[3], x1[3];
    for (int it = 0; it < REFIT_ITERATIONS && c->sse > 0; it++) {
        col_fit t;
        if (!ls_slots(rb, c->idx, g->cib, 0, 3, x0, x1)) break;
        quant_col(rb, g, x0, x1, &t, c->sse);
        if (t.sse >= c->sse) break;
        *c = t;
    }
    int qmax = (1 << g->cb) - 1;
    for (int pass = 0; pass < DUAL_JITTER && c->sse > 0; pass++) {
        int improved = 0;
        for (int j = 0; j < 2; j++)
            for (int k = 0; k < 3; k++)
                for (int s = -1; s <= 1; s += 2) {
                    int q = c->q[j][k] + s;
                    if (q < 0 || q > qmax || (rb->opaque && k == g->rot - 1)) continue;
                    col_fit t = *c;
                    t.q[j][k] = q;
                    assign_col(rb, g, &t, c->sse);
                    if (t.sse < c->sse) {
                        *c = t;
                        improved = 1;
                    }
                }
        /* joint steps: every free colour channel of one endpoint together (bc7_ref_single.c's polish says why) */
        for (int j = 0; j < 2 * rb->joint; j++)
            for (int s = -1; s <= 1; s += 2) {
                col_fit t = *c;
                int ok = 1;
                for (int k = 0; k < 3; k++) {
                    if (rb->opaque && k == g->rot - 1) continue;
                    t.q[j][k] += s;
                    ok &= t.q[j][k] >= 0 && t.q[j][k] <= qmax;
                }
                if (!ok) continue;
                assign_col(rb, g, &t, c->sse);
                if (t.sse < c->sse) {
                    *c = t;
                    improved = 1;
                }
            }
        if (!improved) break;
    }
}

/* First scalar fit: endpoints at the channel's minimum and maximum; an opaque block's alpha (rot 0) pinned at the
 * top with error 0. */
static void start_sca(const block_in *rb, const dual_cfg *g, sca_fit *s)
{
    if (rb->opaque && g->rot == 0) {
        s->q[0] = s->q[1] = (1 << g->sb) - 1;
        memset(s->idx, 0, sizeof s->idx);
        s->sse = 0;
        return;
    }
    int lo = rb->t[0][3], hi = lo;
    for (int i = 1; i < 16; i++) {
        lo = rb->t[i][3] < lo ? rb->t[i][3] : lo;
        hi = rb->t[i][3] > hi ? rb->t[i][3] : hi;
    }
    s->q[0] = quant_dual((float)lo, g->sb);
    s->q[1] = quant_dual((float)hi, g->sb);
    assign_sca(rb, g, s, 0x7FFFFFFF);
}

static void refine_sca(const block_in *rb, const dual_cfg *g, sca_fit *s)
{
    float x0, x1;
    for (int it = 0; it < REFIT_ITERATIONS && s->sse > 0; it++) {
        sca_fit t;
        if (!ls_slots(rb, s->idx, g->sib, 3, 1, &x0, &x1)) break;
        t.q[0] = quant_dual(x0, g->sb);
        t.q[1] = quant_dual(x1, g->sb);
        assign_sca(rb, g, &t, s->sse);
        if (t.sse >= s->sse) break;
        *s = t;
    }
    int qmax = (1 << g->sb) - 1;
    for (int pass = 0; pass < DUAL_JITTER && s->sse > 0; pass++) {
        int improved = 0;
        for (int j = 0; j < 2; j++)
            for (int d = -1; d <= 1; d += 2) {
                int q = s->q[j] + d;
                if (q < 0 || q > qmax) continue;
                sca_fit t = *s;
                t.q[j] = q;
                assign_sca(rb, g, &t, s->sse);
                if (t.sse < s->sse) {
                    *s = t;
                    improved = 1;
                }
            }
        if (!improved) break;
    }
}

/* The fields of a configuration: each index set whose texel-0 index needs its MSB gets its endpoints swapped and
 * its indices mirrored, independently. Mode 5 and mode 4 with isel 0 store colour indices first (idx), mode 4 with
 * isel 1 stores the scalar's 2-bit indices there and the colour's 3-bit ones in idx2. */
static void pack_dual(int mode, const dual_cfg *g, col_fit c, sca_fit s, tt_bc7_fields *f)
{
    int ncl = 1 << g->cib, nsl = 1 << g->sib;
    if (c.idx[0] >= ncl / 2) {
        for (int k = 0; k < 3; k++) {
            int t = c.q[0][k];
            c.q[0][k] = c.q[1][k];
            c.q[1][k] = t;
        }
        for (int i = 0; i < 16; i++) c.idx[i] = ncl - 1 - c.idx[i];
    }
    if (s.idx[0] >= nsl / 2) {
        int t = s.q[0];
        s.q[0] = s.q[1];
        s.q[1] = t;
        for (int i = 0; i < 16; i++) s.idx[i] = nsl - 1 - s.idx[i];
    }
    memset(f, 0, sizeof *f);
    f->mode = mode;
    f->rotation = (unsigned)g->rot;
    f->isel = (unsigned)g->isel;
    for (int j = 0; j < 2; j++) {
        for (int k = 0; k < 3; k++) f->e[j][k] = (uint8_t)c.q[j][k];
        f->e[j][3] = (uint8_t)s.q[j];
    }
    for (int i = 0; i < 16; i++) {
        f->idx[i] = (uint8_t)(g->isel ? s.idx[i] : c.idx[i]);
        f->idx2[i] = (uint8_t)(g->isel ? c.idx[i] : s.idx[i]);
    }
}

int tt_bc7_ref_encode_dual(const block_in *in, int mode, const tt_bc7_config *p, tt_bc7_fields *out)
{
    (void)p;
    if (mode != 4 && mode != 5) return TT_BC7_NO_CANDIDATE;
    int ncfg = mode == 4 ? 8 : 4;
    /* the DUAL_KEEP lowest rough estimates, ascending (ties: earlier configuration first) */
    int kest[DUAL_KEEP], kcfg[DUAL_KEEP];
    for (int j = 0; j < DUAL_KEEP; j++) {
        kest[j] = 0x7FFFFFFF;
        kcfg[j] = 0;
    }
    block_in rb;
    for (int cf = 0; cf < ncfg; cf++) {
        dual_cfg g = make_cfg(mode, mode == 4 ? cf >> 1 : cf, mode == 4 ? cf & 1 : 0);
        if (!DUAL_OPAQUE_ROT0 && in->opaque && g.rot == 0) continue;
        rotate_block(in, g.rot, &rb);
        col_fit c;
        sca_fit s;
        start_col(&rb, &g, &c);
        start_sca(&rb, &g, &s);
        int est = c.sse + s.sse, cc = cf;
        for (int j = 0; j < DUAL_KEEP; j++)
            if (est < kest[j]) {
                int te = kest[j], tc = kcfg[j];
                kest[j] = est;
                kcfg[j] = cc;
                est = te;
                cc = tc;
            }
    }
    int best = 0x7FFFFFFF;
    for (int j = 0; j < DUAL_KEEP && j < ncfg; j++) {
        if (kest[j] == 0x7FFFFFFF) break; /* fewer configurations than DUAL_KEEP */
        int cf = kcfg[j];
        dual_cfg g = make_cfg(mode, mode == 4 ? cf >> 1 : cf, mode == 4 ? cf & 1 : 0);
        rotate_block(in, g.rot, &rb);
        col_fit c;
        sca_fit s;
        start_col(&rb, &g, &c);
        refine_col(&rb, &g, &c);
        start_sca(&rb, &g, &s);
        refine_sca(&rb, &g, &s);
        int sse = c.sse + s.sse;
        if (sse < best) {
            best = sse;
            pack_dual(mode, &g, c, s, out);
        }
    }
    return best;
}
