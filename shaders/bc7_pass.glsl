// bc7_pass.glsl - what the BC7 encoder's passes share: the one pipeline shape (buffers, push constants), the work lists, a block's texels by list entry.
// The passes (src/bc7/bc7_gpu.c records them; together they are tt_bc7_encode_block_ref in C):
//   bc7_classify.comp     every block: one colour -> its block now (a table lookup); else -> list ALL
//   bc7_pass_single.comp  list ALL: mode 6; blocks with error left and other modes allowed -> list OPAQUE or ALPHA,
//                         and with lean_search the opaque ones that also try modes 0 and 2 -> list THREE
//   bc7_pass_multi.comp   a list: the multi-subset modes of pc.modes (0-3 on OPAQUE, or 0 and 2 on THREE and 1 and 3
//                         on OPAQUE with lean_search; 7 on ALPHA)
//   bc7_pass_dual.comp    a list: the rotation modes of pc.modes (4, 5)
// Each pass keeps a block only where its weighted SSE is lower than the one stored, and the passes run in mode
// order (6, then 0-3 (0, 2, 1, 3 with lean_search), 4-5, then 7; a block with alpha never meets 0-3), so a block
// ends as in C. Blocks that need
// more search are packed into dense lists, so a warp's threads all do the same work: the blocks that exit early
// (one colour, or exact after mode 6) hold no warp of the later passes.
#extension GL_EXT_control_flow_attributes : require
#extension GL_GOOGLE_include_directive : require

#include "bc7_tables.h"
#include "bc7_abi.h" // push constants: pc

layout(local_size_x = TT_BC7_LOCAL_SIZE, local_size_y = 1, local_size_z = 1) in;

layout(std430, set = 0, binding = 0) readonly buffer Src { uint src_px[]; };  // RGBA8, one uint per pixel
layout(std430, set = 0, binding = 1) buffer Dst { uvec4 dst_blocks[]; };
// bc7_solid.h's tables (TT_BC7_SOLID_ENTRIES words), filled by bc7_gpu.c
layout(std430, set = 0, binding = 2) readonly buffer Solid { uint tt_bc7_solid[]; };
// TT_BC7_STATE_*: list lengths, then the lists of block numbers and the SSE of each block (bc7_abi.h)
layout(std430, set = 0, binding = 3) coherent buffer State { uint st[]; };

// Knobs of the families (defaults as in C; docs/bc7.md measures each).
#ifndef REFIT_ITERATIONS
#define REFIT_ITERATIONS 2
#endif
#ifndef LITE_POLISH
#define LITE_POLISH 1  // as in C: lighter mode-6 polish where a multi-subset candidate follows
#endif
#ifndef OPAQUE_RGB
#define OPAQUE_RGB 0  // 1: RGB-only index loop for opaque blocks; faster NM, slower polish on the H200 (docs/dev/journal.md, "2026-11-26 — BC7 GPU encoder speed rounds")
#endif
#ifndef TWO_JITTER
#define TWO_JITTER 1
#endif
#ifndef TWO_KEEP
#define TWO_KEEP 4
#endif

#include "bc7_common.glsl"

uint band_blocks() { return pc.blocks_x * pc.band_rows; }
uint list_base(uint list) { return TT_BC7_STATE_LISTS + list * band_blocks(); }
uint sse_base() { return TT_BC7_STATE_LISTS + TT_BC7_LIST_COUNT * band_blocks(); }

// The list entry of this invocation: the grid is (blocks_x, band_rows) as for the classify pass, read as one flat
// index; the invocations past blocks_x in a row (the last workgroup's padding) get none.
uint flat_item()
{
    return gl_GlobalInvocationID.x < pc.blocks_x ? gl_GlobalInvocationID.y * pc.blocks_x + gl_GlobalInvocationID.x
                                                  : 0xFFFFFFFFu;
}

void list_append(uint list, uint blk)
{
    uint at = atomicAdd(st[list], 1u);
    st[list_base(list) + at] = blk;
}

// Loads the texels of block number blk of the band into tp / opaque.
void load_block(uint blk) { load_texels(blk % pc.blocks_x, pc.block_row0 + blk / pc.blocks_x); }
