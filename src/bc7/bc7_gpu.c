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

/* classify, mode 6, at most 6 modes on the opaque list and 3 on the alpha list, then the sort and the four passes of
 * the final polish */
#define MAX_PASSES 16

tt_status tt_bc7_encode_gpu(tt_vk *vk, const tt_image *img, const tt_bc7_config *p, tt_bc7_block *blocks,
                            int repeats, double *gpu_ms_per_run)
{
    return tt_bc7_encode_gpu_passes(vk, img, p, blocks, repeats, gpu_ms_per_run, -1);
}

/* The passes of one config and their shared buffers: what encodes a band, from host pixels or a device buffer. */
struct tt_bc7_gpu_encoder {
    tt_vk *vk;
    tt_bc7_config p;
    int n_pass;
    int finish_pass; /* the index of bc7_finish_sort, followed by the four bc7_pass_finish passes (the last), or -1 */
    tt_vk_pipeline *pipes[MAX_PASSES];
    unsigned pass_mask[MAX_PASSES], pass_list[MAX_PASSES];
    tt_vk_buffer solid, dst, state; /* dst and state: one band of band_rows block rows of the widest image */
    uint32_t band_rows;
};

void tt_bc7_gpu_encoder_destroy(tt_bc7_gpu_encoder *e)
{
    if (!e) return;
    tt_vk_buffer_destroy(e->vk, &e->dst);
    tt_vk_buffer_destroy(e->vk, &e->solid);
    tt_vk_buffer_destroy(e->vk, &e->state);
    for (int k = 0; k < e->n_pass; k++) tt_vk_pipeline_destroy(e->vk, e->pipes[k]);
    free(e);
}

/* Builds the passes for images whose alpha is all 255 (opaque) or not, and dst/state buffers for bands of
 * band_rows block rows of a width-pixel-wide image. */
