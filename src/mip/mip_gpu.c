/* mip_gpu.c - builds a mip chain on the device: level 0 uploaded once, every level filtered from the float level before it (shaders/mip_filter.comp) and stored to RGBA8 (shaders/mip_store.comp), in one submission. */
#include <stdlib.h>
#include <string.h>

#include "mip/tt_mip_gpu.h"
#include "mip_abi.h" /* shaders/: push constants, bindings, workgroup size */

enum { PIPE_FILTER, PIPE_STORE, PIPE_COUNT };

/* One store pass of level i: the float level (or level 0's words, i == 0) to level i's words, alpha scaled by s. */
static void record_store(tt_vk *vk, tt_vk_pipeline *pipe, const tt_mip_plan *plan, uint32_t i, tt_vk_buffer *src8,
                         tt_vk_buffer *srcf, tt_vk_buffer *dst8, tt_vk_buffer *tab, float s)
{
    tt_mip_push push = {.src_w = plan->width[i], .src_h = plan->height[i], .dst_w = plan->width[i],
                        .dst_h = plan->height[i], .flags = plan->flags | (i == 0 ? TT_MIP_FLAG_FROM8 : 0u),
                        .scale = s};
    /* unused bindings get the table buffer, which no pass writes */
    tt_vk_buffer *bufs[TT_MIP_BINDINGS] = {src8, i == 0 ? tab : srcf, tab, dst8, tab};
    tt_vk_dispatch(vk, pipe, bufs, &push, plan->width[i], plan->height[i], 1);
}

/* The filter passes of levels 1.. from level 0's words in src8, and (without alpha coverage, whose scales the host
 * computes first) the store passes of every level into out8 (level 0's only where the plan converts it). */
static void record_chain(tt_vk *vk, tt_vk_pipeline *const *pipes, const tt_mip_plan *plan, const tt_mip_tables *tab,
                         tt_vk_buffer *src8, tt_vk_buffer *fl, tt_vk_buffer *out8, tt_vk_buffer *tabbuf)
{
    if (tt_mip_level0_converts(plan))
        record_store(vk, pipes[PIPE_STORE], plan, 0, src8, NULL, &out8[0], tabbuf, 1.0f);
    for (uint32_t i = 1; i < plan->count; i++) {
        if (i > 1) {
            tt_vk_barrier(vk);
            if (!plan->coverage)
                record_store(vk, pipes[PIPE_STORE], plan, i - 1, src8, &fl[i - 1], &out8[i - 1], tabbuf, 1.0f);
        }
        tt_mip_push push = {.src_w = plan->width[i - 1], .src_h = plan->height[i - 1], .dst_w = plan->width[i],
                            .dst_h = plan->height[i], .flags = plan->flags | (i == 1 ? TT_MIP_FLAG_FROM8 : 0u),
                            .taps_x = tab->taps_x[i], .taps_y = tab->taps_y[i], .tab_x = tab->tab_x[i],
                            .tab_y = tab->tab_y[i], .scale = 1.0f};
        tt_vk_buffer *bufs[TT_MIP_BINDINGS] = {src8, i == 1 ? tabbuf : &fl[i - 1], &fl[i], tabbuf, tabbuf};
        tt_vk_dispatch(vk, pipes[PIPE_FILTER], bufs, &push, plan->width[i], plan->height[i], 1);
    }
    if (plan->count > 1 && !plan->coverage) {
        tt_vk_barrier(vk);
        uint32_t last = plan->count - 1;
        record_store(vk, pipes[PIPE_STORE], plan, last, src8, &fl[last], &out8[last], tabbuf, 1.0f);
    }
}

