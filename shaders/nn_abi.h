/* nn_abi.h - the neural trainer's C/GLSL contract: push constants, specialization-constant ids, bindings, workgroup and shared-memory sizes of the nn_*, hash_* and latent_* shaders. */
#ifndef NN_ABI_H
#define NN_ABI_H
#include "tt_abi.h"

/* ---- Workgroup sizes (local_size_x) --------------------------------------------------------------------------- */
#define NN_WG 128u          /* "<enc>_train", "<enc>_decode", "<enc>_decode_cm" */
#define NN_ADAM_WG 256u     /* nn_adam.comp: four parameters a thread */
#define LAT_MINMAX_WG 256u  /* latent_minmax.comp */
#define LAT_PROBE_WG 64u    /* latent_probe.comp (tests) */
#define NN_PF_WG 8u         /* nn_postfilter.comp: 8 x 8 pixels */

/* ---- Specialization constants of the train and decode shaders (nn_common.glsl) ---------------------------------
 * Ids 0..7 and 14..15 are the trainer's, 8..13 the encoder's (tt_nn_encoder_ops.spec), 16 the encoder's shared patch. */
#define NN_SPEC_IN 0        /* encoder features (decoder input) */
#define NN_SPEC_HIDDEN 1    /* decoder width, multiple of 4 */
#define NN_SPEC_DEPTH 2     /* decoder hidden layers */
#define NN_SPEC_ACT 3       /* tt_nn_act */
#define NN_SPEC_NS 4        /* samples (pixels) per training tile, multiple of 4 */
#define NN_SPEC_TPG 5       /* train: tiles per workgroup */
#define NN_SPEC_RACC 6      /* train: 1 = weight gradients summed in registers over the tiles */
#define NN_SPEC_DP 7        /* decode: pixels per workgroup (one per thread, <= NN_WG) */
#define NN_SPEC_ENC 8       /* first of the encoder's six (hash: levels, features; latent: grid geometry) */
#define NN_SPEC_TUNE 14     /* train: NN_TUNE_* bits */
#define NN_SPEC_HQ 15       /* train: head forward parts */
#define NN_SPEC_PATCH 16    /* train: floats of the encoder's per-workgroup shared patch (0 = none) */
/* ids 17..24: the latent pyramid and upsampling (below) */
#define NN_SPEC_COUNT 25

/* NN_TUNE bits (spec NN_SPEC_TUNE). */
#define NN_TUNE_PAD 1u        /* tile rows padded to an odd number of vec4 */
#define NN_TUNE_XSPLIT 2u     /* layer 0's dX split over several threads per tile */
#define NN_TUNE_PREFETCH 4u   /* the next tile's samples fetched during the current tile's loss */
#define NN_TUNE_COMPACT 8u    /* the compact tile (no derivative rows; SIREN and ReLU only) */
#define NN_TUNE_SWIZZLE 16u   /* tile columns XOR-swizzled instead of rows padded, where NS/4 is a power of two */

/* Encoder constants (ids NN_SPEC_ENC..NN_SPEC_ENC + 5). */
#define HASH_SPEC_LEVELS 8
#define HASH_SPEC_F 9
#define LAT_SPEC_CH_LO 8
#define LAT_SPEC_CH_HI 9
#define LAT_SPEC_W_LO 10
#define LAT_SPEC_H_LO 11
#define LAT_SPEC_W_HI 12
#define LAT_SPEC_H_HI 13
/* The hi pyramid (tt_latent_layout_init_pyramid): hi grids in it, and the sizes of its grids 2, 3 and 4 (grid 1 is
 * W_HI x H_HI). */
#define LAT_SPEC_HI_LEVELS 17
#define LAT_SPEC_W_HI2 18
#define LAT_SPEC_H_HI2 19
#define LAT_SPEC_W_HI3 20
#define LAT_SPEC_H_HI3 21
#define LAT_SPEC_W_HI4 22
#define LAT_SPEC_H_HI4 23
/* How the grids are upsampled to the pixels: 0 bilinear, 1 bicubic (Catmull-Rom; tt_latent_upsample). */
#define LAT_SPEC_UPSAMPLE 24
#define LAT_PROBE_SPEC_COUNT NN_SPEC_COUNT   /* latent_probe.comp takes the same ids */

/* nn_adam.comp: the QAT ranges of the updated latent grids (tt_nn_encoder_ops.adam_spec; RANGE_F 0 = none). */
#define ADAM_SPEC_RANGE_F 0
#define ADAM_SPEC_RANGE_OFFSET_HI 1
#define ADAM_SPEC_RANGE_CH_LO 2
#define ADAM_SPEC_RANGE_CH_HI 3
#define ADAM_SPEC_RANGE_TOTAL 4
#define ADAM_SPEC_RANGE_HI2 5     /* first float of the pyramid's hi grids 2, 3, 4 (RANGE_TOTAL where absent) */
#define ADAM_SPEC_RANGE_HI3 6
#define ADAM_SPEC_RANGE_HI4 7
#define ADAM_SPEC_COUNT 8

