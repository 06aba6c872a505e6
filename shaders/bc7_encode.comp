// bc7_encode.comp - BC7 mode-6 encoder, one invocation per 4x4 block; mirrors src/bc7/bc7_encode_ref.c op for op.
#version 450

// Keep in step with bc7_encode_ref.c: same float operations in the same
// order, all `precise` (no FMA contraction), constants given by their exact
// float bits, integer decisions after quantization. See docs/bc7.md.

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;

layout(std430, set = 0, binding = 0) readonly buffer Src { uint src_px[]; };  // RGBA8, one uint per pixel
layout(std430, set = 0, binding = 1) writeonly buffer Dst { uvec4 dst_blocks[]; };

layout(push_constant) uniform Push {
    uint width;        // image size in pixels
    uint height;
    uint blocks_x;     // ceil(width / 4)
    uint block_row0;   // first block row of this band
    uint band_rows;    // block rows in this band
    uint src_row0;     // first pixel row held in src_px
    int refine;
    float good_enough;
    int nm_iterations;
    int refit;
} pc;

#define REFIT_ITERATIONS 2
#define JITTER_PASSES 2

#define INV255 uintBitsToFloat(0x3B808081u)  // 1.0f / 255.0f
#define NM_ALPHA uintBitsToFloat(0x3FA66666u) // 1.3f
#define NM_GAMMA uintBitsToFloat(0x400CCCCDu) // 2.2f
#define NM_RHO uintBitsToFloat(0x3F0CCCCDu)   // 0.55f
#define NM_SIGMA uintBitsToFloat(0x3EE66666u) // 0.45f
#define NM_STEP uintBitsToFloat(0x3DCCCCCDu)  // 0.1f
#define STRETCH uintBitsToFloat(0x40088889u)  // 64.0f / 30.0f

ivec4 tex[16];
bool opaque;

// A quantized candidate. q: 7-bit endpoints (e0 rgba, e1 rgba); indices
// packed 4 bits per texel (lo: texels 0..7, hi: 8..15).
struct Cand {
    ivec4 q0, q1;
    int p0, p1;
    uint idx_lo, idx_hi;
    int sse;
    int half_range;
};

int get_idx(Cand c, int i) { return int(((i < 8 ? c.idx_lo : c.idx_hi) >> (4 * (i & 7))) & 15u); }

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

