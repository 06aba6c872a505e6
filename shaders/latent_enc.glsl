// latent_enc.glsl - latent-grid encoder for the shared trainer/decoder: bilinear or bicubic align-corners sampling of the HWC grids (lo, then hi or a hi pyramid), forward and atomic backward.
// Included after nn_common.glsl (P[], G[], enc_out, enc_dfeat, grad_add, pc)
// and before nn_train.glsl / nn_decode.glsl. Mirrors src/neural/latent.c.
//
// Parameters [0, LAT_TOTAL) of P[] are the grids: lo at 0, hi at LAT_OFFSET_HI (a pyramid's finer hi grids follow),
// value(c, x, y) = grid[base + (y*W + x)*C + c]. Once QAT is on (pc.flags bit
// 0) the forward sees every value quantised with its channel's range, which
// latent_minmax.comp left in the STATE buffer; the backward adds into G[] at
// the same index (the straight-through estimator: d quant(v) / dv = 1).
//
// The trainer (NN_TRAIN_STEP) gives each workgroup the pixel box its samples
// come from (nn_strip_box). When the grid points under it fit in LAT_PATCH
// floats, the group copies them, quantised, into shared memory once and
// samples them there: the QAT arithmetic runs once per value instead of once
// per sample and corner. The gradients still go to G[] with global atomics:
// summing them in the patch with shared float atomics was slower (H200: 1.39 s
// against 1.23 s for 5000 steps; they are compare-and-swap loops there), and
// even unsynchronised shared adds saved nothing over the global atomics.

layout(constant_id = LAT_SPEC_CH_LO) const uint LAT_CH_LO = 16u;
layout(constant_id = LAT_SPEC_CH_HI) const uint LAT_CH_HI = 2u;
layout(constant_id = LAT_SPEC_W_LO) const uint LAT_W_LO = 64u;
layout(constant_id = LAT_SPEC_H_LO) const uint LAT_H_LO = 64u;
layout(constant_id = LAT_SPEC_W_HI) const uint LAT_W_HI = 128u;
layout(constant_id = LAT_SPEC_H_HI) const uint LAT_H_HI = 128u;
layout(constant_id = LAT_SPEC_HI_LEVELS) const uint LAT_HI_LEVELS = 1u;
layout(constant_id = LAT_SPEC_W_HI2) const uint LAT_W_HI2 = 1u;
layout(constant_id = LAT_SPEC_H_HI2) const uint LAT_H_HI2 = 1u;
layout(constant_id = LAT_SPEC_W_HI3) const uint LAT_W_HI3 = 1u;
layout(constant_id = LAT_SPEC_H_HI3) const uint LAT_H_HI3 = 1u;
layout(constant_id = LAT_SPEC_W_HI4) const uint LAT_W_HI4 = 1u;
layout(constant_id = LAT_SPEC_H_HI4) const uint LAT_H_HI4 = 1u;
layout(constant_id = LAT_SPEC_UPSAMPLE) const uint LAT_UPSAMPLE = 0u;   // 0 bilinear, 1 bicubic (Catmull-Rom)
const bool LAT_BICUBIC = LAT_UPSAMPLE == 1u;

// Work items per sample: the trainer spreads NN_NS * ENC_PARTS items over
// NN_WG threads, so ENC_PARTS = NN_WG / NN_NS fills the workgroup in one round
// (a fifth part for the 2 hi channels would double the encoder's time). Each
// part takes a contiguous run of features, which may span the lo and hi grids.
#ifndef LAT_PARTS_TARGET
#define LAT_PARTS_TARGET (NN_WG / NN_NS)
#endif
const uint LAT_NG = LAT_CH_HI > 0u ? 1u + LAT_HI_LEVELS : 1u;   // grids
const uint LAT_F = LAT_CH_LO + LAT_CH_HI * LAT_HI_LEVELS;
const uint LAT_PT = LAT_PARTS_TARGET;
const uint ENC_PARTS = LAT_PT < 1u ? 1u : (LAT_PT > LAT_F ? LAT_F : LAT_PT);
const uint LAT_FPP = (LAT_F + ENC_PARTS - 1u) / ENC_PARTS;   // features per part
const uint LAT_OFFSET_HI = LAT_W_LO * LAT_H_LO * LAT_CH_LO;
const uint LAT_OFFSET_HI2 = LAT_OFFSET_HI + LAT_W_HI * LAT_H_HI * LAT_CH_HI;
const uint LAT_OFFSET_HI3 = LAT_OFFSET_HI2 + LAT_W_HI2 * LAT_H_HI2 * LAT_CH_HI;
const uint LAT_OFFSET_HI4 = LAT_OFFSET_HI3 + LAT_W_HI3 * LAT_H_HI3 * LAT_CH_HI;

