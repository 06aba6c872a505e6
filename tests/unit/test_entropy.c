/* test_entropy.c - the range coder and Laplace model of entropy-coded latents on their own: round trips of many distributions, escapes, edge streams, rate near the entropy, corrupt and truncated streams refused; the plane context model likewise. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "neural/entropy.h"
#include "tt_test.h"

static uint64_t rng_state = 0x243F6A8885A308D3ull;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}
static double unif(void) { return (rnd() + 0.5) / 4294967296.0; }

/* Laplace sample of mean mu, scale b, rounded (inverse CDF). */
static int32_t laplace(double mu, double b)
{
    double u = unif() - 0.5;
    double x = mu - b * (u < 0 ? -1 : 1) * log(1 - 2 * fabs(u));
    return (int32_t)floor(x + 0.5);
}

/* The model a caller of the coder would fit to v[0..count-1] over the alphabet lo..hi: the median as mu, then the
 * scale among a geometric ladder around the mean absolute deviation that gives the fewest coded bits. */
static void fit_laplace(const int32_t *v, size_t count, int32_t lo, int32_t hi, tt_ec_params *out)
{
    out->lo = lo;
    out->hi = hi;
    out->mu = 0.5f * ((float)lo + (float)hi);
    out->scale = 1.0f;
    int64_t n = (int64_t)hi - lo + 1;
    if (n < 1 || n > TT_EC_MAX_SYMBOLS || count == 0) return;
    uint64_t *hist = calloc((size_t)n, sizeof *hist);
    tt_ec_model *m = malloc(sizeof *m);
    if (!hist || !m) { free(hist); free(m); return; }
    uint64_t escapes = 0;
    for (size_t i = 0; i < count; i++) {
        if (v[i] < lo || v[i] > hi) escapes++;
        else hist[v[i] - lo]++;
    }
    /* median of the in-range values, then the mean absolute deviation (the Laplace's maximum-likelihood pair) */
    uint64_t inside = count - escapes, run = 0;
    int64_t med = 0;
    for (int64_t k = 0; k < n; k++) {
        run += hist[k];
        if (inside && 2 * run >= inside) { med = k; break; }
    }
    double dev = 0;
    for (int64_t k = 0; k < n; k++) dev += (double)hist[k] * fabs((double)(k - med));
    double b0 = inside ? dev / (double)inside : 1.0;
    if (b0 < 0.01) b0 = 0.01; /* above TT_EC_MIN_SCALE even after a file rounds it to a half float */
    out->mu = (float)(lo + med);
    /* the table's floors and the discretisation move the best scale off the continuous optimum: try a ladder */
    double best_bits = INFINITY;
    float best_b = (float)b0;
    for (int i = -8; i <= 24; i++) { /* up to 64x: a near-uniform channel should cost about log2(n) */
        double b = b0 * pow(2.0, i / 4.0);
        if (b < TT_EC_MIN_SCALE || b > TT_EC_MAX_SCALE) continue;
        tt_ec_params p = *out;
        p.scale = (float)b;
        if (tt_ec_model_build(m, &p, "fit") != TT_OK) continue;
        double bits = tt_ec_hist_bits(m, hist, escapes);
        if (bits < best_bits) best_bits = bits, best_b = p.scale;
    }
    out->scale = best_b;
    free(hist);
    free(m);
}

/* Encodes v under a model fitted to it, decodes, compares; returns the coded size (0 on failure). */
static size_t round_trip(const int32_t *v, size_t n, int32_t lo, int32_t hi, const char *what)
{
    tt_ec_params p;
    fit_laplace(v, n, lo, hi, &p);
    tt_ec_model *m = malloc(sizeof *m);
    int32_t *back = malloc(sizeof(int32_t) * (n ? n : 1));
    uint8_t *buf = NULL;
    size_t size = 0;
    CHECK_MSG(tt_ec_model_build(m, &p, what) == TT_OK, "%s: model", what);
    CHECK_MSG(tt_ec_encode_array(m, v, n, &buf, &size) == TT_OK, "%s: encode", what);
    tt_status s = tt_ec_decode_array(m, buf, size, back, n, what);
    CHECK_MSG(s == TT_OK, "%s: decode: %s", what, tt_last_error());
    int same = s == TT_OK && (n == 0 || memcmp(v, back, n * sizeof(int32_t)) == 0);
    CHECK_MSG(same, "%s: values differ after the round trip", what);
    /* the coder spends what the table says, to within its 5 flush bytes */
    double bits = 0;
    for (size_t i = 0; i < n; i++) bits += tt_ec_symbol_bits(m, v[i]);
    CHECK_MSG(size * 8.0 <= bits + 6 * 8 && size * 8.0 >= bits - 8, "%s: %zu bytes for %.0f table bits", what, size,
              bits);
    free(buf);
    free(back);
    free(m);
    return same ? size : 0;
}

