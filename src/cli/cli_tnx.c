/* cli_tnx.c - .tnx support for `tinytex decode` (GPU rebuild of the image) and `tinytex info` (describe the model). */
#include "cli.h"
#include "cli_batch.h"
#include "cli_nn_env.h"
#include "neural/tt_neural.h"
#include "vk/tt_vk.h"

#include <stdlib.h>
#include <string.h>

void cli_trainer_describe(const tt_nn_trainer *tr, uint32_t batch)
{
    char patch[48] = "";
    if (tr->m->enc->group_patch) snprintf(patch, sizeof patch, ", grid patch %u floats", tr->enc_patch);
    DISPLAYLEVEL(2, "trainer: tiles of %u samples, %u per workgroup (%u workgroups a step), head in %u parts, %s tile%s, "
                    "%u bytes of shared memory (limit %u), %s atomics\n",
                 tr->tile_samples, tr->samples_per_group / tr->tile_samples,
                 (batch + tr->samples_per_group - 1) / tr->samples_per_group, tr->head_parts,
                 tr->compact ? "compact" : "full", patch, tr->train_smem, tt_vk_get_caps(tr->vk)->max_shared_memory,
                 tt_vk_get_caps(tr->vk)->float_atomic_add ? "float" : "CAS");
}

tt_status cli_tnx_readback(cli_gpu *gpu, int kind, const tt_image *img, const char *output, int repeats,
                           cli_tnx_measured *out, tt_image *decoded, float **file_params)
{
    tt_nn_model lm;
    float *params = NULL;
    tt_image dec = {0};
    tt_tnx_info info;
    memset(out, 0, sizeof *out);
    out->decode_ms = -1;
    tt_status st = tt_tnx_load(output, &lm, &params, &info);
    int loaded = st == TT_OK;
    if (st == TT_OK && lm.kind != (tt_nn_kind)kind)
        st = tt_fail(TT_ERR_FORMAT, "%s: a %s model, not a %s model", output, tt_nn_kind_name(lm.kind),
                     tt_nn_kind_name((tt_nn_kind)kind));
    if (st == TT_OK && (lm.width != img->width || lm.height != img->height))
        st = tt_fail(TT_ERR_FORMAT, "%s: %ux%u, but the input is %ux%u", output, lm.width, lm.height, img->width,
                     img->height);
    if (st == TT_OK) {
        pthread_mutex_lock(&gpu->lock);
        st = cli_gpu_ensure(gpu);
        if (st == TT_OK) st = tt_nn_decode_gpu_tuned(gpu->vk, &lm, params, repeats, &dec, &out->decode_ms, cli_nn_env_tuning());
        if (st == TT_OK) out->decode_f16 = tt_nn_decode_f16_tuned(gpu->vk, &lm, cli_nn_env_tuning());
        pthread_mutex_unlock(&gpu->lock);
    }
    if (st == TT_OK) st = tt_compare_images(img, &dec, &out->metrics);
    if (st == TT_OK) {
        out->bytes = cli_file_size(output);
        uint64_t raw = (uint64_t)img->width * img->height * 3;
        if (out->bytes > 0 && (uint64_t)out->bytes > raw) /* a "compressed" file that is not: say so */
            DISPLAYLEVEL(1, "tinytex: warning: %s: %lld bytes, larger than the image as raw RGB8 (%llu bytes); a "
                            "smaller model (fewer levels or entries, a narrower decoder) suits an image this small\n",
                         output, (long long)out->bytes, (unsigned long long)raw);
        out->fp32 = info.precision == TT_NN_FP32;
        out->params = lm.total;
        if (decoded) {
            *decoded = dec;
            dec = (tt_image){0};
        }
        if (file_params) {
            *file_params = params;
            params = NULL;
        }
    }
    if (loaded) tt_nn_model_release(&lm);
    free(params);
    tt_image_free(&dec);
    return st;
}

void cli_tnx_result(cli_file_result *r, const cli_gpu *gpu, const tt_image *img, const char *output,
                    const cli_tnx_measured *mt)
{
    r->metrics = mt->metrics;
    cli_result_measured(r, img, output);
    cJSON_AddNumberToObject(r->extra, "params", mt->params);
    cJSON_AddStringToObject(r->extra, "decode_path", mt->decode_f16 ? "tensor_cores" : "fp32");
    cJSON_AddStringToObject(r->extra, "device", gpu->device_name ? gpu->device_name : "");
}

