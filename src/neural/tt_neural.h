/* tt_neural.h - neural image models (hash grid, latent grid) sharing one decoder MLP, GPU trainer and .tnx file. */
#ifndef TT_NEURAL_H
#define TT_NEURAL_H

#include <stddef.h>
#include <stdint.h>
#include "tinytex.h"
#include "core/tt_bytes.h"
#include "vk/tt_vk.h"

/* ---------------------------------------------------------------------------
 * A model = an ENCODER (x01 in [0,1]^2 -> enc_features floats) followed by the
 * shared DECODER (depth layers of width hidden, SIREN or MLP activation, then a
 * 3-wide head + sigmoid). All parameters live in ONE fp32 vector in a fixed
 * canonical order: encoder tensors first (offset 0 .. enc_count), then decoder
 * tensors (dec_offset .. total). That vector is what the GPU trains (one
 * buffer), what Adam walks, what the C reference reads, and what .tnx stores.
 *
 * Decoder layout (canonical, == PyTorch nn.Linear weight order [out][in]):
 *   for l in 0..depth-1:  W_l [hidden][in_l] row-major, b_l [hidden]
 *                         (in_0 = enc_features, in_l = hidden for l > 0)
 *   head:                 W_h [3][hidden] row-major, b_h [3]
 * Hash encoder layout: level l table [level_size[l]][n_features], levels in
 * order, starting at level_offset[l]. Feature vector = level-major
 * (feat[l*F + f]).
 * ------------------------------------------------------------------------- */

#define TT_NN_MAX_LEVELS 32
#define TT_NN_MAX_FEATURES 8      /* per hash level */
#define TT_NN_MAX_ENC_FEATURES 128
#define TT_NN_MAX_HIDDEN 256
#define TT_NN_MAX_DEPTH 8
#define TT_NN_MAX_TENSORS 48
#define TT_NN_MAX_AUX 512         /* uint32 words of encoder constants for shaders */

typedef enum { TT_NN_KIND_HASH = 1, TT_NN_KIND_LATENT = 2 } tt_nn_kind;
typedef enum { TT_NN_ACT_SIREN = 0, TT_NN_ACT_GELU = 1, TT_NN_ACT_SILU = 2, TT_NN_ACT_RELU = 3 } tt_nn_act;
/* Learning-rate groups: Adam uses lr[group] (hash: 3e-2 enc / 1e-3 net; latent: same lr twice). */
enum { TT_NN_GROUP_ENC = 0, TT_NN_GROUP_NET = 1 };
/* Parameter storage precision in .tnx files. */
/* INT8: blocks of TT_NN_INT8_BLOCK values, each an f32 scale (its largest |value| / 127) and int8 codes (an fp16
 * scale would be subnormal, so coarse, for the SIREN's hidden weights of ~0.01). */
typedef enum { TT_NN_FP16 = 1, TT_NN_FP32 = 2, TT_NN_INT8 = 3 } tt_nn_precision;
#define TT_NN_INT8_BLOCK 64u
/* Bytes of the values of a PARM chunk of `count` parameters (after its 16-byte head). */
static inline uint64_t tt_nn_parm_bytes(tt_nn_precision p, uint32_t count)
{
    return p == TT_NN_INT8 ? (uint64_t)count + 4u * (((uint64_t)count + TT_NN_INT8_BLOCK - 1) / TT_NN_INT8_BLOCK)
                           : (uint64_t)count * (p == TT_NN_FP16 ? 2u : 4u);
}
static inline const char *tt_nn_precision_name(tt_nn_precision p)
{
    return p == TT_NN_FP32 ? "fp32" : p == TT_NN_INT8 ? "int8" : "fp16";
}

typedef struct {
    uint32_t n_levels, n_features, log2_t, base_res, max_res;   /* 16 2 12 16 512 */
} tt_nn_hash_cfg;

