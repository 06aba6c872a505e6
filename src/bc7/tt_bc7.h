/* tt_bc7.h - BC7 block codec: all-mode decoder, block fields of any mode, mode-6 packing, C reference encoder. */
#ifndef TT_BC7_H
#define TT_BC7_H

#include "tinytex.h"

/* Largest width or height of a BC7 texture tinytex reads or writes (the containers' bound). */
#define TT_BC7_MAX_DIMENSION 65536u

/* Bytes of BC7 data for a width x height image: ceil(w/4)*ceil(h/4)*16.
 * TT_ERR_INVALID_ARG (with a message naming `name`) if a side is 0 or above
 * TT_BC7_MAX_DIMENSION, TT_ERR_LIMIT if it does not fit in size_t. */
tt_status tt_bc7_data_size(uint32_t width, uint32_t height, const char *name, size_t *out);
/* Describes t's data as its one level (level_count 1, levels[0] = the whole data). */
void tt_texture_set_one_level(tt_texture *t);
/* A one-level texture of width x height with room for its blocks (uninitialised); *t is zeroed first, and left
 * zeroed on failure (messages name `name`). */
tt_status tt_bc7_texture_alloc(tt_texture *t, uint32_t width, uint32_t height, int srgb, const char *name);
/* TT_OK if levels[0..count) (1..TT_MAX_LEVELS) each have pixels and the floor-rule size of level 0's chain. */
tt_status tt_bc7_encode_chain_check(const tt_image *levels, uint32_t count, const char *fn);
/* The same with `count` levels (1..the full chain): level i is max(1, width >> i) x max(1, height >> i), the levels
 * lie one after the other in t->data, level 0 first. */
tt_status tt_bc7_texture_alloc_levels(tt_texture *t, uint32_t width, uint32_t height, uint32_t count, int srgb,
                                      const char *name);

/* One 128-bit BC7 block, little-endian bytes as stored in a file. */
typedef struct { uint8_t b[16]; } tt_bc7_block;

/* Decodes one block of any mode (0..7) into 16 RGBA8 texels, texel order
 * x + 4*y. Reserved mode (first byte 0) decodes to all zeros, as the
 * Khronos spec and D3D require. Returns the mode, or -1 for reserved. */
int tt_bc7_decode_block(const tt_bc7_block *blk, uint8_t out_rgba[16][4]);

/* Decodes a whole image of ceil(w/4)*ceil(h/4) blocks (row-major) into
 * `out` (w*h*4 bytes), cropping partial blocks. */
void tt_bc7_decode_image(const tt_bc7_block *blocks, uint32_t width, uint32_t height,
                         uint8_t *out_rgba);

/* Subset of `texel` for a partition of 1, 2 or 3 subsets (BPTC tables of the Khronos Data Format spec, in
 * shaders/bc7_tables.h). */
int tt_bc7_subset_of(int subsets, int partition, int texel);
/* Anchor texel of `subset` (0 for subset 0), or -1 if the partition has no such subset. */
int tt_bc7_anchor_of(int subsets, int partition, int subset);
/* 1 if `texel` is the anchor of its subset (its index has an implied MSB 0). */
int tt_bc7_is_anchor(int subsets, int partition, int texel);

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
/* Reads the fields of a block; returns its mode, or -1 for the reserved mode (*f then zeroed). A shared p-bit is
 * copied to both endpoints of its subset. */
int tt_bc7_unpack_fields(const tt_bc7_block *blk, tt_bc7_fields *f);

/* Mode-6 fields, already expanded: endpoints as 7-bit values + p-bits,
 * 16 4-bit indices (texel 0 must be < 8, the anchor). */
typedef struct {
    uint8_t e[2][4];   /* 7-bit R,G,B,A per endpoint */
    uint8_t p[2];      /* p-bit per endpoint */
    uint8_t idx[16];   /* 4-bit index per texel */
} tt_bc7_mode6;

/* Packs mode-6 fields. If idx[0] >= 8 the endpoints (with their p-bits) are
 * swapped and every index replaced by 15 - idx, so the result is always valid. */
void tt_bc7_pack_mode6(const tt_bc7_mode6 *m, tt_bc7_block *out);
/* Unpacks a mode-6 block; returns TT_ERR_FORMAT if the block is not mode 6. */
tt_status tt_bc7_unpack_mode6(const tt_bc7_block *blk, tt_bc7_mode6 *out);

/* Encoder settings: tt_bc7_config in tinytex.h (tt_bc7_config_init / _preset / _validate). */
/* The integer weights (R, G, B, A) of the encoder's squared error for a valid config (bc7_config.c says how). */
void tt_bc7_channel_weights(const tt_bc7_config *p, int w[4]);
/* Partitions fully encoded for multi-subset `mode` (partitions, fewer for modes 0-3 and 7 with lean_search), and
 * all eight counts packed for the passes' push constant (bc7_config.c says how). */
int tt_bc7_mode_partitions(const tt_bc7_config *p, int mode);
uint32_t tt_bc7_partitions_packed(const tt_bc7_config *p);
/* The order the modes other than 6 are tried in after mode 6, -1 at the end: 0-5 then 7, or with lean_search 0 and 2
 * before 1 and 3 (the GPU runs 0 and 2 over their own list). The C search and the GPU passes both follow it, so a tie
 * goes to the same mode. */
const int *tt_bc7_mode_order(const tt_bc7_config *p);

/* Reads the 4x4 block at block coordinates (bx, by) with edge replication. */
void tt_bc7_fetch_block(const tt_image *img, uint32_t bx, uint32_t by, uint8_t out_rgba[16][4]);

/* C reference encoder of one block (same algorithm as shaders/bc7_encode.comp). */
void tt_bc7_encode_block_ref(const uint8_t texels[16][4], const tt_bc7_config *p,
                             tt_bc7_block *out);
/* C reference encoder of a whole image (blocks row-major), the GPU encoder's twin: every block encoded
 * (tt_bc7_encode_image_plain_ref), then the alpha test's second look (tt_bc7_alpha_test_fix) where p asks for it. */
tt_status tt_bc7_encode_image_ref(const tt_image *img, const tt_bc7_config *p,
                                  tt_bc7_block *blocks);
/* The same without the alpha test: each block from its 16 texels only. */
tt_status tt_bc7_encode_image_plain_ref(const tt_image *img, const tt_bc7_config *p, tt_bc7_block *blocks);

/* An image encoder (the C reference or the GPU's): blocks of `img` under config p. */
typedef tt_status (*tt_bc7_encode_image_fn)(void *ctx, const tt_image *img, const tt_bc7_config *p,
                                            tt_bc7_block *blocks);
/* With p->alpha_test >= 0: the blocks of `img` in which a texel decodes on the other side of the alpha test than
 * it is in `img` are encoded again (by `encode`, in a strip of such blocks) with those texels' alpha pushed away
 * from the reference, 4, then 8, then 16 more; per block the encoding with the fewest texels across is kept.
 * wrong_before / wrong_after (may be NULL): texels across the test before and after. No-op otherwise. */
tt_status tt_bc7_alpha_test_fix(const tt_image *img, const tt_bc7_config *p, tt_bc7_block *blocks,
                                tt_bc7_encode_image_fn encode, void *ctx, uint32_t *wrong_before,
                                uint32_t *wrong_after);

/* Sum of squared 8-bit errors over RGBA between `texels` and the decode of
 * the mode-6 fields `m` (the loss the encoder minimizes). */
uint32_t tt_bc7_mode6_sse(const tt_bc7_mode6 *m, const uint8_t texels[16][4]);


#endif
