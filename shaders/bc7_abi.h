/* bc7_abi.h - the contract between src/bc7/bc7_gpu.c and shaders/bc7_encode.comp: push constants (no specialization constants). */
#ifndef TT_BC7_ABI_H
#define TT_BC7_ABI_H
#include "tt_abi.h"

/* Local size of bc7_encode.comp in x: one invocation per 4x4 block, and one partition-table entry per invocation
 * when the workgroup fills its shared copy (so it must equal the 64 partitions). */
#define TT_BC7_LOCAL_SIZE 64

/* The multi-subset modes the encoder offers for opaque blocks, after mode 6 (tt_bc7_config.modes bits). */
#define TT_BC7_MULTI_MODES ((1u << 1) | (1u << 3))

/* One dispatch encodes a band of block rows; src holds its pixel rows from src_row0 on. */
TT_PUSH_BEGIN(tt_bc7_push)
    TT_U32(width)          /* image size in pixels */
    TT_U32(height)
    TT_U32(blocks_x)       /* ceil(width / 4) */
    TT_U32(block_row0)     /* first block row of this band */
    TT_U32(band_rows)      /* block rows in this band */
    TT_U32(src_row0)       /* first pixel row held in src */
    TT_I32(refine)         /* tt_bc7_config fields, as there */
    TT_F32(good_enough)
    TT_I32(nm_iterations)
    TT_I32(refit)
    TT_U32(modes)          /* bit m: BC7 mode m allowed; bc7_gpu.c always sets bit 6 */
TT_PUSH_END(tt_bc7_push, 44)

#endif
