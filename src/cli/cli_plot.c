/* cli_plot.c - `tinytex plot`: PSNR against training step (or another column, e.g. bpp) from CSVs, as SVG text or a PNG rasterised here. */
#include "cli.h"
#include "core/tt_bytes.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char USAGE[] = "tinytex plot LOG.csv... -o OUT.svg|OUT.png [options]";
static const char DESCRIPTION[] =
    "Draws PSNR (dB) against training step from the --log CSV files that 'tinytex hash' and\n"
    "'tinytex latent' write (columns step and psnr; a phase column, as latent writes, gives one\n"
    "line per phase, later phases continuing the step axis after the earlier ones). Several\n"
    "files give several labelled lines. The PSNR in these logs is that of each step's random\n"
    "batch. .svg writes an SVG (text labels); .png rasterises the plot here (built-in 5x7 font,\n"
    "letters shown in capitals). Rows whose PSNR is inf or nan (a loss of 0 or nan) are left out.\n"
    "--x and --group draw other CSVs, e.g. a rate-distortion table (tests/bench/rd_bench.sh):\n"
    "--x bpp --group codec gives one line per codec of PSNR against bpp, points joined in file order.";

#define MAX_LOG_BYTES ((size_t)1 << 30)

/* One line of the plot. */
typedef struct {
    double *x, *y;
    size_t n, cap;
    char label[160];
} series;

typedef struct {
    series *s;
    size_t n, cap;
} series_list;

static const uint8_t PALETTE[][3] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44},   {214, 39, 40},
                                     {148, 103, 189}, {140, 86, 75}, {227, 119, 194}, {127, 127, 127}};
#define N_PALETTE (sizeof PALETTE / sizeof PALETTE[0])

static series *series_add(series_list *l, const char *label)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        series *p = realloc(l->s, cap * sizeof *p);
        if (!p) return NULL;
        l->s = p;
        l->cap = cap;
    }
    series *s = &l->s[l->n++];
    memset(s, 0, sizeof *s);
    snprintf(s->label, sizeof s->label, "%s", label);
    return s;
}

static int series_push(series *s, double x, double y)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        double *nx = realloc(s->x, cap * sizeof *nx);
        if (!nx) return -1;
        s->x = nx;
        double *ny = realloc(s->y, cap * sizeof *ny);
        if (!ny) return -1;
        s->y = ny;
        s->cap = cap;
    }
    s->x[s->n] = x;
    s->y[s->n] = y;
    s->n++;
    return 0;
}

static void series_free(series_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->s[i].x);
        free(l->s[i].y);
    }
    free(l->s);
}

/* ---- Reading the logs ------------------------------------------------------------ */

/* Splits `line` in place at commas (no quoting: the logs hold numbers and
 * phase names); trims blanks. Returns the field count (at most max). */
static int split_fields(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma) *comma = 0;
        while (*p == ' ' || *p == '\t') p++;
        char *end = p + strlen(p);
        while (end > p && (end[-1] == ' ' || end[-1] == '\t')) *--end = 0;
        if (n < max) fields[n] = p;
        n++;
        if (!comma) break;
        p = comma + 1;
    }
    return n;
}

static int column_of(char **fields, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(fields[i], name) == 0) return i;
    return -1;
}

/* "runs/hash_a.csv" -> "hash_a". */
static void stem_of(const char *path, char *out, size_t len)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    if (n >= len) n = len - 1;
    memcpy(out, base, n);
    out[n] = 0;
}

#define MAX_FIELDS 64
#define MAX_PHASES 8

/* Which columns make the lines: x (default step) and the column whose values split a file into lines (default phase). */
typedef struct {
    const char *x, *group;
    int group_given;       /* --group: lines share the x axis, and one file's lines are named by the value alone */
    int label_by_value;
} plot_columns;

