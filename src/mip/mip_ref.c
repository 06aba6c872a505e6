/* mip_ref.c - the C reference of the mip-chain builder (tt_mip_build_cpu): the float chain filtered level by level as shaders/mip_filter.comp does, stored as shaders/mip_store.comp does. */
#include <stdlib.h>
#include <string.h>

#include "mip/tt_mip.h"

static uint32_t word_at(const uint8_t *rgba, size_t i)
{
    const uint8_t *p = rgba + i * 4;
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void put_word(uint8_t *rgba, size_t i, uint32_t w)
{
    uint8_t *p = rgba + i * 4;
    p[0] = (uint8_t)w;
    p[1] = (uint8_t)(w >> 8);
    p[2] = (uint8_t)(w >> 16);
    p[3] = (uint8_t)(w >> 24);
}

static int32_t clamp_i(int32_t v, int32_t hi)
{
    return v < 0 ? 0 : v > hi ? hi : v;
}

/* Level i (>= 1) from level i - 1: level 0's RGBA8 (src8) or the float level before (srcf). The shader sums, for
 * each of its y taps, that source row over its x taps, then the rows over y; here each source row's x sums are
 * made once into a ring of taps_y rows (the rows one destination row needs are taps_y consecutive clamped indices,
 * so index % taps_y never collides), and the same sums come out in the same order. */
static tt_status filter_level(const tt_mip_plan *plan, const tt_mip_tables *t, uint32_t i, const uint8_t *src8,
                              const float *srcf, float *dst)
{
    uint32_t sw = plan->width[i - 1], sh = plan->height[i - 1], dw = plan->width[i], dh = plan->height[i];
    uint32_t nx = t->taps_x[i], ny = t->taps_y[i];
    float *ring = malloc((size_t)ny * dw * 4 * sizeof *ring);
    float *decoded = src8 ? malloc((size_t)sw * 4 * sizeof *decoded) : NULL;
    int64_t *ring_row = malloc(ny * sizeof *ring_row);
    if (!ring || !ring_row || (src8 && !decoded)) {
        free(ring);
        free(decoded);
        free(ring_row);
        return tt_fail(TT_ERR_NOMEM, "mip level %u: out of memory for the filter rows", i);
    }
    for (uint32_t k = 0; k < ny; k++) ring_row[k] = -1;
    for (uint32_t dy = 0; dy < dh; dy++) {
        size_t ey = t->tab_y[i] + (size_t)dy * (ny + 1);
        int32_t y0 = (int32_t)t->words[ey];
        for (uint32_t ky = 0; ky < ny; ky++) {
            int32_t sy = clamp_i(y0 + (int32_t)ky, (int32_t)sh - 1);
            uint32_t slot = (uint32_t)sy % ny;
            if (ring_row[slot] == sy) continue;
            ring_row[slot] = sy;
            const float *row_src = srcf ? srcf + (size_t)sy * sw * 4 : decoded;
            if (src8)
                for (uint32_t x = 0; x < sw; x++)
                    tt_mip_decode8(t, plan->flags, word_at(src8, (size_t)sy * sw + x), decoded + (size_t)x * 4);
            float *out = ring + (size_t)slot * dw * 4;
            for (uint32_t dx = 0; dx < dw; dx++) {
                size_t ex = t->tab_x[i] + (size_t)dx * (nx + 1);
                int32_t x0 = (int32_t)t->words[ex];
                float row[4] = {0.0f, 0.0f, 0.0f, 0.0f};
                for (uint32_t kx = 0; kx < nx; kx++) {
                    float w = tt_mip_tab_float(t, ex + 1 + kx);
                    const float *s = row_src + (size_t)clamp_i(x0 + (int32_t)kx, (int32_t)sw - 1) * 4;
                    for (int c = 0; c < 4; c++) row[c] += w * s[c];
                }
                memcpy(out + (size_t)dx * 4, row, sizeof row);
            }
        }
        for (uint32_t dx = 0; dx < dw; dx++) {
            float acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};
            for (uint32_t ky = 0; ky < ny; ky++) {
                float w = tt_mip_tab_float(t, ey + 1 + ky);
                uint32_t slot = (uint32_t)clamp_i(y0 + (int32_t)ky, (int32_t)sh - 1) % ny;
                const float *r = ring + ((size_t)slot * dw + dx) * 4;
                for (int c = 0; c < 4; c++) acc[c] += w * r[c];
            }
            tt_mip_clamp(plan->flags, acc);
            memcpy(dst + ((size_t)dy * dw + dx) * 4, acc, sizeof acc);
        }
    }
    free(ring);
    free(decoded);
    free(ring_row);
    return TT_OK;
}

tt_status tt_mip_build_cpu(const tt_image *img, const tt_mip_config *config, tt_image *levels, uint32_t *count)
{
    if (count) *count = 0;
    if (!levels || !count) return tt_fail(TT_ERR_INVALID_ARG, "tt_mip_build_cpu: levels and count must not be NULL");
    memset(levels, 0, TT_MAX_LEVELS * sizeof *levels);
    tt_mip_plan plan;
    tt_status st = tt_mip_plan_make(img, config, "tt_mip_build_cpu", &plan);
    if (st != TT_OK) return st;
    tt_mip_tables tab = {0};
    float *prev = NULL, *cur = NULL;
    st = tt_mip_tables_make(&plan, &tab);
    for (uint32_t i = 0; st == TT_OK && i < plan.count; i++) {
        st = tt_image_alloc(&levels[i], plan.width[i], plan.height[i]);
        levels[i].source_channels = img->source_channels;
        levels[i].source_bits = img->source_bits;
    }
    if (st != TT_OK) goto done;

    size_t n0 = (size_t)img->width * img->height;
    if (tt_mip_level0_converts(&plan)) {
        for (size_t k = 0; k < n0; k++) {
            float v[4];
            tt_mip_decode8(&tab, plan.flags, word_at(img->rgba, k), v);
            put_word(levels[0].rgba, k, tt_mip_store(plan.flags, v, 1.0f));
        }
    } else {
        memcpy(levels[0].rgba, img->rgba, n0 * 4);
    }
    for (uint32_t i = 1; i < plan.count; i++) {
        size_t n = (size_t)plan.width[i] * plan.height[i];
        cur = malloc(n * 4 * sizeof *cur);
        if (!cur) {
            st = tt_fail(TT_ERR_NOMEM, "tt_mip_build_cpu: out of memory for level %u (%ux%u)", i, plan.width[i],
                         plan.height[i]);
            goto done;
        }
        st = filter_level(&plan, &tab, i, i == 1 ? img->rgba : NULL, prev, cur);
        float s = 1.0f;
        if (st == TT_OK && plan.coverage) st = tt_mip_coverage_scale(&plan, cur, n, &s);
        if (st != TT_OK) goto done;
        for (size_t k = 0; k < n; k++) put_word(levels[i].rgba, k, tt_mip_store(plan.flags, cur + k * 4, s));
        free(prev);
        prev = cur;
        cur = NULL;
    }
    *count = plan.count;

done:
    free(prev);
    free(cur);
    tt_mip_tables_free(&tab);
    if (st != TT_OK) tt_mip_levels_free(levels, TT_MAX_LEVELS);
    return st;
}
