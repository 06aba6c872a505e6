// bc7_multi.glsl - the multi-subset family (modes 0-3 for opaque blocks, 7 for any block): partition pre-selection, per-subset endpoint fit, packing, driven by the mode table.
// C side: src/bc7/bc7_ref_multi.c. There each subset is encoded on its own (encode_subset); here the subsets
// of a partition go in lockstep (encode_pair for the RGB two-subset modes 1 and 3, encode_sets for modes 0, 2
// and 7), with exactly C's decisions per subset.

// Partition masks (bits 0..15 = texels of subset 1) and anchors (bits 16..19: the
// anchor texel of subset 1) from bc7_tables.h; for three subsets the masks of subsets 1 and 2 (bits 0..15,
// 16..31) and their anchors (bits 0..3, 8..11). Dynamic indexing into a `const` array
// makes many compilers copy the whole array into per-thread local memory, so the
// shader keeps them in shared memory (filled once per workgroup in main).
shared uint s_part[64];
shared uint s_part3[64];
shared uint s_anc3[64];
// One entry per invocation: the workgroup has 64 (TT_BC7_LOCAL_SIZE); main() puts the barrier after it.
void load_partitions()
{
    uint i = gl_LocalInvocationIndex;
    s_part[i] = tt_bc7_subset_mask(tt_bc7_partition2[i], 1u) | (tt_bc7_anchor2_1[i] << 16);
    s_part3[i] = tt_bc7_subset_mask(tt_bc7_partition3[i], 1u) | (tt_bc7_subset_mask(tt_bc7_partition3[i], 2u) << 16);
    s_anc3[i] = tt_bc7_anchor3_1[i] | (tt_bc7_anchor3_2[i] << 8);
}
uint part_mask(int pt) { return s_part[pt] & 0xFFFFu; }
uint part_anchor(int pt) { return s_part[pt] >> 16; }

// One subset's state: endpoints (colour_bits wide), p-bits, indices of its texels
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

// Line-fit residual plus index-spacing estimate as a fraction num/den, and direction
// (subset_axis in C: no division; q = (index levels - 1)^2).
vec3 subset_axis(Stats st, float q, out float num, out float den)
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
    precise float nm = trace * vv * q - wv * (q - 1.0);
    precise float dn = vv * float(n) * q;
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

// The functions below take the mode's descriptor, picked once per encode_multi.

// 8-bit RGB of a quantized endpoint.
ivec3 expand2(tt_bc7_mode_info mi, ivec3 q, int p)
{
    bool has_p = mi.pbit_unique + mi.pbit_shared != 0;
    return ivec3(expand_channel(q.x, p, mi.color_bits, has_p), expand_channel(q.y, p, mi.color_bits, has_p),
                 expand_channel(q.z, p, mi.color_bits, has_p));
}

// Nearest quantized RGB endpoint with p-bit p.
ivec3 quant2(tt_bc7_mode_info mi, vec3 x, int p)
{
    int cb = mi.color_bits;
    return ivec3(quant_channel(x.x, p, cb), quant_channel(x.y, p, cb), quant_channel(x.z, p, cb));
}

// lean: the p-bit (0 or 1) with which endpoint x (8-bit scale, nch channels) quantizes closest, by weighted
// squared error, ties 0 (pbit_of in C: the same float operations in the same order).
int pbit_of(tt_bc7_mode_info mi, int nch, vec4 x)
{
    precise float e0 = 0.0, e1 = 0.0;
    [[unroll]] for (int pb = 0; pb < 2; pb++) {
        precise float e = 0.0;
        [[unroll]] for (int k = 0; k < 4; k++) {
            if (k >= nch) break;
            int bits = k == 3 ? mi.alpha_bits : mi.color_bits;
            float xk = k == 0 ? x.x : (k == 1 ? x.y : (k == 2 ? x.z : x.w));
            int w = k == 0 ? TT_W_R : (k == 1 ? TT_W_G : (k == 2 ? TT_W_B : TT_W_A));
            precise float d = float(expand_channel(quant_channel(xk, pb, bits), pb, bits, true)) - xk;
            precise float t = d * d * float(w);
            e = k == 0 ? t : e + t;
        }
        if (pb == 0) e0 = e;
        else e1 = e;
    }
    return e1 < e0 ? 1 : 0;
}

