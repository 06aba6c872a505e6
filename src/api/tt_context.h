/* tt_context.h - what a public tt_context holds, for the library's API files (src/api/) only. */
#ifndef TT_CONTEXT_H
#define TT_CONTEXT_H

#include "tinytex.h"
#include "vk/tt_vk.h"

struct tt_context {
    tt_vk *vk;                   /* the device; its pipeline cache lives as long as the context */
    tt_context_config config;
};

#endif