static void test_distributions(void)
{
    enum { N = 20000 };
    int32_t *v = malloc(sizeof(int32_t) * N);
    /* uniform over 0..255: close to 8 bits a value, never much more */
    for (int i = 0; i < N; i++) v[i] = (int32_t)(rnd() % 256);
    size_t s = round_trip(v, N, 0, 255, "uniform");
    CHECK_MSG(s <= N * 1.02 + 16, "uniform: %zu bytes for %d values", s, N);
    /* peaked Laplace: rate near its entropy (computed independently from the sample's histogram) */
    for (int i = 0; i < N; i++) {
        int32_t x = laplace(128.3, 1.5);
        v[i] = x < 0 ? 0 : x > 255 ? 255 : x;
    }
    int hist[256] = {0};
    for (int i = 0; i < N; i++) hist[v[i]]++;
    double H = 0;
    for (int k = 0; k < 256; k++)
        if (hist[k]) H -= hist[k] * log2((double)hist[k] / N);
    s = round_trip(v, N, 0, 255, "peaked");
    CHECK_MSG(s * 8.0 <= H * 1.05 + 64, "peaked: %zu bytes, empirical entropy %.0f bytes", s, H / 8);
    CHECK_MSG(s * 8.0 >= H - 64, "peaked: %zu bytes below the empirical entropy %.0f bytes", s, H / 8);
    /* all zero: a spike costs well under 0.05 bits a value */
    memset(v, 0, sizeof(int32_t) * N);
    s = round_trip(v, N, 0, 255, "all-zero");
    CHECK_MSG(s < N / 100, "all-zero: %zu bytes", s);
    /* all at the top of the alphabet */
    for (int i = 0; i < N; i++) v[i] = 255;
    round_trip(v, N, 0, 255, "all-max");
    /* wide signed Laplace in a narrow alphabet: many escapes, including the int32 extremes */
    for (int i = 0; i < N; i++) v[i] = laplace(0, 40);
    v[0] = INT32_MIN;
    v[1] = INT32_MAX;
    v[2] = -17;
    v[3] = 17;
    v[N - 1] = INT32_MIN + 1;
    round_trip(v, N, -16, 16, "escapes");
    /* every value escapes */
    for (int i = 0; i < N; i++) v[i] = (int32_t)rnd() * (i & 1 ? 1 : -1);
    round_trip(v, N, 1000, 1000, "all-escape");
    /* the largest alphabet, uniform and peaked, and random model parameters */
    for (int i = 0; i < N; i++) v[i] = (int32_t)(rnd() % TT_EC_MAX_SYMBOLS) - 2048;
    round_trip(v, N, -2048, 2047, "max-alphabet");
    for (int t = 0; t < 200; t++) {
        int32_t lo = (int32_t)(rnd() % 2000) - 1000, hi = lo + (int32_t)(rnd() % 300);
        double mu = lo + unif() * (hi - lo + 20) - 10, b = exp(unif() * 12 - 4);
        int n = 1 + (int)(rnd() % 3000);
        for (int i = 0; i < n; i++) v[i] = laplace(mu, b);
        char what[64];
        snprintf(what, sizeof what, "random model %d (b %.3g)", t, b);
        round_trip(v, (size_t)n, lo, hi, what);
    }
    free(v);
}

