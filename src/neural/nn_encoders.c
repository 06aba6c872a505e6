/* nn_encoders.c - the encoder registry above both encoders: the kind -> encoder lookup and the model build that lays out an encoder's tensors, then the decoder's. */
#include <stdio.h>
#include "neural/tt_neural.h"

const tt_nn_encoder_ops *tt_nn_encoder_for(tt_nn_kind k)
{
    switch (k) {
    case TT_NN_KIND_HASH: return &tt_nn_hash_encoder;
    case TT_NN_KIND_LATENT: return tt_nn_latent_encoder();
    }
    return NULL;
}

tt_status tt_nn_model_build(tt_nn_model *m)
{
    m->enc = tt_nn_encoder_for(m->kind);
    if (!m->enc) return tt_fail(TT_ERR_UNSUPPORTED, "model kind %d is not supported by this build", (int)m->kind);
    if (m->width < 2 || m->height < 2 || m->width > 65535 || m->height > 65535)
        return tt_fail(TT_ERR_INVALID_ARG, "model: image size %ux%u out of range (2..65535)", m->width, m->height);
    const tt_nn_decoder_cfg *d = &m->dec;
    if (d->hidden < 4 || d->hidden > TT_NN_MAX_HIDDEN || d->hidden % 4)
        return tt_fail(TT_ERR_INVALID_ARG, "model: hidden %u must be a multiple of 4 in 4..%d", d->hidden, TT_NN_MAX_HIDDEN);
    if (d->depth < 1 || d->depth > TT_NN_MAX_DEPTH)
        return tt_fail(TT_ERR_INVALID_ARG, "model: depth %u out of range (1..%d)", d->depth, TT_NN_MAX_DEPTH);
    if ((unsigned)d->act > TT_NN_ACT_RELU) return tt_fail(TT_ERR_INVALID_ARG, "model: unknown activation %d", (int)d->act);
    if (!(d->omega0 > 0.0f && d->omega0 < 1e4f)) return tt_fail(TT_ERR_INVALID_ARG, "model: omega0 must be in (0, 1e4)");

    m->n_tensors = 0;
    m->total = 0;
    m->enc_features = 0;
    m->aux_words = 0;
    tt_status s = m->enc->layout(m);
    if (s != TT_OK) return s;
    if (m->enc_features < 1 || m->enc_features > TT_NN_MAX_ENC_FEATURES)
        return tt_fail(TT_ERR_INVALID_ARG, "model: %u encoder features (1..%d)", m->enc_features, TT_NN_MAX_ENC_FEATURES);
    m->enc_count = m->total;
    m->dec_offset = m->total;
    uint32_t prev = m->enc_features;
    char name[16];
    for (uint32_t l = 0; l < d->depth; l++) {
        snprintf(name, sizeof name, "W%u", l);
        if ((s = tt_nn_model_add_tensor(m, name, d->hidden * prev, TT_NN_GROUP_NET, d->hidden, prev, 0)) != TT_OK) return s;
        snprintf(name, sizeof name, "b%u", l);
        if ((s = tt_nn_model_add_tensor(m, name, d->hidden, TT_NN_GROUP_NET, d->hidden, 0, 0)) != TT_OK) return s;
        prev = d->hidden;
    }
    if ((s = tt_nn_model_add_tensor(m, "Wh", 3 * prev, TT_NN_GROUP_NET, 3, prev, 0)) != TT_OK) return s;
    if ((s = tt_nn_model_add_tensor(m, "bh", 3, TT_NN_GROUP_NET, 3, 0, 0)) != TT_OK) return s;
    m->dec_count = m->total - m->dec_offset;
    return TT_OK;
}
