// latent_probe.comp - test harness: runs the latent encoder (latent_enc.glsl) alone on given points, forward into a feature buffer and backward from given d loss / d feature.
#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_shader_atomic_float : enable
// Stands in for nn_common.glsl so tests/vulkan/test_latent_gpu.c can compare
// the encoder with the C reference without the MLP around it.
#define NN_TRAIN
#define NN_PUSH_LAT_PROBE
#include "nn_abi.h"
layout(local_size_x = LAT_PROBE_WG) in;
layout(set = 0, binding = LAT_PROBE_BIND_PARAMS) buffer Params { float P[]; };
layout(set = 0, binding = LAT_PROBE_BIND_GRADS) buffer Grads { float G[]; };
layout(set = 0, binding = LAT_PROBE_BIND_FEAT) buffer Feat { float FEAT[]; };
layout(set = 0, binding = LAT_PROBE_BIND_DFEAT) readonly buffer DFeat { float DFEAT[]; };
layout(set = 0, binding = LAT_PROBE_BIND_POS) readonly buffer Pos { vec2 POS[]; };
#define NN_BIND_STATE LAT_PROBE_BIND_STATE
// Push constants: tt_latent_probe_push (nn_abi.h), as `pc`.
#define LAT_STEP pc.step
#define LAT_NOISE 0.0
#define LAT_QSTEP 0.0
#define LAT_QINV 0.0

// two parts, so one part spans the lo and hi grids in the test layout
#define LAT_PARTS_TARGET 2u
uint probe_features();
void enc_out(uint slot, uint f, float v) { FEAT[slot * probe_features() + f] = v; }
float enc_dfeat(uint slot, uint f) { return DFEAT[slot * probe_features() + f]; }
void grad_add(uint i, float v) { if (v != 0.0) atomicAdd(G[i], v); }

#include "latent_enc.glsl"

uint probe_features() { return LAT_F; }

void main()
{
    lat_qat_begin(gl_LocalInvocationID.x);
    barrier();
    uint w = gl_GlobalInvocationID.x;
    uint slot = w / ENC_PARTS, part = w % ENC_PARTS;
    if (slot >= pc.n_points) return;
    if (pc.backward != 0u) enc_backward_part(slot, part, POS[slot]);
    else enc_forward_part(slot, part, POS[slot]);
}
