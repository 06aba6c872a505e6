/* bc7_ref.h - the C reference encoder's shared part: block input, quantisation with p-bits, index choice, least squares, the family entry points. */
#ifndef TT_BC7_REF_H
#define TT_BC7_REF_H
/* Twin of shaders/bc7_common.glsl (same names). Included only by bc7_encode_ref.c, bc7_ref_block.c and the family
 * files bc7_ref_single.c (mode 6), bc7_ref_multi.c (modes 0, 1, 2, 3, 7), bc7_ref_dual.c (modes 4, 5) and
 * bc7_ref_solid.c (single-colour blocks), and the tests of those. */
#include <math.h>
#include <string.h>

#include "bc7/bc7_internal.h"
#include "bc7_abi.h" /* shaders/: TT_BC7_MULTI_MODES */

/* The C reference (bc7_ref_*.c, bc7_encode_ref.c) and the shader (shaders/bc7_*.glsl) implement the same
 * algorithm with the same float operation order, so the GPU reproduces these blocks bit
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

#ifndef REFIT_ITERATIONS
#define REFIT_ITERATIONS 2 /* least-squares refit rounds, both families */
#endif

/* Block state shared by all steps: integer texels, whether alpha is all 255, and the integer channel weights of
 * the error (tt_bc7_channel_weights; the GLSL side has them as specialization constants). alpha_free (mode 6 of
 * an opaque block under loose_alpha only; w[3] is then 0): the alpha endpoints stay 127, their p-bits are free,
 * so alpha decodes as 254 or 255 and its error does not count. */
typedef struct {
    int t[16][4];
    int ct[4][16]; /* the same texels channel-major (ct[k][i] = t[i][k]): ramp_search's lanes */
    int opaque;
    int alpha_free;
    int joint; /* tt_bc7_config.joint_steps */
    int lean;  /* tt_bc7_config.lean_search: modes with a p-bit per endpoint take the one that rounds it best */
    int w[4];
} block_in;

/* Fills in->ct from in->t: whoever builds a block_in from texels (the tests too) calls it after setting t. */
static inline void block_in_lanes(block_in *in)
{
    for (int i = 0; i < 16; i++)
        for (int k = 0; k < 4; k++) in->ct[k][i] = in->t[i][k];
}

/* Weighted squared error of an RGB / RGBA difference (werr3 / werr4 in bc7_common.glsl). */
static inline int werr3(const block_in *in, const int d[3])
{
    return d[0] * d[0] * in->w[0] + d[1] * d[1] * in->w[1] + d[2] * d[2] * in->w[2];
}
static inline int werr4(const block_in *in, const int d[4]) { return werr3(in, d) + d[3] * d[3] * in->w[3]; }

/* Integer clamp of an integral float v to 0..top: the value of (int)fminf(fmaxf(v, 0), top) for every v (-0 and
 * NaN give 0 either way), without the libm calls that fminf / fmaxf compile to. */
static inline int clamp_q(float v, int top) { return !(v > 0.0f) ? 0 : (v >= (float)top ? top : (int)v); }

/* 7-bit value for the 8-bit-scale float x with p-bit p: nearest (2q+p). */
static inline int quant7(float x, int p)
{
    float v = floorf((x - (float)p) * 0.5f + 0.5f);
    return clamp_q(v, 127);
}

/* Nearest `bits`-bit value of 8-bit-scale x with p-bit p below it (p = 0 where the mode has none): quant7 for
 * 7 bits; for 6 bits the p-bit weighs 2 and a step 4. The scale 2^(bits - 8) is exact, as ldexpf(1, bits - 8). */
static inline int quant_channel(float x, int p, int bits)
{
    static const float scale[9] = {1.0f / 256, 1.0f / 128, 1.0f / 64, 1.0f / 32, 1.0f / 16, 1.0f / 8, 1.0f / 4,
                                   1.0f / 2, 1.0f};
    float v = floorf((x - (float)(p << (7 - bits))) * scale[bits] + 0.5f);
    return clamp_q(v, (1 << bits) - 1);
}