/* Reads one log into one series per phase (group value). The error names the file and line. */
static tt_status read_log(const char *path, const char *label, const plot_columns *cols, series_list *out)
{
    uint8_t *data = NULL;
    size_t size = 0;
    tt_status st = tt_read_file(path, MAX_LOG_BYTES, &data, &size);
    if (st != TT_OK) return st;
    char *text = realloc(data, size + 1);
    if (!text) { free(data); return tt_fail(TT_ERR_NOMEM, "%s: out of memory", path); }
    text[size] = 0;
    if (memchr(text, 0, size)) { free(text); return tt_fail(TT_ERR_FORMAT, "%s: not a text file (NUL byte)", path); }

    char *fields[MAX_FIELDS];
    int ncols = 0, c_step = -1, c_psnr = -1, c_phase = -1;
    char phase_names[MAX_PHASES][32];
    double phase_offset[MAX_PHASES];
    int nphases = 0, cur = -1;
    double max_x = -INFINITY;
    size_t first_series = out->n, rows = 0, plotted = 0;
    unsigned long lineno = 0;
    char *p = text;
    st = TT_OK;
    while (st == TT_OK && *p) {
        char *line = p, *nl = strchr(p, '\n');
        if (nl) { *nl = 0; p = nl + 1; } else p += strlen(p);
        lineno++;
        size_t len = strlen(line);
        if (len && line[len - 1] == '\r') line[--len] = 0;
        if (lineno == 1) {
            ncols = split_fields(line, fields, MAX_FIELDS);
            if (ncols > MAX_FIELDS) { st = tt_fail(TT_ERR_FORMAT, "%s:1: more than %d columns", path, MAX_FIELDS); break; }
            c_step = column_of(fields, ncols, cols->x);
            c_psnr = column_of(fields, ncols, "psnr");
            c_phase = column_of(fields, ncols, cols->group);
            if (c_step < 0 || c_psnr < 0)
                st = tt_fail(TT_ERR_FORMAT, "%s:1: no '%s' column in the header%s", path, c_step < 0 ? cols->x : "psnr",
                             strcmp(cols->x, "step") == 0 ? " (a --log CSV of hash or latent has step and psnr)" : "");
            else if (cols->group_given && c_phase < 0)
                st = tt_fail(TT_ERR_FORMAT, "%s:1: no '%s' column in the header (--group)", path, cols->group);
            continue;
        }
        if (len == 0) continue; /* blank lines (a trailing one) */
        int n = split_fields(line, fields, MAX_FIELDS);
        if (n != ncols) {
            st = tt_fail(TT_ERR_FORMAT, "%s:%lu: %d fields, but the header has %d", path, lineno, n, ncols);
            break;
        }
        char *end;
        double step = strtod(fields[c_step], &end);
        if (!fields[c_step][0] || *end || !isfinite(step)) {
            st = tt_fail(TT_ERR_FORMAT, "%s:%lu: %s '%.40s' is not a number", path, lineno, cols->x, fields[c_step]);
            break;
        }
        double psnr = strtod(fields[c_psnr], &end);
        if (!fields[c_psnr][0] || *end) {
            st = tt_fail(TT_ERR_FORMAT, "%s:%lu: psnr '%.40s' is not a number", path, lineno, fields[c_psnr]);
            break;
        }
        rows++;
        const char *phase = c_phase >= 0 ? fields[c_phase] : "";
        if (cur < 0 || strcmp(phase_names[cur], phase) != 0) {
            cur = -1;
            for (int k = 0; k < nphases; k++)
                if (strcmp(phase_names[k], phase) == 0) cur = k;
            if (cur < 0) {
                if (nphases == MAX_PHASES) {
                    st = tt_fail(TT_ERR_FORMAT, "%s:%lu: more than %d values of '%s'", path, lineno, MAX_PHASES, cols->group);
                    break;
                }
                cur = nphases++;
                snprintf(phase_names[cur], sizeof phase_names[cur], "%s", phase);
                /* Later phases (latent's fine-tuning restarts at step 1) continue the axis; --group lines share it. */
                phase_offset[cur] = cur == 0 || !isfinite(max_x) || cols->group_given ? 0 : max_x;
                if (!series_add(out, label)) { st = tt_fail(TT_ERR_NOMEM, "%s: out of memory", path); break; }
            }
        }
        double x = step + phase_offset[cur];
        if (x > max_x) max_x = x;
        if (!isfinite(psnr)) continue; /* loss 0 or nan: nothing to draw */
        series *s = &out->s[first_series + (size_t)cur]; /* by index: series_add may move the array */
        if (series_push(s, x, psnr) != 0) { st = tt_fail(TT_ERR_NOMEM, "%s: out of memory", path); break; }
        plotted++;
    }
    free(text);
    if (st == TT_OK && lineno == 0) st = tt_fail(TT_ERR_FORMAT, "%s: empty file (expected a header step,...,psnr,...)", path);
    if (st == TT_OK && rows == 0) st = tt_fail(TT_ERR_FORMAT, "%s: a header but no rows", path);
    if (st == TT_OK && plotted == 0) st = tt_fail(TT_ERR_FORMAT, "%s: no finite PSNR value to plot", path);
    if (st == TT_OK && (nphases > 1 || cols->label_by_value)) {
        for (int k = 0; k < nphases; k++) {
            series *s = &out->s[first_series + (size_t)k];
            if (cols->label_by_value) snprintf(s->label, sizeof s->label, "%.31s", phase_names[k]);
            else snprintf(s->label, sizeof s->label, "%.120s (%.30s)", label, phase_names[k]);
        }
    }
    if (st == TT_OK) {
        /* A phase with only inf/nan rows has no line. */
        size_t w = first_series;
        for (size_t k = first_series; k < out->n; k++) {
            if (out->s[k].n == 0) { free(out->s[k].x); free(out->s[k].y); continue; }
            out->s[w++] = out->s[k];
        }
        out->n = w;
    }
    return st;
}

