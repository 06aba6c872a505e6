// latent_qat.glsl - declarations of the QAT range pass (latent_minmax.comp): buffers, push constants.
#define NN_PUSH_LAT_MINMAX
#include "nn_abi.h"
// STATE buffer layout (also read by the C side, src/neural/latent_model.c, and by latent_enc.glsl):
//   [4f + 2p]         uint:   max over the channel of ~key(v)   (= ~key(min)), parity p
//   [4f + 2p + 1]     uint:   max over the channel of  key(v)   (=  key(max)), parity p
// Both slots are "max of something", so 0 is the neutral value: the trainer's
// zero-filled STATE buffer starts correct, and each training step's first
// workgroup resets the other parity for the next step (no extra clear dispatch).

layout(std430, binding = LAT_MINMAX_BIND_PARAMS) readonly buffer Params { float P[]; };
layout(std430, binding = LAT_MINMAX_BIND_STATE) buffer StateU { uint SU[]; };
// Push constants: tt_latent_minmax_push (nn_abi.h), as `pc`.
