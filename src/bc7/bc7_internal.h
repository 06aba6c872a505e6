/* bc7_internal.h - what the files of src/bc7 share and nothing outside uses: the C/GLSL tables, the one bit writer and reader. */
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

/* The mode-6 fields of m, made valid as tt_bc7_pack_mode6 describes (anchor swap). */
void tt_bc7_mode6_fields(const tt_bc7_mode6 *m, tt_bc7_fields *f);

#endif
