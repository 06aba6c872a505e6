/* cli_hash.c - `tinytex hash`: train a hash grid + SIREN on the GPU per image or over asset folders, write .tnx, verify by decoding the written file. */
#include "cli.h"
#include "cli_load.h"
#include "cli_batch.h"
#include "cli_nn_env.h"
#include "cli_paths.h"
#include "neural/nn_fit.h"
#include "neural/tt_neural.h"
#include "vk/tt_vk.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char USAGE[] = "tinytex hash INPUT... -o OUTPUT.tnx|OUTPUT_FOLDER [options]";
static const char DESCRIPTION[] =
    "Fits a multiresolution hash grid (Instant-NGP style) and a SIREN decoder to one image on the\n"
    "GPU (fused forward/backward shader, Adam with a cosine schedule) and writes a self-contained\n"
    ".tnx model. The PSNR printed is that of the image rebuilt from the written file; the ratio is\n"
    "raw RGB8 size / file size on disk. 'tinytex decode OUT.tnx -o out.png' rebuilds the image.\n"
    "Underscore spellings of the prototype (--n_levels, --log2_T, --lr_hash, ...) are accepted.\n"
    "\n"
    "Several inputs or a folder: -o is an output folder; folders are walked recursively and their\n"
    "tree is mirrored (assets/sub/x.png -> OUT/sub/x.tnx); non-image files are skipped with a note;\n"
    "outputs newer than their input and made with the\n"
    "same options (OUT/.tinytex-manifest.json) are skipped unless --force; a file that fails is reported and\n"
    "the others go on. One model trains on the GPU at a time; --jobs N overlaps loading, writing\n"
    "and checking with it. --log, --snapshot-*, --decoded need exactly one input file.";

typedef struct {
    unsigned n_levels, n_features, log2_t, base_res, max_res, hidden, depth;
    float omega0, lr_hash, lr_net;
    unsigned iters, batch, seed, steps_per_submit;
    int precision;       /* 0 fp16, 1 fp32 */
    const char *log, *snapshot_dir, *decoded;
    unsigned snapshot_every;
    int decode_repeats;
    int max_res_given;   /* --max-res on the command line: used as given, else capped at the image's longer side */
} hash_options;

static tt_status hash_model_for(const hash_options *o, const tt_image *img, tt_nn_model *m)
{
    memset(m, 0, sizeof *m);
    m->kind = TT_NN_KIND_HASH;
    m->width = img->width;
    m->height = img->height;
    /* Finer grids than the image's pixels only store entries no pixel centre separates: without --max-res, the
     * finest level is capped at the image's longer side (and the coarsest at that), so a small image gets a
     * small file. */
    uint32_t side = img->width > img->height ? img->width : img->height, max_res = o->max_res, base_res = o->base_res;
    if (!o->max_res_given && max_res > side) max_res = side < 2 ? 2 : side;
    if (base_res > max_res) base_res = max_res;
    m->hash = (tt_nn_hash_cfg){o->n_levels, o->n_features, o->log2_t, base_res, max_res};
    m->dec = (tt_nn_decoder_cfg){.hidden = o->hidden, .depth = o->depth, .act = TT_NN_ACT_SIREN, .omega0 = o->omega0};
    return tt_nn_model_build(m);
}

static void hash_train_cfg(const hash_options *o, tt_nn_train_cfg *tc)
{
    tt_nn_train_cfg_default(tc);
    cli_nn_tuning_from_env(&tc->tune);
    tc->iters = o->iters;
    tc->batch = o->batch;
    tc->seed = o->seed;
    tc->lr[TT_NN_GROUP_ENC] = o->lr_hash;
    tc->lr[TT_NN_GROUP_NET] = o->lr_net;
    tc->steps_per_submit = o->steps_per_submit;
}

/* Snapshot: the current parameters go through the exact .tnx bytes (fp16/fp32 as chosen), are decoded on the
 * GPU, written as PNG and measured, so the PSNR is that of a file written at this step. */
