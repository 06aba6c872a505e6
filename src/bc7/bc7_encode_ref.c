/* bc7_encode_ref.c - the C reference BC7 encoder's entry: one block (the build of bc7_ref_block.c for this CPU), whole images on every core, edge-replicating block fetch. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "bc7/bc7_ref.h"

/* The block search (bc7_ref_block.c) in the build for this CPU: its AVX2 copy (bc7_ref_avx2.c) where the CPU has
 * AVX2. Both copies give the same blocks (integer decisions; -ffp-contract=off keeps every float operation). */
void tt_bc7_encode_block_ref(const uint8_t texels[16][4], const tt_bc7_config *p, tt_bc7_block *out)
{
#if TT_BC7_REF_AVX2
    if (__builtin_cpu_supports("avx2")) {
        tt_bc7_ref_encode_block_avx2(texels, p, out);
        return;
    }
#endif
    tt_bc7_ref_encode_block(texels, p, out);
}

/* Rows of blocks handed out one at a time to the threads of one image (each block depends only on its texels). */
typedef struct {
    const tt_image *img;
    const tt_bc7_config *p;
    tt_bc7_block *blocks;
    uint32_t bw, bh;
    atomic_uint next_row;
} rows_job;

static void *encode_rows(void *arg)
{
    rows_job *job = arg;
    uint8_t texels[16][4];
    for (uint32_t by; (by = atomic_fetch_add(&job->next_row, 1u)) < job->bh;)
        for (uint32_t bx = 0; bx < job->bw; bx++) {
            tt_bc7_fetch_block(job->img, bx, by, texels);
            tt_bc7_encode_block_ref(texels, job->p, &job->blocks[(size_t)by * job->bw + bx]);
        }
    return NULL;
}

/* Threads worth starting for `blocks` blocks: one per CPU, none for work smaller than a thread's start. */
static unsigned ref_threads(size_t blocks)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    size_t n = ncpu > 0 ? (size_t)ncpu : 1u;
    if (n > 64) n = 64;
    if (n > blocks / 16u) n = blocks / 16u; /* 16 blocks take ~0.3-40 ms, a thread ~50 us */
    return n > 1 ? (unsigned)n : 1u;
}

tt_status tt_bc7_encode_image_plain_ref(const tt_image *img, const tt_bc7_config *p, tt_bc7_block *blocks)
{
    if (!img || !img->rgba || img->width == 0 || img->height == 0 || !p || !blocks)
        return tt_fail(TT_ERR_INVALID_ARG, "bc7 encode: empty image or missing argument");
    tt_bc7_config cfg = *p;
    cfg.loose_alpha = p->loose_alpha && !tt_image_has_alpha(img); /* for opaque images only */
    rows_job job = {.img = img, .p = &cfg, .blocks = blocks, .bw = (img->width + 3) / 4, .bh = (img->height + 3) / 4};
    atomic_init(&job.next_row, 0u);
    pthread_t threads[64];
    unsigned want = ref_threads((size_t)job.bw * job.bh), started = 0;
    while (started + 1 < want && pthread_create(&threads[started], NULL, encode_rows, &job) == 0) started++;
    encode_rows(&job); /* this thread works too, and alone where no thread could be started */
    for (unsigned i = 0; i < started; i++) pthread_join(threads[i], NULL);
    return TT_OK;
}

void tt_bc7_fetch_block(const tt_image *img, uint32_t bx, uint32_t by, uint8_t out_rgba[16][4])
{
    for (uint32_t y = 0; y < 4; y++) {
        uint32_t sy = by * 4 + y;
        if (sy >= img->height) sy = img->height - 1;
        for (uint32_t x = 0; x < 4; x++) {
            uint32_t sx = bx * 4 + x;
            if (sx >= img->width) sx = img->width - 1;
            memcpy(out_rgba[y * 4 + x], img->rgba + ((size_t)sy * img->width + sx) * 4, 4);
        }
    }
}

