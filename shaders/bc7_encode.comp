// bc7_encode.comp - BC7 encoder (mode 6, plus mode 1/3 for opaque blocks), one invocation per 4x4 block; mirrors src/bc7/bc7_encode_ref.c op for op.
#version 450
#extension GL_EXT_control_flow_attributes : require
#extension GL_GOOGLE_include_directive : require

#include "bc7_tables.h"
#include "bc7_abi.h" // push constants: pc

// Keep in step with bc7_encode_ref.c: same float operations in the same
// order, all `precise` (no FMA contraction), constants given by their exact
// float bits, integer decisions after quantization. See docs/bc7.md.
//
// Speed (docs/bc7.md, "GPU encoder"): everything a thread touches stays in
// registers. The 16 texels are 16 packed uints, every loop over texels is
// unrolled ([[unroll]]) so they are only indexed by constants; the simplex
// is read and written through unrolled select loops; Nelder-Mead runs as a
// state machine with ONE loss evaluation per loop trip (threads of a warp in
// different NM phases still evaluate together), and the three polish starts
// share one inlined polish. Loops that are not texel loops are
// [[dont_unroll]] to keep the code (and lavapipe's compile time) small.

layout(local_size_x = TT_BC7_LOCAL_SIZE, local_size_y = 1, local_size_z = 1) in;

layout(std430, set = 0, binding = 0) readonly buffer Src { uint src_px[]; };  // RGBA8, one uint per pixel
layout(std430, set = 0, binding = 1) writeonly buffer Dst { uvec4 dst_blocks[]; };


#ifndef REFIT_ITERATIONS
#define REFIT_ITERATIONS 2
#endif
#ifndef LITE_POLISH
#define LITE_POLISH 1  // as in C: lighter mode-6 polish where a two-subset candidate follows
#endif
#ifndef PA_START
#define PA_START 1
#endif
#ifndef JITTER_PASSES
#define JITTER_PASSES 1
#endif
#ifndef OPAQUE_RGB
#define OPAQUE_RGB 0  // 1: RGB-only index loop for opaque blocks; faster NM, slower polish on the H200 (docs/bc7.md)
#endif
#ifndef TWO_KEEP
#define TWO_KEEP 4
#endif
#ifndef TWO_JITTER
#define TWO_JITTER 1
#endif

#define INV255 uintBitsToFloat(0x3B808081u)  // 1.0f / 255.0f
#define NM_ALPHA uintBitsToFloat(0x3FA66666u) // 1.3f
#define NM_GAMMA uintBitsToFloat(0x400CCCCDu) // 2.2f
#define NM_RHO uintBitsToFloat(0x3F0CCCCDu)   // 0.55f
#define NM_SIGMA uintBitsToFloat(0x3EE66666u) // 0.45f
#define NM_STEP uintBitsToFloat(0x3DCCCCCDu)  // 0.1f
#define STRETCH uintBitsToFloat(0x40088889u)  // 64.0f / 30.0f

uint tp[16];   // texels, R | G << 8 | B << 16 | A << 24
bool opaque;

ivec4 texel(int i)
{
    uint p = tp[i];
    return ivec4(p & 255u, (p >> 8) & 255u, (p >> 16) & 255u, p >> 24);
}

// A quantized mode-6 candidate. q: 7-bit endpoints (e0 rgba, e1 rgba);
// indices packed 4 bits per texel (lo: texels 0..7, hi: 8..15).
struct Cand {
    ivec4 q0, q1;
    int p0, p1;
    uint idx_lo, idx_hi;
    int sse;
    int half_range;
};

int get_idx(uint lo, uint hi, int i) { return int(((i < 8 ? lo : hi) >> (4 * (i & 7))) & 15u); }

int quant7(float x, int p)
{
    precise float v = floor((x - float(p)) * 0.5 + 0.5);
    return int(min(max(v, 0.0), 127.0));
}

// One endpoint in 8-bit scale -> 7-bit values with p-bit p; returns float error.
float quant_endpoint(vec4 x, int p, bool opq, out ivec4 q)
{
    precise float err = 0.0;
    q.x = quant7(x.x, p);
    precise float d = float(2 * q.x + p) - x.x;
    err = err + d * d;
    q.y = quant7(x.y, p);
    d = float(2 * q.y + p) - x.y;
    err = err + d * d;
    q.z = quant7(x.z, p);
    d = float(2 * q.z + p) - x.z;
    err = err + d * d;
    if (opq) {
        q.w = 127;
    } else {
        q.w = quant7(x.w, p);
        d = float(2 * q.w + p) - x.w;
        err = err + d * d;
    }
    return err;
}

