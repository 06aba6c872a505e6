/* cli_latent.c - `tinytex latent`: train a two-scale latent grid + decoder on the GPU per image or over asset folders, code the grids, fine-tune the decoder, write and verify .tnx. */
#include <unistd.h>
#include "cli.h"
#include "cli_load.h"
#include "cli_batch.h"
#include "cli_nn_env.h"
#include "cli_paths.h"
#include "core/tt_fileio.h"
#include "neural/latent.h"
#include "neural/latent_target.h"
#include "neural/nn_fit.h"
#include "neural/tt_neural.h"
#include "vk/tt_vk.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define LATENT_RATE_OMEGA0 20 /* TT_LATENT_RATE_OMEGA0, spelled for the help text */
_Static_assert(LATENT_RATE_OMEGA0 == (int)TT_LATENT_RATE_OMEGA0, "help text of --omega0");
#define TT_STR_(x) #x
#define TT_STR(x) TT_STR_(x)

static const char USAGE[] = "tinytex latent INPUT... -o OUTPUT.tnx|OUTPUT_FOLDER [options]";
static const char DESCRIPTION[] =
    "Fits a two-scale latent grid (lo: CH_LO channels at 1/SCALE_LO resolution, hi: CH_HI channels\n"
    "at 1/SCALE_HI) and a small decoder MLP to one image on the GPU, with int8 quantisation-aware\n"
    "training of the grids, then writes a self-contained .tnx: the grids as uint8 planes (raw, PNG\n"
    "or JPEG) and the decoder in fp16. With a lossy codec the decoder is then fine-tuned on the\n"
    "decoded grids so it matches what the file holds. Every ratio is file size on disk and every\n"
    "PSNR is measured on the image rebuilt from the bytes written ('tinytex decode' rebuilds it).\n"
    "\n"
    "Several inputs or a folder: -o is an output folder; folders are walked recursively and their\n"
    "tree is mirrored (assets/sub/x.png -> OUT/sub/x.tnx); non-image files are skipped with a note;\n"
    "outputs newer than their input and made with the\n"
    "same options (OUT/.tinytex-manifest.json) are skipped unless --force; a file that fails is reported and\n"
    "the others go on. One model trains on the GPU at a time; --jobs N overlaps loading, writing\n"
    "and checking with it. --log, --decoded, --latent-preview, --sweep need exactly one input file.";

typedef struct {
    unsigned ch_lo, scale_lo, ch_hi, scale_hi, hi_levels, qat_bits, qat_start;
    unsigned hidden, depth;
    float omega0, lr, finetune_lr, qat_noise, lambda, quant_step, target_bpp, target_psnr;
    unsigned target_tries;
    int grids;                  /* tt_latent_grids */
    int upsample;               /* tt_latent_upsample */
    int post_filter;            /* 0 off, 1 auto (fitted, kept where it lowers MSE + lambda x bpp) */
    int preset;
    int activation;
    unsigned iters, batch;
    long long seed;
    int seed_int;
    int codec, pack, jpeg_quality, precision;
    int finetune_steps;
    unsigned steps_per_submit;
    const char *log, *decoded, *preview, *sweep;
    int decode_repeats;
} latent_options;

/* Progress of the library's training stages: the bar on stderr and the --log CSV. */
typedef struct {
    FILE *log;
    int show;
    int open;                  /* a bar is on screen */
    uint32_t describe_batch;   /* non-zero: describe the trainer (-v) when the stage starts */
    cli_progress prog;
} latent_progress;

static int latent_progress_cb(void *user, const tt_nn_progress *p)
{
    latent_progress *lp = user;
    if (p->done == 0) {
        if (lp->describe_batch) cli_trainer_describe(p->trainer, lp->describe_batch);
        lp->describe_batch = 0;
        cli_progress_init(&lp->prog, 2.0);
        lp->open = lp->show;
        return 0;
    }
    uint32_t first = p->done - p->n_losses;
    if (lp->log)
        for (uint32_t i = 0; i < p->n_losses; i++)
            fprintf(lp->log, "%s,%u,%.9g,%.4f,%.4f\n", p->stage, first + i + 1, p->losses[i],
                    tt_psnr_from_mse(p->losses[i]), p->seconds);
    float loss = p->losses[p->n_losses - 1];
    char line[160];
    snprintf(line, sizeof line, "%s step %u/%u loss %.3e psnr %.2f dB (batch)", p->stage, p->done, p->total, loss,
             tt_psnr_from_mse(loss));
    if (lp->show) cli_progress_update(&lp->prog, (double)p->done / p->total, line, p->done == p->total);
    if (lp->open && p->done == p->total) {
        cli_progress_done(&lp->prog);
        lp->open = 0;
    }
    return 0;
}

/* A stage that stopped on an error leaves its bar: end the line before the message. */
static void latent_progress_close(latent_progress *lp)
{
    if (lp->open) cli_progress_done(&lp->prog);
    lp->open = 0;
}

static cJSON *stage_json(const tt_metrics *met, size_t bytes, uint32_t w, uint32_t h)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "psnr_rgb", isfinite(met->psnr_rgb) ? met->psnr_rgb : 999.0);
    if (bytes) {
        cJSON_AddNumberToObject(o, "bytes", (double)bytes);
        cJSON_AddNumberToObject(o, "ratio_vs_rgb8", (double)w * h * 3.0 / (double)bytes);
        cJSON_AddNumberToObject(o, "bits_per_pixel", (double)bytes * 8.0 / ((double)w * h));
    }
    return o;
}

/* The storage of one variant, with the fine-tuning's progress going to fn (may be NULL). */
static tt_latent_code_opts code_opts(tt_latent_codec codec, tt_latent_pack pack, int quality, int finetune, float ft_lr,
                                     tt_nn_precision prec, uint32_t chunk, tt_nn_progress_fn fn, void *user,
                                     int post_filter)
{
    tt_latent_code_opts co = {
        .codec = codec, .pack = pack, .jpeg_quality = quality, .precision = prec,
        .finetune_steps = finetune > 0 ? (uint32_t)finetune : 0, .finetune_lr = ft_lr,
        .fit = {.chunk = chunk, .progress = fn, .user = user}, .post_filter = post_filter,
    };
    return co;
}

/* --sweep "jpeg:85:tiles,jpeg:60:rgb,png": every variant coded (and
 * fine-tuned) from the same training run; one line each. */
