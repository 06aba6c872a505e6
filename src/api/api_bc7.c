/* api_bc7.c - the public GPU BC7 encode: a tt_image to a one-level tt_texture on a context's device. */
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

    /* Block counts fit in 32 bits each; their product times 16 is checked against size_t. */
    uint64_t blocks = (uint64_t)((img->width + 3ull) / 4) * ((img->height + 3ull) / 4);
    if (blocks > SIZE_MAX / 16)
        return tt_fail(TT_ERR_LIMIT, "tt_bc7_encode: %ux%u needs more block memory than this machine can address",
                       img->width, img->height);
    size_t size = (size_t)blocks * 16;
    uint8_t *data = malloc(size);
    if (!data) return tt_fail(TT_ERR_NOMEM, "tt_bc7_encode: out of memory for %zu bytes of blocks", size);
    st = tt_bc7_encode_gpu(ctx->vk, img, &cfg, (tt_bc7_block *)data, 1, gpu_ms);
    if (st != TT_OK) {
        free(data);
        return st;
    }
    out->width = img->width;
    out->height = img->height;
    out->srgb = cfg.srgb;
    out->data = data;
    out->data_size = size;
    out->level_count = 1;
    out->levels[0] = (tt_texture_level){img->width, img->height, 0, size};
    return TT_OK;
}
