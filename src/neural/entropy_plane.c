/* entropy_plane.c - context model of one 2-D plane of integer levels (a latent channel): a linear prediction from
 * already-coded neighbours and a Laplace scale chosen by their magnitude, fitted by the encoder, coded by entropy.c. */
#include "neural/entropy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/tt_bytes.h"
#include "neural/tt_neural.h" /* tt_f32_to_f16 / tt_f16_to_f32 */

/* Largest |weight| in 1/256: a prediction never needs more than a few times a neighbour, and it bounds the sums. */
#define MAX_WEIGHT 4096
/* Highest alphabet half-width: 2 * half + 1 symbols fit the coder's TT_EC_MAX_SYMBOLS. */
#define MAX_HALF ((TT_EC_MAX_SYMBOLS - 1) / 2)

static int64_t floor_div(int64_t a, int64_t b) /* b > 0 */
{
    int64_t q = a / b;
    return q * b > a ? q - 1 : q;
}

/* What coding the value at (x, y) may use: the neighbours to the left, above, above-left and above-right of the
 * plane and the previous plane's value at (x, y), each minus its plane's centre; 0 outside. */
static void taps_at(const int32_t *v, int32_t center, const int32_t *prev, uint32_t w, uint32_t x, uint32_t y,
                    int32_t z[TT_EC_PLANE_TAPS])
{
    size_t i = (size_t)y * w + x;
    z[0] = x > 0 ? v[i - 1] - center : 0;
    z[1] = y > 0 ? v[i - w] - center : 0;
    z[2] = x > 0 && y > 0 ? v[i - w - 1] - center : 0;
    z[3] = y > 0 && x + 1 < w ? v[i - w + 1] - center : 0;
    z[4] = prev ? prev[i] : 0;
}

/* The context of a value: the prediction's integer part `base` (the residual coded is value - centre - base),
 * whether the prediction lies half a level above it (`half_up`, the Laplace mean of the table), and the bucket of
 * the neighbours' magnitudes that picks the scale. Integer arithmetic only: encoder and decoder agree bit for bit. */
static void context_of(const tt_ec_plane_params *p, const int32_t z[TT_EC_PLANE_TAPS], int64_t *base, int *half_up,
                       int *bucket)
{
    int64_t s = 0;
    for (int k = 0; k < TT_EC_PLANE_TAPS; k++) s += (int64_t)p->weight[k] * z[k];
    int64_t halves = floor_div(s + 64, 128); /* the prediction in half levels, rounded */
    *base = floor_div(halves, 2);
    *half_up = (int)(halves - 2 * *base);
    int64_t a = 2 * ((int64_t)llabs(z[0]) + llabs(z[1])) + llabs(z[2]) + llabs(z[3]);
    *bucket = a == 0 ? 0 : a <= 2 ? 1 : a <= 5 ? 2 : a <= 10 ? 3 : a <= 20 ? 4 : 5;
}

/* The context of the value at (x, y): taps_at, then context_of. */
static void context_at(const tt_ec_plane_params *p, const int32_t *v, const int32_t *prev, uint32_t w, uint32_t x,
                       uint32_t y, int64_t *base, int *half_up, int *bucket)
{
    int32_t z[TT_EC_PLANE_TAPS];
    taps_at(v, p->center, prev, w, x, y, z);
    context_of(p, z, base, half_up, bucket);
}

static tt_ec_params table_params(const tt_ec_plane_params *p, int bucket, int half_up)
{
    tt_ec_params q = {-(int32_t)p->half, (int32_t)p->half, half_up ? 0.5f : 0.0f, tt_f16_to_f32(p->scale16[bucket])};
    return q;
}

tt_status tt_ec_plane_tables_build(tt_ec_plane_tables *t, const tt_ec_plane_params *p, const char *name)
{
    if (p->half > MAX_HALF)
        return tt_fail(TT_ERR_FORMAT, "%s: plane model alphabet +-%u (at most +-%d)", name, p->half, MAX_HALF);
    for (int b = 0; b < TT_EC_PLANE_BUCKETS; b++)
        for (int h = 0; h < 2; h++) {
            tt_ec_params q = table_params(p, b, h);
            tt_status s = tt_ec_model_build(&t->model[b][h], &q, name);
            if (s != TT_OK) return s;
        }
    return TT_OK;
}

