/* bc7_mode6.c - BC7 mode-6 block packing/unpacking, edge-replicating block fetch, encoder defaults. */
#include <string.h>

#include "bc7/tt_bc7.h"

/* Mode-6 bit layout (SPEC.md section 1, LSB first): mode 0-6 (0b1000000),
 * R0 7-13, R1 14-20, G0 21-27, G1 28-34, B0 35-41, B1 42-48, A0 49-55,
 * A1 56-62, P0 63, P1 64, index of texel 0 at 65-67 (3 bits, anchor),
 * texel i > 0 at 64 + 4i (4 bits). */

static void put_bits(uint8_t b[16], unsigned pos, unsigned n, unsigned v)
{
    for (unsigned i = 0; i < n; i++, pos++)
        if ((v >> i) & 1u) b[pos >> 3] |= (uint8_t)(1u << (pos & 7));
}

static unsigned get_bits(const uint8_t b[16], unsigned pos, unsigned n)
{
    unsigned v = 0;
    for (unsigned i = 0; i < n; i++, pos++) v |= (unsigned)((b[pos >> 3] >> (pos & 7)) & 1u) << i;
    return v;
}

void tt_bc7_pack_mode6(const tt_bc7_mode6 *m, tt_bc7_block *out)
{
    /* The anchor stores 3 bits: if its index needs the MSB, swap the
     * endpoints (with their p-bits) and mirror every index. */
    int swap = m->idx[0] >= 8;
    const uint8_t *e0 = m->e[swap], *e1 = m->e[!swap];
    memset(out->b, 0, 16);
    put_bits(out->b, 0, 7, 0x40);
    for (unsigned c = 0; c < 4; c++) {
        put_bits(out->b, 7 + 14 * c, 7, e0[c] & 0x7F);
        put_bits(out->b, 14 + 14 * c, 7, e1[c] & 0x7F);
    }
    put_bits(out->b, 63, 1, m->p[swap] & 1u);
    put_bits(out->b, 64, 1, m->p[!swap] & 1u);
    for (unsigned t = 0; t < 16; t++) {
        unsigned idx = m->idx[t] & 15u;
        if (swap) idx = 15u - idx;
        if (t == 0) put_bits(out->b, 65, 3, idx);
        else put_bits(out->b, 64 + 4 * t, 4, idx);
    }
}

tt_status tt_bc7_unpack_mode6(const tt_bc7_block *blk, tt_bc7_mode6 *out)
{
    if ((blk->b[0] & 0x7F) != 0x40)
        return tt_fail(TT_ERR_FORMAT, "BC7 block: mode %s, not 6",
                       blk->b[0] == 0 ? "reserved" : "other");
    for (unsigned c = 0; c < 4; c++) {
        out->e[0][c] = (uint8_t)get_bits(blk->b, 7 + 14 * c, 7);
        out->e[1][c] = (uint8_t)get_bits(blk->b, 14 + 14 * c, 7);
    }
    out->p[0] = (uint8_t)get_bits(blk->b, 63, 1);
    out->p[1] = (uint8_t)get_bits(blk->b, 64, 1);
    out->idx[0] = (uint8_t)get_bits(blk->b, 65, 3);
    for (unsigned t = 1; t < 16; t++) out->idx[t] = (uint8_t)get_bits(blk->b, 64 + 4 * t, 4);
    return TT_OK;
}

uint32_t tt_bc7_mode6_sse(const tt_bc7_mode6 *m, const uint8_t texels[16][4])
{
    static const uint8_t w4[16] = {0, 4, 9, 13, 17, 21, 26, 30, 34, 38, 43, 47, 51, 55, 60, 64};
    uint32_t sse = 0;
    for (int t = 0; t < 16; t++) {
        unsigned w = w4[m->idx[t] & 15];
        for (int c = 0; c < 4; c++) {
            int e0 = (m->e[0][c] << 1) | m->p[0], e1 = (m->e[1][c] << 1) | m->p[1];
            int v = (int)(((64 - w) * (unsigned)e0 + w * (unsigned)e1 + 32) >> 6);
            int d = v - texels[t][c];
            sse += (uint32_t)(d * d);
        }
    }
    return sse;
}

void tt_bc7_fetch_block(const tt_image *img, uint32_t bx, uint32_t by, uint8_t out_rgba[16][4])
{
    for (uint32_t y = 0; y < 4; y++) {
        uint32_t sy = by * 4 + y;
        if (sy >= img->height) sy = img->height - 1;
        for (uint32_t x = 0; x < 4; x++) {
            uint32_t sx = bx * 4 + x;
            if (sx >= img->width) sx = img->width - 1;
            memcpy(out_rgba[y * 4 + x], img->rgba + ((size_t)sy * img->width + sx) * 4, 4);
        }
    }
}

void tt_bc7_config_init(tt_bc7_config *p)
{
    memset(p, 0, sizeof *p);
    p->refine = 1;
    p->good_enough = 0.004f;
    p->nm_iterations = 64;
    p->refit = 1;
    p->modes = TT_BC7_MODES_DEFAULT;
}

tt_status tt_bc7_config_validate(const tt_bc7_config *p)
{
    if (!p) return tt_fail(TT_ERR_INVALID_ARG, "bc7 config: missing");
    if (p->modes & ~0xFFu) return tt_fail(TT_ERR_INVALID_ARG, "bc7 config: modes 0x%x name a mode above 7", p->modes);
    if (p->nm_iterations < 0 || p->nm_iterations > 100000)
        return tt_fail(TT_ERR_INVALID_ARG, "bc7 config: nm_iterations %d outside 0..100000", p->nm_iterations);
    if (!(p->good_enough >= 0.0f) || p->good_enough > 1e30f)
        return tt_fail(TT_ERR_INVALID_ARG, "bc7 config: good_enough must be a finite value >= 0");
    if ((p->refine != 0 && p->refine != 1) || (p->refit != 0 && p->refit != 1) || (p->srgb != 0 && p->srgb != 1))
        return tt_fail(TT_ERR_INVALID_ARG, "bc7 config: refine, refit and srgb are 0 or 1");
    return TT_OK;
}

unsigned tt_bc7_modes_from_choice(int index)
{
    static const unsigned sets[4] = {TT_BC7_MODES_DEFAULT, 1u << 6, (1u << 6) | (1u << 3),
                                     (1u << 6) | (1u << 3) | (1u << 1)};
    return index >= 0 && index < 4 ? sets[index] : TT_BC7_MODES_DEFAULT;
}
