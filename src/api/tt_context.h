/* tt_context.h - what a public tt_context and tt_model hold, for the library's API files (src/api/) only. */
#ifndef TT_CONTEXT_H
#define TT_CONTEXT_H

#include "tinytex.h"
#include "vk/tt_vk.h"
#include "neural/tt_neural.h"

struct tt_context {
    tt_vk *vk;                   /* the device; its pipeline cache lives as long as the context */
    tt_context_config config;
};

/* A model: the .tnx bytes and their parsed form, what tt_model_save writes being what tt_model_decode rebuilds
 * (api_model.c builds it, api_transcode.c reads it). */
struct tt_model {
    uint8_t *bytes;
    size_t size;
    tt_nn_model m;
    float *params;
    double lambda, psnr_rgb;     /* the try tt_latent_train's target search kept (0 otherwise) */
    int target_met;
};

#endif