static tt_status encoder_create(tt_vk *vk, const tt_bc7_config *p, int opaque, int per_mode_passes, uint32_t width,
                                uint32_t band_rows, tt_bc7_gpu_encoder **out)
{
    *out = NULL;
    tt_bc7_gpu_encoder *e = calloc(1, sizeof *e);
    if (!e) return tt_fail(TT_ERR_NOMEM, "bc7 gpu encode: out of memory");
    e->vk = vk;
    e->p = *p;
    e->band_rows = band_rows;
    uint32_t bw = (width + 3) / 4;
    /* One pipeline shape for every pass: 4 storage buffers, tt_bc7_push, the weights and the pass's mode as
     * constants. After classify and mode 6, the other modes of the opaque and the alpha list run in mode order, as
     * C tries them: a pass per mode (its mode a constant, so the mode table folds into the code) on a GPU, or a
     * pass per family looping over its modes on a CPU device (lavapipe), where building 7 more pipelines costs more
     * than a small image's encode. Passes with nothing to do are neither built nor run. */
    unsigned modes = p->refit ? p->modes : 0u;
    /* loose alpha is for opaque images: in an image with alpha, its opaque blocks keep alpha 255 (as in C) */
    int loose_alpha = p->loose_alpha && opaque;
    unsigned opaque_modes = modes & TT_BC7_OPAQUE_MODES, alpha_modes = modes & TT_BC7_ALPHA_MODES;
    /* on a CPU device the multi pass with every mode in it takes lavapipe about 1.1 s to build, mode 1 or 3 alone
     * about 0.35 s: per mode there too unless a three-subset mode or mode 7 is in the set */
    int per_mode = per_mode_passes >= 0 ? per_mode_passes
                                        : tt_vk_info(vk)->type != VK_PHYSICAL_DEVICE_TYPE_CPU ||
                                              !(modes & ((1u << 0) | (1u << 2) | (1u << 7)));
    const char *names[MAX_PASSES] = {"bc7_classify", "bc7_pass_single"};
    int32_t pass_mode[MAX_PASSES] = {-1, -1};
    e->pass_mask[0] = e->pass_mask[1] = 0;
    e->pass_list[0] = e->pass_list[1] = TT_BC7_LIST_ALL;
    int n_pass = 2;
    /* the order of the C reference (tt_bc7_mode_order): 0, 1, 2, 3 (multi), 4, 5 (dual) on opaque blocks; 4, 5, then 7 with alpha.
     * lean_search: 0 and 2 first, on list THREE (the opaque blocks that try them), then 1 and 3 on OPAQUE; a
     * family pass then holds 0 and 2, or 1 and 3 */
    int lean = p->lean_search != 0;
    const int *order = tt_bc7_mode_order(p);
    for (int list = 0; list < 2; list++) {
        unsigned todo = list == 0 ? opaque_modes : alpha_modes;
        for (int k = 0; order[k] >= 0; k++) {
            int m = order[k];
            if (!(todo & (1u << m))) continue;
            int dual = m == 4 || m == 5, three = lean && list == 0 && (m == 0 || m == 2);
            unsigned fam = dual ? 0x30u : m == 7 ? 0x80u : !lean ? 0x0Fu : three ? 0x05u : 0x0Au;
            unsigned family = todo & fam;
            if (!per_mode && (family & ((1u << m) - 1u))) continue; /* in the family pass of a lower mode */
            names[n_pass] = dual ? "bc7_pass_dual" : "bc7_pass_multi";
            pass_mode[n_pass] = per_mode ? m : -1;
            e->pass_mask[n_pass] = per_mode ? 1u << m : family;
            e->pass_list[n_pass] = three ? TT_BC7_LIST_THREE : list == 0 ? TT_BC7_LIST_OPAQUE : TT_BC7_LIST_ALPHA;
            n_pass++;
        }
    }
    /* the final polish of each block's choice (final_trials), after every other pass: the blocks sorted by their
     * chosen mode into four lists, then one pass per list (its mode a constant on a GPU; on a CPU device the same
     * pipeline, mode read per block, serves all four) */
    e->finish_pass = -1;
    if (p->refit && p->final_trials) {
        static const unsigned fin_list[4] = {TT_BC7_LIST_FIN6, TT_BC7_LIST_FIN1, TT_BC7_LIST_FIN3,
                                             TT_BC7_LIST_FINSETS};
        static const int fin_mode[4] = {6, 1, 3, -1};
        e->finish_pass = n_pass;
        names[n_pass] = "bc7_finish_sort";
        pass_mode[n_pass] = -1;
        e->pass_mask[n_pass] = 0;
        e->pass_list[n_pass++] = TT_BC7_LIST_ALL;
        for (int k = 0; k < 4; k++) {
            names[n_pass] = "bc7_pass_finish";
            pass_mode[n_pass] = per_mode ? fin_mode[k] : -1;
            e->pass_mask[n_pass] = 0; /* the passes read the chosen blocks, not pc.modes */
            e->pass_list[n_pass++] = fin_list[k];
        }
    }
    int w[4];
    tt_bc7_channel_weights(p, w);
    uint32_t spec[MAX_PASSES * TT_BC7_SPEC_COUNT];
    for (int i = 0; i < n_pass; i++) {
        for (int k = 0; k < 4; k++) spec[i * TT_BC7_SPEC_COUNT + TT_BC7_SPEC_WEIGHT_R + k] = (uint32_t)w[k];
        spec[i * TT_BC7_SPEC_COUNT + TT_BC7_SPEC_MODE] = (uint32_t)pass_mode[i];
        spec[i * TT_BC7_SPEC_COUNT + TT_BC7_SPEC_LOOSE] = (uint32_t)loose_alpha;
        spec[i * TT_BC7_SPEC_COUNT + TT_BC7_SPEC_JOINT] = (uint32_t)p->joint_steps;
        spec[i * TT_BC7_SPEC_COUNT + TT_BC7_SPEC_LEAN] = (uint32_t)lean;
    }
    /* the same mode pass serves both lists: build it once (the cache returns it again for the second) */
    tt_status st = tt_vk_pipelines_create(vk, (uint32_t)n_pass, names, 4, sizeof(tt_bc7_push), spec,
                                          TT_BC7_SPEC_COUNT, TT_BC7_LOCAL_SIZE, 1, 1, e->pipes);
    if (st == TT_OK) e->n_pass = n_pass;
    if (st == TT_OK) st = tt_vk_buffer_create(vk, sizeof tt_bc7_solid, TT_MEM_DEVICE, &e->solid);
    if (st == TT_OK) st = tt_vk_upload(vk, &e->solid, 0, tt_bc7_solid, sizeof tt_bc7_solid);
    if (st == TT_OK) st = tt_vk_buffer_create(vk, 16ull * bw * band_rows, TT_MEM_DEVICE, &e->dst);
    if (st == TT_OK)
        st = tt_vk_buffer_create(vk, 4ull * TT_BC7_STATE_WORDS((uint64_t)bw * band_rows), TT_MEM_DEVICE, &e->state);
    if (st != TT_OK) tt_bc7_gpu_encoder_destroy(e);
    else *out = e;
    return st;
}