#include "latent_range.glsl"

#define LAT_FLAG_QAT 1u
#define LAT_FLAG_FROZEN 2u
#define LAT_FLAG_BITS_SHIFT 8u   // bits 8-11: QAT bits

// STATE: per feature f and step parity p, uint keys at 4f + 2p (max of ~key = min) and 4f + 2p + 1 (max).
layout(std430, set = 0, binding = NN_BIND_STATE) buffer LatState { uint LAT_KEYS[]; };

#ifndef LAT_STEP
#define LAT_STEP pc.step
#define LAT_NOISE pc.enc_param
#define LAT_QSTEP pc.enc_param2
#define LAT_QINV pc.enc_param3
#endif

uint lat_grid_ch(uint g) { return g == 0u ? LAT_CH_LO : LAT_CH_HI; }
uint lat_grid_w(uint g) { return g == 0u ? LAT_W_LO : g == 1u ? LAT_W_HI : g == 2u ? LAT_W_HI2 : g == 3u ? LAT_W_HI3 : LAT_W_HI4; }
uint lat_grid_h(uint g) { return g == 0u ? LAT_H_LO : g == 1u ? LAT_H_HI : g == 2u ? LAT_H_HI2 : g == 3u ? LAT_H_HI3 : LAT_H_HI4; }
uint lat_grid_base(uint g)
{
    return g == 0u ? 0u : g == 1u ? LAT_OFFSET_HI : g == 2u ? LAT_OFFSET_HI2 : g == 3u ? LAT_OFFSET_HI3 : LAT_OFFSET_HI4;
}
uint lat_grid_f0(uint g) { return g == 0u ? 0u : LAT_CH_LO + (g - 1u) * LAT_CH_HI; }   // first feature of grid g
uint lat_feature_grid(uint f) { return f < LAT_CH_LO ? 0u : 1u + (f - LAT_CH_LO) / LAT_CH_HI; }
// Floats per grid point in the shared patch: odd, so that neighbouring points start in different banks.
uint lat_patch_stride(uint g) { return lat_grid_ch(g) | 1u; }

struct LatTap {
    uint g, c0, n;             // grid, first channel, channels taken from this grid
    uvec4 xy;                  // bilinear: grid points x0, x1, y0, y1
    vec4 w;                    // bilinear: weights of 00, 10, 01, 11
    uvec4 xs, ys;              // bicubic: columns and rows i-1, i, i+1, i+2 (clamped to the grid)
    vec4 wx, wy;               // bicubic: their Catmull-Rom weights
};

// Same arithmetic as axis_lookup() in latent.c: s = x01 (n-1), clamped.
void lat_axis(float x01, uint n, out uint i0, out uint i1, out float f)
{
    float last = float(n - 1u);
    float s = clamp(x01 * last, 0.0, last);
    float fl = floor(s);
    i0 = min(uint(fl), n - 1u);
    i1 = min(i0 + 1u, n - 1u);
    f = s - fl;
}

// Same arithmetic as axis_cubic() in latent.c: the four points around s and their Catmull-Rom weights, which sum to 1
// and give the grid value itself at f = 0.
void lat_axis_cubic(float x01, uint n, out uvec4 idx, out vec4 w)
{
    uint i0, i1;
    float f;
    lat_axis(x01, n, i0, i1, f);
    idx = uvec4(i0 > 0u ? i0 - 1u : 0u, i0, i1, min(i1 + 1u, n - 1u));
    float f2 = f * f, f3 = f2 * f;
    w = vec4(0.5 * (2.0 * f2 - f3 - f), 0.5 * (3.0 * f3 - 5.0 * f2 + 2.0), 0.5 * (4.0 * f2 - 3.0 * f3 + f),
             0.5 * (f3 - f2));
}