// Both subsets of one partition are encoded in lockstep: every texel pass
// serves the two subsets at once (each texel uses its own subset's
// endpoints), so a partition costs one pass where encode_subset() in C runs
// two. Each subset keeps its own state and makes exactly C's decisions
// (refit rounds, p-bit choice, +-1 steps, stops); a subset that C would have
// stopped simply takes no further changes while the other one goes on.
void assign_pair(tt_bc7_mode_info mi, uint m1, inout Sub a, inout Sub b)
{
    int ib = mi.index_bits, nl = 1 << ib; // levels
    ivec3 ea0 = expand2(mi, a.q0, a.p0), ea1 = expand2(mi, a.q1, a.p1);
    ivec3 eb0 = expand2(mi, b.q0, b.p0), eb1 = expand2(mi, b.q1, b.p1);
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
        // multi-subset modes have 2- or 3-bit indices
        int wa = ib == 2 ? TT_BC7_WEIGHT2(k0) : TT_BC7_WEIGHT3(k0);
        int wb = ib == 2 ? TT_BC7_WEIGHT2(k0 + 1) : TT_BC7_WEIGHT3(k0 + 1);
        // decoded - t as in assign_indices (e0 + ((w d + 32) >> 6) - t)
        ivec3 xa = ((wa * d + 32) >> 6) - dt, xb = ((wb * d + 32) >> 6) - dt;
        int ea = werr3(xa), eb = werr3(xb);
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
void quant2_search_pair(tt_bc7_mode_info mi, uint m1, vec3 xa0, vec3 xa1, vec3 xb0, vec3 xb1, inout Sub a, inout Sub b)
{
    a.sse = 0x7FFFFFFF;
    b.sse = 0x7FFFFFFF;
    // p-bits: one per endpoint (4 combinations, or with lean the one pbit_of gives each subset), one per subset
    // (2) or none
    bool lean = TT_LEAN != 0 && mi.pbit_unique != 0;
    int ncombo = lean ? 1 : (mi.pbit_unique != 0 ? 4 : (mi.pbit_shared != 0 ? 2 : 1));
    int ca = lean ? pbit_of(mi, 3, vec4(xa0, 0.0)) | (pbit_of(mi, 3, vec4(xa1, 0.0)) << 1) : 0;
    int cb = lean ? pbit_of(mi, 3, vec4(xb0, 0.0)) | (pbit_of(mi, 3, vec4(xb1, 0.0)) << 1) : 0;
    [[dont_unroll]] for (int combo = 0; combo < ncombo; combo++) {
        Sub ta, tb;
        int pa = lean ? ca : combo, pb = lean ? cb : combo;
        ta.p0 = pa & 1;
        ta.p1 = mi.pbit_unique != 0 ? pa >> 1 : pa & 1;
        tb.p0 = pb & 1;
        tb.p1 = mi.pbit_unique != 0 ? pb >> 1 : pb & 1;
        ta.q0 = quant2(mi, xa0, ta.p0);
        ta.q1 = quant2(mi, xa1, ta.p1);
        tb.q0 = quant2(mi, xb0, tb.p0);
        tb.q1 = quant2(mi, xb1, tb.p1);
        assign_pair(mi, m1, ta, tb);
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
void ls_pair(tt_bc7_mode_info mi, uint m1, Sub a, Sub b, out bool oka, out vec3 xa0, out vec3 xa1, out bool okb,
             out vec3 xb0, out vec3 xb1)
{
    int ib = mi.index_bits;
    uint lo = a.idx_lo | b.idx_lo, hi = a.idx_hi | b.idx_hi;
    int ta = 0, tbb = 0, tcc = 0, ba = 0, bbb = 0, bcc = 0;
    ivec3 ts0 = ivec3(0), ts1 = ivec3(0), bs0 = ivec3(0), bs1 = ivec3(0);
    [[unroll]] for (int i = 0; i < 16; i++) {
        bool s1 = ((m1 >> i) & 1u) != 0u;
        int ix = get_idx(lo, hi, i);
        int w = ib == 2 ? TT_BC7_WEIGHT2(ix) : TT_BC7_WEIGHT3(ix), iw = 64 - w;
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

vec3 texel_rgb_at(int ix)
{
    uint p = 0u;
    [[unroll]] for (int i = 0; i < 16; i++)
        if (i == ix) p = tp[i];
    return vec3(p & 255u, (p >> 8) & 255u, (p >> 16) & 255u);
}


// A joint step of endpoint j of S (encode_subset in C; joint_dq in bc7_common.glsl). False (S then unused) where
// a value leaves 0..qmax.
bool joint_step3(int qmax, inout Sub S, int j, int s, int kind)
{
    int p = j == 0 ? S.p0 : S.p1, dq;
    joint_dq(p, s, kind, dq);
    ivec3 q = (j == 0 ? S.q0 : S.q1) + dq;
    if (j == 0) {
        S.q0 = q;
        S.p0 = p;
    } else {
        S.q1 = q;
        S.p1 = p;
    }
    return all(greaterThanEqual(q, ivec3(0))) && all(lessThanEqual(q, ivec3(qmax)));
}
// encode_subset in C for subset 0 (texels not in m1) -> a and subset 1 -> b.
void encode_pair(tt_bc7_mode_info mi, uint m1, Stats all, out Sub A, out Sub B)
{
    Stats sb = subset_stats(m1), sa;
    sa.n = all.n - sb.n;
    sa.s = all.s - sb.s;
    sa.ss = all.ss - sb.ss;
    sa.sx = all.sx - sb.sx;
    float an, ad;
    vec3 dira = subset_axis(sa, 1.0, an, ad);
    vec3 dirb = subset_axis(sb, 1.0, an, ad);
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
    quant2_search_pair(mi, m1, xa0, xa1, xb0, xb1, A, B);
    bool la = A.sse > 0, lb = B.sse > 0; // still refitting
    [[dont_unroll]] for (int it = 0; it < REFIT_ITERATIONS && (la || lb); it++) {
        bool oka, okb;
        ls_pair(mi, m1, A, B, oka, xa0, xa1, okb, xb0, xb1);
        la = la && oka;
        lb = lb && okb;
        if (!la && !lb) break;
        Sub ca, cb;
        quant2_search_pair(mi, m1, xa0, xa1, xb0, xb1, ca, cb);
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
    // index trials (index_trials in C), both subsets in lockstep from their indices at this point
    {
        int top = (1 << mi.index_bits) - 1, q = pc.index_trials - 1;
        Sub ba = A, bb = B;
        ivec2 ra = index_range(ba.idx_lo, ba.idx_hi, ~m1 & 0xFFFFu, top), rb = index_range(bb.idx_lo, bb.idx_hi, m1, top);
        [[dont_unroll]] for (int tr = 0; tr < trial_count(pc.index_trials); tr++) {
            bool la = A.sse > 0, lb = B.sse > 0;
            if (!la && !lb) break;
            Sub pa = ba, pb = bb;
            uvec2 ia = trial_indices(ba.idx_lo, ba.idx_hi, ~m1 & 0xFFFFu, tr, q, top, ra);
            uvec2 ib = trial_indices(bb.idx_lo, bb.idx_hi, m1, tr, q, top, rb);
            pa.idx_lo = ia.x;
            pa.idx_hi = ia.y;
            pb.idx_lo = ib.x;
            pb.idx_hi = ib.y;
            bool oka, okb;
            vec3 ya0, ya1, yb0, yb1;
            ls_pair(mi, m1, pa, pb, oka, ya0, ya1, okb, yb0, yb1);
            la = la && oka;
            lb = lb && okb;
            if (!la && !lb) continue;
            Sub ca, cb;
            quant2_search_pair(mi, m1, ya0, ya1, yb0, yb1, ca, cb);
            if (la && ca.sse < A.sse) A = ca;
            if (lb && cb.sse < B.sse) B = cb;
        }
    }
    int qmax = (1 << mi.color_bits) - 1;
    bool ja = A.sse > 0, jb = B.sse > 0;
    [[dont_unroll]] for (int pass = 0; pass < TWO_JITTER && (ja || jb); pass++) {
        bool ia = false, ib = false;
        // (endpoint j, channel k, step s) in C's nesting order, then the joint steps of one endpoint (endpoint j,
        // step s, kind; joint_step3 says what a kind is)
        int nk = mi.pbit_unique != 0 ? 2 : 1;
        [[dont_unroll]] for (int m = 0; m < 12 + 4 * nk * TT_JOINT; m++) {
            Sub ca = A, cb = B;
            bool oka, okb;
            if (m < 12) {
                int j = m / 6, k = (m >> 1) % 3, s = (m & 1) != 0 ? 1 : -1;
                int qa = ivec3_at(j == 0 ? A.q0 : A.q1, k) + s;
                int qb = ivec3_at(j == 0 ? B.q0 : B.q1, k) + s;
                oka = ja && qa >= 0 && qa <= qmax;
                okb = jb && qb >= 0 && qb <= qmax;
                if (j == 0) {
                    ca.q0 = ivec3_set(ca.q0, k, qa);
                    cb.q0 = ivec3_set(cb.q0, k, qb);
                } else {
                    ca.q1 = ivec3_set(ca.q1, k, qa);
                    cb.q1 = ivec3_set(cb.q1, k, qb);
                }
            } else {
                int r = m - 12, j = r / (2 * nk), s = ((r / nk) & 1) != 0 ? 1 : -1, kind = nk == 2 ? r & 1 : 1;
                oka = ja && joint_step3(qmax, ca, j, s, kind);
                okb = jb && joint_step3(qmax, cb, j, s, kind);
            }
            if (!oka && !okb) continue;
            assign_pair(mi, m1, ca, cb);
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

// Partitions fully encoded for `mode`: its 4 bits of pc.partitions plus 1 (tt_bc7_mode_partitions in C), at most the
// mode's partition count.
int keep_count(int mode, int nparts)
{
    return clamp(int((pc.partitions >> (4 * mode)) & 15u) + 1, 1, min(nparts, TT_BC7_MAX_PARTITIONS));
}

// Inserts estimate num/den of partition pp into the `keep` lowest, ascending (ties: lower partition first),
// compared by cross-multiplication (the insertion loop of encode_multi in C). The arrays have room for
// TT_BC7_MAX_PARTITIONS and are only indexed by constants (unrolled, left at the uniform bound `keep`), so they
// stay in registers and a small `keep` costs no more than before.
#define TT_KEEP_INSERT(keep, knum, kden, kpart, num_, den_, pp_)                                                  \
    {                                                                                                             \
        precise float num = num_, den = den_;                                                                     \
        int pp = pp_;                                                                                             \
        [[unroll]] for (int j = 0; j < TT_BC7_MAX_PARTITIONS; j++) {                                              \
            precise float lhs = num * kden[j], rhs = knum[j] * den;                                               \
            if (j < keep && lhs < rhs) {                                                                          \
                precise float tn = knum[j], td = kden[j];                                                         \
                int tq = kpart[j];                                                                                \
                knum[j] = num;                                                                                    \
                kden[j] = den;                                                                                    \
                kpart[j] = pp;                                                                                    \
                num = tn;                                                                                         \
                den = td;                                                                                         \
                pp = tq;                                                                                          \
            }                                                                                                     \
        }                                                                                                         \
    }

// Best partition of `mode` (1 or 3): pre-selection of pc.partitions partitions by the
// estimate, full encoding of each (encode_multi in C).
int encode_multi(int mode, out int part, out Sub sub0, out Sub sub1)
{
    tt_bc7_mode_info mi = tt_bc7_mode(mode);
    int keep = keep_count(mode, 64);
    precise float knum[TT_BC7_MAX_PARTITIONS], kden[TT_BC7_MAX_PARTITIONS];
    int kpart[TT_BC7_MAX_PARTITIONS];
    [[unroll]] for (int j = 0; j < TT_BC7_MAX_PARTITIONS; j++) {
        knum[j] = 1.0;
        kden[j] = 0.0; // +infinity
        kpart[j] = 0;
    }
    float q = float(((1 << mi.index_bits) - 1) * ((1 << mi.index_bits) - 1)); // as in C
    Stats all = subset_stats(0xFFFFu);
    [[dont_unroll]] for (int pt = 0; pt < 64; pt++) {
        uint m1 = part_mask(pt);
        Stats s1 = subset_stats(m1), s0;
        s0.n = all.n - s1.n;
        s0.s = all.s - s1.s;
        s0.ss = all.ss - s1.ss;
        s0.sx = all.sx - s1.sx;
        float n0, d0, n1, d1;
        subset_axis(s0, q, n0, d0);
        subset_axis(s1, q, n1, d1);
        precise float num = n0 * d1 + n1 * d0, den = d0 * d1;
        TT_KEEP_INSERT(keep, knum, kden, kpart, num, den, pt)
    }
    int best_sse = 0x7FFFFFFF;
    part = 0;
    [[dont_unroll]] for (int m = 0; m < keep; m++) {
        int pt = 0;
        [[unroll]] for (int j = 0; j < TT_BC7_MAX_PARTITIONS; j++)
            if (j == m) pt = kpart[j];
        Sub a, b;
        encode_pair(mi, part_mask(pt), all, a, b);
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


// pack_multi in C: a subset whose anchor index needs the MSB gets its
// endpoints and p-bits swapped and its indices mirrored (nl - 1 - idx, an
// XOR with nl - 1 since idx < nl).
uvec4 pack_multi(int mode, int part, Sub s0, Sub s1)
{
    tt_bc7_mode_info mi = tt_bc7_mode(mode);
    int nl = 1 << mi.index_bits;
    uint ib = uint(mi.index_bits), cb = uint(mi.color_bits);
    uint m1 = part_mask(part);
    uint anc = part_anchor(part);
    uint rep = uint(nl - 1) * 0x11111111u;
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
    put_bits_adv(b, pos, uint(mi.part_bits), uint(part));
    [[unroll]] for (int k = 0; k < 3; k++) {
        put_bits_adv(b, pos, cb, uint(ivec3_at(s0.q0, k)));
        put_bits_adv(b, pos, cb, uint(ivec3_at(s0.q1, k)));
        put_bits_adv(b, pos, cb, uint(ivec3_at(s1.q0, k)));
        put_bits_adv(b, pos, cb, uint(ivec3_at(s1.q1, k)));
    }
    if (mi.pbit_unique != 0) {
        put_bits_adv(b, pos, 1u, uint(s0.p0));
        put_bits_adv(b, pos, 1u, uint(s0.p1));
        put_bits_adv(b, pos, 1u, uint(s1.p0));
        put_bits_adv(b, pos, 1u, uint(s1.p1));
    } else if (mi.pbit_shared != 0) {
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

// ---- Modes 0, 2 (three RGB subsets) and 7 (two RGBA subsets): up to three subsets in lockstep ----
// Always four channels: in modes 0 and 2 (opaque blocks) the texels' alpha is 255 and the endpoints' alpha is
// taken as 255, so every alpha term is an exact zero and the values equal C's three-channel ones. Subset s of a
// texel: 1 if in m1, 2 if in m2, else 0 (m2 = 0 for mode 7, whose subset 2 then stays empty with SSE 0).

struct Sub4 {
    ivec4 q0, q1; // colour_bits wide (alpha: alpha_bits; unused in modes 0, 2)
    int p0, p1;
    uint idx_lo, idx_hi;
    int sse;
};

// Sums of a subset: n, s = sum(t), ss = (rr, gg, bb, aa), sx = (rg, rb, gb), sa = (ra, ga, ba).
struct Stats4 {
    int n;
    ivec4 s, ss;
    ivec3 sx, sa;
};

Stats4 stats4_sub(Stats4 a, Stats4 b)
{
    a.n -= b.n;
    a.s -= b.s;
    a.ss -= b.ss;
    a.sx -= b.sx;
    a.sa -= b.sa;
    return a;
}

// subset_axis in C with four channels (column k of the scatter, one power step; the same sums in the same order).
vec4 subset_axis4(Stats4 st, float q, out float num, out float den)
{
    num = 0.0;
    den = 1.0;
    if (st.n < 2) return vec4(0.0);
    int n = st.n;
    int c00 = n * st.ss.x - st.s.x * st.s.x, c11 = n * st.ss.y - st.s.y * st.s.y;
    int c22 = n * st.ss.z - st.s.z * st.s.z, c33 = n * st.ss.w - st.s.w * st.s.w;
    int c01 = n * st.sx.x - st.s.x * st.s.y, c02 = n * st.sx.y - st.s.x * st.s.z;
    int c12 = n * st.sx.z - st.s.y * st.s.z, c03 = n * st.sa.x - st.s.x * st.s.w;
    int c13 = n * st.sa.y - st.s.y * st.s.w, c23 = n * st.sa.z - st.s.z * st.s.w;
    int k = 0, ck = c00;
    if (c11 > ck) { k = 1; ck = c11; }
    if (c22 > ck) { k = 2; ck = c22; }
    if (c33 > ck) { k = 3; ck = c33; }
    if (ck == 0) return vec4(0.0);
    precise float trace = float(c00 + c11 + c22 + c33);
    precise float m00 = float(c00), m11 = float(c11), m22 = float(c22), m33 = float(c33);
    precise float m01 = float(c01), m02 = float(c02), m03 = float(c03), m12 = float(c12), m13 = float(c13),
                  m23 = float(c23);
    precise float v0 = k == 0 ? m00 : (k == 1 ? m01 : (k == 2 ? m02 : m03));
    precise float v1 = k == 0 ? m01 : (k == 1 ? m11 : (k == 2 ? m12 : m13));
    precise float v2 = k == 0 ? m02 : (k == 1 ? m12 : (k == 2 ? m22 : m23));
    precise float v3 = k == 0 ? m03 : (k == 1 ? m13 : (k == 2 ? m23 : m33));
    int e;
    frexp(max(max(max(abs(v0), abs(v1)), abs(v2)), abs(v3)), e);
    v0 = ldexp(v0, -e);
    v1 = ldexp(v1, -e);
    v2 = ldexp(v2, -e);
    v3 = ldexp(v3, -e);
    precise float vv = v0 * v0 + v1 * v1 + v2 * v2 + v3 * v3;
    precise float w0 = m00 * v0 + m01 * v1 + m02 * v2 + m03 * v3;
    precise float w1 = m01 * v0 + m11 * v1 + m12 * v2 + m13 * v3;
    precise float w2 = m02 * v0 + m12 * v1 + m22 * v2 + m23 * v3;
    precise float w3 = m03 * v0 + m13 * v1 + m23 * v2 + m33 * v3;
    precise float wv = w0 * v0 + w1 * v1 + w2 * v2 + w3 * v3;
    precise float nm = trace * vv * q - wv * (q - 1.0);
    precise float dn = vv * float(n) * q;
    num = nm;
    den = dn;
    return vec4(w0, w1, w2, w3);
}

// Sums of the texels of m1 (b) and of m2 (c) in one pass.
void stats4_pair(uint m1, uint m2, out Stats4 b, out Stats4 c)
{
    b.n = 0; b.s = ivec4(0); b.ss = ivec4(0); b.sx = ivec3(0); b.sa = ivec3(0);
    c = b;
    [[unroll]] for (int i = 0; i < 16; i++) {
        bool s1 = ((m1 >> i) & 1u) != 0u, s2 = ((m2 >> i) & 1u) != 0u;
        ivec4 t = texel(i);
        ivec4 tt = t * t;
        ivec3 x = t.xxy * t.yzz, a = t.xyz * t.w;
        if (s1) { b.n++; b.s += t; b.ss += tt; b.sx += x; b.sa += a; }
        if (s2) { c.n++; c.s += t; c.ss += tt; c.sx += x; c.sa += a; }
    }
}

// 8-bit RGBA of a quantized endpoint (alpha 255 unless rgba).
ivec4 expand4(tt_bc7_mode_info mi, bool rgba, ivec4 q, int p)
{
    bool has_p = mi.pbit_unique + mi.pbit_shared != 0;
    int cb = mi.color_bits;
    return ivec4(expand_channel(q.x, p, cb, has_p), expand_channel(q.y, p, cb, has_p), expand_channel(q.z, p, cb, has_p),
                 rgba ? expand_channel(q.w, p, mi.alpha_bits, has_p) : 255);
}

// Nearest quantized endpoint with p-bit p (alpha 0 unless rgba).
ivec4 quant4(tt_bc7_mode_info mi, bool rgba, vec4 x, int p)
{
    int cb = mi.color_bits;
    return ivec4(quant_channel(x.x, p, cb), quant_channel(x.y, p, cb), quant_channel(x.z, p, cb),
                 rgba ? quant_channel(x.w, p, mi.alpha_bits) : 0);
}

// assignm in C for every subset at once (assign_pair with three subsets and four channels).
void assign_sets(tt_bc7_mode_info mi, bool rgba, uint m1, uint m2, inout Sub4 A, inout Sub4 B, inout Sub4 C)
{
    int ib = mi.index_bits, nl = 1 << ib;
    ivec4 ea0 = expand4(mi, rgba, A.q0, A.p0), ea1 = expand4(mi, rgba, A.q1, A.p1);
    ivec4 eb0 = expand4(mi, rgba, B.q0, B.p0), eb1 = expand4(mi, rgba, B.q1, B.p1);
    ivec4 ec0 = expand4(mi, rgba, C.q0, C.p0), ec1 = expand4(mi, rgba, C.q1, C.p1);
    ivec4 da = ea1 - ea0, db = eb1 - eb0, dc = ec1 - ec0;
    int la = idot(da, da), lb = idot(db, db), lc = idot(dc, dc);
    int ra = la > 0 ? (nl - 1) * (((1 << 27) + la - 1) / la) : 0;
    int rb = lb > 0 ? (nl - 1) * (((1 << 27) + lb - 1) / lb) : 0;
    int rc = lc > 0 ? (nl - 1) * (((1 << 27) + lc - 1) / lc) : 0;
    int ssea = 0, sseb = 0, ssec = 0;
    uint alo = 0u, ahi = 0u, blo = 0u, bhi = 0u, clo = 0u, chi = 0u;
    [[unroll]] for (int i = 0; i < 16; i++) {
        bool s1 = ((m1 >> i) & 1u) != 0u, s2 = ((m2 >> i) & 1u) != 0u;
        ivec4 e0 = s1 ? eb0 : (s2 ? ec0 : ea0), d = s1 ? db : (s2 ? dc : da);
        int len2 = s1 ? lb : (s2 ? lc : la), rcp = s1 ? rb : (s2 ? rc : ra);
        ivec4 dt = texel(i) - e0;
        int dot_ = clamp(idot(dt, d), 0, len2);
        int k0 = min((dot_ * rcp) >> 27, nl - 2);
        int wa = ib == 2 ? TT_BC7_WEIGHT2(k0) : TT_BC7_WEIGHT3(k0);
        int wb = ib == 2 ? TT_BC7_WEIGHT2(k0 + 1) : TT_BC7_WEIGHT3(k0 + 1);
        ivec4 xa = ((wa * d + 32) >> 6) - dt, xb = ((wb * d + 32) >> 6) - dt;
        int ea = werr4(xa), eb = werr4(xb);
        bool up = eb < ea;
        int e = up ? eb : ea;
        ssea += s1 || s2 ? 0 : e;
        sseb += s1 ? e : 0;
        ssec += s2 ? e : 0;
        uint k = uint(k0 + (up ? 1 : 0)) << (4 * (i & 7));
        uint ka = s1 || s2 ? 0u : k, kb = s1 ? k : 0u, kc = s2 ? k : 0u;
        if (i < 8) {
            alo |= ka; blo |= kb; clo |= kc;
        } else {
            ahi |= ka; bhi |= kb; chi |= kc;
        }
    }
    A.idx_lo = alo; A.idx_hi = ahi; A.sse = ssea;
    B.idx_lo = blo; B.idx_hi = bhi; B.sse = sseb;
    C.idx_lo = clo; C.idx_hi = chi; C.sse = ssec;
}

// quant_search in C for every subset (x*0 / x*1: the subsets' float endpoints).
void quant_search_sets(tt_bc7_mode_info mi, bool rgba, uint m1, uint m2, vec4 xa0, vec4 xa1, vec4 xb0, vec4 xb1,
                       vec4 xc0, vec4 xc1, out Sub4 A, out Sub4 B, out Sub4 C)
{
    A.sse = 0x7FFFFFFF;
    B.sse = 0x7FFFFFFF;
    C.sse = 0x7FFFFFFF;
    // with lean, each subset takes the p-bits pbit_of gives (modes with one per endpoint) in a single round
    bool lean = TT_LEAN != 0 && mi.pbit_unique != 0;
    int ncombo = lean ? 1 : (mi.pbit_unique != 0 ? 4 : (mi.pbit_shared != 0 ? 2 : 1)), nch = rgba ? 4 : 3;
    int la = lean ? pbit_of(mi, nch, xa0) | (pbit_of(mi, nch, xa1) << 1) : 0;
    int lb = lean ? pbit_of(mi, nch, xb0) | (pbit_of(mi, nch, xb1) << 1) : 0;
    int lc = lean ? pbit_of(mi, nch, xc0) | (pbit_of(mi, nch, xc1) << 1) : 0;
    [[dont_unroll]] for (int combo = 0; combo < ncombo; combo++) {
        Sub4 ta, tb, tc;
        int ka = lean ? la : combo, kb = lean ? lb : combo, kc = lean ? lc : combo;
        ta.p0 = ka & 1; ta.p1 = mi.pbit_unique != 0 ? ka >> 1 : ka & 1;
        tb.p0 = kb & 1; tb.p1 = mi.pbit_unique != 0 ? kb >> 1 : kb & 1;
        tc.p0 = kc & 1; tc.p1 = mi.pbit_unique != 0 ? kc >> 1 : kc & 1;
        ta.q0 = quant4(mi, rgba, xa0, ta.p0);
        ta.q1 = quant4(mi, rgba, xa1, ta.p1);
        tb.q0 = quant4(mi, rgba, xb0, tb.p0);
        tb.q1 = quant4(mi, rgba, xb1, tb.p1);
        tc.q0 = quant4(mi, rgba, xc0, tc.p0);
        tc.q1 = quant4(mi, rgba, xc1, tc.p1);
        assign_sets(mi, rgba, m1, m2, ta, tb, tc);
        if (ta.sse < A.sse) A = ta;
        if (tb.sse < B.sse) B = tb;
        if (tc.sse < C.sse) C = tc;
    }
}

// Least-squares endpoints of every subset from one texel pass: sums of subsets 1, 2 and of the whole block;
// subset 0 = whole - the others (exact).
void ls_sets(tt_bc7_mode_info mi, uint m1, uint m2, Sub4 A, Sub4 B, Sub4 C, out bvec3 ok, out vec4 xa0,
             out vec4 xa1, out vec4 xb0, out vec4 xb1, out vec4 xc0, out vec4 xc1)
{
    int ib = mi.index_bits;
    uint lo = A.idx_lo | B.idx_lo | C.idx_lo, hi = A.idx_hi | B.idx_hi | C.idx_hi;
    ivec3 tabc = ivec3(0), babc = ivec3(0), cabc = ivec3(0); // (a, bb, cc) of ls_solve
    ivec4 ts0 = ivec4(0), ts1 = ivec4(0), bs0 = ivec4(0), bs1 = ivec4(0), cs0 = ivec4(0), cs1 = ivec4(0);
    [[unroll]] for (int i = 0; i < 16; i++) {
        bool s1 = ((m1 >> i) & 1u) != 0u, s2 = ((m2 >> i) & 1u) != 0u;
        int ix = get_idx(lo, hi, i);
        int w = ib == 2 ? TT_BC7_WEIGHT2(ix) : TT_BC7_WEIGHT3(ix), iw = 64 - w;
        ivec4 t = texel(i);
        ivec4 u0 = iw * t, u1 = w * t;
        ivec3 abc = ivec3(iw * iw, iw * w, w * w);
        tabc += abc;
        ts0 += u0;
        ts1 += u1;
        if (s1) { babc += abc; bs0 += u0; bs1 += u1; }
        if (s2) { cabc += abc; cs0 += u0; cs1 += u1; }
    }
    ivec3 aabc = tabc - babc - cabc;
    ok.x = ls_solve(aabc.x, aabc.y, aabc.z, ts0 - bs0 - cs0, ts1 - bs1 - cs1, xa0, xa1);
    ok.y = ls_solve(babc.x, babc.y, babc.z, bs0, bs1, xb0, xb1);
    ok.z = ls_solve(cabc.x, cabc.y, cabc.z, cs0, cs1, xc0, xc1);
}

vec4 texel_rgba_at(int ix)
{
    uint p = 0u;
    [[unroll]] for (int i = 0; i < 16; i++)
        if (i == ix) p = tp[i];
    return vec4(p & 255u, (p >> 8) & 255u, (p >> 16) & 255u, p >> 24);
}

// joint_step3 for the subsets of encode_sets (alpha moves only in mode 7).
bool joint_step4(ivec4 qmax, bool rgba, inout Sub4 S, int j, int s, int kind)
{
    int p = j == 0 ? S.p0 : S.p1, dq;
    joint_dq(p, s, kind, dq);
    ivec4 q = (j == 0 ? S.q0 : S.q1) + ivec4(dq, dq, dq, rgba ? dq : 0);
    if (j == 0) {
        S.q0 = q;
        S.p0 = p;
    } else {
        S.q1 = q;
        S.p1 = p;
    }
    return all(greaterThanEqual(q, ivec4(0))) && all(lessThanEqual(q, qmax));
}

// The index trials at `level` and the +-1 pass of encode_sets (index_trials and jitter_subset in C), every subset
// in lockstep from its state in A, B, C.
void polish_sets(tt_bc7_mode_info mi, bool rgba, uint m1, uint m2, int level, inout Sub4 A, inout Sub4 B, inout Sub4 C)
{
    // index trials (index_trials in C), every subset in lockstep from its indices at this point
    {
        int top = (1 << mi.index_bits) - 1, q = level - 1;
        uint mk0 = ~(m1 | m2) & 0xFFFFu;
        Sub4 ba = A, bb = B, bc = C;
        ivec2 ra = index_range(ba.idx_lo, ba.idx_hi, mk0, top), rb = index_range(bb.idx_lo, bb.idx_hi, m1, top);
        ivec2 rc = index_range(bc.idx_lo, bc.idx_hi, m2, top);
        [[dont_unroll]] for (int tr = 0; tr < trial_count(level); tr++) {
            bvec3 lv = bvec3(A.sse > 0, B.sse > 0, C.sse > 0);
            if (!any(lv)) break;
            Sub4 pa = ba, pb = bb, pq = bc;
            uvec2 ia = trial_indices(ba.idx_lo, ba.idx_hi, mk0, tr, q, top, ra);
            uvec2 ib = trial_indices(bb.idx_lo, bb.idx_hi, m1, tr, q, top, rb);
            uvec2 ic = trial_indices(bc.idx_lo, bc.idx_hi, m2, tr, q, top, rc);
            pa.idx_lo = ia.x;
            pa.idx_hi = ia.y;
            pb.idx_lo = ib.x;
            pb.idx_hi = ib.y;
            pq.idx_lo = ic.x;
            pq.idx_hi = ic.y;
            bvec3 ok;
            vec4 ya0, ya1, yb0, yb1, yc0, yc1;
            ls_sets(mi, m1, m2, pa, pb, pq, ok, ya0, ya1, yb0, yb1, yc0, yc1);
            lv = bvec3(lv.x && ok.x, lv.y && ok.y, lv.z && ok.z);
            if (!any(lv)) continue;
            Sub4 ca, cb, cc;
            quant_search_sets(mi, rgba, m1, m2, ya0, ya1, yb0, yb1, yc0, yc1, ca, cb, cc);
            if (lv.x && ca.sse < A.sse) A = ca;
            if (lv.y && cb.sse < B.sse) B = cb;
            if (lv.z && cc.sse < C.sse) C = cc;
        }
    }
    int nch = rgba ? 4 : 3;
    int qc = (1 << mi.color_bits) - 1, qa = (1 << mi.alpha_bits) - 1;
    bvec3 jit = bvec3(A.sse > 0, B.sse > 0, C.sse > 0);
    [[dont_unroll]] for (int pass = 0; pass < TWO_JITTER && any(jit); pass++) {
        bvec3 imp = bvec3(false);
        // (endpoint j, channel k, step s) in C's nesting order, then the joint steps (as in encode_pair)
        int nk = mi.pbit_unique != 0 ? 2 : 1;
        ivec4 qm = ivec4(qc, qc, qc, rgba ? qa : 0);
        [[dont_unroll]] for (int m = 0; m < 4 * nch + 4 * nk * TT_JOINT; m++) {
            Sub4 ca = A, cb = B, cc = C;
            bool oka, okb, okc;
            if (m < 4 * nch) {
                int j = m / (2 * nch), k = (m >> 1) % nch, s = (m & 1) != 0 ? 1 : -1;
                int qmax = k == 3 ? qa : qc;
                int va = ivec4_at(j == 0 ? A.q0 : A.q1, k) + s;
                int vb = ivec4_at(j == 0 ? B.q0 : B.q1, k) + s;
                int vc = ivec4_at(j == 0 ? C.q0 : C.q1, k) + s;
                oka = jit.x && va >= 0 && va <= qmax;
                okb = jit.y && vb >= 0 && vb <= qmax;
                okc = jit.z && vc >= 0 && vc <= qmax;
                if (j == 0) {
                    ca.q0 = ivec4_set(ca.q0, k, va);
                    cb.q0 = ivec4_set(cb.q0, k, vb);
                    cc.q0 = ivec4_set(cc.q0, k, vc);
                } else {
                    ca.q1 = ivec4_set(ca.q1, k, va);
                    cb.q1 = ivec4_set(cb.q1, k, vb);
                    cc.q1 = ivec4_set(cc.q1, k, vc);
                }
            } else {
                int r = m - 4 * nch, j = r / (2 * nk), s = ((r / nk) & 1) != 0 ? 1 : -1, kind = nk == 2 ? r & 1 : 1;
                oka = jit.x && joint_step4(qm, rgba, ca, j, s, kind);
                okb = jit.y && joint_step4(qm, rgba, cb, j, s, kind);
                okc = jit.z && joint_step4(qm, rgba, cc, j, s, kind);
            }
            if (!oka && !okb && !okc) continue;
            assign_sets(mi, rgba, m1, m2, ca, cb, cc);
            if (oka && ca.sse < A.sse) { A = ca; imp.x = true; }
            if (okb && cb.sse < B.sse) { B = cb; imp.y = true; }
            if (okc && cc.sse < C.sse) { C = cc; imp.z = true; }
        }
        jit = bvec3(jit.x && imp.x && A.sse > 0, jit.y && imp.y && B.sse > 0, jit.z && imp.z && C.sse > 0);
    }
}

// encode_subset in C for subset 0 -> A, 1 (m1) -> B, 2 (m2) -> C, in lockstep (encode_pair's scheme).
void encode_sets(tt_bc7_mode_info mi, bool rgba, uint m1, uint m2, Stats4 all, out Sub4 A, out Sub4 B, out Sub4 C)
{
    Stats4 sb, sc;
    stats4_pair(m1, m2, sb, sc);
    Stats4 sa = stats4_sub(stats4_sub(all, sb), sc);
    float an, ad;
    vec4 dira = subset_axis4(sa, 1.0, an, ad);
    vec4 dirb = subset_axis4(sb, 1.0, an, ad);
    vec4 dirc = subset_axis4(sc, 1.0, an, ad);
    precise float loa = 0.0, hia = 0.0, lob = 0.0, hib = 0.0, loc = 0.0, hic = 0.0;
    int iloa = -1, ihia = -1, ilob = -1, ihib = -1, iloc = -1, ihic = -1;
    [[unroll]] for (int i = 0; i < 16; i++) {
        bool s1 = ((m1 >> i) & 1u) != 0u, s2 = ((m2 >> i) & 1u) != 0u;
        vec4 dir = s1 ? dirb : (s2 ? dirc : dira);
        ivec4 t = texel(i);
        precise float pr = float(t.x) * dir.x + float(t.y) * dir.y + float(t.z) * dir.z + float(t.w) * dir.w;
        if (s1) {
            if (ilob < 0 || pr < lob) { lob = pr; ilob = i; }
            if (ihib < 0 || pr > hib) { hib = pr; ihib = i; }
        } else if (s2) {
            if (iloc < 0 || pr < loc) { loc = pr; iloc = i; }
            if (ihic < 0 || pr > hic) { hic = pr; ihic = i; }
        } else {
            if (iloa < 0 || pr < loa) { loa = pr; iloa = i; }
            if (ihia < 0 || pr > hia) { hia = pr; ihia = i; }
        }
    }
    vec4 xa0 = texel_rgba_at(iloa), xa1 = texel_rgba_at(ihia);
    vec4 xb0 = texel_rgba_at(ilob), xb1 = texel_rgba_at(ihib);
    vec4 xc0 = texel_rgba_at(iloc), xc1 = texel_rgba_at(ihic);
    // Round 0 quantizes the extreme texels, rounds 1..REFIT_ITERATIONS the least-squares endpoints (C's
    // quant_search then refit loop), through one call site to keep the shader small.
    bvec3 live = bvec3(true); // still refitting
    [[dont_unroll]] for (int it = 0; it <= REFIT_ITERATIONS && any(live); it++) {
        if (it > 0) {
            bvec3 ok;
            ls_sets(mi, m1, m2, A, B, C, ok, xa0, xa1, xb0, xb1, xc0, xc1);
            live = bvec3(live.x && ok.x, live.y && ok.y, live.z && ok.z);
            if (!any(live)) break;
        }
        Sub4 ca, cb, cc;
        quant_search_sets(mi, rgba, m1, m2, xa0, xa1, xb0, xb1, xc0, xc1, ca, cb, cc);
        if (it == 0) {
            A = ca;
            B = cb;
            C = cc;
        } else {
            if (live.x) {
                if (ca.sse >= A.sse) live.x = false;
                else A = ca;
            }
            if (live.y) {
                if (cb.sse >= B.sse) live.y = false;
                else B = cb;
            }
            if (live.z) {
                if (cc.sse >= C.sse) live.z = false;
                else C = cc;
            }
        }
        live = bvec3(live.x && A.sse > 0, live.y && B.sse > 0, live.z && C.sse > 0);
    }
    polish_sets(mi, rgba, m1, m2, pc.index_trials, A, B, C);
}

// Masks (m1, m2) and anchors (a1, a2; a2 = 0 for two subsets) of partition pt of a three- or two-subset mode.
void sets_partition(bool three, int pt, out uint m1, out uint m2, out uint a1, out uint a2)
{
    uint w = three ? s_part3[pt] : s_part[pt];
    m1 = w & 0xFFFFu;
    m2 = three ? w >> 16 : 0u;
    uint an = s_anc3[pt];
    a1 = three ? an & 15u : w >> 16;
    a2 = three ? an >> 8 : 0u;
}

// Swaps the endpoints and p-bits of a subset whose anchor index has its MSB set and mirrors its indices (nm: its
// nibble mask).
void fix_anchor(inout Sub4 S, int anchor, int nl, uint mask)
{
    if (get_idx(S.idx_lo, S.idx_hi, anchor) < nl / 2) return;
    ivec4 t = S.q0; S.q0 = S.q1; S.q1 = t;
    int p = S.p0; S.p0 = S.p1; S.p1 = p;
    uint rep = uint(nl - 1) * 0x11111111u;
    uvec2 nm = nibble_mask(mask);
    S.idx_lo ^= rep & nm.x;
    S.idx_hi ^= rep & nm.y;
}

// pack_multi in C for modes 0, 2 and 7 (and 1 and 3 for the final polish), straight into the bits in the mode
// table's order.
uvec4 pack_sets(int mode, int part, Sub4 A, Sub4 B, Sub4 C)
{
    tt_bc7_mode_info mi = tt_bc7_mode(mode);
    bool three = mi.subsets == 3;
    int nl = 1 << mi.index_bits;
    uint m1, m2, a1, a2;
    sets_partition(three, part, m1, m2, a1, a2);
    fix_anchor(A, 0, nl, 0xFFFFu & ~(m1 | m2));
    fix_anchor(B, int(a1), nl, m1);
    if (three) fix_anchor(C, int(a2), nl, m2);
    uvec4 b = uvec4(0u);
    uint pos = 0u, cb = uint(mi.color_bits), ab = uint(mi.alpha_bits);
    put_bits_adv(b, pos, uint(mode) + 1u, 1u << uint(mode));
    put_bits_adv(b, pos, uint(mi.part_bits), uint(part));
    [[unroll]] for (int k = 0; k < 4; k++) {
        uint n = k == 3 ? ab : cb; // 0 bits of alpha in modes 0, 2
        put_bits_adv(b, pos, n, uint(ivec4_at(A.q0, k)));
        put_bits_adv(b, pos, n, uint(ivec4_at(A.q1, k)));
        put_bits_adv(b, pos, n, uint(ivec4_at(B.q0, k)));
        put_bits_adv(b, pos, n, uint(ivec4_at(B.q1, k)));
        if (three) {
            put_bits_adv(b, pos, n, uint(ivec4_at(C.q0, k)));
            put_bits_adv(b, pos, n, uint(ivec4_at(C.q1, k)));
        }
    }
    if (mi.pbit_unique != 0) { // modes 0, 3, 7 (mode 2 has none)
        put_bits_adv(b, pos, 1u, uint(A.p0));
        put_bits_adv(b, pos, 1u, uint(A.p1));
        put_bits_adv(b, pos, 1u, uint(B.p0));
        put_bits_adv(b, pos, 1u, uint(B.p1));
        if (three) {
            put_bits_adv(b, pos, 1u, uint(C.p0));
            put_bits_adv(b, pos, 1u, uint(C.p1));
        }
    } else if (mi.pbit_shared != 0) { // mode 1: one per subset
        put_bits_adv(b, pos, 1u, uint(A.p0));
        put_bits_adv(b, pos, 1u, uint(B.p0));
    }
    uint lo = A.idx_lo | B.idx_lo | C.idx_lo, hi = A.idx_hi | B.idx_hi | C.idx_hi, ib = uint(mi.index_bits);
    [[unroll]] for (int i = 0; i < 16; i++) {
        uint n = ib - ((i == 0 || uint(i) == a1 || uint(i) == a2) ? 1u : 0u);
        put_bits_adv(b, pos, n, uint(get_idx(lo, hi, i)));
    }
    return b;
}

// Best block of mode 0, 2 or 7 into blk (encode_multi and pack_multi in C); returns its weighted SSE.
int encode_sets_block(int mode, out uvec4 blk)
{
    tt_bc7_mode_info mi = tt_bc7_mode(mode);
    bool three = mi.subsets == 3, rgba = mode == 7;
    int nparts = 1 << mi.part_bits;
    int keep = keep_count(mode, nparts);
    precise float knum[TT_BC7_MAX_PARTITIONS], kden[TT_BC7_MAX_PARTITIONS];
    int kpart[TT_BC7_MAX_PARTITIONS];
    [[unroll]] for (int j = 0; j < TT_BC7_MAX_PARTITIONS; j++) {
        knum[j] = 1.0;
        kden[j] = 0.0; // +infinity
        kpart[j] = 0;
    }
    float q = float(((1 << mi.index_bits) - 1) * ((1 << mi.index_bits) - 1)); // as in C
    Stats4 all, none;
    stats4_pair(0xFFFFu, 0u, all, none);
    [[dont_unroll]] for (int pt = 0; pt < nparts; pt++) {
        uint m1, m2, a1, a2;
        sets_partition(three, pt, m1, m2, a1, a2);
        Stats4 s1, s2;
        stats4_pair(m1, m2, s1, s2);
        float n0, d0, n1, d1, n2, d2;
        subset_axis4(stats4_sub(stats4_sub(all, s1), s2), q, n0, d0);
        subset_axis4(s1, q, n1, d1);
        subset_axis4(s2, q, n2, d2); // an empty subset 2 (mode 7): 0 / 1, as in C
        precise float num = (n0 * d1 + n1 * d0) * d2 + n2 * (d0 * d1), den = d0 * d1 * d2;
        TT_KEEP_INSERT(keep, knum, kden, kpart, num, den, pt)
    }
    int best_sse = 0x7FFFFFFF, part = 0;
    Sub4 A, B, C;
    [[dont_unroll]] for (int m = 0; m < keep; m++) {
        int pt = 0;
        [[unroll]] for (int j = 0; j < TT_BC7_MAX_PARTITIONS; j++)
            if (j == m) pt = kpart[j];
        uint m1, m2, a1, a2;
        sets_partition(three, pt, m1, m2, a1, a2);
        Sub4 a, b, c;
        encode_sets(mi, rgba, m1, m2, all, a, b, c);
        int sse = a.sse + b.sse + c.sse;
        if (sse < best_sse) {
            best_sse = sse;
            part = pt;
            A = a;
            B = b;
            C = c;
        }
    }
    blk = pack_sets(mode, part, A, B, C);
    return best_sse;
}

// The family's entry (tt_bc7_ref_encode_multi in C): the best block of `mode` into blk and its weighted SSE, or
// TT_BC7_NO_CANDIDATE (blk untouched) where the mode cannot encode this block.
int encode_multi_block(int mode, out uvec4 blk)
{
    if (mode == 7) return encode_sets_block(mode, blk);
    if (!opaque) return TT_BC7_NO_CANDIDATE; // modes 0-3 decode alpha 255
    if (mode == 0 || mode == 2) return encode_sets_block(mode, blk);
    if (mode != 1 && mode != 3) return TT_BC7_NO_CANDIDATE;
    int part;
    Sub s0, s1;
    int sse = encode_multi(mode, part, s0, s1);
    blk = pack_multi(mode, part, s0, s1);
    return sse;
}