static void test_edge_streams(void)
{
    tt_ec_params p = {0, 255, 100.0f, 3.0f};
    tt_ec_model m;
    CHECK(tt_ec_model_build(&m, &p, "t") == TT_OK);
    /* empty: 5 bytes, decodes to nothing and ends where it should */
    uint8_t *buf = NULL;
    size_t size = 0;
    CHECK(tt_ec_encode_array(&m, NULL, 0, &buf, &size) == TT_OK);
    CHECK_EQ_INT(size, 5);
    CHECK(tt_ec_decode_array(&m, buf, size, NULL, 0, "empty") == TT_OK);
    free(buf);
    /* one symbol: each of a spread of values */
    int32_t one[] = {0, 100, 255, -1, 256, INT32_MIN, INT32_MAX};
    for (size_t i = 0; i < sizeof one / sizeof one[0]; i++) {
        int32_t back = 12345;
        CHECK(tt_ec_encode_array(&m, &one[i], 1, &buf, &size) == TT_OK);
        CHECK(tt_ec_decode_array(&m, buf, size, &back, 1, "one") == TT_OK);
        CHECK_EQ_INT(back, one[i]);
        free(buf);
    }
    /* a long stream of the least probable symbol (the table's floor), then of the most probable */
    enum { LONG = 1 << 20 };
    int32_t *v = malloc(sizeof(int32_t) * LONG), *back = malloc(sizeof(int32_t) * LONG);
    for (int i = 0; i < LONG; i++) v[i] = i < LONG / 2 ? 0 : 100;
    CHECK(tt_ec_encode_array(&m, v, LONG, &buf, &size) == TT_OK);
    CHECK(tt_ec_decode_array(&m, buf, size, back, LONG, "long") == TT_OK);
    CHECK(memcmp(v, back, sizeof(int32_t) * LONG) == 0);
    free(buf);
    free(v);
    free(back);
    /* one-symbol alphabet: the in-range value costs almost nothing */
    tt_ec_params p1 = {7, 7, 7.0f, TT_EC_MIN_SCALE};
    CHECK(tt_ec_model_build(&m, &p1, "t") == TT_OK);
    CHECK(tt_ec_symbol_bits(&m, 7) < 0.01);
}

static void test_bad_params(void)
{
    tt_ec_model m;
    tt_ec_params bad[] = {
        {0, 255, NAN, 1.0f}, {0, 255, 0.0f, INFINITY}, {0, 255, 0.0f, 0.0f}, {0, 255, 0.0f, -1.0f},
        {0, 255, 0.0f, TT_EC_MAX_SCALE * 2}, {10, 9, 0.0f, 1.0f}, {0, TT_EC_MAX_SYMBOLS, 0.0f, 1.0f},
        {INT32_MIN, INT32_MAX, 0.0f, 1.0f}, {0, 255, 3e9f, 1.0f},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) CHECK_MSG(tt_ec_model_build(&m, &bad[i], "t") != TT_OK, "bad %zu", i);
    /* every frequency at least 1, summing to the total, under extreme scales and means */
    float scales[] = {TT_EC_MIN_SCALE, 0.3f, 7.0f, 5000.0f, TT_EC_MAX_SCALE};
    float mus[] = {-1e6f, 0.0f, 0.5f, 255.0f, 1e6f};
    for (int a = 0; a < 5; a++)
        for (int b = 0; b < 5; b++) {
            tt_ec_params p = {0, 255, mus[b], scales[a]};
            CHECK(tt_ec_model_build(&m, &p, "t") == TT_OK);
            int ok = m.cum[0] == 0 && m.cum[m.n + 1] == (1u << TT_EC_PROB_BITS);
            for (uint32_t k = 0; k <= m.n; k++) ok &= m.cum[k + 1] > m.cum[k];
            CHECK_MSG(ok, "table of mu %g scale %g", mus[b], scales[a]);
        }
}

