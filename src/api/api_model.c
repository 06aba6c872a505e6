/* api_model.c - the public neural model API of tinytex.h: configs, training through the library's fitting code, .tnx models in memory and on disk, decoding. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api/tt_context.h"
#include "neural/latent.h"
#include "neural/latent_target.h"
#include "neural/nn_fit.h"
#include "neural/tt_neural.h"

/* struct tt_model (the .tnx bytes and their parsed form: what tt_model_save writes is what tt_model_decode
 * rebuilds) is in api/tt_context.h. */

/* ---- configs: the defaults are the CLI's ---------------------------------------------------------------- */
void tt_hash_config_init(tt_hash_config *c)
{
    tt_nn_hash_cfg h;
    tt_nn_decoder_cfg d;
    tt_nn_train_cfg t;
    tt_nn_hash_cfg_default(&h);
    tt_nn_decoder_cfg_default(&d);
    tt_nn_train_cfg_default(&t);
    memset(c, 0, sizeof *c);
    c->levels = h.n_levels;
    c->features_per_level = h.n_features;
    c->log2_table_size = h.log2_t;
    c->base_resolution = h.base_res;
    c->max_resolution = h.max_res;
    c->hidden = d.hidden;
    c->depth = d.depth;
    c->activation = TT_ACT_SIREN;
    c->omega0 = d.omega0;
    c->steps = t.iters;
    c->batch = t.batch;
    c->seed = 0;
    c->lr_grid = t.lr[TT_NN_GROUP_ENC];
    c->lr_net = t.lr[TT_NN_GROUP_NET];
}

void tt_latent_config_init(tt_latent_config *c)
{
    tt_nn_latent_cfg l;
    tt_nn_decoder_cfg d;
    tt_nn_train_cfg t;
    tt_latent_cfg_default(&l);
    tt_nn_decoder_cfg_default(&d);
    tt_latent_train_cfg_default(&t);
    memset(c, 0, sizeof *c);
    c->ch_lo = l.ch_lo;
    c->scale_lo = l.scale_lo;
    c->ch_hi = l.ch_hi;
    c->scale_hi = l.scale_hi;
    c->hi_levels = 1;
    c->upsample = TT_LATENT_UPSAMPLE_BICUBIC;
    c->post_filter = 1;
    c->qat_bits = l.qat_bits;
    c->qat_start = l.qat_start;
    c->hidden = d.hidden;
    c->depth = d.depth;
    c->activation = TT_ACT_SIREN;
    c->omega0 = 0; /* automatic (tt_latent_omega0) */
    c->steps = t.iters;
    c->batch = t.batch;
    c->lr = t.lr[TT_NN_GROUP_NET];
    c->storage = TT_LATENT_ENTROPY;
    c->jpeg_quality = 85;
    c->finetune_steps = -1;
    c->target_tries = 6;
}

static int in_range(double v, double lo, double hi) { return isfinite(v) && v >= lo && v <= hi; }

/* The ranges the CLI's options accept. */
static tt_status decoder_validate(const char *who, uint32_t hidden, uint32_t depth, tt_activation act, float omega0)
{
    if (hidden < 4 || hidden > TT_NN_MAX_HIDDEN || hidden % 4)
        return tt_fail(TT_ERR_INVALID_ARG, "%s: hidden %u: must be a multiple of 4 in 4..%d", who, hidden, TT_NN_MAX_HIDDEN);
    if (depth < 1 || depth > TT_NN_MAX_DEPTH)
        return tt_fail(TT_ERR_INVALID_ARG, "%s: depth %u out of range (1..%d)", who, depth, TT_NN_MAX_DEPTH);
    if ((unsigned)act > TT_ACT_RELU) return tt_fail(TT_ERR_INVALID_ARG, "%s: unknown activation %d", who, (int)act);
    if (!in_range(omega0, 1e-3, 1e4)) return tt_fail(TT_ERR_INVALID_ARG, "%s: omega0 %g out of range (0.001..10000)", who, omega0);
    return TT_OK;
}