LatTap lat_tap(uint g, uint c0, uint n, vec2 x01)
{
    LatTap t;
    if (LAT_BICUBIC) {
        lat_axis_cubic(x01.x, lat_grid_w(g), t.xs, t.wx);
        lat_axis_cubic(x01.y, lat_grid_h(g), t.ys, t.wy);
    } else {
        float fx, fy;
        lat_axis(x01.x, lat_grid_w(g), t.xy.x, t.xy.y, fx);
        lat_axis(x01.y, lat_grid_h(g), t.xy.z, t.xy.w, fy);
        t.w = vec4((1.0 - fx) * (1.0 - fy), fx * (1.0 - fy), (1.0 - fx) * fy, fx * fy);
    }
    t.g = g;
    t.c0 = c0;
    t.n = n;
    return t;
}

uint lat_index(uint g, uint x, uint y, uint c) { return lat_grid_base(g) + (y * lat_grid_w(g) + x) * lat_grid_ch(g) + c; }

#ifdef NN_TRAIN
shared vec2 s_lq[LAT_F];   // QAT: (min, range) of each feature's channel

// Ranges of this step (parity of LAT_STEP) into s_lq when QAT is on. Group 0 clears the other parity, QAT on or
// not, which this step's Adam (nn_adam.comp) or the next step's latent_minmax pass fills. Call before a barrier
// that precedes any lat_value.
void lat_qat_begin(uint tid)
{
    uint p = LAT_STEP & 1u;
    for (uint f = tid; f < LAT_F; f += gl_WorkGroupSize.x) {
        uint k = 4u * f + 2u * p;
        if ((pc.flags & LAT_FLAG_QAT) != 0u) {
            if (LAT_QSTEP > 0.0) {
                // fixed step: the window of 2^bits levels centred on 0 (tt_latent_step_window)
                uint bits = (pc.flags >> LAT_FLAG_BITS_SHIFT) & 15u;
                s_lq[f] = vec2(-float(1u << (bits - 1u)) * LAT_QSTEP, float((1u << bits) - 1u) * LAT_QSTEP);
            } else {
                float mn = lat_unkey(~LAT_KEYS[k]), mx = lat_unkey(LAT_KEYS[k + 1u]);
                s_lq[f] = vec2(mn, max(mx - mn, 1e-8));
            }
        }
        if (gl_WorkGroupID.x == 0u) {
            LAT_KEYS[k ^ 2u] = 0u;
            LAT_KEYS[(k ^ 2u) + 1u] = 0u;
            if (LAT_QSTEP > 0.0) LAT_KEYS[4u * LAT_F + 2u * f + (p ^ 1u)] = 0u;   // |level| sums (nn_adam.comp)
        }
    }
}

// Grid value idx (feature f) as the forward sees it: quantised once QAT is on. Same expressions as
// tt_latent_quantize (min/max ranges: divide, not multiply by a reciprocal) and tt_latent_step_level (fixed step).
float lat_value(uint idx, uint f)
{
    float v = P[idx];
    if ((pc.flags & LAT_FLAG_QAT) == 0u) return v;
    vec2 r = s_lq[f];
    uint bits = (pc.flags >> LAT_FLAG_BITS_SHIFT) & 15u;
    float levels = float((1u << bits) - 1u);
    float k;
    if (LAT_QSTEP > 0.0) {
        // fixed step: the level of tt_latent_step_level, v times the host's 1 / step (correctly rounded on every
        // device, unlike a division), not fused into an fma; clamped to the window. Rate-aware training leaves many
        // values at a rounding boundary, where a device's division (2.5 ulp in Vulkan) would pick another level
        // than the file's.
        precise float t = v * LAT_QINV + 0.5;
        k = clamp(floor(t) + float(1u << (bits - 1u)), 0.0, levels);
    } else {
        k = floor((v - r.x) / r.y * levels + 0.5);
    }
    v = k / levels * r.y + r.x;
    if (LAT_NOISE > 0.0) {
        // uniform noise of +-noise/2 steps: trains the decoder to tolerate the codec's error on the grids
        uint h = idx * 747796405u + LAT_STEP * 2891336453u;
        h = ((h >> ((h >> 28u) + 4u)) ^ h) * 277803737u;
        h = (h >> 22u) ^ h;
        v += LAT_NOISE * r.y / levels * (float(h >> 8) * (1.0 / 16777216.0) - 0.5);
    }
    return v;
}
#else
float lat_value(uint idx, uint f) { return P[idx]; }
#endif

