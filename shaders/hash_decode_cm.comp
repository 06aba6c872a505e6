// hash_decode_cm.comp - decodes a hash-grid model to RGBA8 pixels on tensor cores (VK_NV_cooperative_matrix; nn_decode.glsl).
#version 450
#extension GL_GOOGLE_include_directive : require
#define NN_DECODE
#define NN_DECODE_CM
#include "nn_common.glsl"
#include "hash_enc.glsl"
#include "nn_mlp.glsl"
#include "nn_decode.glsl"