tt_status tt_hash_config_validate(const tt_hash_config *c)
{
    if (!c) return tt_fail(TT_ERR_INVALID_ARG, "hash: no config");
    if (c->levels < 1 || c->levels > TT_NN_MAX_LEVELS)
        return tt_fail(TT_ERR_INVALID_ARG, "hash: levels %u out of range (1..%d)", c->levels, TT_NN_MAX_LEVELS);
    if (c->features_per_level < 1 || c->features_per_level > TT_NN_MAX_FEATURES)
        return tt_fail(TT_ERR_INVALID_ARG, "hash: features per level %u out of range (1..%d)", c->features_per_level,
                       TT_NN_MAX_FEATURES);
    if (c->levels * c->features_per_level > TT_NN_MAX_ENC_FEATURES)
        return tt_fail(TT_ERR_INVALID_ARG, "hash: levels x features = %u exceeds %d", c->levels * c->features_per_level,
                       TT_NN_MAX_ENC_FEATURES);
    if (c->log2_table_size < 4 || c->log2_table_size > 24)
        return tt_fail(TT_ERR_INVALID_ARG, "hash: log2 table size %u out of range (4..24)", c->log2_table_size);
    if (c->base_resolution < 2 || c->base_resolution > 65536 || c->max_resolution < 2 || c->max_resolution > 65536)
        return tt_fail(TT_ERR_INVALID_ARG, "hash: grid resolutions out of range (2..65536)");
    if (c->max_resolution < c->base_resolution)
        return tt_fail(TT_ERR_INVALID_ARG, "hash: max resolution %u is below the base resolution %u", c->max_resolution,
                       c->base_resolution);
    tt_status s = decoder_validate("hash", c->hidden, c->depth, c->activation, c->omega0);
    if (s != TT_OK) return s;
    if (c->steps < 1 || c->steps > 10000000) return tt_fail(TT_ERR_INVALID_ARG, "hash: steps %u out of range (1..10000000)", c->steps);
    if (c->batch < 1 || c->batch > (1u << 24)) return tt_fail(TT_ERR_INVALID_ARG, "hash: batch %u out of range (1..16777216)", c->batch);
    if (!in_range(c->lr_grid, 0, 10) || !in_range(c->lr_net, 0, 10))
        return tt_fail(TT_ERR_INVALID_ARG, "hash: learning rates must be in 0..10");
    if (c->fp32 != 0 && c->fp32 != 1) return tt_fail(TT_ERR_INVALID_ARG, "hash: fp32 must be 0 or 1");
    return TT_OK;
}

