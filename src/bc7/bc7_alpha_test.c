/* bc7_alpha_test.c - keeps alpha-tested texels on their side of the test after BC7 (blocks where a texel decodes across the reference are encoded again with its alpha pushed away), and the C reference's whole-image entry that applies it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bc7/tt_bc7.h"
#include "mip/tt_mip.h" /* tt_mip_alpha_test_byte: the byte the coverage counts with */

/* Rounds of pushes; each doubles the push of the texels still on the wrong side. */
#define ALPHA_TEST_ROUNDS 3
#define ALPHA_TEST_FIRST_PUSH 4

/* Texels of block b (of the image's blocks) that decode on the other side of the test than src's; bit t = texel t.
 * Texels of a partial block outside the image do not count. */
static unsigned wrong_texels(const tt_image *src, uint32_t bx, uint32_t by, const tt_bc7_block *blk, uint8_t m)
{
    uint8_t dec[16][4], in[16][4];
    tt_bc7_decode_block(blk, dec);
    tt_bc7_fetch_block(src, bx, by, in);
    unsigned wrong = 0;
    for (int t = 0; t < 16; t++) {
        if (bx * 4 + (unsigned)(t & 3) >= src->width || by * 4 + (unsigned)(t >> 2) >= src->height) continue;
        if ((in[t][3] >= m) != (dec[t][3] >= m)) wrong |= 1u << t;
    }
    return wrong;
}

static int popcount16(unsigned v)
{
    int n = 0;
    for (; v; v &= v - 1) n++;
    return n;
}

