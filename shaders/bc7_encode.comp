// bc7_encode.comp - the GPU BC7 encoder's entry point: one invocation per 4x4 block, the single-colour lookup or mode 6 then every other allowed mode that can hold the block; mirrors tt_bc7_encode_block_ref in C.
#version 450
#extension GL_EXT_control_flow_attributes : require
#extension GL_GOOGLE_include_directive : require

#include "bc7_tables.h"
#include "bc7_abi.h" // push constants: pc

// The work is in the includes: bc7_common.glsl (texel I/O, quantisation, bit writer),
// bc7_single.glsl (mode 6), bc7_multi.glsl (modes 0, 1, 2, 3, 7), bc7_dual.glsl (modes 4, 5), bc7_solid.glsl
// (single-colour blocks), with C twins
// in src/bc7/bc7_ref*.
// Keep in step with the C reference: same float operations in the same
// order, all `precise` (no FMA contraction), constants given by their exact
// float bits, integer decisions after quantization. See docs/bc7.md.
//
// Speed (docs/bc7.md, "GPU encoder"): everything a thread touches stays in
// registers. The 16 texels are 16 packed uints, every loop over texels is
// unrolled ([[unroll]]) so they are only indexed by constants; the simplex
// is read and written through unrolled select loops; Nelder-Mead runs as a
// state machine with ONE loss evaluation per loop trip (threads of a warp in
// different NM phases still evaluate together), and the three polish starts
// share one inlined polish. Loops that are not texel loops are
// [[dont_unroll]] to keep the code (and lavapipe's compile time) small.

layout(local_size_x = TT_BC7_LOCAL_SIZE, local_size_y = 1, local_size_z = 1) in;

layout(std430, set = 0, binding = 0) readonly buffer Src { uint src_px[]; };  // RGBA8, one uint per pixel
layout(std430, set = 0, binding = 1) writeonly buffer Dst { uvec4 dst_blocks[]; };
// bc7_solid.h's tables (TT_BC7_SOLID_ENTRIES words), filled by bc7_gpu.c
layout(std430, set = 0, binding = 2) readonly buffer Solid { uint tt_bc7_solid[]; };
#include "bc7_solid.h"

#ifndef REFIT_ITERATIONS
#define REFIT_ITERATIONS 2
#endif
#ifndef LITE_POLISH
#define LITE_POLISH 1  // as in C: lighter mode-6 polish where a multi-subset candidate follows
#endif
#ifndef PA_START
#define PA_START 1
#endif
#ifndef JITTER_PASSES
#define JITTER_PASSES 1
#endif
#ifndef OPAQUE_RGB
#define OPAQUE_RGB 0  // 1: RGB-only index loop for opaque blocks; faster NM, slower polish on the H200 (docs/dev/journal.md, "2026-11-26 — BC7 GPU encoder speed rounds")
#endif
#ifndef TWO_KEEP
#define TWO_KEEP 4
#endif
#ifndef TWO_JITTER
#define TWO_JITTER 1
#endif

#include "bc7_common.glsl"
#include "bc7_single.glsl"
#include "bc7_multi.glsl"
#include "bc7_dual.glsl"
#include "bc7_solid.glsl"

void main()
{
    load_partitions();
    barrier();
    uint bx = gl_GlobalInvocationID.x, by_local = gl_GlobalInvocationID.y;
    if (bx >= pc.blocks_x || by_local >= pc.band_rows) return;
    load_texels(bx, pc.block_row0 + by_local);

    // One colour: the table's encoding is optimal for the allowed modes, so no search (as in C).
    if (block_is_solid()) {
        dst_blocks[by_local * pc.blocks_x + bx] = pack_solid(tp[0], tt_bc7_solid_pick(tp[0], pc.modes | (1u << 6)));
        return;
    }

    Cand single = encode_single(LITE_POLISH != 0 && opaque && (pc.modes & TT_BC7_MULTI_MODES) != 0u);
    int sse = single.sse;
    uvec4 blk = uvec4(0u);
    bool other = false;
    // The other modes, lowest first, kept on a lower weighted SSE (the first mode wins ties), as in C.
    uint todo = pc.refit != 0 && sse > 0 ? pc.modes & (opaque ? TT_BC7_OPAQUE_MODES : TT_BC7_ALPHA_MODES) : 0u;
    [[dont_unroll]] while (todo != 0u) {
        int mode = findLSB(todo);
        todo &= todo - 1u;
        uvec4 b;
        int e = mode == 4 || mode == 5 ? encode_dual_block(mode, b) : encode_multi_block(mode, b);
        if (e < sse) {
            sse = e;
            blk = b;
            other = true;
        }
    }
    dst_blocks[by_local * pc.blocks_x + bx] = other ? blk : pack_single(single);
}
