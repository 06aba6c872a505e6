// bc7_classify.comp - BC7 pass 1: one-colour blocks get their optimal block by table lookup; every other block joins the list of mode 6's pass.
#version 450
#include "bc7_pass.glsl"
#include "bc7_solid.h"
#include "bc7_solid.glsl"

void main()
{
    uint bx = gl_GlobalInvocationID.x, by_local = gl_GlobalInvocationID.y;
    if (bx >= pc.blocks_x || by_local >= pc.band_rows) return;
    uint blk = by_local * pc.blocks_x + bx;
    load_texels(bx, pc.block_row0 + by_local);
    // One colour: the table's encoding is optimal for the allowed modes, so no search (as in C).
    if (block_is_solid()) dst_blocks[blk] = pack_solid(tp[0], tt_bc7_solid_pick(tp[0], pc.modes | (1u << 6)));
    else list_append(TT_BC7_LIST_ALL, blk);
}