void assign_indices(inout Cand c)
{
    ivec4 e0 = (c.q0 << 1) | c.p0, e1 = (c.q1 << 1) | c.p1;
    ivec4 d = e1 - e0;
    int len2 = d.x * d.x + d.y * d.y + d.z * d.z + d.w * d.w;
    int kmax = c.half_range != 0 ? 6 : 14;
    int sse = 0;
    uint lo = 0u, hi = 0u;
    for (int i = 0; i < 16; i++) {
        int k0 = 0;
        if (len2 > 0) {
            ivec4 dt = tex[i] - e0;
            int dot_ = dt.x * d.x + dt.y * d.y + dt.z * d.z + dt.w * d.w;
            dot_ = clamp(dot_, 0, len2);
            k0 = (15 * dot_) / len2;
        }
        k0 = min(k0, kmax);
        int wa = (64 * k0 + 7) / 15, wb = (64 * (k0 + 1) + 7) / 15;
        ivec4 va = ((64 - wa) * e0 + wa * e1 + 32) >> 6;
        ivec4 vb = ((64 - wb) * e0 + wb * e1 + 32) >> 6;
        ivec4 da = va - tex[i], db = vb - tex[i];
        int ea = da.x * da.x + da.y * da.y + da.z * da.z + da.w * da.w;
        int eb = db.x * db.x + db.y * db.y + db.z * db.z + db.w * db.w;
        int k = k0;
        if (eb < ea) {
            k = k0 + 1;
            sse += eb;
        } else {
            sse += ea;
        }
        if (i < 8) lo |= uint(k) << (4 * i);
        else hi |= uint(k) << (4 * (i - 8));
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
    for (int combo = first; combo <= last; combo++) {
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
    for (int i = 0; i < 16; i++) {
        precise float a = float(tex[i].w) * INV255;
        t[i].x = (float(tex[i].x) * INV255) * a;
        t[i].y = (float(tex[i].y) * INV255) * a;
        t[i].z = (float(tex[i].z) * INV255) * a;
        t[i].w = a;
        amin = min(amin, a);
        amax = max(amax, a);
        m = m + t[i];
    }
    m = m * 0.0625;
    precise vec4 s[3];
    for (int a = 0; a < 3; a++) {
        s[a] = vec4(0.0);
        for (int i = 0; i < 16; i++)
            if (t[i][a] - m[a] > 0.0) s[a] = s[a] + (t[i] - m);
    }
    int pick = 0;
    precise float best_len = -1.0;
    for (int a = 0; a < 3; a++) {
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
    for (int i = 0; i < 16; i++) {
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
    for (int i = 0; i < 16; i++) m = m + vec4(tex[i]);
    m = m * 0.0625;
    precise vec4 cv[4];
    cv[0] = vec4(0.0); cv[1] = vec4(0.0); cv[2] = vec4(0.0); cv[3] = vec4(0.0);
    for (int i = 0; i < 16; i++) {
        precise vec4 d = vec4(tex[i]) - m;
        cv[0] = cv[0] + d * d.x;
        cv[1] = cv[1] + d * d.y;
        cv[2] = cv[2] + d * d.z;
        cv[3] = cv[3] + d * d.w;
    }
    precise vec4 v = vec4(1.0);
    for (int it = 0; it < 8; it++) {
        precise vec4 u;
        for (int a = 0; a < 4; a++)
            u[a] = cv[a].x * v.x + cv[a].y * v.y + cv[a].z * v.z + cv[a].w * v.w;
        precise float mx = max(max(abs(u.x), abs(u.y)), max(abs(u.z), abs(u.w)));
        if (mx == 0.0) break;
        int e;
        frexp(mx, e);
        v = ldexp(u, ivec4(-e));
    }
    precise float l2 = v.x * v.x + v.y * v.y + v.z * v.z + v.w * v.w;
    precise float lo = 0.0, hi = 0.0;
    for (int i = 0; i < 16; i++) {
        precise vec4 tm = vec4(tex[i]) - m;
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

// Nelder-Mead over (e0.rgba, e1.rgba); vertices as two vec4 halves.
void nelder_mead(inout vec4 v0, inout vec4 v1, int loss0, int iterations)
{
    precise vec4 s0[9], s1[9];
    int l[9];
    s0[0] = v0;
    s1[0] = v1;
    l[0] = loss0;
    for (int j = 1; j < 9; j++) {
        s0[j] = v0;
        s1[j] = v1;
        if (j <= 4) s0[j][j - 1] = clamp(v0[j - 1] + NM_STEP, 0.0, 1.0);
        else s1[j][j - 5] = clamp(v1[j - 5] + NM_STEP, 0.0, 1.0);
        l[j] = nm_loss(s0[j], s1[j]);
    }
    for (int it = 0; it < iterations; it++) {
        int b = 0, w = 0;
        for (int j = 1; j < 9; j++) {
            if (l[j] < l[b]) b = j;
            if (l[j] >= l[w]) w = j;
        }
        if (l[w] == l[b]) break;
        int sw = w == 0 ? 1 : 0;
        for (int j = 0; j < 9; j++)
            if (j != w && l[j] >= l[sw]) sw = j;
        precise vec4 acc0 = vec4(0.0), acc1 = vec4(0.0), w0 = vec4(0.0), w1 = vec4(0.0), b0 = vec4(0.0), b1 = vec4(0.0);
        int lw = 0, lb = 0, lsw = 0;
        for (int j = 0; j < 9; j++) {
            if (j != w) {
                acc0 = acc0 + s0[j];
                acc1 = acc1 + s1[j];
            } else {
                w0 = s0[j];
                w1 = s1[j];
                lw = l[j];
            }
            if (j == b) {
                b0 = s0[j];
                b1 = s1[j];
                lb = l[j];
            }
            if (j == sw) lsw = l[j];
        }
        precise vec4 c0 = acc0 * 0.125, c1 = acc1 * 0.125;
        precise vec4 r0 = clamp(c0 + NM_ALPHA * (c0 - w0), 0.0, 1.0);
        precise vec4 r1 = clamp(c1 + NM_ALPHA * (c1 - w1), 0.0, 1.0);
        int lr = nm_loss(r0, r1);
        precise vec4 n0 = r0, n1 = r1;
        int ln = lr;
        bool shrink = false;
        if (lr < lb) {
            precise vec4 x0 = clamp(c0 + NM_GAMMA * (r0 - c0), 0.0, 1.0);
            precise vec4 x1 = clamp(c1 + NM_GAMMA * (r1 - c1), 0.0, 1.0);
            int lx = nm_loss(x0, x1);
            if (lx < lr) {
                n0 = x0;
                n1 = x1;
                ln = lx;
            }
        } else if (lr < lsw) {
            // keep the reflection
        } else {
            precise vec4 k0 = clamp(c0 + NM_RHO * (w0 - c0), 0.0, 1.0);
            precise vec4 k1 = clamp(c1 + NM_RHO * (w1 - c1), 0.0, 1.0);
            int lk = nm_loss(k0, k1);
            n0 = k0;
            n1 = k1;
            ln = lk;
            shrink = !(lk < lw);
        }
        if (!shrink) {
            for (int j = 0; j < 9; j++)
                if (j == w) {
                    s0[j] = n0;
                    s1[j] = n1;
                    l[j] = ln;
                }
        } else {
            for (int j = 0; j < 9; j++) {
                if (j == b) continue;
                s0[j] = clamp(b0 + NM_SIGMA * (s0[j] - b0), 0.0, 1.0);
                s1[j] = clamp(b1 + NM_SIGMA * (s1[j] - b1), 0.0, 1.0);
                l[j] = nm_loss(s0[j], s1[j]);
            }
        }
    }
    int b = 0;
    for (int j = 1; j < 9; j++)
        if (l[j] < l[b]) b = j;
    for (int j = 0; j < 9; j++)
        if (j == b) {
            v0 = s0[j];
            v1 = s1[j];
        }
}

bool ls_endpoints(Cand c, out vec4 x0, out vec4 x1)
{
    int a = 0, bb = 0, cc = 0;
    ivec4 s0 = ivec4(0), s1 = ivec4(0);
    for (int i = 0; i < 16; i++) {
        int w = (64 * get_idx(c, i) + 7) / 15, iw = 64 - w;
        a += iw * iw;
        bb += iw * w;
        cc += w * w;
        s0 += iw * tex[i];
        s1 += w * tex[i];
    }
    int det = a * cc - bb * bb;
    x0 = vec4(0.0);
    x1 = vec4(0.0);
    if (det <= 0) return false;
    precise float fa = float(a), fb = float(bb), fc = float(cc), fdet = float(det);
    precise vec4 n0 = fc * vec4(s0) - fb * vec4(s1);
    precise vec4 n1 = fa * vec4(s1) - fb * vec4(s0);
    x0 = (n0 * 64.0) / fdet;
    x1 = (n1 * 64.0) / fdet;
    return true;
}

int get_q(Cand c, int j, int k) { return j == 0 ? c.q0[k] : c.q1[k]; }

Cand polish(vec4 x0, vec4 x1, int half_range)
{
    Cand best = quantize_pbit_search(x0, x1, half_range);
    for (int it = 0; it < REFIT_ITERATIONS && best.sse > 0; it++) {
        vec4 y0, y1;
        if (!ls_endpoints(best, y0, y1)) break;
        Cand c = quantize_pbit_search(y0, y1, half_range);
        if (c.sse >= best.sse) break;
        best = c;
    }
    int nc = opaque ? 3 : 4;
    for (int pass = 0; pass < JITTER_PASSES && best.sse > 0; pass++) {
        bool improved = false;
        for (int j = 0; j < 2; j++)
            for (int k = 0; k < nc; k++)
                for (int s = -1; s <= 1; s += 2) {
                    int q = get_q(best, j, k) + s;
                    if (q < 0 || q > 127) continue;
                    Cand c = best;
                    if (j == 0) c.q0[k] = q;
                    else c.q1[k] = q;
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
    b[word] |= v << sh;
    if (sh + n > 32u) b[word + 1u] |= v >> (32u - sh);
}

uvec4 pack_mode6(Cand c)
{
    bool swap = get_idx(c, 0) >= 8;
    ivec4 e0 = swap ? c.q1 : c.q0, e1 = swap ? c.q0 : c.q1;
    uvec4 b = uvec4(0u);
    put_bits(b, 0u, 7u, 0x40u);
    for (uint k = 0u; k < 4u; k++) {
        put_bits(b, 7u + 14u * k, 7u, uint(e0[k]));
        put_bits(b, 14u + 14u * k, 7u, uint(e1[k]));
    }
    put_bits(b, 63u, 1u, uint(swap ? c.p1 : c.p0));
    put_bits(b, 64u, 1u, uint(swap ? c.p0 : c.p1));
    for (int t = 0; t < 16; t++) {
        uint idx = uint(get_idx(c, t));
        if (swap) idx = 15u - idx;
        if (t == 0) put_bits(b, 65u, 3u, idx);
        else put_bits(b, 64u + 4u * uint(t), 4u, idx);
    }
    return b;
}

void main()
{
    uint bx = gl_GlobalInvocationID.x, by_local = gl_GlobalInvocationID.y;
    if (bx >= pc.blocks_x || by_local >= pc.band_rows) return;
    uint by = pc.block_row0 + by_local;
    opaque = true;
    for (int i = 0; i < 16; i++) {
        uint x = min(bx * 4u + uint(i & 3), pc.width - 1u);
        uint y = min(by * 4u + uint(i >> 2), pc.height - 1u) - pc.src_row0;
        uint p = src_px[y * pc.width + x];
        tex[i] = ivec4(p & 255u, (p >> 8) & 255u, (p >> 16) & 255u, p >> 24);
        if (tex[i].w != 255) opaque = false;
    }

    vec4 v0, v1;
    pca_guess(v0, v1);
    int loss = nm_loss(v0, v1);
    if (pc.refine != 0 && float(loss) > pc.good_enough * 65025.0) nelder_mead(v0, v1, loss, pc.nm_iterations);

    precise vec4 x0 = v0 * 255.0, x1 = v1 * 255.0;
    Cand best;
    if (pc.refit != 0) {
        best = polish(x0, x1, 0);
        if (best.sse > 0) {
            principal_axis_guess(x0, x1);
            Cand c = polish(x0, x1, 0);
            if (c.sse < best.sse) best = c;
        }
        if (opaque && best.sse > 0) {
            precise vec3 e0 = vec3(2 * best.q0.xyz + 1), e1 = vec3(2 * best.q1.xyz + 1);
            x0 = vec4(e0, 255.0);
            x1 = vec4(e0 + (e1 - e0) * STRETCH, 255.0);
            Cand h = polish(x0, x1, 1);
            if (h.sse < best.sse) best = h;
        }
    } else {
        best = quantize_nearest(x0, x1);
    }
    dst_blocks[by_local * pc.blocks_x + bx] = pack_mode6(best);
}
