/* bc7_ref_block.c - the C reference encoder's block search: the single-colour lookup, else mode 6, then every other allowed mode that can hold the block, the lowest weighted error kept. */
#include "bc7/bc7_ref.h"

/* Twin of main() in shaders/bc7_encode.comp. The families are bc7_ref_solid.c, bc7_ref_single.c (6),
 * bc7_ref_multi.c (0, 1, 2, 3, 7) and bc7_ref_dual.c (4, 5). */
#ifndef LITE_POLISH
/* 1: opaque blocks that also get a multi-subset candidate (mode 1/3) take a
 * lighter mode-6 polish: one +-1 pass, no principal-axis start */
#define LITE_POLISH 1
#endif

/* lean_search: whether an opaque block whose mode-6 SSE is sse also tries modes 0 and 2 (TT_BC7_LEAN_SSE says
 * when; twin of lean_three in shaders/bc7_pass_single.comp, the same unsigned arithmetic). */
static int lean_three(const block_in *in, int sse)
{
    int grey = 1;
    for (int i = 0; i < 16; i++) grey &= in->t[i][0] == in->t[i][1] && in->t[i][1] == in->t[i][2];
    return grey || 3u * (unsigned)sse > TT_BC7_LEAN_SSE * (unsigned)(in->w[0] + in->w[1] + in->w[2]);
}

void tt_bc7_ref_encode_block(const uint8_t texels[16][4], const tt_bc7_config *p, tt_bc7_block *out)
{
    block_in in;
    in.opaque = 1;
    in.alpha_free = 0;
    in.joint = p->joint_steps;
    in.lean = p->lean_search;
    for (int i = 0; i < 16; i++) {
        for (int k = 0; k < 4; k++) in.t[i][k] = in.ct[k][i] = texels[i][k];
        if (texels[i][3] != 255) in.opaque = 0;
    }
    tt_bc7_channel_weights(p, in.w);
    tt_bc7_fields best;
    /* One colour: the table's encoding is optimal for the allowed modes, so no search (bc7_solid.h says why). */
    if (tt_bc7_ref_encode_solid(&in, p->modes, &best) >= 0) {
        tt_bc7_pack_fields(&best, out);
        return;
    }
    unsigned others = p->modes & (in.opaque ? TT_BC7_OPAQUE_MODES : TT_BC7_ALPHA_MODES);
    int lite = LITE_POLISH && !p->full_mode6 && in.opaque && (p->modes & TT_BC7_MULTI_MODES);
    block_in in6 = in;
    /* loose: mode 6 of an opaque block ignores alpha error and picks its p-bits freely, as bc7enc does */
    in6.alpha_free = in.opaque && p->loose_alpha;
    if (in6.alpha_free) in6.w[3] = 0;
    int sse = tt_bc7_ref_encode_single(&in6, p, lite, &best);
    /* The other modes, lowest first, kept on a lower weighted SSE (the first mode wins ties); lean_search tries the
     * three-subset modes first (0, 2, 1, 3: the GPU runs them on their own list, bc7_gpu.c) and only on the blocks
     * lean_three picks. */
    const int *order = tt_bc7_mode_order(p);
    if (p->lean_search && in.opaque && sse > 0 && !lean_three(&in, sse)) others &= ~5u;
    tt_bc7_multi_cache cache;
    cache.have[0] = cache.have[1] = 0;
    if (p->refit && sse > 0)
        for (int k = 0; order[k] >= 0; k++) {
            int mode = order[k];
            if (!(others & (1u << mode))) continue;
            tt_bc7_fields f;
            int e = mode == 4 || mode == 5 ? tt_bc7_ref_encode_dual(&in, mode, p, &f)
                                           : tt_bc7_ref_encode_multi_below(&in, mode, p, sse, &cache, &f);
            if (e < sse) {
                sse = e;
                best = f;
            }
        }
    /* The final polish of the block's choice (final_trials; twin: bc7_pass_finish.comp): trials and a +-1 pass
     * that every candidate could not afford. */
    if (p->refit && p->final_trials && sse > 0) {
        if (best.mode == 6)
            sse = tt_bc7_ref_finish_single(&in6, p->final_trials, &best, sse);
        else if (best.mode != 4 && best.mode != 5)
            sse = tt_bc7_ref_finish_multi(&in, p->final_trials, &best, sse);
    }
    tt_bc7_pack_fields(&best, out);
}
