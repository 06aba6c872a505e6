/* tt_mip.h - the mip-chain builder's internals, shared by its C reference (mip_ref.c) and its GPU driver (mip_gpu.c): the plan of a chain, the decode and weight tables, the texel steps, the alpha-coverage scale. */
#ifndef TT_MIP_H
#define TT_MIP_H

#include <stddef.h>
#include <stdint.h>

#include "tinytex.h"

/* Largest level 0 the builder takes: the image loader's default pixel limit (16384 x 16384), and sides up to the
 * 65536 that TT_MAX_LEVELS allows. Checked before anything is allocated. */
#define TT_MIP_MAX_PIXELS (1ull << 28)
#define TT_MIP_MAX_DIMENSION 65536u

/* A validated chain: the config with its defaults resolved, the level count and sizes (floor rule), and the
 * alpha-coverage target measured on level 0. */
typedef struct {
    tt_mip_config cfg;
    uint32_t count;
    uint32_t width[TT_MAX_LEVELS], height[TT_MAX_LEVELS];
    uint32_t flags;              /* TT_MIP_FLAG_* of shaders/mip_abi.h (FROM8 left out) */
    int coverage;                /* 1 = alpha coverage on */
    uint32_t coverage_min8;      /* an output alpha byte passes the test when >= this: the least k with k/255 >= ref */
    double coverage0;            /* share of level 0's texels that pass */
} tt_mip_plan;

/* Checks the arguments, the config and the image limits, and fills `plan` (who names the caller in messages). */
tt_status tt_mip_plan_make(const tt_image *img, const tt_mip_config *config, const char *who, tt_mip_plan *plan);

/* The table buffer of shaders/mip_abi.h: the three decode tables, then each level's weights. */
typedef struct {
    uint32_t *words;
    size_t n_words;
    uint32_t taps_x[TT_MAX_LEVELS], taps_y[TT_MAX_LEVELS];  /* per level i >= 1 */
    uint32_t tab_x[TT_MAX_LEVELS], tab_y[TT_MAX_LEVELS];    /* first word of the level's x, y entries */
} tt_mip_tables;

tt_status tt_mip_tables_make(const tt_mip_plan *plan, tt_mip_tables *out);
void tt_mip_tables_free(tt_mip_tables *t);
/* A float of the table (decode tables or weights). */
static inline float tt_mip_tab_float(const tt_mip_tables *t, size_t word)
{
    union { uint32_t u; float f; } v = {t->words[word]};
    return v.f;
}

/* The texel steps of shaders/mip_common.glsl, operation for operation: level 0's RGBA8 word to a chain texel, the
 * clamp after each level, a chain texel to an RGBA8 word with alpha scaled by s. */
void tt_mip_decode8(const tt_mip_tables *t, uint32_t flags, uint32_t rgba, float out[4]);
void tt_mip_clamp(uint32_t flags, float v[4]);
uint32_t tt_mip_store(uint32_t flags, const float v[4], float s);
/* The alpha byte tt_mip_store writes for alpha a and scale s. */
uint32_t tt_mip_alpha8(float a, float s);

/* The least byte k with k / 255 >= ref (a float within 1e-4 / 255 of k / 255 counts as k / 255): an alpha byte
 * passes an alpha test of ref when >= k (the coverage count, and the BC7 encoder's alpha test,
 * tt_bc7_alpha_test_fix). */
uint8_t tt_mip_alpha_test_byte(float ref);
/* The alpha scale of one level (docs/mips.md, "Alpha coverage"): from the float alphas of its texels (rgba: 4 floats
 * a texel, alpha last), the s > 0 that brings the share of texels passing the alpha test closest to level 0's; 1 when
 * unscaled alpha is already as close. NOMEM only. */
tt_status tt_mip_coverage_scale(const tt_mip_plan *plan, const float *rgba, size_t texels, float *scale);

/* Level 0 as the chain stores it: the input unchanged unless premultiply or normal_map ask for a conversion. */
int tt_mip_level0_converts(const tt_mip_plan *plan);

void tt_mip_levels_free(tt_image *levels, uint32_t n);

#endif
