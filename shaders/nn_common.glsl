// nn_common.glsl - declarations shared by the neural train/decode shaders and the encoders (see docs/dev/neural-notes.md).
// Define NN_TRAIN or NN_DECODE before including; NN_CAS_ATOMICS selects the compare-and-swap fallback.
#extension GL_EXT_shader_atomic_float : enable

#extension GL_EXT_control_flow_attributes : enable
#ifdef NN_DECODE_CM
#extension GL_NV_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#extension GL_EXT_shader_16bit_storage : require
#extension GL_KHR_shader_subgroup_basic : require
#endif

#ifdef NN_TRAIN
#define NN_PUSH_TRAIN
#else
#define NN_PUSH_DECODE
#endif
#include "nn_abi.h"

layout(local_size_x = NN_WG) in;

layout(constant_id = NN_SPEC_IN) const uint NN_IN = 32;           // encoder features (decoder input)
layout(constant_id = NN_SPEC_HIDDEN) const uint NN_HIDDEN = 64;   // multiple of 4
layout(constant_id = NN_SPEC_DEPTH) const uint NN_DEPTH = 2;
layout(constant_id = NN_SPEC_ACT) const uint NN_ACT = 0;          // 0 siren 1 gelu 2 silu 3 relu
layout(constant_id = NN_SPEC_NS) const uint NN_NS = 32;           // samples (pixels) per workgroup tile, multiple of 4
layout(constant_id = NN_SPEC_TPG) const uint NN_TPG = 1;          // train: tiles per workgroup (grid of batch / (NS*TPG) groups)
layout(constant_id = NN_SPEC_RACC) const uint NN_RACC = 0;        // train: 1 = weight gradients summed in registers over the tiles
layout(constant_id = NN_SPEC_DP) const uint NN_DP = 128;          // decode: pixels per workgroup (one per thread, <= NN_WG)
layout(constant_id = NN_SPEC_TUNE) const uint NN_TUNE = 31;       // train: NN_TUNE_* bits (nn_abi.h): padded rows, dX split, prefetch, compact, swizzle
layout(constant_id = NN_SPEC_HQ) const uint NN_HQ = 4;            // train: head forward split over NN_HQ parts of the hidden units

const uint NN_NS4 = NN_NS / 4u;
// Threads that read the same sample column of consecutive rows must hit different shared-memory banks (an even stride
// of 8 vec4 = 128 B maps every row to the same banks). Two ways: rows padded to an odd number of vec4 (NN_TUNE & 1),
// or, where NN_NS4 is a power of two, the column index XOR-ed with the row's low bits (NN_TUNE & 16), which keeps the
// rows unpadded: 1/9 less tile at 32 samples, the room that lets more tiles fit two workgroups an SM.
const uint NN_SWZ_U = (NN_TUNE & NN_TUNE_SWIZZLE) != 0u ? 1u - ((NN_NS4 & (NN_NS4 - 1u)) + 31u) / 32u : 0u;   // NN_NS4 <= 32
// Row stride (vec4) of the s_x / s_a / s_d tiles.
const uint NN_RS = NN_SWZ_U != 0u ? NN_NS4 : ((NN_TUNE & NN_TUNE_PAD) != 0u ? (NN_NS4 | 1u) : NN_NS4);
// Index of row `row`, column `st` (4 samples) of a tile.
uint nn_ti(uint row, uint st) { return row * NN_RS + (NN_SWZ_U != 0u ? (st ^ (row & (NN_NS4 - 1u))) : st); }
const uint NN_IN4 = (NN_IN + 3u) / 4u * 4u;          // padded input width (= row stride of W0 on the GPU)

// Parameters: fp32, encoder first, decoder at pc.dec_offset (multiple of 4); W0 rows padded to NN_IN4 (zeros).
layout(set = 0, binding = NN_TRAIN_BIND_PARAMS) restrict readonly buffer Params { float P[]; };   // written only by nn_adam
layout(set = 0, binding = NN_TRAIN_BIND_PARAMS) restrict readonly buffer Params4 { vec4 P4[]; };

