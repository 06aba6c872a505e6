/* api_transcode.c - neural -> BC7 on load: network decode, mip chain and BC7 encode recorded into one GPU submission (tt_transcode_tnx_bc7_gpu), and its public entry tt_model_transcode_bc7. */
#include <stdlib.h>
#include <string.h>

#include "api/tt_context.h"
#include "api/tt_transcode.h"
#include "bc7/tt_bc7_gpu.h"
#include "mip/tt_mip_gpu.h"

tt_status tt_transcode_tnx_bc7_gpu(tt_vk *vk, const tt_nn_model *m, const float *params, const tt_nn_tuning *tune,
                                   const tt_bc7_config *p, const tt_mip_config *mips, tt_texture *out,
                                   tt_image *decoded, double *gpu_ms)
{
    if (gpu_ms) *gpu_ms = -1.0;
    memset(out, 0, sizeof *out);
    if (decoded) memset(decoded, 0, sizeof *decoded);
    uint32_t w = m->width, h = m->height;
    uint64_t image_bytes = 4ull * w * h;
    if (image_bytes > tt_vk_get_caps(vk)->max_storage_buffer_range)
        return tt_fail(TT_ERR_LIMIT, "transcode: a %ux%u image needs %llu bytes in one buffer, above the device's "
                                     "storage buffer range of %llu bytes", w, h, (unsigned long long)image_bytes,
                       (unsigned long long)tt_vk_get_caps(vk)->max_storage_buffer_range);
    tt_mip_config mc;
    if (mips) {
        mc = *mips;
        uint32_t full = tt_mip_full_count(w, h);
        if (mc.levels > full) mc.levels = full;
    }
    tt_nn_decoder *dec = NULL;
    tt_mip_chain_gpu *chain = NULL;
    tt_bc7_gpu_encoder *enc = NULL;
    tt_vk_buffer image = {0}, blocks = {0};
    uint32_t count = 1;
    tt_status st = tt_nn_decoder_create(vk, m, params, tune, &dec);
    if (st == TT_OK && mips && (mc.levels != 1 || mc.premultiply || mc.normal_map)) {
        st = tt_mip_chain_gpu_create(vk, w, h, &mc, &chain);
        if (st == TT_OK) count = tt_mip_chain_gpu_count(chain);
    }
    if (st == TT_OK) st = tt_bc7_gpu_encoder_create(vk, p, w, h, &enc);
    if (st == TT_OK) st = tt_bc7_texture_alloc_levels(out, w, h, count, p->srgb, "transcode");
    if (st == TT_OK) st = tt_vk_buffer_create(vk, image_bytes, TT_MEM_DEVICE, &image);
    if (st == TT_OK) st = tt_vk_buffer_create(vk, out->data_size, TT_MEM_READBACK, &blocks);
    if (st == TT_OK) st = tt_vk_begin(vk);
    if (st == TT_OK) {
        tt_nn_decoder_record(dec, &image);
        tt_vk_barrier(vk);
        if (chain) {
            tt_mip_chain_gpu_record(chain, &image);
            tt_vk_barrier(vk);
        }
        for (uint32_t i = 0; i < count; i++) {
            uint32_t lw = w, lh = h;
            tt_vk_buffer *src = chain ? tt_mip_chain_gpu_level(chain, &image, i, &lw, &lh) : &image;
            if (i) tt_vk_barrier(vk); /* the levels share the encoder's band buffers */
            tt_bc7_gpu_encoder_record(enc, src, lw, lh, &blocks, out->levels[i].offset);
        }
        st = tt_vk_submit(vk, gpu_ms);
    }
    if (st == TT_OK) st = tt_vk_download(vk, &blocks, 0, out->data, out->data_size);
    if (st == TT_OK && decoded) {
        st = tt_image_alloc(decoded, w, h);
        if (st == TT_OK) st = tt_vk_download(vk, &image, 0, decoded->rgba, image_bytes);
        if (st != TT_OK) tt_image_free(decoded);
    }
    if (st == TT_OK && chain && mc.premultiply) out->premultiplied = 1;
    if (st != TT_OK) {
        tt_texture_free(out);
        if (gpu_ms) *gpu_ms = -1.0;
    }
    tt_vk_buffer_destroy(vk, &image);
    tt_vk_buffer_destroy(vk, &blocks);
    tt_bc7_gpu_encoder_destroy(enc);
    tt_mip_chain_gpu_destroy(chain);
    tt_nn_decoder_destroy(dec);
    return st;
}

tt_status tt_model_transcode_bc7(tt_context *ctx, const tt_model *model, const tt_bc7_config *config,
                                 const tt_mip_config *mips, tt_texture *out, double *gpu_ms)
{
    if (gpu_ms) *gpu_ms = -1.0;
    if (!out) return tt_fail(TT_ERR_INVALID_ARG, "tt_model_transcode_bc7: out is NULL");
    memset(out, 0, sizeof *out);
    if (!ctx || !ctx->vk || !model)
        return tt_fail(TT_ERR_INVALID_ARG, "tt_model_transcode_bc7: ctx and model must not be NULL");
    tt_bc7_config cfg;
    if (config) cfg = *config;
    else tt_bc7_config_init(&cfg);
    tt_status st = tt_bc7_config_validate(&cfg);
    if (st != TT_OK) return st;
    return tt_transcode_tnx_bc7_gpu(ctx->vk, &model->m, model->params, NULL, &cfg, mips, out, NULL, gpu_ms);
}
