// bc7_single.glsl - the single-subset family (mode 6; the rotation modes 4 and 5 belong here): PCA guess, Nelder-Mead on the quantized loss, polish, packing.
// C side: src/bc7/bc7_ref_single.c (same function names, same float operations in the same order).

#define INV255 uintBitsToFloat(0x3B808081u)  // 1.0f / 255.0f
#define NM_ALPHA uintBitsToFloat(0x3FA66666u) // 1.3f
#define NM_GAMMA uintBitsToFloat(0x400CCCCDu) // 2.2f
#define NM_RHO uintBitsToFloat(0x3F0CCCCDu)   // 0.55f
#define NM_SIGMA uintBitsToFloat(0x3EE66666u) // 0.45f
#define NM_STEP uintBitsToFloat(0x3DCCCCCDu)  // 0.1f
#define STRETCH uintBitsToFloat(0x40088889u)  // 64.0f / 30.0f

// A quantized mode-6 candidate. q: 7-bit endpoints (e0 rgba, e1 rgba);
// indices packed 4 bits per texel (lo: texels 0..7, hi: 8..15).
struct Cand {
    ivec4 q0, q1;
    int p0, p1;
    uint idx_lo, idx_hi;
    int sse;
    int half_range;
};

// One texel's index choice (integer: any evaluation order gives C's result).
// (64k + 7) / 15 == (17k + 2) >> 2 for k = 0..15, and
// ((64 - w) e0 + w e1 + 32) >> 6 == e0 + ((w d + 32) >> 6) exactly (64 e0 is
// a multiple of 64, >> is arithmetic), so decoded - t = ((w d + 32) >> 6) - dt.
// 15 * dot * rcp == dot * (15 * rcp) (no overflow: dot <= len2).
#define ASSIGN_LOOP(SW, ERR)                                                       \
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
            ea = ERR(da.SW);                                                    \
            eb = ERR(db.SW);                                                    \
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
        ASSIGN_LOOP(xyz, werr3)
    } else if (alpha_free) {
        ASSIGN_LOOP(xyzw, werr4_free)
    } else {
        ASSIGN_LOOP(xyzw, werr4)
    }
    c.idx_lo = lo;
    c.idx_hi = hi;
    c.sse = sse;
}

