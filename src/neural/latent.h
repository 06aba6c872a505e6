/* latent.h - latent grid encoder (a lo grid, then a hi grid or a pyramid of them) of `tinytex latent`: layout, C reference (sampling, QAT) and the grid codecs of .tnx files. */
#ifndef TT_LATENT_H
#define TT_LATENT_H

#include <stddef.h>
#include <math.h>
#include <stdint.h>
#include "tinytex.h"

#define TT_LATENT_MAX_HI_LEVELS 4   /* hi grids of a pyramid: scale_hi, scale_hi / 2, ... */
#define TT_LATENT_MAX_GRIDS (1 + TT_LATENT_MAX_HI_LEVELS)
#define TT_LATENT_MAX_FEATURES 128

/* The grids of one model. Grid g (0 = lo, 1.. = hi, finest last) holds ch[g] channels at
 * w[g] x h[g] cells, stored channel-innermost ("HWC"):
 *   value(g, c, x, y) = grid[offset[g] + ((size_t)y * w[g] + x) * ch[g] + c]
 * so one cell's channels are contiguous (one 64-byte read per corner on the
 * GPU). Features are the grids' channels in grid order. A pyramid of hi_levels
 * hi grids puts grid 1 + k at scale_hi / 2^k, each with ch_hi channels. */
typedef struct {
    uint32_t n_grids;                 /* 1 (ch_hi == 0) or 1 + hi_levels */
    uint32_t ch[TT_LATENT_MAX_GRIDS];
    uint32_t scale[TT_LATENT_MAX_GRIDS];
    uint32_t w[TT_LATENT_MAX_GRIDS], h[TT_LATENT_MAX_GRIDS];
    uint32_t offset[TT_LATENT_MAX_GRIDS]; /* first float of each grid */
    uint32_t feature0[TT_LATENT_MAX_GRIDS]; /* first feature of each grid */
    uint32_t features;                /* sum of ch[] */
    uint32_t total;                   /* floats in all grids */
    uint32_t upsample;                /* tt_latent_upsample: how a pixel samples the grids (0 bilinear after init) */
} tt_latent_layout;

/* Grid sizes are (H / scale) x (W / scale), integer division, at least 1
 * (docs/algorithms.md, Latent model). ch_hi == 0 means no hi grid. */
tt_status tt_latent_layout_init(tt_latent_layout *l, uint32_t img_w, uint32_t img_h,
                                uint32_t ch_lo, uint32_t scale_lo, uint32_t ch_hi, uint32_t scale_hi);
/* The same with a pyramid of hi_levels (1..TT_LATENT_MAX_HI_LEVELS; 0 reads as 1) hi grids; scale_hi must be a
 * multiple of 2^(hi_levels - 1). */
tt_status tt_latent_layout_init_pyramid(tt_latent_layout *l, uint32_t img_w, uint32_t img_h, uint32_t ch_lo,
                                        uint32_t scale_lo, uint32_t ch_hi, uint32_t scale_hi, uint32_t hi_levels);

/* Whether ch_lo lo channels and hi_levels (0 reads as 1) hi grids of ch_hi channels from scale_hi make a valid
 * pyramid: hi_levels 1..TT_LATENT_MAX_HI_LEVELS, hi channels when hi_levels > 1, scale_hi a multiple of
 * 2^(hi_levels - 1), at most TT_LATENT_MAX_FEATURES features. TT_ERR_INVALID_ARG with the reason. The layout, the
 * API's validate, the CLI and the .tnx reader all ask this. */
tt_status tt_latent_pyramid_check(uint32_t ch_lo, uint32_t ch_hi, uint32_t scale_hi, uint32_t hi_levels);
/* Whether the rate settings can work (the API's validate and the CLI both ask): quant_step 0 or 1e-6..1000 (a
 * smaller step's window is below the file's smallest range), and a bpp/PSNR target needs QAT (qat_bits > 0) from a
 * step before the last, since lambda acts only from then. */
tt_status tt_latent_rate_check(float quant_step, int target, uint32_t qat_bits, uint32_t qat_start, uint32_t steps);
/* The grid layout choice (tt_latent_grids 0..3): auto compares files by MSE + lambda * bpp, so it needs lambda > 0 or
 * a target (which searches lambda). TT_ERR_INVALID_ARG with the reason. */
tt_status tt_latent_grids_check(int grids, float lambda, int target);