tt_status tt_mip_build_gpu(tt_vk *vk, const tt_image *img, const tt_mip_config *config, tt_image *levels,
                           uint32_t *count, double *gpu_ms)
{
    if (count) *count = 0;
    if (gpu_ms) *gpu_ms = -1.0;
    double ms = -1.0, ms2 = 0.0;
    if (!vk || !levels || !count)
        return tt_fail(TT_ERR_INVALID_ARG, "tt_mip_build: the device, levels and count must not be NULL");
    memset(levels, 0, TT_MAX_LEVELS * sizeof *levels);
    tt_mip_plan plan;
    tt_status st = tt_mip_plan_make(img, config, "tt_mip_build", &plan);
    if (st != TT_OK) return st;
    /* the largest buffers: level 0's words and level 1's floats (each 4 bytes a level-0 texel at most) */
    uint64_t bytes0 = 4ull * img->width * img->height;
    uint64_t bytes1 = plan.count > 1 ? 16ull * plan.width[1] * plan.height[1] : 0;
    uint64_t range = tt_vk_get_caps(vk)->max_storage_buffer_range;
    if (bytes0 > range || bytes1 > range)
        return tt_fail(TT_ERR_LIMIT, "tt_mip_build: %ux%u needs buffers of %llu bytes, above the device's storage "
                                     "buffer range of %llu bytes",
                       img->width, img->height, (unsigned long long)(bytes0 > bytes1 ? bytes0 : bytes1),
                       (unsigned long long)range);

    tt_mip_tables tab = {0};
    tt_vk_pipeline *pipes[PIPE_COUNT] = {NULL};
    tt_vk_buffer src8 = {0}, tabbuf = {0}, fl[TT_MAX_LEVELS], out8[TT_MAX_LEVELS];
    memset(fl, 0, sizeof fl);
    memset(out8, 0, sizeof out8);
    float *host = NULL;
    int level0_gpu = tt_mip_level0_converts(&plan);

    st = tt_mip_tables_make(&plan, &tab);
    for (uint32_t i = 0; st == TT_OK && i < plan.count; i++) {
        st = tt_image_alloc(&levels[i], plan.width[i], plan.height[i]);
        levels[i].source_channels = img->source_channels;
        levels[i].source_bits = img->source_bits;
    }
    static const char *const names[PIPE_COUNT] = {"mip_filter", "mip_store"};
    if (st == TT_OK)
        st = tt_vk_pipelines_create(vk, PIPE_COUNT, names, TT_MIP_BINDINGS, sizeof(tt_mip_push), NULL, 0,
                                    TT_MIP_LOCAL_SIZE, TT_MIP_LOCAL_SIZE, 1, pipes);
    if (st == TT_OK) st = tt_vk_buffer_create(vk, bytes0, TT_MEM_DEVICE, &src8);
    if (st == TT_OK) st = tt_vk_buffer_create(vk, tab.n_words * 4, TT_MEM_DEVICE, &tabbuf);
    for (uint32_t i = 0; st == TT_OK && i < plan.count; i++) {
        uint64_t n = (uint64_t)plan.width[i] * plan.height[i];
        if (i > 0) st = tt_vk_buffer_create(vk, 16 * n, TT_MEM_DEVICE, &fl[i]);
        if (st == TT_OK && (i > 0 || level0_gpu)) st = tt_vk_buffer_create(vk, 4 * n, TT_MEM_DEVICE, &out8[i]);
    }
    if (st == TT_OK) st = tt_vk_upload(vk, &src8, 0, img->rgba, bytes0);
    if (st == TT_OK) st = tt_vk_upload(vk, &tabbuf, 0, tab.words, tab.n_words * 4);
    if (st != TT_OK) goto done;

    /* Filter i reads level i - 1's floats and the store of level i - 1 reads them too: both run after the barrier
     * that follows filter i - 1. With alpha coverage, the stores wait for the scales the host computes from the
     * float levels (the chain itself goes on from the unscaled levels). */
    st = tt_vk_begin(vk);
    if (st != TT_OK) goto done;
    record_chain(vk, pipes, &plan, &tab, &src8, fl, out8, &tabbuf);
    st = tt_vk_submit(vk, &ms);

    if (st == TT_OK && plan.coverage && plan.count > 1) {
        float scale[TT_MAX_LEVELS];
        host = malloc(bytes1);
        if (!host) st = tt_fail(TT_ERR_NOMEM, "tt_mip_build: out of memory for %llu bytes of level 1",
                                (unsigned long long)bytes1);
        for (uint32_t i = 1; st == TT_OK && i < plan.count; i++) {
            size_t n = (size_t)plan.width[i] * plan.height[i];
            st = tt_vk_download(vk, &fl[i], 0, host, 16 * (uint64_t)n);
            if (st == TT_OK) st = tt_mip_coverage_scale(&plan, host, n, &scale[i]);
        }
        if (st == TT_OK) st = tt_vk_begin(vk);
        if (st == TT_OK) {
            for (uint32_t i = 1; i < plan.count; i++)
                record_store(vk, pipes[PIPE_STORE], &plan, i, &src8, &fl[i], &out8[i], &tabbuf, scale[i]);
            st = tt_vk_submit(vk, &ms2);
            ms = ms < 0.0 || ms2 < 0.0 ? -1.0 : ms + ms2;
        }
    }
    if (st == TT_OK && !level0_gpu) memcpy(levels[0].rgba, img->rgba, bytes0);
    for (uint32_t i = level0_gpu ? 0 : 1; st == TT_OK && i < plan.count; i++)
        st = tt_vk_download(vk, &out8[i], 0, levels[i].rgba, 4ull * plan.width[i] * plan.height[i]);
    if (st == TT_OK) *count = plan.count;
    if (st == TT_OK && gpu_ms) *gpu_ms = ms;

done:
    free(host);
    tt_vk_buffer_destroy(vk, &src8);
    tt_vk_buffer_destroy(vk, &tabbuf);
    for (uint32_t i = 0; i < TT_MAX_LEVELS; i++) {
        tt_vk_buffer_destroy(vk, &fl[i]);
        tt_vk_buffer_destroy(vk, &out8[i]);
    }
    for (int k = 0; k < PIPE_COUNT; k++) tt_vk_pipeline_destroy(vk, pipes[k]);
    tt_mip_tables_free(&tab);
    if (st != TT_OK) tt_mip_levels_free(levels, TT_MAX_LEVELS);
    return st;
}