/* Records `repeats` encodes of block rows row0 .. row0 + n of a width x height image into e->dst; src holds pixel
 * rows from src_row0 on. */
static void record_band(tt_bc7_gpu_encoder *e, tt_vk_buffer *src, uint32_t width, uint32_t height, uint32_t row0,
                        uint32_t n, uint32_t src_row0, int repeats)
{
    tt_vk *vk = e->vk;
    const tt_bc7_config *p = &e->p;
    uint32_t bw = (width + 3) / 4;
    tt_bc7_push push = {.width = width, .height = height, .blocks_x = bw, .block_row0 = row0,
                        .band_rows = n, .src_row0 = src_row0, .refine = p->refine, .good_enough = p->good_enough,
                        .nm_iterations = p->nm_iterations, .refit = p->refit, .modes = p->modes | (1u << 6),
                        .partitions = tt_bc7_partitions_packed(p), .list = TT_BC7_LIST_ALL,
                        .polish_passes = p->polish_passes, .full_mode6 = p->full_mode6,
                        .index_trials = p->index_trials};
    tt_vk_buffer *bufs[4] = {src, &e->dst, &e->solid, &e->state};
    for (int r = 0; r < repeats; r++) {
        if (r) tt_vk_barrier(vk); /* repeated writes of the same blocks */
        vkCmdFillBuffer(tt_vk_cmd(vk), e->state.buffer, 0, 4 * TT_BC7_STATE_LISTS, 0); /* empty lists */
        tt_vk_barrier(vk);
        tt_vk_dispatch(vk, e->pipes[0], bufs, &push, bw, n, 1);
        tt_vk_barrier(vk);
        tt_vk_dispatch(vk, e->pipes[1], bufs, &push, bw, n, 1);
        /* the opaque blocks (lists OPAQUE and THREE, in pass order) and those with alpha (ALPHA) are different
         * blocks: the i-th pass of each runs side by side, one barrier each */
        int next[2] = {2, 2}, end = e->finish_pass >= 0 ? e->finish_pass : e->n_pass;
        for (;;) {
            int any = 0;
            for (int lane = 0; lane < 2; lane++) {
                while (next[lane] < end && (e->pass_list[next[lane]] == TT_BC7_LIST_ALPHA) != (lane == 1))
                    next[lane]++;
                if (next[lane] >= end) continue;
                if (!any) tt_vk_barrier(vk);
                any = 1;
                tt_bc7_push q = push;
                q.modes = e->pass_mask[next[lane]];
                q.list = e->pass_list[next[lane]];
                tt_vk_dispatch(vk, e->pipes[next[lane]], bufs, &q, bw, n, 1);
                next[lane]++;
            }
            if (!any) break;
        }
        if (e->finish_pass >= 0) { /* after both lanes: every block's choice is final */
            tt_vk_barrier(vk);
            tt_vk_dispatch(vk, e->pipes[e->finish_pass], bufs, &push, bw, n, 1);
            tt_vk_barrier(vk);
            for (int k = e->finish_pass + 1; k < e->n_pass; k++) { /* four lists of different blocks: no barrier */
                tt_bc7_push q = push;
                q.list = e->pass_list[k];
                q.index_trials = p->final_trials; /* the passes' trial level */
                tt_vk_dispatch(vk, e->pipes[k], bufs, &q, bw, n, 1);
            }
        }
    }
}