/* ---- Layout shared by SVG and PNG --------------------------------------------------- */

typedef struct {
    double lo, hi, step;
} axis;

/* Ticks every 1, 2 or 5 x 10^k, about `target` of them, range widened to ticks. */
static void axis_fit(axis *a, double lo, double hi, int target)
{
    if (!(hi > lo)) { lo -= 1; hi += 1; }
    double raw = (hi - lo) / target;
    double p = pow(10, floor(log10(raw)));
    double f = raw / p;
    a->step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * p;
    a->lo = floor(lo / a->step + 1e-9) * a->step;
    a->hi = ceil(hi / a->step - 1e-9) * a->step;
}

/* Tick label: as many decimals as the tick step needs; steps of 10000 and up as "20k". */
static void tick_label(double v, double step, char *buf, size_t len)
{
    if (fabs(v) < step * 1e-6) v = 0;
    if (step >= 10000 && fmod(v, 1000) == 0) {
        snprintf(buf, len, "%.0fk", v / 1000);
        return;
    }
    int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    snprintf(buf, len, "%.*f", dec, v);
}

typedef struct {
    int w, h;
    double px0, py0, px1, py1;    /* plot area: left, top, right, bottom */
    axis ax, ay;
    const char *title, *xlabel, *ylabel;
    int markers;                  /* a dot on every point (measured rate points, as against the lines between them) */
} layout;

/* Tick k of an axis (multiples of the step inside [lo, hi]); NAN past the end. */
static double tick(const axis *a, int k)
{
    double v = (ceil(a->lo / a->step - 1e-9) + k) * a->step;
    return v <= a->hi + a->step * 1e-6 ? v : NAN;
}

static double map_x(const layout *L, double x) { return L->px0 + (x - L->ax.lo) / (L->ax.hi - L->ax.lo) * (L->px1 - L->px0); }
static double map_y(const layout *L, double y) { return L->py1 - (y - L->ay.lo) / (L->ay.hi - L->ay.lo) * (L->py1 - L->py0); }

/* ---- SVG ------------------------------------------------------------------------------ */

/* The SVG is built in a tt_bytes; a line longer than the stack buffer is formatted again into one its size. */
static void tb_printf(tt_bytes *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void tb_printf(tt_bytes *t, const char *fmt, ...)
{
    if (t->failed) return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) { t->failed = 1; return; }
    if ((size_t)n < sizeof buf) { tt_bytes_put(t, buf, (size_t)n); return; }
    char *big = malloc((size_t)n + 1);
    if (!big) { t->failed = 1; return; }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    tt_bytes_put(t, big, (size_t)n);
    free(big);
}

static void tb_escaped(tt_bytes *t, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': tb_printf(t, "&amp;"); break;
        case '<': tb_printf(t, "&lt;"); break;
        case '>': tb_printf(t, "&gt;"); break;
        case '"': tb_printf(t, "&quot;"); break;
        default: tb_printf(t, "%c", *s);
        }
    }
}

