// bc7_finish_sort.comp - BC7 pass before the final polish (final_trials): each block of list ALL with error left goes to the list of its chosen mode (FIN6, FIN1, FIN3, or FINSETS for 0, 2 and 7), so that each polish pass runs one mode on dense warps.
#version 450
#include "bc7_pass.glsl"

void main()
{
    uint item = flat_item();
    if (item >= st[TT_BC7_LIST_ALL]) return;
    uint blk = st[list_base(TT_BC7_LIST_ALL) + item];
    if (st[sse_base() + blk] == 0u) return;
    int mode = findLSB(dst_blocks[blk].x & 0xFFu);
    if (mode == 6) list_append(TT_BC7_LIST_FIN6, blk);
    else if (mode == 1) list_append(TT_BC7_LIST_FIN1, blk);
    else if (mode == 3) list_append(TT_BC7_LIST_FIN3, blk);
    else if (mode == 0 || mode == 2 || mode == 7) list_append(TT_BC7_LIST_FINSETS, blk);
}