/* 8-bit value of a `bits`-bit endpoint value q (with p-bit p when has_p): the top bits replicated below. */
static inline int expand_channel(int q, int p, int bits, int has_p)
{
    int v = has_p ? (q << 1) | p : q, n = has_p ? bits + 1 : bits;
    return (v << (8 - n)) | (v >> (2 * n - 8));
}

/* The index search of a texel set, written for the compiler to vectorise over texels: for endpoints e0, e1 (8-bit,
 * nch channels) on a ramp of `top` intervals (weights TT_BC7_WEIGHT*), each texel's projection bracket k0 (at most
 * kmax), then the nearer of its two decoded colours by exact weighted integer SSE (ties go to k0) into sel[];
 * returns the weighted SSE of lanes 0..n-1. ct holds the texels channel-major, `lanes` (8 or 16, >= n) of them valid numbers.
 * k0 = floor(top dot / len2) via one rounded-up reciprocal instead of a division per texel: exact, or one too high
 * when the fraction is > 0.97 (then k0 and k0 + 1 still bracket the best index); dot <= len2 keeps
 * top dot rcp <= 15 (2^27 + len2) < 2^31. The decoded value ((64 - w) e0 + w e1 + 32) >> 6 is computed as
 * (64 e0 + 32 + w d) >> 6, the same integer. unit: the weights are all 1 (saves the multiplies). Every texel is
 * summed: the callers that pass a bound keep a result only below it, so a sum that stopped at the bound (the shader
 * does) and the whole sum lead to the same choices. */
static inline __attribute__((always_inline)) int ramp_search(const int (*ct)[16], int lanes, int n, int nch, int top,
                                                             int kmax, const int *e0, const int *e1, const int *cw,
                                                             int unit, int sel[16])
{
    int d[4], base[4], len2 = 0;
    for (int k = 0; k < nch; k++) {
        d[k] = e1[k] - e0[k];
        base[k] = 64 * e0[k] + 32;
        len2 += d[k] * d[k];
    }
    int rcp = len2 > 0 ? ((1 << 27) + len2 - 1) / len2 : 0;
    int err[16];
    for (int j = 0; j < lanes; j++) {
        int dot = 0;
        for (int k = 0; k < nch; k++) dot += (ct[k][j] - e0[k]) * d[k];
        dot = dot < 0 ? 0 : (dot > len2 ? len2 : dot);
        int k0 = (top * dot * rcp) >> 27;
        k0 = k0 > kmax ? kmax : k0;
        int wa = top == 15 ? TT_BC7_WEIGHT4(k0) : (top == 7 ? TT_BC7_WEIGHT3(k0) : TT_BC7_WEIGHT2(k0));
        int wb = top == 15 ? TT_BC7_WEIGHT4(k0 + 1) : (top == 7 ? TT_BC7_WEIGHT3(k0 + 1) : TT_BC7_WEIGHT2(k0 + 1));
        int ea = 0, eb = 0;
        for (int k = 0; k < nch; k++) {
            int da = ((base[k] + wa * d[k]) >> 6) - ct[k][j], db = ((base[k] + wb * d[k]) >> 6) - ct[k][j];
            ea += unit ? da * da : da * da * cw[k];
            eb += unit ? db * db : db * db * cw[k];
        }
        int up = eb < ea;
        err[j] = j < n ? (up ? eb : ea) : 0;
        sel[j] = k0 + up;
    }
    int sse = 0;
    for (int j = 0; j < lanes; j++) sse += err[j];
    return sse;
}

/* SSEs of endpoint sets already assessed, by a key of their quantized values and p-bits (< 2^58): open addressing,
 * a key stored plus one (0: free slot), at most MEMO_MAX of them. Only how much work is repeated depends on what
 * it holds: every SSE it gives is the whole one, the value assessing again would give. */
#define MEMO_SLOTS 128
#define MEMO_MAX 96
typedef struct {
    int n;
    uint64_t key[MEMO_SLOTS];
    int sse[MEMO_SLOTS];
} sse_memo;

static inline void memo_clear(sse_memo *m)
{
    m->n = 0;
    memset(m->key, 0, sizeof m->key);
}