static tt_status encode_passes(tt_vk *vk, const tt_image *img, const tt_bc7_config *p, tt_bc7_block *blocks,
                               int repeats, double *gpu_ms_per_run, int per_mode_passes)
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

    tt_vk_buffer src = {0};
    tt_bc7_gpu_encoder *e = NULL;
    tt_status st = encoder_create(vk, p, !tt_image_has_alpha(img), per_mode_passes, img->width, band_rows, &e);
    if (st == TT_OK) st = tt_vk_buffer_create(vk, src_row_bytes * band_rows, TT_MEM_DEVICE, &src);
    double total_ms = 0.0;
    int have_time = 1;
    for (uint32_t row0 = 0; st == TT_OK && row0 < bh; row0 += band_rows) {
        uint32_t n = bh - row0 < band_rows ? bh - row0 : band_rows;
        uint32_t y0 = row0 * 4, y1 = (row0 + n) * 4;
        if (y1 > img->height) y1 = img->height;
        st = tt_vk_upload(vk, &src, 0, img->rgba + (size_t)y0 * img->width * 4, (VkDeviceSize)(y1 - y0) * img->width * 4);
        if (st != TT_OK) break;
        st = tt_vk_begin(vk);
        if (st != TT_OK) break;
        record_band(e, &src, img->width, img->height, row0, n, y0, repeats);
        double ms = -1.0;
        st = tt_vk_submit(vk, &ms);
        if (st != TT_OK) break;
        if (ms < 0) have_time = 0;
        total_ms += ms;
        st = tt_vk_download(vk, &e->dst, 0, blocks + (size_t)row0 * bw, dst_row_bytes * n);
    }
    if (st == TT_OK && gpu_ms_per_run && have_time) *gpu_ms_per_run = total_ms / repeats;
    tt_vk_buffer_destroy(vk, &src);
    tt_bc7_gpu_encoder_destroy(e);
    return st;
}

/* Block rows a band of a device-held image: dst and state within the storage-buffer range (and BAND_MAX_BYTES). */
static uint32_t device_band_rows(tt_vk *vk, uint32_t width, uint32_t height)
{
    uint64_t limit = tt_vk_get_caps(vk)->max_storage_buffer_range;
    if (limit > BAND_MAX_BYTES) limit = BAND_MAX_BYTES;
    /* the state buffer is the larger: TT_BC7_LIST_COUNT list entries and an SSE a block (dst: 16 bytes a block) */
    uint64_t row_bytes = 4ull * (TT_BC7_LIST_COUNT + 1u) * ((width + 3) / 4);
    uint64_t rows = (limit - 4ull * TT_BC7_STATE_LISTS) / row_bytes, bh = (height + 3) / 4;
    if (rows > bh) rows = bh;
    if (rows > 65535) rows = 65535;
    return (uint32_t)rows;
}

tt_status tt_bc7_gpu_encoder_create(tt_vk *vk, const tt_bc7_config *p, uint32_t max_width, uint32_t max_height,
                                    tt_bc7_gpu_encoder **out)
{
    *out = NULL;
    if (!vk || !p || max_width == 0 || max_height == 0)
        return tt_fail(TT_ERR_INVALID_ARG, "bc7 gpu encode: empty image or missing argument");
    if (p->alpha_test >= 0.0f)
        return tt_fail(TT_ERR_UNSUPPORTED, "bc7 gpu encode: the alpha test needs the image on the host; not from a "
                                           "device buffer");
    uint32_t rows = device_band_rows(vk, max_width, max_height);
    if (rows == 0)
        return tt_fail(TT_ERR_LIMIT, "bc7 gpu encode: a %u-pixel-wide block row is above the device's storage "
                                     "buffer range", max_width);
    return encoder_create(vk, p, 1, -1, max_width, rows, out);
}

