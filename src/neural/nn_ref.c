/* nn_ref.c - C reference of the shared decoder MLP (forward, backward), full model, Adam and CPU decode. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "neural/tt_neural.h"

/* erf with |error| < 1.5e-7 (Abramowitz-Stegun 7.1.26); the shaders use the same formula. */
static float nn_erf(float x)
{
    float s = x < 0 ? -1.0f : 1.0f, a = fabsf(x);
    float t = 1.0f / (1.0f + 0.3275911f * a);
    float y = 1.0f - (((((1.061405429f * t - 1.453152027f) * t) + 1.421413741f) * t - 0.284496736f) * t + 0.254829592f) * t *
                         expf(-a * a);
    return s * y;
}

/* Activation value and derivative at pre-activation z. */
static void nn_act(tt_nn_act act, float omega0, float z, float *a, float *da)
{
    switch (act) {
    case TT_NN_ACT_SIREN: {
        float u = omega0 * z;
        *a = sinf(u);
        *da = omega0 * cosf(u);
        break;
    }
    case TT_NN_ACT_RELU:
        *a = z > 0 ? z : 0;
        *da = z > 0 ? 1.0f : 0.0f;
        break;
    case TT_NN_ACT_SILU: {
        float sg = 1.0f / (1.0f + expf(-z));
        *a = z * sg;
        *da = sg * (1.0f + z * (1.0f - sg));
        break;
    }
    case TT_NN_ACT_GELU: {
        float cdf = 0.5f * (1.0f + nn_erf(z * 0.70710678118f));
        *a = z * cdf;
        *da = cdf + z * 0.39894228040f * expf(-0.5f * z * z);
        break;
    }
    }
}

static float round_f16(float x) { return tt_f16_to_f32(tt_f32_to_f16(x)); }
static float keep(float x) { return x; }

/* Forward keeping activations: acts[l][hidden] and derivatives ders[l][hidden]. `r` rounds the products' operands:
 * identity, or round_f16 for the tensor-core decode (fp16 features, weights and activations; fp32 sums and biases). */
static void dec_forward_r(const tt_nn_model *m, const float *P, const float *feat, float *acts, float *ders, float rgb[3],
                          float (*r)(float))
{
    uint32_t H = m->dec.hidden, D = m->dec.depth, in = m->enc_features;
    /* the layer's input, after r */
    float xin[TT_NN_MAX_ENC_FEATURES > TT_NN_MAX_HIDDEN ? TT_NN_MAX_ENC_FEATURES : TT_NN_MAX_HIDDEN];
    for (uint32_t k = 0; k < in; k++) xin[k] = r(feat[k]);
    for (uint32_t l = 0; l < D; l++) {
        const float *W = P + tt_nn_layer_w_offset(m, l), *b = P + tt_nn_layer_b_offset(m, l);
        float *a = acts + l * H, *d = ders + l * H;
        for (uint32_t j = 0; j < H; j++) {
            float z = b[j];
            for (uint32_t k = 0; k < in; k++) z += r(W[j * in + k]) * xin[k];
            nn_act(m->dec.act, m->dec.omega0, z, &a[j], &d[j]);
        }
        for (uint32_t j = 0; j < H; j++) xin[j] = r(a[j]);
        in = H;
    }
    const float *Wh = P + tt_nn_layer_w_offset(m, D), *bh = Wh + 3 * H;
    for (int c = 0; c < 3; c++) {
        float z = bh[c];
        for (uint32_t k = 0; k < H; k++) z += r(Wh[c * H + k]) * xin[k];
        rgb[c] = 1.0f / (1.0f + expf(-z));
    }
}

static void dec_forward(const tt_nn_model *m, const float *P, const float *feat, float *acts, float *ders, float rgb[3])
{
    dec_forward_r(m, P, feat, acts, ders, rgb, keep);
}

