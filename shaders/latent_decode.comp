// latent_decode.comp - decodes a latent-grid model to RGBA8 pixels.
#version 450
#extension GL_GOOGLE_include_directive : require
#define NN_DECODE
#include "nn_common.glsl"
#include "latent_enc.glsl"
#include "nn_mlp.glsl"
#include "nn_decode.glsl"