static int write_snapshot(tt_nn_trainer *tr, tt_vk *vk, const tt_nn_save_opts *so, const tt_image *orig, const char *dir,
                          uint32_t step, cJSON *list)
{
    char path[4096];
    tt_image img = {0};
    tt_nn_model lm;
    float *params = malloc(sizeof(float) * tr->m->total), *loaded = NULL;
    uint8_t *bytes = NULL;
    size_t size = 0;
    tt_metrics met;
    if (!params) { cli_error("out of memory"); return EXIT_RUNTIME; }
    snprintf(path, sizeof path, "%s/step_%06u.png", dir, step);
    tt_status s = tt_nn_trainer_get_params(tr, params);
    if (s == TT_OK) s = tt_tnx_encode(tr->m, params, so, &bytes, &size);
    if (s == TT_OK) s = tt_tnx_decode(bytes, size, path, &lm, &loaded, NULL);
    if (s == TT_OK) s = tt_nn_decode_gpu_tuned(vk, &lm, loaded, 1, &img, NULL, cli_nn_env_tuning());
    if (s == TT_OK) s = tt_compare_images(orig, &img, &met);
    if (s == TT_OK) s = tt_image_save_png(path, &img);
    tt_image_free(&img);
    free(params);
    free(loaded);
    free(bytes);
    if (s != TT_OK) return cli_fail_status(s);
    DISPLAYLEVEL(1, "\rsnapshot step %u: PSNR %.2f dB (from the .tnx bytes) -> %s\n", step, met.psnr_rgb, path);
    if (list) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "step", step);
        cJSON_AddNumberToObject(e, "psnr_rgb", met.psnr_rgb);
        cJSON_AddItemToArray(list, e);
    }
    return EXIT_OK;
}

/* ---- One file, single or in a batch: the one code path ----------------------- */

/* What a caller adds to the shared run (all may be NULL). */
typedef struct {
    /* Called once the model is built and initialised, before the GPU is taken: the single-file path creates its
     * context there (cli_gpu_open) and describes the run. */
    tt_status (*start)(void *user, const tt_nn_model *m, const float *params);
    tt_nn_progress_fn progress;  /* per chunk; batches train without (no loss read-back per chunk) */
    void *user;                  /* of start and progress */
    tt_image *decoded;           /* receives the image rebuilt from the written file */
} hash_extras;

typedef struct {
    tt_nn_run_stats train;
    double train_held_s;         /* wall time with the GPU held for training, its creation included */
    cli_tnx_measured file;       /* the written file, read back */
} hash_outcome;

/* Builds the model, trains it on the GPU (under gpu->lock), writes `output` and measures what was written:
 * the figures either caller prints or reports. */
static tt_status hash_encode_file(const hash_options *o, cli_gpu *gpu, const tt_image *img, const char *input,
                                  const char *output, const hash_extras *ex, hash_outcome *out)
{
    tt_nn_model m;
    float *params = NULL;
    memset(out, 0, sizeof *out);
    out->train.last_loss = NAN;
    tt_status st = hash_model_for(o, img, &m);
    if (st == TT_OK && !(params = malloc(sizeof(float) * m.total)))
        st = tt_fail(TT_ERR_NOMEM, "%s: out of memory for %u parameters", input, m.total);
    if (st == TT_OK) {
        tt_nn_init_params(&m, o->seed, params);
        if (ex->start) st = ex->start(ex->user, &m, params);
    }
    if (st == TT_OK) {
        tt_nn_train_cfg tc;
        hash_train_cfg(o, &tc);
        /* Snapshots fall on chunk ends. */
        uint32_t chunk = o->steps_per_submit;
        if (o->snapshot_every && o->snapshot_every < chunk) chunk = o->snapshot_every;
        tt_nn_fit_opts fo = {.chunk = chunk, .align = o->snapshot_every, .progress = ex->progress, .user = ex->user};
        pthread_mutex_lock(&gpu->lock);
        double t0 = cli_now();
        st = cli_gpu_ensure(gpu);
        if (st == TT_OK) st = tt_nn_fit(gpu->vk, &m, img, &tc, &fo, params, &out->train);
        out->train_held_s = cli_now() - t0;
        pthread_mutex_unlock(&gpu->lock);
    }
    tt_nn_save_opts so = {.precision = o->precision ? TT_NN_FP32 : TT_NN_FP16};
    if (st == TT_OK) st = cli_make_parent_dirs(output);
    if (st == TT_OK) st = tt_tnx_save(output, &m, params, &so);
    if (st == TT_OK)
        st = cli_tnx_readback(gpu, TT_NN_KIND_HASH, img, output, o->decode_repeats, &out->file, ex->decoded, NULL);
    tt_nn_model_release(&m);
    free(params);
    return st;
}

