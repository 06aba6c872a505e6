// nn_adam.comp - Adam with bias correction over the whole parameter vector, two lr groups; zeroes the gradients; optionally the next step's QAT ranges of the latent grids.
#version 450
#extension GL_GOOGLE_include_directive : require
#define NN_PUSH_ADAM
#include "nn_abi.h"
layout(local_size_x = NN_ADAM_WG) in;
// With RANGE_F > 0 (the latent encoder with QAT: tt_nn_encoder_ops.adam_spec) Adam also takes the per-channel
// min/max of the updated grids [0, RANGE_TOTAL) into the STATE range slots of parity pc.range_parity (layout in
// latent_qat.glsl), as latent_minmax.comp would before the next step: one dispatch a step fewer.
layout(constant_id = ADAM_SPEC_RANGE_F) const uint RANGE_F = 0u;
layout(constant_id = ADAM_SPEC_RANGE_OFFSET_HI) const uint RANGE_OFFSET_HI = 0u;
layout(constant_id = ADAM_SPEC_RANGE_CH_LO) const uint RANGE_CH_LO = 1u;
layout(constant_id = ADAM_SPEC_RANGE_CH_HI) const uint RANGE_CH_HI = 1u;
layout(constant_id = ADAM_SPEC_RANGE_TOTAL) const uint RANGE_TOTAL = 0u;
layout(constant_id = ADAM_SPEC_RANGE_HI2) const uint RANGE_HI2 = 0u;
layout(constant_id = ADAM_SPEC_RANGE_HI3) const uint RANGE_HI3 = 0u;
layout(constant_id = ADAM_SPEC_RANGE_HI4) const uint RANGE_HI4 = 0u;
layout(set = 0, binding = ADAM_BIND_PARAMS) buffer Params { float P[]; };
layout(set = 0, binding = ADAM_BIND_GRADS) buffer Grads { float G[]; };
layout(set = 0, binding = ADAM_BIND_M) buffer AdamM { float M[]; };
layout(set = 0, binding = ADAM_BIND_V) buffer AdamV { float V[]; };
layout(set = 0, binding = ADAM_BIND_PARAMS) buffer Params4 { vec4 P4[]; };
layout(set = 0, binding = ADAM_BIND_GRADS) buffer Grads4 { vec4 G4[]; };
layout(set = 0, binding = ADAM_BIND_M) buffer AdamM4 { vec4 M4[]; };
layout(set = 0, binding = ADAM_BIND_V) buffer AdamV4 { vec4 V4[]; };
layout(set = 0, binding = ADAM_BIND_STATE) buffer StateU { uint SU[]; };
// Push constants: tt_nn_adam_push (nn_abi.h), as `pc`.

#define LAT_RANGE_MAX (RANGE_F > 0u ? RANGE_F : 1u)
#include "latent_range.glsl"

// Rate-aware training with a fixed quantisation step (pc.rate_inv_step > 0): Adam also sums |v / step| per channel
// of the updated grids (fixed point, into STATE 4F + 2f + range_parity) and, with pc.rate_scale > 0, adds to each grid
// value's gradient the rate term's: rate_scale * d bits / d u at u = v / step, bits = -log2 of the mass of
// [u - 1/2, u + 1/2] under a Laplace of mean 0 and scale b = the channel's mean |u| of the step before (the twin of
// tt_ec_laplace_bits; tt_latent_rate_grad is the C reference). b is a statistic, not a parameter: no gradient
// flows into it (it is the maximum-likelihood scale, where the total's derivative in b is ~0 anyway).
shared uint s_abs[LAT_RANGE_MAX];
const uint RATE_COUNT_LO = RANGE_F > 0u ? RANGE_OFFSET_HI / RANGE_CH_LO : 1u;
// cells of each hi grid (a pyramid's grids 2..4 end where the next begins; RANGE_HIn is RANGE_TOTAL where absent)
const uint RATE_COUNT_HI = RANGE_F > RANGE_CH_LO ? ((RANGE_HI2 < RANGE_TOTAL ? RANGE_HI2 : RANGE_TOTAL) - RANGE_OFFSET_HI) / RANGE_CH_HI : 1u;
const uint RATE_COUNT_HI2 = RANGE_HI2 < RANGE_TOTAL ? ((RANGE_HI3 < RANGE_TOTAL ? RANGE_HI3 : RANGE_TOTAL) - RANGE_HI2) / RANGE_CH_HI : 1u;
const uint RATE_COUNT_HI3 = RANGE_HI3 < RANGE_TOTAL ? ((RANGE_HI4 < RANGE_TOTAL ? RANGE_HI4 : RANGE_TOTAL) - RANGE_HI3) / RANGE_CH_HI : 1u;
const uint RATE_COUNT_HI4 = RANGE_HI4 < RANGE_TOTAL ? (RANGE_TOTAL - RANGE_HI4) / RANGE_CH_HI : 1u;
// fixed-point units of a level: a channel's sum (|u| capped at 256) stays below 2^31 (the finest grid is the largest)
const uint RATE_COUNT_M1 = RATE_COUNT_LO > RATE_COUNT_HI ? RATE_COUNT_LO : RATE_COUNT_HI;
const uint RATE_COUNT_M2 = RATE_COUNT_M1 > RATE_COUNT_HI2 ? RATE_COUNT_M1 : RATE_COUNT_HI2;
const uint RATE_COUNT_M3 = RATE_COUNT_M2 > RATE_COUNT_HI3 ? RATE_COUNT_M2 : RATE_COUNT_HI3;
const uint RATE_COUNT_MAX = RATE_COUNT_M3 > RATE_COUNT_HI4 ? RATE_COUNT_M3 : RATE_COUNT_HI4;
const uint RATE_FIX_RAW = 0x7FFFFFFFu / 256u / RATE_COUNT_MAX;   // no product: it would wrap at 2^24 cells
const uint RATE_FIX = RATE_FIX_RAW < 1u ? 1u : (RATE_FIX_RAW > 256u ? 256u : RATE_FIX_RAW);