tt_status tt_latent_config_validate(const tt_latent_config *c)
{
    if (!c) return tt_fail(TT_ERR_INVALID_ARG, "latent: no config");
    if (c->ch_lo < 1 || c->ch_lo > TT_LATENT_MAX_FEATURES || c->ch_hi > TT_LATENT_MAX_FEATURES ||
        c->ch_lo + c->ch_hi > TT_LATENT_MAX_FEATURES)
        return tt_fail(TT_ERR_INVALID_ARG, "latent: ch_lo %u + ch_hi %u: ch_lo >= 1 and the sum at most %d", c->ch_lo,
                       c->ch_hi, TT_LATENT_MAX_FEATURES);
    if (c->scale_lo < 1 || c->scale_lo > 4096 || c->scale_hi < 1 || c->scale_hi > 4096)
        return tt_fail(TT_ERR_INVALID_ARG, "latent: grid scales out of range (1..4096)");
    tt_status s = tt_latent_pyramid_check(c->ch_lo, c->ch_hi, c->scale_hi, c->hi_levels);
    if (s != TT_OK) return s;
    if (c->qat_bits > 8) return tt_fail(TT_ERR_INVALID_ARG, "latent: qat_bits %u out of range (0 = off, 1..8)", c->qat_bits);
    if (c->qat_start > (1u << 30)) return tt_fail(TT_ERR_INVALID_ARG, "latent: qat_start %u out of range", c->qat_start);
    if (!in_range(c->qat_noise, 0, 256)) return tt_fail(TT_ERR_INVALID_ARG, "latent: qat_noise %g out of range (0..256)", c->qat_noise);
    /* omega0 0: automatic (tt_latent_omega0) */
    s = decoder_validate("latent", c->hidden, c->depth, c->activation, tt_latent_omega0(c->omega0, c->lambda));
    if (s != TT_OK) return s;
    if (c->steps < 1 || c->steps > 10000000) return tt_fail(TT_ERR_INVALID_ARG, "latent: steps %u out of range (1..10000000)", c->steps);
    if (c->batch < 32 || c->batch > (1u << 24)) return tt_fail(TT_ERR_INVALID_ARG, "latent: batch %u out of range (32..16777216)", c->batch);
    if (!in_range(c->lr, 1e-7, 10)) return tt_fail(TT_ERR_INVALID_ARG, "latent: lr %g out of range (1e-7..10)", c->lr);
    if ((unsigned)c->storage > TT_LATENT_ENTROPY) return tt_fail(TT_ERR_INVALID_ARG, "latent: unknown storage %d", (int)c->storage);
    if (c->rgb_pack != 0 && c->rgb_pack != 1) return tt_fail(TT_ERR_INVALID_ARG, "latent: rgb_pack must be 0 or 1");
    if (c->jpeg_quality < 1 || c->jpeg_quality > 100)
        return tt_fail(TT_ERR_INVALID_ARG, "latent: jpeg_quality %d out of range (1..100)", c->jpeg_quality);
    if (c->finetune_steps < -1 || c->finetune_steps > 10000000)
        return tt_fail(TT_ERR_INVALID_ARG, "latent: finetune_steps %d out of range (-1..10000000)", c->finetune_steps);
    if (!in_range(c->finetune_lr, 0, 10)) return tt_fail(TT_ERR_INVALID_ARG, "latent: finetune_lr %g out of range (0..10)", c->finetune_lr);
    if (c->fp32 != 0 && c->fp32 != 1) return tt_fail(TT_ERR_INVALID_ARG, "latent: fp32 must be 0 or 1");
    if (c->int8 != 0 && c->int8 != 1) return tt_fail(TT_ERR_INVALID_ARG, "latent: int8 must be 0 or 1");
    if (c->fp32 && c->int8) return tt_fail(TT_ERR_INVALID_ARG, "latent: fp32 and int8: choose one precision");
    if (!in_range(c->lambda, 0, 1000)) return tt_fail(TT_ERR_INVALID_ARG, "latent: lambda %g out of range (0..1000)", c->lambda);
    if (!in_range(c->target_bpp, 0, 64) || !in_range(c->target_psnr, 0, 200))
        return tt_fail(TT_ERR_INVALID_ARG, "latent: target_bpp %g (0..64) or target_psnr %g (0..200) out of range",
                       c->target_bpp, c->target_psnr);
    if (c->target_bpp > 0 && c->target_psnr > 0)
        return tt_fail(TT_ERR_INVALID_ARG, "latent: target_bpp and target_psnr: give one of them");
    if ((c->target_bpp > 0 || c->target_psnr > 0) && (c->target_tries < 1 || c->target_tries > 100))
        return tt_fail(TT_ERR_INVALID_ARG, "latent: target_tries %u out of range (1..100)", c->target_tries);
    s = tt_latent_rate_check(c->quant_step, c->target_bpp > 0 || c->target_psnr > 0, c->qat_bits, c->qat_start, c->steps);
    if (s != TT_OK) return s;
    s = tt_latent_grids_check((int)c->grids, c->lambda, c->target_bpp > 0 || c->target_psnr > 0);
    if (s != TT_OK) return s;
    if (c->upsample != TT_LATENT_UPSAMPLE_BILINEAR && c->upsample != TT_LATENT_UPSAMPLE_BICUBIC)
        return tt_fail(TT_ERR_INVALID_ARG, "latent: unknown upsampling %d", (int)c->upsample);
    if (c->post_filter != 0 && c->post_filter != 1)
        return tt_fail(TT_ERR_INVALID_ARG, "latent: post_filter must be 0 or 1 (%d)", c->post_filter);
    if ((c->lambda > 0 || c->quant_step > 0) && c->qat_bits == 0)
        return tt_fail(TT_ERR_INVALID_ARG, "latent: lambda and quant_step need quantisation-aware training (qat_bits 1..8)");
    return TT_OK;
}

