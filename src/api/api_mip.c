/* api_mip.c - the public GPU mip-chain builder: a tt_image to its filtered levels on a context's device. */
#include "api/tt_context.h"
#include "mip/tt_mip_gpu.h"

tt_status tt_mip_build(tt_context *ctx, const tt_image *img, const tt_mip_config *config, tt_image *levels,
                       uint32_t *count)
{
    if (count) *count = 0;
    if (!ctx) return tt_fail(TT_ERR_INVALID_ARG, "tt_mip_build: ctx must not be NULL");
    return tt_mip_build_gpu(ctx->vk, img, config, levels, count, NULL);
}