static tt_status write_svg(const char *path, const layout *L, const series_list *l)
{
    tt_bytes t = {0};
    char buf[64];
    tb_printf(&t, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                  "font-family=\"sans-serif\" font-size=\"13\">\n", L->w, L->h, L->w, L->h);
    tb_printf(&t, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    tb_printf(&t, "<clipPath id=\"plot-area\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/></clipPath>\n",
              L->px0, L->py0, L->px1 - L->px0, L->py1 - L->py0);
    tb_printf(&t, "<text class=\"title\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"16\">",
              (L->px0 + L->px1) / 2, L->py0 - 14);
    tb_escaped(&t, L->title);
    tb_printf(&t, "</text>\n<g class=\"grid\" stroke=\"#dddddd\" stroke-width=\"1\">\n");
    double v;
    for (int k = 0; !isnan(v = tick(&L->ax, k)); k++)
        tb_printf(&t, "<line x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\"/>\n", map_x(L, v), L->py0, map_x(L, v), L->py1);
    for (int k = 0; !isnan(v = tick(&L->ay, k)); k++)
        tb_printf(&t, "<line x1=\"%.1f\" y1=\"%.2f\" x2=\"%.1f\" y2=\"%.2f\"/>\n", L->px0, map_y(L, v), L->px1, map_y(L, v));
    tb_printf(&t, "</g>\n<g class=\"xticks\" text-anchor=\"middle\">\n");
    for (int k = 0; !isnan(v = tick(&L->ax, k)); k++) {
        tick_label(v, L->ax.step, buf, sizeof buf);
        tb_printf(&t, "<text x=\"%.2f\" y=\"%.1f\">%s</text>\n", map_x(L, v), L->py1 + 18, buf);
    }
    tb_printf(&t, "</g>\n<g class=\"yticks\" text-anchor=\"end\">\n");
    for (int k = 0; !isnan(v = tick(&L->ay, k)); k++) {
        tick_label(v, L->ay.step, buf, sizeof buf);
        tb_printf(&t, "<text x=\"%.1f\" y=\"%.2f\">%s</text>\n", L->px0 - 6, map_y(L, v) + 4.5, buf);
    }
    tb_printf(&t, "</g>\n<text class=\"xlabel\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", (L->px0 + L->px1) / 2,
              L->py1 + 40);
    tb_escaped(&t, L->xlabel);
    double ly = (L->py0 + L->py1) / 2;
    tb_printf(&t, "</text>\n<text class=\"ylabel\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 %.1f %.1f)\">",
              L->px0 - 50, ly, L->px0 - 50, ly);
    tb_escaped(&t, L->ylabel);
    tb_printf(&t, "</text>\n<rect class=\"axes\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"black\"/>\n",
              L->px0, L->py0, L->px1 - L->px0, L->py1 - L->py0);
    for (size_t i = 0; i < l->n; i++) {
        const series *s = &l->s[i];
        const uint8_t *c = PALETTE[i % N_PALETTE];
        tb_printf(&t, "<polyline class=\"series\" fill=\"none\" stroke=\"#%02x%02x%02x\" stroke-width=\"1.5\" "
                      "stroke-linejoin=\"round\" clip-path=\"url(#plot-area)\" points=\"", c[0], c[1], c[2]);
        for (size_t k = 0; k < s->n; k++)
            tb_printf(&t, "%s%.2f,%.2f", k ? " " : "", map_x(L, s->x[k]), map_y(L, s->y[k]));
        tb_printf(&t, "\"/>\n");
        if (!L->markers) continue;
        tb_printf(&t, "<g class=\"markers\" fill=\"#%02x%02x%02x\" clip-path=\"url(#plot-area)\">", c[0], c[1], c[2]);
        for (size_t k = 0; k < s->n; k++)
            tb_printf(&t, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"3\"/>", map_x(L, s->x[k]), map_y(L, s->y[k]));
        tb_printf(&t, "</g>\n");
    }
    /* Legend, bottom right inside the plot (PSNR curves rise towards the top right). */
    size_t longest = 0;
    for (size_t i = 0; i < l->n; i++) if (strlen(l->s[i].label) > longest) longest = strlen(l->s[i].label);
    double lw = 40 + 7.5 * (double)longest, lh = 8 + 18.0 * (double)l->n;
    double lx = L->px1 - 10 - lw, lyy = L->py1 - 10 - lh;
    tb_printf(&t, "<g class=\"legend\">\n<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"white\" "
                  "fill-opacity=\"0.85\" stroke=\"#999999\"/>\n", lx, lyy, lw, lh);
    for (size_t i = 0; i < l->n; i++) {
        const uint8_t *c = PALETTE[i % N_PALETTE];
        double y = lyy + 4 + 18.0 * (double)i + 9;
        tb_printf(&t, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#%02x%02x%02x\" stroke-width=\"2\"/>\n",
                  lx + 6, y, lx + 30, y, c[0], c[1], c[2]);
        tb_printf(&t, "<text x=\"%.1f\" y=\"%.1f\">", lx + 36, y + 4.5);
        tb_escaped(&t, l->s[i].label);
        tb_printf(&t, "</text>\n");
    }
    tb_printf(&t, "</g>\n</svg>\n");
    tt_status st = t.failed ? tt_fail(TT_ERR_NOMEM, "%s: out of memory", path) : tt_write_file_atomic(path, t.data, t.size);
    free(t.data);
    return st;
}

/* ---- PNG: a small rasteriser ------------------------------------------------------------- */

/* 5x7 glyphs, one byte per row, bit 4 = leftmost column. Lowercase letters are
 * drawn as capitals; anything else as '?'. */
static const char GLYPH_CHARS[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.-+()_/:,% ?";
static const uint8_t GLYPHS[][7] = {
    {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}, {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}, /* 0 1 */
    {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}, {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}, /* 2 3 */
    {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}, {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}, /* 4 5 */
    {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}, {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}, /* 6 7 */
    {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}, {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}, /* 8 9 */
    {0x0E, 0x11, 0x11, 0x11, 0x1F, 0x11, 0x11}, {0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E}, /* A B */
    {0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E}, {0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C}, /* C D */
    {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F}, {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10}, /* E F */
    {0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F}, {0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}, /* G H */
    {0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E}, {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C}, /* I J */
    {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11}, {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F}, /* K L */
    {0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11}, {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11}, /* M N */
    {0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}, {0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10}, /* O P */
    {0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D}, {0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11}, /* Q R */
    {0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E}, {0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}, /* S T */
    {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}, {0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04}, /* U V */
    {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A}, {0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11}, /* W X */
    {0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04}, {0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F}, /* Y Z */
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C}, {0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00}, /* . - */
    {0x00, 0x04, 0x04, 0x1F, 0x04, 0x04, 0x00}, {0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02}, /* + ( */
    {0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08}, {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1F}, /* ) _ */
    {0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00}, {0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00}, /* / : */
    {0x00, 0x00, 0x00, 0x00, 0x0C, 0x04, 0x08}, {0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03}, /* , % */
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, {0x0E, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04}, /* space ? */
};

typedef struct {
    tt_image img;
    float *cover;          /* per-pixel coverage of the series being drawn */
} canvas;

static void put(canvas *cv, int x, int y, const uint8_t c[3], double a)
{
    if (x < 0 || y < 0 || x >= (int)cv->img.width || y >= (int)cv->img.height || a <= 0) return;
    if (a > 1) a = 1;
    uint8_t *p = cv->img.rgba + 4 * ((size_t)y * cv->img.width + (size_t)x);
    for (int k = 0; k < 3; k++) p[k] = (uint8_t)lround(p[k] + (c[k] - p[k]) * a);
}

static void fill_rect(canvas *cv, int x0, int y0, int x1, int y1, const uint8_t c[3])
{
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++) put(cv, x, y, c, 1);
}