/* Random corruptions and truncations: a clean error or some values, never a crash (ASan) or a hang. */
static void test_corruption(void)
{
    enum { N = 4000 };
    int32_t v[N], back[N];
    for (int i = 0; i < N; i++) v[i] = laplace(50, 6);
    v[10] = -100000; /* an escape in the stream */
    tt_ec_params p;
    fit_laplace(v, N, 0, 127, &p);
    tt_ec_model m;
    CHECK(tt_ec_model_build(&m, &p, "t") == TT_OK);
    uint8_t *buf = NULL;
    size_t size = 0;
    CHECK(tt_ec_encode_array(&m, v, N, &buf, &size) == TT_OK);
    /* every truncation is refused (the decoder reads exactly the bytes the encoder wrote) */
    int refused = 0;
    for (size_t cut = 0; cut < size; cut++) {
        uint8_t *t = malloc(cut ? cut : 1); /* exact-size copy: ASan sees any read past it */
        memcpy(t, buf, cut);
        refused += tt_ec_decode_array(&m, t, cut, back, N, "cut") != TT_OK;
        free(t);
    }
    CHECK_EQ_INT(refused, size);
    /* one more byte is refused too */
    uint8_t *longer = malloc(size + 1);
    memcpy(longer, buf, size);
    longer[size] = 0;
    CHECK(tt_ec_decode_array(&m, longer, size + 1, back, N, "long") != TT_OK);
    free(longer);
    /* flipped bytes: most streams are refused, and none crashes; the values that decode are in int32 anyway */
    int errors = 0, runs = 3000;
    uint8_t *t = malloc(size);
    for (int r = 0; r < runs; r++) {
        memcpy(t, buf, size);
        int flips = 1 + (int)(rnd() % 4);
        for (int f = 0; f < flips; f++) t[rnd() % size] ^= (uint8_t)(1 + rnd() % 255);
        errors += tt_ec_decode_array(&m, t, size, back, N, "flip") != TT_OK;
    }
    /* a stream that decodes after a flip would need every later symbol to stay consistent and land on the exact
     * end: rare */
    CHECK_MSG(errors > runs * 9 / 10, "%d of %d corrupt streams refused", errors, runs);
    /* random garbage of random lengths */
    for (int r = 0; r < 2000; r++) {
        size_t n = rnd() % 64;
        uint8_t *g = malloc(n ? n : 1);
        for (size_t i = 0; i < n; i++) g[i] = (uint8_t)rnd();
        if (n && (r & 1)) g[0] = 0;
        tt_ec_decode_array(&m, g, n, back, 1 + rnd() % 100, "garbage");
        free(g);
    }
    free(t);
    free(buf);
}

/* The training rate: its value matches the table's bits where the table's rounding is negligible, and its
 * derivatives match finite differences. */
static void test_rate(void)
{
    tt_ec_params p = {-200, 200, 3.25f, 4.0f};
    tt_ec_model m;
    CHECK(tt_ec_model_build(&m, &p, "t") == TT_OK);
    for (int x = -5; x <= 12; x++)
        CHECK_NEAR(tt_ec_laplace_bits(x, 3.25, 4.0, NULL, NULL), tt_ec_symbol_bits(&m, x), 0.03); /* the table gives 402 of its 2^15 to the floors: 0.018 bits */
    double xs[] = {-3.3, 0.2, 3.25, 4.1, 9.7};
    double bs[] = {0.5, 2.0, 9.0};
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 3; j++) {
            double dx, db, h = 1e-5;
            tt_ec_laplace_bits(xs[i], 3.25, bs[j], &dx, &db);
            double fx = (tt_ec_laplace_bits(xs[i] + h, 3.25, bs[j], NULL, NULL) -
                         tt_ec_laplace_bits(xs[i] - h, 3.25, bs[j], NULL, NULL)) / (2 * h);
            double fb = (tt_ec_laplace_bits(xs[i], 3.25, bs[j] + h, NULL, NULL) -
                         tt_ec_laplace_bits(xs[i], 3.25, bs[j] - h, NULL, NULL)) / (2 * h);
            CHECK_NEAR(dx, fx, 1e-4 * (1 + fabs(fx)));
            CHECK_NEAR(db, fb, 1e-4 * (1 + fabs(fb)));
        }
    /* far in the tail the rate is floored like the table, with no gradient */
    double dx = 1, db = 1;
    CHECK_NEAR(tt_ec_laplace_bits(1000, 0, 1, &dx, &db), TT_EC_PROB_BITS, 1e-9);
    CHECK(dx == 0 && db == 0);
}

/* The tables' own exp against libm's: within 1e-13 relative where e^x is a normal double (the independent value), with
 * exact values at the ends. */