static tt_status run_sweep(tt_vk *vk, const tt_nn_model *m, const float *params, const tt_image *img,
                           const tt_nn_train_cfg *tc, tt_nn_precision prec, uint32_t chunk, const char *spec,
                           int finetune, float ft_lr, cJSON *report)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", spec);
    cJSON *arr = report ? cJSON_AddArrayToObject(report, "sweep") : NULL;
    double raw8 = (double)img->width * img->height * 3.0;
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        char name[16] = "", pack[16] = "tiles";
        int q = 85;
        int got = sscanf(tok, "%15[a-z]:%d:%15[a-z]", name, &q, pack);
        if (got < 1) return tt_fail(TT_ERR_INVALID_ARG, "--sweep: bad item '%s'", tok);
        tt_latent_codec codec = strcmp(name, "jpeg") == 0    ? TT_LATENT_CODEC_JPEG
                              : strcmp(name, "png") == 0     ? TT_LATENT_CODEC_PNG
                              : strcmp(name, "entropy") == 0 ? TT_LATENT_CODEC_ENTROPY
                                                             : TT_LATENT_CODEC_RAW;
        int ft = codec == TT_LATENT_CODEC_JPEG ? finetune : 0;
        latent_progress lp = {.show = 1};
        tt_latent_code_opts co = code_opts(codec, strcmp(pack, "rgb") == 0 ? TT_LATENT_PACK_RGB : TT_LATENT_PACK_TILES,
                                           q, ft, ft_lr, prec, chunk, latent_progress_cb, &lp, 0);
        tt_latent_code_result cr;
        tt_status s = tt_latent_code(vk, m, params, img, tc, &co, &cr);
        latent_progress_close(&lp);
        if (s != TT_OK) return s;
        printf("sweep %-5s q%-3d %-5s: %6zu bytes %6.2fx %.3f bpp | coded %.2f dB | fine-tuned (%d steps) %.2f dB (%+.2f)\n",
               tt_latent_codec_name(co.codec), co.jpeg_quality, tt_latent_pack_name(co.pack), cr.size,
               raw8 / cr.size, cr.size * 8.0 / ((double)img->width * img->height), cr.coded.psnr_rgb,
               ft, cr.final.psnr_rgb, cr.final.psnr_rgb - cr.coded.psnr_rgb);
        if (arr) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "codec", tt_latent_codec_name(co.codec));
            cJSON_AddNumberToObject(e, "quality", co.jpeg_quality);
            cJSON_AddStringToObject(e, "pack", tt_latent_pack_name(co.pack));
            cJSON_AddNumberToObject(e, "bytes", (double)cr.size);
            cJSON_AddNumberToObject(e, "ratio_vs_rgb8", raw8 / cr.size);
            cJSON_AddNumberToObject(e, "psnr_coded", cr.coded.psnr_rgb);
            cJSON_AddNumberToObject(e, "finetune_steps", ft);
            cJSON_AddNumberToObject(e, "psnr_finetuned", cr.final.psnr_rgb);
            cJSON_AddItemToArray(arr, e);
        }
        tt_latent_code_result_free(&cr);
    }
    return TT_OK;
}

static tt_status latent_model_for(const latent_options *o, const tt_image *img, tt_nn_model *m)
{
    memset(m, 0, sizeof *m);
    m->kind = TT_NN_KIND_LATENT;
    m->width = img->width;
    m->height = img->height;
    tt_latent_cfg_default(&m->latent);
    m->latent.ch_lo = o->ch_lo; m->latent.scale_lo = o->scale_lo;
    m->latent.ch_hi = o->ch_hi; m->latent.scale_hi = o->scale_hi; m->latent.hi_levels = o->hi_levels;
    m->latent.upsample = (uint32_t)o->upsample;
    m->latent.qat_bits = o->qat_bits; m->latent.qat_start = o->qat_start;
    tt_latent_cfg_set_noise(&m->latent, o->qat_noise);
    tt_latent_cfg_set_step(&m->latent, o->quant_step);
    tt_latent_cfg_set_lambda(&m->latent, o->lambda);
    m->dec.hidden = o->hidden; m->dec.depth = o->depth; m->dec.act = (tt_nn_act)o->activation; m->dec.omega0 = o->omega0;
    return tt_nn_model_build(m);
}

static void latent_train_cfg(const latent_options *o, tt_nn_train_cfg *tc)
{
    tt_latent_train_cfg_default(tc);
    cli_nn_tuning_from_env(&tc->tune);
    tc->iters = o->iters;
    tc->batch = o->batch;
    tc->seed = (uint64_t)o->seed_int;
    tc->lr[TT_NN_GROUP_ENC] = tc->lr[TT_NN_GROUP_NET] = o->lr;
    tc->steps_per_submit = o->steps_per_submit;
}

/* Training steps per GPU submission (and per progress update). */
static uint32_t latent_chunk(const latent_options *o)
{
    uint32_t chunk = o->steps_per_submit ? o->steps_per_submit : (o->iters >= 20 ? o->iters / 20 : o->iters);
    return chunk > 1000 ? 1000 : chunk;
}

static int latent_finetune_steps(const latent_options *o)
{
    return o->finetune_steps >= 0 ? o->finetune_steps : (o->codec == TT_LATENT_CODEC_JPEG ? 300 : 0);
}

static float latent_finetune_lr(const latent_options *o) { return o->finetune_lr > 0 ? o->finetune_lr : o->lr * 0.1f; }

/* ---- One file, single or in a batch: the one code path ----------------------- */

/* What a caller adds to the shared run (all may be NULL or 0). */
typedef struct {
    /* Called once the model is built and initialised, before the GPU is taken: the single-file path opens its log,
     * creates its context there (cli_gpu_open) and describes the run. */
    tt_status (*start)(void *user, const tt_nn_model *m, const float *params);
    tt_nn_progress_fn progress;  /* training and fine-tuning; batches train without (no loss read-back per chunk) */
    void *user;                  /* of start and progress */
    int before_codec;            /* also measure the grids stored raw, before the codec */
    const char *sweep;           /* --sweep LIST: code the trained model each of these ways too (run_sweep) */
    cJSON *sweep_report;         /* receives the sweep's rows (may be NULL) */
    tt_image *decoded;           /* receives the image rebuilt from the written file */
    float **file_params;         /* receive the parameters as the file holds them (the caller frees them) */
} latent_extras;

/* One layout's file under --grids auto (tt_latent_rd_cost: MSE + lambda x bpp). */
typedef struct { const char *name; long long bytes; double psnr_rgb, cost; } latent_grid_try;

/* The options that set the grid layout, which --grids replaces. */
static const char *const LAYOUT_OPTIONS[] = {"ch-lo", "scale-lo", "ch-hi", "scale-hi", "hi-levels"};
#define N_LAYOUT_OPTIONS (sizeof LAYOUT_OPTIONS / sizeof LAYOUT_OPTIONS[0])

static void latent_options_set_shape(latent_options *o, const tt_latent_grid_shape *s)
{
    o->ch_lo = s->ch_lo;
    o->scale_lo = s->scale_lo;
    o->ch_hi = s->ch_hi;
    o->scale_hi = s->scale_hi;
    o->hi_levels = s->hi_levels;
}

typedef struct {
    tt_nn_run_stats train;
    tt_metrics before_codec;     /* extras.before_codec: the grids stored raw */
    size_t before_codec_bytes;
    tt_metrics coded;            /* the chosen codec, before fine-tuning */
    size_t coded_bytes;
    double finetune_seconds;
    int post_filtered;           /* the file holds a post-filter */
    tt_metrics unfiltered;       /* the file's image without it */
    tt_nn_latent_cfg latent;     /* the model as built (the file does not keep the training-only fields) */
    tt_nn_decoder_cfg dec;
    tt_latent_layout layout;
    cli_tnx_measured file;       /* the written file, read back */
    const char *grids_kept;      /* --grids auto: the layout kept (NULL otherwise) */
    int n_grid_tries;            /* --grids auto: the layouts trained, each measured from its file */
    latent_grid_try grid_tries[TT_LATENT_MAX_SHAPES];
} latent_outcome;

/* Builds the model, trains it, quantises and codes the grids and fine-tunes the decoder on the GPU (under
 * gpu->lock), writes `output` and measures what was written: the figures either caller prints or reports. */
