/* latent_codec.c - stage 2 of a latent model: the grids stored as the file will hold them, then the decoder fine-tuned on what a lossy storage gives back. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "neural/latent_target.h"
#include "neural/nn_fit.h"

void tt_latent_fit_quantize(const tt_nn_model *m, uint32_t tc_iters, float *params)
{
    tt_latent_layout lay;
    if (m->latent.qat_bits == 0 || tc_iters <= m->latent.qat_start || tt_latent_layout_of(m, &lay) != TT_OK) return;
    float step = tt_latent_cfg_step(&m->latent);
    if (step > 0) tt_latent_quantize_step(&lay, params, (int)m->latent.qat_bits, step, params);
    else tt_latent_quantize(&lay, params, (int)m->latent.qat_bits, params, NULL, NULL);
}

void tt_latent_code_result_free(tt_latent_code_result *r)
{
    free(r->bytes);
    memset(r, 0, sizeof *r);
}

/* Fine-tunes the decoder part of `coded` (the parameters decoded from the file: m_coded) on img with the grids
 * frozen as they are. */
static tt_status finetune(tt_vk *vk, const tt_nn_model *m_coded, float *coded, const tt_image *img,
                          const tt_nn_train_cfg *tc, const tt_latent_code_opts *o, tt_latent_code_result *out)
{
    tt_nn_train_cfg fc = *tc;
    fc.iters = o->finetune_steps;
    fc.seed = tc->seed + 0x9E37u;
    fc.lr[TT_NN_GROUP_ENC] = 0.0f;
    fc.lr[TT_NN_GROUP_NET] = o->finetune_lr;
    tt_nn_model mf = *m_coded;
    mf.latent.qat_start = UINT32_MAX; /* grids are final: no QAT pass */
    tt_nn_trainer *tr = NULL;
    tt_status s = tt_nn_trainer_create(vk, &mf, coded, img, &fc, &tr);
    if (s == TT_OK) {
        tr->flags |= TT_LATENT_FLAG_FROZEN;
        uint32_t chunk = o->fit.chunk && o->fit.chunk < fc.iters ? o->fit.chunk : fc.iters;
        tt_nn_run_stats st;
        s = tt_nn_train_steps(tr, "finetune", fc.iters, chunk, 0, o->fit.progress, o->fit.user, &st);
        out->finetune_seconds = st.seconds;
        out->finetune_gpu_ms = st.gpu_ms;
    }
    if (s == TT_OK) s = tt_nn_trainer_get_params(tr, coded);
    tt_nn_trainer_destroy(tr);
    return s;
}

/* Fits the post-filter to `decoded`, the image the device rebuilt from out->bytes (which model/params/so wrote;
 * measured as out->final) and, where it lowers MSE + lambda * bpp with its own bytes counted, writes the file again
 * with it and measures that file. lambda is the trained model's: a model read back from a file (the fine-tuned one)
 * does not keep it. */
static tt_status add_post_filter(tt_vk *vk, const tt_nn_model *model, const float *params, const tt_nn_save_opts *so,
                                 const tt_image *img, const tt_image *decoded, const tt_nn_train_cfg *tc,
                                 double lambda, tt_latent_code_result *out)
{
    tt_image filtered = {0};
    tt_postfilter pf;
    tt_metrics met;
    uint8_t *bytes = NULL;
    size_t size = 0;
    tt_status s = tt_postfilter_fit(img, decoded, &pf);
    if (s != TT_OK || !pf.on) goto done;
    s = tt_postfilter_apply(&pf, decoded, &filtered);
    if (s == TT_OK) s = tt_compare_images(img, &filtered, &met);
    if (s != TT_OK) goto done;
    double px = (double)img->width * img->height;
    size_t with = out->size + 12 + TT_PF_PAYLOAD;
    if (!(tt_latent_rd_cost(met.psnr_rgb, with * 8.0 / px, lambda) <
          tt_latent_rd_cost(out->final.psnr_rgb, out->size * 8.0 / px, lambda)))
        goto done;
    tt_nn_model mf = *model;
    mf.latent.post = pf;
    s = tt_tnx_encode(&mf, params, so, &bytes, &size);
    if (s == TT_OK && size != with)
        s = tt_fail(TT_ERR_FORMAT, "latent: the file with its post-filter is %zu bytes, not %zu", size, with);
    tt_metrics fin;
    if (s == TT_OK) s = tt_nn_measure_tnx(vk, bytes, size, img, 1, &tc->tune, &fin, NULL, NULL, NULL);
    /* the device's filter pass and the C reference are the same integer arithmetic: same image, same PSNR */
    if (s == TT_OK && fin.psnr_rgb != met.psnr_rgb)
        s = tt_fail(TT_ERR_VULKAN, "latent: the device's post-filter gives %.4f dB, the C reference %.4f dB",
                    fin.psnr_rgb, met.psnr_rgb);
    if (s != TT_OK) goto done;
    free(out->bytes);
    out->bytes = bytes;
    out->size = size;
    out->final = fin;
    out->post_filtered = 1;
    bytes = NULL;
done:
    free(bytes);
    tt_image_free(&filtered);
    return s;
}

