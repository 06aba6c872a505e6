/* bc7_decode.c - reference BC7 (BPTC unorm) decoder for all 8 modes, integer-exact per the Khronos spec. */
#include <string.h>

#include "bc7/bc7_internal.h"

/* Replicates the top bits of an n-bit value into the low bits of a byte. */
static uint8_t expand_bits(unsigned v, unsigned n)
{
    v <<= 8 - n;
    return (uint8_t)(v | (v >> n));
}

static const uint8_t *weights_for(unsigned bits)
{
    return bits == 2 ? tt_bc7_weights2 : bits == 3 ? tt_bc7_weights3 : tt_bc7_weights4;
}

int tt_bc7_decode_block(const tt_bc7_block *blk, uint8_t out_rgba[16][4])
{
    tt_bc7_fields f;
    int mode = tt_bc7_unpack_fields(blk, &f);
    if (mode < 0) {
        memset(out_rgba, 0, 16 * 4);
        return -1;
    }
    const tt_bc7_mode_info *mi = tt_bc7_mode(mode);
    unsigned n_ep = 2u * mi->subsets;
    unsigned ep[6][4];
    for (unsigned i = 0; i < n_ep; i++)
        for (unsigned c = 0; c < 4; c++) ep[i][c] = f.e[i][c];
    unsigned cbits = mi->color_bits, abits = mi->alpha_bits;
    if (mi->pbit_unique || mi->pbit_shared) {
        for (unsigned i = 0; i < n_ep; i++)
            for (unsigned c = 0; c < 4; c++) ep[i][c] = (ep[i][c] << 1) | f.p[i];
        cbits++;
        if (abits) abits++;
    }
    uint8_t e8[6][4];
    for (unsigned i = 0; i < n_ep; i++) {
        for (unsigned c = 0; c < 3; c++) e8[i][c] = expand_bits(ep[i][c], cbits);
        e8[i][3] = abits ? expand_bits(ep[i][3], abits) : 255;
    }

    /* Two index sets (modes 4, 5): the second drives alpha, or colour where mode 4's selection bit is set. */
    const uint8_t *wc = weights_for(mi->index_bits), *wa = wc;
    const uint8_t *ic = f.idx, *ia = f.idx;
    if (mi->index2_bits) {
        if (f.isel) { /* mode 4 with the selection bit set: 3-bit indices drive color */
            ic = f.idx2; wc = weights_for(mi->index2_bits);
            ia = f.idx; wa = weights_for(mi->index_bits);
        } else {
            ic = f.idx; wc = weights_for(mi->index_bits);
            ia = f.idx2; wa = weights_for(mi->index2_bits);
        }
    }
    unsigned rotation = f.rotation;
    for (int t = 0; t < 16; t++) {
        unsigned s = (unsigned)tt_bc7_subset_of(mi->subsets, (int)f.partition, t);
        const uint8_t *a = e8[2 * s], *b = e8[2 * s + 1];
        unsigned w = wc[ic[t]];
        for (int c = 0; c < 3; c++) out_rgba[t][c] = (uint8_t)(((64 - w) * a[c] + w * b[c] + 32) >> 6);
        w = wa[ia[t]];
        out_rgba[t][3] = (uint8_t)(((64 - w) * a[3] + w * b[3] + 32) >> 6);
        if (rotation) {
            uint8_t tmp = out_rgba[t][3];
            out_rgba[t][3] = out_rgba[t][rotation - 1];
            out_rgba[t][rotation - 1] = tmp;
        }
    }
    return mode;
}

void tt_bc7_decode_image(const tt_bc7_block *blocks, uint32_t width, uint32_t height, uint8_t *out_rgba)
{
    uint32_t bw = (width + 3) / 4, bh = (height + 3) / 4;
    uint8_t texels[16][4];
    for (uint32_t by = 0; by < bh; by++)
        for (uint32_t bx = 0; bx < bw; bx++) {
            tt_bc7_decode_block(&blocks[(size_t)by * bw + bx], texels);
            for (uint32_t y = 0; y < 4 && by * 4 + y < height; y++)
                for (uint32_t x = 0; x < 4 && bx * 4 + x < width; x++)
                    memcpy(out_rgba + (((size_t)(by * 4 + y) * width) + bx * 4 + x) * 4, texels[y * 4 + x], 4);
        }
}