static tt_status latent_encode_file(const latent_options *o, cli_gpu *gpu, const tt_image *img, const char *input,
                                    const char *output, const latent_extras *ex, latent_outcome *out)
{
    tt_nn_model m;
    float *params = NULL;
    tt_latent_code_result cr = {0};
    memset(out, 0, sizeof *out);
    out->train.last_loss = NAN;
    int finetune = latent_finetune_steps(o);
    float ft_lr = latent_finetune_lr(o);
    tt_nn_precision prec = o->precision == 1 ? TT_NN_FP32 : o->precision == 2 ? TT_NN_INT8 : TT_NN_FP16;
    uint32_t chunk = latent_chunk(o);
    tt_nn_train_cfg tc;
    latent_train_cfg(o, &tc);
    tt_status st = latent_model_for(o, img, &m);
    if (st == TT_OK && !(params = malloc(sizeof(float) * m.total)))
        st = tt_fail(TT_ERR_NOMEM, "%s: out of memory for %u parameters", input, m.total);
    if (st == TT_OK) {
        out->latent = m.latent;
        out->dec = m.dec;
        tt_nn_init_params(&m, tc.seed, params);
        if (ex->start) st = ex->start(ex->user, &m, params);
    }
    if (st == TT_OK) {
        tt_nn_fit_opts fo = {.chunk = chunk, .progress = ex->progress, .user = ex->user};
        pthread_mutex_lock(&gpu->lock);
        st = cli_gpu_ensure(gpu);
        if (st == TT_OK) st = tt_nn_fit(gpu->vk, &m, img, &tc, &fo, params, &out->train);
        if (st == TT_OK) {
            /* The forward pass saw quantised grids: store exactly those. */
            tt_latent_fit_quantize(&m, o->iters, params);
            st = tt_latent_layout_of(&m, &out->layout);
        }
        if (st == TT_OK && ex->before_codec) {
            /* PSNR before the codec: the uint8 (or fp16) grids stored raw. */
            uint8_t *raw = NULL;
            tt_nn_save_opts so = {.precision = prec, .jpeg_quality = o->jpeg_quality,
                                  .latent_codec = TT_LATENT_SAVE_OPT(TT_LATENT_CODEC_RAW, TT_LATENT_PACK_TILES)};
            st = tt_tnx_encode(&m, params, &so, &raw, &out->before_codec_bytes);
            if (st == TT_OK)
                st = tt_nn_measure_tnx(gpu->vk, raw, out->before_codec_bytes, img, 1, &tc.tune, &out->before_codec,
                                       NULL, NULL, NULL);
            free(raw);
        }
        if (st == TT_OK) {
            /* The chosen codec, then the decoder fine-tuned on the decoded grids. */
            tt_latent_code_opts co = code_opts((tt_latent_codec)o->codec, (tt_latent_pack)o->pack, o->jpeg_quality,
                                               finetune, ft_lr, prec, chunk, ex->progress, ex->user, o->post_filter);
            st = tt_latent_code(gpu->vk, &m, params, img, &tc, &co, &cr);
        }
        if (st == TT_OK) {
            out->coded = cr.coded;
            out->coded_bytes = cr.coded_size;
            out->finetune_seconds = cr.finetune_seconds;
            out->post_filtered = cr.post_filtered;
            out->unfiltered = cr.unfiltered;
        }
        if (st == TT_OK && ex->sweep)
            st = run_sweep(gpu->vk, &m, params, img, &tc, prec, chunk, ex->sweep, finetune > 0 ? finetune : 300, ft_lr,
                           ex->sweep_report);
        pthread_mutex_unlock(&gpu->lock);
    }
    if (st == TT_OK) st = cli_make_parent_dirs(output);
    if (st == TT_OK) st = tt_write_file_atomic(output, cr.bytes, cr.size);
    if (st == TT_OK)
        st = cli_tnx_readback(gpu, TT_NN_KIND_LATENT, img, output, o->decode_repeats, &out->file, ex->decoded,
                              ex->file_params);
    tt_latent_code_result_free(&cr);
    tt_nn_model_release(&m);
    free(params);
    return st;
}

/* A scratch file beside `output`, "OUTPUT.WHAT.PID-N.tnx", created empty under a name no file had (O_EXCL: a user's
 * file is never replaced or removed) and removed by a signal until tt_scratch_release(buf, *slot, ...).
 * TT_ERR_INVALID_ARG when the path is too long, TT_ERR_IO when it cannot be created (buf is then ""). */
static tt_status reserve_temp_name(char *buf, size_t size, const char *output, const char *what, int *slot)
{
    tt_status st = cli_make_parent_dirs(output);
    for (int u = 0; st == TT_OK && u < 1000; u++) {
        int len = snprintf(buf, size, "%s.%s.%ld-%d.tnx", output, what, (long)getpid(), u);
        if (len < 0 || (size_t)len >= size) {
            buf[0] = '\0'; /* never a name to remove */
            return tt_fail(TT_ERR_INVALID_ARG, "%s: output path too long", output);
        }
        int exists = 0;
        st = tt_scratch_reserve(buf, slot, &exists);
        if (st == TT_OK) return TT_OK;
        if (exists) st = TT_OK;
    }
    buf[0] = '\0';
    return st != TT_OK ? st : tt_fail(TT_ERR_IO, "%s: no free temporary name beside it", output);
}

/* latent_encode_file for each layout of o->grids (tt_latent_grid_shapes): one layout trains as the options say; with
 * auto each layout is written to a temporary name next to `output` and measured, and the file of the lower
 * MSE + lambda * bpp becomes `output` (its outcome, decoded image and parameters are the ones returned). */
static tt_status latent_encode_rd(const latent_options *o, cli_gpu *gpu, const tt_image *img, const char *input,
                                  const char *output, const latent_extras *ex, latent_outcome *out)
{
    tt_latent_grid_shape shapes[TT_LATENT_MAX_SHAPES];
    int n = tt_latent_grid_shapes((tt_latent_grids)o->grids, shapes);
    latent_options oc = *o;
    if (n <= 1) {
        if (n == 1) latent_options_set_shape(&oc, &shapes[0]);
        return latent_encode_file(&oc, gpu, img, input, output, ex, out);
    }
    double px = (double)img->width * img->height, best_cost = INFINITY;
    int best = -1, tried = 0;
    char tmp[TT_LATENT_MAX_SHAPES][4096] = {{0}};
    int slot[TT_LATENT_MAX_SHAPES] = {-1, -1, -1};
    tt_image decoded[TT_LATENT_MAX_SHAPES] = {{0}};
    float *params[TT_LATENT_MAX_SHAPES] = {NULL};
    latent_outcome cand;
    tt_status st = TT_OK;
    latent_grid_try tries[TT_LATENT_MAX_SHAPES];
    for (int k = 0; k < n && st == TT_OK; k++) {
        latent_options_set_shape(&oc, &shapes[k]);
        char what[64];
        snprintf(what, sizeof what, "grids-%s", shapes[k].name);
        st = reserve_temp_name(tmp[k], sizeof tmp[k], output, what, &slot[k]);
        if (st != TT_OK) break;
        tried = k + 1;
        latent_extras e = *ex;
        e.decoded = ex->decoded ? &decoded[k] : NULL;
        e.file_params = ex->file_params ? &params[k] : NULL;
        st = latent_encode_file(&oc, gpu, img, input, tmp[k], &e, &cand);
        if (st != TT_OK) break;
        double bpp = (double)cand.file.bytes * 8.0 / px, cost = tt_latent_rd_cost(cand.file.metrics.psnr_rgb, bpp, o->lambda);
        DISPLAYLEVEL(2, "grids %s: %lld bytes, %.3f bpp, %.2f dB, MSE + lambda x bpp %.4e\n", shapes[k].name,
                     cand.file.bytes, bpp, cand.file.metrics.psnr_rgb, cost);
        tries[k].name = shapes[k].name;
        tries[k].bytes = cand.file.bytes;
        tries[k].psnr_rgb = cand.file.metrics.psnr_rgb;
        tries[k].cost = cost;
        if (best < 0 || cost < best_cost) {   /* the first try is kept even if its cost is NaN */
            best_cost = cost;
            best = k;
            *out = cand;
        }
    }
    int err = st == TT_OK ? tt_scratch_rename(tmp[best], output) : 0;
    if (err) st = tt_fail(TT_ERR_IO, "%s: cannot rename %s to it: %s", output, tmp[best], strerror(err));
    for (int k = 0; k < n; k++) {
        if (k < tried) tt_scratch_release(tmp[k], slot[k], k != best || st != TT_OK);
        if (k == best && st == TT_OK) {
            if (ex->decoded) *ex->decoded = decoded[k];
            if (ex->file_params) *ex->file_params = params[k];
        } else {
            tt_image_free(&decoded[k]);
            free(params[k]);
        }
    }
    if (st == TT_OK) {
        DISPLAYLEVEL(2, "grids auto: kept %s\n", shapes[best].name);
        out->grids_kept = shapes[best].name;
        out->n_grid_tries = n;
        memcpy(out->grid_tries, tries, sizeof tries);
    }
    return st;
}

