/* mip_config.c - mip-chain settings: defaults, validation, the level count, and the checked plan of one chain. */
#include <math.h>
#include <string.h>

#include "mip/tt_mip.h"
#include "mip_abi.h" /* shaders/: TT_MIP_FLAG_* */

void tt_mip_config_init(tt_mip_config *config)
{
    if (!config) return;
    memset(config, 0, sizeof *config);
    config->levels = 0;
    config->filter = TT_MIP_KAISER;
    config->alpha_coverage = -1.0f;
}

tt_status tt_mip_config_validate(const tt_mip_config *c)
{
    if (!c) return tt_fail(TT_ERR_INVALID_ARG, "mip config: missing");
    if (c->levels > TT_MAX_LEVELS)
        return tt_fail(TT_ERR_INVALID_ARG, "mip config: levels %u above %u (0 = the full chain)", c->levels,
                       (unsigned)TT_MAX_LEVELS);
    if ((int)c->filter < (int)TT_MIP_BOX || (int)c->filter > (int)TT_MIP_LANCZOS)
        return tt_fail(TT_ERR_INVALID_ARG, "mip config: unknown filter %d (0 box, 1 kaiser, 2 lanczos)",
                       (int)c->filter);
    if ((c->srgb != 0 && c->srgb != 1) || (c->premultiply != 0 && c->premultiply != 1) ||
        (c->normal_map != 0 && c->normal_map != 1))
        return tt_fail(TT_ERR_INVALID_ARG,
                       "mip config: srgb, premultiply and normal_map must be 0 or 1 (got %d, %d, %d)", c->srgb,
                       c->premultiply, c->normal_map);
    if (isnan(c->alpha_coverage) || c->alpha_coverage > 1.0f)
        return tt_fail(TT_ERR_INVALID_ARG, "mip config: alpha_coverage must be an alpha-test reference in 0..1 "
                                           "(or < 0: off)");
    /* a normal map's RGB is a vector, not a colour that alpha could weight: storing it premultiplied would be a
     * different vector per texel, and the file would claim premultiplied colour it does not hold */
    if (c->normal_map && c->premultiply)
        return tt_fail(TT_ERR_INVALID_ARG, "mip config: premultiply does not apply to a normal map (RGB is a vector)");
    return TT_OK;
}

uint32_t tt_mip_full_count(uint32_t width, uint32_t height)
{
    uint32_t m = width > height ? width : height, n = 1;
    while (m > 1) {
        m >>= 1;
        n++;
    }
    return n;
}

int tt_mip_level0_converts(const tt_mip_plan *plan)
{
    return plan->cfg.premultiply || plan->cfg.normal_map;
}

void tt_mip_levels_free(tt_image *levels, uint32_t n)
{
    for (uint32_t i = 0; levels && i < n; i++) tt_image_free(&levels[i]);
}

tt_status tt_mip_plan_make(const tt_image *img, const tt_mip_config *config, const char *who, tt_mip_plan *plan)
{
    memset(plan, 0, sizeof *plan);
    if (!img || !img->rgba || img->width == 0 || img->height == 0)
        return tt_fail(TT_ERR_INVALID_ARG, "%s: empty image", who);
    if (img->width > TT_MIP_MAX_DIMENSION || img->height > TT_MIP_MAX_DIMENSION ||
        (uint64_t)img->width * img->height > TT_MIP_MAX_PIXELS)
        return tt_fail(TT_ERR_LIMIT, "%s: %ux%u is above the mip builder's limit (sides up to %u, %llu pixels)", who,
                       img->width, img->height, TT_MIP_MAX_DIMENSION, (unsigned long long)TT_MIP_MAX_PIXELS);
    if (config) plan->cfg = *config;
    else tt_mip_config_init(&plan->cfg);
    tt_status st = tt_mip_config_validate(&plan->cfg);
    if (st != TT_OK) return st;
    uint32_t full = tt_mip_full_count(img->width, img->height);
    if (plan->cfg.levels > full)
        return tt_fail(TT_ERR_INVALID_ARG, "%s: %u levels asked, but the full chain of %ux%u has %u", who,
                       plan->cfg.levels, img->width, img->height, full);
    plan->count = plan->cfg.levels ? plan->cfg.levels : full;
    for (uint32_t i = 0; i < plan->count; i++) {
        plan->width[i] = img->width >> i ? img->width >> i : 1;
        plan->height[i] = img->height >> i ? img->height >> i : 1;
    }
    /* sRGB is a transfer function of colour; a normal map's vector is linear data (docs/mips.md, "Normal maps") */
    if (plan->cfg.normal_map) plan->flags |= TT_MIP_FLAG_NORMAL;
    else if (plan->cfg.srgb) plan->flags |= TT_MIP_FLAG_SRGB;
    if (plan->cfg.premultiply) plan->flags |= TT_MIP_FLAG_PREMULTIPLY;
    plan->coverage = plan->cfg.alpha_coverage >= 0.0f;
    if (plan->coverage) {
        uint32_t k = tt_mip_alpha_test_byte(plan->cfg.alpha_coverage);
        plan->coverage_min8 = k;
        /* level 0's alpha bytes are the input's in every mode (premultiply and renormalising keep alpha) */
        size_t n = (size_t)img->width * img->height, pass = 0;
        for (size_t i = 0; i < n; i++) pass += img->rgba[i * 4 + 3] >= k;
        plan->coverage0 = (double)pass / (double)n;
    }
    return TT_OK;
}