/* Least-squares weights of the prediction (ridge-regularised normal equations), rounded to 1/256. */
static void fit_weights(const int32_t *v, int32_t center, const int32_t *prev, uint32_t w, uint32_t h,
                        int16_t weight[TT_EC_PLANE_TAPS])
{
    enum { K = TT_EC_PLANE_TAPS };
    double A[K][K] = {{0}}, rhs[K] = {0}, c[K];
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            int32_t z[K];
            taps_at(v, center, prev, w, x, y, z);
            double t = (double)v[(size_t)y * w + x] - center;
            for (int a = 0; a < K; a++) {
                rhs[a] += z[a] * t;
                for (int b = 0; b < K; b++) A[a][b] += (double)z[a] * z[b];
            }
        }
    for (int a = 0; a < K; a++) A[a][a] += 1.0 + 1e-3 * A[a][a];
    for (int a = 0; a < K; a++)
        for (int r = a + 1; r < K; r++) {
            double f = A[r][a] / A[a][a];
            for (int b = a; b < K; b++) A[r][b] -= f * A[a][b];
            rhs[r] -= f * rhs[a];
        }
    for (int a = K - 1; a >= 0; a--) {
        double s = rhs[a];
        for (int b = a + 1; b < K; b++) s -= A[a][b] * c[b];
        c[a] = s / A[a][a];
    }
    for (int a = 0; a < K; a++) {
        double q = nearbyint(c[a] * 256.0);
        weight[a] = (int16_t)(isfinite(q) ? (q > MAX_WEIGHT ? MAX_WEIGHT : q < -MAX_WEIGHT ? -MAX_WEIGHT : q) : 0);
    }
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

tt_status tt_ec_plane_fit(const int32_t *v, const int32_t *prev, uint32_t w, uint32_t h, tt_ec_plane_params *p)
{
    memset(p, 0, sizeof *p);
    size_t n = (size_t)w * h;
    if (n == 0) {
        for (int b = 0; b < TT_EC_PLANE_BUCKETS; b++) p->scale16[b] = tt_f32_to_f16(1.0f);
        return TT_OK;
    }
    int32_t *sorted = malloc(n * sizeof *sorted);
    if (!sorted) return tt_fail(TT_ERR_NOMEM, "entropy: out of memory");
    memcpy(sorted, v, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_i32);
    p->center = sorted[n / 2];
    free(sorted);
    fit_weights(v, p->center, prev, w, h, p->weight);

    /* residuals by (bucket, half_up); the alphabet is the largest |residual| (capped: the rest escape) */
    int64_t most = 0;
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            int64_t base;
            int half_up, bucket;
            context_at(p, v, prev, w, x, y, &base, &half_up, &bucket);
            int64_t r = llabs((int64_t)v[(size_t)y * w + x] - p->center - base);
            if (r > most) most = r;
        }
    p->half = (uint16_t)(most > MAX_HALF ? MAX_HALF : most);
    size_t span = 2u * p->half + 1;
    uint64_t *hist = calloc(TT_EC_PLANE_BUCKETS * 2 * (span + 1), sizeof *hist); /* + 1: escapes */
    tt_ec_model *m = malloc(sizeof *m);
    tt_status s = hist && m ? TT_OK : tt_fail(TT_ERR_NOMEM, "entropy: out of memory");
    double dev[TT_EC_PLANE_BUCKETS] = {0}, cnt[TT_EC_PLANE_BUCKETS] = {0};
    for (uint32_t y = 0; s == TT_OK && y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            int64_t base;
            int half_up, bucket;
            context_at(p, v, prev, w, x, y, &base, &half_up, &bucket);
            int64_t r = (int64_t)v[(size_t)y * w + x] - p->center - base;
            uint64_t *hb = hist + ((size_t)bucket * 2 + half_up) * (span + 1);
            if (llabs(r) <= p->half) hb[r + p->half]++;
            else hb[span]++;
            dev[bucket] += fabs((double)r - 0.5 * half_up);
            cnt[bucket] += 1;
        }
    /* per bucket, the scale of a geometric ladder around the mean deviation that gives the fewest coded bits */
    for (int b = 0; s == TT_OK && b < TT_EC_PLANE_BUCKETS; b++) {
        double b0 = cnt[b] > 0 ? dev[b] / cnt[b] : 1.0;
        if (b0 < 0.05) b0 = 0.05;
        double best_bits = INFINITY;
        uint16_t best = tt_f32_to_f16((float)b0);
        for (int i = -8; cnt[b] > 0 && i <= 16; i++) {
            uint16_t s16 = tt_f32_to_f16((float)(b0 * pow(2.0, i / 4.0)));
            float sc = tt_f16_to_f32(s16);
            if (!(sc >= TT_EC_MIN_SCALE && sc <= TT_EC_MAX_SCALE)) continue;
            tt_ec_plane_params trial = *p;
            trial.scale16[b] = s16;
            double bits = 0;
            for (int hu = 0; hu < 2 && isfinite(bits); hu++) {
                const uint64_t *hb = hist + ((size_t)b * 2 + hu) * (span + 1);
                tt_ec_params q = table_params(&trial, b, hu);
                if (tt_ec_model_build(m, &q, "fit") != TT_OK) { bits = INFINITY; break; }
                bits += tt_ec_hist_bits(m, hb, hb[span]);
            }
            if (bits < best_bits) best_bits = bits, best = s16;
        }
        p->scale16[b] = best;
    }
    free(hist);
    free(m);
    return s;
}