/* ---- Bindings (set 0) ------------------------------------------------------------------------------------------ */
/* "<enc>_train": fp32 params, fp32 grads (atomics), RGBA8 target, per-step loss sums, encoder aux words, encoder state */
#define NN_TRAIN_BIND_PARAMS 0
#define NN_TRAIN_BIND_GRADS 1
#define NN_TRAIN_BIND_TARGET 2
#define NN_TRAIN_BIND_STATS 3
#define NN_TRAIN_BIND_AUX 4
#define NN_TRAIN_BIND_STATE 5
#define NN_TRAIN_BUFFERS 6
/* "<enc>_decode" (4 buffers) and "<enc>_decode_cm" (5: plus the fp16 decoder weights) */
#define NN_DECODE_BIND_PARAMS 0
#define NN_DECODE_BIND_OUT 1
#define NN_DECODE_BIND_AUX 2
#define NN_DECODE_BIND_STATE 3
#define NN_DECODE_BIND_F16 4
#define NN_DECODE_BUFFERS 4
#define NN_DECODE_CM_BUFFERS 5
/* nn_adam.comp */
#define ADAM_BIND_PARAMS 0
#define ADAM_BIND_GRADS 1
#define ADAM_BIND_M 2
#define ADAM_BIND_V 3
#define ADAM_BIND_STATE 4
#define ADAM_BUFFERS 5
/* nn_postfilter.comp: RGBA8 in and out, then the coefficients as int32 (tt_postfilter's w, then b) */
#define NN_PF_BIND_IN 0
#define NN_PF_BIND_OUT 1
#define NN_PF_BIND_COEF 2
#define NN_PF_BUFFERS 3
/* latent_minmax.comp */
#define LAT_MINMAX_BIND_PARAMS 0
#define LAT_MINMAX_BIND_STATE 1
#define LAT_MINMAX_BUFFERS 2
/* latent_probe.comp: params, grads, features out, d loss / d features in, positions, state */
#define LAT_PROBE_BIND_PARAMS 0
#define LAT_PROBE_BIND_GRADS 1
#define LAT_PROBE_BIND_FEAT 2
#define LAT_PROBE_BIND_DFEAT 3
#define LAT_PROBE_BIND_POS 4
#define LAT_PROBE_BIND_STATE 5
#define LAT_PROBE_BUFFERS 6

/* ---- Shared memory ---------------------------------------------------------------------------------------------
 * The training tile (nn_common.glsl) in rows of NN_RS vec4: s_x NN_IN4 rows, s_a NN_A_ROWS_OF(...) rows, s_d
 * NN_D_ROWS_OF(...) rows (one vec4 when compact); the head NN_HEAD_VEC4_OF(NS/4, HQ) vec4 (s_gh, s_tgt, s_hz); the
 * positions NN_NS vec2. The shaders declare their arrays with these, nn_train.c (tile_smem) adds them up. */
#define NN_A_ROWS_OF(dh, dfeat0, in4) (((dh) > (dfeat0) + (in4)) ? (dh) : (dfeat0) + (in4))
#define NN_GH_VEC4_OF(ns4) (3u * (ns4))
#define NN_TGT_VEC4_OF(ns4) ((ns4) * 3u)
#define NN_HZ_VEC4_OF(ns4, hq) ((hq) * 3u * (ns4))
/* The latent encoder's per-workgroup extras (latent_enc.glsl): s_lq one vec2 per feature, the patch's geometry
 * (s_lpn, s_lpbox: 4 + 16 per grid bytes; 64 budgeted up to three grids), then the patch of NN_SPEC_PATCH floats. */
#define LAT_SMEM_PER_FEATURE 8u
#define LAT_SMEM_GEOMETRY 64u   /* up to three grids; a pyramid takes 16 bytes more per grid (nn_train.c) */
#define LAT_PATCH_MIN 64u     /* floats: a smaller patch is not worth its copy */
#define LAT_PATCH_MAX 2048u
/* Budget: the NVIDIA Vulkan driver (H200, 580.159) gives a compute pipeline about as much shared memory per SM as
 * its per-workgroup limit (48 KB), plus 1 KB per workgroup; two workgroups share an SM when each takes at most
 * limit / 2 - NN_SMEM_GROUP_RESERVE (docs/dev/journal.md, "2026-11-27, third session"). */
#define NN_SMEM_GROUP_RESERVE 1024u
#define NN_SMEM_DEFAULT_LIMIT 16384u   /* Vulkan's guaranteed minimum, where the device reports none */
/* Tensor-core decode: NN_WG / 32 subgroups of 16 pixels; per subgroup two fp16 tiles of 16 x (K + NN_CM_ROW_PAD)
 * and one fp32 16x16 block. */