/* ---- models ----------------------------------------------------------------------------------------------- */
void tt_model_free(tt_model *model)
{
    if (!model) return;
    free(model->bytes);
    free(model->params);
    tt_nn_model_release(&model->m);
    free(model);
}

/* Takes ownership of bytes (freed on failure too). */
static tt_status model_from_bytes(uint8_t *bytes, size_t size, const char *name, tt_model **out)
{
    tt_model *md = calloc(1, sizeof *md);
    if (!md) {
        free(bytes);
        return tt_fail(TT_ERR_NOMEM, "%s: out of memory", name);
    }
    md->bytes = bytes;
    md->size = size;
    tt_status s = tt_tnx_decode(bytes, size, name, &md->m, &md->params, NULL);
    if (s != TT_OK) {
        free(md->bytes);
        free(md);
        return s;
    }
    *out = md;
    return TT_OK;
}

tt_status tt_model_read_memory(const uint8_t *data, size_t size, const char *name, tt_model **out)
{
    if (!out) return tt_fail(TT_ERR_INVALID_ARG, "tt_model_read_memory: no output");
    *out = NULL;
    if (!name) name = "(memory)";
    if (!data && size) return tt_fail(TT_ERR_INVALID_ARG, "%s: no data", name);
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy) return tt_fail(TT_ERR_NOMEM, "%s: out of memory", name);
    if (size) memcpy(copy, data, size);
    return model_from_bytes(copy, size, name, out);
}

tt_status tt_model_load(const char *path, tt_model **out)
{
    if (!path || !out) return tt_fail(TT_ERR_INVALID_ARG, "tt_model_load: no path or output");
    *out = NULL;
    uint8_t *data = NULL;
    size_t size = 0;
    tt_status s = tt_read_file(path, (size_t)1 << 31, &data, &size);
    if (s != TT_OK) return s;
    return model_from_bytes(data, size, path, out);
}

tt_status tt_model_save(const char *path, const tt_model *model)
{
    if (!path || !model) return tt_fail(TT_ERR_INVALID_ARG, "tt_model_save: no path or model");
    return tt_write_file_atomic(path, model->bytes, model->size);
}

const uint8_t *tt_model_bytes(const tt_model *model, size_t *size)
{
    if (size) *size = model ? model->size : 0;
    return model ? model->bytes : NULL;
}

tt_status tt_model_get_info(const tt_model *model, tt_model_info *out)
{
    if (!model || !out) return tt_fail(TT_ERR_INVALID_ARG, "tt_model_get_info: no model or output");
    memset(out, 0, sizeof *out);
    out->kind = model->m.kind == TT_NN_KIND_LATENT ? TT_MODEL_LATENT : TT_MODEL_HASH;
    out->width = model->m.width;
    out->height = model->m.height;
    out->params = model->m.total;
    out->file_bytes = model->size;
    out->lambda = model->lambda;
    out->target_psnr_rgb = model->psnr_rgb;
    out->target_met = model->target_met;
    return TT_OK;
}

tt_status tt_model_decode(tt_context *ctx, const tt_model *model, tt_image *out, double *gpu_ms)
{
    if (!ctx || !ctx->vk || !model || !out) return tt_fail(TT_ERR_INVALID_ARG, "tt_model_decode: no context, model or output");
    memset(out, 0, sizeof *out);
    return tt_nn_decode_gpu(ctx->vk, &model->m, model->params, 1, out, gpu_ms);
}

tt_status tt_model_decode_cpu(const tt_model *model, tt_image *out)
{
    if (!model || !out) return tt_fail(TT_ERR_INVALID_ARG, "tt_model_decode_cpu: no model or output");
    memset(out, 0, sizeof *out);
    return tt_nn_decode_ref(&model->m, model->params, out);
}