void tt_nn_decoder_forward_ref(const tt_nn_model *m, const float *params, const float *feat, float rgb[3])
{
    float acts[TT_NN_MAX_DEPTH * TT_NN_MAX_HIDDEN], ders[TT_NN_MAX_DEPTH * TT_NN_MAX_HIDDEN];
    dec_forward(m, params, feat, acts, ders, rgb);
}

float tt_nn_decoder_backward_ref(const tt_nn_model *m, const float *P, const float *feat, const float target[3],
                                 float scale, float *grad, float *dfeat)
{
    float acts[TT_NN_MAX_DEPTH * TT_NN_MAX_HIDDEN], ders[TT_NN_MAX_DEPTH * TT_NN_MAX_HIDDEN];
    float g[TT_NN_MAX_HIDDEN], gin[TT_NN_MAX_HIDDEN > TT_NN_MAX_ENC_FEATURES ? TT_NN_MAX_HIDDEN : TT_NN_MAX_ENC_FEATURES];
    float rgb[3];
    uint32_t H = m->dec.hidden, D = m->dec.depth;
    dec_forward(m, P, feat, acts, ders, rgb);
    float err = 0, gh[3];
    for (int c = 0; c < 3; c++) {
        float e = rgb[c] - target[c];
        err += e * e;
        gh[c] = 2.0f * e * scale * rgb[c] * (1.0f - rgb[c]); /* d/dz of the head */
    }
    /* Head. */
    uint32_t wo = tt_nn_layer_w_offset(m, D);
    const float *Wh = P + wo;
    const float *xl = acts + (D - 1) * H;
    for (int c = 0; c < 3; c++) {
        for (uint32_t k = 0; k < H; k++) grad[wo + c * H + k] += gh[c] * xl[k];
        grad[wo + 3 * H + c] += gh[c];
    }
    for (uint32_t k = 0; k < H; k++) g[k] = (gh[0] * Wh[k] + gh[1] * Wh[H + k] + gh[2] * Wh[2 * H + k]) * ders[(D - 1) * H + k];
    /* Hidden layers, last to first; g = d loss / d z_l. */
    for (uint32_t l = D; l-- > 0;) {
        uint32_t in = l == 0 ? m->enc_features : H;
        const float *x = l == 0 ? feat : acts + (l - 1) * H;
        uint32_t w = tt_nn_layer_w_offset(m, l), bo = tt_nn_layer_b_offset(m, l);
        const float *W = P + w;
        for (uint32_t j = 0; j < H; j++) {
            for (uint32_t k = 0; k < in; k++) grad[w + j * in + k] += g[j] * x[k];
            grad[bo + j] += g[j];
        }
        for (uint32_t k = 0; k < in; k++) {
            float s = 0;
            for (uint32_t j = 0; j < H; j++) s += W[j * in + k] * g[j];
            gin[k] = s;
        }
        if (l == 0) {
            if (dfeat) memcpy(dfeat, gin, sizeof(float) * in);
        } else {
            for (uint32_t k = 0; k < H; k++) g[k] = gin[k] * ders[(l - 1) * H + k];
        }
    }
    return err;
}

double tt_nn_step_gradient_ref(const tt_nn_model *m, const float *params, const tt_image *img, const tt_nn_train_cfg *c,
                               uint32_t step, float *grad)
{
    uint32_t strip = tt_nn_sample_strip(m->width, m->height, c->batch);
    double sse = 0;
    for (uint32_t i = 0; i < c->batch; i++) {
        uint32_t px = tt_nn_sample_pixel(c->seed, step, i, c->batch, m->width, m->height, strip);
        const uint8_t *t = img->rgba + (size_t)px * 4;
        float tgt[3] = {t[0] / 255.0f, t[1] / 255.0f, t[2] / 255.0f};
        sse += tt_nn_backward_ref(m, params, tt_nn_coord01(px % m->width, m->width), tt_nn_coord01(px / m->width, m->height),
                                  tgt, 1.0f / (3.0f * (float)c->batch), grad);
    }
    return sse;
}