static inline unsigned memo_slot(uint64_t key) { return (unsigned)((key * 0x9E3779B97F4A7C15ull) >> 57); }

/* The SSE stored for key, or -1. */
static inline int memo_find(const sse_memo *m, uint64_t key)
{
    for (unsigned s = memo_slot(key);; s = (s + 1) & (MEMO_SLOTS - 1)) {
        if (m->key[s] == key + 1) return m->sse[s];
        if (m->key[s] == 0) return -1;
    }
}

static inline void memo_add(sse_memo *m, uint64_t key, int sse)
{
    if (m->n >= MEMO_MAX) return;
    unsigned s = memo_slot(key);
    while (m->key[s] != 0 && m->key[s] != key + 1) s = (s + 1) & (MEMO_SLOTS - 1);
    if (m->key[s] == 0) m->n++;
    m->key[s] = key + 1;
    m->sse[s] = sse;
}

/* frexpf's exponent of a positive normal float x (x = f 2^e, f in [0.5, 1)) and ldexpf(1, -e), by the bits: the
 * callers scale by exact powers of two, so x * pow2_neg(e) equals ldexpf(x, -e) while nothing underflows. */
static inline int frexp_exp(float x)
{
    union { float f; uint32_t u; } b = {x};
    return (int)((b.u >> 23) & 255u) - 126;
}
static inline float pow2_neg(int e)
{
    union { uint32_t u; float f; } b = {(uint32_t)(127 - e) << 23};
    return b.f;
}

/* Rounds a quotient to a multiple of 1/256. Vulkan allows division 2.5 ulp
 * of error; least-squares endpoints are often exact rationals such as
 * k + 0.5, where a 1-ulp error would flip the later rounding. On the 1/256
 * grid both sides agree unless the quotient lies within a few ulp of a
 * grid midpoint. */
static inline float snap256(float x) { return floorf(x * 256.0f + 0.5f) * 0.00390625f; }

/* Least-squares endpoints (8-bit scale) of the texels in `mask` for indices
 * idx on a ramp of `steps` intervals (weight (64 i + steps/2) / steps, the
 * BC7 tables for 4-, 3- and 2-bit indices), `ch` channels: x[0..ch) the
 * first endpoint, x[ch..2ch) the second. 0 if the system is singular (all
 * those texels on one index). */
