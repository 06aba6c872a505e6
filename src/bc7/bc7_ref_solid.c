/* bc7_ref_solid.c - C reference, single-colour blocks: the optimal encoding by table lookup (shaders/bc7_solid.h), no search. */
#include <string.h>

#include "bc7/bc7_ref.h"
#include "bc7_solid.h" /* shaders/: the tables and tt_bc7_solid_pick, shared with the GLSL twin bc7_solid.glsl */

int tt_bc7_ref_encode_solid(const block_in *in, unsigned modes, tt_bc7_fields *out)
{
    for (int i = 1; i < 16; i++)
        if (memcmp(in->t[i], in->t[0], sizeof in->t[0])) return -1;
    uint32_t c = 0;
    for (int k = 0; k < 4; k++) c |= (uint32_t)in->t[0][k] << (8 * k);
    uint32_t pick = tt_bc7_solid_pick(c, modes | (1u << 6));
    uint32_t t = pick & 255u, d = tt_bc7_solid_desc[t];
    int mode = (int)(d & 15u), subsets = tt_bc7_mode(mode)->subsets;
    memset(out, 0, sizeof *out);
    out->mode = mode; /* partition 0, rotation 0, index selection 0 */
    for (int s = 0; s < subsets; s++) {
        for (int k = 0; k < 4; k++) {
            uint32_t e = tt_bc7_solid[TT_BC7_SOLID_BASE(d) + (uint32_t)in->t[0][k]];
            if (k == 3 && mode == 5) e = (uint32_t)in->t[0][3] * 0x101u; /* 8-bit alpha: a0 = a1 = A */
            out->e[2 * s][k] = (uint8_t)(e & 255u);
            out->e[2 * s + 1][k] = (uint8_t)((e >> 8) & 255u);
        }
        out->p[2 * s] = (uint8_t)((d >> 4) & 1u);
        out->p[2 * s + 1] = (uint8_t)((d >> 5) & 1u);
    }
    memset(out->idx, (int)((d >> 8) & 15u), sizeof out->idx); /* below half the range: valid at every anchor */
    return (int)(16u * (pick >> 8));
}
