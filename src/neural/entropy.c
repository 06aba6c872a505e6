/* entropy.c - range coder (LZMA-style carry propagation, 15-bit frequencies) and the discretised Laplace model of the entropy-coded latent grids. */
#include "neural/entropy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PROB_TOTAL (1u << TT_EC_PROB_BITS)
#define TOP (1u << 24)

/* A file's frequency tables must come out bit-identical on every machine that decodes it, which libm's exp does
 * not promise (its last bit varies between libraries). This one uses only floor, ldexp (exact) and +, *, / (rounded
 * alike by every IEEE 754 double implementation; the build turns off their contraction into fma): e^x = 2^k e^r,
 * k = floor(x log2 e), r = x - k ln 2 with ln 2 in two parts (Cody and Waite: k ln2_hi is exact), and a degree-13
 * Taylor series of e^r, 0 <= r < ln 2 up to rounding (relative error about 1e-15). */
double tt_ec_exp_nonpositive(double x)
{
    if (!(x > -745.0)) return 0.0; /* below the smallest subnormal, and NaN */
    if (x > 0.0) x = 0.0;
    double k = floor(x * 1.4426950408889634);
    double f = (x - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10, p = 1.0;
    for (int i = 13; i >= 1; i--) p = 1.0 + p * f / i;
    return ldexp(p, (int)k);
}

/* Laplace mass of [a, c] (a < c), computed on the side of mu each end lies so tails keep their precision (every
 * exponent is <= 0). */
static double laplace_mass(double a, double c, double mu, double b)
{
    if (c <= mu) return 0.5 * (tt_ec_exp_nonpositive((c - mu) / b) - tt_ec_exp_nonpositive((a - mu) / b));
    if (a >= mu) return 0.5 * (tt_ec_exp_nonpositive(-(a - mu) / b) - tt_ec_exp_nonpositive(-(c - mu) / b));
    return 1.0 - 0.5 * tt_ec_exp_nonpositive((a - mu) / b) - 0.5 * tt_ec_exp_nonpositive(-(c - mu) / b);
}

tt_status tt_ec_model_build(tt_ec_model *m, const tt_ec_params *p, const char *name)
{
    if (!isfinite(p->mu) || !isfinite(p->scale) || p->scale < TT_EC_MIN_SCALE || p->scale > TT_EC_MAX_SCALE)
        return tt_fail(TT_ERR_FORMAT, "%s: entropy model has a bad mean or scale", name);
    int64_t n = (int64_t)p->hi - p->lo + 1;
    if (n < 1 || n > TT_EC_MAX_SYMBOLS)
        return tt_fail(TT_ERR_FORMAT, "%s: entropy model alphabet %lld symbols (1..%d)", name, (long long)n,
                       TT_EC_MAX_SYMBOLS);
    if (fabsf(p->mu) > 1e9f)
        return tt_fail(TT_ERR_FORMAT, "%s: entropy model mean out of range", name);
    m->p = *p;
    m->n = (uint32_t)n;
    /* The alphabet holds the mass (renormalised: a bounded channel wastes nothing on its Laplace tails); every symbol
     * and the escape get at least 1, so none is uncodable; the rounding leftover goes to the most probable symbol. */
    uint32_t spare = PROB_TOTAL - (m->n + 1);
    double mu = p->mu, b = p->scale, inside = 0;
    for (uint32_t k = 0; k < m->n; k++) {
        double x = (double)p->lo + k;
        inside += laplace_mass(x - 0.5, x + 0.5, mu, b);
    }
    int flat = !(inside > 1e-200); /* mu far outside a narrow alphabet: nothing left to share by mass */
    uint32_t sum = 0, best = 0, best_f = 0;
    for (uint32_t k = 0; k < m->n; k++) {
        double x = (double)p->lo + k;
        double share = flat ? 1.0 / m->n : laplace_mass(x - 0.5, x + 0.5, mu, b) / inside;
        if (!(share > 0)) share = 0;
        if (share > 1) share = 1;
        uint32_t f = 1 + (uint32_t)floor(share * spare);
        m->cum[k] = sum;
        sum += f;
        if (f > best_f) best_f = f, best = k;
    }
    m->cum[m->n] = sum;
    /* the leftover (negative by a count or two if the shares' rounding sums past 1) moves the cumulative counts
     * above the most probable symbol, which holds at least spare / n >= 7 */
    int64_t left = (int64_t)PROB_TOTAL - sum - 1;
    if (left < 0 && (int64_t)best_f + left < 1)
        return tt_fail(TT_ERR_FORMAT, "%s: entropy model does not fit its table", name);
    for (uint32_t k = best + 1; k <= m->n; k++) m->cum[k] = (uint32_t)((int64_t)m->cum[k] + left);
    m->cum[m->n + 1] = PROB_TOTAL;
    return TT_OK;
}

static uint32_t freq_of(const tt_ec_model *m, uint32_t s) { return m->cum[s + 1] - m->cum[s]; }

double tt_ec_symbol_bits(const tt_ec_model *m, int32_t x)
{
    if (x >= m->p.lo && x <= m->p.hi)
        return TT_EC_PROB_BITS - log2((double)freq_of(m, (uint32_t)((int64_t)x - m->p.lo)));
    return TT_EC_PROB_BITS - log2((double)freq_of(m, m->n)) + 32.0;
}

double tt_ec_laplace_bits(double x, double mu, double b, double *dbits_dx, double *dbits_db)
{
    const double floor_p = 1.0 / PROB_TOTAL;
    double a = x - 0.5, c = x + 0.5;
    double P = laplace_mass(a, c, mu, b);
    if (dbits_dx) *dbits_dx = 0;
    if (dbits_db) *dbits_db = 0;
    if (!(P > floor_p)) return TT_EC_PROB_BITS;
    double fa = exp(-fabs(a - mu) / b) / (2 * b), fc = exp(-fabs(c - mu) / b) / (2 * b);
    /* d/db of the CDF at t is -(t - mu)/b * density(t) on both sides of mu */
    double dP_dx = fc - fa;
    double dP_db = -(c - mu) / b * fc + (a - mu) / b * fa;
    if (dbits_dx) *dbits_dx = -dP_dx / (P * 0.69314718055994530942);
    if (dbits_db) *dbits_db = -dP_db / (P * 0.69314718055994530942);
    return -log2(P);
}

double tt_ec_hist_bits(const tt_ec_model *m, const uint64_t *hist, uint64_t escapes)
{
    double bits = escapes ? (double)escapes * tt_ec_symbol_bits(m, m->p.hi == INT32_MAX ? m->p.lo - 1 : m->p.hi + 1) : 0;
    for (uint32_t k = 0; k < m->n; k++)
        if (hist[k]) bits += (double)hist[k] * (TT_EC_PROB_BITS - log2((double)freq_of(m, k)));
    return bits;
}

/* ---- encoder ---------------------------------------------------------------- */
void tt_ec_encoder_init(tt_ec_encoder *e)
{
    memset(e, 0, sizeof *e);
    e->range = 0xFFFFFFFFu;
    e->cache_size = 1;
}

static void put_byte(tt_ec_encoder *e, uint8_t b)
{
    if (e->failed) return;
    if (e->size == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 4096;
        uint8_t *nb = realloc(e->buf, cap);
        if (!nb) { e->failed = 1; return; }
        e->buf = nb;
        e->cap = cap;
    }
    e->buf[e->size++] = b;
}

/* Moves the top byte of low out; a byte 0xFF is held back (cache_size counts them) until a carry is settled. */
static void shift_low(tt_ec_encoder *e)
{
    if ((uint32_t)e->low < 0xFF000000u || (e->low >> 32) != 0) {
        uint8_t carry = (uint8_t)(e->low >> 32);
        uint8_t temp = e->cache;
        do {
            put_byte(e, (uint8_t)(temp + carry));
            temp = 0xFF;
        } while (--e->cache_size != 0);
        e->cache = (uint8_t)(e->low >> 24);
    }
    e->cache_size++;
    e->low = (e->low & 0x00FFFFFFu) << 8;
}

static void encode_span(tt_ec_encoder *e, uint32_t cum, uint32_t freq, unsigned total_bits)
{
    uint32_t r = e->range >> total_bits;
    e->low += (uint64_t)r * cum;
    e->range = r * freq;
    while (e->range < TOP) {
        e->range <<= 8;
        shift_low(e);
    }
}

void tt_ec_encode(tt_ec_encoder *e, const tt_ec_model *m, int32_t x)
{
    if (x >= m->p.lo && x <= m->p.hi) {
        uint32_t s = (uint32_t)((int64_t)x - m->p.lo);
        encode_span(e, m->cum[s], freq_of(m, s), TT_EC_PROB_BITS);
        return;
    }
    encode_span(e, m->cum[m->n], freq_of(m, m->n), TT_EC_PROB_BITS);
    uint32_t u = (uint32_t)x;
    encode_span(e, u >> 16, 1, 16);
    encode_span(e, u & 0xFFFFu, 1, 16);
}

tt_status tt_ec_encoder_finish(tt_ec_encoder *e, uint8_t **out, size_t *out_size)
{
    for (int i = 0; i < 5; i++) shift_low(e);
    *out = NULL;
    *out_size = 0;
    if (e->failed) {
        tt_ec_encoder_release(e);
        return tt_fail(TT_ERR_NOMEM, "entropy coder: out of memory");
    }
    *out = e->buf;
    *out_size = e->size;
    e->buf = NULL;
    e->size = e->cap = 0;
    return TT_OK;
}

void tt_ec_encoder_release(tt_ec_encoder *e)
{
    free(e->buf);
    e->buf = NULL;
    e->size = e->cap = 0;
}

/* ---- decoder ---------------------------------------------------------------- */
static uint8_t next_byte(tt_ec_decoder *d)
{
    if (d->pos < d->size) return d->data[d->pos++];
    d->overrun = 1;
    return 0;
}

tt_status tt_ec_decoder_init(tt_ec_decoder *d, const uint8_t *data, size_t size, const char *name)
{
    memset(d, 0, sizeof *d);
    d->data = data;
    d->size = size;
    if (size < 5) return tt_fail(TT_ERR_FORMAT, "%s: entropy-coded stream truncated (%zu bytes)", name, size);
    /* the encoder's first byte is its initial cache, always 0 */
    if (data[0] != 0) return tt_fail(TT_ERR_FORMAT, "%s: entropy-coded stream does not start with 0", name);
    d->code = (uint32_t)data[1] << 24 | (uint32_t)data[2] << 16 | (uint32_t)data[3] << 8 | data[4];
    d->range = 0xFFFFFFFFu;
    d->pos = 5;
    if (d->code == 0xFFFFFFFFu) return tt_fail(TT_ERR_FORMAT, "%s: entropy-coded stream is corrupt", name);
    return TT_OK;
}

/* The slot v (0 .. 2^total_bits - 1) the code points at, or -1 where no encoder could have left it. */
static int64_t decode_slot(tt_ec_decoder *d, unsigned total_bits, uint32_t *r)
{
    *r = d->range >> total_bits;
    uint32_t v = d->code / *r;
    return v >> total_bits ? -1 : (int64_t)v;
}

static tt_status decode_take(tt_ec_decoder *d, uint32_t r, uint32_t cum, uint32_t freq, const char *name)
{
    d->code -= r * cum;
    d->range = r * freq;
    while (d->range < TOP) {
        d->code = d->code << 8 | next_byte(d);
        d->range <<= 8;
    }
    if (d->overrun) return tt_fail(TT_ERR_FORMAT, "%s: entropy-coded stream truncated", name);
    return TT_OK;
}

tt_status tt_ec_decode(tt_ec_decoder *d, const tt_ec_model *m, int32_t *x, const char *name)
{
    uint32_t r;
    int64_t v = decode_slot(d, TT_EC_PROB_BITS, &r);
    if (v < 0) return tt_fail(TT_ERR_FORMAT, "%s: entropy-coded stream is corrupt", name);
    /* the last s with cum[s] <= v; cum[n + 1] = total > v */
    uint32_t lo = 0, hi = m->n + 1;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (m->cum[mid] <= (uint32_t)v) lo = mid;
        else hi = mid;
    }
    tt_status s = decode_take(d, r, m->cum[lo], freq_of(m, lo), name);
    if (s != TT_OK) return s;
    if (lo < m->n) {
        *x = (int32_t)((int64_t)m->p.lo + lo);
        return TT_OK;
    }
    uint32_t half[2];
    for (int i = 0; i < 2; i++) {
        v = decode_slot(d, 16, &r);
        if (v < 0) return tt_fail(TT_ERR_FORMAT, "%s: entropy-coded stream is corrupt", name);
        s = decode_take(d, r, (uint32_t)v, 1, name);
        if (s != TT_OK) return s;
        half[i] = (uint32_t)v;
    }
    int32_t e = (int32_t)(half[0] << 16 | half[1]);
    if (e >= m->p.lo && e <= m->p.hi)
        return tt_fail(TT_ERR_FORMAT, "%s: entropy-coded stream escapes an in-range value", name);
    *x = e;
    return TT_OK;
}

