/* tt_transcode.h - neural -> BC7 on load: a .tnx model decoded by its network and encoded to BC7 on one device, in one submission (api_transcode.c). */
#ifndef TT_TRANSCODE_H
#define TT_TRANSCODE_H

#include "neural/tt_neural.h"

/* The network writes its image into a device buffer, the mip builder (mips != NULL and more than one level) filters
 * the chain from it, and the BC7 encoder reads every level from there: one recording, one submission, only the
 * blocks come back to the host. The blocks equal those tt_bc7_encode_levels_gpu makes of the chain that
 * tt_mip_build_gpu builds from the image tt_nn_decode_gpu_tuned returns (on the same device, same tuning).
 * p: validated, no alpha test (TT_ERR_UNSUPPORTED); mips: NULL = level 0 only, else levels as tt_mip_build, any
 * `levels` above the image's full chain clamped to it, no alpha coverage (TT_ERR_UNSUPPORTED).
 * out: a new texture (zeroed first, freed on failure). decoded (may be NULL): the network's image, downloaded after
 * the submission (for measurements; not part of gpu_ms). gpu_ms (may be NULL): the submission's GPU time (network
 * decode + mip filter + encode), or -1 without timestamps. */
tt_status tt_transcode_tnx_bc7_gpu(tt_vk *vk, const tt_nn_model *m, const float *params, const tt_nn_tuning *tune,
                                   const tt_bc7_config *p, const tt_mip_config *mips, tt_texture *out,
                                   tt_image *decoded, double *gpu_ms);

#endif
