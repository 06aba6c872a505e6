// bc7_dual.glsl - the rotation modes 4 and 5: colour and alpha endpoints with separate index sets, a channel rotation and (mode 4) the index-selection bit; twin of src/bc7/bc7_ref_dual.c.
// Included by bc7_encode.comp after bc7_common.glsl and bc7_multi.glsl (subset_axis, Stats). Same functions,
// float operations and decisions as the C file, which explains the search; here the rotated block lives in
// registers (dp, 16 packed uints indexed by constants only) and indices are kept 4 bits a texel (lo, hi).

#ifndef DUAL_KEEP
#define DUAL_KEEP 1
#endif
#ifndef DUAL_OPAQUE_ROT0
#define DUAL_OPAQUE_ROT0 0
#endif
#ifndef DUAL_JITTER
#define DUAL_JITTER 1
#endif

uint dp[16]; // the rotated block: slots 0..2 (colour endpoints) in bytes 0..2, slot 3 (scalar endpoints) in byte 3
ivec4 dw;    // the slots' error weights (their real channels')

// Channel rot - 1 and alpha swapped (rot 0: sh = 24 swaps alpha with itself).
uint rotate_texel(uint p, int rot)
{
    uint sh = rot == 0 ? 24u : uint(8 * (rot - 1));
    uint a = p >> 24, c = (p >> sh) & 255u;
    p &= ~((255u << sh) | 0xFF000000u);
    return p | (a << sh) | (c << 24);
}

void rotate_block(int rot)
{
    [[unroll]] for (int i = 0; i < 16; i++) dp[i] = rotate_texel(tp[i], rot);
    bool same = TT_W_R == TT_W_G && TT_W_G == TT_W_B && TT_W_B == TT_W_A; // folds: then dw is a constant
    ivec4 w = ivec4(TT_W_R, TT_W_G, TT_W_B, TT_W_A);
    dw = same ? w : ivec4(rot == 1 ? w.w : w.x, rot == 2 ? w.w : w.y, rot == 3 ? w.w : w.z,
                          rot == 0 ? w.w : (rot == 1 ? w.x : (rot == 2 ? w.y : w.z)));
}

ivec4 dtexel(int i)
{
    uint p = dp[i];
    return ivec4(p & 255u, (p >> 8) & 255u, (p >> 16) & 255u, p >> 24);
}

int dual_weight(int ib, int k) { return ib == 2 ? TT_BC7_WEIGHT2(k) : TT_BC7_WEIGHT3(k); }

// quant_dual in C: x (2^bits - 1) / 255 rounded, clamped.
int quant_dual(float x, int bits)
{
    int qmax = (1 << bits) - 1;
    precise float s = float(qmax) * INV255;
    precise float v = floor(x * s + 0.5);
    return int(min(max(v, 0.0), float(qmax)));
}

struct DCol {
    ivec3 q0, q1;
    uint lo, hi;
    int sse;
};

struct DSca {
    int q0, q1;
    uint lo, hi;
    int sse;
};

