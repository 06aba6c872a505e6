/* latent_target.h - the lambda search behind --target-bpp / --target-psnr (and tt_latent_config's targets): which lambda to train next, and which try to keep. */
#ifndef TT_LATENT_TARGET_H
#define TT_LATENT_TARGET_H

#include "tinytex.h"

/* Both bits per pixel and PSNR fall as lambda grows. A bpp target wants the smallest lambda whose file is at most
 * target_bpp (the best PSNR that fits); a PSNR target the largest lambda whose file still reaches target_psnr dB (the
 * smallest file that does). From the start lambda the search steps by x8 until the target is bracketed, then halves
 * the bracket geometrically. Every try is a full training measured from its written file; the caller keeps the bytes
 * of the try tt_latent_search_record calls the best so far. */
typedef struct {
    double target_bpp, target_psnr;    /* exactly one > 0 */
    double lambda;                     /* the lambda to train next */
    double ok_lambda, bad_lambda;      /* bracket ends, 0 = not yet */
    int have_best;
    int done;                          /* lambda is at a bound it cannot pass: no try can be nearer the target */
    double best_bpp, best_psnr, best_lambda;
} tt_latent_search;

/* The lambdas the search tries stay in [TT_LATENT_SEARCH_MIN, TT_LATENT_SEARCH_MAX] (the range the library
 * validates; a lambda of 0 would switch rate-aware training off). */
#define TT_LATENT_SEARCH_MIN 1e-7
#define TT_LATENT_SEARCH_MAX 1000.0
/* start_lambda <= 0 starts at 1e-3 (clamped into the range above). */
void tt_latent_search_init(tt_latent_search *s, double target_bpp, double target_psnr, double start_lambda);
/* Whether a file of bpp / psnr meets the target. */
int tt_latent_search_meets(const tt_latent_search *s, double bpp, double psnr);
/* Records the try just made at s->lambda; returns 1 when it is the best so far (keep its bytes), 0 otherwise, and
 * moves s->lambda to the next one (sets s->done when it would have to leave the range: stop there). */
int tt_latent_search_record(tt_latent_search *s, double bpp, double psnr);

/* Named grid layouts (tt_latent_grids): which grids a rate-aware model trains. "low" (lo 8 channels at 1/8, two hi
 * grids of 2 channels at 1/4 and 1/2) wins under about 1 bpp, "pyramid" (lo 8 at 1/8, one channel at 1/4, 1/2 and
 * 1/1) above it (docs/rd.md, "Grid layouts"), "coarse" (lo 8 at 1/16, 2 channels at 1/8, 1/4 and 1/2) on some images
 * around 0.5 bpp (docs/rd.md, "Post-filter"); "auto" trains the three and keeps the file of the lowest
 * tt_latent_rd_cost. */
typedef struct { unsigned ch_lo, scale_lo, ch_hi, scale_hi, hi_levels; const char *name; } tt_latent_grid_shape;
#define TT_LATENT_MAX_SHAPES 3
/* The layouts a tt_latent_grids value trains, written to out; returns how many: 0 for custom (the caller's own
 * fields), 1 for low, pyramid or coarse, 3 for auto. */
int tt_latent_grid_shapes(tt_latent_grids grids, tt_latent_grid_shape out[TT_LATENT_MAX_SHAPES]);
/* The Lagrangian cost of a file at the lambda it was trained for: MSE (RGB, on [0, 1], from its PSNR) + lambda * bits
 * per pixel of the whole file, the quantity rate-aware training minimises (there with the grids' estimated bits); of
 * two files trained at one lambda, the lower cost is the better trade at that slope. */
double tt_latent_rd_cost(double psnr_rgb, double bpp, double lambda);

#endif
