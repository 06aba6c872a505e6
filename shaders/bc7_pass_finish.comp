// bc7_pass_finish.comp - BC7 last passes (tt_bc7_config.final_trials): the final polish of each block's choice, for the blocks of list pc.list (one of bc7_finish_sort.comp's), kept where it lowers the block's weighted SSE.
#version 450
#include "bc7_pass.glsl"
#include "bc7_single.glsl"
#include "bc7_multi.glsl"

// The list's mode as a constant (6, 1 or 3: the mode table folds into the code), or -1: the mode of each block (list
// FINSETS, and every list on a CPU device, where one pipeline costs less to build).
layout(constant_id = TT_BC7_SPEC_MODE) const int PASS_MODE = -1;

// The end of tt_bc7_encode_block_ref in C: after every mode, the block's choice (read back from dst_blocks) is
// polished once more, with index trials at level pc.index_trials (bc7_gpu.c passes final_trials there) and one
// +-1 pass. Blocks whose choice is mode 4 or 5, or exact, keep it.

// Mode 6 (tt_bc7_ref_finish_single in C); a half candidate (opaque, p-bits differ) is left as it is.
int finish_single(uvec4 b, int level, int sse, inout uvec4 blk)
{
    uint pos = 7u;
    Cand c;
    c.q0 = ivec4(0);
    c.q1 = ivec4(0);
    [[unroll]] for (int k = 0; k < 4; k++) {
        c.q0 = ivec4_set(c.q0, k, int(get_bits_adv(b, pos, 7u)));
        c.q1 = ivec4_set(c.q1, k, int(get_bits_adv(b, pos, 7u)));
    }
    c.p0 = int(get_bits_adv(b, pos, 1u));
    c.p1 = int(get_bits_adv(b, pos, 1u));
    if (opaque && !alpha_free && c.p0 != c.p1) return sse;
    c.half_range = 0;
    assign_indices(c);
    trials_single(c, 0, level);
    jitter_single(c, 0, 1);
    if (c.sse >= sse) return sse;
    blk = pack_single(c);
    return c.sse;
}

// A multi-subset mode (tt_bc7_ref_finish_multi in C), every subset in lockstep through encode_sets' polish.
int finish_multi(int mode, uvec4 b, int level, int sse, inout uvec4 blk)
{
    tt_bc7_mode_info mi = tt_bc7_mode(mode);
    bool three = mi.subsets == 3, rgba = mode == 7;
    uint pos = uint(mode) + 1u;
    int pt = int(get_bits_adv(b, pos, uint(mi.part_bits)));
    uint m1, m2, a1, a2;
    sets_partition(three, pt, m1, m2, a1, a2);
    // endpoints channel by channel (subset by subset, two each), then the p-bits
    ivec4 e[6];
    int pb[6];
    [[unroll]] for (int j = 0; j < 6; j++) {
        e[j] = ivec4(0);
        pb[j] = 0;
    }
    int ne = 2 * mi.subsets;
    [[unroll]] for (int k = 0; k < 4; k++) {
        uint n = uint(k == 3 ? mi.alpha_bits : mi.color_bits);
        if (n == 0u) continue;
        [[unroll]] for (int j = 0; j < 6; j++)
            if (j < ne) e[j] = ivec4_set(e[j], k, int(get_bits_adv(b, pos, n)));
    }
    if (mi.pbit_unique != 0) {
        [[unroll]] for (int j = 0; j < 6; j++)
            if (j < ne) pb[j] = int(get_bits_adv(b, pos, 1u));
    } else if (mi.pbit_shared != 0) { // one per subset, for both its endpoints
        [[unroll]] for (int s = 0; s < 3; s++)
            if (s < mi.subsets) pb[2 * s] = pb[2 * s + 1] = int(get_bits_adv(b, pos, 1u));
    }
    Sub4 A, B, C;
    A.q0 = e[0]; A.q1 = e[1]; A.p0 = pb[0]; A.p1 = pb[1];
    B.q0 = e[2]; B.q1 = e[3]; B.p0 = pb[2]; B.p1 = pb[3];
    C.q0 = e[4]; C.q1 = e[5]; C.p0 = pb[4]; C.p1 = pb[5];
    assign_sets(mi, rgba, m1, m2, A, B, C);
    polish_sets(mi, rgba, m1, m2, level, A, B, C);
    int total = A.sse + B.sse + C.sse;
    if (total >= sse) return sse;
    blk = pack_sets(mode, pt, A, B, C);
    return total;
}

void main()
{
    load_partitions();
    barrier();
    uint item = flat_item();
    if (item >= st[pc.list]) return;
    uint blk = st[list_base(pc.list) + item];
    int sse = int(st[sse_base() + blk]);
    uvec4 b = dst_blocks[blk];
    int mode = PASS_MODE >= 0 ? PASS_MODE : findLSB(b.x & 0xFFu);
    if (sse <= 0 || mode < 0 || mode == 4 || mode == 5) return;
    load_block(blk);
    uvec4 nb = b;
    int e;
    if (mode == 6) {
        alpha_free = TT_LOOSE != 0 && opaque; // as mode 6 saw the block
        e = finish_single(b, pc.index_trials, sse, nb);
        alpha_free = false;
    } else {
        e = finish_multi(mode, b, pc.index_trials, sse, nb);
    }
    if (e < sse) {
        dst_blocks[blk] = nb;
        st[sse_base() + blk] = uint(e);
    }
}
