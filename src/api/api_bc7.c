/* api_bc7.c - the public GPU BC7 encode: a tt_image, or a mip chain of them, to a tt_texture on a context's device. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/tt_context.h"
#include "bc7/tt_bc7_gpu.h"

tt_status tt_bc7_encode(tt_context *ctx, const tt_image *img, const tt_bc7_config *config, tt_texture *out,
                        double *gpu_ms)
{
    if (gpu_ms) *gpu_ms = -1.0;
    if (!out) return tt_fail(TT_ERR_INVALID_ARG, "tt_bc7_encode: out is NULL");
    memset(out, 0, sizeof *out);
    if (!ctx || !img) return tt_fail(TT_ERR_INVALID_ARG, "tt_bc7_encode: ctx and img must not be NULL");
    if (!img->rgba || img->width == 0 || img->height == 0)
        return tt_fail(TT_ERR_INVALID_ARG, "tt_bc7_encode: empty image");
    tt_bc7_config cfg;
    if (config) cfg = *config;
    else tt_bc7_config_init(&cfg);
    tt_status st = tt_bc7_config_validate(&cfg);
    if (st != TT_OK) return st;

    st = tt_bc7_texture_alloc(out, img->width, img->height, cfg.srgb, "tt_bc7_encode");
    if (st == TT_OK) st = tt_bc7_encode_gpu(ctx->vk, img, &cfg, (tt_bc7_block *)out->data, 1, gpu_ms);
    if (st != TT_OK) tt_texture_free(out);
    return st;
}

tt_status tt_bc7_encode_levels(tt_context *ctx, const tt_image *levels, uint32_t count, const tt_bc7_config *config,
                               tt_texture *out, double *gpu_ms)
{
    if (gpu_ms) *gpu_ms = -1.0;
    if (!out) return tt_fail(TT_ERR_INVALID_ARG, "tt_bc7_encode_levels: out is NULL");
    memset(out, 0, sizeof *out);
    if (!ctx) return tt_fail(TT_ERR_INVALID_ARG, "tt_bc7_encode_levels: ctx must not be NULL");
    tt_bc7_config cfg;
    if (config) cfg = *config;
    else tt_bc7_config_init(&cfg);
    tt_status st = tt_bc7_config_validate(&cfg);
    if (st != TT_OK) return st;
    return tt_bc7_encode_levels_gpu(ctx->vk, levels, count, &cfg, 1, out, gpu_ms, NULL);
}

tt_bc7_encoder_choice tt_bc7_choose_encoder(const tt_context *ctx, uint64_t blocks, const tt_bc7_config *config)
{
    tt_bc7_config cfg;
    if (config) cfg = *config;
    else tt_bc7_config_init(&cfg);
    return tt_bc7_choose_encoder_vk(ctx ? ctx->vk : NULL, blocks, &cfg);
}
