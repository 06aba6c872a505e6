// latent_qat.glsl - declarations of the QAT range pass (latent_minmax.comp): buffers, push constants.
// STATE buffer layout (also read by the C side, src/neural/latent_model.c, and by latent_enc.glsl):
//   [4f + 2p]         uint:   max over the channel of ~key(v)   (= ~key(min)), parity p
//   [4f + 2p + 1]     uint:   max over the channel of  key(v)   (=  key(max)), parity p
// Both slots are "max of something", so 0 is the neutral value: the trainer's
// zero-filled STATE buffer starts correct, and each training step's first
// workgroup resets the other parity for the next step (no extra clear dispatch).

layout(std430, binding = 0) readonly buffer Params { float P[]; };
layout(std430, binding = 1) buffer StateU { uint SU[]; };

layout(push_constant) uniform Push {
    uint offset_hi;   // first float of the hi grid (== total when there is none)
    uint ch_lo, ch_hi;
    uint total;       // floats in both grids
    uint step;        // 0-based training step; its parity picks the range slots
    uint per_thread;  // elements per thread
} pc;
