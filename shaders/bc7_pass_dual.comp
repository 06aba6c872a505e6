// bc7_pass_dual.comp - BC7 pass: the rotation modes (4, 5) of pc.modes for the blocks of list pc.list, each block kept where it beats the block stored.
#version 450
#include "bc7_pass.glsl"
#include "bc7_single.glsl" // helpers the families may share
#include "bc7_multi.glsl"
#include "bc7_dual.glsl"

layout(constant_id = TT_BC7_SPEC_MODE) const int PASS_MODE = -1;

void main()
{
    uint item = flat_item();
    if (item >= st[pc.list]) return;
    uint blk = st[list_base(pc.list) + item];
    load_block(blk);
    int sse = int(st[sse_base() + blk]);
    uvec4 best = uvec4(0u);
    bool better = false;
    // lowest mode first, kept on a lower weighted SSE (the first mode wins ties), as in C
    uint todo = PASS_MODE >= 0 ? 1u << PASS_MODE : pc.modes;
    [[dont_unroll]] while (todo != 0u) {
        int mode = PASS_MODE >= 0 ? PASS_MODE : findLSB(todo);
        todo &= todo - 1u;
        uvec4 b;
        int e = encode_dual_block(mode, b);
        if (e < sse) {
            sse = e;
            best = b;
            better = true;
        }
    }
    if (better) {
        dst_blocks[blk] = best;
        st[sse_base() + blk] = uint(sse);
    }
}