static void test_exp(void)
{
    double worst = 0.0;
    for (int i = 0; i <= 200000; i++) {
        double x = -700.0 * i / 200000.0; /* e^x stays a normal double (subnormals keep fewer bits) */
        double a = tt_ec_exp_nonpositive(x), e = exp(x);
        double rel = fabs(a - e) / e;
        if (rel > worst) worst = rel;
    }
    CHECK_MSG(worst < 1e-13, "exp_nonpositive: worst relative error %g", worst);
    CHECK(tt_ec_exp_nonpositive(0.0) == 1.0);
    CHECK(tt_ec_exp_nonpositive(-800.0) == 0.0);
    CHECK(tt_ec_exp_nonpositive(NAN) == 0.0);
    CHECK(tt_ec_exp_nonpositive(5.0) == 1.0); /* clamped: the tables never ask for x > 0 */
}

/* ---- the plane context model (entropy_plane.c) ---- */

/* Fits, codes and decodes one plane (with an optional previous plane, centred); returns the bytes (0 on failure). */
static size_t plane_round_trip(const int32_t *v, const int32_t *prev, uint32_t w, uint32_t h, int32_t lo, int32_t hi,
                               const char *what)
{
    size_t n = (size_t)w * h;
    tt_ec_plane_params p, q;
    tt_ec_plane_tables *t = malloc(sizeof *t);
    int32_t *back = malloc(sizeof(int32_t) * (n ? n : 1));
    CHECK_MSG(tt_ec_plane_fit(v, prev, w, h, &p) == TT_OK, "%s: fit", what);
    uint8_t bytes[TT_EC_PLANE_PARAM_BYTES];
    tt_ec_plane_params_put(&p, bytes);
    tt_ec_plane_params_get(bytes, &q); /* the decoder works from the stored bytes */
    CHECK_MSG(memcmp(&p, &q, sizeof p) == 0, "%s: parameters do not survive their bytes", what);
    CHECK_MSG(tt_ec_plane_tables_build(t, &p, what) == TT_OK, "%s: tables: %s", what, tt_last_error());
    tt_ec_encoder e;
    tt_ec_encoder_init(&e);
    tt_ec_plane_encode(&e, &p, t, v, prev, w, h);
    uint8_t *buf = NULL;
    size_t size = 0;
    CHECK_MSG(tt_ec_encoder_finish(&e, &buf, &size) == TT_OK, "%s: finish", what);
    tt_ec_decoder d;
    tt_status s = tt_ec_decoder_init(&d, buf, size, what);
    if (s == TT_OK) s = tt_ec_plane_decode(&d, &q, t, back, prev, w, h, lo, hi, what);
    if (s == TT_OK) s = tt_ec_decoder_finish(&d, what);
    CHECK_MSG(s == TT_OK, "%s: decode: %s", what, tt_last_error());
    int same = s == TT_OK && memcmp(v, back, n * sizeof *v) == 0;
    CHECK_MSG(same, "%s: plane differs after the round trip", what);
    /* corrupt copies: refused or decoded to something, never a crash or a read outside the buffer (ASan runs this) */
    for (int k = 0; k < 40 && size > 0; k++) {
        uint8_t *c = malloc(size);
        memcpy(c, buf, size);
        size_t cut = k < 20 ? size : (size_t)(rnd() % size);
        c[rnd() % size] ^= (uint8_t)(1u << (rnd() % 8));
        if (tt_ec_decoder_init(&d, c, cut, "corrupt") == TT_OK &&
            tt_ec_plane_decode(&d, &q, t, back, prev, w, h, lo, hi, "corrupt") == TT_OK)
            (void)tt_ec_decoder_finish(&d, "corrupt");
        free(c);
    }
    free(buf);
    free(back);
    free(t);
    return same ? size : 0;
}