tt_status tt_latent_code(tt_vk *vk, const tt_nn_model *m, const float *params, const tt_image *img,
                         const tt_nn_train_cfg *tc, const tt_latent_code_opts *o, tt_latent_code_result *out)
{
    memset(out, 0, sizeof *out);
    if (m->latent.post.on) /* the fit below assumes the network's own image */
        return tt_fail(TT_ERR_INVALID_ARG, "latent: the model to code already has a post-filter");
    tt_nn_save_opts so = {0};
    so.precision = o->precision;
    so.jpeg_quality = o->jpeg_quality;
    so.latent_codec = TT_LATENT_SAVE_OPT(o->codec, o->pack);
    tt_nn_model mc;
    memset(&mc, 0, sizeof mc);
    float *coded = NULL;
    uint8_t *section = NULL;
    size_t section_size = 0;
    float *grid = NULL;
    tt_image decoded = {0};   /* the final file's image, for the post-filter's fit */
    tt_image *want = o->post_filter ? &decoded : NULL;
    const tt_nn_model *final_model = m;
    const float *final_params = params;
    tt_status s = tt_tnx_encode(m, params, &so, &out->bytes, &out->size);
    if (s == TT_OK) s = tt_tnx_decode(out->bytes, out->size, "(in memory)", &mc, &coded, NULL);
    if (s != TT_OK) goto done;
    out->coded_size = out->size;
    s = tt_nn_measure_tnx(vk, out->bytes, out->size, img, 1, &tc->tune, &out->coded,
                          o->finetune_steps == 0 ? want : NULL, NULL, NULL);
    out->final = out->coded;
    if (s != TT_OK || o->finetune_steps == 0) goto filter;

    /* Lossy codecs do not reproduce their own output when run again: the re-saved file keeps the very section whose
     * decoded grids the decoder is tuned on (the bytes the first encode wrote, made again from the same grids). */
    tt_latent_layout lay;
    tt_latent_store_opts lso;
    tt_latent_layout_of(m, &lay);
    tt_latent_store_opts_init(&lso);
    lso.codec = o->codec;
    lso.pack = o->pack;
    lso.jpeg_quality = o->jpeg_quality;
    if (m->latent.qat_bits > 0) lso.step = tt_latent_cfg_step(&m->latent);   /* as latent_write_params */
    s = tt_latent_store(&lay, params, (int)m->latent.qat_bits, &lso, &section, &section_size);
    if (s == TT_OK && !(grid = malloc(sizeof(float) * (size_t)mc.enc_count)))
        s = tt_fail(TT_ERR_NOMEM, "latent: out of memory");
    if (s == TT_OK) memcpy(grid, coded, sizeof(float) * (size_t)mc.enc_count);
    if (s == TT_OK) s = finetune(vk, &mc, coded, img, tc, o, out);
    if (s != TT_OK) goto done;
    /* the fine-tuning leaves the grids as decoded, so the section is kept */
    so.keep_section = section;
    so.keep_section_size = section_size;
    so.keep_grid = grid;
    free(out->bytes);
    out->bytes = NULL;
    size_t n = 0;
    s = tt_tnx_encode(&mc, coded, &so, &out->bytes, &n);
    if (s != TT_OK) goto done;
    out->size = n;
    if (n != out->coded_size)
        s = tt_fail(TT_ERR_FORMAT, "latent: re-saved file changed size (%zu -> %zu bytes)", out->coded_size, n);
    if (s == TT_OK) s = tt_nn_measure_tnx(vk, out->bytes, out->size, img, 1, &tc->tune, &out->final, want, NULL, NULL);
    final_model = &mc;
    final_params = coded;
filter:
    out->unfiltered = out->final;
    if (s == TT_OK && o->post_filter)
        s = add_post_filter(vk, final_model, final_params, &so, img, &decoded, tc, tt_latent_cfg_lambda(&m->latent), out);
done:
    tt_image_free(&decoded);
    free(section);
    free(grid);
    free(coded);
    tt_nn_model_release(&mc);
    if (s != TT_OK) tt_latent_code_result_free(out);
    return s;
}