/* Text at scale s; (x, y) is the top left, or with `up` the bottom left of text
 * running upwards (the y axis label). */
static void draw_text(canvas *cv, int x, int y, const char *str, int s, int up, const uint8_t c[3])
{
    for (int i = 0; str[i]; i++) {
        char ch = str[i];
        if (ch >= 'a' && ch <= 'z') ch = (char)(ch - 'a' + 'A');
        const char *at = strchr(GLYPH_CHARS, ch);
        const uint8_t *g = GLYPHS[at && ch ? at - GLYPH_CHARS : (int)strlen(GLYPH_CHARS) - 1];
        for (int row = 0; row < 7; row++)
            for (int col = 0; col < 5; col++) {
                if (!(g[row] >> (4 - col) & 1)) continue;
                int gx = i * 6 + col, gy = row;
                for (int dy = 0; dy < s; dy++)
                    for (int dx = 0; dx < s; dx++) {
                        if (up) put(cv, x + gy * s + dy, y - gx * s - dx, c, 1);
                        else put(cv, x + gx * s + dx, y + gy * s + dy, c, 1);
                    }
            }
    }
}

static int text_width(const char *str, int s) { return (int)strlen(str) * 6 * s - s; }

/* Adds a segment of half-width hw to the coverage buffer (max, not sum, so
 * joints are not darker), clipped to the plot area. */
static void cover_segment(canvas *cv, const layout *L, double x0, double y0, double x1, double y1, double hw)
{
    int bx0 = (int)floor(fmin(x0, x1) - hw - 1), bx1 = (int)ceil(fmax(x0, x1) + hw + 1);
    int by0 = (int)floor(fmin(y0, y1) - hw - 1), by1 = (int)ceil(fmax(y0, y1) + hw + 1);
    if (bx0 < (int)L->px0) bx0 = (int)L->px0;
    if (by0 < (int)L->py0) by0 = (int)L->py0;
    if (bx1 > (int)L->px1) bx1 = (int)L->px1;
    if (by1 > (int)L->py1) by1 = (int)L->py1;
    double dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;
    for (int y = by0; y <= by1; y++)
        for (int x = bx0; x <= bx1; x++) {
            double px = x + 0.5 - x0, py = y + 0.5 - y0;
            double t = len2 > 0 ? (px * dx + py * dy) / len2 : 0;
            if (t < 0) t = 0;
            if (t > 1) t = 1;
            double ex = px - t * dx, ey = py - t * dy;
            double a = hw + 0.5 - sqrt(ex * ex + ey * ey);
            if (a <= 0) continue;
            float *cp = &cv->cover[(size_t)y * cv->img.width + (size_t)x];
            if (a > *cp) *cp = (float)(a > 1 ? 1 : a);
        }
}

