/* bc7_block.c - BC7 block layout of every mode from the mode table (partitions and anchors, pack / unpack fields), mode-6 packing and its loss. */
#include <string.h>

#include "bc7/bc7_internal.h"

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

void tt_bc7_pack_fields(const tt_bc7_fields *f, tt_bc7_block *out)
{
    const tt_bc7_mode_info *mi = tt_bc7_mode(f->mode);
    unsigned pos = 0, n_ep = 2u * mi->subsets;
    memset(out->b, 0, 16);
    tt_bc7_put_bits(out->b, &pos, (unsigned)f->mode + 1, 1u << f->mode);
    tt_bc7_put_bits(out->b, &pos, mi->part_bits, f->partition);
    tt_bc7_put_bits(out->b, &pos, mi->rot_bits, f->rotation);
    tt_bc7_put_bits(out->b, &pos, mi->isel_bits, f->isel);
    for (unsigned c = 0; c < 3; c++)
        for (unsigned i = 0; i < n_ep; i++) tt_bc7_put_bits(out->b, &pos, mi->color_bits, f->e[i][c]);
    for (unsigned i = 0; i < n_ep; i++) tt_bc7_put_bits(out->b, &pos, mi->alpha_bits, f->e[i][3]);
    if (mi->pbit_unique)
        for (unsigned i = 0; i < n_ep; i++) tt_bc7_put_bits(out->b, &pos, 1, f->p[i]);
    if (mi->pbit_shared)
        for (unsigned s = 0; s < mi->subsets; s++) tt_bc7_put_bits(out->b, &pos, 1, f->p[2 * s]);
    for (int t = 0; t < 16; t++)
        tt_bc7_put_bits(out->b, &pos, mi->index_bits - (unsigned)tt_bc7_is_anchor(mi->subsets, (int)f->partition, t),
                        f->idx[t]);
    if (mi->index2_bits)
        for (int t = 0; t < 16; t++) tt_bc7_put_bits(out->b, &pos, mi->index2_bits - (t == 0 ? 1u : 0u), f->idx2[t]);
}

int tt_bc7_unpack_fields(const tt_bc7_block *blk, tt_bc7_fields *f)
{
    memset(f, 0, sizeof *f);
    int mode = 0;
    while (mode < 8 && !(blk->b[0] & (1u << mode))) mode++;
    if (mode == 8) return -1;
    const tt_bc7_mode_info *mi = tt_bc7_mode(mode);
    unsigned pos = (unsigned)mode + 1, n_ep = 2u * mi->subsets;
    f->mode = mode;
    f->partition = tt_bc7_get_bits(blk->b, &pos, mi->part_bits);
    f->rotation = tt_bc7_get_bits(blk->b, &pos, mi->rot_bits);
    f->isel = tt_bc7_get_bits(blk->b, &pos, mi->isel_bits);
    for (unsigned c = 0; c < 3; c++)
        for (unsigned i = 0; i < n_ep; i++) f->e[i][c] = (uint8_t)tt_bc7_get_bits(blk->b, &pos, mi->color_bits);
    for (unsigned i = 0; i < n_ep; i++) f->e[i][3] = (uint8_t)tt_bc7_get_bits(blk->b, &pos, mi->alpha_bits);
    if (mi->pbit_unique)
        for (unsigned i = 0; i < n_ep; i++) f->p[i] = (uint8_t)tt_bc7_get_bits(blk->b, &pos, 1);
    if (mi->pbit_shared)
        for (unsigned s = 0; s < mi->subsets; s++) f->p[2 * s] = f->p[2 * s + 1] = (uint8_t)tt_bc7_get_bits(blk->b, &pos, 1);
    for (int t = 0; t < 16; t++)
        f->idx[t] = (uint8_t)tt_bc7_get_bits(
            blk->b, &pos, mi->index_bits - (unsigned)tt_bc7_is_anchor(mi->subsets, (int)f->partition, t));
    if (mi->index2_bits)
        for (int t = 0; t < 16; t++)
            f->idx2[t] = (uint8_t)tt_bc7_get_bits(blk->b, &pos, mi->index2_bits - (t == 0 ? 1u : 0u));
    return mode;
}

void tt_bc7_mode6_fields(const tt_bc7_mode6 *m, tt_bc7_fields *f)
{
    /* The anchor stores 3 bits: if its index needs the MSB, swap the
     * endpoints (with their p-bits) and mirror every index. */
    int swap = m->idx[0] >= 8;
    memset(f, 0, sizeof *f);
    f->mode = 6;
    for (int j = 0; j < 2; j++) {
        int from = j ^ swap;
        for (int c = 0; c < 4; c++) f->e[j][c] = m->e[from][c] & 0x7F;
        f->p[j] = m->p[from] & 1u;
    }
    for (int t = 0; t < 16; t++) f->idx[t] = (uint8_t)(swap ? 15u - (m->idx[t] & 15u) : m->idx[t] & 15u);
}

void tt_bc7_pack_mode6(const tt_bc7_mode6 *m, tt_bc7_block *out)
{
    tt_bc7_fields f;
    tt_bc7_mode6_fields(m, &f);
    tt_bc7_pack_fields(&f, out);
}

tt_status tt_bc7_unpack_mode6(const tt_bc7_block *blk, tt_bc7_mode6 *out)
{
    if ((blk->b[0] & 0x7F) != 0x40)
        return tt_fail(TT_ERR_FORMAT, "BC7 block: mode %s, not 6",
                       blk->b[0] == 0 ? "reserved" : "other");
    tt_bc7_fields f;
    tt_bc7_unpack_fields(blk, &f);
    for (int j = 0; j < 2; j++) {
        memcpy(out->e[j], f.e[j], 4);
        out->p[j] = f.p[j];
    }
    memcpy(out->idx, f.idx, 16);
    return TT_OK;
}

uint32_t tt_bc7_mode6_sse(const tt_bc7_mode6 *m, const uint8_t texels[16][4])
{
    uint32_t sse = 0;
    for (int t = 0; t < 16; t++) {
        unsigned w = tt_bc7_weights4[m->idx[t] & 15];
        for (int c = 0; c < 4; c++) {
            int e0 = (m->e[0][c] << 1) | m->p[0], e1 = (m->e[1][c] << 1) | m->p[1];
            int v = (int)(((64 - w) * (unsigned)e0 + w * (unsigned)e1 + 32) >> 6);
            int d = v - texels[t][c];
            sse += (uint32_t)(d * d);
        }
    }
    return sse;
}