/* ---- A single file: progress, --log, snapshots, --decoded, the result line and the flat report ---- */
typedef struct {
    const hash_options *o;
    const cli_common *c;
    cli_gpu *gpu;
    tt_nn_save_opts so;
    const tt_image *img;
    double ratio_est;
    FILE *logf;
    cJSON *snaps;
    cli_progress prog;
    int rc;                     /* why a callback stopped the run */
} hash_single_run;

static tt_status hash_single_start(void *user, const tt_nn_model *m, const float *params)
{
    hash_single_run *hs = user;
    const hash_options *o = hs->o;
    uint8_t *tmp = NULL;
    size_t file_bytes = 0;
    tt_status s = tt_tnx_encode(m, params, &hs->so, &tmp, &file_bytes);
    free(tmp);
    if (s != TT_OK) return s;
    hs->ratio_est = (double)hs->img->width * hs->img->height * 3 / (double)file_bytes;
    if ((s = cli_gpu_open(hs->gpu)) != TT_OK) return s;
    DISPLAYLEVEL(1, "%s: %ux%u, hash %u levels x %u, T 2^%u, SIREN %u x %u, %u params, %u steps x %u px on %s\n",
                 hs->c->input, hs->img->width, hs->img->height, o->n_levels, o->n_features, o->log2_t, o->hidden,
                 o->depth, m->total, o->iters, o->batch, hs->gpu->device_name);
    return TT_OK;
}

/* The trainer's description, the --log CSV and the snapshot folder when training starts; per chunk the log rows,
 * the bar and the snapshots; the log is complete when the last step is. */
static int hash_progress_cb(void *user, const tt_nn_progress *p)
{
    hash_single_run *hs = user;
    const hash_options *o = hs->o;
    if (p->done == 0) {
        cli_trainer_describe(p->trainer, o->batch);
        if (o->log) {
            hs->logf = fopen(o->log, "w");
            if (!hs->logf) {
                cli_error("%s: cannot write the log: %s", o->log, strerror(errno));
                return hs->rc = EXIT_RUNTIME;
            }
            fprintf(hs->logf, "step,loss,psnr,seconds\n");
        }
        if (o->snapshot_dir && mkdir(o->snapshot_dir, 0777) != 0 && errno != EEXIST) {
            cli_error("%s: cannot create the snapshot folder: %s", o->snapshot_dir, strerror(errno));
            return hs->rc = EXIT_RUNTIME;
        }
        cli_progress_init(&hs->prog, 5.0);
        return 0;
    }
    uint32_t first = p->done - p->n_losses;
    if (hs->logf)
        for (uint32_t i = 0; i < p->n_losses; i++)
            fprintf(hs->logf, "%u,%.9g,%.4f,%.4f\n", first + i + 1, p->losses[i], tt_psnr_from_mse(p->losses[i]),
                    p->seconds);
    float last = p->losses[p->n_losses - 1];
    char line[256];
    snprintf(line, sizeof line, "step %u/%u loss %.3g psnr %.2f dB (batch) ratio %.1fx", p->done, p->total, last,
             tt_psnr_from_mse(last), hs->ratio_est);
    cli_progress_update(&hs->prog, (double)p->done / p->total, line, p->done == p->total);
    if (o->snapshot_every && p->done % o->snapshot_every == 0) {
        hs->rc = write_snapshot(p->trainer, hs->gpu->vk, &hs->so, hs->img, o->snapshot_dir, p->done, hs->snaps);
        if (hs->rc != EXIT_OK) return hs->rc;
    }
    if (p->done == p->total) {
        cli_progress_done(&hs->prog);
        FILE *f = hs->logf;
        hs->logf = NULL;
        if (f && fclose(f) != 0) {
            cli_error("%s: write failed", o->log);
            return hs->rc = EXIT_RUNTIME;
        }
    }
    return 0;
}

