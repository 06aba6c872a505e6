// hash_decode.comp - decodes a hash-grid model to RGBA8 pixels.
#version 450
#extension GL_GOOGLE_include_directive : require
#define NN_DECODE
#include "nn_common.glsl"
#include "hash_enc.glsl"
#include "nn_mlp.glsl"
#include "nn_decode.glsl"