// assign_col in C; decoded - t as in assign_indices (e0 + ((w d + 32) >> 6) - t).
void assign_col(int cb, int cib, inout DCol c)
{
    int nl = 1 << cib;
    ivec3 e0 = ivec3(expand_channel(c.q0.x, 0, cb, false), expand_channel(c.q0.y, 0, cb, false),
                     expand_channel(c.q0.z, 0, cb, false));
    ivec3 e1 = ivec3(expand_channel(c.q1.x, 0, cb, false), expand_channel(c.q1.y, 0, cb, false),
                     expand_channel(c.q1.z, 0, cb, false));
    ivec3 d = e1 - e0;
    int len2 = d.x * d.x + d.y * d.y + d.z * d.z;
    int rcp = len2 > 0 ? (nl - 1) * (((1 << 27) + len2 - 1) / len2) : 0;
    int sse = 0;
    uint lo = 0u, hi = 0u;
    [[unroll]] for (int i = 0; i < 16; i++) {
        ivec3 dt = dtexel(i).xyz - e0;
        int dot_ = clamp(dt.x * d.x + dt.y * d.y + dt.z * d.z, 0, len2);
        int k0 = min((dot_ * rcp) >> 27, nl - 2);
        int wa = dual_weight(cib, k0), wb = dual_weight(cib, k0 + 1);
        ivec3 xa = ((wa * d + 32) >> 6) - dt, xb = ((wb * d + 32) >> 6) - dt;
        int ea = xa.x * xa.x * dw.x + xa.y * xa.y * dw.y + xa.z * xa.z * dw.z;
        int eb = xb.x * xb.x * dw.x + xb.y * xb.y * dw.y + xb.z * xb.z * dw.z;
        bool up = eb < ea;
        sse += up ? eb : ea;
        uint k = uint(k0 + (up ? 1 : 0)) << (4 * (i & 7));
        if (i < 8) lo |= k;
        else hi |= k;
    }
    c.lo = lo;
    c.hi = hi;
    c.sse = sse;
}

void assign_sca(int sb, int sib, inout DSca s)
{
    int nl = 1 << sib;
    int e0 = expand_channel(s.q0, 0, sb, false), e1 = expand_channel(s.q1, 0, sb, false);
    int d = e1 - e0, len2 = d * d;
    int rcp = len2 > 0 ? (nl - 1) * (((1 << 27) + len2 - 1) / len2) : 0;
    int sse = 0;
    uint lo = 0u, hi = 0u;
    [[unroll]] for (int i = 0; i < 16; i++) {
        int dt = int(dp[i] >> 24) - e0;
        int dot_ = clamp(dt * d, 0, len2);
        int k0 = min((dot_ * rcp) >> 27, nl - 2);
        int wa = dual_weight(sib, k0), wb = dual_weight(sib, k0 + 1);
        int xa = ((wa * d + 32) >> 6) - dt, xb = ((wb * d + 32) >> 6) - dt;
        int ea = xa * xa * dw.w, eb = xb * xb * dw.w;
        bool up = eb < ea;
        sse += up ? eb : ea;
        uint k = uint(k0 + (up ? 1 : 0)) << (4 * (i & 7));
        if (i < 8) lo |= k;
        else hi |= k;
    }
    s.lo = lo;
    s.hi = hi;
    s.sse = sse;
}

// ls_slots in C: least-squares sums of the slots (colour: xyz; scalar: w, returned in x) for indices (lo, hi).
bool ls_dual(uint lo, uint hi, int ib, bool scalar, out vec4 x0, out vec4 x1)
{
    int a = 0, bb = 0, cc = 0;
    ivec4 s0 = ivec4(0), s1 = ivec4(0);
    [[unroll]] for (int i = 0; i < 16; i++) {
        int w = dual_weight(ib, get_idx(lo, hi, i)), iw = 64 - w;
        ivec4 t = dtexel(i);
        ivec4 v = scalar ? ivec4(t.w, 0, 0, 0) : ivec4(t.xyz, 0);
        a += iw * iw;
        bb += iw * w;
        cc += w * w;
        s0 += iw * v;
        s1 += w * v;
    }
    return ls_solve(a, bb, cc, s0, s1, x0, x1);
}

// quant_col in C: an opaque block's alpha slot (rot - 1) pinned at the top.
void quant_col(int cb, int cib, int rot, vec3 x0, vec3 x1, out DCol c)
{
    int qmax = (1 << cb) - 1;
    c.q0 = ivec3(quant_dual(x0.x, cb), quant_dual(x0.y, cb), quant_dual(x0.z, cb));
    c.q1 = ivec3(quant_dual(x1.x, cb), quant_dual(x1.y, cb), quant_dual(x1.z, cb));
    if (opaque && rot != 0) {
        c.q0 = ivec3_set(c.q0, rot - 1, qmax);
        c.q1 = ivec3_set(c.q1, rot - 1, qmax);
    }
    assign_col(cb, cib, c);
}