/* ---- the chain as a stage of a longer GPU job (tt_mip_chain_gpu_create) ---- */
struct tt_mip_chain_gpu {
    tt_vk *vk;
    tt_mip_plan plan;
    tt_mip_tables tab;
    tt_vk_pipeline *pipes[PIPE_COUNT];
    tt_vk_buffer tabbuf, fl[TT_MAX_LEVELS], out8[TT_MAX_LEVELS];
};

void tt_mip_chain_gpu_destroy(tt_mip_chain_gpu *c)
{
    if (!c) return;
    tt_vk_buffer_destroy(c->vk, &c->tabbuf);
    for (uint32_t i = 0; i < TT_MAX_LEVELS; i++) {
        tt_vk_buffer_destroy(c->vk, &c->fl[i]);
        tt_vk_buffer_destroy(c->vk, &c->out8[i]);
    }
    for (int k = 0; k < PIPE_COUNT; k++) tt_vk_pipeline_destroy(c->vk, c->pipes[k]);
    tt_mip_tables_free(&c->tab);
    free(c);
}

tt_status tt_mip_chain_gpu_create(tt_vk *vk, uint32_t width, uint32_t height, const tt_mip_config *config,
                                  tt_mip_chain_gpu **out)
{
    *out = NULL;
    tt_mip_chain_gpu *c = calloc(1, sizeof *c);
    if (!c) return tt_fail(TT_ERR_NOMEM, "tt_mip_build: out of memory");
    c->vk = vk;
    uint8_t opaque_texel[4] = {0, 0, 0, 255};   /* the plan reads texels only for alpha coverage, refused here */
    tt_image dims = {.width = width, .height = height, .rgba = opaque_texel};
    tt_status st = TT_OK;
    if (config && config->alpha_coverage >= 0.0f)
        st = tt_fail(TT_ERR_UNSUPPORTED, "tt_mip_build: alpha coverage needs the image on the host; not in a device "
                                         "chain");
    if (st == TT_OK) st = tt_mip_plan_make(&dims, config, "tt_mip_build", &c->plan);
    const tt_mip_plan *plan = &c->plan;
    uint64_t bytes1 = plan->count > 1 ? 16ull * plan->width[1] * plan->height[1] : 0;
    if (st == TT_OK && bytes1 > tt_vk_get_caps(vk)->max_storage_buffer_range)
        st = tt_fail(TT_ERR_LIMIT, "tt_mip_build: %ux%u needs buffers of %llu bytes, above the device's storage buffer "
                                   "range of %llu bytes", width, height, (unsigned long long)bytes1,
                     (unsigned long long)tt_vk_get_caps(vk)->max_storage_buffer_range);
    if (st == TT_OK) st = tt_mip_tables_make(plan, &c->tab);
    static const char *const names[PIPE_COUNT] = {"mip_filter", "mip_store"};
    if (st == TT_OK)
        st = tt_vk_pipelines_create(vk, PIPE_COUNT, names, TT_MIP_BINDINGS, sizeof(tt_mip_push), NULL, 0,
                                    TT_MIP_LOCAL_SIZE, TT_MIP_LOCAL_SIZE, 1, c->pipes);
    if (st == TT_OK) st = tt_vk_buffer_create(vk, c->tab.n_words * 4, TT_MEM_DEVICE, &c->tabbuf);
    for (uint32_t i = 0; st == TT_OK && i < plan->count; i++) {
        uint64_t n = (uint64_t)plan->width[i] * plan->height[i];
        if (i > 0) st = tt_vk_buffer_create(vk, 16 * n, TT_MEM_DEVICE, &c->fl[i]);
        if (st == TT_OK && (i > 0 || tt_mip_level0_converts(plan)))
            st = tt_vk_buffer_create(vk, 4 * n, TT_MEM_DEVICE, &c->out8[i]);
    }
    if (st == TT_OK) st = tt_vk_upload(vk, &c->tabbuf, 0, c->tab.words, c->tab.n_words * 4);
    if (st != TT_OK) tt_mip_chain_gpu_destroy(c);
    else *out = c;
    return st;
}

uint32_t tt_mip_chain_gpu_count(const tt_mip_chain_gpu *c) { return c->plan.count; }

void tt_mip_chain_gpu_record(tt_mip_chain_gpu *c, tt_vk_buffer *src8)
{
    record_chain(c->vk, c->pipes, &c->plan, &c->tab, src8, c->fl, c->out8, &c->tabbuf);
}

tt_vk_buffer *tt_mip_chain_gpu_level(tt_mip_chain_gpu *c, tt_vk_buffer *src8, uint32_t level, uint32_t *width,
                                     uint32_t *height)
{
    *width = c->plan.width[level];
    *height = c->plan.height[level];
    return level == 0 && !tt_mip_level0_converts(&c->plan) ? src8 : &c->out8[level];
}
