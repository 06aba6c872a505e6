/* tt_bc7_gpu.h - the GPU BC7 encoder (the passes of shaders/bc7_pass.glsl) and the sampler decoder on a tt_vk device; the only BC7 header that needs Vulkan. */
#ifndef TT_BC7_GPU_H
#define TT_BC7_GPU_H

#include "bc7/tt_bc7.h"
#include "vk/tt_vk.h"

/* GPU encoder (shaders/bc7_pass.glsl and its passes, the same algorithm as the C
 * reference): uploads `img`, dispatches `repeats` times (>= 1; more for
 * benchmarking) and downloads ceil(w/4)*ceil(h/4) blocks, row-major. Images
 * larger than the device's storage-buffer range are encoded in bands of
 * block rows. gpu_ms_per_run (may be NULL) is the mean GPU time of one
 * full-image encode measured with timestamps, or -1 if unavailable. */
tt_status tt_bc7_encode_gpu(tt_vk *vk, const tt_image *img, const tt_bc7_config *p,
                            tt_bc7_block *blocks, int repeats, double *gpu_ms_per_run);
/* tt_bc7_choose_encoder on a tt_vk (NULL: no device yet). */
tt_bc7_encoder_choice tt_bc7_choose_encoder_vk(const tt_vk *vk, uint64_t blocks, const tt_bc7_config *cfg);
/* A mip chain levels[0..count) (floor-rule sizes, tt_bc7_encode_chain_check) into a new texture of `count` levels
 * (*out zeroed first, freed on failure); gpu_ms_per_run: the summed mean GPU time of one encode of every level, or
 * -1; level_ms (may be NULL, else `count` entries): the same per level. tt_bc7_encode_levels (api) and the CLI call
 * it. */
tt_status tt_bc7_encode_levels_gpu(tt_vk *vk, const tt_image *levels, uint32_t count, const tt_bc7_config *p,
                                   int repeats, tt_texture *out, double *gpu_ms_per_run, double *level_ms);
/* The same with the pass layout forced (tests): per_mode_passes 1 = one pass per mode (a GPU's default), 0 = one
 * per mode family (a CPU device's), -1 = by device type. The blocks are the same. */
tt_status tt_bc7_encode_gpu_passes(tt_vk *vk, const tt_image *img, const tt_bc7_config *p, tt_bc7_block *blocks,
                                   int repeats, double *gpu_ms_per_run, int per_mode_passes);

/* The encoder's device entry, for an image that a GPU stage made (a network decode, a mip level): create builds the
 * passes of config p for opaque images (every alpha 255, as a network's output is; loose_alpha then applies) up to
 * max_width x max_height (the alpha test, which needs the host, is TT_ERR_UNSUPPORTED); record adds to the
 * caller's recording (tt_vk_begin .. tt_vk_submit) the encode of the width x height RGBA8 words of `src` (whole
 * image, row-major) into ceil(w/4) * ceil(h/4) blocks written to `blocks` from byte blocks_offset on, row-major --
 * the blocks tt_bc7_encode_gpu makes of the same texels. Work that reads `blocks` after it needs a barrier. */
typedef struct tt_bc7_gpu_encoder tt_bc7_gpu_encoder;
tt_status tt_bc7_gpu_encoder_create(tt_vk *vk, const tt_bc7_config *p, uint32_t max_width, uint32_t max_height,
                                    tt_bc7_gpu_encoder **out);
void tt_bc7_gpu_encoder_record(tt_bc7_gpu_encoder *e, tt_vk_buffer *src, uint32_t width, uint32_t height,
                               tt_vk_buffer *blocks, VkDeviceSize blocks_offset);
void tt_bc7_gpu_encoder_destroy(tt_bc7_gpu_encoder *e);   /* safe on NULL */

/* Decodes w x h texels of `blocks` with the device's own BC7 texture sampler (VK_FORMAT_BC7_UNORM_BLOCK,
 * texelFetch), an independent check of tt_bc7_decode_image. TT_ERR_UNSUPPORTED where the device cannot sample BC7. */
tt_status tt_bc7_decode_sampler(tt_vk *vk, const tt_bc7_block *blocks, uint32_t w, uint32_t h, uint8_t *out_rgba);
/* The same for every level of a texture at once: one BC7 image with t->level_count mip levels, each level read with
 * texelFetch at its lod into out_rgba[level] (levels[level].width x height x 4 bytes each). */
tt_status tt_bc7_decode_sampler_levels(tt_vk *vk, const tt_texture *t, uint8_t *const *out_rgba);

#endif