static int hash_single(hash_options o, cli_common c)
{
    int rc = EXIT_OK;
    tt_image_limits limits;
    cli_apply_common(&c, &limits);

    double t_start = cli_now();
    tt_image img = {0}, dec = {0};
    cli_gpu gpu;
    cli_gpu_init(&gpu, c.device);
    cJSON *report = NULL;
    hash_single_run hs = {.o = &o, .c = &c, .gpu = &gpu, .img = &img, .snaps = cJSON_CreateArray(), .rc = EXIT_OK,
                          .so = {.precision = o.precision ? TT_NN_FP32 : TT_NN_FP16}};
    hash_outcome out;
    tt_status s = cli_image_load(c.input, &limits, &img);
    if (s == TT_OK) {
        if (tt_image_has_alpha(&img)) DISPLAYLEVEL(1, "note: %s has alpha; the hash model stores RGB only\n", c.input);
        hash_extras ex = {.start = hash_single_start, .progress = hash_progress_cb, .user = &hs, .decoded = &dec};
        s = hash_encode_file(&o, &gpu, &img, c.input, c.output, &ex, &out);
    }
    if (s != TT_OK) { rc = hs.rc != EXIT_OK ? hs.rc : cli_fail_status(s); goto done; }
    if (o.decoded) {
        s = tt_image_save_png(o.decoded, &dec);
        if (s != TT_OK) { rc = cli_fail_status(s); goto done; }
    }
    const tt_metrics *met = &out.file.metrics;
    long long bytes = out.file.bytes;
    double raw = (double)img.width * img.height * 3;
    double ratio = bytes > 0 ? raw / (double)bytes : 0;
    double bpp = (double)bytes * 8.0 / ((double)img.width * img.height);
    double train_s = out.train.seconds;
    double seconds = cli_now() - t_start;
    DISPLAYLEVEL(1, "%s -> %s: %lld bytes, %.3f bpp, ratio %.2fx, PSNR %.2f dB (decoded from the file), train %.2f s (%.0f steps/s), decode %.3f ms\n",
                 c.input, c.output, bytes, bpp, ratio, met->psnr_rgb, train_s, o.iters / train_s, out.file.decode_ms);
    if (c.json) {
        report = cli_report_new("hash");
        cJSON_AddStringToObject(report, "input", c.input);
        cJSON_AddStringToObject(report, "output", c.output);
        cli_report_add_result(report, img.width, img.height, met, bytes > 0 ? (uint64_t)bytes : 0, seconds);
        cJSON_AddNumberToObject(report, "ratio", ratio);
        cJSON_AddNumberToObject(report, "params", out.file.params);
        cJSON_AddStringToObject(report, "precision", o.precision ? "fp32" : "fp16");
        cJSON_AddNumberToObject(report, "train_seconds", train_s);
        if (out.train.gpu_ms_ok) cJSON_AddNumberToObject(report, "train_gpu_seconds", out.train.gpu_ms / 1000.0);
        cJSON_AddNumberToObject(report, "steps_per_second", o.iters / train_s);
        cJSON_AddNumberToObject(report, "samples_per_second", (double)o.iters * o.batch / train_s);
        cJSON_AddNumberToObject(report, "decode_ms", out.file.decode_ms);
        cJSON_AddStringToObject(report, "decode_path", out.file.decode_f16 ? "tensor_cores" : "fp32");
        cJSON_AddNumberToObject(report, "final_batch_loss", out.train.last_loss);
        cJSON_AddStringToObject(report, "device", gpu.device_name);
        cJSON_AddItemToObject(report, "snapshots", hs.snaps);
        hs.snaps = NULL;
        cJSON *hp = cJSON_AddObjectToObject(report, "hyperparameters");
        cJSON_AddNumberToObject(hp, "n_levels", o.n_levels);
        cJSON_AddNumberToObject(hp, "n_features", o.n_features);
        cJSON_AddNumberToObject(hp, "log2_T", o.log2_t);
        cJSON_AddNumberToObject(hp, "base_res", o.base_res);
        cJSON_AddNumberToObject(hp, "max_res", o.max_res);
        cJSON_AddNumberToObject(hp, "hidden", o.hidden);
        cJSON_AddNumberToObject(hp, "depth", o.depth);
        cJSON_AddNumberToObject(hp, "omega0", o.omega0);
        cJSON_AddNumberToObject(hp, "lr_hash", o.lr_hash);
        cJSON_AddNumberToObject(hp, "lr_net", o.lr_net);
        cJSON_AddNumberToObject(hp, "iters", o.iters);
        cJSON_AddNumberToObject(hp, "batch", o.batch);
        cJSON_AddNumberToObject(hp, "seed", o.seed);
        rc = cli_report_write(c.json, report);
        if (rc != EXIT_OK) goto done;
    }
    rc = cli_check_min_psnr(&c, met->psnr_rgb);
done:
    if (hs.logf) fclose(hs.logf);
    cJSON_Delete(report);
    cJSON_Delete(hs.snaps);
    cli_gpu_destroy(&gpu);
    tt_image_free(&img);
    tt_image_free(&dec);
    return rc;
}