void tt_ec_plane_encode(tt_ec_encoder *e, const tt_ec_plane_params *p, const tt_ec_plane_tables *t, const int32_t *v,
                        const int32_t *prev, uint32_t w, uint32_t h)
{
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            int64_t base;
            int half_up, bucket;
            context_at(p, v, prev, w, x, y, &base, &half_up, &bucket);
            int64_t r = (int64_t)v[(size_t)y * w + x] - p->center - base;
            tt_ec_encode(e, &t->model[bucket][half_up], (int32_t)r); /* |r| < 2^31: levels and base are small */
        }
}

tt_status tt_ec_plane_decode(tt_ec_decoder *d, const tt_ec_plane_params *p, const tt_ec_plane_tables *t, int32_t *v,
                             const int32_t *prev, uint32_t w, uint32_t h, int32_t lo, int32_t hi, const char *name)
{
    if (p->center < lo || p->center > hi)
        return tt_fail(TT_ERR_FORMAT, "%s: plane centre %d outside %d..%d", name, p->center, lo, hi);
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            int32_t r;
            int64_t base;
            int half_up, bucket;
            context_at(p, v, prev, w, x, y, &base, &half_up, &bucket);
            tt_status s = tt_ec_decode(d, &t->model[bucket][half_up], &r, name);
            if (s != TT_OK) return s;
            int64_t value = (int64_t)p->center + base + r;
            if (value < lo || value > hi)
                return tt_fail(TT_ERR_FORMAT, "%s: decoded level %lld outside %d..%d", name, (long long)value, lo, hi);
            v[(size_t)y * w + x] = (int32_t)value;
        }
    return TT_OK;
}

void tt_ec_plane_params_put(const tt_ec_plane_params *p, uint8_t out[TT_EC_PLANE_PARAM_BYTES])
{
    uint8_t *o = out;
    tt_put_le32(o, (uint32_t)p->center);
    o += 4;
    for (int k = 0; k < TT_EC_PLANE_TAPS; k++, o += 2) tt_put_le16(o, (uint16_t)p->weight[k]);
    tt_put_le16(o, p->half);
    o += 2;
    for (int b = 0; b < TT_EC_PLANE_BUCKETS; b++, o += 2) tt_put_le16(o, p->scale16[b]);
}

void tt_ec_plane_params_get(const uint8_t in[TT_EC_PLANE_PARAM_BYTES], tt_ec_plane_params *p)
{
    const uint8_t *i = in;
    p->center = (int32_t)tt_get_le32(i);
    i += 4;
    for (int k = 0; k < TT_EC_PLANE_TAPS; k++, i += 2) p->weight[k] = (int16_t)tt_get_le16(i);
    p->half = tt_get_le16(i);
    i += 2;
    for (int b = 0; b < TT_EC_PLANE_BUCKETS; b++, i += 2) p->scale16[b] = tt_get_le16(i);
}
