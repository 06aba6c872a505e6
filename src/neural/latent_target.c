/* latent_target.c - rate control: the lambda search (bracket the target by x8 steps, then bisect in log lambda, keeping the best try) and the choice between grid layouts. */
#include "latent_target.h"
#include <math.h>

void tt_latent_search_init(tt_latent_search *s, double target_bpp, double target_psnr, double start_lambda)
{
    *s = (tt_latent_search){.target_bpp = target_bpp > 0 ? target_bpp : 0,
                            .target_psnr = target_bpp > 0 ? 0 : target_psnr,
                            .lambda = start_lambda > 0 ? start_lambda : 1e-3};
    if (s->lambda < TT_LATENT_SEARCH_MIN) s->lambda = TT_LATENT_SEARCH_MIN;
    if (s->lambda > TT_LATENT_SEARCH_MAX) s->lambda = TT_LATENT_SEARCH_MAX;
}

int tt_latent_search_meets(const tt_latent_search *s, double bpp, double psnr)
{
    return s->target_bpp > 0 ? bpp <= s->target_bpp : psnr >= s->target_psnr;
}

int tt_latent_search_record(tt_latent_search *s, double bpp, double psnr)
{
    int want_bpp = s->target_bpp > 0;
    int ok = tt_latent_search_meets(s, bpp, psnr);
    int best_ok = s->have_best && tt_latent_search_meets(s, s->best_bpp, s->best_psnr);
    /* a try that meets the target beats one that does not; among those that meet it, the better other figure wins;
     * among those that do not, the one nearer the target */
    int better = !s->have_best || (ok && !best_ok) ||
                 (ok && best_ok && (want_bpp ? psnr > s->best_psnr : bpp < s->best_bpp)) ||
                 (!ok && !best_ok && (want_bpp ? bpp < s->best_bpp : psnr > s->best_psnr));
    if (better) {
        s->have_best = 1;
        s->best_bpp = bpp;
        s->best_psnr = psnr;
        s->best_lambda = s->lambda;
    }
    /* meeting the target gets easier as lambda grows for a bpp target and harder for a PSNR target */
    int up = want_bpp ? !ok : ok;
    if (ok) s->ok_lambda = s->lambda;
    else s->bad_lambda = s->lambda;
    double next = s->ok_lambda > 0 && s->bad_lambda > 0 ? sqrt(s->ok_lambda * s->bad_lambda)
                  : up                                 ? s->lambda * 8.0
                                                       : s->lambda / 8.0;
    if (next < TT_LATENT_SEARCH_MIN) next = TT_LATENT_SEARCH_MIN;
    if (next > TT_LATENT_SEARCH_MAX) next = TT_LATENT_SEARCH_MAX;
    s->done = next == s->lambda;
    s->lambda = next;
    return better;
}

int tt_latent_grid_shapes(tt_latent_grids grids, tt_latent_grid_shape out[TT_LATENT_MAX_SHAPES])
{
    static const tt_latent_grid_shape low = {8, 8, 2, 4, 2, "low"}, pyramid = {8, 8, 1, 4, 3, "pyramid"},
                                      coarse = {8, 16, 2, 8, 3, "coarse"};
    switch (grids) {
    case TT_LATENT_GRIDS_LOW: out[0] = low; return 1;
    case TT_LATENT_GRIDS_PYRAMID: out[0] = pyramid; return 1;
    case TT_LATENT_GRIDS_COARSE: out[0] = coarse; return 1;
    case TT_LATENT_GRIDS_AUTO: out[0] = low; out[1] = pyramid; out[2] = coarse; return 3;
    default: return 0;
    }
}

double tt_latent_rd_cost(double psnr_rgb, double bpp, double lambda)
{
    return pow(10.0, -psnr_rgb / 10.0) + lambda * bpp;
}