uint rate_count(uint f)
{
    if (f < RANGE_CH_LO) return RATE_COUNT_LO;
    uint level = (f - RANGE_CH_LO) / RANGE_CH_HI;
    return level == 0u ? RATE_COUNT_HI : level == 1u ? RATE_COUNT_HI2 : level == 2u ? RATE_COUNT_HI3 : RATE_COUNT_HI4;
}

float rate_scale_b(uint f)
{
    float sum = float(SU[4u * RANGE_F + 2u * f + (pc.range_parity ^ 1u)]);
    return max(sum / (float(RATE_FIX) * float(rate_count(f))), LAT_RATE_MIN_SCALE);
}

// d bits / d u of the Laplace (mean 0, scale b) mass of [u - 1/2, u + 1/2]; 0 where the mass is under the coder's
// floor 2^-15 (bits are constant there), as tt_ec_laplace_bits.
float rate_dbits(float u, float b)
{
    float a = u - 0.5, c = u + 0.5;
    float ea = exp(-abs(a) / b), ec = exp(-abs(c) / b);
    // mass = F(c) - F(a), F(t) = 1/2 e^(t/b) (t < 0), 1 - 1/2 e^(-t/b) (t >= 0)
    float Fa = a < 0.0 ? 0.5 * ea : 1.0 - 0.5 * ea;
    float Fc = c < 0.0 ? 0.5 * ec : 1.0 - 0.5 * ec;
    float P = Fc - Fa;
    if (!(P > 1.0 / 32768.0)) return 0.0;
    return -(ec - ea) / (2.0 * b) / (P * 0.69314718055994530942);
}

void rate_add_abs(uint f, float p)
{
    if (pc.rate_inv_step > 0.0) atomicAdd(s_abs[f], uint(min(abs(p) * pc.rate_inv_step, 256.0) * float(RATE_FIX)));
}

float rate_grad(uint k, float p)
{
    if (pc.rate_scale <= 0.0) return 0.0;
    uint f = lat_range_feature(k, RANGE_OFFSET_HI, RANGE_CH_LO, RANGE_CH_HI, uvec3(RANGE_HI2, RANGE_HI3, RANGE_HI4));
    return pc.rate_scale * rate_dbits(p * pc.rate_inv_step, rate_scale_b(f));
}

// One Adam update; the same expressions per element in the vec4 and the scalar form.
#define ADAM_UPDATE(p, g, m, v, lr)                                        \
    m = pc.beta1 * m + (1.0 - pc.beta1) * g;                               \
    v = pc.beta2 * v + (1.0 - pc.beta2) * g * g;                           \
    p = p - lr * (m / pc.bc1) / (sqrt(v / pc.bc2) + pc.eps)

// Four parameters a thread (vec4 loads and stores); dec_offset is a multiple of 4, so the four share a learning rate.
void main()
{
    uint q = gl_GlobalInvocationID.x, i = 4u * q;
    if (RANGE_F > 0u) {
        for (uint f = gl_LocalInvocationID.x; f < RANGE_F; f += gl_WorkGroupSize.x) s_abs[f] = 0u;
        lat_range_begin(RANGE_F);   // its barrier covers s_abs too
    }
    float lr = i < pc.dec_offset ? pc.lr_enc : pc.lr_net;
    if (i + 3u < pc.n) {
        vec4 g = G4[q], m = M4[q], v = V4[q], p = P4[q];
        G4[q] = vec4(0.0);
        if (RANGE_F > 0u && i < RANGE_TOTAL)
            for (uint k = 0u; k < 4u && i + k < RANGE_TOTAL; k++) g[k] += rate_grad(i + k, p[k]);
        ADAM_UPDATE(p, g, m, v, lr);
        M4[q] = m;
        V4[q] = v;
        P4[q] = p;
        if (RANGE_F > 0u && i < RANGE_TOTAL)
            for (uint k = 0u; k < 4u && i + k < RANGE_TOTAL; k++) {
                uint f = lat_range_feature(i + k, RANGE_OFFSET_HI, RANGE_CH_LO, RANGE_CH_HI, uvec3(RANGE_HI2, RANGE_HI3, RANGE_HI4));
                lat_range_add(f, p[k]);
                rate_add_abs(f, p[k]);
            }
    } else {
        for (uint k = i; k < pc.n; k++) {
            float g = G[k], m = M[k], v = V[k], p = P[k];
            G[k] = 0.0;
            if (RANGE_F > 0u && k < RANGE_TOTAL) g += rate_grad(k, p);
            ADAM_UPDATE(p, g, m, v, lr);
            M[k] = m;
            V[k] = v;
            P[k] = p;
            if (RANGE_F > 0u && k < RANGE_TOTAL) {
                uint f = lat_range_feature(k, RANGE_OFFSET_HI, RANGE_CH_LO, RANGE_CH_HI, uvec3(RANGE_HI2, RANGE_HI3, RANGE_HI4));
                lat_range_add(f, p);
                rate_add_abs(f, p);
            }
        }
    }
    if (RANGE_F > 0u) {
        lat_range_end(RANGE_F, pc.range_parity);   // begins with a barrier: s_abs is complete
        if (pc.rate_inv_step > 0.0)
            for (uint f = gl_LocalInvocationID.x; f < RANGE_F; f += gl_WorkGroupSize.x)
                if (s_abs[f] != 0u) atomicAdd(SU[4u * RANGE_F + 2u * f + pc.range_parity], s_abs[f]);
    }
}