/* A 3x3 linear filter over the three channels of the decoded image, fitted by least squares to the original at
 * encode time and stored in the file (docs/latent.md, "Post-filter"): out_c = clamp((b_c + sum over input channel i
 * and tap t of w[c][i][t] * in_i(t)) / 2^TT_PF_FRAC_BITS rounded, 0, 255), taps in raster order around the pixel,
 * edges replicated. Integer arithmetic, so the C reference and the shader give the same bytes on every machine. */
#define TT_PF_TAPS 9
#define TT_PF_WEIGHTS (3 * 3 * TT_PF_TAPS)
#define TT_PF_FRAC_BITS 12
typedef struct {
    uint32_t on;                 /* 0: no filter (every hash model, and latent files without one) */
    int16_t w[TT_PF_WEIGHTS];    /* [out channel][in channel][tap], in 1/2^TT_PF_FRAC_BITS */
    int32_t b[3];                /* in 1/2^TT_PF_FRAC_BITS levels; |b| < 2^26 so no sum overflows */
} tt_postfilter;

/* Owned by the latent engineer (issue 4): fields may be APPENDED, never reordered. */
typedef struct {
    uint32_t ch_lo, scale_lo, ch_hi, scale_hi;   /* 16 8 2 4 */
    uint32_t qat_bits, qat_start;                /* 8 500 (0 bits = off) */
    uint32_t reserved[10];
    uint32_t hi_levels;                          /* hi grids in the pyramid (0 or 1: one hi grid) */
    uint32_t upsample;                           /* tt_latent_upsample (0 bilinear, 1 bicubic) */
    tt_postfilter post;                          /* applied to the decoded image (post.on) */
} tt_nn_latent_cfg;

typedef struct {
    uint32_t hidden, depth;   /* 64 2 */
    tt_nn_act act;            /* SIREN */
    float omega0;             /* 30 (SIREN only) */
} tt_nn_decoder_cfg;

typedef struct {
    char name[16];            /* "hash3", "W0", "b0", "Wh", "bh", "lo", ... */
    uint32_t offset, count;   /* range in the parameter vector */
    uint32_t group;           /* TT_NN_GROUP_* */
    uint32_t dims[3];         /* shape, outermost first (unused dims = 0) */
} tt_nn_tensor;

typedef struct tt_nn_encoder_ops tt_nn_encoder_ops;
typedef struct tt_nn_trainer tt_nn_trainer;

typedef struct {
    tt_nn_kind kind;
    const tt_nn_encoder_ops *enc;   /* set by tt_nn_model_build from kind */
    uint32_t width, height;         /* image the model reproduces */
    tt_nn_hash_cfg hash;            /* used when kind == HASH */
    tt_nn_latent_cfg latent;        /* used when kind == LATENT */
    tt_nn_decoder_cfg dec;

    /* Filled by tt_nn_model_build: */
    uint32_t enc_features;          /* decoder input width */
    uint32_t enc_count;             /* encoder params: [0, enc_count) */
    uint32_t dec_offset, dec_count; /* decoder params: [dec_offset, total) */
    uint32_t total;
    uint32_t n_tensors;
    tt_nn_tensor tensors[TT_NN_MAX_TENSORS];
    /* Hash encoder tables (kind HASH). */
    uint32_t level_res[TT_NN_MAX_LEVELS], level_size[TT_NN_MAX_LEVELS], level_offset[TT_NN_MAX_LEVELS];
    /* Encoder constants uploaded for the shaders (binding AUX), encoder-defined. */
    uint32_t aux[TT_NN_MAX_AUX];
    uint32_t aux_words;
    /* Encoder's private host state (e.g. latent QAT ranges for the C reference); may be NULL. */
    void *enc_state;
} tt_nn_model;

/* Defaults: docs/algorithms.md, Hash-grid model and Latent model. */
void tt_nn_hash_cfg_default(tt_nn_hash_cfg *c);
void tt_nn_decoder_cfg_default(tt_nn_decoder_cfg *c);