// start_col in C up to the quantisation: the texels of lowest and highest projection on the principal axis.
void start_col_x(out vec3 x0, out vec3 x1)
{
    Stats st;
    st.n = 16;
    st.s = ivec3(0);
    st.ss = ivec3(0);
    st.sx = ivec3(0);
    [[unroll]] for (int i = 0; i < 16; i++) {
        ivec3 t = dtexel(i).xyz;
        st.s += t;
        st.ss += t * t;
        st.sx += t.xxy * t.yzz;
    }
    float num, den;
    vec3 dir = subset_axis(st, 1.0, num, den);
    precise float lo = 0.0, hi = 0.0;
    x0 = vec3(0.0);
    x1 = vec3(0.0);
    [[unroll]] for (int i = 0; i < 16; i++) {
        ivec3 t = dtexel(i).xyz;
        precise float pr = float(t.x) * dir.x + float(t.y) * dir.y + float(t.z) * dir.z;
        if (i == 0 || pr < lo) {
            lo = pr;
            x0 = vec3(t);
        }
        if (i == 0 || pr > hi) {
            hi = pr;
            x1 = vec3(t);
        }
    }
}

// refine_col in C.
void refine_col(int cb, int cib, int rot, inout DCol c)
{
    [[dont_unroll]] for (int it = 0; it < REFIT_ITERATIONS && c.sse > 0; it++) {
        vec4 y0, y1;
        if (!ls_dual(c.lo, c.hi, cib, false, y0, y1)) break;
        DCol t;
        quant_col(cb, cib, rot, y0.xyz, y1.xyz, t);
        if (t.sse >= c.sse) break;
        c = t;
    }
    int qmax = (1 << cb) - 1;
    int pinned = opaque ? rot - 1 : -1;
    [[dont_unroll]] for (int pass = 0; pass < DUAL_JITTER && c.sse > 0; pass++) {
        bool improved = false;
        // (endpoint j, channel k, step s) in C's nesting order
        [[dont_unroll]] for (int m = 0; m < 12; m++) {
            int j = m / 6, k = (m >> 1) % 3, s = (m & 1) != 0 ? 1 : -1;
            int q = ivec3_at(j == 0 ? c.q0 : c.q1, k) + s;
            if (q < 0 || q > qmax || k == pinned) continue;
            DCol t = c;
            if (j == 0) t.q0 = ivec3_set(t.q0, k, q);
            else t.q1 = ivec3_set(t.q1, k, q);
            assign_col(cb, cib, t);
            if (t.sse < c.sse) {
                c = t;
                improved = true;
            }
        }
        // joint steps: every free channel of endpoint j by s, (j, s) in C's order
        ivec3 free_ch = ivec3(pinned != 0 ? 1 : 0, pinned != 1 ? 1 : 0, pinned != 2 ? 1 : 0);
        [[dont_unroll]] for (int m = 0; m < 4 * TT_JOINT; m++) {
            int j = m >> 1, s = (m & 1) != 0 ? 1 : -1;
            ivec3 q = (j == 0 ? c.q0 : c.q1) + s * free_ch;
            if (any(lessThan(q, ivec3(0))) || any(greaterThan(q, ivec3(qmax)))) continue;
            DCol t = c;
            if (j == 0) t.q0 = q;
            else t.q1 = q;
            assign_col(cb, cib, t);
            if (t.sse < c.sse) {
                c = t;
                improved = true;
            }
        }
        if (!improved) break;
    }
}