/* ---- Batches: several inputs or folders through cli_batch_run ------------------
 * Training keeps the GPU busy for the whole run, so one model trains at a time
 * (the cli_gpu lock around the tt_vk context); with --jobs N the other workers load
 * their images, write and re-read files meanwhile. */
typedef struct {
    hash_options o;
    tt_image_limits limits;
    cli_gpu gpu;               /* created by the first file that needs it */
} hash_batch_ctx;

static void hash_result(cli_file_result *r, hash_batch_ctx *x, const tt_image *img, const char *output,
                        const cli_tnx_measured *mt)
{
    cli_tnx_result(r, cli_gpu_mine(&x->gpu), img, output, mt);
    cJSON_AddNumberToObject(r->extra, "ratio", mt->bytes > 0 ? (double)img->width * img->height * 3 / (double)mt->bytes : 0);
    cJSON_AddStringToObject(r->extra, "precision", mt->fp32 ? "fp32" : "fp16");
    cJSON_AddNumberToObject(r->extra, "decode_ms", mt->decode_ms);
}

/* cli_measure_fn of outputs that are up to date and not rewritten: the figures of the file. */
static tt_status hash_measure_file(void *ctx, const tt_image *img, const char *output, cli_file_result *r)
{
    hash_batch_ctx *x = ctx;
    cli_tnx_measured mt;
    tt_status st = cli_tnx_readback(cli_gpu_mine(&x->gpu), TT_NN_KIND_HASH, img, output, x->o.decode_repeats, &mt, NULL, NULL);
    if (st == TT_OK) hash_result(r, x, img, output, &mt);
    return st;
}

/* cli_encode_fn: load, then the shared path. */
static void hash_encode_one(void *ctx, const char *input, const char *output, cli_file_result *r)
{
    hash_batch_ctx *x = ctx;
    tt_image img = {0};
    hash_outcome out;
    tt_status st = cli_image_load(input, &x->limits, &img);
    if (st == TT_OK) st = hash_encode_file(&x->o, cli_gpu_mine(&x->gpu), &img, input, output, &(hash_extras){0}, &out);
    if (st != TT_OK) {
        cli_result_fail(r, tt_status_str(st));
    } else {
        r->status = FILE_OK;
        hash_result(r, x, &img, output, &out.file);
        double train_s = out.train_held_s;
        cJSON_AddNumberToObject(r->extra, "train_seconds", train_s);
        cJSON_AddNumberToObject(r->extra, "steps_per_second", train_s > 0 ? x->o.iters / train_s : 0);
        cJSON_AddNumberToObject(r->extra, "final_batch_loss", out.train.last_loss);
    }
    tt_image_free(&img);
}