/* Fills everything below "Filled by" from kind/width/height/cfgs: calls the
 * encoder's layout() (tensors from offset 0, enc_features, aux), then appends
 * the decoder tensors. Validates ranges (TT_ERR_INVALID_ARG with a message). */
tt_status tt_nn_model_build(tt_nn_model *m);
/* Decoder helpers (used by tt_nn_model_build; exposed for encoders/tests). */
uint32_t tt_nn_decoder_param_count(uint32_t in, uint32_t hidden, uint32_t depth);
/* Offset of W_l / b_l / head inside the parameter vector (l == depth: head). */
uint32_t tt_nn_layer_w_offset(const tt_nn_model *m, uint32_t l);
uint32_t tt_nn_layer_b_offset(const tt_nn_model *m, uint32_t l);
/* Appends a tensor record (used by encoders' layout()). */
tt_status tt_nn_model_add_tensor(tt_nn_model *m, const char *name, uint32_t count, uint32_t group,
                                 uint32_t d0, uint32_t d1, uint32_t d2);
const char *tt_nn_act_name(tt_nn_act a);
const char *tt_nn_kind_name(tt_nn_kind k);

/* ---- Deterministic host RNG (init) ------------------------------------- */
typedef struct { uint64_t state; } tt_nn_rng;
void tt_nn_rng_seed(tt_nn_rng *r, uint64_t seed);
uint32_t tt_nn_rng_u32(tt_nn_rng *r);
float tt_nn_rng_uniform(tt_nn_rng *r, float lo, float hi);   /* [lo, hi) */
float tt_nn_rng_normal(tt_nn_rng *r, float mean, float stddev);

/* Initialises the whole parameter vector (params[m->total]) as docs/algorithms.md, Hash-grid model, says: the
 * encoder's init(), then the decoder (SIREN: first W ~ U(-1/in,1/in), further
 * W ~ U(+-sqrt(6/in)/omega0), b = 0; other activations: W, b ~ U(+-1/sqrt(in));
 * head W, b ~ U(+-1/sqrt(hidden))). */
void tt_nn_init_params(const tt_nn_model *m, uint64_t seed, float *params);

/* ---- C reference (double-checked against the shaders by the tests) ---- */
/* Forward of one sample: rgb[3] in (0,1). x01,y01 in [0,1]. */
void tt_nn_forward_ref(const tt_nn_model *m, const float *params, float x01, float y01, float rgb[3]);
/* Forward + backward of one sample with target[3]: ADDS d(loss)/d(param) *
 * `scale` into grad[m->total] where loss = sum_c (rgb_c - target_c)^2
 * (the batch MSE uses scale = 1/(3*batch)). Returns that squared error. */
float tt_nn_backward_ref(const tt_nn_model *m, const float *params, float x01, float y01,
                         const float target[3], float scale, float *grad);
/* Decoder alone (feat[m->enc_features] -> rgb); backward gives dfeat too. */
void tt_nn_decoder_forward_ref(const tt_nn_model *m, const float *params, const float *feat, float rgb[3]);
float tt_nn_decoder_backward_ref(const tt_nn_model *m, const float *params, const float *feat,
                                 const float target[3], float scale, float *grad, float *dfeat);
/* Tuning of the GPU trainer and decoder: how the kernels lay out and split their work, for measurements and tests
 * (docs/cli.md, ENVIRONMENT); the trained model changes at most by the order of fp32 sums. All zero = the defaults, which
 * tt_nn_train_cfg_default leaves; the CLI maps the TINYTEX_NN_* environment variables onto it (cli_nn_env.h). */