/* The latent shaders' specialization constants of this layout, written by id (shaders/nn_abi.h LAT_SPEC_*) into
 * spec, an array of NN_SPEC_COUNT. */
void tt_latent_spec_fill(const tt_latent_layout *l, uint32_t *spec);

/* Channel index (0..features-1) of channel c of grid g. */
static inline uint32_t tt_latent_feature_index(const tt_latent_layout *l, uint32_t g, uint32_t c)
{
    return l->feature0[g] + c;
}

/* Align-corners sampling, bilinear or bicubic as l->upsample says (docs/algorithms.md, Latent model: x in [-1,1] ->
 * [0, w-1], border clamp), taking x01 = (x+1)/2 in [0,1] as the shared trainer does (pixel i ->
 * i/(W-1)): s = x01 (w-1). Writes `features` values to feat. */
void tt_latent_sample(const tt_latent_layout *l, const float *grid, float x01, float y01, float *feat);
/* Backward of tt_latent_sample: adds weight * dfeat to the 2x2 (bilinear) or 4x4 (bicubic) points of each grid. */
void tt_latent_sample_backward(const tt_latent_layout *l, float x01, float y01, const float *dfeat, float *dgrid);

/* Per-channel min and max over the whole channel (mn, mx: `features` floats). */
void tt_latent_channel_minmax(const tt_latent_layout *l, const float *grid, float *mn, float *mx);
/* The QAT forward (docs/algorithms.md, Latent model): per channel, normalise to [0,1] with the
 * channel's min/max, round to 2^bits - 1 levels, de-normalise. out may equal
 * grid. mn/mx (may be NULL) receive the ranges used. */
void tt_latent_quantize(const tt_latent_layout *l, const float *grid, int bits, float *out, float *mn, float *mx);
/* Range below which a channel is treated as constant (all values -> min). */
#define TT_LATENT_MIN_RANGE 1e-8f

/* The QAT rounding of one value, the C twin of latent_qat.glsl's (docs/algorithms.md, Latent model): the channel's
 * range (at least TT_LATENT_MIN_RANGE), the level 0..levels (= 2^bits - 1) nearest to v, halves up, and the value of
 * a level. The storage codes and the training forward use these, so a stored grid decodes to what training saw. */
static inline float tt_latent_qat_range(float mn, float mx)
{
    float range = mx - mn;
    return range < TT_LATENT_MIN_RANGE ? TT_LATENT_MIN_RANGE : range;
}
static inline float tt_latent_qat_level(float v, float mn, float range, float levels)
{
    return floorf((v - mn) / range * levels + 0.5f);
}
static inline float tt_latent_qat_value(float level, float mn, float range, float levels)
{
    return level / levels * range + mn;
}

/* Fixed-step quantisation (rate-aware training, --quant-step): every channel's levels are the 2^bits multiples of
 * `step` from -2^(bits-1) step (lo) over a range of (2^bits - 1) step, so that the min/max expressions above (and
 * the file's per-channel min/max) give level k - 2^(bits-1) at k; values outside are clamped to the window. */
static inline void tt_latent_step_window(int bits, float step, float *lo, float *range)
{
    *lo = -(float)(1u << (bits - 1)) * step;
    *range = (float)((1u << bits) - 1u) * step;
}
/* The level (0..levels, levels = 2^bits - 1) of v on the fixed-step window: v times inv_step (= 1 / step, computed
 * once in float) rounded half up, plus 2^(bits-1), clamped. A product and a sum, each correctly rounded on every
 * Vulkan device (the shader's twin in latent_enc.glsl is `precise`, so not fused), where a division is not:
 * rate-aware training leaves many values on a rounding boundary, so the file must round exactly as training did. */
static inline float tt_latent_step_level(float v, float inv_step, int bits)
{
    float levels = (float)((1u << bits) - 1u);
    float k = floorf(v * inv_step + 0.5f) + (float)(1u << (bits - 1));
    return k < 0 ? 0 : k > levels ? levels : k;
}
/* Same grid quantised on the fixed-step window (out may be grid). */
void tt_latent_quantize_step(const tt_latent_layout *l, const float *grid, int bits, float step, float *out);

/* Rate term of rate-aware training, the C reference of nn_adam.comp's: bits of every value u = v / step under the
 * Laplace of mean 0 and scale b[f] of its channel (tt_ec_laplace_bits), summed, and, with grad != NULL, d bits / d v
 * of every value (b held fixed). Returns the sum. */
