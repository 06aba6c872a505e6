// bc7_pass_single.comp - BC7 pass 2: mode 6 for every block of list ALL; blocks with error left that other modes may improve go on to list OPAQUE or ALPHA (and THREE).
#version 450
#include "bc7_pass.glsl"

// Speed (docs/bc7.md, "GPU encoder"): everything a thread touches stays in registers. The 16 texels are 16
// packed uints, every loop over texels is unrolled ([[unroll]]) so they are only indexed by constants; the
// simplex is read and written through unrolled select loops; Nelder-Mead runs as a state machine with ONE loss
// evaluation per loop trip (threads of a warp in different NM phases still evaluate together), and the three
// polish starts share one inlined polish. Loops that are not texel loops are [[dont_unroll]] to keep the code
// (and lavapipe's compile time) small.
#include "bc7_single.glsl"

// lean_search: whether an opaque block with mode-6 SSE sse also tries modes 0 and 2 (lean_three in bc7_ref_block.c).
bool lean_three(int sse)
{
    bool grey = true;
    [[unroll]] for (int i = 0; i < 16; i++) {
        uint r = tp[i] & 0xFFu, g = (tp[i] >> 8) & 0xFFu, b = (tp[i] >> 16) & 0xFFu;
        grey = grey && r == g && g == b;
    }
    return grey || 3u * uint(sse) > TT_BC7_LEAN_SSE * uint(TT_W_R + TT_W_G + TT_W_B);
}

void main()
{
    uint item = flat_item();
    if (item >= st[TT_BC7_LIST_ALL]) return;
    uint blk = st[list_base(TT_BC7_LIST_ALL) + item];
    load_block(blk);
    bool lite = LITE_POLISH != 0 && pc.full_mode6 == 0 && opaque && (pc.modes & TT_BC7_MULTI_MODES) != 0u;
    // loose: mode 6 of an opaque block ignores alpha error and picks its p-bits freely (as in C)
    alpha_free = TT_LOOSE != 0 && opaque;
    Cand c = encode_single(lite);
    alpha_free = false;
    dst_blocks[blk] = pack_single(c);
    st[sse_base() + blk] = uint(c.sse);
    uint others = pc.modes & (opaque ? TT_BC7_OPAQUE_MODES : TT_BC7_ALPHA_MODES);
    if (pc.refit != 0 && c.sse > 0 && others != 0u) {
        list_append(opaque ? TT_BC7_LIST_OPAQUE : TT_BC7_LIST_ALPHA, blk);
        if (TT_LEAN != 0 && opaque && (others & 5u) != 0u && lean_three(c.sse)) list_append(TT_BC7_LIST_THREE, blk);
    }
}