// start_sca in C.
void start_sca(int sb, int sib, int rot, out DSca s)
{
    if (opaque && rot == 0) {
        s.q0 = (1 << sb) - 1;
        s.q1 = s.q0;
        s.lo = 0u;
        s.hi = 0u;
        s.sse = 0;
        return;
    }
    int lo = int(dp[0] >> 24), hi = lo;
    [[unroll]] for (int i = 1; i < 16; i++) {
        int t = int(dp[i] >> 24);
        lo = min(lo, t);
        hi = max(hi, t);
    }
    s.q0 = quant_dual(float(lo), sb);
    s.q1 = quant_dual(float(hi), sb);
    assign_sca(sb, sib, s);
}

// refine_sca in C.
void refine_sca(int sb, int sib, inout DSca s)
{
    [[dont_unroll]] for (int it = 0; it < REFIT_ITERATIONS && s.sse > 0; it++) {
        vec4 y0, y1;
        if (!ls_dual(s.lo, s.hi, sib, true, y0, y1)) break;
        DSca t;
        t.q0 = quant_dual(y0.x, sb);
        t.q1 = quant_dual(y1.x, sb);
        assign_sca(sb, sib, t);
        if (t.sse >= s.sse) break;
        s = t;
    }
    int qmax = (1 << sb) - 1;
    [[dont_unroll]] for (int pass = 0; pass < DUAL_JITTER && s.sse > 0; pass++) {
        bool improved = false;
        [[dont_unroll]] for (int m = 0; m < 4; m++) {
            int j = m >> 1, d = (m & 1) != 0 ? 1 : -1;
            int q = (j == 0 ? s.q0 : s.q1) + d;
            if (q < 0 || q > qmax) continue;
            DSca t = s;
            if (j == 0) t.q0 = q;
            else t.q1 = q;
            assign_sca(sb, sib, t);
            if (t.sse < s.sse) {
                s = t;
                improved = true;
            }
        }
        if (!improved) break;
    }
}

// pack_dual in C, written straight into the block in the mode table's field order: each index set whose texel-0
// index needs its MSB gets its endpoints swapped and its indices mirrored (an XOR with nl - 1 per nibble).
uvec4 pack_dual(int mode, int rot, int isel, DCol c, DSca s)
{
    int cb = mode == 4 ? 5 : 7, sb = mode == 4 ? 6 : 8;
    int cib = mode == 4 && isel != 0 ? 3 : 2, sib = mode == 4 && isel == 0 ? 3 : 2;
    if (get_idx(c.lo, c.hi, 0) >= (1 << (cib - 1))) {
        ivec3 t = c.q0; c.q0 = c.q1; c.q1 = t;
        uint rep = uint((1 << cib) - 1) * 0x11111111u;
        c.lo ^= rep;
        c.hi ^= rep;
    }
    if (get_idx(s.lo, s.hi, 0) >= (1 << (sib - 1))) {
        int t = s.q0; s.q0 = s.q1; s.q1 = t;
        uint rep = uint((1 << sib) - 1) * 0x11111111u;
        s.lo ^= rep;
        s.hi ^= rep;
    }
    uvec4 b = uvec4(0u);
    uint pos = 0u;
    put_bits_adv(b, pos, uint(mode) + 1u, 1u << uint(mode));
    put_bits_adv(b, pos, 2u, uint(rot));
    if (mode == 4) put_bits_adv(b, pos, 1u, uint(isel));
    [[unroll]] for (int k = 0; k < 3; k++) {
        put_bits_adv(b, pos, uint(cb), uint(ivec3_at(c.q0, k)));
        put_bits_adv(b, pos, uint(cb), uint(ivec3_at(c.q1, k)));
    }
    put_bits_adv(b, pos, uint(sb), uint(s.q0));
    put_bits_adv(b, pos, uint(sb), uint(s.q1));
    // primary indices (2 bits): colour, or the scalar's where isel is set; then the secondary ones
    uint lo = isel != 0 ? s.lo : c.lo, hi = isel != 0 ? s.hi : c.hi;
    [[unroll]] for (int i = 0; i < 16; i++) put_bits_adv(b, pos, i == 0 ? 1u : 2u, uint(get_idx(lo, hi, i)));
    uint ib2 = uint(mode == 4 ? 3 : 2);
    lo = isel != 0 ? c.lo : s.lo;
    hi = isel != 0 ? c.hi : s.hi;
    [[unroll]] for (int i = 0; i < 16; i++) put_bits_adv(b, pos, i == 0 ? ib2 - 1u : ib2, uint(get_idx(lo, hi, i)));
    return b;
}

