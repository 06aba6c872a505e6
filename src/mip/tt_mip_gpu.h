/* tt_mip_gpu.h - the GPU mip-chain builder (shaders/mip_filter.comp, mip_store.comp) on a tt_vk device; the only mip header that needs Vulkan. */
#ifndef TT_MIP_GPU_H
#define TT_MIP_GPU_H

#include "mip/tt_mip.h"
#include "vk/tt_vk.h"

/* tt_mip_build on a device: the same chain as tt_mip_build_cpu (within 1 per channel, docs/mips.md, "GPU and C").
 * Level 0's words and level 1's floats must each fit the device's storage-buffer range (TT_ERR_LIMIT before
 * anything is allocated). gpu_ms (may be NULL): the GPU time of the filter and store passes (timestamps; the uploads
 * and downloads not included), or -1 if unavailable. */
tt_status tt_mip_build_gpu(tt_vk *vk, const tt_image *img, const tt_mip_config *config, tt_image *levels,
                           uint32_t *count, double *gpu_ms);

#endif