typedef enum { TT_NN_TUNE_AUTO = 0, TT_NN_TUNE_OFF = 1, TT_NN_TUNE_ON = 2 } tt_nn_tune_mode;
typedef struct {
    uint32_t tile;             /* samples per training tile (multiple of 4, >= 4), where it fits in shared memory; 0 = auto */
    uint32_t head_parts;       /* head forward parts (1..64), where they fit (else 1); 0 (or > 64) = auto */
    uint32_t tiles_per_group;  /* training tiles per workgroup (1..64, more = 64); 0 = auto */
    tt_nn_tune_mode racc;      /* weight gradients summed in registers over a workgroup's tiles; AUTO = where <= 96 floats */
    tt_nn_tune_mode compact;   /* compact tile (SIREN, ReLU): AUTO = where it buys a second workgroup an SM, ON = always */
    uint32_t decode_pixels;    /* fp32 decode: pixels per workgroup (1..128, halved until they fit); 0 = 128 */
    int no_pad;                /* 1: tile rows not padded to an odd vec4 count (bank conflicts) */
    int no_xsplit;             /* 1: layer 0's dX not split over several threads per tile */
    int no_prefetch;           /* 1: the next tile's samples not fetched during the current tile's loss */
    int no_swizzle;            /* 1: tile columns never XOR-swizzled (rows padded instead) */
    int no_patch;              /* 1: no per-workgroup shared patch of encoder parameters (latent: global memory) */
    int no_coopmat;            /* 1: the fp32 decode loop even where the tensor-core decode is available */
} tt_nn_tuning;

/* One Adam step over all params (grad already averaged), bias-corrected with
 * step t (1-based), lr per group: lr_t = lr0 (1 + cos(pi (t-1)/iters)) / 2. */
typedef struct {
    uint32_t iters, batch;
    uint64_t seed;
    float lr[2];                 /* per TT_NN_GROUP_* */
    float beta1, beta2, eps;     /* 0.9 0.999 1e-15 */
    uint32_t steps_per_submit;   /* 0 = auto (250) */
    tt_nn_tuning tune;           /* GPU kernel layout and work split; all zero = the defaults */
} tt_nn_train_cfg;
void tt_nn_train_cfg_default(tt_nn_train_cfg *c);     /* hash defaults: 5000 steps, 65536, lr 3e-2 / 1e-3 */
double tt_nn_lr_at(const tt_nn_train_cfg *c, uint32_t group, uint32_t step0); /* step0 = 0-based step */
void tt_nn_adam_ref(const tt_nn_model *m, const tt_nn_train_cfg *c, uint32_t step0,
                    float *params, const float *grad, float *adam_m, float *adam_v);
/* Pixel (i,j) -> x01 exactly as the shaders do it: i / (W - 1) in fp32 (0 when W == 1). */
float tt_nn_coord01(uint32_t i, uint32_t n);
/* Counter-based RNG shared with the shaders (PCG hash). */
uint32_t tt_nn_pcg_hash(uint32_t v);
/* Rows per strip of the sampling order (about the side of a square of 128 samples' worth of pixels). */
uint32_t tt_nn_sample_strip(uint32_t width, uint32_t height, uint32_t batch);
/* Pixel index (y * width + x) of sample i (< batch) of (0-based) step `step`: stratified, so that every pixel is
 * equally likely and consecutive samples are near each other (mirrors nn_common.glsl): sample i lands at a random
 * offset in [i, i + 1) * n / batch of an order that walks strips of `strip` rows column by column, alternate strips
 * in opposite directions. */
uint32_t tt_nn_sample_pixel(uint64_t seed, uint32_t step, uint32_t i, uint32_t batch, uint32_t width, uint32_t height,
                            uint32_t strip);

/* Step `step` (0-based) of training by the C reference, over the pixels the GPU trainer draws for it
 * (tt_nn_sample_pixel, targets value/255): ADDS the batch-mean gradient (scale 1/(3 batch)) into grad[m->total] and
 * returns the batch's sum of squared errors. The GPU tests compare one trainer step with it. */
double tt_nn_step_gradient_ref(const tt_nn_model *m, const float *params, const tt_image *img, const tt_nn_train_cfg *c,
                               uint32_t step, float *grad);