// The family's entry (tt_bc7_ref_encode_dual in C): the best block of `mode` (4 or 5) over its rotations (and
// index selections) into blk and its weighted SSE, or TT_BC7_NO_CANDIDATE (blk untouched).
int encode_dual_block(int mode, out uvec4 blk)
{
    if (mode != 4 && mode != 5) return TT_BC7_NO_CANDIDATE;
    int cb = mode == 4 ? 5 : 7, sb = mode == 4 ? 6 : 8;
    int nsel = mode == 4 ? 2 : 1;
    // the DUAL_KEEP lowest rough estimates, ascending (ties: earlier configuration rot * nsel + isel first)
    int kest[DUAL_KEEP], kcfg[DUAL_KEEP];
    [[unroll]] for (int j = 0; j < DUAL_KEEP; j++) {
        kest[j] = 0x7FFFFFFF;
        kcfg[j] = 0;
    }
#if DUAL_KEEP == 1
    DCol kc;
    DSca ks;
#endif
    [[dont_unroll]] for (int rot = opaque && DUAL_OPAQUE_ROT0 == 0 ? 1 : 0; rot < 4; rot++) {
        rotate_block(rot);
        vec3 x0, x1;
        start_col_x(x0, x1);
        // both index selections share the rotation's start (C recomputes it: the same values)
        [[dont_unroll]] for (int isel = 0; isel < nsel; isel++) {
            int cib = mode == 4 && isel != 0 ? 3 : 2, sib = mode == 4 && isel == 0 ? 3 : 2;
            DCol c;
            DSca s;
            quant_col(cb, cib, rot, x0, x1, c);
            start_sca(sb, sib, rot, s);
            int est = c.sse + s.sse, cc = rot * nsel + isel;
#if DUAL_KEEP == 1
            // one kept: its start is kept too, so the refinement does not recompute it (C does: the same values)
            if (est < kest[0]) {
                kc = c;
                ks = s;
            }
#endif
            [[unroll]] for (int j = 0; j < DUAL_KEEP; j++) {
                if (est < kest[j]) {
                    int te = kest[j], tc = kcfg[j];
                    kest[j] = est;
                    kcfg[j] = cc;
                    est = te;
                    cc = tc;
                }
            }
        }
    }
    int best = 0x7FFFFFFF;
    [[dont_unroll]] for (int m = 0; m < DUAL_KEEP && m < 4 * nsel; m++) {
        int cf = 0, ce = 0;
        [[unroll]] for (int j = 0; j < DUAL_KEEP; j++)
            if (j == m) {
                cf = kcfg[j];
                ce = kest[j];
            }
        if (ce == 0x7FFFFFFF) break; // fewer configurations than DUAL_KEEP
        int rot = cf / nsel, isel = cf - rot * nsel;
        int cib = mode == 4 && isel != 0 ? 3 : 2, sib = mode == 4 && isel == 0 ? 3 : 2;
        rotate_block(rot);
#if DUAL_KEEP == 1
        DCol c = kc;
        DSca s = ks;
#else
        vec3 x0, x1;
        start_col_x(x0, x1);
        DCol c;
        DSca s;
        quant_col(cb, cib, rot, x0, x1, c);
        start_sca(sb, sib, rot, s);
#endif
        refine_col(cb, cib, rot, c);
        refine_sca(sb, sib, s);
        int sse = c.sse + s.sse;
        if (sse < best) {
            best = sse;
            blk = pack_dual(mode, rot, isel, c, s);
        }
    }
    return best;
}
