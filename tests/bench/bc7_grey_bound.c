/* bc7_grey_bound.c - benchmark aid: the best RGB PSNR of a BC7 file of an opaque grey image that an exhaustive search over modes, partitions and endpoints finds. */
/*
 * For an image with R = G = B and alpha 255 it searches, block by block, every BC7 mode, partition, rotation,
 * index-selection bit and endpoint pair, and prints the RGB PSNR of the per-block best (a) when opaque alpha must
 * decode to exactly 255 and (b) of mode 6 when alpha may drop to 254 (bc7enc's rule for opaque images).
 *
 * Why grey endpoints suffice: for fixed indices each colour channel's best endpoints depend only on that channel's
 * texels, which are the same in R, G and B, and every mode offers the same endpoint values to the three channels (a
 * shared p-bit gives them the same parity), so a grey endpoint pair is among the optimal ones. Modes 4 and 5 with a
 * rotation put one channel in the alpha slot with its own indices; that case is searched separately.
 *
 * The search domain: every endpoint of the 5- and 6-bit sets (modes 0, 1, 2, 4, 7), and endpoints of the 7- and 8-bit
 * sets (modes 3, 5, 6) within MARGIN of the subset's range. It is not a proof for endpoints further out: far
 * endpoints do pay (extrapolated palettes give other rounding), as a margin of 12 showed — tinytex beat that search
 * on grey.png with mode 0 endpoints 20+ levels outside; on 64x64 crops of stone and grey a margin of 64 gives the same
 * alpha-255 figure as 32, while mode 6 with alpha free still gains 0.01 dB from 32 to 64 on grey.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "tinytex.h"
#include "bc7/tt_bc7.h"

#define MARGIN 32
static const int W2[4] = {0, 21, 43, 64}, W3[8] = {0, 9, 18, 27, 37, 46, 55, 64},
                 W4[16] = {0, 4, 9, 13, 17, 21, 26, 30, 34, 38, 43, 47, 51, 55, 60, 64};
static const int *const WEIGHTS[5] = {NULL, NULL, W2, W3, W4};

typedef struct { int n; int v[256]; } value_set;

/* the 8-bit values of a `bits`-bit endpoint channel (bit replication) */
static value_set plain_values(int bits)
{
    value_set s = {0};
    for (int c = 0; c < (1 << bits); c++) {
        int x = c << (8 - bits);
        s.v[s.n++] = (x | (x >> bits)) & 255;
    }
    return s;
}

/* a (bits - 1)-bit channel with its p-bit forced to `p` (mode 6 / 7 endpoints whose alpha must stay 255: p = 1) */
static value_set pbit_values(int bits, int p)
{
    value_set s = {0};
    for (int c = 0; c < (1 << (bits - 1)); c++) {
        int x = ((c << 1) | p) << (8 - bits);
        s.v[s.n++] = (x | (x >> bits)) & 255;
    }
    return s;
}

static int lerp(int a, int b, int w) { return ((64 - w) * a + w * b + 32) >> 6; }

/* Best SSE of one channel over the texels of hist (values lo..hi): endpoints a from A, b from B (sets of more than 64
 * values within MARGIN of lo..hi), the first n_idx weights of the index_bits table. */
static long best_pair(const int *hist, int lo, int hi, const value_set *A, const value_set *B, int index_bits, int n_idx)
{
    const int *w = WEIGHTS[index_bits];
    long best = 1L << 40;
    for (int i = 0; i < A->n; i++) {
        int a = A->v[i];
        if (A->n > 64 && (a < lo - MARGIN || a > hi + MARGIN)) continue;
        for (int j = 0; j < B->n; j++) {
            int b = B->v[j];
            if (B->n > 64 && (b < lo - MARGIN || b > hi + MARGIN)) continue;
            long e = 0;
            for (int x = lo; x <= hi && e < best; x++) {
                if (!hist[x]) continue;
                int m = 1 << 30;
                for (int k = 0; k < n_idx; k++) {
                    int d = lerp(a, b, w[k]) - x;
                    if (d * d < m) m = d * d;
                }
                e += (long)hist[x] * m;
            }
            if (e < best) best = e;
        }
    }
    return best;
}

/* Best SSE of one channel of a block over the partitions of a multi-subset mode; each subset takes the best of the
 * value sets (mode 1: the two shared p-bits). */