/* CPU decode of the whole image with the C reference (slow; tests, fallback). */
tt_status tt_nn_decode_ref(const tt_nn_model *m, const float *params, tt_image *out);
/* Same, with the operands of every product rounded to fp16 (features, weights, activations; sums and biases in
 * fp32): the arithmetic of the tensor-core GPU decode (tt_nn_decode_f16), which tests compare with it. */
tt_status tt_nn_decode_ref_f16(const tt_nn_model *m, const float *params, tt_image *out);

/* ---- Encoders ----------------------------------------------------------
 * Each encoder kind supplies this table. Hash: tt_nn_hash_encoder (nn_hash.c).
 * Latent: tt_nn_latent_encoder() in src/neural/latent_model.c; tt_nn_encoder_for
 * references it, so every program that reads .tnx files can read latent ones. */
typedef struct { uint32_t type; uint32_t size; const uint8_t *data; } tt_nn_chunk;
typedef struct tt_nn_buf {            /* a .tnx being written: its bytes so far and its chunk count */
    tt_bytes bytes;
    uint32_t n_chunks;
} tt_nn_buf;
typedef struct {
    tt_nn_precision precision;   /* decoder (and by default encoder) parameters */
    int latent_codec;            /* encoder-defined (latent: raw/png/jpeg) */
    int jpeg_quality;
    /* A grid section to store verbatim (latent: LGRD payload) when the encoder's parameters equal keep_grid bit for
     * bit (m->enc_count floats): lossy codecs do not reproduce their own output when run again, so a file re-saved
     * after decoder fine-tuning must carry the very bytes whose decoded grids the decoder was tuned on. */
    const uint8_t *keep_section;
    size_t keep_section_size;
    const float *keep_grid;
} tt_nn_save_opts;

struct tt_nn_encoder_ops {
    tt_nn_kind kind;
    const char *name;            /* "hash" */
    /* Shader names: "<name>_train" (fused fwd+bwd), "<name>_decode" (forward per pixel). */
    const char *train_shader, *decode_shader;
    uint32_t parts;              /* see shaders: work items per sample in enc_forward_part; 0 = from aux[0] */
    /* 1: the train shader keeps a per-workgroup patch of its parameters in shared memory (spec 16 = its floats,
     * 4 bytes each, plus 8 bytes per feature and a few bytes of geometry). */
    uint32_t group_patch;
    tt_status (*layout)(tt_nn_model *m);
    void (*init)(const tt_nn_model *m, float *params, tt_nn_rng *rng);
    void (*forward)(const tt_nn_model *m, const float *params, float x01, float y01, float *feat);
    /* Adds dfeat-weighted gradients into grad (full vector, encoder range). */
    void (*backward)(const tt_nn_model *m, const float *params, float x01, float y01,
                     const float *dfeat, float *grad);
    /* .tnx: append the encoder's config chunk(s) (and, if write_params is set, its parameter chunks). */
    tt_status (*write_config)(const tt_nn_model *m, tt_nn_buf *b);
    /* Reads the config chunk(s) into m->hash / m->latent before tt_nn_model_build. */
    tt_status (*read_config)(tt_nn_model *m, const tt_nn_chunk *chunks, uint32_t n, const char *name);
    /* Optional: encoder params stored its own way (latent planes). NULL = generic PARM chunk. */
    tt_status (*write_params)(const tt_nn_model *m, const float *params, const tt_nn_save_opts *o, tt_nn_buf *b);
    /* Optional: fills params[] of the encoder range, marking filled[i] = 1 for each value read. */
    tt_status (*read_params)(const tt_nn_model *m, const tt_nn_chunk *chunks, uint32_t n, float *params,
                             uint8_t *filled, const char *name);
    /* Optional GPU hooks: bytes of a device buffer bound at TT_NN_BIND_STATE (0 = 4-byte dummy),
     * and dispatches recorded before each training step (e.g. QAT min/max). */
    uint64_t (*state_bytes)(const tt_nn_model *m);
    tt_status (*gpu_prepare)(tt_nn_trainer *tr);
    void (*record_pre_step)(tt_nn_trainer *tr, uint32_t step0);
    void (*gpu_release)(tt_nn_trainer *tr);
    /* Optional: the encoder's specialization constants of the train/decode shaders, written by id into spec (all
     * NN_SPEC_COUNT of them, shaders/nn_abi.h: ids NN_SPEC_ENC..+5 and LAT_SPEC_HI_LEVELS..; the others are the
     * trainer's and it sets them after this call). */
    void (*spec)(const tt_nn_model *m, uint32_t *spec);
    /* Optional: constants 0..4 of nn_adam.comp (QAT ranges of the updated grids for the next step: features, first
     * hi float, ch lo, ch hi, grid floats; features 0 = none). Adam then fills the STATE range slots of parity
     * (step + 1) & 1, which the training step of `step` cleared. */
    void (*adam_spec)(const tt_nn_model *m, uint32_t *spec);   /* ADAM_SPEC_COUNT constants */
    /* Optional: info lines ("  levels 16 ...") for `tinytex info`, and JSON fields. */
    void (*describe)(const tt_nn_model *m, char *buf, size_t len);
};