tt_status tt_ec_decoder_finish(const tt_ec_decoder *d, const char *name)
{
    if (d->overrun) return tt_fail(TT_ERR_FORMAT, "%s: entropy-coded stream truncated", name);
    if (d->pos != d->size)
        return tt_fail(TT_ERR_FORMAT, "%s: %zu stray bytes after the entropy-coded stream", name, d->size - d->pos);
    return TT_OK;
}

tt_status tt_ec_encode_array(const tt_ec_model *m, const int32_t *v, size_t count, uint8_t **out, size_t *out_size)
{
    tt_ec_encoder e;
    tt_ec_encoder_init(&e);
    for (size_t i = 0; i < count; i++) tt_ec_encode(&e, m, v[i]);
    return tt_ec_encoder_finish(&e, out, out_size);
}

tt_status tt_ec_decode_array(const tt_ec_model *m, const uint8_t *data, size_t size, int32_t *v, size_t count,
                             const char *name)
{
    tt_ec_decoder d;
    tt_status s = tt_ec_decoder_init(&d, data, size, name);
    for (size_t i = 0; s == TT_OK && i < count; i++) s = tt_ec_decode(&d, m, &v[i], name);
    if (s == TT_OK) s = tt_ec_decoder_finish(&d, name);
    return s;
}
