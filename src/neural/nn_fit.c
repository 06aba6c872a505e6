/* nn_fit.c - training a model in chunks with progress and cancellation, and measuring .tnx bytes, with all state per call. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "neural/nn_fit.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

tt_status tt_nn_train_steps(tt_nn_trainer *tr, const char *stage, uint32_t steps, uint32_t chunk, uint32_t align,
                            tt_nn_progress_fn fn, void *user, tt_nn_run_stats *out)
{
    tt_nn_run_stats st = {.gpu_ms_ok = 1, .last_loss = NAN};
    if (chunk == 0 || chunk > steps) chunk = steps ? steps : 1;
    float *losses = malloc(sizeof(float) * chunk);
    if (!losses) return tt_fail(TT_ERR_NOMEM, "%s: out of memory", stage);
    const uint32_t start = tr->step;
    uint32_t done = 0;
    tt_nn_progress p = {.stage = stage, .total = steps, .losses = losses, .trainer = tr};
    tt_status s = TT_OK;
    if (fn && fn(user, &p)) s = tt_fail(TT_ERR_CANCELLED, "%s: cancelled", stage);
    while (s == TT_OK && done < steps) {
        uint32_t k = steps - done < chunk ? steps - done : chunk;
        if (align) {
            /* e.g. snapshots: a chunk ends on every multiple of align */
            uint32_t next = (done / align + 1) * align;
            if (next - done < k) k = next - done;
        }
        double t0 = now_s(), gms = -1;
        s = tt_nn_trainer_run(tr, k, &gms);
        if (s != TT_OK) break;
        if (gms < 0) st.gpu_ms_ok = 0;
        else st.gpu_ms += gms;
        if (fn) s = tt_nn_trainer_losses(tr, start + done, start + done + k, losses);
        st.seconds += now_s() - t0;
        if (s != TT_OK) break;
        done += k;
        if (fn) {
            st.last_loss = losses[k - 1];
            p.done = done;
            p.n_losses = k;
            p.seconds = st.seconds;
            if (fn(user, &p)) s = tt_fail(TT_ERR_CANCELLED, "%s: cancelled", stage);
        }
    }
    if (s == TT_OK && !fn && done > 0) s = tt_nn_trainer_losses(tr, start + done - 1, start + done, &st.last_loss);
    free(losses);
    if (out) *out = st;
    return s;
}

tt_status tt_nn_fit(tt_vk *vk, const tt_nn_model *m, const tt_image *img, const tt_nn_train_cfg *tc,
                    const tt_nn_fit_opts *fo, float *params, tt_nn_run_stats *stats)
{
    tt_nn_trainer *tr = NULL;
    tt_status s = tt_nn_trainer_create(vk, m, params, img, tc, &tr);
    if (s == TT_OK)
        s = tt_nn_train_steps(tr, "train", tc->iters, fo ? fo->chunk : 0, fo ? fo->align : 0, fo ? fo->progress : NULL,
                              fo ? fo->user : NULL, stats);
    if (s == TT_OK) s = tt_nn_trainer_get_params(tr, params);
    tt_nn_trainer_destroy(tr);
    return s;
}

tt_status tt_nn_measure_tnx(tt_vk *vk, const uint8_t *bytes, size_t size, const tt_image *ref, int repeats,
                            const tt_nn_tuning *tune, tt_metrics *met, tt_image *decoded, double *gpu_ms,
                            int *decode_f16)
{
    tt_nn_model m;
    float *params = NULL;
    tt_image img = {0};
    tt_status s = tt_tnx_decode(bytes, size, "(in memory)", &m, &params, NULL);
    if (s != TT_OK) return s;
    s = tt_nn_decode_gpu_tuned(vk, &m, params, repeats, &img, gpu_ms, tune);
    if (s == TT_OK) s = tt_compare_images(ref, &img, met);
    if (s == TT_OK && decode_f16) *decode_f16 = tt_nn_decode_f16_tuned(vk, &m, tune);
    if (s == TT_OK && decoded) *decoded = img;
    else tt_image_free(&img);
    free(params);
    tt_nn_model_release(&m);
    return s;
}