extern const tt_nn_encoder_ops tt_nn_hash_encoder;
const tt_nn_encoder_ops *tt_nn_latent_encoder(void);  /* src/neural/latent_model.c */
const tt_nn_encoder_ops *tt_nn_encoder_for(tt_nn_kind k);

/* ---- GPU trainer (nn_train.c) ---------------------------------------------
 * Pipelines "<enc>_train", "nn_adam", "<enc>_decode": their bindings, push constants and specialization constants
 * are declared once for C and GLSL in shaders/nn_abi.h. Buffers: params, grads (atomics), adam_m, adam_v fp32 in
 * the GPU layout (tt_nn_gpu_index); target RGBA8; stats fp32[iters] per-step loss sums; aux uint[aux_words];
 * state encoder-defined (see state_bytes). The train shader's bindings (nn_train.c checks them against nn_abi.h): */
enum { TT_NN_BIND_PARAMS = 0, TT_NN_BIND_GRADS, TT_NN_BIND_TARGET, TT_NN_BIND_STATS, TT_NN_BIND_AUX, TT_NN_BIND_STATE };

struct tt_nn_trainer {
    tt_vk *vk;
    const tt_nn_model *m;
    tt_nn_train_cfg cfg;
    uint32_t step;                       /* steps done */
    uint32_t samples_per_group;          /* samples per workgroup (tiles of NS x tiles per group) */
    uint32_t flags;                      /* pushed to train/decode shaders (encoder-defined) */
    float enc_param;                     /* pushed to the train shader (encoder-defined) */
    float enc_param2, enc_param3;        /* pushed to the train shader (encoder-defined) */
    float rate_scale, rate_inv_step;     /* pushed to Adam (latent rate term, nn_abi.h tt_nn_adam_push); 0 = off */
    uint32_t enc_patch;                  /* floats of the encoder's per-workgroup shared patch (spec 16; 0 = none) */
    uint32_t tile_samples, head_parts;   /* training tile: samples (NN_NS), head forward parts (NN_HQ) */
    int compact;                         /* the compact tile (NN_COMPACT): two workgroups an SM where it applies */
    uint32_t train_smem;                 /* shared-memory bytes of a training workgroup (the shaders' arrays, nn_abi.h) */
    tt_vk_buffer params, grads, adam_m, adam_v, target, stats, aux, state, out_img;
    tt_vk_buffer dec_f16;                /* decoder weights in fp16 for the tensor-core decode (tt_nn_decode_f16) */
    tt_vk_pipeline *train, *adam, *decode;
    void *enc_gpu;                       /* encoder's private GPU objects (gpu_prepare) */
};

/* Uploads the target image and params, builds pipelines. */
tt_status tt_nn_trainer_create(tt_vk *vk, const tt_nn_model *m, const float *params, const tt_image *target,
                               const tt_nn_train_cfg *cfg, tt_nn_trainer **out);
