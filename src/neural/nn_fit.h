/* nn_fit.h - fitting a neural model to an image with per-call state: training in chunks with progress, measuring .tnx bytes, the latent codec stage. */
#ifndef TT_NN_FIT_H
#define TT_NN_FIT_H

#include "neural/latent.h"
#include "neural/tt_neural.h"

/* What a progress callback sees after each chunk of steps (and once with done == 0 before the first step, when the
 * trainer exists: callers print its description or open their logs there). */
typedef struct {
    const char *stage;           /* "train", "finetune" */
    uint32_t done, total;        /* steps of this stage */
    const float *losses;         /* batch losses (MSE) of the chunk's steps [done - n_losses, done) */
    uint32_t n_losses;
    double seconds;              /* training time of the stage so far (GPU runs and loss read-back) */
    tt_nn_trainer *trainer;      /* e.g. for snapshots of the parameters */
} tt_nn_progress;
/* Non-zero cancels: the call returns TT_ERR_CANCELLED. */
typedef int (*tt_nn_progress_fn)(void *user, const tt_nn_progress *p);

typedef struct {
    double seconds;              /* as tt_nn_progress.seconds, at the end */
    double gpu_ms;               /* sum of the GPU times that the device measured */
    int gpu_ms_ok;               /* 1 when every submission had a GPU time */
    float last_loss;             /* batch loss of the last step (NAN if no step ran) */
} tt_nn_run_stats;

/* Runs `steps` more steps on tr in chunks of `chunk` (0 = all at once) that never cross a multiple of `align`
 * (0 = none), calling fn (may be NULL) after each. */
tt_status tt_nn_train_steps(tt_nn_trainer *tr, const char *stage, uint32_t steps, uint32_t chunk, uint32_t align,
                            tt_nn_progress_fn fn, void *user, tt_nn_run_stats *out);

/* How tt_nn_fit trains: steps per chunk (progress), chunk boundaries, callback. */
typedef struct {
    uint32_t chunk, align;
    tt_nn_progress_fn progress;
    void *user;
} tt_nn_fit_opts;

/* Trains m from params (in: the initial vector, out: the trained one) on img with tc: creates the trainer, runs
 * tc->iters steps as stage "train", reads the parameters back. */
tt_status tt_nn_fit(tt_vk *vk, const tt_nn_model *m, const tt_image *img, const tt_nn_train_cfg *tc,
                    const tt_nn_fit_opts *fo, float *params, tt_nn_run_stats *stats);

/* Parses .tnx bytes, decodes them on the GPU (best of `repeats`) and compares with ref: the figures of a file.
 * decoded (may be NULL) receives the image; decode_f16 (may be NULL) whether the decode ran on tensor cores. */
tt_status tt_nn_measure_tnx(tt_vk *vk, const uint8_t *bytes, size_t size, const tt_image *ref, int repeats,
                            const tt_nn_tuning *tune, tt_metrics *met, tt_image *decoded, double *gpu_ms,
                            int *decode_f16);

/* ---- Latent stage 2: store the grids, fine-tune the decoder on what the file holds ---- */
typedef struct {
    tt_latent_codec codec;
    tt_latent_pack pack;
    int jpeg_quality;
    tt_nn_precision precision;   /* decoder parameters in the file */
    uint32_t finetune_steps;     /* 0 = none */
    float finetune_lr;
    tt_nn_fit_opts fit;          /* progress of the fine-tuning (stage "finetune") */
    int post_filter;             /* 1: fit a post-filter to the decoded file and keep it where it lowers
                                    MSE + lambda * bpp (the model's lambda; 0 = where it lowers the MSE) */
} tt_latent_code_opts;

typedef struct {
    uint8_t *bytes;              /* the .tnx file (malloc'ed; the caller frees it) */
    size_t size;
    size_t coded_size;           /* before fine-tuning and post-filter (size, less the filter's 190 bytes when the
                                    file holds one: the grids are kept verbatim) */
    tt_metrics coded, final;     /* decoded from the bytes before and after fine-tuning and post-filter (GPU) */
    int post_filtered;           /* the file holds a post-filter */
    tt_metrics unfiltered;       /* the file without it (= final when there is none) */
    double finetune_seconds, finetune_gpu_ms;
} tt_latent_code_result;

/* Codes the trained (and, with QAT, already quantised: tt_latent_fit_quantize) params of m with the storage of o;
 * then, with finetune_steps > 0, fine-tunes the decoder on the grids decoded from those bytes (latents frozen, seed
 * tc->seed + 0x9E37, learning rate finetune_lr) and codes the result again, keeping the grid section verbatim. */
tt_status tt_latent_code(tt_vk *vk, const tt_nn_model *m, const float *params, const tt_image *img,
                         const tt_nn_train_cfg *tc, const tt_latent_code_opts *o, tt_latent_code_result *out);
void tt_latent_code_result_free(tt_latent_code_result *r);

/* The grids the forward pass saw at the end of training (quantised with QAT on, since tc_iters > qat_start): what
 * the file stores. In place. */
void tt_latent_fit_quantize(const tt_nn_model *m, uint32_t tc_iters, float *params);

#endif