#ifdef NN_TRAIN_STEP
layout(constant_id = NN_SPEC_PATCH) const uint LAT_PATCH = 0u;   // floats of the shared patch (0: global memory only)
shared float s_lval[LAT_PATCH > 0u ? LAT_PATCH : 1u];
// The patch's geometry lives in shared memory, not in registers: the training step is at the register limit.
shared uint s_lpn;         // floats in the patch; 0 = this group does not use it
shared uvec4 s_lpbox[LAT_NG];   // per grid: first point x, y, points per row, offset in the patch
#define lat_pon (s_lpn != 0u)

void lat_box_axis(uint p0, uint p1, uint npx, uint n, out uint g0, out uint g1)
{
    uint a0, a1, b0, b1;
    float f;
    lat_axis(nn_coord01(p0, npx), n, a0, a1, f);   // lat_axis is monotonic: every sample's corners lie in [a0, b1]
    lat_axis(nn_coord01(p1, npx), n, b0, b1, f);
    g0 = LAT_BICUBIC && a0 > 0u ? a0 - 1u : a0;   // bicubic: one more point on each side
    g1 = LAT_BICUBIC ? min(b1 + 1u, n - 1u) : b1;
}

void enc_group_begin(uint tid, uvec4 box)
{
    lat_qat_begin(tid);
    uint lat_pn = 0u;
    [[unroll]] for (uint g = 0u; g < LAT_NG; g++) {
        uint gx0, gx1, gy0, gy1;
        lat_box_axis(box.x, box.z, pc.width, lat_grid_w(g), gx0, gx1);
        lat_box_axis(box.y, box.w, pc.height, lat_grid_h(g), gy0, gy1);
        if (tid == 0u) s_lpbox[g] = uvec4(gx0, gy0, gx1 - gx0 + 1u, lat_pn);
        if (lat_grid_ch(g) > 0u) lat_pn += (gx1 - gx0 + 1u) * (gy1 - gy0 + 1u) * lat_patch_stride(g);
    }
    if (LAT_PATCH == 0u || lat_pn > LAT_PATCH) lat_pn = 0u;
    if (tid == 0u) s_lpn = lat_pn;
    barrier();   // s_lq, read by the patch fill below; s_lpn and s_lpbox
    for (uint e = tid; e < lat_pn; e += NN_WG) {
        uint g = 0u;
        [[unroll]] for (uint k = 1u; k < LAT_NG; k++) g += e >= s_lpbox[k].w ? 1u : 0u;
        uint S = lat_patch_stride(g);
        uvec4 b = s_lpbox[g];
        uint local = e - b.w, c = local % S, pt = local / S;
        uint f = lat_grid_f0(g) + c;
        s_lval[e] = c < lat_grid_ch(g) ? lat_value(lat_index(g, b.x + pt % b.z, b.y + pt / b.z, c), f) : 0.0;
    }
}

uint lat_patch_index(uint g, uint x, uint y, uint c)
{
    uvec4 b = s_lpbox[g];
    return b.w + ((y - b.y) * b.z + (x - b.x)) * lat_patch_stride(g) + c;
}
#endif

// Bicubic: rows of four points, weighted along x, then the rows along y (latent.c sums in the same order).
void lat_forward_tap_cubic(uint slot, LatTap t)
{
    uint f0 = lat_grid_f0(t.g) + t.c0;
    for (uint k = 0u; k < t.n; k++) {
        float acc = 0.0;
        for (uint j = 0u; j < 4u; j++) {
            float row = 0.0;
            for (uint i = 0u; i < 4u; i++) {
#ifdef NN_TRAIN_STEP
                float v = lat_pon ? s_lval[lat_patch_index(t.g, t.xs[i], t.ys[j], t.c0) + k]
                                  : lat_value(lat_index(t.g, t.xs[i], t.ys[j], t.c0) + k, f0 + k);
#else
                float v = lat_value(lat_index(t.g, t.xs[i], t.ys[j], t.c0) + k, f0 + k);
#endif
                row += t.wx[i] * v;
            }
            acc += t.wy[j] * row;
        }
        enc_out(slot, f0 + k, acc);
    }
}