/* ---- training --------------------------------------------------------------------------------------------- */
typedef struct {
    tt_progress_fn fn;
    void *user;
} public_progress;

static int progress_bridge(void *user, const tt_nn_progress *p)
{
    const public_progress *pp = user;
    if (p->done == 0) return 0;
    return pp->fn(pp->user, p->stage, p->done, p->total, p->losses[p->n_losses - 1]);
}

static tt_status train_args(tt_context *ctx, const tt_image *img, tt_model **out, const char *who)
{
    if (out) *out = NULL;
    if (!ctx || !ctx->vk || !img || !img->rgba || !out)
        return tt_fail(TT_ERR_INVALID_ARG, "%s: no context, image or output", who);
    return TT_OK;
}

/* Codes trained params of m into .tnx bytes and parses them back into a model. */
static tt_status model_from_params(const tt_nn_model *m, const float *params, const tt_nn_save_opts *so, tt_model **out)
{
    uint8_t *bytes = NULL;
    size_t size = 0;
    tt_status s = tt_tnx_encode(m, params, so, &bytes, &size);
    if (s != TT_OK) return s;
    return model_from_bytes(bytes, size, "(trained model)", out);
}

tt_status tt_hash_train(tt_context *ctx, const tt_image *img, const tt_hash_config *config, tt_model **out)
{
    tt_status s = train_args(ctx, img, out, "tt_hash_train");
    if (s != TT_OK) return s;
    tt_hash_config def;
    if (!config) {
        tt_hash_config_init(&def);
        config = &def;
    }
    if ((s = tt_hash_config_validate(config)) != TT_OK) return s;
    tt_nn_model m;
    memset(&m, 0, sizeof m);
    m.kind = TT_NN_KIND_HASH;
    m.width = img->width;
    m.height = img->height;
    m.hash = (tt_nn_hash_cfg){config->levels, config->features_per_level, config->log2_table_size,
                              config->base_resolution, config->max_resolution};
    m.dec = (tt_nn_decoder_cfg){.hidden = config->hidden, .depth = config->depth, .act = (tt_nn_act)config->activation,
                                .omega0 = config->omega0};
    if ((s = tt_nn_model_build(&m)) != TT_OK) return s;
    tt_nn_train_cfg tc;
    tt_nn_train_cfg_default(&tc);
    tc.iters = config->steps;
    tc.batch = config->batch;
    tc.seed = config->seed;
    tc.lr[TT_NN_GROUP_ENC] = config->lr_grid;
    tc.lr[TT_NN_GROUP_NET] = config->lr_net;
    tc.steps_per_submit = 250; /* the CLI's --steps-per-submit */
    float *params = malloc(sizeof(float) * m.total);
    if (!params) {
        tt_nn_model_release(&m);
        return tt_fail(TT_ERR_NOMEM, "hash: out of memory for %u parameters", m.total);
    }
    tt_nn_init_params(&m, tc.seed, params);
    public_progress pp = {config->progress, config->progress_user};
    tt_nn_fit_opts fo = {.chunk = tc.steps_per_submit, .progress = pp.fn ? progress_bridge : NULL, .user = &pp};
    s = tt_nn_fit(ctx->vk, &m, img, &tc, &fo, params, NULL);
    tt_nn_save_opts so = {.precision = config->fp32 ? TT_NN_FP32 : TT_NN_FP16};
    if (s == TT_OK) s = model_from_params(&m, params, &so, out);
    free(params);
    tt_nn_model_release(&m);
    return s;
}

