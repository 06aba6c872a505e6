/* mip_abi.h - the contract between src/mip/ (C reference and GPU driver) and the mip shaders (shaders/mip_common.glsl): workgroup size, bindings, table layout, push constants. */
#ifndef TT_MIP_ABI_H
#define TT_MIP_ABI_H
#include "tt_abi.h"

/* One invocation per destination texel, in 8 x 8 workgroups. */
#define TT_MIP_LOCAL_SIZE 8
/* A filter workgroup first sums, for its 8 destination columns, every source row its 8 destination rows reach (the
 * x pass of the separable filter), in shared memory: at most this many rows. A tile reaches the taps of one row plus
 * 7 steps of at most 3 source rows (the ratio is below 3, and 3 for 3 -> 1), under 50 for every filter;
 * tt_mip_tables_make checks it per level. */
#define TT_MIP_TILE_ROWS 64

/* Bindings of the one pipeline shape both passes share (unused ones get any buffer). */
#define TT_MIP_BIND_SRC8 0   /* uint[]: level 0 as given, RGBA8 words (R in the low byte) */
#define TT_MIP_BIND_SRCF 1   /* vec4[]: the float level read (linear premultiplied; normal maps: unit vector, alpha) */
#define TT_MIP_BIND_DSTF 2   /* vec4[]: the float level a filter pass writes */
#define TT_MIP_BIND_DST8 3   /* uint[]: the RGBA8 level a store pass writes */
#define TT_MIP_BIND_TAB 4    /* uint[]: the decode tables, then the filter weights of every level (float bits) */
#define TT_MIP_BINDINGS 5

/* The table buffer, in 32-bit words. Three decode tables of 256 floats each, computed in double on the host so that
 * C and GLSL decode level 0 to the same floats: sRGB EOTF of k / 255, k / 255, and 2 k / 255 - 1 (normal maps). */
#define TT_MIP_LUT_SRGB 0u
#define TT_MIP_LUT_UNORM 256u
#define TT_MIP_LUT_SNORM 512u
#define TT_MIP_TAB_WEIGHTS 768u
/* From TT_MIP_TAB_WEIGHTS on, per level i >= 1 and per axis (x, then y): one entry per destination coordinate d of
 * 1 + taps words: the first source coordinate j0 (int bits), then the weights of source coordinates j0 .. j0 +
 * taps - 1 (float bits; coordinates outside the level are clamped to its edge). Each entry's weights sum to 1. */

/* Flags (tt_mip_push.flags). */
#define TT_MIP_FLAG_SRGB 1u         /* colour is sRGB-encoded in the 8-bit data (not with NORMAL) */
#define TT_MIP_FLAG_PREMULTIPLY 2u  /* store premultiplied colour */
#define TT_MIP_FLAG_NORMAL 4u       /* RGB is a unit vector */
#define TT_MIP_FLAG_FROM8 8u        /* the pass reads level 0 from SRC8 instead of SRCF */

/* mip_filter: SRC8 or SRCF (src_w x src_h) -> DSTF (dst_w x dst_h). mip_store: SRC8 or SRCF (dst_w x dst_h, src_*
 * equal) -> DST8, with alpha scaled by `scale` (alpha coverage; 1 = off). */
TT_PUSH_BEGIN(tt_mip_push)
    TT_U32(src_w)
    TT_U32(src_h)
    TT_U32(dst_w)
    TT_U32(dst_h)
    TT_U32(flags)      /* TT_MIP_FLAG_* */
    TT_U32(taps_x)     /* filter taps per entry, x and y */
    TT_U32(taps_y)
    TT_U32(tab_x)      /* first word of this level's x entries, y entries in the table buffer */
    TT_U32(tab_y)
    TT_F32(scale)      /* alpha scale of a store pass */
TT_PUSH_END(tt_mip_push, 40)

#endif