double tt_latent_rate_grad(const tt_latent_layout *l, const float *grid, float step, const float *b, float *grad);
/* The scale the trainer derives for each channel: the mean |v / step| (at least LAT_RATE_MIN_SCALE = 0.1). */
void tt_latent_rate_scales(const tt_latent_layout *l, const float *grid, float step, float *b);
#define TT_LATENT_RATE_MIN_SCALE 0.1f

/* ---- Storage of the grids inside a .tnx file ---------------------------- */
typedef enum {
    TT_LATENT_CODEC_RAW = 0,   /* fp16 (no QAT) or uint8 planes, uncompressed */
    TT_LATENT_CODEC_PNG = 1,   /* uint8 planes as a PNG (lossless) */
    TT_LATENT_CODEC_JPEG = 2,  /* uint8 planes as a baseline JPEG (lossy) */
    TT_LATENT_CODEC_ENTROPY = 3, /* QAT levels range-coded under a per-channel Laplace (src/neural/entropy.h), lossless */
} tt_latent_codec;
#define TT_LATENT_CODEC_LAST TT_LATENT_CODEC_ENTROPY

typedef enum {
    TT_LATENT_PACK_TILES = 0,  /* every channel a grey tile, all tiles in one grey image */
    TT_LATENT_PACK_RGB = 1,    /* channels in threes as RGB images (the prototype's grouping) */
} tt_latent_pack;

typedef struct {
    tt_latent_codec codec;
    tt_latent_pack pack;
    int jpeg_quality;          /* 1..100 */
    int png_level;             /* zlib level for PNG, 0..9 (stb default 8) */
    float step;                /* > 0: the fixed quantisation step of rate-aware training (tt_latent_step_window)
                                  instead of per-channel min/max ranges; 0 = min/max */
} tt_latent_store_opts;

void tt_latent_store_opts_init(tt_latent_store_opts *o);
const char *tt_latent_codec_name(tt_latent_codec c);
const char *tt_latent_pack_name(tt_latent_pack p);

/* Serialises the grids (layout in docs/latent.md, "The file").
 * qat_bits 1..8: values are taken to lie on that QAT grid and stored as
 * uint8 with per-channel min/max. qat_bits 0: fp16 with the raw codec; with
 * png/jpeg the grid is quantised to 8 bits first (post-training).
 * *out is malloc'ed. */
tt_status tt_latent_store(const tt_latent_layout *l, const float *grid, int qat_bits,
                          const tt_latent_store_opts *o, uint8_t **out, size_t *out_size);
/* Parses untrusted bytes of a latent section for the given layout and writes
 * the de-quantised grid (l->total floats). `name` goes into error messages. */
tt_status tt_latent_load(const tt_latent_layout *l, const uint8_t *data, size_t size, const char *name,
                         float *grid);
/* What a stored section holds (for info and reports). */
typedef struct {
    tt_latent_codec codec;
    tt_latent_pack pack;
    int bits;                  /* 0 = fp16, else uint8 levels 2^bits-1 */
    uint32_t n_images;
    size_t image_bytes;        /* bytes of the coded planes */
} tt_latent_section_info;
tt_status tt_latent_section_describe(const uint8_t *data, size_t size, const char *name, tt_latent_section_info *out);

/* RGB preview of lo channels 0..2 (each min/max-normalised), w[0] x h[0],
 * scaled up by an integer factor so it is at least `min_size` wide. */
tt_status tt_latent_preview(const tt_latent_layout *l, const float *grid, uint32_t min_size, tt_image *out);

/* ---- Glue to the shared machinery (src/neural/tt_neural.h) --------------- */
#include "neural/tt_neural.h"

#define TT_TNX_CHUNK_LATC TT_FOURCC('L', 'A', 'T', 'C')  /* latent config: 6 x u32 */
#define TT_TNX_CHUNK_LGRD TT_FOURCC('L', 'G', 'R', 'D')  /* latent grids: the section above */
#define TT_TNX_CHUNK_LPFL TT_FOURCC('L', 'P', 'F', 'L')  /* post-filter (tt_postfilter_write), when LATC says so */