/* ---- A single file: progress and --log, the stages (before the codec, coded, fine-tuned, file),
 * --decoded/--latent-preview, --sweep and the flat report (docs/report.md) ---- */
typedef struct {
    const latent_options *o;
    const cli_common *c;
    cli_gpu *gpu;
    const tt_image *img;
    latent_progress lp;
    int rc;                     /* why start stopped the run */
} latent_single_run;

static tt_status latent_single_start(void *user, const tt_nn_model *m, const float *params)
{
    latent_single_run *ls = user;
    (void)params;
    if (ls->o->log && !ls->lp.log) {   /* once: --grids auto trains twice into one log */
        ls->lp.log = fopen(ls->o->log, "w");
        if (!ls->lp.log) {
            cli_error("%s: cannot open the log for writing", ls->o->log);
            ls->rc = EXIT_RUNTIME;
            return tt_fail(TT_ERR_IO, "%s: cannot open the log for writing", ls->o->log);
        }
        fprintf(ls->lp.log, "phase,step,loss,psnr,seconds\n");
    }
    tt_status st = ls->gpu->vk ? TT_OK : cli_gpu_open(ls->gpu);
    if (st != TT_OK) return st;
    char desc[256];
    m->enc->describe(m, desc, sizeof desc);
    DISPLAYLEVEL(1, "latent: %s (%ux%u) on %s\n", ls->c->input, ls->img->width, ls->img->height, ls->gpu->device_name);
    DISPLAYLEVEL(1, "latent: %s; decoder %s %ux%u; %u parameters (%u latent + %u decoder)\n", desc,
                 tt_nn_act_name(m->dec.act), m->dec.hidden, m->dec.depth, m->total, m->enc_count, m->dec_count);
    return TT_OK;
}

static int latent_progress_fn(void *user, const tt_nn_progress *p)
{
    latent_single_run *ls = user;
    return latent_progress_cb(&ls->lp, p);
}

/* ---- --target-bpp / --target-psnr: lambda searched by full retrainings (src/neural/latent_target.h), every try
 * written to a temporary name and measured from it, the best try's bytes become the output ---- */
static int latent_target(latent_options o, cli_common c)
{
    tt_image_limits limits;
    cli_apply_common(&c, &limits);
    tt_image img = {0};
    cli_gpu gpu;
    cli_gpu_init(&gpu, c.device);
    uint8_t *best = NULL;
    size_t best_size = 0;
    int rc = EXIT_OK, want_bpp = o.target_bpp > 0;
    char tmp[4096] = "";
    int tmp_slot = -1;
    cJSON *report = c.json ? cli_report_new("latent") : NULL;
    cJSON *tries = report ? cJSON_AddArrayToObject(report, "target_tries") : NULL;
    tt_status st = cli_image_load(c.input, &limits, &img);
    if (st == TT_OK) st = reserve_temp_name(tmp, sizeof tmp, c.output, "try", &tmp_slot);
    double px = (double)img.width * img.height;
    tt_latent_search search;
    tt_latent_search_init(&search, o.target_bpp, o.target_psnr, o.lambda);
    for (unsigned t = 0; st == TT_OK && t < o.target_tries && !search.done; t++) {
        latent_options ot = o;
        double lam = search.lambda;
        ot.lambda = (float)lam;
        latent_outcome out;
        latent_progress lp = {.show = g_display_level >= 2};
        latent_extras ex = {.progress = latent_progress_cb, .user = &lp};
        st = latent_encode_rd(&ot, &gpu, &img, c.input, tmp, &ex, &out);
        latent_progress_close(&lp);
        if (st != TT_OK) break;
        double bpp = (double)out.file.bytes * 8.0 / px, psnr = out.file.metrics.psnr_rgb;
        int ok = tt_latent_search_meets(&search, bpp, psnr);
        DISPLAYLEVEL(1, "try %u: lambda %.4g: %lld bytes, %.3f bpp, %.2f dB%s\n", t + 1, lam, out.file.bytes, bpp, psnr,
                     ok ? " (meets the target)" : "");
        if (tries) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddNumberToObject(e, "try_lambda", lam);
            cJSON_AddNumberToObject(e, "try_bytes", (double)out.file.bytes);
            cJSON_AddNumberToObject(e, "try_bits_per_pixel", bpp);
            cJSON_AddNumberToObject(e, "try_psnr_rgb", psnr);
            if (out.grids_kept) cJSON_AddStringToObject(e, "try_grids_kept", out.grids_kept);
            cJSON_AddItemToArray(tries, e);
        }
        if (tt_latent_search_record(&search, bpp, psnr)) {
            free(best);
            best = NULL;
            st = tt_read_file(tmp, 0, &best, &best_size);
        }
    }
    if (tmp[0]) tt_scratch_release(tmp, tmp_slot, 1);
    cli_tnx_measured file = {0};
    if (st == TT_OK && !best) st = tt_fail(TT_ERR_INVALID_ARG, "%s: no try was made", c.input);
    if (st == TT_OK) st = cli_make_parent_dirs(c.output);
    if (st == TT_OK) st = tt_write_file_atomic(c.output, best, best_size);
    if (st == TT_OK) st = cli_tnx_readback(&gpu, TT_NN_KIND_LATENT, &img, c.output, o.decode_repeats, &file, NULL, NULL);
    if (st != TT_OK) {
        rc = cli_fail_status(st);
    } else {
        double bpp = (double)file.bytes * 8.0 / px;
        int met = tt_latent_search_meets(&search, bpp, file.metrics.psnr_rgb);
        if (g_display_level >= 1)
            printf("%s: %lld bytes, %.2fx vs RGB8, %.3f bpp, rebuilt from the file: %.2f dB RGB (lambda %.4g; target %s %g %s)\n",
                   c.output, file.bytes, px * 3.0 / (double)file.bytes, bpp, file.metrics.psnr_rgb, search.best_lambda,
                   want_bpp ? "bpp <=" : "PSNR >=", want_bpp ? o.target_bpp : o.target_psnr, met ? "met" : "NOT met");
        if (report) {
            cJSON_AddStringToObject(report, "input", c.input);
            cJSON_AddStringToObject(report, "output", c.output);
            cli_report_add_result(report, img.width, img.height, &file.metrics, (uint64_t)file.bytes, 0);
            cJSON_AddNumberToObject(report, "lambda", search.best_lambda);
            cJSON_AddNumberToObject(report, "quant_step", o.quant_step);
            cJSON_AddBoolToObject(report, "target_met", met);
            if (want_bpp) cJSON_AddNumberToObject(report, "target_bpp", o.target_bpp);
            else cJSON_AddNumberToObject(report, "target_psnr", o.target_psnr);
            rc = cli_report_write(c.json, report);
        }
        if (rc == EXIT_OK && !met) {
            cli_error("%s: target %s %g not reached in %u tries (kept the closest: %.3f bpp, %.2f dB)", c.input,
                      want_bpp ? "--target-bpp" : "--target-psnr", want_bpp ? o.target_bpp : o.target_psnr,
                      o.target_tries, bpp, file.metrics.psnr_rgb);
            rc = EXIT_QUALITY;
        }
        if (rc == EXIT_OK) rc = cli_check_min_psnr(&c, file.metrics.psnr_rgb);
    }
    cJSON_Delete(report);
    free(best);
    cli_gpu_destroy(&gpu);
    tt_image_free(&img);
    return rc;
}