#define NN_CM_PIXELS 64u
#define NN_CM_ROW_PAD 8u
/* Tile samples the trainer tries, largest first (beyond 32 the 128 threads already have a 4x4 tile each). */
#define NN_TILE_MAX 32u
/* latent_minmax.comp: shared range slots (>= channels of both grids) and grid floats a thread. */
#define LAT_RANGE_SLOTS 128
/* Rate-aware training (fixed quantisation step): STATE words 4F + 2f + parity hold sum |v / step| of feature f in
 * fixed point (nn_adam.comp), whose mean is the scale b of the Laplace the rate term uses. Scale floor (levels). */
#define LAT_RATE_MIN_SCALE 0.1
#define LAT_MINMAX_PER_THREAD 8u

/* ---- Push constants --------------------------------------------------------------------------------------------
 * C gets every block; a GLSL includer defines the NN_PUSH_* of the one block it uses (as `pc`) before including. */
#if !defined(GL_core_profile) || defined(NN_PUSH_TRAIN)
TT_PUSH_BEGIN(tt_nn_train_push)
    TT_U32(step)          /* 0-based */
    TT_U32(seed_lo) TT_U32(seed_hi)
    TT_U32(batch)
    TT_U32(width) TT_U32(height)
    TT_U32(dec_offset)    /* first decoder float in the GPU layout (multiple of 4) */
    TT_F32(omega0)
    TT_F32(loss_scale)    /* 1 / (3 batch) */
    TT_U32(flags)         /* encoder-defined bits (latent: QAT on, QAT bits) */
    TT_U32(strip)         /* rows per sampling strip (tt_nn_sample_strip) */
    TT_F32(enc_param)     /* encoder-defined (latent: QAT noise in quantisation steps) */
    TT_F32(enc_param2)    /* encoder-defined (latent: fixed quantisation step, 0 = per-channel min/max ranges) */
    TT_F32(enc_param3)    /* encoder-defined (latent: 1 / that step, as the C reference computes it) */
    TT_U32(pad1) TT_U32(pad2)
TT_PUSH_END(tt_nn_train_push, 64)
#endif
#if !defined(GL_core_profile) || defined(NN_PUSH_DECODE)
TT_PUSH_BEGIN(tt_nn_decode_push)
    TT_U32(width) TT_U32(height) TT_U32(dec_offset) TT_U32(flags)
    TT_F32(omega0)
    TT_U32(pad0) TT_U32(pad1) TT_U32(pad2)
TT_PUSH_END(tt_nn_decode_push, 32)
#endif
#if !defined(GL_core_profile) || defined(NN_PUSH_ADAM)
TT_PUSH_BEGIN(tt_nn_adam_push)
    TT_U32(n) TT_U32(dec_offset)   /* GPU floats; first decoder float (lr_net from there) */
    TT_F32(lr_enc) TT_F32(lr_net) TT_F32(beta1) TT_F32(beta2) TT_F32(eps)
    TT_F32(bc1) TT_F32(bc2)        /* bias corrections 1 - beta^t */
    TT_U32(range_parity)           /* STATE slots filled for the next step (adam_spec) */
    TT_F32(rate_scale)             /* latent rate term: lambda / (pixels * step) (0 = off) */
    TT_F32(rate_inv_step)          /* 1 / quantisation step (0 = no fixed step: no |level| sums) */
TT_PUSH_END(tt_nn_adam_push, 48)
#endif
#if !defined(GL_core_profile) || defined(NN_PUSH_LAT_MINMAX)
TT_PUSH_BEGIN(tt_latent_minmax_push)
    TT_U32(offset_hi)    /* first float of the hi grid (== total when there is none) */
    TT_U32(ch_lo) TT_U32(ch_hi)
    TT_U32(total)        /* floats in both grids */
    TT_U32(step)         /* 0-based training step; its parity picks the range slots */
    TT_U32(per_thread)   /* elements per thread */
    TT_U32(offset_hi2) TT_U32(offset_hi3) TT_U32(offset_hi4)   /* first float of the pyramid's hi grids 2..4 (total
                                                                   where absent) */
TT_PUSH_END(tt_latent_minmax_push, 36)
#endif
#if !defined(GL_core_profile) || defined(NN_PUSH_POSTFILTER)
TT_PUSH_BEGIN(tt_nn_postfilter_push)
    TT_U32(width) TT_U32(height)
TT_PUSH_END(tt_nn_postfilter_push, 8)
#endif
#if !defined(GL_core_profile) || defined(NN_PUSH_LAT_PROBE)
TT_PUSH_BEGIN(tt_latent_probe_push)
    TT_U32(n_points) TT_U32(flags) TT_U32(backward) TT_U32(step)
TT_PUSH_END(tt_latent_probe_push, 16)
#endif
#endif