static tt_status write_png(const char *path, const layout *L, const series_list *l)
{
    static const uint8_t BLACK[3] = {0, 0, 0}, GRID[3] = {221, 221, 221}, FRAME[3] = {153, 153, 153},
                         WHITE[3] = {255, 255, 255};
    canvas cv = {0};
    tt_status st = tt_image_alloc(&cv.img, (uint32_t)L->w, (uint32_t)L->h);
    if (st != TT_OK) return st;
    size_t npx = (size_t)L->w * (size_t)L->h;
    cv.cover = malloc(npx * sizeof *cv.cover);
    if (!cv.cover) { tt_image_free(&cv.img); return tt_fail(TT_ERR_NOMEM, "%s: out of memory", path); }
    memset(cv.img.rgba, 255, npx * 4);
    int s = L->w >= 640 ? 2 : 1;
    char buf[64];
    int X0 = (int)L->px0, Y0 = (int)L->py0, X1 = (int)L->px1, Y1 = (int)L->py1;
    double v;
    for (int k = 0; !isnan(v = tick(&L->ax, k)); k++) {
        int x = (int)lround(map_x(L, v));
        fill_rect(&cv, x, Y0, x, Y1, GRID);
        tick_label(v, L->ax.step, buf, sizeof buf);
        draw_text(&cv, x - text_width(buf, s) / 2, Y1 + 6, buf, s, 0, BLACK);
    }
    for (int k = 0; !isnan(v = tick(&L->ay, k)); k++) {
        int y = (int)lround(map_y(L, v));
        fill_rect(&cv, X0, y, X1, y, GRID);
        tick_label(v, L->ay.step, buf, sizeof buf);
        draw_text(&cv, X0 - 6 - text_width(buf, s), y - 7 * s / 2, buf, s, 0, BLACK);
    }
    int ts = s > 1 && text_width(L->title, s) > L->w - 8 ? 1 : s; /* a long title in small letters */
    draw_text(&cv, (X0 + X1) / 2 - text_width(L->title, ts) / 2, Y0 - 14 - 7 * ts, L->title, ts, 0, BLACK);
    draw_text(&cv, (X0 + X1) / 2 - text_width(L->xlabel, s) / 2, Y1 + 14 + 9 * s, L->xlabel, s, 0, BLACK);
    draw_text(&cv, X0 - 50 - 7 * s / 2, (Y0 + Y1) / 2 + text_width(L->ylabel, s) / 2, L->ylabel, s, 1, BLACK);
    for (size_t i = 0; i < l->n; i++) {
        const series *sr = &l->s[i];
        memset(cv.cover, 0, npx * sizeof *cv.cover);
        double hw = 0.6 * s; /* lines 1.2 px wide per text scale step */
        if (sr->n == 1) cover_segment(&cv, L, map_x(L, sr->x[0]), map_y(L, sr->y[0]), map_x(L, sr->x[0]), map_y(L, sr->y[0]), hw + 1);
        for (size_t k = 1; k < sr->n; k++)
            cover_segment(&cv, L, map_x(L, sr->x[k - 1]), map_y(L, sr->y[k - 1]), map_x(L, sr->x[k]), map_y(L, sr->y[k]), hw);
        for (size_t k = 0; L->markers && k < sr->n; k++)
            cover_segment(&cv, L, map_x(L, sr->x[k]), map_y(L, sr->y[k]), map_x(L, sr->x[k]), map_y(L, sr->y[k]), 2.5 * s);
        for (int y = Y0; y <= Y1; y++)
            for (int x = X0; x <= X1; x++) put(&cv, x, y, PALETTE[i % N_PALETTE], cv.cover[(size_t)y * (size_t)L->w + (size_t)x]);
    }
    /* Axes frame on top of the lines. */
    fill_rect(&cv, X0, Y0, X1, Y0, BLACK);
    fill_rect(&cv, X0, Y1, X1, Y1, BLACK);
    fill_rect(&cv, X0, Y0, X0, Y1, BLACK);
    fill_rect(&cv, X1, Y0, X1, Y1, BLACK);
    /* Legend, bottom right inside the plot. */
    int longest = 0;
    for (size_t i = 0; i < l->n; i++) if (text_width(l->s[i].label, s) > longest) longest = text_width(l->s[i].label, s);
    int row = 9 * s + 4, lw = 44 + longest, lh = 8 + row * (int)l->n;
    int lx = X1 - 10 - lw, ly = Y1 - 10 - lh;
    fill_rect(&cv, lx, ly, lx + lw, ly + lh, FRAME);
    fill_rect(&cv, lx + 1, ly + 1, lx + lw - 1, ly + lh - 1, WHITE);
    for (size_t i = 0; i < l->n; i++) {
        int y = ly + 4 + row * (int)i + row / 2;
        fill_rect(&cv, lx + 6, y - s / 2, lx + 32, y - s / 2 + s, PALETTE[i % N_PALETTE]);
        draw_text(&cv, lx + 38, y - 7 * s / 2, l->s[i].label, s, 0, BLACK);
    }
    free(cv.cover);
    st = tt_image_save_png(path, &cv.img);
    tt_image_free(&cv.img);
    return st;
}