static int latent_single(latent_options o, cli_common c)
{
    int rc = EXIT_OK;
    tt_image_limits limits;
    cli_apply_common(&c, &limits);
    int finetune = latent_finetune_steps(&o);
    float ft_lr = latent_finetune_lr(&o);

    double t_start = cli_now();
    tt_image img = {0}, rebuilt = {0};
    cli_gpu gpu;
    cli_gpu_init(&gpu, c.device);
    float *final_params = NULL;
    cJSON *report = o.sweep && c.json ? cli_report_new("latent") : NULL;
    latent_single_run ls = {.o = &o, .c = &c, .gpu = &gpu, .img = &img, .rc = EXIT_OK,
                            .lp = {.show = 1, .describe_batch = o.batch}};
    latent_outcome out;

    tt_status st = cli_image_load(c.input, &limits, &img);
    if (st == TT_OK) {
        latent_extras ex = {.start = latent_single_start, .progress = latent_progress_fn, .user = &ls,
                            .before_codec = 1, .sweep = o.sweep, .sweep_report = report, .decoded = &rebuilt,
                            .file_params = &final_params};
        st = latent_encode_rd(&o, &gpu, &img, c.input, c.output, &ex, &out);
    }
    latent_progress_close(&ls.lp);
    if (st != TT_OK) { rc = ls.rc != EXIT_OK ? ls.rc : cli_fail_status(st); goto cleanup; }
    if (o.decoded) {
        st = tt_image_save_png(o.decoded, &rebuilt);
        if (st != TT_OK) { rc = cli_fail_status(st); goto cleanup; }
    }
    if (o.preview) {
        tt_image prev = {0};
        st = tt_latent_preview(&out.layout, final_params, 256, &prev);
        if (st == TT_OK) st = tt_image_save_png(o.preview, &prev);
        tt_image_free(&prev);
        if (st != TT_OK) { rc = cli_fail_status(st); goto cleanup; }
    }

    const tt_metrics *met_raw = &out.before_codec, *met_coded = &out.coded, *met_final = &out.file.metrics;
    size_t raw_nbytes = out.before_codec_bytes, coded_nbytes = out.coded_bytes;
    long long on_disk = out.file.bytes;
    double raw8 = (double)img.width * img.height * 3.0;
    double total_s = cli_now() - t_start;
    if (g_display_level >= 1) {
        printf("trained %u steps in %.3f s (GPU %.1f ms), last batch loss %.3e\n", o.iters, out.train.seconds,
               out.train.gpu_ms, out.train.last_loss);
        printf("before the codec (grids %s, raw): %.2f dB, %zu bytes (%.2fx)\n", out.latent.qat_bits ? "uint8" : "fp16",
               met_raw->psnr_rgb, raw_nbytes, raw8 / raw_nbytes);
        if (o.codec != TT_LATENT_CODEC_RAW || finetune > 0)
            printf("%s grids (%s): %.2f dB, %zu bytes (%.2fx)\n", tt_latent_codec_name((tt_latent_codec)o.codec),
                   tt_latent_pack_name((tt_latent_pack)o.pack), met_coded->psnr_rgb, coded_nbytes, raw8 / coded_nbytes);
        if (finetune > 0)
            printf("decoder fine-tuned %d steps on the decoded grids in %.3f s: %+.2f dB\n", finetune,
                   out.finetune_seconds, out.unfiltered.psnr_rgb - met_coded->psnr_rgb);
        if (out.post_filtered)
            printf("post-filter (3x3, %d bytes): %+.2f dB\n", 12 + TT_PF_PAYLOAD,
                   met_final->psnr_rgb - out.unfiltered.psnr_rgb);
        printf("%s: %lld bytes, %.2fx vs RGB8, %.3f bpp, rebuilt from the file: %.2f dB RGB (decode %.3f ms)\n",
               c.output, on_disk, raw8 / (double)on_disk, (double)on_disk * 8.0 / ((double)img.width * img.height),
               met_final->psnr_rgb, out.file.decode_ms);
    }

    if (c.json) {
        if (!report) report = cli_report_new("latent");
        cJSON_AddStringToObject(report, "input", c.input);
        cJSON_AddStringToObject(report, "output", c.output);
        cJSON_AddStringToObject(report, "device", gpu.device_name);
        cli_report_add_result(report, img.width, img.height, met_final, (uint64_t)on_disk, total_s);
        cJSON_AddNumberToObject(report, "ratio_vs_rgb8", raw8 / (double)on_disk);
        cJSON *cfg = cJSON_AddObjectToObject(report, "config");
        static const char *const grid_names[] = {"custom", "low", "pyramid", "auto", "coarse"};
        cJSON_AddStringToObject(cfg, "grids", grid_names[o.grids]);
        if (out.grids_kept) cJSON_AddStringToObject(cfg, "grids_kept", out.grids_kept);
        cJSON_AddNumberToObject(cfg, "ch_lo", out.latent.ch_lo);
        cJSON_AddNumberToObject(cfg, "scale_lo", out.latent.scale_lo);
        cJSON_AddNumberToObject(cfg, "ch_hi", out.latent.ch_hi);
        cJSON_AddNumberToObject(cfg, "scale_hi", out.latent.scale_hi);
        cJSON_AddNumberToObject(cfg, "hi_levels", out.latent.hi_levels ? out.latent.hi_levels : 1);
        cJSON_AddStringToObject(cfg, "upsample", out.latent.upsample == TT_LATENT_UPSAMPLE_BICUBIC ? "bicubic" : "bilinear");
        cJSON_AddStringToObject(cfg, "post_filter", o.post_filter ? "auto" : "off");
        cJSON_AddBoolToObject(report, "post_filtered", out.post_filtered);
        if (out.post_filtered) cJSON_AddNumberToObject(report, "psnr_rgb_unfiltered", out.unfiltered.psnr_rgb);
        cJSON_AddNumberToObject(cfg, "qat_bits", out.latent.qat_bits);
        cJSON_AddNumberToObject(cfg, "qat_start", out.latent.qat_start);
        cJSON_AddNumberToObject(cfg, "quant_step", o.quant_step);
        cJSON_AddNumberToObject(cfg, "lambda", o.lambda);
        cJSON_AddNumberToObject(cfg, "hidden", out.dec.hidden);
        cJSON_AddNumberToObject(cfg, "depth", out.dec.depth);
        cJSON_AddStringToObject(cfg, "activation", tt_nn_act_name(out.dec.act));
        cJSON_AddNumberToObject(cfg, "omega0", out.dec.omega0);
        cJSON_AddNumberToObject(cfg, "lr", o.lr);
        cJSON_AddNumberToObject(cfg, "iters", o.iters);
        cJSON_AddNumberToObject(cfg, "batch", o.batch);
        cJSON_AddNumberToObject(cfg, "seed", o.seed_int);
        cJSON_AddStringToObject(cfg, "latent_codec", tt_latent_codec_name((tt_latent_codec)o.codec));
        cJSON_AddStringToObject(cfg, "latent_pack", tt_latent_pack_name((tt_latent_pack)o.pack));
        cJSON_AddNumberToObject(cfg, "jpeg_quality", o.jpeg_quality);
        cJSON_AddNumberToObject(cfg, "finetune_steps", finetune);
        cJSON_AddNumberToObject(cfg, "finetune_lr", ft_lr);
        cJSON_AddNumberToObject(cfg, "parameters", out.file.params);
        cJSON_AddNumberToObject(report, "train_seconds", out.train.seconds);
        cJSON_AddNumberToObject(report, "train_gpu_ms", out.train.gpu_ms);
        if (out.n_grid_tries) {
            cJSON *gt = cJSON_AddArrayToObject(report, "grid_tries");
            for (int k = 0; k < out.n_grid_tries; k++) {
                cJSON *e = cJSON_CreateObject();
                cJSON_AddStringToObject(e, "grids", out.grid_tries[k].name);
                cJSON_AddNumberToObject(e, "bytes", (double)out.grid_tries[k].bytes);
                cJSON_AddNumberToObject(e, "psnr_rgb", out.grid_tries[k].psnr_rgb);
                cJSON_AddNumberToObject(e, "rd_cost", out.grid_tries[k].cost);
                cJSON_AddItemToArray(gt, e);
            }
        }
        cJSON_AddNumberToObject(report, "finetune_seconds", out.finetune_seconds);
        cJSON_AddNumberToObject(report, "decode_gpu_ms", out.file.decode_ms);
        cJSON_AddStringToObject(report, "decode_path", out.file.decode_f16 ? "tensor_cores" : "fp32");
        cJSON_AddItemToObject(report, "before_codec", stage_json(met_raw, raw_nbytes, img.width, img.height));
        cJSON_AddItemToObject(report, "coded_before_finetune", stage_json(met_coded, coded_nbytes, img.width, img.height));
        cJSON_AddItemToObject(report, "file", stage_json(met_final, (size_t)on_disk, img.width, img.height));
        rc = cli_report_write(c.json, report);
        if (rc != EXIT_OK) goto cleanup;
    }
    rc = cli_check_min_psnr(&c, met_final->psnr_rgb);

cleanup:
    if (ls.lp.log) fclose(ls.lp.log);
    cJSON_Delete(report);
    cli_gpu_destroy(&gpu);
    tt_image_free(&img);
    tt_image_free(&rebuilt);
    free(final_params);
    return rc;
}