int idot(ivec3 a, ivec3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
int idot(ivec4 a, ivec4 b) { return a.x * b.x + a.y * b.y + a.z * b.z + a.w * b.w; }

// One texel's index choice (integer: any evaluation order gives C's result).
// (64k + 7) / 15 == (17k + 2) >> 2 for k = 0..15, and
// ((64 - w) e0 + w e1 + 32) >> 6 == e0 + ((w d + 32) >> 6) exactly (64 e0 is
// a multiple of 64, >> is arithmetic), so decoded - t = ((w d + 32) >> 6) - dt.
// 15 * dot * rcp == dot * (15 * rcp) (no overflow: dot <= len2).
#define ASSIGN_LOOP(SW)                                                         \
    [[unroll]] for (int i = 0; i < 16; i++) {                                   \
        uint p_ = tp[i];                                                        \
        ivec4 t = ivec4(p_ & 255u, (p_ >> 8) & 255u, (p_ >> 16) & 255u, p_ >> 24); \
        int dot_ = idot(t.SW - e0.SW, d.SW);                                    \
        dot_ = clamp(dot_, 0, len2);                                            \
        int k0 = min((dot_ * rcp15) >> 27, kmax);                               \
        int wa = (17 * k0 + 2) >> 2, wb = (17 * k0 + 19) >> 2;                   \
        int ea = 0, eb = 0;                                                     \
        {                                                                       \
            ivec4 dt = t - e0;                                                  \
            ivec4 da = ((wa * d + 32) >> 6) - dt, db = ((wb * d + 32) >> 6) - dt; \
            ea = idot(da.SW, da.SW);                                            \
            eb = idot(db.SW, db.SW);                                            \
        }                                                                       \
        bool up = eb < ea;                                                      \
        sse += up ? eb : ea;                                                    \
        uint k = uint(k0 + (up ? 1 : 0));                                       \
        if (i < 8) lo |= k << (4 * i);                                          \
        else hi |= k << (4 * (i - 8));                                          \
    }

void assign_indices(inout Cand c)
{
    ivec4 e0 = (c.q0 << 1) | c.p0, e1 = (c.q1 << 1) | c.p1;
    ivec4 d = e1 - e0;
    int len2 = idot(d, d);
    int rcp15 = len2 > 0 ? 15 * (((1 << 27) + len2 - 1) / len2) : 0;
    int kmax = c.half_range != 0 ? 6 : 14;
    int sse = 0;
    uint lo = 0u, hi = 0u;
    if (OPAQUE_RGB != 0 && opaque && d.w == 0) {
        // opaque: t.w == 255 == e0.w (p0 is 1), so the alpha terms are 0
        ASSIGN_LOOP(xyz)
    } else {
        ASSIGN_LOOP(xyzw)
    }
    c.idx_lo = lo;
    c.idx_hi = hi;
    c.sse = sse;
}

Cand quantize_nearest(vec4 x0, vec4 x1)
{
    Cand c;
    c.half_range = 0;
    if (opaque) {
        c.p0 = 1;
        c.p1 = 1;
        quant_endpoint(x0, 1, true, c.q0);
        quant_endpoint(x1, 1, true, c.q1);
    } else {
        ivec4 qa, qb;
        precise float err0 = quant_endpoint(x0, 0, false, qa);
        precise float err1 = quant_endpoint(x0, 1, false, qb);
        c.p0 = err1 < err0 ? 1 : 0;
        c.q0 = c.p0 != 0 ? qb : qa;
        err0 = quant_endpoint(x1, 0, false, qa);
        err1 = quant_endpoint(x1, 1, false, qb);
        c.p1 = err1 < err0 ? 1 : 0;
        c.q1 = c.p1 != 0 ? qb : qa;
    }
    assign_indices(c);
    return c;
}

Cand quantize_pbit_search(vec4 x0, vec4 x1, int half_range)
{
    Cand best;
    best.sse = 0x7FFFFFFF;
    int first = half_range != 0 ? 1 : (opaque ? 3 : 0), last = half_range != 0 ? 1 : 3;
    [[dont_unroll]] for (int combo = first; combo <= last; combo++) {
        Cand c;
        c.half_range = half_range;
        c.p0 = combo & 1;
        c.p1 = combo >> 1;
        quant_endpoint(x0, c.p0, opaque, c.q0);
        quant_endpoint(x1, c.p1, opaque, c.q1);
        assign_indices(c);
        if (c.sse < best.sse) best = c;
    }
    return best;
}

int nm_loss(vec4 v0, vec4 v1)
{
    precise vec4 x0 = v0 * 255.0, x1 = v1 * 255.0;
    return quantize_nearest(x0, x1).sse;
}

// SPEC.md section 1 step 2 (see pca_guess in bc7_encode_ref.c).
void pca_guess(out vec4 v0, out vec4 v1)
{
    precise vec4 t[16];
    precise vec4 m = vec4(0.0);
    precise float amin = 1.0, amax = 0.0;
    [[unroll]] for (int i = 0; i < 16; i++) {
        ivec4 ti = texel(i);
        precise float a = float(ti.w) * INV255;
        t[i].x = (float(ti.x) * INV255) * a;
        t[i].y = (float(ti.y) * INV255) * a;
        t[i].z = (float(ti.z) * INV255) * a;
        t[i].w = a;
        amin = min(amin, a);
        amax = max(amax, a);
        m = m + t[i];
    }
    m = m * 0.0625;
    precise vec4 s[3];
    [[unroll]] for (int a = 0; a < 3; a++) {
        s[a] = vec4(0.0);
        [[unroll]] for (int i = 0; i < 16; i++)
            if (t[i][a] - m[a] > 0.0) s[a] = s[a] + (t[i] - m);
    }
    int pick = 0;
    precise float best_len = -1.0;
    [[unroll]] for (int a = 0; a < 3; a++) {
        precise float l2 = s[a].x * s[a].x + s[a].y * s[a].y + s[a].z * s[a].z + s[a].w * s[a].w;
        if (l2 > best_len) {
            best_len = l2;
            pick = a;
        }
    }
    precise vec4 d = pick == 0 ? s[0] : (pick == 1 ? s[1] : s[2]);
    if (d.x + d.y + d.z + d.w < 0.0) d = -d;
    precise float l2 = d.x * d.x + d.y * d.y + d.z * d.z + d.w * d.w;
    precise float lo = 0.0, hi = 0.0;
    [[unroll]] for (int i = 0; i < 16; i++) {
        precise vec4 tm = t[i] - m;
        precise float pr = tm.x * d.x + tm.y * d.y + tm.z * d.z + tm.w * d.w;
        if (i == 0) {
            lo = pr;
            hi = pr;
        } else {
            lo = min(lo, pr);
            hi = max(hi, pr);
        }
    }
    precise float slo = 0.0, shi = 0.0;
    if (l2 > 0.0 && hi > lo) {
        slo = lo / l2;
        shi = hi / l2;
    }
    precise vec3 a3 = d.xyz * slo, b3 = d.xyz * shi;
    v0 = vec4(clamp(m.xyz + min(a3, b3), 0.0, 1.0), amin);
    v1 = vec4(clamp(m.xyz + max(a3, b3), 0.0, 1.0), amax);
}

// Principal axis of the RGBA covariance (see principal_axis_guess in C).
void principal_axis_guess(out vec4 x0, out vec4 x1)
{
    precise vec4 m = vec4(0.0);
    [[unroll]] for (int i = 0; i < 16; i++) m = m + vec4(texel(i));
    m = m * 0.0625;
    precise vec4 cv0 = vec4(0.0), cv1 = vec4(0.0), cv2 = vec4(0.0), cv3 = vec4(0.0);
    [[unroll]] for (int i = 0; i < 16; i++) {
        precise vec4 d = vec4(texel(i)) - m;
        cv0 = cv0 + d * d.x;
        cv1 = cv1 + d * d.y;
        cv2 = cv2 + d * d.z;
        cv3 = cv3 + d * d.w;
    }
    precise vec4 v = vec4(1.0);
    [[dont_unroll]] for (int it = 0; it < 8; it++) {
        precise vec4 u;
        u.x = cv0.x * v.x + cv0.y * v.y + cv0.z * v.z + cv0.w * v.w;
        u.y = cv1.x * v.x + cv1.y * v.y + cv1.z * v.z + cv1.w * v.w;
        u.z = cv2.x * v.x + cv2.y * v.y + cv2.z * v.z + cv2.w * v.w;
        u.w = cv3.x * v.x + cv3.y * v.y + cv3.z * v.z + cv3.w * v.w;
        precise float mx = max(max(abs(u.x), abs(u.y)), max(abs(u.z), abs(u.w)));
        if (mx == 0.0) break;
        int e;
        frexp(mx, e);
        v = ldexp(u, ivec4(-e));
    }
    precise float l2 = v.x * v.x + v.y * v.y + v.z * v.z + v.w * v.w;
    precise float lo = 0.0, hi = 0.0;
    [[unroll]] for (int i = 0; i < 16; i++) {
        precise vec4 tm = vec4(texel(i)) - m;
        precise float pr = tm.x * v.x + tm.y * v.y + tm.z * v.z + tm.w * v.w;
        if (i == 0) {
            lo = pr;
            hi = pr;
        } else {
            lo = min(lo, pr);
            hi = max(hi, pr);
        }
    }
    precise float slo = 0.0, shi = 0.0;
    if (l2 > 0.0 && hi > lo) {
        slo = lo / l2;
        shi = hi / l2;
    }
    precise vec4 r0 = m + v * slo, r1 = m + v * shi;
    x0 = r0;
    x1 = r1;
}

// Nelder-Mead over (e0.rgba, e1.rgba) as a state machine: each loop trip
// picks the point its phase needs, scores it (the only nm_loss call), then
// updates the simplex. Same operations and order as nelder_mead() in C.
#define PH_INIT 0
#define PH_REFLECT 1
#define PH_EXPAND 2
#define PH_CONTRACT 3
#define PH_SHRINK 4

void nelder_mead(inout vec4 v0, inout vec4 v1, int loss0, int iterations)
{
    precise vec4 s0[9], s1[9];
    int l[9];
    [[unroll]] for (int j = 0; j < 9; j++) {
        s0[j] = v0;
        s1[j] = v1;
        l[j] = loss0;
    }
    precise vec4 bump0 = clamp(v0 + NM_STEP, 0.0, 1.0), bump1 = clamp(v1 + NM_STEP, 0.0, 1.0);
    int phase = PH_INIT, j = 1, it = 0, b = 0, w = 0, lr = 0, lb = 0, lw = 0, lsw = 0;
    precise vec4 c0 = vec4(0.0), c1 = vec4(0.0), r0 = vec4(0.0), r1 = vec4(0.0);
    precise vec4 w0 = vec4(0.0), w1 = vec4(0.0), b0 = vec4(0.0), b1 = vec4(0.0);
    [[dont_unroll]] while (true) {
        precise vec4 p0, p1;
        if (phase == PH_INIT) {
            p0 = v0;
            p1 = v1;
            if (j == 1) p0.x = bump0.x;
            if (j == 2) p0.y = bump0.y;
            if (j == 3) p0.z = bump0.z;
            if (j == 4) p0.w = bump0.w;
            if (j == 5) p1.x = bump1.x;
            if (j == 6) p1.y = bump1.y;
            if (j == 7) p1.z = bump1.z;
            if (j == 8) p1.w = bump1.w;
        } else if (phase == PH_REFLECT) {
            if (it >= iterations) break;
            b = 0;
            w = 0;
            [[unroll]] for (int k = 1; k < 9; k++) {
                if (l[k] < l[b]) b = k;
                if (l[k] >= l[w]) w = k;
            }
            lb = 0x7FFFFFFF;
            lw = -1;
            [[unroll]] for (int k = 0; k < 9; k++) {
                if (k == b) lb = l[k];
                if (k == w) lw = l[k];
            }
            if (lw == lb) break; // flat simplex
            // second worst: last maximum among the others (as C)
            lsw = w == 0 ? l[1] : l[0];
            [[unroll]] for (int k = 0; k < 9; k++)
                if (k != w && l[k] >= lsw) lsw = l[k];
            precise vec4 acc0 = vec4(0.0), acc1 = vec4(0.0);
            [[unroll]] for (int k = 0; k < 9; k++) {
                if (k != w) {
                    acc0 = acc0 + s0[k];
                    acc1 = acc1 + s1[k];
                } else {
                    w0 = s0[k];
                    w1 = s1[k];
                }
                if (k == b) {
                    b0 = s0[k];
                    b1 = s1[k];
                }
            }
            c0 = acc0 * 0.125;
            c1 = acc1 * 0.125;
            r0 = clamp(c0 + NM_ALPHA * (c0 - w0), 0.0, 1.0);
            r1 = clamp(c1 + NM_ALPHA * (c1 - w1), 0.0, 1.0);
            p0 = r0;
            p1 = r1;
        } else if (phase == PH_EXPAND) {
            p0 = clamp(c0 + NM_GAMMA * (r0 - c0), 0.0, 1.0);
            p1 = clamp(c1 + NM_GAMMA * (r1 - c1), 0.0, 1.0);
        } else if (phase == PH_CONTRACT) {
            p0 = clamp(c0 + NM_RHO * (w0 - c0), 0.0, 1.0);
            p1 = clamp(c1 + NM_RHO * (w1 - c1), 0.0, 1.0);
        } else { // PH_SHRINK, vertex j != b
            precise vec4 sj0 = vec4(0.0), sj1 = vec4(0.0);
            [[unroll]] for (int k = 0; k < 9; k++)
                if (k == j) {
                    sj0 = s0[k];
                    sj1 = s1[k];
                }
            p0 = clamp(b0 + NM_SIGMA * (sj0 - b0), 0.0, 1.0);
            p1 = clamp(b1 + NM_SIGMA * (sj1 - b1), 0.0, 1.0);
        }

        int lp = nm_loss(p0, p1);

        // where the point goes: vertex `dst` (-1: nowhere), next phase
        int dst = -1;
        if (phase == PH_INIT) {
            dst = j;
            j++;
            if (j == 9) phase = PH_REFLECT;
        } else if (phase == PH_REFLECT) {
            lr = lp;
            if (lr < lb) {
                phase = PH_EXPAND;
            } else if (lr < lsw) {
                dst = w;
                it++;
            } else {
                phase = PH_CONTRACT;
            }
        } else if (phase == PH_EXPAND) {
            dst = w;
            if (!(lp < lr)) {
                p0 = r0;
                p1 = r1;
                lp = lr;
            }
            it++;
            phase = PH_REFLECT;
        } else if (phase == PH_CONTRACT) {
            if (lp < lw) {
                dst = w;
                it++;
                phase = PH_REFLECT;
            } else {
                phase = PH_SHRINK;
                j = b == 0 ? 1 : 0;
            }
        } else {
            dst = j;
            j++;
            if (j == b) j++;
            if (j >= 9) {
                it++;
                phase = PH_REFLECT;
            }
        }
        [[unroll]] for (int k = 0; k < 9; k++)
            if (k == dst) {
                s0[k] = p0;
                s1[k] = p1;
                l[k] = lp;
            }
    }
    int bb = 0;
    [[unroll]] for (int k = 1; k < 9; k++)
        if (l[k] < l[bb]) bb = k;
    [[unroll]] for (int k = 0; k < 9; k++)
        if (k == bb) {
            v0 = s0[k];
            v1 = s1[k];
        }
}

// snap256 in C: quotients rounded to a multiple of 1/256.
vec4 snap256(vec4 x)
{
    precise vec4 r = floor(x * 256.0 + 0.5) * 0.00390625;
    return r;
}

// ls_solve in C from the integer sums a, bb, cc, s0, s1 (same float operations); channels past the caller's are 0.
bool ls_solve(int a, int bb, int cc, ivec4 s0, ivec4 s1, out vec4 x0, out vec4 x1)
{
    int det = a * cc - bb * bb;
    x0 = vec4(0.0);
    x1 = vec4(0.0);
    if (det <= 0) return false;
    precise float fa = float(a), fb = float(bb), fc = float(cc), fdet = float(det);
    precise vec4 n0 = fc * vec4(s0) - fb * vec4(s1);
    precise vec4 n1 = fa * vec4(s1) - fb * vec4(s0);
    precise vec4 q0 = (n0 * 64.0) / fdet, q1 = (n1 * 64.0) / fdet;
    x0 = snap256(q0);
    x1 = snap256(q1);
    return true;
}

bool ls_endpoints(Cand c, out vec4 x0, out vec4 x1)
{
    int a = 0, bb = 0, cc = 0;
    ivec4 s0 = ivec4(0), s1 = ivec4(0);
    [[unroll]] for (int i = 0; i < 16; i++) {
        int w = (17 * get_idx(c.idx_lo, c.idx_hi, i) + 2) >> 2, iw = 64 - w; // (64k + 7) / 15
        ivec4 t = texel(i);
        a += iw * iw;
        bb += iw * w;
        cc += w * w;
        s0 += iw * t;
        s1 += w * t;
    }
    return ls_solve(a, bb, cc, s0, s1, x0, x1);
}

int ivec4_at(ivec4 v, int k) { return k == 0 ? v.x : (k == 1 ? v.y : (k == 2 ? v.z : v.w)); }
ivec4 ivec4_set(ivec4 v, int k, int x)
{
    return ivec4(k == 0 ? x : v.x, k == 1 ? x : v.y, k == 2 ? x : v.z, k == 3 ? x : v.w);
}

Cand polish(vec4 x0, vec4 x1, int half_range, int passes)
{
    // round 0: the start; rounds 1..REFIT_ITERATIONS: least-squares refit
    // while it lowers the SSE (polish() in C).
    Cand best;
    best.sse = 0x7FFFFFFF;
    [[dont_unroll]] for (int round = 0; round <= REFIT_ITERATIONS; round++) {
        if (round > 0) {
            if (best.sse == 0) break;
            if (!ls_endpoints(best, x0, x1)) break;
        }
        Cand c = quantize_pbit_search(x0, x1, half_range);
        if (round > 0 && c.sse >= best.sse) break;
        best = c;
    }
    int nc = opaque ? 3 : 4;
    [[dont_unroll]] for (int pass = 0; pass < passes && best.sse > 0; pass++) {
        bool improved = false;
        // (endpoint j, channel k, step s) in C's nesting order
        [[dont_unroll]] for (int m = 0; m < 4 * nc; m++) {
            int j = m / (2 * nc), k = (m >> 1) % nc, s = (m & 1) != 0 ? 1 : -1;
            int q = ivec4_at(j == 0 ? best.q0 : best.q1, k) + s;
            if (q < 0 || q > 127) continue;
            Cand c = best;
            if (j == 0) c.q0 = ivec4_set(c.q0, k, q);
            else c.q1 = ivec4_set(c.q1, k, q);
            assign_indices(c);
            if (c.sse < best.sse) {
                best = c;
                improved = true;
            }
        }
        if (!improved) break;
    }
    return best;
}

void put_bits(inout uvec4 b, uint pos, uint n, uint v)
{
    uint word = pos >> 5u, sh = pos & 31u;
    uint lo = v << sh, hi = sh + n > 32u ? v >> (32u - sh) : 0u;
    // constant-index writes only (no dynamic vector indexing)
    b.x |= word == 0u ? lo : 0u;
    b.y |= word == 1u ? lo : (word == 0u ? hi : 0u);
    b.z |= word == 2u ? lo : (word == 1u ? hi : 0u);
    b.w |= word == 3u ? lo : (word == 2u ? hi : 0u);
}

uvec4 pack_mode6(Cand c)
{
    bool swap = get_idx(c.idx_lo, c.idx_hi, 0) >= 8;
    ivec4 e0 = swap ? c.q1 : c.q0, e1 = swap ? c.q0 : c.q1;
    uvec4 b = uvec4(0u);
    put_bits(b, 0u, 7u, 0x40u);
    [[unroll]] for (uint k = 0u; k < 4u; k++) {
        put_bits(b, 7u + 14u * k, 7u, uint(e0[k]));
        put_bits(b, 14u + 14u * k, 7u, uint(e1[k]));
    }
    put_bits(b, 63u, 1u, uint(swap ? c.p1 : c.p0));
    put_bits(b, 64u, 1u, uint(swap ? c.p0 : c.p1));
    // indices: texel 0 -> bits 65..67, texel i > 0 -> 64 + 4i (bits 68..127)
    uint lo = swap ? ~c.idx_lo : c.idx_lo, hi = swap ? ~c.idx_hi : c.idx_hi; // 15 - idx per nibble
    b.z |= (lo & 7u) << 1u;                   // texel 0 (3 bits) at 65
    b.z |= (lo >> 4u) << 4u;                  // texels 1..7 at 68..95
    b.w = hi;                                 // texels 8..15 at 96..127
    return b;
}

// ---- Two-subset opaque candidate: mode 1 or 3 (two_subset code in C) ----

// Partition masks (bits 0..15 = texels of subset 1) and anchors (bits 16..19: the
// anchor texel of subset 1) from bc7_tables.h. Dynamic indexing into a `const` array
// makes many compilers copy the whole array into per-thread local memory, so the
// shader keeps them in shared memory (filled once per workgroup in main).
shared uint s_part[64];
uint part_mask(int pt) { return s_part[pt] & 0xFFFFu; }
uint part_anchor(int pt) { return s_part[pt] >> 16; }

// One subset's state: endpoints (6- or 7-bit), p-bits, indices of its texels
// (4 bits per texel, other texels 0), SSE.
struct Sub {
    ivec3 q0, q1;
    int p0, p1;
    uint idx_lo, idx_hi;
    int sse;
};

// Sums of a subset: n, s = sum(t), ss = (rr, gg, bb), sx = (rg, rb, gb).
struct Stats {
    int n;
    ivec3 s, ss, sx;
};

// Line-fit residual estimate as a fraction num/den, and direction
// (subset_axis in C: no division).
vec3 subset_axis(Stats st, out float num, out float den)
{
    num = 0.0;
    den = 1.0;
    if (st.n < 2) return vec3(0.0);
    int n = st.n;
    int c0 = n * st.ss.x - st.s.x * st.s.x;
    int c1 = n * st.ss.y - st.s.y * st.s.y;
    int c2 = n * st.ss.z - st.s.z * st.s.z;
    int c3 = n * st.sx.x - st.s.x * st.s.y;
    int c4 = n * st.sx.y - st.s.x * st.s.z;
    int c5 = n * st.sx.z - st.s.y * st.s.z;
    int k = 0;
    int ck = c0;
    if (c1 > ck) { k = 1; ck = c1; }
    if (c2 > ck) { k = 2; ck = c2; }
    if (ck == 0) return vec3(0.0);
    precise float trace = float(c0 + c1 + c2);
    precise float m00 = float(c0), m11 = float(c1), m22 = float(c2), m01 = float(c3), m02 = float(c4), m12 = float(c5);
    precise float v0 = k == 0 ? m00 : (k == 1 ? m01 : m02);
    precise float v1 = k == 0 ? m01 : (k == 1 ? m11 : m12);
    precise float v2 = k == 0 ? m02 : (k == 1 ? m12 : m22);
    int e;
    frexp(max(max(abs(v0), abs(v1)), abs(v2)), e);
    v0 = ldexp(v0, -e);
    v1 = ldexp(v1, -e);
    v2 = ldexp(v2, -e);
    precise float w0 = m00 * v0 + m01 * v1 + m02 * v2;
    precise float w1 = m01 * v0 + m11 * v1 + m12 * v2;
    precise float w2 = m02 * v0 + m12 * v1 + m22 * v2;
    precise float vv = v0 * v0 + v1 * v1 + v2 * v2;
    precise float wv = w0 * v0 + w1 * v1 + w2 * v2;
    precise float nm = trace * vv - wv;
    precise float dn = vv * float(n);
    num = nm;
    den = dn;
    return vec3(w0, w1, w2);
}

Stats subset_stats(uint mask)
{
    Stats st;
    st.n = 0;
    st.s = ivec3(0);
    st.ss = ivec3(0);
    st.sx = ivec3(0);
    [[unroll]] for (int i = 0; i < 16; i++) {
        if (((mask >> i) & 1u) != 0u) {
            ivec3 t = texel(i).xyz;
            st.n++;
            st.s += t;
            st.ss += t * t;
            st.sx += t.xxy * t.yzz;
        }
    }
    return st;
}

ivec3 expand2(int mode, ivec3 q, int p)
{
    ivec3 v = (q << 1) | p;
    return mode == 3 ? v : ((v << 1) | (v >> 6));
}

ivec3 quant2(int mode, vec3 x, int p)
{
    if (mode == 3) return ivec3(quant7(x.x, p), quant7(x.y, p), quant7(x.z, p));
    precise vec3 v = floor((x - float(2 * p)) * 0.25 + 0.5);
    return ivec3(min(max(v, vec3(0.0)), vec3(63.0)));
}

// Both subsets of one partition are encoded in lockstep: every texel pass
// serves the two subsets at once (each texel uses its own subset's
// endpoints), so a partition costs one pass where encode_subset() in C runs
// two. Each subset keeps its own state and makes exactly C's decisions
// (refit rounds, p-bit choice, +-1 steps, stops); a subset that C would have
// stopped simply takes no further changes while the other one goes on.
void assign_pair(int mode, uint m1, inout Sub a, inout Sub b)
{
    int nl = mode == 3 ? 4 : 8;
    ivec3 ea0 = expand2(mode, a.q0, a.p0), ea1 = expand2(mode, a.q1, a.p1);
    ivec3 eb0 = expand2(mode, b.q0, b.p0), eb1 = expand2(mode, b.q1, b.p1);
    ivec3 da = ea1 - ea0, db = eb1 - eb0;
    int la = da.x * da.x + da.y * da.y + da.z * da.z;
    int lb = db.x * db.x + db.y * db.y + db.z * db.z;
    // (nl - 1) * rcp: same product as C's (nl - 1) * dot * rcp
    int ra = la > 0 ? (nl - 1) * (((1 << 27) + la - 1) / la) : 0;
    int rb = lb > 0 ? (nl - 1) * (((1 << 27) + lb - 1) / lb) : 0;
    int ssea = 0, sseb = 0;
    uint alo = 0u, ahi = 0u, blo = 0u, bhi = 0u;
    [[unroll]] for (int i = 0; i < 16; i++) {
        bool s1 = ((m1 >> i) & 1u) != 0u;
        ivec3 e0 = s1 ? eb0 : ea0, e1 = s1 ? eb1 : ea1, d = s1 ? db : da;
        int len2 = s1 ? lb : la, rcp = s1 ? rb : ra;
        ivec3 t = texel(i).xyz;
        ivec3 dt = t - e0;
        int dot_ = dt.x * d.x + dt.y * d.y + dt.z * d.z;
        dot_ = clamp(dot_, 0, len2);
        int k0 = min((dot_ * rcp) >> 27, nl - 2);
        // (64k + 3) / 7 == 37k >> 2 (k < 8), (64k + 1) / 3 == 43k >> 1 (k < 4)
        int wa = mode == 3 ? (43 * k0) >> 1 : (37 * k0) >> 2;
        int wb = mode == 3 ? (43 * k0 + 43) >> 1 : (37 * k0 + 37) >> 2;
        // decoded - t as in assign_indices (e0 + ((w d + 32) >> 6) - t)
        ivec3 xa = ((wa * d + 32) >> 6) - dt, xb = ((wb * d + 32) >> 6) - dt;
        int ea = xa.x * xa.x + xa.y * xa.y + xa.z * xa.z;
        int eb = xb.x * xb.x + xb.y * xb.y + xb.z * xb.z;
        bool up = eb < ea;
        int e = up ? eb : ea;
        ssea += s1 ? 0 : e;
        sseb += s1 ? e : 0;
        uint k = uint(k0 + (up ? 1 : 0)) << (4 * (i & 7));
        if (i < 8) {
            alo |= s1 ? 0u : k;
            blo |= s1 ? k : 0u;
        } else {
            ahi |= s1 ? 0u : k;
            bhi |= s1 ? k : 0u;
        }
    }
    a.idx_lo = alo;
    a.idx_hi = ahi;
    a.sse = ssea;
    b.idx_lo = blo;
    b.idx_hi = bhi;
    b.sse = sseb;
}

// quant2_search in C for both subsets (only `live` subsets take a result).
void quant2_search_pair(int mode, uint m1, vec3 xa0, vec3 xa1, vec3 xb0, vec3 xb1, inout Sub a, inout Sub b)
{
    a.sse = 0x7FFFFFFF;
    b.sse = 0x7FFFFFFF;
    int ncombo = mode == 3 ? 4 : 2;
    [[dont_unroll]] for (int combo = 0; combo < ncombo; combo++) {
        Sub ta, tb;
        ta.p0 = combo & 1;
        ta.p1 = mode == 3 ? combo >> 1 : combo & 1;
        tb.p0 = ta.p0;
        tb.p1 = ta.p1;
        ta.q0 = quant2(mode, xa0, ta.p0);
        ta.q1 = quant2(mode, xa1, ta.p1);
        tb.q0 = quant2(mode, xb0, tb.p0);
        tb.q1 = quant2(mode, xb1, tb.p1);
        assign_pair(mode, m1, ta, tb);
        if (ta.sse < a.sse) a = ta;
        if (tb.sse < b.sse) b = tb;
    }
}

// The RGB subsets' least squares: ls_solve with the alpha sums at 0.
bool ls2_solve(int a, int bb, int cc, ivec3 s0, ivec3 s1, out vec3 x0, out vec3 x1)
{
    vec4 y0, y1;
    bool ok = ls_solve(a, bb, cc, ivec4(s0, 0), ivec4(s1, 0), y0, y1);
    x0 = y0.xyz;
    x1 = y1.xyz;
    return ok;
}

// Least-squares endpoints of both subsets from one texel pass: sums of
// subset 1 and of the whole block; subset 0 = whole - subset 1 (exact).
void ls_pair(int mode, uint m1, Sub a, Sub b, out bool oka, out vec3 xa0, out vec3 xa1, out bool okb,
             out vec3 xb0, out vec3 xb1)
{
    uint lo = a.idx_lo | b.idx_lo, hi = a.idx_hi | b.idx_hi;
    int ta = 0, tbb = 0, tcc = 0, ba = 0, bbb = 0, bcc = 0;
    ivec3 ts0 = ivec3(0), ts1 = ivec3(0), bs0 = ivec3(0), bs1 = ivec3(0);
    [[unroll]] for (int i = 0; i < 16; i++) {
        bool s1 = ((m1 >> i) & 1u) != 0u;
        int ix = get_idx(lo, hi, i);
        int w = mode == 3 ? (43 * ix) >> 1 : (37 * ix) >> 2, iw = 64 - w; // (64k + 1) / 3, (64k + 3) / 7
        ivec3 t = texel(i).xyz;
        ivec3 u0 = iw * t, u1 = w * t;
        int p = iw * iw, q = iw * w, r = w * w;
        ta += p;
        tbb += q;
        tcc += r;
        ts0 += u0;
        ts1 += u1;
        ba += s1 ? p : 0;
        bbb += s1 ? q : 0;
        bcc += s1 ? r : 0;
        bs0 += s1 ? u0 : ivec3(0);
        bs1 += s1 ? u1 : ivec3(0);
    }
    oka = ls2_solve(ta - ba, tbb - bbb, tcc - bcc, ts0 - bs0, ts1 - bs1, xa0, xa1);
    okb = ls2_solve(ba, bbb, bcc, bs0, bs1, xb0, xb1);
}

int ivec3_at(ivec3 v, int k) { return k == 0 ? v.x : (k == 1 ? v.y : v.z); }
ivec3 ivec3_set(ivec3 v, int k, int x) { return ivec3(k == 0 ? x : v.x, k == 1 ? x : v.y, k == 2 ? x : v.z); }

vec3 texel_rgb_at(int ix)
{
    uint p = 0u;
    [[unroll]] for (int i = 0; i < 16; i++)
        if (i == ix) p = tp[i];
    return vec3(p & 255u, (p >> 8) & 255u, (p >> 16) & 255u);
}

// encode_subset in C for subset 0 (texels not in m1) -> a and subset 1 -> b.
void encode_pair(int mode, uint m1, Stats all, out Sub A, out Sub B)
{
    Stats sb = subset_stats(m1), sa;
    sa.n = all.n - sb.n;
    sa.s = all.s - sb.s;
    sa.ss = all.ss - sb.ss;
    sa.sx = all.sx - sb.sx;
    float an, ad;
    vec3 dira = subset_axis(sa, an, ad);
    vec3 dirb = subset_axis(sb, an, ad);
    precise float loa = 0.0, hia = 0.0, lob = 0.0, hib = 0.0;
    int iloa = -1, ihia = -1, ilob = -1, ihib = -1;
    [[unroll]] for (int i = 0; i < 16; i++) {
        bool s1 = ((m1 >> i) & 1u) != 0u;
        vec3 dir = s1 ? dirb : dira;
        ivec3 t = texel(i).xyz;
        precise float pr = float(t.x) * dir.x + float(t.y) * dir.y + float(t.z) * dir.z;
        if (s1) {
            if (ilob < 0 || pr < lob) { lob = pr; ilob = i; }
            if (ihib < 0 || pr > hib) { hib = pr; ihib = i; }
        } else {
            if (iloa < 0 || pr < loa) { loa = pr; iloa = i; }
            if (ihia < 0 || pr > hia) { hia = pr; ihia = i; }
        }
    }
    vec3 xa0 = texel_rgb_at(iloa), xa1 = texel_rgb_at(ihia);
    vec3 xb0 = texel_rgb_at(ilob), xb1 = texel_rgb_at(ihib);
    quant2_search_pair(mode, m1, xa0, xa1, xb0, xb1, A, B);
    bool la = A.sse > 0, lb = B.sse > 0; // still refitting
    [[dont_unroll]] for (int it = 0; it < REFIT_ITERATIONS && (la || lb); it++) {
        bool oka, okb;
        ls_pair(mode, m1, A, B, oka, xa0, xa1, okb, xb0, xb1);
        la = la && oka;
        lb = lb && okb;
        if (!la && !lb) break;
        Sub ca, cb;
        quant2_search_pair(mode, m1, xa0, xa1, xb0, xb1, ca, cb);
        if (la) {
            if (ca.sse >= A.sse) la = false;
            else A = ca;
        }
        if (lb) {
            if (cb.sse >= B.sse) lb = false;
            else B = cb;
        }
        la = la && A.sse > 0;
        lb = lb && B.sse > 0;
    }
    int qmax = mode == 3 ? 127 : 63;
    bool ja = A.sse > 0, jb = B.sse > 0;
    [[dont_unroll]] for (int pass = 0; pass < TWO_JITTER && (ja || jb); pass++) {
        bool ia = false, ib = false;
        [[dont_unroll]] for (int m = 0; m < 12; m++) {
            int j = m / 6, k = (m >> 1) % 3, s = (m & 1) != 0 ? 1 : -1;
            int qa = ivec3_at(j == 0 ? A.q0 : A.q1, k) + s;
            int qb = ivec3_at(j == 0 ? B.q0 : B.q1, k) + s;
            bool oka = ja && qa >= 0 && qa <= qmax;
            bool okb = jb && qb >= 0 && qb <= qmax;
            if (!oka && !okb) continue;
            Sub ca = A, cb = B;
            if (oka) {
                if (j == 0) ca.q0 = ivec3_set(ca.q0, k, qa);
                else ca.q1 = ivec3_set(ca.q1, k, qa);
            }
            if (okb) {
                if (j == 0) cb.q0 = ivec3_set(cb.q0, k, qb);
                else cb.q1 = ivec3_set(cb.q1, k, qb);
            }
            assign_pair(mode, m1, ca, cb);
            if (oka && ca.sse < A.sse) {
                A = ca;
                ia = true;
            }
            if (okb && cb.sse < B.sse) {
                B = cb;
                ib = true;
            }
        }
        ja = ja && ia && A.sse > 0;
        jb = jb && ib && B.sse > 0;
    }
}

// Best partition of `mode`: pre-selection of TWO_KEEP partitions by the
// estimate, full encoding of each (encode_two_subset in C).
int encode_two_subset(int mode, out int part, out Sub sub0, out Sub sub1)
{
    precise float knum[TWO_KEEP], kden[TWO_KEEP];
    int kpart[TWO_KEEP];
    [[unroll]] for (int j = 0; j < TWO_KEEP; j++) {
        knum[j] = 1.0;
        kden[j] = 0.0; // +infinity
        kpart[j] = 0;
    }
    Stats all = subset_stats(0xFFFFu);
    [[dont_unroll]] for (int pt = 0; pt < 64; pt++) {
        uint m1 = part_mask(pt);
        Stats s1 = subset_stats(m1), s0;
        s0.n = all.n - s1.n;
        s0.s = all.s - s1.s;
        s0.ss = all.ss - s1.ss;
        s0.sx = all.sx - s1.sx;
        float n0, d0, n1, d1;
        subset_axis(s0, n0, d0);
        subset_axis(s1, n1, d1);
        precise float num = n0 * d1 + n1 * d0, den = d0 * d1;
        int pp = pt;
        [[unroll]] for (int j = 0; j < TWO_KEEP; j++) {
            precise float lhs = num * kden[j], rhs = knum[j] * den;
            if (lhs < rhs) {
                precise float tn = knum[j], td = kden[j];
                int tq = kpart[j];
                knum[j] = num;
                kden[j] = den;
                kpart[j] = pp;
                num = tn;
                den = td;
                pp = tq;
            }
        }
    }
    int best_sse = 0x7FFFFFFF;
    part = 0;
    [[dont_unroll]] for (int m = 0; m < TWO_KEEP; m++) {
        int pt = 0;
        [[unroll]] for (int j = 0; j < TWO_KEEP; j++)
            if (j == m) pt = kpart[j];
        Sub a, b;
        encode_pair(mode, part_mask(pt), all, a, b);
        int sse = a.sse + b.sse;
        if (sse < best_sse) {
            best_sse = sse;
            part = pt;
            sub0 = a;
            sub1 = b;
        }
    }
    return best_sse;
}


void put_bits_adv(inout uvec4 b, inout uint pos, uint n, uint v)
{
    put_bits(b, pos, n, v);
    pos += n;
}

// Subset nibble mask: 0xF at each texel of `mask` (lo: texels 0..7, hi: 8..15).
uvec2 nibble_mask(uint mask)
{
    uvec2 r = uvec2(0u);
    [[unroll]] for (int i = 0; i < 8; i++) {
        if (((mask >> i) & 1u) != 0u) r.x |= 15u << (4 * i);
        if (((mask >> (i + 8)) & 1u) != 0u) r.y |= 15u << (4 * i);
    }
    return r;
}

// pack_two_subset in C: a subset whose anchor index needs the MSB gets its
// endpoints and p-bits swapped and its indices mirrored (nl - 1 - idx, an
// XOR with nl - 1 since idx < nl).
uvec4 pack_two_subset(int mode, int part, Sub s0, Sub s1)
{
    int nl = mode == 3 ? 4 : 8;
    uint ib = mode == 3 ? 2u : 3u, cb = mode == 3 ? 7u : 6u;
    uint m1 = part_mask(part);
    uint anc = part_anchor(part);
    uint rep = mode == 3 ? 0x33333333u : 0x77777777u;
    if (get_idx(s0.idx_lo, s0.idx_hi, 0) >= nl / 2) {
        ivec3 t = s0.q0; s0.q0 = s0.q1; s0.q1 = t;
        int p = s0.p0; s0.p0 = s0.p1; s0.p1 = p;
        uvec2 nm = nibble_mask(0xFFFFu & ~m1);
        s0.idx_lo ^= rep & nm.x;
        s0.idx_hi ^= rep & nm.y;
    }
    if (get_idx(s1.idx_lo, s1.idx_hi, int(anc)) >= nl / 2) {
        ivec3 t = s1.q0; s1.q0 = s1.q1; s1.q1 = t;
        int p = s1.p0; s1.p0 = s1.p1; s1.p1 = p;
        uvec2 nm = nibble_mask(m1);
        s1.idx_lo ^= rep & nm.x;
        s1.idx_hi ^= rep & nm.y;
    }
    uvec4 b = uvec4(0u);
    uint pos = 0u;
    put_bits_adv(b, pos, uint(mode) + 1u, 1u << uint(mode));
    put_bits_adv(b, pos, 6u, uint(part));
    [[unroll]] for (int k = 0; k < 3; k++) {
        put_bits_adv(b, pos, cb, uint(ivec3_at(s0.q0, k)));
        put_bits_adv(b, pos, cb, uint(ivec3_at(s0.q1, k)));
        put_bits_adv(b, pos, cb, uint(ivec3_at(s1.q0, k)));
        put_bits_adv(b, pos, cb, uint(ivec3_at(s1.q1, k)));
    }
    if (mode == 3) {
        put_bits_adv(b, pos, 1u, uint(s0.p0));
        put_bits_adv(b, pos, 1u, uint(s0.p1));
        put_bits_adv(b, pos, 1u, uint(s1.p0));
        put_bits_adv(b, pos, 1u, uint(s1.p1));
    } else {
        put_bits_adv(b, pos, 1u, uint(s0.p0));
        put_bits_adv(b, pos, 1u, uint(s1.p0));
    }
    uint lo = s0.idx_lo | s1.idx_lo, hi = s0.idx_hi | s1.idx_hi;
    [[unroll]] for (int i = 0; i < 16; i++) {
        uint n = ib - ((i == 0 || uint(i) == anc) ? 1u : 0u);
        put_bits_adv(b, pos, n, uint(get_idx(lo, hi, i)));
    }
    return b;
}

void main()
{
    s_part[gl_LocalInvocationIndex] = tt_bc7_subset_mask(tt_bc7_partition2[gl_LocalInvocationIndex], 1u) |
                                      (tt_bc7_anchor2_1[gl_LocalInvocationIndex] << 16);
    barrier();
    uint bx = gl_GlobalInvocationID.x, by_local = gl_GlobalInvocationID.y;
    if (bx >= pc.blocks_x || by_local >= pc.band_rows) return;
    uint by = pc.block_row0 + by_local;
    opaque = true;
    [[unroll]] for (int i = 0; i < 16; i++) {
        uint x = min(bx * 4u + uint(i & 3), pc.width - 1u);
        uint y = min(by * 4u + uint(i >> 2), pc.height - 1u) - pc.src_row0;
        tp[i] = src_px[y * pc.width + x];
        if ((tp[i] >> 24) != 255u) opaque = false;
    }

    vec4 v0, v1;
    pca_guess(v0, v1);
    int loss = nm_loss(v0, v1);
    if (pc.refine != 0 && float(loss) > pc.good_enough * 65025.0) nelder_mead(v0, v1, loss, pc.nm_iterations);

    precise vec4 x0 = v0 * 255.0, x1 = v1 * 255.0;
    Cand best;
    if (pc.refit != 0) {
        // starts: 0 = NM result, 1 = principal axis, 2 = half-range
        // candidate of an opaque block (as in C)
        best.sse = 0x7FFFFFFF;
        bool lite = LITE_POLISH != 0 && opaque && (pc.modes & 10u) != 0u;
        int passes = lite ? 1 : JITTER_PASSES;
        [[dont_unroll]] for (int start = 0; start < 3; start++) {
            int half_range = 0;
            if (start == 1) {
                if (best.sse == 0) break;
                if (PA_START == 0 || lite) continue;
                principal_axis_guess(x0, x1);
            } else if (start == 2) {
                if (!opaque || best.sse == 0) break;
                precise vec3 e0 = vec3(2 * best.q0.xyz + 1), e1 = vec3(2 * best.q1.xyz + 1);
                x0 = vec4(e0, 255.0);
                x1 = vec4(e0 + (e1 - e0) * STRETCH, 255.0);
                half_range = 1;
            }
            Cand c = polish(x0, x1, half_range, passes);
            if (start == 0 || c.sse < best.sse) best = c;
        }
    } else {
        best = quantize_nearest(x0, x1);
    }
    // Two-subset candidates for opaque blocks (modes 1, 3), kept on a lower SSE.
    int mode2 = 0, part2 = 0, sse2 = best.sse;
    Sub b0, b1;
    if (pc.refit != 0 && opaque && best.sse > 0 && (pc.modes & 10u) != 0u) {
        [[dont_unroll]] for (int mode = 1; mode <= 3; mode += 2) {
            if ((pc.modes & (1u << uint(mode))) == 0u) continue;
            int pt;
            Sub c0, c1;
            int e = encode_two_subset(mode, pt, c0, c1);
            if (e < sse2) {
                sse2 = e;
                mode2 = mode;
                part2 = pt;
                b0 = c0;
                b1 = c1;
            }
        }
    }
    uvec4 blk = mode2 != 0 ? pack_two_subset(mode2, part2, b0, b1) : pack_mode6(best);
    dst_blocks[by_local * pc.blocks_x + bx] = blk;
}
