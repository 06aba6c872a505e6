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

// One Adam update; the same expressions per element in the vec4 and the scalar form.
#define ADAM_UPDATE(p, g, m, v, lr)                                        \
    m = pc.beta1 * m + (1.0 - pc.beta1) * g;                               \
    v = pc.beta2 * v + (1.0 - pc.beta2) * g * g;                           \
    p = p - lr * (m / pc.bc1) / (sqrt(v / pc.bc2) + pc.eps)

// Four parameters a thread (vec4 loads and stores); dec_offset is a multiple of 4, so the four share a learning rate.
void main()
{
    uint q = gl_GlobalInvocationID.x, i = 4u * q;
    if (RANGE_F > 0u) lat_range_begin(RANGE_F);
    float lr = i < pc.dec_offset ? pc.lr_enc : pc.lr_net;
    if (i + 3u < pc.n) {
        vec4 g = G4[q], m = M4[q], v = V4[q], p = P4[q];
        G4[q] = vec4(0.0);
        ADAM_UPDATE(p, g, m, v, lr);
        M4[q] = m;
        V4[q] = v;
        P4[q] = p;
        if (RANGE_F > 0u && i < RANGE_TOTAL)
            for (uint k = 0u; k < 4u && i + k < RANGE_TOTAL; k++)
                lat_range_add(lat_range_feature(i + k, RANGE_OFFSET_HI, RANGE_CH_LO, RANGE_CH_HI), p[k]);
    } else {
        for (uint k = i; k < pc.n; k++) {
            float g = G[k], m = M[k], v = V[k], p = P[k];
            G[k] = 0.0;
            ADAM_UPDATE(p, g, m, v, lr);
            M[k] = m;
            V[k] = v;
            P[k] = p;
            if (RANGE_F > 0u && k < RANGE_TOTAL)
                lat_range_add(lat_range_feature(k, RANGE_OFFSET_HI, RANGE_CH_LO, RANGE_CH_HI), p);
        }
    }
    if (RANGE_F > 0u) lat_range_end(RANGE_F, pc.range_parity);
}
