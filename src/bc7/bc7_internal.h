/* bc7_internal.h - what the files of src/bc7 share and nothing outside uses: the C/GLSL tables, the one bit writer and reader, block fields of any mode. */
#ifndef TT_BC7_INTERNAL_H
#define TT_BC7_INTERNAL_H

#include "bc7/tt_bc7.h"
#include "bc7_tables.h" /* shaders/: partitions, anchors, weights, the mode table */

/* The bit writer and reader of every BC7 block (LSB first: bit i of the block is bit i % 8 of byte i / 8); each
 * call moves *pos on by n. The writer ORs into a zeroed block. Twin of put_bits_adv in shaders/bc7_common.glsl. */
static inline void tt_bc7_put_bits(uint8_t b[16], unsigned *pos, unsigned n, unsigned v)
{
    for (unsigned i = 0; i < n; i++, (*pos)++)
        if ((v >> i) & 1u) b[*pos >> 3] |= (uint8_t)(1u << (*pos & 7));
}

static inline unsigned tt_bc7_get_bits(const uint8_t b[16], unsigned *pos, unsigned n)
{
    unsigned v = 0;
    for (unsigned i = 0; i < n; i++, (*pos)++) v |= (unsigned)((b[*pos >> 3] >> (*pos & 7)) & 1u) << i;
    return v;
}

/* The fields of a block of any mode, as stored (no bit expansion), laid out by the mode table. */
typedef struct {
    int mode;                      /* 0..7 */
    unsigned partition, rotation, isel;
    uint8_t e[6][4];               /* endpoints of subset s at 2s, 2s + 1: colour_bits (RGB), alpha_bits (A) wide */
    uint8_t p[6];                  /* p-bit per endpoint; where a subset shares one, p[2s] is stored */
    uint8_t idx[16], idx2[16];     /* primary and secondary indices; anchor indices below half the range */
} tt_bc7_fields;

/* Writes the fields of f->mode (0..7) into a block, in the order of the mode table. */
void tt_bc7_pack_fields(const tt_bc7_fields *f, tt_bc7_block *out);
/* The mode-6 fields of m, made valid as tt_bc7_pack_mode6 describes (anchor swap). */
void tt_bc7_mode6_fields(const tt_bc7_mode6 *m, tt_bc7_fields *f);
/* Reads the fields of a block; returns its mode, or -1 for the reserved mode (*f then zeroed). A shared p-bit is
 * copied to both endpoints of its subset. */
int tt_bc7_unpack_fields(const tt_bc7_block *blk, tt_bc7_fields *f);

#endif
