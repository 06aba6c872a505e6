// latent_train_cas.comp - fused training step of the latent-grid model (compare-and-swap atomics for devices without float atomics).
#version 450
#extension GL_GOOGLE_include_directive : require
#define NN_TRAIN
#define NN_CAS_ATOMICS
#include "nn_common.glsl"
#include "latent_enc.glsl"
#include "nn_mlp.glsl"
#include "nn_train.glsl"