/* ---- Command ------------------------------------------------------------------------------ */

int cmd_plot(int argc, char **argv)
{
    const char *output = NULL, *title = NULL, *labels = NULL, *x_col = "step", *group_col = NULL, *x_label = NULL;
    unsigned width = 800, height = 480;
    /* Strings, so that "unset" (from the data) is distinct from any number. */
    const char *y_min_arg = NULL, *y_max_arg = NULL;
    double y_min = NAN, y_max = NAN;
    int quiet = 0, verbose = 0, help = 0, markers = 0;
    cli_option opts[] = {
        {"output", 'o', OPT_STR, &output, "OUT.svg|OUT.png", "the plot; the extension picks the format", NULL, 0, 0},
        {"title", 0, OPT_STR, &title, "TEXT", "title above the plot (default: PSNR vs training step, or vs the --x column)", NULL, 0, 0},
        {"labels", 0, OPT_STR, &labels, "A,B,...", "legend names of the files, in order (default: file names without .csv)", NULL, 0, 0},
        {"width", 0, OPT_UINT, &width, "PX", "image width", NULL, 320, 8192},
        {"height", 0, OPT_UINT, &height, "PX", "image height", NULL, 240, 8192},
        {"y-min", 0, OPT_STR, &y_min_arg, "DB", "lower end of the PSNR axis (default: from the data)", NULL, 0, 0},
        {"y-max", 0, OPT_STR, &y_max_arg, "DB", "upper end of the PSNR axis (default: from the data)", NULL, 0, 0},
        {"x", 0, OPT_STR, &x_col, "COLUMN", "column of the x axis (default step)", NULL, 0, 0},
        {"x-label", 0, OPT_STR, &x_label, "TEXT", "x axis label (default: training step, or the --x column)", NULL, 0, 0},
        {"group", 0, OPT_STR, &group_col, "COLUMN", "one line per value of COLUMN (default: per phase, continuing the step axis)", NULL, 0, 0},
        {"markers", 0, OPT_FLAG, &markers, NULL, "a dot on every point (e.g. the measured rates of a rate-distortion curve)", NULL, 0, 0},
        {"quiet", 'q', OPT_FLAG, &quiet, NULL, "print errors only", NULL, 0, 0},
        {"verbose", 'v', OPT_FLAG, &verbose, NULL, "print more", NULL, 0, 0},
        {"help", 'h', OPT_FLAG, &help, NULL, "show this help", NULL, 0, 0},
        {0},
    };
    const char **inputs = malloc((size_t)(argc > 0 ? argc : 1) * sizeof *inputs);
    if (!inputs) { cli_error("out of memory"); return EXIT_RUNTIME; }
    series_list l = {0};
    char *label_buf = NULL;
    int n = 0, rc = cli_parse(argc, argv, opts, inputs, argc, &n);
    if (rc != EXIT_OK) goto done;
    if (help) {
        cli_print_help(stdout, USAGE, DESCRIPTION, opts);
        goto done;
    }
    g_display_level = quiet ? 0 : 1 + verbose;
    rc = EXIT_USAGE;
    if (n == 0) { cli_error("no log file (usage: %s)", USAGE); goto done; }
    if (!output) { cli_error("no output file: give -o OUT.svg or -o OUT.png"); goto done; }
    char ext[16];
    cli_extension(output, ext, sizeof ext);
    int svg = strcmp(ext, "svg") == 0;
    if (!svg && strcmp(ext, "png") != 0) { cli_error("%s: unknown output extension (use .svg or .png)", output); goto done; }
    if (!x_col[0] || (group_col && !group_col[0])) { cli_error("--%s: empty column name", x_col[0] ? "group" : "x"); goto done; }
    if (group_col && strcmp(group_col, x_col) == 0) { cli_error("--group %s is the --x column", group_col); goto done; }
    int x_is_step = strcmp(x_col, "step") == 0;
    char default_title[96];
    snprintf(default_title, sizeof default_title, "PSNR vs %.60s", x_is_step ? "training step" : x_col);
    if (!title) title = default_title;
    if (!x_label) x_label = x_is_step ? "training step" : x_col;
    plot_columns cols = {.x = x_col, .group = group_col ? group_col : "phase", .group_given = group_col != NULL,
                         .label_by_value = group_col != NULL && n == 1 && !labels};
    const char *const y_args[2] = {y_min_arg, y_max_arg};
    double *const y_vals[2] = {&y_min, &y_max};
    for (int k = 0; k < 2; k++) {
        char *end;
        if (!y_args[k]) continue;
        *y_vals[k] = strtod(y_args[k], &end);
        if (!y_args[k][0] || *end || !isfinite(*y_vals[k]) || fabs(*y_vals[k]) > 1000) {
            cli_error("--y-%s: '%s' is not a number of dB (-1000..1000)", k ? "max" : "min", y_args[k]);
            goto done;
        }
    }
    if (isfinite(y_min) && isfinite(y_max) && !(y_max > y_min)) {
        cli_error("--y-max %g must be above --y-min %g", y_max, y_min);
        goto done;
    }
    /* Legend names: --labels, else the file names. */
    const char **names = calloc((size_t)n, sizeof *names);
    char (*stems)[128] = calloc((size_t)n, sizeof *stems);
    if (!names || !stems) { free(names); free(stems); cli_error("out of memory"); rc = EXIT_RUNTIME; goto done; }
    for (int i = 0; i < n; i++) {
        stem_of(inputs[i], stems[i], sizeof stems[i]);
        names[i] = stems[i];
    }
    if (labels) {
        label_buf = malloc(strlen(labels) + 1);
        if (!label_buf) { free(names); free(stems); cli_error("out of memory"); rc = EXIT_RUNTIME; goto done; }
        strcpy(label_buf, labels);
        char *fields[256];
        int k = split_fields(label_buf, fields, 256);
        if (k != n) {
            cli_error("--labels has %d name%s for %d file%s", k, k == 1 ? "" : "s", n, n == 1 ? "" : "s");
            free(names);
            free(stems);
            goto done;
        }
        for (int i = 0; i < n; i++) names[i] = fields[i];
    }
    rc = EXIT_OK;
    for (int i = 0; i < n && rc == EXIT_OK; i++) {
        tt_status st = read_log(inputs[i], names[i], &cols, &l);
        if (st != TT_OK) {
            cli_fail_status(st);
            rc = EXIT_RUNTIME;
        }
    }
    free(names);
    free(stems);
    if (rc != EXIT_OK) goto done;

    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    size_t points = 0;
    for (size_t i = 0; i < l.n; i++)
        for (size_t k = 0; k < l.s[i].n; k++) {
            x0 = fmin(x0, l.s[i].x[k]);
            x1 = fmax(x1, l.s[i].x[k]);
            y0 = fmin(y0, l.s[i].y[k]);
            y1 = fmax(y1, l.s[i].y[k]);
            points++;
        }
    double lo = isfinite(y_min) ? y_min : y0, hi = isfinite(y_max) ? y_max : y1;
    if (hi <= lo) { /* one of --y-min/--y-max beyond every value */
        if (isfinite(y_max)) lo = hi - 1;
        else hi = lo + 1;
    }
    layout L = {.w = (int)width, .h = (int)height, .title = title, .xlabel = x_label, .ylabel = "PSNR (dB)",
                .markers = markers};
    int s = !svg && width >= 640 ? 2 : 1;
    L.px0 = svg ? 80 : 40 + 7 * s + 6 * s * 6; /* room for the y label and ticks of up to 6 characters */
    L.py0 = svg ? 40 : 24 + 7 * s;
    L.px1 = L.w - 20;
    L.py1 = L.h - (svg ? 56 : 30 + 16 * s);
    axis_fit(&L.ax, x0 < 0 ? x0 : 0, x1, 6);
    axis_fit(&L.ay, lo, hi, 6);
    if (isfinite(y_min)) L.ay.lo = lo; /* exactly the ends asked for */
    if (isfinite(y_max)) L.ay.hi = hi;
    tt_status st = svg ? write_svg(output, &L, &l) : write_png(output, &L, &l);
    if (st != TT_OK) { rc = cli_fail_status(st); goto done; }
    if (g_display_level >= 1)
        printf("%s: %zu line%s, %zu points, %s %g..%g, PSNR %.2f..%.2f dB\n", output, l.n, l.n == 1 ? "" : "s", points,
               x_is_step ? "steps" : x_col, x0, x1, y0, y1);
done:
    series_free(&l);
    free(label_buf);
    free(inputs);
    return rc;
}