#ifdef NN_TRAIN
#define NN_TRAIN_STEP   // the fused step of nn_train.glsl (encoders may keep per-group state)
layout(set = 0, binding = NN_TRAIN_BIND_GRADS) buffer Grads { float G[]; };
layout(set = 0, binding = NN_TRAIN_BIND_GRADS) buffer GradsU { uint GU[]; };
layout(set = 0, binding = NN_TRAIN_BIND_TARGET) readonly buffer Target { uint TGT[]; };
layout(set = 0, binding = NN_TRAIN_BIND_STATS) buffer Stats { float STATS[]; };
layout(set = 0, binding = NN_TRAIN_BIND_STATS) buffer StatsU { uint STATSU[]; };
layout(set = 0, binding = NN_TRAIN_BIND_AUX) readonly buffer Aux { uint AUX[]; };
#define NN_BIND_STATE NN_TRAIN_BIND_STATE
#else
layout(set = 0, binding = NN_DECODE_BIND_OUT) writeonly buffer OutImg { uint OUT_IMG[]; };
layout(set = 0, binding = NN_DECODE_BIND_AUX) readonly buffer Aux { uint AUX[]; };
#define NN_BIND_STATE NN_DECODE_BIND_STATE
#endif
// Push constants: tt_nn_train_push / tt_nn_decode_push (nn_abi.h), as `pc`.

#ifdef NN_TRAIN
// Shared tiles, layout [row][sample/4] of vec4 (4 consecutive samples per vec4), rows NN_RS vec4 apart.
shared vec4 s_x[NN_IN4 * NN_RS];                      // encoder features
// Compact tile (NN_TUNE & 8; SIREN and ReLU): no s_d. The forward keeps the activation's derivative only as what
// the activation implies (ReLU: a > 0; SIREN: +-|omega0| sqrt(1 - a^2), the sign in the lowest mantissa bit of a),
// and each layer's d loss / d z replaces its activations once they are consumed. That halves the tile, and two
// workgroups then share an SM: the NVIDIA Vulkan driver gives a compute pipeline about 48 KB of shared memory per SM,
// not per workgroup, so the 43 KB tile ran one 4-warp workgroup an SM (H200, latent default: 1.036 -> 0.769 s GPU).
// The host picks it only where it buys the second workgroup (nn_train.c pick_tile).
// (In integer arithmetic: glslang mis-optimises boolean specialisation-constant chains. NN_ACT 0 or 3 has bit 1 of
// NN_ACT + 1 clear.)
const uint NN_COMPACT_U = ((NN_TUNE >> 3u) & 1u) & ~((NN_ACT + 1u) >> 1u);   // bit 3: NN_TUNE_COMPACT
const bool NN_COMPACT = NN_COMPACT_U != 0u;
// First s_a row of d loss / d features: past the layer-0 rows, which hold layer 0's d loss / d z when compact.
const uint NN_DFEAT0 = NN_COMPACT_U * NN_HIDDEN;
// Activations per layer, and room for the dfeat rows.
const uint NN_A_ROWS = NN_A_ROWS_OF(NN_DEPTH * NN_HIDDEN, NN_DFEAT0, NN_IN4);
shared vec4 s_a[NN_A_ROWS * NN_RS];
shared vec2 s_pos[NN_NS];

void enc_out(uint slot, uint f, float v) { s_x[nn_ti(f, slot >> 2)][slot & 3u] = v; }
#else
#ifdef NN_DECODE_CM
// Tensor-core decode: each subgroup owns 16 pixels (rows) and two fp16 tiles [pixel][NN_CM_S] that alternate as a
// layer's input and output, plus one fp32 16x16 block for the product before bias and activation.
const uint NN_CM_SG = NN_WG / 32u;                                    // subgroups per workgroup
const uint NN_IN16 = (NN_IN + 15u) / 16u * 16u;
const uint NN_CM_K = NN_IN16 > NN_HIDDEN ? NN_IN16 : NN_HIDDEN;
const uint NN_CM_S = NN_CM_K + NN_CM_ROW_PAD;                                    // row stride in halves (16-byte aligned rows)
const uint NN_CM_TILE = 16u * NN_CM_S;
shared float16_t s_cm_act[NN_CM_SG * 2u * NN_CM_TILE];
shared float s_cm_z[NN_CM_SG * 256u];
// slot = subgroup * 16 + pixel; features go to tile 0 of the subgroup.
void enc_out(uint slot, uint f, float v) { s_cm_act[(slot >> 4) * 2u * NN_CM_TILE + (slot & 15u) * NN_CM_S + f] = float16_t(v); }
#else
// Decode: one pixel per thread; thread `slot` owns column slot of [row][NN_DP] (features, then hidden activations).
shared float s_f[NN_IN4 * NN_DP];
shared float s_h[NN_HIDDEN * NN_DP];
void enc_out(uint slot, uint f, float v) { s_f[f * NN_DP + slot] = v; }
#endif
#endif