static int hash_batch(const hash_options *o, const cli_common *c, int jobs, int force, const char *csv,
                      const char *const *inputs, int ninputs)
{
    hash_batch_ctx x;
    memset(&x, 0, sizeof x);
    x.o = *o;
    cli_apply_common(c, &x.limits);
    cli_gpu_init(&x.gpu, c->device);
    /* What changes the bytes written (not --decode-repeats, --steps-per-submit, --jobs, ...). */
    char request[512];
    snprintf(request, sizeof request,
             "command=hash n_levels=%u n_features=%u log2_t=%u base_res=%u max_res=%u hidden=%u depth=%u omega0=%.9g "
             "lr_hash=%.9g lr_net=%.9g iters=%u batch=%u seed=%u precision=%d",
             o->n_levels, o->n_features, o->log2_t, o->base_res, o->max_res, o->hidden, o->depth, o->omega0, o->lr_hash,
             o->lr_net, o->iters, o->batch, o->seed, o->precision);
    cli_batch_spec spec = {
        .command = "hash",
        .out_ext = ".tnx",
        .label = "hash grid + SIREN",
        .encode = hash_encode_one,
        .measure = hash_measure_file,
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

/* Snapshots are DIR/step_NNNNNN.png: the input must not be one of them. */
static int snapshot_dir_check(const char *dir, const char *input)
{
    if (!dir) return EXIT_OK;
    const char *slash = strrchr(input, '/');
    const char *base = slash ? slash + 1 : input;
    if (strncmp(base, "step_", 5) != 0) return EXIT_OK;
    size_t n = strlen(dir);
    char *p = malloc(n + strlen(base) + 2);
    if (!p) return EXIT_RUNTIME;
    snprintf(p, n + strlen(base) + 2, "%s/%s", dir, base);
    cli_path_set set = {0};
    cli_paths_add(&set, input, "input", 0);
    cli_paths_add(&set, p, "--snapshot-dir", 1);
    int rc = cli_paths_check(&set);
    cli_paths_free(&set);
    free(p);
    return rc;
}

int cmd_hash(int argc, char **argv)
{
    hash_options o = {.n_levels = 16, .n_features = 2, .log2_t = 12, .base_res = 16, .max_res = 512, .hidden = 64,
                      .depth = 2, .omega0 = 30.0f, .lr_hash = 3e-2f, .lr_net = 1e-3f, .iters = 5000, .batch = 65536,
                      .seed = 0, .steps_per_submit = 250, .precision = 0, .decode_repeats = 10};
    cli_common c;
    cli_common_init(&c);
    cli_option opts[40] = {
        {"n-levels", 0, OPT_UINT, &o.n_levels, "N", "hash grid levels L", NULL, 1, TT_NN_MAX_LEVELS},
        {"n-features", 0, OPT_UINT, &o.n_features, "N", "features per level F", NULL, 1, TT_NN_MAX_FEATURES},
        {"log2-t", 0, OPT_UINT, &o.log2_t, "N", "log2 of the entries per level T", NULL, 4, 24},
        {"base-res", 0, OPT_UINT, &o.base_res, "N", "coarsest grid resolution", NULL, 2, 65536},
        {"max-res", 0, OPT_UINT, &o.max_res, "N", "finest grid resolution", NULL, 2, 65536},
        {"hidden", 0, OPT_UINT, &o.hidden, "N", "SIREN width (multiple of 4)", NULL, 4, TT_NN_MAX_HIDDEN},
        {"depth", 0, OPT_UINT, &o.depth, "N", "SIREN layers before the RGB head", NULL, 1, TT_NN_MAX_DEPTH},
        {"omega0", 0, OPT_FLOAT, &o.omega0, "W", "SIREN frequency omega0", NULL, 1e-3, 1e4},
        {"lr-hash", 0, OPT_FLOAT, &o.lr_hash, "LR", "Adam learning rate of the hash tables", NULL, 0, 10},
        {"lr-net", 0, OPT_FLOAT, &o.lr_net, "LR", "Adam learning rate of the SIREN", NULL, 0, 10},
        {"iters", 0, OPT_UINT, &o.iters, "N", "training steps", NULL, 1, 10000000},
        {"batch", 0, OPT_UINT, &o.batch, "N", "pixels per step (stratified random draws)", NULL, 1, 1u << 24},
        {"seed", 0, OPT_UINT, &o.seed, "N", "seed of the initialisation and the batch sampling", NULL, 0, 0},
        {"precision", 0, OPT_CHOICE, &o.precision, "fp16|fp32", "parameter precision in the file", "fp16|fp32", 0, 0},
        {"log", 0, OPT_STR, &o.log, "FILE.csv", "write step,loss,psnr,seconds per step (batch loss)", NULL, 0, 0},
        {"snapshot-every", 0, OPT_UINT, &o.snapshot_every, "N", "write the reconstruction every N steps (needs --snapshot-dir)", NULL, 0, 0},
        {"snapshot-dir", 0, OPT_STR, &o.snapshot_dir, "DIR", "folder for snapshots (step_NNNNNN.png)", NULL, 0, 0},
        {"decoded", 0, OPT_STR, &o.decoded, "FILE.png", "write the image rebuilt from the written file", NULL, 0, 0},
        {"steps-per-submit", 0, OPT_UINT, &o.steps_per_submit, "N", "training steps recorded per GPU submission", NULL, 1, 100000},
        {"decode-repeats", 0, OPT_INT, &o.decode_repeats, "N", "GPU decodes timed at the end (best is reported)", NULL, 1, 1000},
        {0},
    };
    int n = 0;
    while (opts[n].long_name) n++;
    int nopts = cli_add_common_options(opts, n, CLI_OPTS_CAPACITY(opts), &c);
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
    if (o.snapshot_every && !o.snapshot_dir) { cli_error("--snapshot-every needs --snapshot-dir DIR"); goto done; }
    o.max_res_given = cli_option_given(argc, argv, "max-res");
    if (o.max_res < o.base_res) { cli_error("--max-res %u is below --base-res %u", o.max_res, o.base_res); goto done; }
    if (o.hidden % 4) { cli_error("--hidden %u: must be a multiple of 4", o.hidden); goto done; }
    /* Options about one training run. --csv goes through the batch driver
     * (one row), which has no place for them either. */
    const char *one_file_only = o.log ? "--log" : o.snapshot_dir ? "--snapshot-dir" : o.decoded ? "--decoded" : NULL;
    if (one_file_only && !single) { cli_error("%s needs exactly one input file", one_file_only); goto done; }
    if (one_file_only && csv) { cli_error("%s cannot be combined with --csv (use --json for one file)", one_file_only); goto done; }
    if (o.snapshot_dir && !o.snapshot_every) { cli_error("--snapshot-dir needs --snapshot-every N (no snapshot would be written)"); goto done; }
    if ((single && cli_require_extension(c.output, "tnx", "-o", "a .tnx model", 0) != EXIT_OK) ||
        cli_require_extension(o.log, "csv", "--log", "CSV", 0) != EXIT_OK ||
        cli_require_extension(o.decoded, "png", "--decoded", "PNG", 0) != EXIT_OK)
        goto done;
    if (single && !csv) {
        cli_path_set set = {0};
        cli_paths_add(&set, args.inputs[0], "input", 0);
        cli_paths_add(&set, c.output, "-o", 1);
        cli_paths_add(&set, c.json, "--json", 1);
        cli_paths_add(&set, o.log, "--log", 1);
        cli_paths_add(&set, o.decoded, "--decoded", 1);
        rc = cli_paths_check(&set);
        cli_paths_free(&set);
        if (rc == EXIT_OK) rc = snapshot_dir_check(o.snapshot_dir, args.inputs[0]);
        if (rc != EXIT_OK) goto done;
        c.input = args.inputs[0];
        rc = hash_single(o, c);
    } else {
        rc = hash_batch(&o, &c, args.jobs, args.force, csv, args.inputs, args.n_inputs);
    }
done:
    free(args.inputs);
    return rc;
}