/* Runs n more steps (clamped to cfg.iters), many per command buffer; gpu_ms may be NULL. */
tt_status tt_nn_trainer_run(tt_nn_trainer *tr, uint32_t n, double *gpu_ms);
/* Mean batch loss (MSE) of steps [from, to) into out[to - from]. */
tt_status tt_nn_trainer_losses(tt_nn_trainer *tr, uint32_t from, uint32_t to, float *out);
tt_status tt_nn_trainer_get_params(tt_nn_trainer *tr, float *params);
/* Decodes the current parameters on the GPU into out (allocated here). */
tt_status tt_nn_trainer_decode(tt_nn_trainer *tr, tt_image *out, double *gpu_ms);
void tt_nn_trainer_destroy(tt_nn_trainer *tr);
/* Index of canonical parameter i in the trainer's GPU buffers (params/grads/adam_m/adam_v): the decoder starts
 * at a 4-aligned offset there (vec4 weight loads). Buffer length: tt_nn_gpu_count(m). */
uint32_t tt_nn_gpu_index(const tt_nn_model *m, uint32_t i);
uint32_t tt_nn_gpu_count(const tt_nn_model *m);
uint32_t tt_nn_gpu_dec_offset(const tt_nn_model *m);

/* One-shot GPU decode of a model (e.g. loaded from .tnx). gpu_ms = one decode
 * dispatch (best of `repeats`, >= 1). */
tt_status tt_nn_decode_gpu(tt_vk *vk, const tt_nn_model *m, const float *params, int repeats,
                           tt_image *out, double *gpu_ms);
/* Same with the decode's tuning (decode_pixels, no_coopmat; NULL = the defaults). */
tt_status tt_nn_decode_gpu_tuned(tt_vk *vk, const tt_nn_model *m, const float *params, int repeats,
                                 tt_image *out, double *gpu_ms, const tt_nn_tuning *tune);
/* The decode as a stage of a longer GPU job (neural -> BC7 on load, src/api/api_transcode.c): create uploads the
 * model and builds the pipeline (m and params must outlive it); record adds the decode dispatch to the caller's
 * recording (tt_vk_begin .. tt_vk_submit), writing the image as RGBA8 words (alpha 255), row-major, into `out`
 * (at least width * height * 4 bytes) -- the same texels as tt_nn_decode_gpu_tuned with the same tuning. */
typedef struct tt_nn_decoder tt_nn_decoder;
tt_status tt_nn_decoder_create(tt_vk *vk, const tt_nn_model *m, const float *params, const tt_nn_tuning *tune,
                               tt_nn_decoder **out);
void tt_nn_decoder_record(tt_nn_decoder *d, tt_vk_buffer *out);
void tt_nn_decoder_destroy(tt_nn_decoder *d);   /* safe on NULL */

/* ---- Post-filter (nn_postfilter.c, shaders/nn_postfilter.comp) ----------------------------------------------- */
/* The model's filter, or NULL when it has none. */
const tt_postfilter *tt_nn_postfilter_of(const tt_nn_model *m);
/* C reference: out (allocated here) = the filter applied to in (alpha copied). */
tt_status tt_postfilter_apply(const tt_postfilter *f, const tt_image *in, tt_image *out);
/* Least-squares fit of the filter that takes `decoded` closest to `ref` (same size), quantised; *out->on = 1 when the
 * fit is usable (weights within the int16 range), else 0 (a flat or degenerate image). */
tt_status tt_postfilter_fit(const tt_image *ref, const tt_image *decoded, tt_postfilter *out);
/* The LPFL chunk's payload (TT_PF_PAYLOAD bytes) and its reader (TT_ERR_FORMAT naming `name` on anything else). */
#define TT_PF_PAYLOAD (4 + 2 * TT_PF_WEIGHTS + 4 * 3)
void tt_postfilter_write(const tt_postfilter *f, uint8_t *payload);
tt_status tt_postfilter_read(const uint8_t *payload, uint32_t size, const char *name, tt_postfilter *out);
/* GPU pass: in -> out (RGBA8 buffers of w x h pixels, distinct). */
typedef struct tt_postfilter_gpu tt_postfilter_gpu;
tt_status tt_postfilter_gpu_create(tt_vk *vk, const tt_postfilter *f, uint32_t width, uint32_t height,
                                   tt_postfilter_gpu **out);