/* One training at config->lambda, coded into a model. */
static tt_status latent_train_once(tt_context *ctx, const tt_image *img, const tt_latent_config *config, tt_model **out)
{
    tt_status s;
    tt_nn_model m;
    memset(&m, 0, sizeof m);
    m.kind = TT_NN_KIND_LATENT;
    m.width = img->width;
    m.height = img->height;
    tt_latent_cfg_default(&m.latent);
    m.latent.ch_lo = config->ch_lo;
    m.latent.scale_lo = config->scale_lo;
    m.latent.ch_hi = config->ch_hi;
    m.latent.scale_hi = config->scale_hi;
    m.latent.hi_levels = config->hi_levels;
    m.latent.upsample = (uint32_t)config->upsample;
    m.latent.qat_bits = config->qat_bits;
    m.latent.qat_start = config->qat_start;
    tt_latent_cfg_set_noise(&m.latent, config->qat_noise);
    /* a rate term needs a fixed step */
    tt_latent_cfg_set_step(&m.latent, config->quant_step > 0   ? config->quant_step
                                      : config->lambda > 0 ? (float)TT_LATENT_RATE_STEP
                                                           : 0.0f);
    tt_latent_cfg_set_lambda(&m.latent, config->lambda);
    m.dec = (tt_nn_decoder_cfg){.hidden = config->hidden, .depth = config->depth, .act = (tt_nn_act)config->activation,
                                .omega0 = tt_latent_omega0(config->omega0, config->lambda)};
    if ((s = tt_nn_model_build(&m)) != TT_OK) return s;
    tt_nn_train_cfg tc;
    tt_latent_train_cfg_default(&tc);
    tc.iters = config->steps;
    tc.batch = config->batch;
    tc.seed = config->seed;
    tc.lr[TT_NN_GROUP_ENC] = tc.lr[TT_NN_GROUP_NET] = config->lr;
    /* progress every 1/20 of the run, at most 1000 steps apart (the CLI's) */
    uint32_t chunk = config->steps >= 20 ? config->steps / 20 : config->steps;
    if (chunk > 1000) chunk = 1000;
    float *params = malloc(sizeof(float) * m.total);
    if (!params) {
        tt_nn_model_release(&m);
        return tt_fail(TT_ERR_NOMEM, "latent: out of memory for %u parameters", m.total);
    }
    tt_nn_init_params(&m, tc.seed, params);
    public_progress pp = {config->progress, config->progress_user};
    tt_nn_fit_opts fo = {.chunk = chunk, .progress = pp.fn ? progress_bridge : NULL, .user = &pp};
    s = tt_nn_fit(ctx->vk, &m, img, &tc, &fo, params, NULL);
    tt_latent_code_result cr = {0};
    if (s == TT_OK) {
        tt_latent_fit_quantize(&m, tc.iters, params);
        tt_latent_code_opts co = {
            .codec = config->storage == TT_LATENT_JPEG ? TT_LATENT_CODEC_JPEG
                   : config->storage == TT_LATENT_PNG  ? TT_LATENT_CODEC_PNG
                   : config->storage == TT_LATENT_ENTROPY ? TT_LATENT_CODEC_ENTROPY
                                                       : TT_LATENT_CODEC_RAW,
            .pack = config->rgb_pack ? TT_LATENT_PACK_RGB : TT_LATENT_PACK_TILES,
            .jpeg_quality = config->jpeg_quality,
            .precision = config->fp32 ? TT_NN_FP32 : config->int8 ? TT_NN_INT8 : TT_NN_FP16,
            .finetune_lr = config->finetune_lr > 0 ? config->finetune_lr : config->lr * 0.1f,
            .fit = fo,
            .post_filter = config->post_filter,
        };
        int ft = config->finetune_steps >= 0 ? config->finetune_steps : config->storage == TT_LATENT_JPEG ? 300 : 0;
        co.finetune_steps = (uint32_t)ft;
        s = tt_latent_code(ctx->vk, &m, params, img, &tc, &co, &cr);
    }
    if (s == TT_OK) {
        s = model_from_bytes(cr.bytes, cr.size, "(trained model)", out);
        cr.bytes = NULL; /* owned by the model now, or freed */
    }
    tt_latent_code_result_free(&cr);
    free(params);
    tt_nn_model_release(&m);
    return s;
}

