/* bc7_decode.c - reference BC7 (BPTC unorm) decoder for all 8 modes, integer-exact per the Khronos spec. */
#include <string.h>

#include "bc7/bc7_internal.h"

typedef struct {
    const uint8_t *b;
    unsigned pos;
} bit_reader;

static unsigned read_bits(bit_reader *r, unsigned n)
{
    unsigned v = 0;
    for (unsigned i = 0; i < n; i++, r->pos++)
        v |= (unsigned)((r->b[r->pos >> 3] >> (r->pos & 7)) & 1u) << i;
    return v;
}

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

int tt_bc7_subset_of(int subsets, int partition, int texel)
{
    if (subsets == 2) return (int)((tt_bc7_partition2[partition] >> (2 * texel)) & 3u);
    if (subsets == 3) return (int)((tt_bc7_partition3[partition] >> (2 * texel)) & 3u);
    return 0;
}

int tt_bc7_anchor_of(int subsets, int partition, int subset)
{
    if (subset == 0) return 0;
    if (subsets == 2 && subset == 1) return tt_bc7_anchor2_1[partition];
    if (subsets == 3 && subset == 1) return tt_bc7_anchor3_1[partition];
    if (subsets == 3 && subset == 2) return tt_bc7_anchor3_2[partition];
    return -1;
}

int tt_bc7_is_anchor(int subsets, int partition, int texel)
{
    if (texel == 0) return 1;
    if (subsets == 2) return texel == tt_bc7_anchor2_1[partition];
    if (subsets == 3) return texel == tt_bc7_anchor3_1[partition] || texel == tt_bc7_anchor3_2[partition];
    return 0;
}

int tt_bc7_decode_block(const tt_bc7_block *blk, uint8_t out_rgba[16][4])
{
    unsigned mode = 0;
    while (mode < 8 && !(blk->b[0] & (1u << mode))) mode++;
    if (mode == 8) {
        memset(out_rgba, 0, 16 * 4);
        return -1;
    }
    const tt_bc7_mode_info *mi = tt_bc7_mode((int)mode);
    bit_reader r = {blk->b, mode + 1};
    unsigned partition = read_bits(&r, mi->part_bits);
    unsigned rotation = read_bits(&r, mi->rot_bits);
    unsigned isel = read_bits(&r, mi->isel_bits);
    unsigned n_ep = 2u * mi->subsets;

    unsigned ep[6][4] = {{0}};
    for (unsigned c = 0; c < 3; c++)
        for (unsigned i = 0; i < n_ep; i++) ep[i][c] = read_bits(&r, mi->color_bits);
    if (mi->alpha_bits)
        for (unsigned i = 0; i < n_ep; i++) ep[i][3] = read_bits(&r, mi->alpha_bits);

    unsigned cbits = mi->color_bits, abits = mi->alpha_bits;
    if (mi->pbit_unique || mi->pbit_shared) {
        unsigned pb[6];
        if (mi->pbit_unique) {
            for (unsigned i = 0; i < n_ep; i++) pb[i] = read_bits(&r, 1);
        } else {
            for (unsigned s = 0; s < mi->subsets; s++) pb[2 * s] = pb[2 * s + 1] = read_bits(&r, 1);
        }
        for (unsigned i = 0; i < n_ep; i++)
            for (unsigned c = 0; c < 4; c++) ep[i][c] = (ep[i][c] << 1) | pb[i];
        cbits++;
        if (abits) abits++;
    }
    uint8_t e8[6][4];
    for (unsigned i = 0; i < n_ep; i++) {
        for (unsigned c = 0; c < 3; c++) e8[i][c] = expand_bits(ep[i][c], cbits);
        e8[i][3] = abits ? expand_bits(ep[i][3], abits) : 255;
    }

    /* Primary index set; anchors store one bit less (implied MSB 0). */
    unsigned idx1[16], idx2[16] = {0};
    for (int t = 0; t < 16; t++)
        idx1[t] = read_bits(&r, mi->index_bits - (tt_bc7_is_anchor(mi->subsets, (int)partition, t) ? 1 : 0));
    if (mi->index2_bits)
        for (int t = 0; t < 16; t++) idx2[t] = read_bits(&r, mi->index2_bits - (t == 0 ? 1 : 0));

    const uint8_t *wc = weights_for(mi->index_bits), *wa = wc;
    const unsigned *ic = idx1, *ia = idx1;
    if (mi->index2_bits) {
        if (isel) { /* mode 4 with the selection bit set: 3-bit indices drive color */
            ic = idx2; wc = weights_for(mi->index2_bits);
            ia = idx1; wa = weights_for(mi->index_bits);
        } else {
            ic = idx1; wc = weights_for(mi->index_bits);
            ia = idx2; wa = weights_for(mi->index2_bits);
        }
    }
    for (int t = 0; t < 16; t++) {
        unsigned s = (unsigned)tt_bc7_subset_of(mi->subsets, (int)partition, t);
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
    return (int)mode;
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