#ifdef NN_TRAIN
shared vec4 s_d[(1u - NN_COMPACT_U) * NN_DEPTH * NN_HIDDEN * NN_RS + NN_COMPACT_U];   // activation derivatives, then d loss / d z
shared vec4 s_gh[NN_GH_VEC4_OF(NN_NS4)];            // d loss / d head pre-activation
shared vec4 s_tgt[NN_TGT_VEC4_OF(NN_NS4)];
shared vec4 s_hz[NN_HZ_VEC4_OF(NN_NS4, NN_HQ)];              // head forward partial sums over NN_HQ parts of the hidden units
float enc_dfeat(uint slot, uint f) { return s_a[nn_ti(NN_DFEAT0 + f, slot >> 2)][slot & 3u]; }

#ifdef NN_CAS_ATOMICS
void grad_add(uint i, float v)
{
    if (v == 0.0) return;
    uint old = GU[i];
    for (;;) {
        uint prev = atomicCompSwap(GU[i], old, floatBitsToUint(uintBitsToFloat(old) + v));
        if (prev == old) break;
        old = prev;
    }
}
void stats_add(uint i, float v)
{
    uint old = STATSU[i];
    for (;;) {
        uint prev = atomicCompSwap(STATSU[i], old, floatBitsToUint(uintBitsToFloat(old) + v));
        if (prev == old) break;
        old = prev;
    }
}
#else
void grad_add(uint i, float v) { if (v != 0.0) atomicAdd(G[i], v); }
void stats_add(uint i, float v) { atomicAdd(STATS[i], v); }
#endif
#endif

#ifdef NN_TRAIN
// ---- Stratified sampling (mirrors tt_nn_sample_pixel in nn_model.c) -----------------------------------------------
// Sample i of a step lands at a random offset in [i, i + 1) * npix / batch of the "strip order": the image in strips
// of pc.strip rows, each walked column by column, alternate strips in opposite directions. Every pixel stays equally
// likely, and a workgroup's consecutive samples cover a compact patch, so its encoder gradients can be summed in
// shared memory (latent_enc.glsl) before they reach global memory.

// floor((hi * 2^32 + lo) / d) for hi < d <= 2^24 (the quotient fits 32 bits).
uint nn_div64(uint hi, uint lo, uint d)
{
    uint q = 0u, rem = hi;
    for (uint b = 0u; b < 32u; b++) {
        rem = (rem << 1) | (lo >> 31);
        lo <<= 1;
        q <<= 1;
        if (rem >= d) {
            rem -= d;
            q |= 1u;
        }
    }
    return q;
}

// Position of sample i in the strip order: floor((i npix + floor(r npix / 2^32)) / batch), clamped (past the batch).
uint nn_sample_q(uint i, uint r, uint npix)
{
    uint hi, lo, rh, rl;
    umulExtended(i, npix, hi, lo);
    umulExtended(r, npix, rh, rl);
    lo += rh;
    if (lo < rh) hi++;
    if (hi >= pc.batch) return npix - 1u;
    return min(nn_div64(hi, lo, pc.batch), npix - 1u);
}

uvec2 nn_strip_pixel(uint q)
{
    uint W = pc.width, S = pc.strip;
    uint s = q / (S * W), r = q - s * S * W;
    uint hs = min(S, pc.height - s * S), c = r / hs;
    return uvec2((s & 1u) != 0u ? W - 1u - c : c, s * S + (r - c * hs));
}

// Pixel bounding box (x0, y0, x1, y1) of the strip-order positions [q0, q1].
uvec4 nn_strip_box(uint q0, uint q1)
{
    uint W = pc.width, S = pc.strip;
    uint s0 = q0 / (S * W), s1 = q1 / (S * W);
    uvec2 a = nn_strip_pixel(q0), b = nn_strip_pixel(q1);
    uvec4 box = uvec4(min(a.x, b.x), s0 * S, max(a.x, b.x), min((s1 + 1u) * S, pc.height) - 1u);
    if (s1 == s0 + 1u) {   // the run turns at the image's edge into the next strip
        if ((s0 & 1u) == 0u) box.z = W - 1u;
        else box.x = 0u;
    } else if (s1 > s0 + 1u) {
        box.x = 0u;
        box.z = W - 1u;
    }
    return box;
}
#endif

uint nn_pcg(uint v)
{
    uint state = v * 747796405u + 2891336453u;
    uint word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
    return (word >> 22u) ^ word;
}

float nn_coord01(uint i, uint n) { return n > 1u ? float(i) / float(n - 1u) : 0.0; }
