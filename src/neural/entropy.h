/* entropy.h - range coder of integer symbols under a discretised Laplace model (the entropy-coded latent grids of .tnx files), and the model's rate for training. */
#ifndef TT_ENTROPY_H
#define TT_ENTROPY_H

#include <stddef.h>
#include <stdint.h>
#include "tinytex.h"

/* Frequencies of a model sum to 2^TT_EC_PROB_BITS. */
#define TT_EC_PROB_BITS 15
/* In-range alphabet [lo, hi] holds at most this many symbols; every other integer goes through the escape. */
#define TT_EC_MAX_SYMBOLS 4096
/* Scale bounds a file may hold (in symbol units): below, a channel is one spike; above, nearly uniform. */
#define TT_EC_MIN_SCALE 0.0078125f /* 2^-7, exact in a half float */
#define TT_EC_MAX_SCALE 60000.0f /* fits a half float */

/* Parameters of one model: a Laplace of mean mu and scale b (density exp(-|x - mu| / b) / 2b) over the integers
 * lo..hi, each given the mass of [k - 1/2, k + 1/2] (renormalised over the alphabet); an escape symbol of the least
 * frequency (1) codes any other integer, whose value follows as 32 raw bits. These four numbers are what a file stores. */
typedef struct {
    int32_t lo, hi;
    float mu, scale;
} tt_ec_params;

/* The frequency table the coder uses, built from tt_ec_params: freq[0..n-1] for lo..hi, freq[n] the escape, every
 * one at least 1, so every int32 is codable. */
typedef struct {
    tt_ec_params p;
    uint32_t n;                            /* hi - lo + 1 */
    uint32_t cum[TT_EC_MAX_SYMBOLS + 2];   /* cum[k] = sum of freq below k; cum[n + 1] = 2^TT_EC_PROB_BITS */
} tt_ec_model;

/* Checks the parameters (finite, scale within bounds, 1 <= hi - lo + 1 <= TT_EC_MAX_SYMBOLS) and builds the table.
 * `name` goes into error messages (params read from a file are untrusted). */
tt_status tt_ec_model_build(tt_ec_model *m, const tt_ec_params *p, const char *name);
/* e^x for x <= 0 (larger x are taken as 0), the same bits on every IEEE 754 machine: the tables' exp. */
double tt_ec_exp_nonpositive(double x);


/* Exact code length in bits of value x under the built table (escape included): what the coder spends, to within
 * the coder's few bytes of flush. */
double tt_ec_symbol_bits(const tt_ec_model *m, int32_t x);
/* Code length in bits of a histogram under the built table: hist[k] values lo + k (k < n), `escapes` values outside
 * lo..hi (each costed as the escape plus its 32 bits). What fitting a scale compares. */
double tt_ec_hist_bits(const tt_ec_model *m, const uint64_t *hist, uint64_t escapes);

/* Rate of the continuous model, for rate-aware training: -log2 of the Laplace mass of [x - 1/2, x + 1/2] (mean mu,
 * scale b, no alphabet bounds, floored at 2^-TT_EC_PROB_BITS as the table is), and its derivatives with respect to x
 * (the latent value, for the straight-through / noise gradient) and to b. Either derivative pointer may be NULL.
 * The table renormalises over its alphabet and spends a little on the floors: the two agree to ~0.02 bits where the
 * alphabet holds nearly all the mass (test_entropy). */
double tt_ec_laplace_bits(double x, double mu, double b, double *dbits_dx, double *dbits_db);

/* ---- The range coder (a carry-propagating range coder with a 32-bit range and bytewise output) ---------------- */
typedef struct {
    uint8_t *buf;
    size_t size, cap;
    uint64_t low;
    uint32_t range;
    uint8_t cache;
    uint64_t cache_size;
    int failed;                            /* out of memory */
} tt_ec_encoder;

void tt_ec_encoder_init(tt_ec_encoder *e);
void tt_ec_encode(tt_ec_encoder *e, const tt_ec_model *m, int32_t x);
/* Flushes and hands over the bytes (*out malloc'ed, may be NULL only on error). */
tt_status tt_ec_encoder_finish(tt_ec_encoder *e, uint8_t **out, size_t *out_size);
void tt_ec_encoder_release(tt_ec_encoder *e);