void tt_postfilter_gpu_record(tt_postfilter_gpu *g, tt_vk_buffer *in, tt_vk_buffer *out);
void tt_postfilter_gpu_destroy(tt_postfilter_gpu *g);   /* safe on NULL */
/* 1 when the GPU decode of m on vk runs on tensor cores (fp16 products, fp32 sums: tt_nn_decode_ref_f16), 0 when it
 * is the fp32 loop (tt_nn_decode_ref). */
int tt_nn_decode_f16(tt_vk *vk, const tt_nn_model *m);
/* Same under a tuning (no_coopmat forces the fp32 loop; NULL = the defaults). */
int tt_nn_decode_f16_tuned(tt_vk *vk, const tt_nn_model *m, const tt_nn_tuning *tune);

/* ---- .tnx files (nn_tnx.c, spec in docs/format.md) ------------------------ */
#define TT_TNX_VERSION 1
#define TT_TNX_CHUNK_DECODER TT_FOURCC('D', 'E', 'C', 'P')
#define TT_TNX_CHUNK_HASH    TT_FOURCC('H', 'A', 'S', 'H')
#define TT_TNX_CHUNK_PARAMS  TT_FOURCC('P', 'A', 'R', 'M')
#define TT_TNX_CHUNK_END     TT_FOURCC('T', 'E', 'N', 'D')
#define TT_TNX_MAX_CHUNKS 256

#define TT_TNX_MAX_FILE (1ull << 31)

/* Chunk writer helpers for encoders (nn_chunk.c). */
tt_status tt_nn_buf_chunk(tt_nn_buf *b, uint32_t type, const void *payload, size_t size);
/* A PARM chunk: params[first, first+count) stored as fp16 or fp32. */
tt_status tt_nn_buf_params(tt_nn_buf *b, const float *params, uint32_t first, uint32_t count, tt_nn_precision p);

/* Serialises model + params into a malloc'ed buffer (caller frees). */
tt_status tt_tnx_encode(const tt_nn_model *m, const float *params, const tt_nn_save_opts *o,
                        uint8_t **data, size_t *size);
tt_status tt_tnx_save(const char *path, const tt_nn_model *m, const float *params, const tt_nn_save_opts *o);
/* Parses a .tnx from memory (hostile input): fills *m (built) and *params
 * (malloc'ed, m->total floats). name is used in error messages. */
typedef struct {
    uint32_t version;
    tt_nn_precision precision;   /* of the decoder PARM chunk */
    uint32_t n_chunks;
    uint32_t crc_ok;             /* all CRCs verified (always 1 on success) */
} tt_tnx_info;
tt_status tt_tnx_decode(const uint8_t *data, size_t size, const char *name, tt_nn_model *m, float **params,
                        tt_tnx_info *info);
tt_status tt_tnx_load(const char *path, tt_nn_model *m, float **params, tt_tnx_info *info);
/* Frees encoder state attached to a model (safe to call twice). */
void tt_nn_model_release(tt_nn_model *m);

/* ---- Half floats --------------------------------------------------------- */
uint16_t tt_f32_to_f16(float f);     /* round to nearest even, overflow -> inf */
float tt_f16_to_f32(uint16_t h);

/* ---- CRC32 (src/core/crc32.c): IEEE 802.3 polynomial, as zlib/PNG. ------- */
/* crc = tt_crc32(0, data, n); continue with tt_crc32(crc, more, m). */
uint32_t tt_crc32(uint32_t crc, const void *data, size_t size);

#endif