tt_status tt_bc7_alpha_test_fix(const tt_image *img, const tt_bc7_config *p, tt_bc7_block *blocks,
                                tt_bc7_encode_image_fn encode, void *ctx, uint32_t *wrong_before,
                                uint32_t *wrong_after)
{
    if (wrong_before) *wrong_before = 0;
    if (wrong_after) *wrong_after = 0;
    if (p->alpha_test < 0.0f) return TT_OK;
    const uint8_t m = tt_mip_alpha_test_byte(p->alpha_test);
    const uint32_t bw = (img->width + 3) / 4, bh = (img->height + 3) / 4;
    const size_t n_blocks = (size_t)bw * bh;

    /* every block's texels across the test (one decode of the image), then per such block: its texels' working
     * copy, the texels the next round pushes and those across in the kept encoding */
    unsigned *mask = malloc(n_blocks * sizeof *mask);
    if (!mask) return tt_fail(TT_ERR_NOMEM, "bc7 alpha test: out of memory for %zu blocks", n_blocks);
    size_t k = 0;
    uint32_t before = 0;
    for (size_t b = 0; b < n_blocks; b++) {
        mask[b] = wrong_texels(img, (uint32_t)(b % bw), (uint32_t)(b / bw), &blocks[b], m);
        k += mask[b] != 0;
        before += (uint32_t)popcount16(mask[b]);
    }
    if (wrong_before) *wrong_before = before;
    if (wrong_after) *wrong_after = before;
    if (k == 0) {
        free(mask);
        return TT_OK;
    }

    /* The blocks go into a strip image of whole blocks (edge texels already replicated, as the encoder's fetch
     * does), near square so that no side exceeds the device's limits; spare blocks repeat the first one. A block's
     * encoding depends on its 16 texels and the config only, so re-encoding it in the strip is encoding it in
     * place. */
    uint32_t sbw = (uint32_t)ceil(sqrt((double)k)), sbh = (uint32_t)((k + sbw - 1) / sbw);
    size_t *index = malloc(k * sizeof *index);
    uint8_t (*work)[16][4] = malloc(k * sizeof *work);
    unsigned *wrong = malloc(k * sizeof *wrong), *best_wrong = malloc(k * sizeof *best_wrong);
    tt_bc7_block *best = malloc(k * sizeof *best), *trial = malloc((size_t)sbw * sbh * sizeof *trial);
    tt_image strip = {0};
    tt_status st = tt_image_alloc(&strip, sbw * 4, sbh * 4);
    if (st == TT_OK && (!index || !work || !wrong || !best_wrong || !best || !trial))
        st = tt_fail(TT_ERR_NOMEM, "bc7 alpha test: out of memory for %zu blocks", k);
    if (st != TT_OK) goto done;
    size_t j = 0;
    for (size_t b = 0; b < n_blocks; b++) {
        if (!mask[b]) continue;
        index[j] = b;
        wrong[j] = best_wrong[j] = mask[b];
        best[j] = blocks[b];
        tt_bc7_fetch_block(img, (uint32_t)(b % bw), (uint32_t)(b / bw), work[j]);
        j++;
    }
    /* the strip is an image with alpha like its source: the source's loose-alpha rule goes with it */
    tt_bc7_config q = *p;
    q.alpha_test = -1.0f;
    q.loose_alpha = p->loose_alpha && !tt_image_has_alpha(img);
    int push = ALPHA_TEST_FIRST_PUSH;
    uint32_t after = before;
    for (int round = 0; round < ALPHA_TEST_ROUNDS && after > 0; round++, push *= 2) {
        uint8_t in[16][4];
        for (size_t s = 0; s < (size_t)sbw * sbh; s++) {
            size_t i = s < k ? s : 0;
            if (s < k) {
                tt_bc7_fetch_block(img, (uint32_t)(index[i] % bw), (uint32_t)(index[i] / bw), in);
                for (int t = 0; t < 16; t++) {
                    if (!(wrong[i] >> t & 1u)) continue;
                    int a = work[i][t][3] + (in[t][3] >= m ? push : -push);
                    work[i][t][3] = (uint8_t)(a < 0 ? 0 : a > 255 ? 255 : a);
                }
            }
            uint32_t x0 = (uint32_t)(s % sbw) * 4, y0 = (uint32_t)(s / sbw) * 4;
            for (int t = 0; t < 16; t++)
                memcpy(strip.rgba + ((size_t)(y0 + (uint32_t)(t >> 2)) * strip.width + x0 + (uint32_t)(t & 3)) * 4,
                       work[i][t], 4);
        }
        st = encode(ctx, &strip, &q, trial);
        if (st != TT_OK) goto done;
        after = 0;
        for (size_t i = 0; i < k; i++) {
            uint32_t bx = (uint32_t)(index[i] % bw), by = (uint32_t)(index[i] / bw);
            unsigned w_new = wrong_texels(img, bx, by, &trial[i], m);
            /* the trial counts where it puts fewer texels across; texels it newly puts across are pushed next */
            if (popcount16(w_new) < popcount16(best_wrong[i])) {
                best[i] = trial[i];
                best_wrong[i] = w_new;
            }
            wrong[i] = w_new;
            after += (uint32_t)popcount16(best_wrong[i]);
        }
    }
    for (size_t i = 0; i < k; i++) blocks[index[i]] = best[i];
    if (wrong_after) *wrong_after = after;

done:
    tt_image_free(&strip);
    free(mask);
    free(index);
    free(work);
    free(wrong);
    free(best_wrong);
    free(best);
    free(trial);
    return st;
}

static tt_status encode_plain(void *ctx, const tt_image *img, const tt_bc7_config *p, tt_bc7_block *blocks)
{
    (void)ctx;
    return tt_bc7_encode_image_plain_ref(img, p, blocks);
}

tt_status tt_bc7_encode_image_ref(const tt_image *img, const tt_bc7_config *p, tt_bc7_block *blocks)
{
    tt_status st = tt_bc7_encode_image_plain_ref(img, p, blocks);
    if (st == TT_OK) st = tt_bc7_alpha_test_fix(img, p, blocks, encode_plain, NULL, NULL, NULL);
    return st;
}