void tt_bc7_gpu_encoder_record(tt_bc7_gpu_encoder *e, tt_vk_buffer *src, uint32_t width, uint32_t height,
                               tt_vk_buffer *blocks, VkDeviceSize blocks_offset)
{
    uint32_t bw = (width + 3) / 4, bh = (height + 3) / 4;
    uint32_t band_rows = device_band_rows(e->vk, width, height);
    if (band_rows > e->band_rows) band_rows = e->band_rows;
    for (uint32_t row0 = 0; row0 < bh; row0 += band_rows) {
        uint32_t n = bh - row0 < band_rows ? bh - row0 : band_rows;
        if (row0) tt_vk_barrier(e->vk); /* the last band's copy has read dst, its passes used state */
        record_band(e, src, width, height, row0, n, 0, 1);
        tt_vk_barrier(e->vk);
        tt_vk_copy(e->vk, &e->dst, 0, blocks, blocks_offset + 16ull * bw * row0, 16ull * bw * n);
    }
}

typedef struct {
    tt_vk *vk;
    int per_mode_passes;
    double gpu_ms; /* summed over the strips, -1 once one has no time */
} strip_encoder;

static tt_status encode_strip(void *ctx, const tt_image *img, const tt_bc7_config *p, tt_bc7_block *blocks)
{
    strip_encoder *e = ctx;
    double ms = -1.0;
    tt_status st = encode_passes(e->vk, img, p, blocks, 1, &ms, e->per_mode_passes);
    e->gpu_ms = ms < 0.0 || e->gpu_ms < 0.0 ? -1.0 : e->gpu_ms + ms;
    return st;
}

tt_status tt_bc7_encode_gpu_passes(tt_vk *vk, const tt_image *img, const tt_bc7_config *p, tt_bc7_block *blocks,
                                   int repeats, double *gpu_ms_per_run, int per_mode_passes)
{
    tt_status st = encode_passes(vk, img, p, blocks, repeats, gpu_ms_per_run, per_mode_passes);
    /* the alpha test's second look runs once (after the last repeat); its GPU time counts in every run's time */
    strip_encoder e = {vk, per_mode_passes, 0.0};
    if (st == TT_OK) st = tt_bc7_alpha_test_fix(img, p, blocks, encode_strip, &e, NULL, NULL);
    if (st == TT_OK && gpu_ms_per_run && *gpu_ms_per_run >= 0.0)
        *gpu_ms_per_run = e.gpu_ms < 0.0 ? -1.0 : *gpu_ms_per_run + e.gpu_ms;
    return st;
}

tt_status tt_bc7_encode_levels_gpu(tt_vk *vk, const tt_image *levels, uint32_t count, const tt_bc7_config *p,
                                   int repeats, tt_texture *out, double *gpu_ms_per_run, double *level_ms)
{
    if (gpu_ms_per_run) *gpu_ms_per_run = -1.0;
    memset(out, 0, sizeof *out);
    tt_status st = tt_bc7_encode_chain_check(levels, count, "bc7 gpu encode");
    if (st == TT_OK)
        st = tt_bc7_texture_alloc_levels(out, levels[0].width, levels[0].height, count, p->srgb, "bc7 gpu encode");
    double total = 0.0;
    for (uint32_t i = 0; st == TT_OK && i < count; i++) {
        double ms = -1.0;
        st = tt_bc7_encode_gpu(vk, &levels[i], p, (tt_bc7_block *)(out->data + out->levels[i].offset), repeats, &ms);
        if (level_ms) level_ms[i] = ms;
        total = ms < 0.0 || total < 0.0 ? -1.0 : total + ms;
    }
    if (st != TT_OK) tt_texture_free(out);
    else if (gpu_ms_per_run) *gpu_ms_per_run = total;
    return st;
}
