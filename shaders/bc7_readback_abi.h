/* bc7_readback_abi.h - the contract between src/bc7/bc7_sampler.c and shaders/bc7_sample_readback.comp: workgroup size, push constants. */
#ifndef TT_BC7_READBACK_ABI_H
#define TT_BC7_READBACK_ABI_H
#include "tt_abi.h"

/* One invocation per texel, in 8 x 8 workgroups. */
#define TT_BC7_READBACK_LOCAL_SIZE 8

TT_PUSH_BEGIN(tt_bc7_readback_push)
    TT_U32(width)   /* size of mip level `lod` in texels */
    TT_U32(height)
    TT_U32(lod)     /* the level read */
    TT_U32(base)    /* its first texel's word in the output buffer */
TT_PUSH_END(tt_bc7_readback_push, 16)

#endif
