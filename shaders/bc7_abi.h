/* bc7_abi.h - the contract between src/bc7/bc7_gpu.c and the BC7 passes (shaders/bc7_pass.glsl): push constants, specialization constants, work lists, mode sets. */
#ifndef TT_BC7_ABI_H
#define TT_BC7_ABI_H
#include "tt_abi.h"

/* Local size of the BC7 passes in x: one invocation per 4x4 block, and one partition-table entry per invocation
 * when the workgroup fills its shared copy (so it must equal the 64 partitions). */
#define TT_BC7_LOCAL_SIZE 64

/* tt_bc7_config.modes bits. After mode 6 (always tried), an opaque block tries the allowed modes of
 * TT_BC7_OPAQUE_MODES (7 is left out: its alpha would cost colour precision for nothing), a block with alpha those
 * of TT_BC7_ALPHA_MODES (modes 0-3 decode alpha 255). TT_BC7_MULTI_MODES: the two-subset RGB modes whose presence
 * makes mode 6 take its lighter polish (LITE_POLISH). */
#define TT_BC7_OPAQUE_MODES 0x3Fu
#define TT_BC7_ALPHA_MODES ((1u << 4) | (1u << 5) | (1u << 7))
#define TT_BC7_MULTI_MODES ((1u << 1) | (1u << 3))

/* What a mode family returns for a mode it cannot use on a block (above any real SSE), in C and GLSL. */
#define TT_BC7_NO_CANDIDATE 0x7FFFFFFF

/* Most multi-subset partitions a preset may encode fully per mode (tt_bc7_config.partitions). */
#define TT_BC7_MAX_PARTITIONS 16

/* Specialization constants: the integer channel weights of the error (tt_bc7_channel_weights), R, G, B, A, so
 * that the default weights (all 1) cost no multiplication. */
#define TT_BC7_SPEC_WEIGHT_R 0
/* The mode a multi/dual pass encodes, as a constant so that the mode table folds into the code (a GPU builds one
 * pipeline per mode), or -1: every mode of pc.modes in a loop (one pipeline per family, fewer to build on a CPU
 * device). The blocks are the same either way. */
#define TT_BC7_SPEC_MODE 4
/* tt_bc7_config.loose_alpha as it applies to the image (0 for images with alpha), a constant so that the default
 * (0) costs the mode-6 code nothing. */
#define TT_BC7_SPEC_LOOSE 5
/* tt_bc7_config.joint_steps, a constant so that fastest (0) carries none of their code. */
#define TT_BC7_SPEC_JOINT 6
/* tt_bc7_config.lean_search, a constant so that the full search (0) carries none of its test. */
#define TT_BC7_SPEC_LEAN 7
#define TT_BC7_SPEC_COUNT 8

/* lean_search: an opaque block whose weighted SSE after mode 6 is at most this many times the mean RGB weight
 * (3 sse <= TT_BC7_LEAN_SSE (w_R + w_G + w_B), in unsigned 32-bit arithmetic), and whose texels are not all grey
 * (R = G = B), skips modes 0 and 2: on photos they gain nothing there, while grey images need mode 0 on such
 * blocks too (docs/bc7.md, "Presets"). Twins: lean_three in bc7_ref_block.c (C) and in bc7_pass_single.comp. */
#define TT_BC7_LEAN_SSE 128u

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
    TT_U32(partitions)     /* per mode m, bits 4m..4m+3: its partitions fully encoded - 1 (tt_bc7_partitions_packed) */
    TT_U32(list)           /* the list a multi/dual pass reads (TT_BC7_LIST_*) */
    TT_I32(polish_passes)  /* tt_bc7_config fields, as there */
    TT_I32(full_mode6)
    TT_I32(index_trials)
TT_PUSH_END(tt_bc7_push, 64)

/* The state buffer (binding 3), in 32-bit words, for a band of N = blocks_x * band_rows blocks: the lengths of
 * the TT_BC7_LIST_COUNT lists at TT_BC7_LIST_*, then the lists from TT_BC7_STATE_LISTS (N entries each, list L at
 * TT_BC7_STATE_LISTS + L N), then each block's weighted SSE (N words). */
#define TT_BC7_LIST_ALL 0u      /* blocks that are not one colour (mode 6's pass) */
#define TT_BC7_LIST_OPAQUE 1u   /* opaque blocks with error left after mode 6 */
#define TT_BC7_LIST_ALPHA 2u    /* blocks with alpha and error left after mode 6 */
#define TT_BC7_LIST_THREE 3u    /* lean_search: the blocks of OPAQUE that also try modes 0 and 2 */
/* final_trials: the blocks with error left whose choice is mode 6, mode 1, mode 3, or mode 0, 2 or 7
 * (bc7_finish_sort.comp fills them after every search pass; one bc7_pass_finish.comp pass each) */
#define TT_BC7_LIST_FIN6 4u
#define TT_BC7_LIST_FIN1 5u
#define TT_BC7_LIST_FIN3 6u
#define TT_BC7_LIST_FINSETS 7u
#define TT_BC7_LIST_COUNT 8u
#define TT_BC7_STATE_LISTS 8u /* the length words: one per list */
#define TT_BC7_STATE_WORDS(n) (TT_BC7_STATE_LISTS + (TT_BC7_LIST_COUNT + 1u) * (n))

#endif