void tt_nn_forward_ref(const tt_nn_model *m, const float *params, float x01, float y01, float rgb[3])
{
    float feat[TT_NN_MAX_ENC_FEATURES];
    m->enc->forward(m, params, x01, y01, feat);
    tt_nn_decoder_forward_ref(m, params, feat, rgb);
}

float tt_nn_backward_ref(const tt_nn_model *m, const float *params, float x01, float y01, const float target[3],
                         float scale, float *grad)
{
    float feat[TT_NN_MAX_ENC_FEATURES], dfeat[TT_NN_MAX_ENC_FEATURES];
    m->enc->forward(m, params, x01, y01, feat);
    float err = tt_nn_decoder_backward_ref(m, params, feat, target, scale, grad, dfeat);
    m->enc->backward(m, params, x01, y01, dfeat, grad);
    return err;
}

double tt_nn_lr_at(const tt_nn_train_cfg *c, uint32_t group, uint32_t step0)
{
    double t = c->iters ? (double)step0 / c->iters : 0.0;
    return c->lr[group] * 0.5 * (1.0 + cos(3.14159265358979323846 * t));
}

void tt_nn_adam_ref(const tt_nn_model *m, const tt_nn_train_cfg *c, uint32_t step0, float *params, const float *grad,
                    float *am, float *av)
{
    double t = step0 + 1.0;
    float bc1 = (float)(1.0 - pow(c->beta1, t)), bc2 = (float)(1.0 - pow(c->beta2, t));
    float lr[2] = {(float)tt_nn_lr_at(c, 0, step0), (float)tt_nn_lr_at(c, 1, step0)};
    for (uint32_t i = 0; i < m->total; i++) {
        float g = grad[i];
        am[i] = c->beta1 * am[i] + (1.0f - c->beta1) * g;
        av[i] = c->beta2 * av[i] + (1.0f - c->beta2) * g * g;
        float mh = am[i] / bc1, vh = av[i] / bc2;
        params[i] -= lr[i < m->dec_offset ? 0 : 1] * mh / (sqrtf(vh) + c->eps);
    }
}

static tt_status decode_ref(const tt_nn_model *m, const float *params, int f16, tt_image *out)
{
    tt_status s = tt_image_alloc(out, m->width, m->height);
    if (s != TT_OK) return s;
    for (uint32_t j = 0; j < m->height; j++)
        for (uint32_t i = 0; i < m->width; i++) {
            float rgb[3], feat[TT_NN_MAX_ENC_FEATURES];
            float acts[TT_NN_MAX_DEPTH * TT_NN_MAX_HIDDEN], ders[TT_NN_MAX_DEPTH * TT_NN_MAX_HIDDEN];
            m->enc->forward(m, params, tt_nn_coord01(i, m->width), tt_nn_coord01(j, m->height), feat);
            dec_forward_r(m, params, feat, acts, ders, rgb, f16 ? round_f16 : keep);
            uint8_t *p = out->rgba + ((size_t)j * m->width + i) * 4;
            for (int c = 0; c < 3; c++) p[c] = (uint8_t)lrintf(fminf(fmaxf(rgb[c], 0.0f), 1.0f) * 255.0f);
            p[3] = 255;
        }
    const tt_postfilter *pf = tt_nn_postfilter_of(m);
    if (!pf) return TT_OK;
    tt_image filtered;
    tt_status s2 = tt_postfilter_apply(pf, out, &filtered);
    tt_image_free(out);
    if (s2 == TT_OK) *out = filtered;
    return s2;
}

tt_status tt_nn_decode_ref(const tt_nn_model *m, const float *params, tt_image *out) { return decode_ref(m, params, 0, out); }
tt_status tt_nn_decode_ref_f16(const tt_nn_model *m, const float *params, tt_image *out) { return decode_ref(m, params, 1, out); }
