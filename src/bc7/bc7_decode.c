/* bc7_decode.c - reference BC7 (BPTC unorm) decoder for all 8 modes, integer-exact per the Khronos spec. */
#include <string.h>

#include "bc7/tt_bc7.h"

/* Tables of the BPTC chapter of the Khronos Data Format Specification 1.3
 * ("BC7 partition tables", "BC7 anchor index values"), identical to the ones
 * in Microsoft's "BC7 Format" documentation; cross-checked entry by entry
 * against DirectXTex BC6HBC7.cpp (g_aPartitionTable, g_aFixUp). One string
 * per partition: the subset of texel x + 4y is the digit at position x + 4y. */
const char *const tt_bc7_partition2[64] = {
    "0011001100110011", "0001000100010001", "0111011101110111", "0001001100110111",
    "0000000100010011", "0011011101111111", "0001001101111111", "0000000100110111",
    "0000000000010011", "0011011111111111", "0000000101111111", "0000000000010111",
    "0001011111111111", "0000000011111111", "0000111111111111", "0000000000001111",
    "0000100011101111", "0111000100000000", "0000000010001110", "0111001100010000",
    "0011000100000000", "0000100011001110", "0000000010001100", "0111001100110001",
    "0011000100010000", "0000100010001100", "0110011001100110", "0011011001101100",
    "0001011111101000", "0000111111110000", "0111000110001110", "0011100110011100",
    "0101010101010101", "0000111100001111", "0101101001011010", "0011001111001100",
    "0011110000111100", "0101010110101010", "0110100101101001", "0101101010100101",
    "0111001111001110", "0001001111001000", "0011001001001100", "0011101111011100",
    "0110100110010110", "0011110011000011", "0110011010011001", "0000011001100000",
    "0100111001000000", "0010011100100000", "0000001001110010", "0000010011100100",
    "0110110010010011", "0011011011001001", "0110001110011100", "0011100111000110",
    "0110110011001001", "0110001100111001", "0111111010000001", "0001100011100111",
    "0000111100110011", "0011001111110000", "0010001011101110", "0100010001110111",
};

const char *const tt_bc7_partition3[64] = {
    "0011001102212222", "0001001122112221", "0000200122112211", "0222002200110111",
    "0000000011221122", "0011001100220022", "0022002211111111", "0011001122112211",
    "0000000011112222", "0000111111112222", "0000111122222222", "0012001200120012",
    "0112011201120112", "0122012201220122", "0011011211221222", "0011200122002220",
    "0001001101121122", "0111001120012200", "0000112211221122", "0022002200221111",
    "0111011102220222", "0001000122212221", "0000001101220122", "0000110022102210",
    "0122012200110000", "0012001211222222", "0110122112210110", "0000011012211221",
    "0022110211020022", "0110011020022222", "0011012201220011", "0000200022112221",
    "0000000211221222", "0222002200120011", "0011001200220222", "0120012001200120",
    "0000111122220000", "0120120120120120", "0120201212010120", "0011220011220011",
    "0011112222000011", "0101010122222222", "0000000021212121", "0022112200221122",
    "0022001100220011", "0220122102201221", "0101222222220101", "0000212121212121",
    "0101010101012222", "0222011102220111", "0002111200021112", "0000211221122112",
    "0222011101110222", "0002111211120002", "0110011001102222", "0000000021122112",
    "0110011022222222", "0022001100110022", "0022112211220022", "0000000000002112",
    "0002000100020001", "0222122202221222", "0101222222222222", "0111201122012220",
};

/* Anchor (fix-up) texel of subset 1 for 2-subset partitions. */
const uint8_t tt_bc7_anchor2_1[64] = {
    15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,
    15, 2,  8,  2,  2,  8,  8,  15, 2,  8,  2,  2,  8,  8,  2,  2,
    15, 15, 6,  8,  2,  8,  15, 15, 2,  8,  2,  2,  2,  15, 15, 6,
    6,  2,  6,  8,  15, 15, 2,  2,  15, 15, 15, 15, 15, 2,  2,  15,
};
/* Anchors of subsets 1 and 2 for 3-subset partitions. */
const uint8_t tt_bc7_anchor3_1[64] = {
    3,  3,  15, 15, 8,  3,  15, 15, 8,  8,  6,  6,  6,  5,  3,  3,
    3,  3,  8,  15, 3,  3,  6,  10, 5,  8,  8,  6,  8,  5,  15, 15,
    8,  15, 3,  5,  6,  10, 8,  15, 15, 3,  15, 5,  15, 15, 15, 15,
    3,  15, 5,  5,  5,  8,  5,  10, 5,  10, 8,  13, 15, 12, 3,  3,
};
const uint8_t tt_bc7_anchor3_2[64] = {
    15, 8,  8,  3,  15, 15, 3,  8,  15, 15, 15, 15, 15, 15, 15, 8,
    15, 8,  15, 3,  15, 8,  15, 8,  3,  15, 6,  10, 15, 15, 10, 8,
    15, 3,  15, 10, 10, 8,  9,  10, 6,  15, 8,  15, 3,  6,  6,  8,
    15, 3,  15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 3,  15, 15, 8,
};

static const uint8_t weights2[4] = {0, 21, 43, 64};
static const uint8_t weights3[8] = {0, 9, 18, 27, 37, 46, 55, 64};
static const uint8_t weights4[16] = {0, 4, 9, 13, 17, 21, 26, 30, 34, 38, 43, 47, 51, 55, 60, 64};

/* Per mode: subsets, partition bits, rotation bits, index-selection bits,
 * color bits, alpha bits, unique p-bits per endpoint, shared p-bit per
 * subset, primary index bits, secondary index bits. */
typedef struct {
    uint8_t subsets, part_bits, rot_bits, isel_bits, color_bits, alpha_bits;
    uint8_t pbit_unique, pbit_shared, index_bits, index2_bits;
} mode_info;

static const mode_info modes[8] = {
    {3, 4, 0, 0, 4, 0, 1, 0, 3, 0},
    {2, 6, 0, 0, 6, 0, 0, 1, 3, 0},
    {3, 6, 0, 0, 5, 0, 0, 0, 2, 0},
    {2, 6, 0, 0, 7, 0, 1, 0, 2, 0},
    {1, 0, 2, 1, 5, 6, 0, 0, 2, 3},
    {1, 0, 2, 0, 7, 8, 0, 0, 2, 2},
    {1, 0, 0, 0, 7, 7, 1, 0, 4, 0},
    {2, 6, 0, 0, 5, 5, 1, 0, 2, 0},
};

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
    return bits == 2 ? weights2 : bits == 3 ? weights3 : weights4;
}

int tt_bc7_subset_of(int subsets, int partition, int texel)
{
    if (subsets == 2) return tt_bc7_partition2[partition][texel] - '0';
    if (subsets == 3) return tt_bc7_partition3[partition][texel] - '0';
    return 0;
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
    const mode_info *mi = &modes[mode];
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