static long best_partitioned(const int *v, int subsets, int partitions, const value_set *const *sets, int n_sets,
                             int index_bits)
{
    long best = 1L << 40;
    for (int part = 0; part < partitions; part++) {
        long total = 0;
        for (int s = 0; s < subsets; s++) {
            int hist[256] = {0}, lo = 255, hi = 0;
            for (int t = 0; t < 16; t++)
                if (tt_bc7_subset_of(subsets, part, t) == s) {
                    hist[v[t]]++;
                    if (v[t] < lo) lo = v[t];
                    if (v[t] > hi) hi = v[t];
                }
            long b = 1L << 40;
            for (int k = 0; k < n_sets; k++) {
                long e = best_pair(hist, lo, hi, sets[k], sets[k], index_bits, 1 << index_bits);
                if (e < b) b = e;
            }
            total += b;
        }
        if (total < best) best = total;
    }
    return best;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bc7_grey_bound GREY.png  (opaque, R = G = B, width and height multiples of 4)\n");
        return 2;
    }
    tt_image img;
    if (tt_image_load(argv[1], NULL, &img) != TT_OK) { fprintf(stderr, "bc7_grey_bound: %s\n", tt_last_error()); return 1; }
    const uint32_t w = img.width, h = img.height;
    int bad = w % 4 || h % 4;
    for (size_t i = 0; !bad && i < (size_t)w * h; i++) {
        const uint8_t *p = img.rgba + 4 * i;
        bad = p[0] != p[1] || p[0] != p[2] || p[3] != 255;
    }
    if (bad) {
        fprintf(stderr, "bc7_grey_bound: %s: not an opaque grey image with sides multiple of 4\n", argv[1]);
        tt_image_free(&img);
        return 1;
    }
    const value_set v8 = plain_values(8), v7 = plain_values(7), v6 = plain_values(6), v5 = plain_values(5),
                    m6_odd = pbit_values(8, 1), m7_odd = pbit_values(6, 1);
    value_set m1[2] = {{0}, {0}};
    for (int p = 0; p < 2; p++)
        for (int c = 0; c < 64; c++) { /* mode 1: 6 bits + the subset's shared p-bit, then 7 -> 8 bits */
            int x = ((c << 1) | p) << 1;
            m1[p].v[m1[p].n++] = (x | (x >> 7)) & 255;
        }
    const value_set *s0[] = {&v5}, *s1[] = {&m1[0], &m1[1]}, *s2[] = {&v5}, *s3[] = {&v8}, *s7[] = {&m7_odd};
    double sum[8] = {0}, sum_exact = 0, sum_free = 0;
    long wins[8] = {0};
    for (uint32_t by = 0; by < h; by += 4)
        for (uint32_t bx = 0; bx < w; bx += 4) {
            int v[16], hist[256] = {0}, lo = 255, hi = 0;
            for (int t = 0; t < 16; t++) {
                v[t] = img.rgba[4 * ((size_t)(by + t / 4) * w + bx + t % 4)];
                hist[v[t]]++;
                if (v[t] < lo) lo = v[t];
                if (v[t] > hi) hi = v[t];
            }
            long e[8];
            /* modes 0 (4 bits + p-bit each endpoint = 5 bits), 1, 2, 3 (7 + p-bit = any value), 7 (alpha 255: p-bits 1) */
            e[0] = 3 * best_partitioned(v, 3, 16, s0, 1, 3);
            e[1] = 3 * best_partitioned(v, 2, 64, s1, 2, 3);
            e[2] = 3 * best_partitioned(v, 3, 64, s2, 1, 2);
            e[3] = 3 * best_partitioned(v, 2, 64, s3, 1, 2);
            e[7] = 3 * best_partitioned(v, 2, 64, s7, 1, 2);
            /* mode 4: 5-bit colour, 6-bit alpha slot, 2/3-bit indices either way round; a rotation moves one
             * channel to the alpha slot (alpha 255 is exact in the 5-bit colour slot) */
            long c52 = best_pair(hist, lo, hi, &v5, &v5, 2, 4), c53 = best_pair(hist, lo, hi, &v5, &v5, 3, 8);
            long a62 = best_pair(hist, lo, hi, &v6, &v6, 2, 4), a63 = best_pair(hist, lo, hi, &v6, &v6, 3, 8);
            e[4] = 3 * (c52 < c53 ? c52 : c53);
            if (2 * c52 + a63 < e[4]) e[4] = 2 * c52 + a63;
            if (2 * c53 + a62 < e[4]) e[4] = 2 * c53 + a62;
            /* mode 5: 7-bit colour, 8-bit alpha slot, 2-bit indices */
            long c72 = best_pair(hist, lo, hi, &v7, &v7, 2, 4), a82 = best_pair(hist, lo, hi, &v8, &v8, 2, 4);
            e[5] = 3 * c72;
            if (2 * c72 + a82 < e[5]) e[5] = 2 * c72 + a82;
            /* mode 6 with alpha 255: both p-bits 1, or one endpoint with p-bit 0 (alpha 254) used only by indices 0-7,
             * which give it a weight of at most 30/64 (alpha still decodes to 255) */
            long both = best_pair(hist, lo, hi, &m6_odd, &m6_odd, 4, 16), half = best_pair(hist, lo, hi, &m6_odd, &v8, 4, 8);
            e[6] = 3 * (both < half ? both : half);
            long best = e[0];
            int mode = 0;
            for (int m = 1; m < 8; m++)
                if (e[m] < best) { best = e[m]; mode = m; }
            wins[mode]++;
            sum_exact += best;
            for (int m = 0; m < 8; m++) sum[m] += e[m];
            sum_free += 3 * best_pair(hist, lo, hi, &v8, &v8, 4, 16);
        }
    const double n = 3.0 * w * h;
#define PSNR(sse) ((sse) > 0 ? 10 * log10(255.0 * 255.0 * n / (sse)) : INFINITY)
    printf("%s: %u x %u, RGB PSNR of the best file of an exhaustive search (7- and 8-bit endpoints within %d of each subset)\n", argv[1], w, h, MARGIN);
    for (int m = 0; m < 8; m++)
        printf("mode %d alone: %.3f dB (best in %ld blocks, ties to the lower mode)\n", m, PSNR(sum[m]), wins[m]);
    printf("alpha exactly 255, best mode per block: %.3f dB\n", PSNR(sum_exact));
    printf("mode 6 with alpha free (254 allowed): %.3f dB\n", PSNR(sum_free));
    tt_image_free(&img);
    return 0;
}