void lat_forward_tap(uint slot, LatTap t)
{
    if (LAT_BICUBIC) {
        lat_forward_tap_cubic(slot, t);
        return;
    }
    uint f0 = lat_grid_f0(t.g) + t.c0;
#ifdef NN_TRAIN_STEP
    if (lat_pon) {
        uint i00 = lat_patch_index(t.g, t.xy.x, t.xy.z, t.c0), i10 = lat_patch_index(t.g, t.xy.y, t.xy.z, t.c0);
        uint i01 = lat_patch_index(t.g, t.xy.x, t.xy.w, t.c0), i11 = lat_patch_index(t.g, t.xy.y, t.xy.w, t.c0);
        for (uint k = 0u; k < t.n; k++)
            enc_out(slot, f0 + k, t.w.x * s_lval[i00 + k] + t.w.y * s_lval[i10 + k] + t.w.z * s_lval[i01 + k] +
                                  t.w.w * s_lval[i11 + k]);
        return;
    }
#endif
    uint i00 = lat_index(t.g, t.xy.x, t.xy.z, t.c0), i10 = lat_index(t.g, t.xy.y, t.xy.z, t.c0);
    uint i01 = lat_index(t.g, t.xy.x, t.xy.w, t.c0), i11 = lat_index(t.g, t.xy.y, t.xy.w, t.c0);
    for (uint k = 0u; k < t.n; k++)
        enc_out(slot, f0 + k, t.w.x * lat_value(i00 + k, f0 + k) + t.w.y * lat_value(i10 + k, f0 + k) +
                              t.w.z * lat_value(i01 + k, f0 + k) + t.w.w * lat_value(i11 + k, f0 + k));
}

void enc_forward_part(uint slot, uint part, vec2 x01)
{
    uint f0 = min(part * LAT_FPP, LAT_F), f1 = min(f0 + LAT_FPP, LAT_F);
    if (f0 < LAT_CH_LO) lat_forward_tap(slot, lat_tap(0u, f0, min(f1, LAT_CH_LO) - f0, x01));
    for (uint g = 1u; g < LAT_NG; g++) {
        uint a = lat_grid_f0(g), lo = max(f0, a), hi = min(f1, a + LAT_CH_HI);
        if (lo < hi) lat_forward_tap(slot, lat_tap(g, lo - a, hi - lo, x01));
    }
}

#ifdef NN_TRAIN
// Grid gradient of one feature of one sample: d loss / d feature times each corner's weight.
void lat_backward_feature(uint slot, uint f, vec2 x01)
{
    uint g = lat_feature_grid(f), c = f - lat_grid_f0(g);
    LatTap t = lat_tap(g, c, 1u, x01);
    float d = enc_dfeat(slot, f);
    if (LAT_BICUBIC) {
        // points can coincide at the border: sixteen separate adds keep that right
        for (uint j = 0u; j < 4u; j++)
            for (uint i = 0u; i < 4u; i++) grad_add(lat_index(g, t.xs[i], t.ys[j], c), t.wx[i] * t.wy[j] * d);
        return;
    }
    // Corners can coincide at the border: four separate adds keep that right.
    grad_add(lat_index(g, t.xy.x, t.xy.z, c), t.w.x * d);
    grad_add(lat_index(g, t.xy.y, t.xy.z, c), t.w.y * d);
    grad_add(lat_index(g, t.xy.x, t.xy.w, c), t.w.z * d);
    grad_add(lat_index(g, t.xy.y, t.xy.w, c), t.w.w * d);
}

void enc_backward_part(uint slot, uint part, vec2 x01)
{
    if ((pc.flags & LAT_FLAG_FROZEN) != 0u) return;
    uint f0 = min(part * LAT_FPP, LAT_F), f1 = min(f0 + LAT_FPP, LAT_F);
    for (uint f = f0; f < f1; f++) lat_backward_feature(slot, f, x01);
}

#ifdef NN_TRAIN_STEP
// Backward of a training tile: one work item per (sample, feature), features fastest, so that the lanes of a
// subgroup add into neighbouring addresses of one or two grid points (H200, 5000 steps: 1.23 s against 1.27 s with
// the forward's items, samples fastest).
void enc_backward_tile(uint tid, uint base)
{
    if ((pc.flags & LAT_FLAG_FROZEN) != 0u) return;
    for (uint w = tid; w < NN_NS * LAT_F; w += NN_WG) {
        uint slot = w / LAT_F;
        if (base + slot < pc.batch) lat_backward_feature(slot, w - slot * LAT_F, s_pos[slot]);
    }
}
#endif
#endif
