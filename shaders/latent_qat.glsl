// latent_qat.glsl - shared declarations of the QAT passes (latent_minmax.comp, latent_quant.comp): buffers, push constants, order-preserving float keys.
// STATE buffer layout (also read by the C side, src/neural/latent_model.c):
//   [0, total)                floats: the grids as the forward pass sees them (quantised)
//   [total + 4f + 2p]         uint:   max over the channel of ~key(v)   (= ~key(min)), parity p
//   [total + 4f + 2p + 1]     uint:   max over the channel of  key(v)   (=  key(max)), parity p
// Both slots are "max of something", so 0 is the neutral value: the trainer's
// zero-filled STATE buffer starts correct, and each step's quantise pass
// resets the other parity for the next step (no extra clear dispatch).

layout(std430, binding = 0) readonly buffer Params { float P[]; };
layout(std430, binding = 1) buffer State { float S[]; };
layout(std430, binding = 1) buffer StateU { uint SU[]; };

layout(push_constant) uniform Push {
    uint offset_hi;   // first float of the hi grid (== total when there is none)
    uint ch_lo, ch_hi;
    uint total;       // floats in both grids
    uint bits;        // QAT bits (1..8)
    uint step;        // 0-based training step; its parity picks the range slots
    uint per_thread;  // elements per thread in the min/max pass
    float noise;      // training noise added after quantising, in quantisation steps (0 = none)
} pc;

uint lat_feature(uint idx)
{
    return idx < pc.offset_hi ? idx % pc.ch_lo : pc.ch_lo + (idx - pc.offset_hi) % pc.ch_hi;
}

// Monotonic map float -> uint (total order of finite floats).
uint lat_key(float v)
{
    uint b = floatBitsToUint(v);
    return (b & 0x80000000u) != 0u ? ~b : (b | 0x80000000u);
}

float lat_unkey(uint k)
{
    return uintBitsToFloat((k & 0x80000000u) != 0u ? (k & 0x7FFFFFFFu) : ~k);
}