Cand quantize_nearest(vec4 x0, vec4 x1)
{
    Cand c;
    c.half_range = 0;
    if (opaque && !alpha_free) {
        c.p0 = 1;
        c.p1 = 1;
        quant_endpoint(x0, 1, true, c.q0);
        quant_endpoint(x1, 1, true, c.q1);
    } else {
        ivec4 qa, qb;
        precise float err0 = quant_endpoint(x0, 0, opaque, qa);
        precise float err1 = quant_endpoint(x0, 1, opaque, qb);
        c.p0 = err1 < err0 ? 1 : 0;
        c.q0 = c.p0 != 0 ? qb : qa;
        err0 = quant_endpoint(x1, 0, opaque, qa);
        err1 = quant_endpoint(x1, 1, opaque, qb);
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
    int first = half_range != 0 ? 1 : (opaque && !alpha_free ? 3 : 0), last = half_range != 0 ? 1 : 3;
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

// docs/algorithms.md, BC7 encoder, step 2 (pca_guess in bc7_ref_single.c).
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

// Index trials of a polish (trials_single in C), level >= 2 only.
void trials_single(inout Cand best, int half_range, int level)
{
    vec4 x0, x1;
    if (half_range == 0 && level >= 2 && best.sse > 0) {
        Cand b0 = best;
        ivec2 r = index_range(b0.idx_lo, b0.idx_hi, 0xFFFFu, 15);
        int q = level - 1;
        [[dont_unroll]] for (int tr = 0; tr < trial_count(level) && best.sse > 0; tr++) {
            Cand t = b0;
            uvec2 ti = trial_indices(b0.idx_lo, b0.idx_hi, 0xFFFFu, tr, q, 15, r);
            t.idx_lo = ti.x;
            t.idx_hi = ti.y;
            if (!ls_endpoints(t, x0, x1)) continue;
            Cand c = quantize_pbit_search(x0, x1, 0);
            if (c.sse < best.sse) best = c;
        }
    }
}

// Greedy +-1 steps of each endpoint value, then joint steps (jitter_single in C).
void jitter_single(inout Cand best, int half_range, int passes)
{
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
        // joint steps of one endpoint (polish() in C): (endpoint j, step s, kind) in C's order; kind 0 moves
        // 2q + p by s through a p-bit flip (only where p-bits are free), kind 1 moves every q by s
        int nk = (opaque && !alpha_free) || half_range != 0 ? 1 : 2;
        [[dont_unroll]] for (int r = 0; r < 4 * nk * TT_JOINT; r++) {
            int j = r / (2 * nk), s = ((r / nk) & 1) != 0 ? 1 : -1, kind = nk == 2 ? r & 1 : 1;
            Cand c = best;
            int p = j == 0 ? c.p0 : c.p1, dq;
            joint_dq(p, s, kind, dq);
            ivec4 q = (j == 0 ? c.q0 : c.q1) + ivec4(dq, dq, dq, nc == 4 ? dq : 0);
            if (any(lessThan(q, ivec4(0))) || any(greaterThan(q, ivec4(127)))) continue;
            if (j == 0) {
                c.q0 = q;
                c.p0 = p;
            } else {
                c.q1 = q;
                c.p1 = p;
            }
            assign_indices(c);
            if (c.sse < best.sse) {
                best = c;
                improved = true;
            }
        }
        if (!improved) break;
    }
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
    trials_single(best, half_range, pc.index_trials);
    jitter_single(best, half_range, passes);
    return best;
}

// The mode-6 block of c (pack_single in C): an anchor index >= 8 swaps the endpoints (with their p-bits) and
// mirrors every index. Fields and widths from the mode table; positions fold to constants.
uvec4 pack_single(Cand c)
{
    const int mode = 6;
    tt_bc7_mode_info mi = tt_bc7_mode(mode);
    bool swap = get_idx(c.idx_lo, c.idx_hi, 0) >= 8;
    ivec4 e0 = swap ? c.q1 : c.q0, e1 = swap ? c.q0 : c.q1;
    uvec4 b = uvec4(0u);
    uint pos = 0u;
    put_bits_adv(b, pos, uint(mode) + 1u, 1u << uint(mode));
    [[unroll]] for (int k = 0; k < 3; k++) {
        put_bits_adv(b, pos, uint(mi.color_bits), uint(ivec4_at(e0, k)));
        put_bits_adv(b, pos, uint(mi.color_bits), uint(ivec4_at(e1, k)));
    }
    put_bits_adv(b, pos, uint(mi.alpha_bits), uint(e0.w));
    put_bits_adv(b, pos, uint(mi.alpha_bits), uint(e1.w));
    put_bits_adv(b, pos, 1u, uint(swap ? c.p1 : c.p0));
    put_bits_adv(b, pos, 1u, uint(swap ? c.p0 : c.p1));
    // indices: texel 0 (the anchor) one bit short, then 4 bits a texel, i.e. the nibbles
    // of (lo, hi) from texel 1 on; 15 - idx per nibble is the complement
    uint lo = swap ? ~c.idx_lo : c.idx_lo, hi = swap ? ~c.idx_hi : c.idx_hi;
    put_bits_adv(b, pos, uint(mi.index_bits) - 1u, lo & 7u);
    put_bits_adv(b, pos, 28u, lo >> 4u);
    put_bits_adv(b, pos, 32u, hi);
    return b;
}

// Mode 6 of the block in tp (the mode-6 part of tt_bc7_encode_block_ref in C). lite: a multi-subset candidate
// follows, so one +-1 pass and no principal-axis start.
Cand encode_single(bool lite)
{
    vec4 v0, v1;
    pca_guess(v0, v1);
    int loss = nm_loss(v0, v1);
    precise float limit = pc.good_enough * 65025.0 * weight_scale();
    if (pc.refine != 0 && float(loss) > limit) nelder_mead(v0, v1, loss, pc.nm_iterations);

    precise vec4 x0 = v0 * 255.0, x1 = v1 * 255.0;
    Cand best;
    if (pc.refit != 0) {
        // starts: 0 = NM result, 1 = principal axis, 2 = half-range
        // candidate of an opaque block (as in C)
        best.sse = 0x7FFFFFFF;
        int passes = lite ? 1 : pc.polish_passes;
        [[dont_unroll]] for (int start = 0; start < 3; start++) {
            int half_range = 0;
            if (start == 1) {
                if (best.sse == 0) break;
                if (lite) continue;
                principal_axis_guess(x0, x1);
            } else if (start == 2) {
                if (!opaque || alpha_free || best.sse == 0) break;
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
    return best;
}