/* tt_nn_save_opts.latent_codec (encoder-defined int): codec | pack << 8. */
#define TT_LATENT_SAVE_OPT(codec, pack) ((int)(codec) | ((int)(pack) << 8))
#define TT_LATENT_SAVE_CODEC(v) ((v) & 0xFF)
#define TT_LATENT_SAVE_PACK(v) (((v) >> 8) & 0xFF)

/* tr->flags / pc.flags bits of the latent shaders. */
#define TT_LATENT_FLAG_QAT 1u     /* forward quantises the grids with the ranges in STATE */
#define TT_LATENT_FLAG_FROZEN 2u  /* latents frozen: no encoder gradients (decoder fine-tuning) */
#define TT_LATENT_FLAG_BITS_SHIFT 8u /* bits 8-11: QAT bits */

void tt_latent_cfg_default(tt_nn_latent_cfg *c);          /* 16 8 2 4, QAT 8 bits from 500 */
void tt_latent_train_cfg_default(tt_nn_train_cfg *c);     /* lr 3e-3 for both groups */
tt_status tt_latent_layout_of(const tt_nn_model *m, tt_latent_layout *l);
/* Training-only noise (in quantisation steps) added to the quantised grids
 * the forward pass sees; kept in tt_nn_latent_cfg.reserved[0] (float bits,
 * 0 = off) until the struct gets a named field. Never written to files. */
float tt_latent_cfg_noise(const tt_nn_latent_cfg *c);
void tt_latent_cfg_set_noise(tt_nn_latent_cfg *c, float steps);
/* Rate-aware training (docs/latent.md, "Rate-aware training"), training-only like the noise: the fixed quantisation
 * step (reserved[1], 0 = per-channel min/max ranges) and lambda of loss = MSE + lambda * bits per pixel
 * (reserved[2], 0 = no rate term; needs a step). The writer takes the step from here (tt_latent_store_opts.step). */
float tt_latent_cfg_step(const tt_nn_latent_cfg *c);
void tt_latent_cfg_set_step(tt_nn_latent_cfg *c, float step);
float tt_latent_cfg_lambda(const tt_nn_latent_cfg *c);
void tt_latent_cfg_set_lambda(tt_nn_latent_cfg *c, float lambda);
/* The step a rate term trains with when none is given (the CLI's --quant-step default with --lambda or a target, and
 * tt_latent_train's with lambda > 0). A plain literal: the CLI's help text spells it. */
#define TT_LATENT_RATE_STEP 0.03125
/* SIREN frequency of rate-aware training where none is asked for: at ~0.5-1 bpp it gains 1.7-3 dB on smooth photos
 * over 30 and is level elsewhere, while at the default 8-bit grids (no rate term) 30 stays better (docs/rd.md,
 * "On a GPU"). */
#define TT_LATENT_RATE_OMEGA0 20.0f
#define TT_LATENT_OMEGA0 30.0f
/* The SIREN frequency a latent model trains with: omega0 if > 0, else automatic (the two above by lambda). */
static inline float tt_latent_omega0(float omega0, float lambda)
{
    return omega0 > 0 ? omega0 : lambda > 0 ? TT_LATENT_RATE_OMEGA0 : TT_LATENT_OMEGA0;
}
/* The QAT range pass on the GPU (shaders/latent_minmax.comp). */
typedef struct {
    tt_vk_pipeline *minmax;
} tt_latent_qat_gpu;
tt_status tt_latent_qat_pipelines(tt_vk *vk, tt_latent_qat_gpu *q);
void tt_latent_qat_release(tt_vk *vk, tt_latent_qat_gpu *q);
/* Records the per-channel min/max of the grids in `params` into `state` for 0-based `step` (its parity picks the
 * range slots, which must be zero: the state buffer, 4*features words, starts zeroed, and each training step's
 * first workgroup clears the other parity). No trailing barrier. */
void tt_latent_record_ranges(tt_vk *vk, const tt_latent_qat_gpu *q, const tt_nn_model *m, tt_vk_buffer *params,
                             tt_vk_buffer *state, uint32_t step);
/* pc.flags of a forward that quantises to `bits` (1..8) with the ranges of the step it is given. */
uint32_t tt_latent_qat_flags(uint32_t bits);
/* Decodes the per-feature ranges the range pass of `step` left in the state words. */
void tt_latent_state_ranges(const tt_nn_model *m, const uint32_t *state_words, uint32_t step, float *mn, float *mx);

#endif