typedef struct {
    const uint8_t *data;
    size_t size, pos;
    uint32_t code, range;
    int overrun;                           /* reads past the end happened (they give 0) */
} tt_ec_decoder;

/* Never reads outside data[0..size-1]. A stream too short to start is an error. */
tt_status tt_ec_decoder_init(tt_ec_decoder *d, const uint8_t *data, size_t size, const char *name);
/* One value; a value the encoder could not have written is TT_ERR_FORMAT. */
tt_status tt_ec_decode(tt_ec_decoder *d, const tt_ec_model *m, int32_t *x, const char *name);
/* After the last value: the stream must end exactly where the encoder's did. */
tt_status tt_ec_decoder_finish(const tt_ec_decoder *d, const char *name);

/* Whole-array helpers: values under one model. */
tt_status tt_ec_encode_array(const tt_ec_model *m, const int32_t *v, size_t count, uint8_t **out, size_t *out_size);
tt_status tt_ec_decode_array(const tt_ec_model *m, const uint8_t *data, size_t size, int32_t *v, size_t count,
                             const char *name);

/* ---- Context model of a 2-D plane of levels (src/neural/entropy_plane.c) ------------------------------------------
 * Each value v at (x, y) is coded as the residual v - centre - base under a table picked by its context: base is a
 * linear prediction (weights in 1/256, rounded to half levels) from the plane's left, upper, upper-left and
 * upper-right neighbours and the previous plane's value at (x, y) (all minus their plane's centre; 0 outside), and
 * the table is a Laplace of mean 0 or 1/2 (the prediction's half) and of the scale of one of TT_EC_PLANE_BUCKETS
 * buckets of the neighbours' magnitudes. The encoder fits centre, weights and scales to the plane; a file stores them
 * (TT_EC_PLANE_PARAM_BYTES). Raster order, so every context is decoded before it is needed. */
#define TT_EC_PLANE_TAPS 5
#define TT_EC_PLANE_BUCKETS 6
#define TT_EC_PLANE_PARAM_BYTES (4 + 2 * TT_EC_PLANE_TAPS + 2 + 2 * TT_EC_PLANE_BUCKETS)
typedef struct {
    int32_t center;                          /* the plane's median */
    int16_t weight[TT_EC_PLANE_TAPS];        /* prediction weights, 1/256 units */
    uint16_t half;                           /* residual alphabet -half..half; others escape */
    uint16_t scale16[TT_EC_PLANE_BUCKETS];   /* Laplace scale per bucket, half float, in levels */
} tt_ec_plane_params;
typedef struct {
    tt_ec_model model[TT_EC_PLANE_BUCKETS][2];   /* [bucket][prediction half-up] */
} tt_ec_plane_tables;

/* prev: the previous plane minus its centre (same size), or NULL. */
tt_status tt_ec_plane_fit(const int32_t *v, const int32_t *prev, uint32_t w, uint32_t h, tt_ec_plane_params *p);
tt_status tt_ec_plane_tables_build(tt_ec_plane_tables *t, const tt_ec_plane_params *p, const char *name);
void tt_ec_plane_encode(tt_ec_encoder *e, const tt_ec_plane_params *p, const tt_ec_plane_tables *t, const int32_t *v,
                        const int32_t *prev, uint32_t w, uint32_t h);
/* Decodes w x h values into v; a value outside lo..hi (or a centre outside it) is TT_ERR_FORMAT. */
tt_status tt_ec_plane_decode(tt_ec_decoder *d, const tt_ec_plane_params *p, const tt_ec_plane_tables *t, int32_t *v,
                             const int32_t *prev, uint32_t w, uint32_t h, int32_t lo, int32_t hi, const char *name);
void tt_ec_plane_params_put(const tt_ec_plane_params *p, uint8_t out[TT_EC_PLANE_PARAM_BYTES]);
void tt_ec_plane_params_get(const uint8_t in[TT_EC_PLANE_PARAM_BYTES], tt_ec_plane_params *p);

#endif
