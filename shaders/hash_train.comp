// hash_train.comp - fused training step of the hash-grid model (float atomics).
#version 450
#extension GL_GOOGLE_include_directive : require
#define NN_TRAIN
#include "nn_common.glsl"
#include "hash_enc.glsl"
#include "nn_mlp.glsl"
#include "nn_train.glsl"
