/* bc7_gpu.c - runs the BC7 encoder's passes (shaders/bc7_pass.glsl) over an image in bands of block rows that fit the device limits. */
#include <stdlib.h>
#include <string.h>

#include "bc7/tt_bc7_gpu.h"
#include "bc7_abi.h" /* shaders/: push constants, work lists and state layout of the passes */
#include "bc7_tables.h" /* shaders/: the C/GLSL array macros bc7_solid.h uses */
#include "bc7_solid.h"  /* shaders/: the single-colour tables, the shader's third buffer */


/* Keeps one band's buffers moderate even where the device allows 4 GiB,
 * so the synchronous staging copies stay small. */
#define BAND_MAX_BYTES (256ull << 20)

enum { PASS_CLASSIFY, PASS_SINGLE, PASS_MULTI, PASS_DUAL, N_PASSES };

tt_status tt_bc7_encode_gpu(tt_vk *vk, const tt_image *img, const tt_bc7_config *p, tt_bc7_block *blocks,
                            int repeats, double *gpu_ms_per_run)
{
    if (gpu_ms_per_run) *gpu_ms_per_run = -1.0;
    if (!vk || !img || !img->rgba || img->width == 0 || img->height == 0 || !p || !blocks)
        return tt_fail(TT_ERR_INVALID_ARG, "bc7 gpu encode: empty image or missing argument");
    if (repeats < 1) repeats = 1;
    const tt_vk_caps *caps = tt_vk_get_caps(vk);
    uint32_t bw = (img->width + 3) / 4, bh = (img->height + 3) / 4;
    uint64_t src_row_bytes = 16ull * img->width; /* 4 pixel rows per block row */
    uint64_t dst_row_bytes = 16ull * bw;
    uint64_t limit = caps->max_storage_buffer_range;
    if (limit > BAND_MAX_BYTES) limit = BAND_MAX_BYTES;
    uint64_t rows = limit / (src_row_bytes > dst_row_bytes ? src_row_bytes : dst_row_bytes);
    if (rows == 0)
        return tt_fail(TT_ERR_LIMIT, "bc7 gpu encode: a %u-pixel-wide block row needs %llu bytes, above the "
                                     "device's storage buffer range of %llu bytes",
                       img->width, (unsigned long long)src_row_bytes, (unsigned long long)caps->max_storage_buffer_range);
    if (rows > bh) rows = bh;
    if (rows > 65535) rows = 65535; /* group count in y */
    uint32_t band_rows = (uint32_t)rows;

    tt_vk_buffer src = {0}, dst = {0}, solid = {0}, state = {0};
    /* one pipeline shape for every pass: 4 storage buffers, tt_bc7_push, the weights as constants */
    static const char *const pass_names[N_PASSES] = {"bc7_classify", "bc7_pass_single", "bc7_pass_multi",
                                                     "bc7_pass_dual"};
    tt_vk_pipeline *pipes[N_PASSES] = {NULL, NULL, NULL, NULL};
    int w[4];
    tt_bc7_channel_weights(p, w);
    uint32_t spec[TT_BC7_SPEC_COUNT];
    for (int k = 0; k < 4; k++) spec[TT_BC7_SPEC_WEIGHT_R + k] = (uint32_t)w[k];
    /* the other modes by pass, in mode order as C tries them (no pass, and no pipeline to build, where the mask is
     * empty: on a CPU device building a pipeline costs more than a small image's encode) */
    unsigned modes = p->refit ? p->modes : 0u;
    unsigned multi_opaque = modes & TT_BC7_OPAQUE_MODES & ~((1u << 4) | (1u << 5));
    unsigned dual = modes & ((1u << 4) | (1u << 5)), multi_alpha = modes & TT_BC7_ALPHA_MODES & (1u << 7);
    const char *wanted[N_PASSES] = {pass_names[0], pass_names[1],
                                    multi_opaque | multi_alpha ? pass_names[PASS_MULTI] : NULL,
                                    dual ? pass_names[PASS_DUAL] : NULL};
    tt_status st = tt_vk_pipelines_create(vk, N_PASSES, wanted, 4, sizeof(tt_bc7_push), spec, TT_BC7_SPEC_COUNT,
                                          TT_BC7_LOCAL_SIZE, 1, 1, pipes);
    if (st == TT_OK) st = tt_vk_buffer_create(vk, sizeof tt_bc7_solid, TT_MEM_DEVICE, &solid);
    if (st == TT_OK) st = tt_vk_upload(vk, &solid, 0, tt_bc7_solid, sizeof tt_bc7_solid);
    if (st == TT_OK) st = tt_vk_buffer_create(vk, src_row_bytes * band_rows, TT_MEM_DEVICE, &src);
    if (st == TT_OK) st = tt_vk_buffer_create(vk, dst_row_bytes * band_rows, TT_MEM_DEVICE, &dst);
    if (st == TT_OK) st = tt_vk_buffer_create(vk, 4ull * TT_BC7_STATE_WORDS((uint64_t)bw * band_rows), TT_MEM_DEVICE, &state);
    double total_ms = 0.0;
    int have_time = 1;
    for (uint32_t row0 = 0; st == TT_OK && row0 < bh; row0 += band_rows) {
        uint32_t n = bh - row0 < band_rows ? bh - row0 : band_rows;
        uint32_t y0 = row0 * 4, y1 = (row0 + n) * 4;
        if (y1 > img->height) y1 = img->height;
        st = tt_vk_upload(vk, &src, 0, img->rgba + (size_t)y0 * img->width * 4, (VkDeviceSize)(y1 - y0) * img->width * 4);
        if (st != TT_OK) break;
        tt_bc7_push push = {.width = img->width, .height = img->height, .blocks_x = bw, .block_row0 = row0,
                            .band_rows = n, .src_row0 = y0, .refine = p->refine, .good_enough = p->good_enough,
                            .nm_iterations = p->nm_iterations, .refit = p->refit, .modes = p->modes | (1u << 6),
                            .partitions = p->partitions, .list = TT_BC7_LIST_ALL,
                            .polish_passes = p->polish_passes, .full_mode6 = p->full_mode6,
                            .loose_alpha = p->loose_alpha};
        tt_vk_buffer *bufs[4] = {&src, &dst, &solid, &state};
        st = tt_vk_begin(vk);
        if (st != TT_OK) break;
        for (int r = 0; r < repeats; r++) {
            if (r) tt_vk_barrier(vk); /* repeated writes of the same blocks */
            vkCmdFillBuffer(tt_vk_cmd(vk), state.buffer, 0, 4 * TT_BC7_STATE_LISTS, 0); /* empty lists */
            tt_vk_barrier(vk);
            tt_vk_dispatch(vk, pipes[PASS_CLASSIFY], bufs, &push, bw, n, 1);
            tt_vk_barrier(vk);
            tt_vk_dispatch(vk, pipes[PASS_SINGLE], bufs, &push, bw, n, 1);
            tt_vk_barrier(vk);
            tt_bc7_push q = push;
            if (multi_opaque) {
                q.modes = multi_opaque;
                q.list = TT_BC7_LIST_OPAQUE;
                tt_vk_dispatch(vk, pipes[PASS_MULTI], bufs, &q, bw, n, 1);
                tt_vk_barrier(vk);
            }
            if (dual) { /* the two lists hold different blocks: no barrier between them */
                q.modes = dual;
                q.list = TT_BC7_LIST_OPAQUE;
                tt_vk_dispatch(vk, pipes[PASS_DUAL], bufs, &q, bw, n, 1);
                q.list = TT_BC7_LIST_ALPHA;
                tt_vk_dispatch(vk, pipes[PASS_DUAL], bufs, &q, bw, n, 1);
                tt_vk_barrier(vk);
            }
            if (multi_alpha) {
                q.modes = multi_alpha;
                q.list = TT_BC7_LIST_ALPHA;
                tt_vk_dispatch(vk, pipes[PASS_MULTI], bufs, &q, bw, n, 1);
            }
        }
        double ms = -1.0;
        st = tt_vk_submit(vk, &ms);
        if (st != TT_OK) break;
        if (ms < 0) have_time = 0;
        total_ms += ms;
        st = tt_vk_download(vk, &dst, 0, blocks + (size_t)row0 * bw, dst_row_bytes * n);
    }
    if (st == TT_OK && gpu_ms_per_run && have_time) *gpu_ms_per_run = total_ms / repeats;
    tt_vk_buffer_destroy(vk, &src);
    tt_vk_buffer_destroy(vk, &dst);
    tt_vk_buffer_destroy(vk, &solid);
    tt_vk_buffer_destroy(vk, &state);
    for (int k = 0; k < N_PASSES; k++) tt_vk_pipeline_destroy(vk, pipes[k]);
    return st;
}
