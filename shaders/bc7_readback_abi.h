/* bc7_readback_abi.h - the contract between src/bc7/bc7_sampler.c and shaders/bc7_sample_readback.comp: workgroup size, push constants. */
#ifndef TT_BC7_READBACK_ABI_H
#define TT_BC7_READBACK_ABI_H
#include "tt_abi.h"

/* One invocation per texel, in 8 x 8 workgroups. */
#define TT_BC7_READBACK_LOCAL_SIZE 8

TT_PUSH_BEGIN(tt_bc7_readback_push)
    TT_U32(width)   /* image size in texels */
    TT_U32(height)
TT_PUSH_END(tt_bc7_readback_push, 8)

#endif