/* One training per layout of config->grids (tt_latent_grid_shapes), at config->lambda: with auto, every layout, each
 * measured from its coded file, keeping the lower MSE + lambda * bpp. *psnr_out: the kept file's PSNR RGB, or NAN
 * when it was not measured (one layout). */
static tt_status latent_train_grids(tt_context *ctx, const tt_image *img, const tt_latent_config *config,
                                    tt_model **out, double *psnr_out)
{
    tt_latent_grid_shape shapes[TT_LATENT_MAX_SHAPES];
    int n = tt_latent_grid_shapes(config->grids, shapes);
    *psnr_out = NAN;
    if (n == 0) return latent_train_once(ctx, img, config, out);
    double px = (double)img->width * img->height, best_cost = INFINITY;
    tt_model *best = NULL;
    tt_status s = TT_OK;
    for (int k = 0; s == TT_OK && k < n; k++) {
        tt_latent_config c = *config;
        c.ch_lo = shapes[k].ch_lo;
        c.scale_lo = shapes[k].scale_lo;
        c.ch_hi = shapes[k].ch_hi;
        c.scale_hi = shapes[k].scale_hi;
        c.hi_levels = shapes[k].hi_levels;
        tt_model *m = NULL;
        s = latent_train_once(ctx, img, &c, &m);
        if (s == TT_OK && n == 1) { *out = m; return TT_OK; }
        tt_metrics mt;
        if (s == TT_OK) s = tt_nn_measure_tnx(ctx->vk, m->bytes, m->size, img, 1, NULL, &mt, NULL, NULL, NULL);
        if (s == TT_OK) {
            double cost = tt_latent_rd_cost(mt.psnr_rgb, (double)m->size * 8.0 / px, config->lambda);
            if (cost < best_cost) {
                best_cost = cost;
                tt_model_free(best);
                best = m;
                *psnr_out = mt.psnr_rgb;
                m = NULL;
            }
        }
        tt_model_free(m);
    }
    if (s != TT_OK) {
        tt_model_free(best);
        return s;
    }
    *out = best;
    return TT_OK;
}

tt_status tt_latent_train(tt_context *ctx, const tt_image *img, const tt_latent_config *config, tt_model **out)
{
    tt_status s = train_args(ctx, img, out, "tt_latent_train");
    if (s != TT_OK) return s;
    tt_latent_config def;
    if (!config) {
        tt_latent_config_init(&def);
        config = &def;
    }
    if ((s = tt_latent_config_validate(config)) != TT_OK) return s;
    double psnr;
    if (config->target_bpp <= 0 && config->target_psnr <= 0) return latent_train_grids(ctx, img, config, out, &psnr);

    tt_latent_search search;
    tt_latent_search_init(&search, config->target_bpp, config->target_psnr, config->lambda);
    double px = (double)img->width * img->height;
    tt_model *best = NULL;
    for (uint32_t t = 0; s == TT_OK && t < config->target_tries && !search.done; t++) {
        tt_latent_config try_cfg = *config;
        try_cfg.lambda = (float)search.lambda;
        try_cfg.target_bpp = try_cfg.target_psnr = 0;
        tt_model *m = NULL;
        tt_metrics mt;
        s = latent_train_grids(ctx, img, &try_cfg, &m, &psnr);
        if (s == TT_OK && isnan(psnr)) {
            s = tt_nn_measure_tnx(ctx->vk, m->bytes, m->size, img, 1, NULL, &mt, NULL, NULL, NULL);
            psnr = mt.psnr_rgb;
        }
        if (s == TT_OK) {
            double lambda = search.lambda;
            if (tt_latent_search_record(&search, (double)m->size * 8.0 / px, psnr)) {
                tt_model_free(best);
                best = m;
                best->lambda = lambda;
                best->psnr_rgb = psnr;
                m = NULL;
            }
        }
        tt_model_free(m);
    }
    if (s != TT_OK) {
        tt_model_free(best);
        return s;
    }
    best->target_met = tt_latent_search_meets(&search, search.best_bpp, search.best_psnr);
    *out = best;
    return TT_OK;
}
