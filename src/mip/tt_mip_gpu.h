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

/* The chain as a stage of a longer GPU job (neural -> BC7 on load): create checks the config for a width x height
 * level 0 (alpha coverage, which needs the host, is TT_ERR_UNSUPPORTED), builds the pipelines and the level buffers
 * and uploads the tables; record adds the chain's passes to the caller's recording (tt_vk_begin .. tt_vk_submit),
 * reading level 0's RGBA8 words from src8 -- the same levels as tt_mip_build_gpu; level gives the device buffer of
 * level i's RGBA8 words (src8 itself for an unconverted level 0) once the recording has a barrier after the chain. */
typedef struct tt_mip_chain_gpu tt_mip_chain_gpu;
tt_status tt_mip_chain_gpu_create(tt_vk *vk, uint32_t width, uint32_t height, const tt_mip_config *config,
                                  tt_mip_chain_gpu **out);
uint32_t tt_mip_chain_gpu_count(const tt_mip_chain_gpu *c);
void tt_mip_chain_gpu_record(tt_mip_chain_gpu *c, tt_vk_buffer *src8);
tt_vk_buffer *tt_mip_chain_gpu_level(tt_mip_chain_gpu *c, tt_vk_buffer *src8, uint32_t level, uint32_t *width,
                                     uint32_t *height);
void tt_mip_chain_gpu_destroy(tt_mip_chain_gpu *c);   /* safe on NULL */

#endif