static void test_planes(void)
{
    enum { W = 64, H = 48, N = W * H };
    int32_t *v = malloc(sizeof(int32_t) * N), *prev = malloc(sizeof(int32_t) * N);
    /* a smooth field (a random walk along rows and columns) is predictable from its neighbours: the context model
     * must spend well under what one Laplace over the whole plane spends (the independent figure: fit_laplace) */
    for (uint32_t y = 0; y < H; y++)
        for (uint32_t x = 0; x < W; x++) {
            int32_t l = x ? v[y * W + x - 1] : 128, u = y ? v[(y - 1) * W + x] : 128;
            int32_t a = (x && y ? (l + u + 1) / 2 : x ? l : u) + laplace(0, 1.5);
            v[y * W + x] = a < 0 ? 0 : a > 255 ? 255 : a;
        }
    size_t ctx = plane_round_trip(v, NULL, W, H, 0, 255, "smooth plane");
    size_t flat = round_trip(v, N, 0, 255, "smooth plane, one Laplace");
    CHECK_MSG(ctx > 0 && ctx * 10 < flat * 7, "smooth plane: context model %zu bytes, one Laplace %zu", ctx, flat);
    /* noise no neighbour predicts, repeated from the previous plane (centred) up to small noise: the previous-plane
     * tap carries it */
    for (int i = 0; i < N; i++) prev[i] = (int32_t)(rnd() % 200) + 28 - 128;
    for (int i = 0; i < N; i++) v[i] = prev[i] + 128;
    int32_t *v2 = malloc(sizeof(int32_t) * N);
    for (int i = 0; i < N; i++) {
        int32_t a = v[i] + laplace(0, 0.3);
        v2[i] = a < 0 ? 0 : a > 255 ? 255 : a;
    }
    size_t with_prev = plane_round_trip(v2, prev, W, H, 0, 255, "plane like the previous one");
    size_t without = plane_round_trip(v2, NULL, W, H, 0, 255, "same plane, no previous");
    CHECK_MSG(with_prev > 0 && with_prev * 2 < without, "previous-plane tap: %zu bytes with, %zu without", with_prev,
              without);
    /* adversarial planes: constant, extremes alternating, uniform noise, a checkerboard of the bounds, 1xN and Nx1 */
    for (int i = 0; i < N; i++) v[i] = 7;
    plane_round_trip(v, NULL, W, H, 0, 255, "constant plane");
    for (int i = 0; i < N; i++) v[i] = (i & 1) ? 255 : 0;
    plane_round_trip(v, NULL, W, H, 0, 255, "alternating extremes");
    for (int i = 0; i < N; i++) v[i] = (int32_t)(rnd() % 256);
    size_t noise = plane_round_trip(v, prev, W, H, 0, 255, "uniform noise");
    CHECK_MSG(noise <= N * 1.05 + 64, "uniform noise: %zu bytes for %d values", noise, N);
    for (int i = 0; i < N; i++) v[i] = ((i % W) + (i / W)) & 1 ? 255 : 0;
    plane_round_trip(v, NULL, W, H, 0, 255, "checkerboard");
    plane_round_trip(v, NULL, 1, N, 0, 255, "one column");
    plane_round_trip(v, NULL, N, 1, 0, 255, "one row");
    plane_round_trip(v, NULL, 0, 0, 0, 255, "empty plane");
    /* residuals beyond the largest alphabet go through the escape */
    for (int i = 0; i < N; i++) v[i] = (int32_t)(rnd() % 2) * 100000 - 50000;
    plane_round_trip(v, NULL, W, H, -50000, 50000, "escapes");
    /* parameters from a hostile file: an alphabet too wide, a bad scale, a centre outside the levels */
    tt_ec_plane_params p;
    memset(&p, 0, sizeof p);
    tt_ec_plane_tables *t = malloc(sizeof *t);
    p.half = 60000;
    CHECK(tt_ec_plane_tables_build(t, &p, "wide") != TT_OK);
    p.half = 3;
    for (int b = 0; b < TT_EC_PLANE_BUCKETS; b++) p.scale16[b] = 0x7C00; /* +inf */
    CHECK(tt_ec_plane_tables_build(t, &p, "inf scale") != TT_OK);
    for (int b = 0; b < TT_EC_PLANE_BUCKETS; b++) p.scale16[b] = 0x3C00; /* 1.0 */
    CHECK(tt_ec_plane_tables_build(t, &p, "ok") == TT_OK);
    p.center = 300;
    uint8_t zeros[64] = {0};
    tt_ec_decoder d;
    CHECK(tt_ec_decoder_init(&d, zeros, sizeof zeros, "centre") == TT_OK);
    CHECK(tt_ec_plane_decode(&d, &p, t, v, NULL, 4, 4, 0, 255, "centre") != TT_OK);
    free(t);
    free(v);
    free(v2);
    free(prev);
}

int main(void)
{
    test_exp();
    test_distributions();
    test_edge_streams();
    test_bad_params();
    test_corruption();
    test_rate();
    test_planes();
    TT_TEST_END();
}