static inline int ls_solve(const block_in *in, const int idx[16], int mask, int steps, int ch, float *x)
{
    int a = 0, bb = 0, cc = 0, x0[4] = {0, 0, 0, 0}, x1[4] = {0, 0, 0, 0};
    /* every texel as a lane and all four channels (the compiler vectorises it), texels outside the mask weighted 0:
     * integer sums, exact in any order; the weights are the BC7 tables (TT_BC7_WEIGHT*), computed instead of
     * divided */
    for (int i = 0; i < 16; i++) {
        int in_set = (mask >> i) & 1;
        int w = steps == 3 ? TT_BC7_WEIGHT2(idx[i]) : (steps == 7 ? TT_BC7_WEIGHT3(idx[i]) : TT_BC7_WEIGHT4(idx[i]));
        int iw = (64 - w) * in_set;
        w *= in_set;
        a += iw * iw;
        bb += iw * w;
        cc += w * w;
        for (int k = 0; k < 4; k++) {
            x0[k] += iw * in->ct[k][i];
            x1[k] += w * in->ct[k][i];
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

/* A joint step of one endpoint (polish in bc7_ref_single.c, encode_subset in bc7_ref_multi.c): kind 1 moves every
 * channel's q by s; kind 0 flips the p-bit *p and returns the q step that moves the expanded value 2q + p by one
 * p-bit unit in direction s (p 0 -> 1 with s = 1, or 1 -> 0 with s = -1, keeps q). Returns the q step. */
static inline int joint_dq(int *p, int s, int kind)
{
    if (kind != 0) return s;
    *p ^= 1;
    return (s > 0) == (*p == 1) ? 0 : s;
}

/* Index trials (bc7_ref_multi.c): index v of trial tr (level q + 1) on a ramp 0..top whose used range is [lo, hi]. */
int tt_bc7_trial_index(int v, int tr, int q, int top, int lo, int hi);

/* One block (bc7_ref_block.c): tt_bc7_encode_block_ref's search. */
void tt_bc7_ref_encode_block(const uint8_t texels[16][4], const tt_bc7_config *p, tt_bc7_block *out);
/* bc7_ref_avx2.c compiles bc7_ref_block.c and the family files a second time for AVX2 CPUs, every entry point of
 * this header then named with _avx2 (x86-64 GCC or Clang, unless TT_BC7_NO_SIMD). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(TT_BC7_NO_SIMD)
#define TT_BC7_REF_AVX2 1
void tt_bc7_ref_encode_block_avx2(const uint8_t texels[16][4], const tt_bc7_config *p, tt_bc7_block *out);
#else
#define TT_BC7_REF_AVX2 0
#endif

/* Families. Each returns its block's SSE and the fields to pack (tt_bc7_pack_fields).
 * Mode 6 (bc7_ref_single.c); lite = a multi-subset candidate follows (one +-1 pass, no principal-axis start). */
int tt_bc7_ref_encode_single(const block_in *in, const tt_bc7_config *p, int lite, tt_bc7_fields *out);
/* A multi-subset mode (bc7_ref_multi.c): 0-3 for opaque blocks (their alpha decodes as 255), 7 for any block; the
 * best partition (p->partitions candidates fully encoded), weighted SSE (alpha included for mode 7). Returns
 * TT_BC7_NO_CANDIDATE (out untouched) where the mode cannot encode the block. */
int tt_bc7_ref_encode_multi(const block_in *in, int mode, const tt_bc7_config *p, tt_bc7_fields *out);
/* The q-free terms of one subset's partition estimate (subset_axis in bc7_ref_multi.c); flat: the estimate 0 / 1. */
typedef struct {
    float trace, vv, wv, n;
    int flat;
} tt_bc7_axis_terms;
/* One block's partition-estimate terms of modes 0-3, shared by its modes (bit `part` of have[0] / have[1]: the
 * two- / three-subset partition's terms are filled). have[] starts at 0 for each block. */
typedef struct {
    uint64_t have[2];
    tt_bc7_axis_terms terms[2][64][3];
} tt_bc7_multi_cache;
/* The same, for a caller that keeps a result only below `bound` (the block's best so far): partitions that cannot
 * get below it are cut short; returns a value >= bound (out untouched) if the mode has none below it. cache: NULL
 * or the block's (see tt_bc7_multi_cache). */
int tt_bc7_ref_encode_multi_below(const block_in *in, int mode, const tt_bc7_config *p, int bound,
                                  tt_bc7_multi_cache *cache, tt_bc7_fields *out);
/* The final polish of a block's choice f (weighted SSE sse; tt_bc7_config.final_trials): from f's endpoints, the
 * indices chosen again, index trials at `level`, then one +-1 pass (per subset for a multi-subset mode); f is
 * replaced where the result is lower. Returns the SSE of f. Multi-subset modes (bc7_ref_multi.c), and mode 6
 * (bc7_ref_single.c; `in` as mode 6 saw it; a half candidate is left as it is). */
int tt_bc7_ref_finish_multi(const block_in *in, int level, tt_bc7_fields *f, int sse);
int tt_bc7_ref_finish_single(const block_in *in, int level, tt_bc7_fields *f, int sse);
/* A rotation mode, 4 or 5 (bc7_ref_dual.c), any block: colour and alpha with separate indices, every rotation
 * (and for mode 4 both index selections) tried; weighted RGBA SSE, or TT_BC7_NO_CANDIDATE. Opaque blocks decode
 * alpha 255 exactly. */
int tt_bc7_ref_encode_dual(const block_in *in, int mode, const tt_bc7_config *p, tt_bc7_fields *out);
/* A single-colour block (bc7_ref_solid.c): its optimal encoding among the modes of `modes` (plus mode 6) by
 * table lookup; returns its SSE, or -1 (out untouched) if the block has more than one colour. */
int tt_bc7_ref_encode_solid(const block_in *in, unsigned modes, tt_bc7_fields *out);

#endif