int cli_decode_tnx(const char *input, const char *output, const cli_common *c)
{
    tt_nn_model m;
    float *params = NULL;
    tt_vk *vk = NULL;
    tt_image img = {0};
    double ms = -1, t0 = cli_now();
    int rc = EXIT_OK;
    tt_status s = tt_tnx_load(input, &m, &params, NULL);
    if (s == TT_OK) s = cli_vk_create(c->device, &vk);
    if (s == TT_OK) s = tt_nn_decode_gpu_tuned(vk, &m, params, 1, &img, &ms, cli_nn_env_tuning());
    if (s == TT_OK) s = tt_image_save_png(output, &img);
    if (s != TT_OK) {
        rc = cli_fail_status(s);
    } else {
        int f16 = tt_nn_decode_f16_tuned(vk, &m, cli_nn_env_tuning());
        DISPLAYLEVEL(1, "%s -> %s: %ux%u, %s model, decoded on %s%s in %.3f ms\n", input, output, img.width, img.height,
                     tt_nn_kind_name(m.kind), tt_vk_info(vk)->name, f16 ? " (tensor cores)" : "", ms);
        if (c->json) {
            cJSON *r = cli_report_new("decode");
            cJSON_AddStringToObject(r, "input", input);
            cJSON_AddStringToObject(r, "output", output);
            cJSON_AddStringToObject(r, "model", tt_nn_kind_name(m.kind));
            long long bytes = cli_file_size(output);
            cli_report_add_result(r, img.width, img.height, NULL, bytes > 0 ? (uint64_t)bytes : 0, cli_now() - t0);
            cJSON_AddNumberToObject(r, "decode_ms", ms);
            cJSON_AddStringToObject(r, "decode_path", f16 ? "tensor_cores" : "fp32");
            cJSON_AddStringToObject(r, "device", tt_vk_info(vk)->name);
            rc = cli_report_write(c->json, r);
            cJSON_Delete(r);
        }
    }
    tt_image_free(&img);
    if (vk) tt_vk_destroy(vk);
    free(params);
    if (s == TT_OK) tt_nn_model_release(&m);
    return rc;
}

int cli_info_tnx(const char *input, int json)
{
    tt_nn_model m;
    float *params = NULL;
    tt_tnx_info info;
    tt_status s = tt_tnx_load(input, &m, &params, &info);
    if (s != TT_OK) return cli_fail_status(s);
    long long bytes = cli_file_size(input);
    double px = (double)m.width * m.height;
    double ratio = bytes > 0 ? px * 3 / (double)bytes : 0;
    char enc[512] = "";
    if (m.enc->describe) m.enc->describe(&m, enc, sizeof enc);
    const char *prec = tt_nn_precision_name(info.precision);
    if (json) {
        cJSON *r = cli_report_new("info");
        cJSON_AddStringToObject(r, "input", input);
        cJSON_AddStringToObject(r, "type", "tnx");
        cJSON_AddNumberToObject(r, "tnx_version", info.version);
        cJSON_AddStringToObject(r, "model", tt_nn_kind_name(m.kind));
        cJSON_AddNumberToObject(r, "width", m.width);
        cJSON_AddNumberToObject(r, "height", m.height);
        cJSON_AddNumberToObject(r, "file_bytes", (double)bytes);
        cJSON_AddNumberToObject(r, "bits_per_pixel", bytes * 8.0 / px);
        cJSON_AddNumberToObject(r, "ratio", ratio);
        cJSON_AddNumberToObject(r, "params", m.total);
        cJSON_AddNumberToObject(r, "encoder_params", m.enc_count);
        cJSON_AddNumberToObject(r, "decoder_params", m.dec_count);
        cJSON_AddStringToObject(r, "precision", prec);
        cJSON_AddStringToObject(r, "encoder", enc);
        cJSON *d = cJSON_AddObjectToObject(r, "decoder");
        cJSON_AddStringToObject(d, "activation", tt_nn_act_name(m.dec.act));
        cJSON_AddNumberToObject(d, "hidden", m.dec.hidden);
        cJSON_AddNumberToObject(d, "depth", m.dec.depth);
        cJSON_AddNumberToObject(d, "omega0", m.dec.omega0);
        cJSON_AddNumberToObject(d, "inputs", m.enc_features);
        if (m.kind == TT_NN_KIND_HASH) {
            cJSON *h = cJSON_AddObjectToObject(r, "hash");
            cJSON_AddNumberToObject(h, "n_levels", m.hash.n_levels);
            cJSON_AddNumberToObject(h, "n_features", m.hash.n_features);
            cJSON_AddNumberToObject(h, "log2_T", m.hash.log2_t);
            cJSON_AddNumberToObject(h, "base_res", m.hash.base_res);
            cJSON_AddNumberToObject(h, "max_res", m.hash.max_res);
        }
        cJSON_AddNumberToObject(r, "chunks", info.n_chunks);
        cJSON_AddBoolToObject(r, "checksum_ok", info.crc_ok);
        int rc = cli_report_write("-", r);
        cJSON_Delete(r);
        free(params);
        tt_nn_model_release(&m);
        return rc;
    }
    printf("%s: tinytex neural model (.tnx v%u), %s\n", input, info.version, tt_nn_kind_name(m.kind));
    printf("  image      %u x %u\n", m.width, m.height);
    printf("  file       %lld bytes, %.3f bpp, ratio %.2fx vs raw RGB8\n", bytes, bytes * 8.0 / px, ratio);
    printf("  params     %u (encoder %u, decoder %u), stored %s\n", m.total, m.enc_count, m.dec_count, prec);
    if (*enc) printf("  encoder    %s\n", enc);
    printf("  decoder    %s, %u layers x %u", tt_nn_act_name(m.dec.act), m.dec.depth, m.dec.hidden);
    if (m.dec.act == TT_NN_ACT_SIREN) printf(", omega0 %g", m.dec.omega0);
    printf(", %u inputs, sigmoid RGB head\n", m.enc_features);
    printf("  checksum   ok (%u chunks, CRC32 each)\n", info.n_chunks);
    if (g_display_level >= 2)
        for (uint32_t i = 0; i < m.n_tensors; i++)
            printf("  tensor %-8s %8u values at %u\n", m.tensors[i].name, m.tensors[i].count, m.tensors[i].offset);
    free(params);
    tt_nn_model_release(&m);
    return EXIT_OK;
}