/* ---- Batches: several inputs or folders through cli_batch_run ------------------
 * Training keeps the GPU busy for the whole run, so one model trains at a time
 * (the cli_gpu lock around the tt_vk context); with
 * --jobs N the other workers load their images, write and re-read files meanwhile. */
typedef struct {
    latent_options o;
    tt_image_limits limits;
    cli_gpu gpu;               /* created by the first file that needs it */
} latent_batch_ctx;

static void latent_result(cli_file_result *r, latent_batch_ctx *x, const tt_image *img, const char *output,
                          const cli_tnx_measured *mt)
{
    cli_tnx_result(r, cli_gpu_mine(&x->gpu), img, output, mt);
    cJSON_AddNumberToObject(r->extra, "ratio_vs_rgb8",
                            mt->bytes > 0 ? (double)img->width * img->height * 3 / (double)mt->bytes : 0);
    cJSON_AddNumberToObject(r->extra, "decode_gpu_ms", mt->decode_ms);
}

/* cli_measure_fn of outputs that are up to date and not rewritten: the figures of the file. */
static tt_status latent_measure_file(void *ctx, const tt_image *img, const char *output, cli_file_result *r)
{
    latent_batch_ctx *x = ctx;
    cli_tnx_measured mt;
    tt_status st = cli_tnx_readback(cli_gpu_mine(&x->gpu), TT_NN_KIND_LATENT, img, output, x->o.decode_repeats, &mt, NULL, NULL);
    if (st == TT_OK) latent_result(r, x, img, output, &mt);
    return st;
}

/* cli_encode_fn: load, then the shared path. */
static void latent_encode_one(void *ctx, const char *input, const char *output, cli_file_result *r)
{
    latent_batch_ctx *x = ctx;
    tt_image img = {0};
    latent_outcome out;
    tt_status st = cli_image_load(input, &x->limits, &img);
    if (st == TT_OK) st = latent_encode_rd(&x->o, cli_gpu_mine(&x->gpu), &img, input, output, &(latent_extras){0}, &out);
    if (st != TT_OK) {
        cli_result_fail(r, tt_status_str(st));
    } else {
        r->status = FILE_OK;
        latent_result(r, x, &img, output, &out.file);
        cJSON_AddStringToObject(r->extra, "latent_codec", tt_latent_codec_name((tt_latent_codec)x->o.codec));
        cJSON_AddNumberToObject(r->extra, "psnr_coded_before_finetune", out.coded.psnr_rgb);
        if (out.grids_kept) cJSON_AddStringToObject(r->extra, "grids_kept", out.grids_kept);
        cJSON_AddNumberToObject(r->extra, "train_seconds", out.train.seconds);
        cJSON_AddNumberToObject(r->extra, "train_gpu_ms", out.train.gpu_ms);
        cJSON_AddNumberToObject(r->extra, "finetune_seconds", out.finetune_seconds);
        cJSON_AddNumberToObject(r->extra, "final_batch_loss", out.train.last_loss);
    }
    tt_image_free(&img);
}

static int latent_batch(const latent_options *o, const cli_common *c, int jobs, int force, const char *csv,
                        const char *const *inputs, int ninputs)
{
    latent_batch_ctx x;
    memset(&x, 0, sizeof x);
    x.o = *o;
    cli_apply_common(c, &x.limits);
    cli_gpu_init(&x.gpu, c->device);
    /* What changes the bytes written (not --decode-repeats, --steps-per-submit, --jobs, ...). */
    char request[640];
    snprintf(request, sizeof request,
             "command=latent ch_lo=%u scale_lo=%u ch_hi=%u scale_hi=%u hi_levels=%u grids=%d upsample=%d post_filter=%d qat_bits=%u qat_start=%u qat_noise=%.9g "
             "quant_step=%.9g lambda=%.9g hidden=%u depth=%u omega0=%.9g activation=%d lr=%.9g iters=%u batch=%u seed=%d codec=%d pack=%d "
             "jpeg_quality=%d precision=%d finetune_steps=%d finetune_lr=%.9g",
             o->ch_lo, o->scale_lo, o->ch_hi, o->scale_hi, o->hi_levels, o->grids, o->upsample, o->post_filter, o->qat_bits, o->qat_start, o->qat_noise, o->quant_step,
             o->lambda, o->hidden, o->depth,
             o->omega0, o->activation, o->lr, o->iters, o->batch, o->seed_int, o->codec, o->pack, o->jpeg_quality,
             o->precision, o->finetune_steps, o->finetune_lr);
    cli_batch_spec spec = {
        .command = "latent",
        .out_ext = ".tnx",
        .label = "latent grids",
        .encode = latent_encode_one,
        .measure = latent_measure_file,
        .ctx = &x,
        .common = c,
        .jobs = jobs,
        .force = force,
        .csv = csv,
        .request = request,
    };
    int rc = cli_batch_run(&spec, inputs, ninputs);
    cli_gpu_destroy(&x.gpu);
    return rc;
}

