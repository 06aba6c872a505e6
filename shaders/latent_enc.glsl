// latent_enc.glsl - latent-grid encoder for the shared trainer/decoder: bilinear align-corners sampling of two HWC grids, forward and atomic backward.
// Included after nn_common.glsl (P[], G[], enc_out, enc_dfeat, grad_add, pc)
// and before nn_train.glsl / nn_decode.glsl. Mirrors src/neural/latent.c.
//
// Parameters [0, LAT_TOTAL) of P[] are the grids: lo at 0, hi at LAT_OFFSET_HI,
// value(c, x, y) = grid[base + (y*W + x)*C + c]. Once QAT is on (pc.flags bit
// 0) the forward reads the quantised copy that latent_quant.comp wrote into
// the STATE buffer; the backward always adds into G[] at the same index (the
// straight-through estimator: d quant(v) / dv = 1).

layout(constant_id = 8) const uint LAT_CH_LO = 16u;
layout(constant_id = 9) const uint LAT_CH_HI = 2u;
layout(constant_id = 10) const uint LAT_W_LO = 64u;
layout(constant_id = 11) const uint LAT_H_LO = 64u;
layout(constant_id = 12) const uint LAT_W_HI = 128u;
layout(constant_id = 13) const uint LAT_H_HI = 128u;

// Work items per sample: the trainer spreads NN_NS * ENC_PARTS items over
// NN_WG threads, so ENC_PARTS = NN_WG / NN_NS fills the workgroup in one round
// (a fifth part for the 2 hi channels would double the encoder's time). Each
// part takes a contiguous run of features, which may span the lo and hi grids.
#ifndef LAT_PARTS_TARGET
#define LAT_PARTS_TARGET (NN_WG / NN_NS)
#endif
const uint LAT_F = LAT_CH_LO + LAT_CH_HI;
const uint LAT_PT = LAT_PARTS_TARGET;
const uint ENC_PARTS = LAT_PT < 1u ? 1u : (LAT_PT > LAT_F ? LAT_F : LAT_PT);
const uint LAT_FPP = (LAT_F + ENC_PARTS - 1u) / ENC_PARTS;   // features per part
const uint LAT_OFFSET_HI = LAT_W_LO * LAT_H_LO * LAT_CH_LO;

#define LAT_FLAG_QAT 1u
#define LAT_FLAG_FROZEN 2u

layout(std430, set = 0, binding = NN_BIND_STATE) readonly buffer LatState { float LAT_Q[]; };

struct LatTap {
    uint i00, i10, i01, i11;   // P index of channel c0 at the 4 corners
    vec4 w;                    // weights of 00, 10, 01, 11
    uint f0, n;                // first feature, channels taken from this grid
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

LatTap lat_tap(bool hi, uint c0, uint n, vec2 x01)
{
    uint C = hi ? LAT_CH_HI : LAT_CH_LO;
    uint W = hi ? LAT_W_HI : LAT_W_LO;
    uint H = hi ? LAT_H_HI : LAT_H_LO;
    uint base = hi ? LAT_OFFSET_HI : 0u;
    uint x0, x1, y0, y1;
    float fx, fy;
    lat_axis(x01.x, W, x0, x1, fx);
    lat_axis(x01.y, H, y0, y1, fy);
    LatTap t;
    t.i00 = base + (y0 * W + x0) * C + c0;
    t.i10 = base + (y0 * W + x1) * C + c0;
    t.i01 = base + (y1 * W + x0) * C + c0;
    t.i11 = base + (y1 * W + x1) * C + c0;
    t.w = vec4((1.0 - fx) * (1.0 - fy), fx * (1.0 - fy), (1.0 - fx) * fy, fx * fy);
    t.f0 = (hi ? LAT_CH_LO : 0u) + c0;
    t.n = n;
    return t;
}

void lat_forward_tap(uint slot, LatTap t)
{
    if ((pc.flags & LAT_FLAG_QAT) != 0u) {
        for (uint k = 0u; k < t.n; k++)
            enc_out(slot, t.f0 + k, t.w.x * LAT_Q[t.i00 + k] + t.w.y * LAT_Q[t.i10 + k] +
                                     t.w.z * LAT_Q[t.i01 + k] + t.w.w * LAT_Q[t.i11 + k]);
    } else {
        for (uint k = 0u; k < t.n; k++)
            enc_out(slot, t.f0 + k, t.w.x * P[t.i00 + k] + t.w.y * P[t.i10 + k] +
                                     t.w.z * P[t.i01 + k] + t.w.w * P[t.i11 + k]);
    }
}

void enc_forward_part(uint slot, uint part, vec2 x01)
{
    uint f0 = min(part * LAT_FPP, LAT_F), f1 = min(f0 + LAT_FPP, LAT_F);
    if (f0 < LAT_CH_LO) lat_forward_tap(slot, lat_tap(false, f0, min(f1, LAT_CH_LO) - f0, x01));
    if (f1 > LAT_CH_LO) {
        uint c0 = max(f0, LAT_CH_LO) - LAT_CH_LO;
        lat_forward_tap(slot, lat_tap(true, c0, f1 - LAT_CH_LO - c0, x01));
    }
}

#ifdef NN_TRAIN
void lat_backward_tap(uint slot, LatTap t)
{
    for (uint k = 0u; k < t.n; k++) {
        float d = enc_dfeat(slot, t.f0 + k);
        // Corners can coincide at the border: four separate adds keep that right.
        grad_add(t.i00 + k, t.w.x * d);
        grad_add(t.i10 + k, t.w.y * d);
        grad_add(t.i01 + k, t.w.z * d);
        grad_add(t.i11 + k, t.w.w * d);
    }
}

void enc_backward_part(uint slot, uint part, vec2 x01)
{
    if ((pc.flags & LAT_FLAG_FROZEN) != 0u) return;
    uint f0 = min(part * LAT_FPP, LAT_F), f1 = min(f0 + LAT_FPP, LAT_F);
    if (f0 < LAT_CH_LO) lat_backward_tap(slot, lat_tap(false, f0, min(f1, LAT_CH_LO) - f0, x01));
    if (f1 > LAT_CH_LO) {
        uint c0 = max(f0, LAT_CH_LO) - LAT_CH_LO;
        lat_backward_tap(slot, lat_tap(true, c0, f1 - LAT_CH_LO - c0, x01));
    }
}
#endif