int cmd_latent(int argc, char **argv)
{
    cli_common c;
    cli_common_init(&c);
    latent_options o;
    memset(&o, 0, sizeof o);
    tt_nn_latent_cfg lc;
    tt_latent_cfg_default(&lc);
    tt_nn_decoder_cfg dc;
    tt_nn_decoder_cfg_default(&dc);
    tt_nn_train_cfg tc;
    tt_latent_train_cfg_default(&tc);
    o.ch_lo = lc.ch_lo; o.scale_lo = lc.scale_lo; o.ch_hi = lc.ch_hi; o.scale_hi = lc.scale_hi; o.hi_levels = 1;
    o.qat_bits = lc.qat_bits; o.qat_start = lc.qat_start;
    o.hidden = dc.hidden; o.depth = dc.depth; o.omega0 = dc.omega0; o.activation = (int)dc.act;
    o.lr = tc.lr[TT_NN_GROUP_NET];
    o.iters = tc.iters; o.batch = tc.batch; o.seed_int = 0;
    o.codec = TT_LATENT_CODEC_ENTROPY; o.pack = TT_LATENT_PACK_TILES; o.jpeg_quality = 85; o.precision = 0;
    o.finetune_steps = -1;
    o.finetune_lr = 0;
    o.decode_repeats = 20;
    o.target_tries = 6;
    o.upsample = TT_LATENT_UPSAMPLE_BICUBIC;
    o.post_filter = 1;

    cli_option opts[64] = {
        {"ch-lo", 0, OPT_UINT, &o.ch_lo, "N", "channels of the lo grid", NULL, 1, TT_LATENT_MAX_FEATURES},
        {"scale-lo", 0, OPT_UINT, &o.scale_lo, "N", "lo grid is (H/N)x(W/N)", NULL, 1, 4096},
        {"ch-hi", 0, OPT_UINT, &o.ch_hi, "N", "channels of the hi grid (0 = no hi grid)", NULL, 0, TT_LATENT_MAX_FEATURES},
        {"scale-hi", 0, OPT_UINT, &o.scale_hi, "N", "hi grid is (H/N)x(W/N)", NULL, 1, 4096},
        {"hi-levels", 0, OPT_UINT, &o.hi_levels, "N",
         "a pyramid of N hi grids, at --scale-hi, half of it, ... (--ch-hi channels each)", NULL, 1, TT_LATENT_MAX_HI_LEVELS},
        {"grids", 0, OPT_CHOICE, &o.grids, "NAME",
         "grid layout: custom = the five options above; low = lo 8 ch at 1/8 + 2 ch at 1/4 and 1/2 (best under about "
         "1 bpp); pyramid = lo 8 at 1/8 + 1 ch at 1/4, 1/2, 1/1 (above); coarse = lo 8 at 1/16 + 2 ch at 1/8, 1/4, "
         "1/2 (some images around 0.5 bpp); auto = trains low, pyramid and coarse, keeps the file of lowest "
         "MSE + lambda x bpp (needs --lambda or a --target-*)", "custom|low|pyramid|auto|coarse", 0, 0},
        {"upsample", 0, OPT_CHOICE, &o.upsample, "NAME",
         "how pixels sample the grids: bilinear (2x2 points) or bicubic (Catmull-Rom, 4x4 points)", "bilinear|bicubic", 0, 0},
        {"post-filter", 0, OPT_CHOICE, &o.post_filter, "MODE",
         "a 3x3 filter over the decoded image's channels, fitted by least squares and stored in the file (190 bytes): "
         "auto = kept where it lowers MSE + lambda x bpp", "off|auto", 0, 0},
        {"qat-bits", 0, OPT_UINT, &o.qat_bits, "N", "quantisation-aware training bits of the grids (0 = float latents)", NULL, 0, 8},
        {"qat-start", 0, OPT_UINT, &o.qat_start, "STEP", "step from which QAT is on", NULL, 0, 1u << 30},
        {"qat-noise", 0, OPT_FLOAT, &o.qat_noise, "STEPS",
         "training only: uniform noise of +-STEPS/2 quantisation steps on the QAT grids (codec robustness)", NULL, 0, 256},
        {"quant-step", 0, OPT_FLOAT, &o.quant_step, "D",
         "quantise the grids on multiples of D (2^qat-bits levels around 0) instead of per-channel min/max ranges "
         "(0 = ranges; " TT_STR(TT_LATENT_RATE_STEP) " when --lambda or a --target-* is given)", NULL, 0, 1000},
        {"lambda", 0, OPT_FLOAT, &o.lambda, "L",
         "rate-aware training: loss = MSE + L * bits per pixel of the grids under one Laplace per channel, an upper bound of the file's context-model rate (0 = off)",
         NULL, 0, 1000},
        {"target-bpp", 0, OPT_FLOAT, &o.target_bpp, "B",
         "search lambda (retraining each try) for the best file of at most B bits per pixel", NULL, 0, 64},
        {"target-psnr", 0, OPT_FLOAT, &o.target_psnr, "DB",
         "search lambda (retraining each try) for the smallest file of at least DB dB", NULL, 0, 200},
        {"target-tries", 0, OPT_UINT, &o.target_tries, "N", "trainings of the --target-* search", NULL, 1, 100},
        {"preset", 0, OPT_CHOICE, &o.preset, "NAME",
         "fast = 1000 steps of 16384 pixels, QAT from 500; thorough = 20000 steps, QAT from 2000, and with --lambda or "
         "a --target-*: --hidden 32 --precision int8 --grids auto (docs/rd.md's settings; explicit options win)",
         "default|fast|thorough", 0, 0},
        {"hidden", 0, OPT_UINT, &o.hidden, "N", "decoder width", NULL, 4, TT_NN_MAX_HIDDEN},
        {"depth", 0, OPT_UINT, &o.depth, "N", "decoder hidden layers", NULL, 1, TT_NN_MAX_DEPTH},
        {"omega0", 0, OPT_FLOAT, &o.omega0, "W", "SIREN frequency (" TT_STR(LATENT_RATE_OMEGA0) " when --lambda or a --target-* is given)", NULL, 0.001, 10000},
        {"activation", 0, OPT_CHOICE, &o.activation, "NAME", "decoder activation", "siren|gelu|silu|relu", 0, 0},
        {"lr", 0, OPT_FLOAT, &o.lr, "LR", "Adam learning rate (grids and decoder), cosine-annealed", NULL, 1e-7, 10},
        {"iters", 0, OPT_UINT, &o.iters, "N", "training steps", NULL, 1, 10000000},
        {"batch", 0, OPT_UINT, &o.batch, "N", "pixels per step (stratified random draws)", NULL, 32, 1u << 24},
        {"seed", 0, OPT_INT, &o.seed_int, "N", "random seed (init and batches)", NULL, 0, 2147483647},
        {"latent-codec", 0, OPT_CHOICE, &o.codec, "NAME", "how the grids are stored (entropy: QAT levels range-coded under a context model, lossless)", "raw|png|jpeg|entropy", 0, 0},
        {"jpeg-quality", 0, OPT_INT, &o.jpeg_quality, "Q", "JPEG quality of the grids", NULL, 1, 100},
        {"latent-pack", 0, OPT_CHOICE, &o.pack, "NAME",
         "planes in the image: every channel a grey tile, or channels in threes as RGB (the prototype's)", "tiles|rgb", 0, 0},
        {"finetune-steps", 0, OPT_INT, &o.finetune_steps, "N",
         "decoder fine-tuning steps on the decoded grids (-1 = 300 with jpeg, else 0)", NULL, -1, 10000000},
        {"finetune-lr", 0, OPT_FLOAT, &o.finetune_lr, "LR", "learning rate of the fine-tuning (0 = LR/10)", NULL, 0, 10},
        {"precision", 0, OPT_CHOICE, &o.precision, "P",
         "decoder weights in the file (int8: blocks of 64 with an f32 scale each, about 0.53x fp16)", "fp16|fp32|int8", 0, 0},
        {"steps-per-submit", 0, OPT_UINT, &o.steps_per_submit, "N", "training steps per GPU submission (0 = auto)", NULL, 0, 100000},
        {"log", 0, OPT_STR, &o.log, "FILE.csv", "write phase,step,loss,psnr,seconds per training step", NULL, 0, 0},
        {"decoded", 0, OPT_STR, &o.decoded, "FILE.png", "write the image rebuilt from the output file", NULL, 0, 0},
        {"latent-preview", 0, OPT_STR, &o.preview, "FILE.png", "write lo channels 0-2 of the stored grids as RGB", NULL, 0, 0},
        {"decode-repeats", 0, OPT_INT, &o.decode_repeats, "N", "GPU decodes timed for the report (best is kept)", NULL, 1, 100000},
        {"sweep", 0, OPT_STR, &o.sweep, "LIST",
         "also code the trained model as each of CODEC[:Q[:PACK]],... and print size and PSNR (measurement aid)", NULL, 0, 0},
    };
    int nown = 0;   /* the entries above; the rest of opts is zero, room for the common options */
    while (opts[nown].long_name) nown++;
    int nopts = cli_add_common_options(opts, nown, CLI_OPTS_CAPACITY(opts), &c);
    for (int k = 0; k < nopts; k++)
        if (strcmp(opts[k].long_name, "output") == 0) {
            opts[k].arg_name = "PATH";
            opts[k].help = "output file (.tnx); with several inputs or a folder, the output folder";
        }
    cli_batch_args args;
    int rc = cli_batch_parse_args(argc, argv, opts, nopts, CLI_OPTS_CAPACITY(opts), &c, USAGE, DESCRIPTION, "OUTPUT.tnx", &args);
    if (rc != EXIT_OK || args.help_shown) goto done;
    int single = args.single;
    const char *csv = args.csv;
    rc = EXIT_USAGE;
    if (tt_latent_pyramid_check(o.ch_lo, o.ch_hi, o.scale_hi, o.hi_levels) != TT_OK) {
        cli_error("%s", tt_last_error());
        goto done;
    }
    /* Options about one training run. --csv goes through the batch driver
     * (one row), which has no place for them either. */
    const char *one_file_only = o.log ? "--log" : o.decoded ? "--decoded" : o.preview ? "--latent-preview"
                              : o.sweep ? "--sweep" : NULL;
    if (one_file_only && !single) { cli_error("%s needs exactly one input file", one_file_only); goto done; }
    if (one_file_only && csv) { cli_error("%s cannot be combined with --csv (use --json for one file)", one_file_only); goto done; }
    if (o.preset == 1) { /* fast */
        if (!cli_option_given(argc, argv, "iters")) o.iters = 1000;
        if (!cli_option_given(argc, argv, "batch")) o.batch = 16384;
        if (!cli_option_given(argc, argv, "qat-start")) o.qat_start = 500;
    }
    if (o.preset == 2) { /* thorough: the settings of docs/rd.md's rate-distortion figures */
        if (!cli_option_given(argc, argv, "iters")) o.iters = 20000;
        if (!cli_option_given(argc, argv, "qat-start")) o.qat_start = 2000;
        if (o.lambda > 0 || o.target_bpp > 0 || o.target_psnr > 0) {
            int layout_given = cli_option_given(argc, argv, "grids");
            for (size_t k = 0; k < N_LAYOUT_OPTIONS; k++) layout_given |= cli_option_given(argc, argv, LAYOUT_OPTIONS[k]);
            if (!layout_given && !o.sweep) o.grids = TT_LATENT_GRIDS_AUTO;   /* --sweep codes one trained model */
            if (!cli_option_given(argc, argv, "hidden")) o.hidden = 32;
            if (!cli_option_given(argc, argv, "precision")) o.precision = 2;
        }
    }
    if (o.target_bpp > 0 && o.target_psnr > 0) {
        cli_error("--target-bpp and --target-psnr: give one of them");
        goto done;
    }
    if ((o.target_bpp > 0 || o.target_psnr > 0) && (!single || csv || o.sweep || o.log || o.decoded || o.preview)) {
        cli_error("--target-bpp/--target-psnr need exactly one input file, without --csv, --sweep, --log, --decoded or --latent-preview");
        goto done;
    }
    if (tt_latent_rate_check(o.quant_step, o.target_bpp > 0 || o.target_psnr > 0, o.qat_bits, o.qat_start, o.iters) !=
            TT_OK ||
        tt_latent_grids_check(o.grids, o.lambda, o.target_bpp > 0 || o.target_psnr > 0) != TT_OK) {
        cli_error("%s", tt_last_error());
        goto done;
    }
    if (o.grids != TT_LATENT_GRIDS_CUSTOM) {
        for (size_t k = 0; k < N_LAYOUT_OPTIONS; k++)
            if (cli_option_given(argc, argv, LAYOUT_OPTIONS[k])) {
                cli_error("--grids sets the grid layout: give --%s only with --grids custom", LAYOUT_OPTIONS[k]);
                goto done;
            }
    }
    if (o.grids == TT_LATENT_GRIDS_AUTO && o.sweep) {
        cli_error("--sweep codes one trained model: not with --grids auto");
        goto done;
    }
    if ((o.target_bpp > 0 || o.target_psnr > 0) && o.quant_step == 0) o.quant_step = TT_LATENT_RATE_STEP;
    if (o.lambda > 0 && o.quant_step == 0) o.quant_step = TT_LATENT_RATE_STEP;
    if ((o.lambda > 0 || o.target_bpp > 0 || o.target_psnr > 0) && !cli_option_given(argc, argv, "omega0"))
        o.omega0 = tt_latent_omega0(0, 1);   /* the library's automatic choice for a rate term */
    if ((o.lambda > 0 || o.quant_step > 0) && o.qat_bits == 0) {
        cli_error("--lambda and --quant-step need quantisation-aware training (--qat-bits 1..8)");
        goto done;
    }
    if (o.jpeg_quality != 85 && o.codec != TT_LATENT_CODEC_JPEG) {
        cli_error("--jpeg-quality applies to --latent-codec jpeg only");
        goto done;
    }
    if (o.finetune_lr != 0 && latent_finetune_steps(&o) == 0) {
        cli_error("--finetune-lr: no fine-tuning runs (--finetune-steps 0, or -1 with a codec other than jpeg)");
        goto done;
    }
    if ((single && cli_require_extension(c.output, "tnx", "-o", "a .tnx model", 0) != EXIT_OK) ||
        cli_require_extension(o.log, "csv", "--log", "CSV", 0) != EXIT_OK ||
        cli_require_extension(o.decoded, "png", "--decoded", "PNG", 0) != EXIT_OK ||
        cli_require_extension(o.preview, "png", "--latent-preview", "PNG", 0) != EXIT_OK)
        goto done;
    if (single && !csv) {
        cli_path_set set = {0};
        cli_paths_add(&set, args.inputs[0], "input", 0);
        cli_paths_add(&set, c.output, "-o", 1);
        cli_paths_add(&set, c.json, "--json", 1);
        cli_paths_add(&set, o.log, "--log", 1);
        cli_paths_add(&set, o.decoded, "--decoded", 1);
        cli_paths_add(&set, o.preview, "--latent-preview", 1);
        rc = cli_paths_check(&set);
        cli_paths_free(&set);
        if (rc != EXIT_OK) goto done;
        c.input = args.inputs[0];
        rc = o.target_bpp > 0 || o.target_psnr > 0 ? latent_target(o, c) : latent_single(o, c);
    } else {
        rc = latent_batch(&o, &c, args.jobs, args.force, csv, args.inputs, args.n_inputs);
    }
done:
    free(args.inputs);
    return rc;
}
