/* cli_common.c - option parsing, messages, JSON reports and progress display shared by all subcommands. */
#include "cli.h"
#include "cli_batch.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int g_display_level = 1;
int g_hdr_clip;
/* --no-cache of the running subcommand (cli_apply_common); the process runs one subcommand, as with the display
 * level. */
static int g_no_cache;

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("tinytex: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_fail_status(tt_status s)
{
    const char *detail = tt_last_error();
    cli_error("%s", detail && *detail ? detail : tt_status_str(s));
    return s == TT_ERR_INVALID_ARG ? EXIT_USAGE : EXIT_RUNTIME;
}

void cli_common_init(cli_common *c)
{
    memset(c, 0, sizeof *c);
    c->device = -1;
}

void cli_options_fit(int need, int capacity)
{
    if (need > capacity) {
        fprintf(stderr, "tinytex: internal error: an option table of %d entries needs %d\n", capacity, need);
        abort();
    }
}

int cli_add_common_options(cli_option *opts, int count, int capacity, cli_common *c)
{
    cli_option common[] = {
        {"input", 'i', OPT_STR, &c->input, "FILE", "input file (or give it as the first argument)", NULL, 0, 0},
        {"output", 'o', OPT_STR, &c->output, "FILE", "output file", NULL, 0, 0},
        {"json", 0, OPT_STR, &c->json, "FILE", "write a machine-readable report ('-' = stdout)", NULL, 0, 0},
        {"min-psnr", 0, OPT_DOUBLE, &c->min_psnr, "DB", "exit 3 if the RGB PSNR is below DB (output still written)", NULL, 0, 1000},
        {"device", 0, OPT_DEVICE, c, "N", "Vulkan device index (see 'tinytex devices'; env TINYTEX_DEVICE)", NULL, -1, 64},
        {"max-size", 0, OPT_UINT, &c->max_size, "N", "refuse images wider or taller than N pixels (default 16384)", NULL, 1, 1 << 20},
        {"hdr-clip", 0, OPT_FLAG, &c->hdr_clip, NULL,
         "clip HDR (.hdr) input values outside [0, 1] instead of refusing them (PSNR is then against the clipped image)",
         NULL, 0, 0},
        {"no-cache", 0, OPT_FLAG, &c->no_cache, NULL,
         "neither read nor write the pipeline cache file in $XDG_CACHE_HOME/tinytex or ~/.cache/tinytex (env TINYTEX_NO_CACHE=1)", NULL, 0, 0},
        {"quiet", 'q', OPT_FLAG, &c->quiet, NULL, "print errors only", NULL, 0, 0},
        {"verbose", 'v', OPT_FLAG, &c->verbose, NULL, "print more (repeat for more)", NULL, 0, 0},
        {"help", 'h', OPT_FLAG, &c->help, NULL, "show this help", NULL, 0, 0},
    };
    cli_options_fit(count + (int)(sizeof common / sizeof common[0]) + 1, capacity);
    int n = 0;
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
        if (!(c->cpu_only && strcmp(common[i].long_name, "no-cache") == 0)) opts[count + n++] = common[i];
    memset(&opts[count + n], 0, sizeof opts[0]);
    return count + n;
}

void cli_apply_common(const cli_common *c, tt_image_limits *limits)
{
    if (c->quiet) g_display_level = 0;
    else g_display_level = 1 + c->verbose;
    g_no_cache = c->no_cache;
    g_hdr_clip = c->hdr_clip;
    if (limits) {
        tt_image_limits_init(limits);
        if (c->max_size) {
            limits->max_dimension = c->max_size;
            uint64_t px = (uint64_t)c->max_size * c->max_size;
            if (px > limits->max_pixels) limits->max_pixels = px;
        }
    }
}

/* Option names compare ignoring case, with '_' equal to '-'. */
static int name_eq(const char *a, const char *b, size_t blen)
{
    size_t i = 0;
    for (; i < blen && a[i]; i++) {
        char ca = a[i] == '_' ? '-' : (char)tolower((unsigned char)a[i]);
        char cb = b[i] == '_' ? '-' : (char)tolower((unsigned char)b[i]);
        if (ca != cb) return 0;
    }
    return i == blen && a[i] == 0;
}

static int parse_value(const cli_option *o, const char *shown, const char *v)
{
    char *end = NULL;
    errno = 0;
    switch (o->type) {
    case OPT_STR:
        *(const char **)o->target = v;
        return 0;
    case OPT_CHOICE: {
        int idx = 0;
        const char *c = o->choices;
        while (c && *c) {
            const char *bar = strchr(c, '|');
            size_t len = bar ? (size_t)(bar - c) : strlen(c);
            if (strlen(v) == len && strncmp(c, v, len) == 0) { *(int *)o->target = idx; return 0; }
            idx++;
            c = bar ? bar + 1 : NULL;
        }
        cli_error("%s: '%s' is not one of %s", shown, v, o->choices);
        return -1;
    }
    case OPT_INT: case OPT_UINT: {
        long long x = strtoll(v, &end, 10);
        if (!*v || *end || errno) { cli_error("%s: '%s' is not an integer", shown, v); return -1; }
        if (o->min < o->max && (x < o->min || x > o->max)) {
            cli_error("%s: %lld is outside [%g, %g]", shown, x, o->min, o->max);
            return -1;
        }
        if (o->type == OPT_UINT) {
            if (x < 0 || x > 0xffffffffLL) { cli_error("%s: %lld is out of range", shown, x); return -1; }
            *(unsigned *)o->target = (unsigned)x;
        } else {
            if (x < -2147483647LL || x > 2147483647LL) { cli_error("%s: %lld is out of range", shown, x); return -1; }
            *(int *)o->target = (int)x;
        }
        return 0;
    }
    case OPT_FLOAT: case OPT_DOUBLE: {
        double x = strtod(v, &end);
        if (!*v || *end || errno || !isfinite(x)) { cli_error("%s: '%s' is not a number", shown, v); return -1; }
        if (o->min < o->max && (x < o->min || x > o->max)) {
            cli_error("%s: %g is outside [%g, %g]", shown, x, o->min, o->max);
            return -1;
        }
        if (o->type == OPT_FLOAT) *(float *)o->target = (float)x;
        else *(double *)o->target = x;
        return 0;
    }
    case OPT_DEVICE: {
        cli_common *c = o->target;
        long long x = strtoll(v, &end, 10);
        if (*v && !*end && !errno && x >= -1 && x <= 64) {
            c->device = (int)x;
            c->device_list = NULL;
            return 0;
        }
        int list = strcmp(v, "all") == 0 && c->multi_device;
        if (!list && c->multi_device && *v >= '0' && *v <= '9') {
            list = 1;
            for (const char *p = v; *p && list; p++) list = (*p >= '0' && *p <= '9') || (*p == ',' && p[1] >= '0' && p[1] <= '9');
        }
        if (!list) {
            cli_error("%s: '%s' is not a device number from 0 to 64%s", shown, v,
                      c->multi_device ? ", a list N,M,... or 'all'" : "");
            return -1;
        }
        c->device_list = v;
        c->device = strcmp(v, "all") == 0 ? 0 : atoi(v);
        return 0;
    }
    case OPT_FLAG: case OPT_REFUSED:
        break;
    }
    return -1;
}

int cli_parse(int argc, char **argv, const cli_option *opts, const char **positional,
              int max_positional, int *n_positional)
{
    int npos = 0, only_positional = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_positional || a[0] != '-' || a[1] == 0) {
            if (npos >= max_positional) { cli_error("unexpected argument '%s'", a); return EXIT_USAGE; }
            positional[npos++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) { only_positional = 1; continue; }
        const cli_option *o = NULL;
        const char *inline_val = NULL;
        char shown[96];
        if (a[1] == '-') {
            const char *name = a + 2;
            const char *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            for (const cli_option *it = opts; it->long_name; it++)
                if (name_eq(it->long_name, name, len)) { o = it; break; }
            if (eq) inline_val = eq + 1;
            snprintf(shown, sizeof shown, "--%.*s", (int)(len > 80 ? 80 : len), name);
        } else {
            if (a[2] != 0) {
                /* "-vv" counts twice; "-ofile" is not supported (ambiguous). */
                int all_v = 1;
                for (const char *p = a + 1; *p; p++) if (*p != 'v') all_v = 0;
                if (all_v) {
                    for (const cli_option *it = opts; it->long_name; it++)
                        if (it->short_name == 'v') *(int *)it->target += (int)strlen(a + 1);
                    continue;
                }
            }
            if (a[2] == 0)
                for (const cli_option *it = opts; it->long_name; it++)
                    if (it->short_name && it->short_name == a[1]) { o = it; break; }
            snprintf(shown, sizeof shown, "%.80s", a);
        }
        if (!o) { cli_error("unknown option '%s' (see --help)", a); return EXIT_USAGE; }
        if (o->type == OPT_REFUSED) { cli_error("%s: %s", shown, o->help); return EXIT_USAGE; }
        if (o->type == OPT_FLAG) {
            if (inline_val) { cli_error("%s takes no value", shown); return EXIT_USAGE; }
            (*(int *)o->target)++;
            continue;
        }
        const char *v = inline_val;
        if (!v) {
            if (i + 1 >= argc) { cli_error("%s needs a value (%s)", shown, o->arg_name ? o->arg_name : "VALUE"); return EXIT_USAGE; }
            v = argv[++i];
        }
        if (parse_value(o, shown, v) != 0) return EXIT_USAGE;
    }
    *n_positional = npos;
    return EXIT_OK;
}

static void format_default(const cli_option *o, char *buf, size_t n)
{
    buf[0] = 0;
    switch (o->type) {
    case OPT_INT: if (*(int *)o->target != -1) snprintf(buf, n, "%d", *(int *)o->target); break; /* -1: not given */
    case OPT_UINT: if (*(unsigned *)o->target) snprintf(buf, n, "%u", *(unsigned *)o->target); break;
    case OPT_FLOAT: snprintf(buf, n, "%g", *(float *)o->target); break;
    case OPT_DOUBLE: if (*(double *)o->target != 0) snprintf(buf, n, "%g", *(double *)o->target); break;
    case OPT_STR: if (*(const char **)o->target) snprintf(buf, n, "%s", *(const char **)o->target); break;
    case OPT_CHOICE: {
        int idx = *(int *)o->target;
        const char *c = o->choices;
        for (int i = 0; c && i < idx; i++) { c = strchr(c, '|'); if (c) c++; }
        if (c) { const char *bar = strchr(c, '|'); snprintf(buf, n, "%.*s", bar ? (int)(bar - c) : (int)strlen(c), c); }
        break;
    }
    case OPT_FLAG: case OPT_DEVICE: case OPT_REFUSED: break;
    }
}

void cli_refuse_option(cli_option *opts, const char *long_name, const char *why)
{
    for (cli_option *o = opts; o->long_name; o++)
        if (strcmp(o->long_name, long_name) == 0) {
            o->type = OPT_REFUSED;
            o->help = why;
            o->target = NULL;
        }
}

void cli_print_help(FILE *out, const char *usage, const char *description, const cli_option *opts)
{
    fprintf(out, "usage: %s\n\n%s\n\noptions:\n", usage, description);
    int quality_gate = 0;
    for (const cli_option *o = opts; o->long_name; o++) {
        char left[64], def[64];
        if (o->type == OPT_REFUSED) continue;
        if (strcmp(o->long_name, "min-psnr") == 0) quality_gate = 1;
        if (o->short_name)
            snprintf(left, sizeof left, "-%c, --%s%s%s", o->short_name, o->long_name, o->arg_name ? " " : "",
                     o->arg_name ? o->arg_name : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", o->long_name, o->arg_name ? " " : "", o->arg_name ? o->arg_name : "");
        format_default(o, def, sizeof def);
        if (o->type == OPT_CHOICE)
            fprintf(out, "  %-28s %s (%s; default %s)\n", left, o->help, o->choices, def);
        else if (def[0] && o->type != OPT_STR && !strstr(o->help, "(default") &&
                 !(o->type == OPT_INT && o->target && strcmp(o->long_name, "device") == 0))
            fprintf(out, "  %-28s %s (default %s)\n", left, o->help, def);
        else
            fprintf(out, "  %-28s %s\n", left, o->help);
    }
    fprintf(out, "\nexit codes: 0 ok, 1 runtime or input error, 2 usage error%s\n",
            quality_gate ? ", 3 --min-psnr not met" : "");
}

/* ---- Reports -------------------------------------------------------------- */

cJSON *cli_report_new(const char *command)
{
    cJSON *r = cJSON_CreateObject();
    if (!r) return NULL;
    cJSON_AddStringToObject(r, "schema", "tinytex-report");
    cJSON_AddNumberToObject(r, "version", TT_REPORT_SCHEMA_VERSION);
    cJSON_AddStringToObject(r, "tool_version", TT_VERSION_STRING);
    cJSON_AddStringToObject(r, "command", command);
    return r;
}

static cJSON *number_or_null(double v)
{
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

void cli_json_psnr(cJSON *obj, const char *key, double psnr)
{
    cJSON_AddItemToObject(obj, key, number_or_null(psnr));
}

void cli_report_add_result(cJSON *obj, uint32_t width, uint32_t height, const tt_metrics *m,
                           uint64_t output_bytes, double seconds)
{
    cJSON_AddNumberToObject(obj, "width", width);
    cJSON_AddNumberToObject(obj, "height", height);
    if (m) {
        /* Identical images have infinite PSNR; JSON has no infinity, so null
         * plus "lossless": true. */
        cJSON_AddItemToObject(obj, "psnr_rgb", number_or_null(m->psnr_rgb));
        cJSON_AddItemToObject(obj, "psnr_rgba", m->has_alpha ? number_or_null(m->psnr_rgba) : cJSON_CreateNull());
        cJSON_AddBoolToObject(obj, "lossless", m->mse_rgba == 0.0);
        cJSON_AddNumberToObject(obj, "max_abs_error", m->has_alpha ? m->max_abs_err_rgba : m->max_abs_err_rgb);
    }
    cJSON_AddNumberToObject(obj, "output_bytes", (double)output_bytes);
    double pixels = (double)width * (double)height;
    cJSON_AddNumberToObject(obj, "bits_per_pixel", pixels > 0 ? (double)output_bytes * 8.0 / pixels : 0.0);
    cJSON_AddNumberToObject(obj, "seconds", seconds);
}

int cli_report_write(const char *path, cJSON *report)
{
    char *text = cJSON_Print(report);
    if (!text) { cli_error("out of memory writing the report"); return EXIT_RUNTIME; }
    int rc = EXIT_OK;
    if (strcmp(path, "-") == 0) {
        printf("%s\n", text);
    } else {
        /* Swap the terminating NUL for a newline: the buffer holds len+1 bytes. */
        size_t len = strlen(text);
        text[len] = '\n';
        tt_status st = tt_write_file_atomic(path, text, len + 1);
        text[len] = 0;
        if (st != TT_OK) { cli_fail_status(st); rc = EXIT_RUNTIME; }
    }
    cJSON_free(text);
    return rc;
}

int cli_check_min_psnr(const cli_common *c, double psnr_rgb)
{
    if (c->min_psnr > 0 && psnr_rgb < c->min_psnr) {
        cli_error("PSNR %.2f dB is below --min-psnr %.2f dB", psnr_rgb, c->min_psnr);
        return EXIT_QUALITY;
    }
    return EXIT_OK;
}

/* ---- Progress -------------------------------------------------------------- */

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void cli_progress_init(cli_progress *p, double period_s)
{
    memset(p, 0, sizeof *p);
    p->is_tty = isatty(STDERR_FILENO);
    p->start_s = cli_now();
    p->last_print_s = -1e9;
    p->period_s = period_s;
}

static void format_duration(double s, char *buf, size_t n)
{
    if (!isfinite(s) || s < 0) { snprintf(buf, n, "?"); return; }
    if (s < 60) snprintf(buf, n, "%.1fs", s);
    else if (s < 3600) snprintf(buf, n, "%dm%02ds", (int)(s / 60), (int)s % 60);
    else snprintf(buf, n, "%dh%02dm", (int)(s / 3600), ((int)s / 60) % 60);
}

void cli_progress_update(cli_progress *p, double fraction_done, const char *line, int force)
{
    if (g_display_level < 1) return;
    double now = cli_now();
    double min_gap = p->is_tty ? 0.1 : p->period_s;
    if (!force && now - p->last_print_s < min_gap) return;
    p->last_print_s = now;
    double elapsed = now - p->start_s;
    double eta = fraction_done > 0 ? elapsed * (1.0 - fraction_done) / fraction_done : -1;
    char el[32], et[32];
    format_duration(elapsed, el, sizeof el);
    format_duration(eta, et, sizeof et);
    if (p->is_tty) {
        fprintf(stderr, "\r\033[K%s  %s elapsed, ETA %s", line, el, et);
        p->printed_live = 1;
    } else {
        fprintf(stderr, "%s  %s elapsed, ETA %s\n", line, el, et);
    }
    fflush(stderr);
}

void cli_progress_done(cli_progress *p)
{
    if (p->is_tty && p->printed_live && g_display_level >= 1) fputc('\n', stderr);
    p->printed_live = 0;
}

long long cli_file_size(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0) return -1;
    return (long long)sb.st_size;
}

const char *cli_extension(const char *path, char *buf, size_t buflen)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash : path, '.');
    size_t i = 0;
    if (dot && dot[1]) {
        for (const char *p = dot + 1; *p && i + 1 < buflen; p++) buf[i++] = (char)tolower((unsigned char)*p);
    }
    buf[i] = 0;
    return buf;
}

void cli_vk_options(tt_vk_options *o)
{
    tt_vk_options_init(o);
    const char *validation = getenv("TINYTEX_VALIDATION");
    o->validation = validation && validation[0] == '1';
    o->pipeline_stats = getenv("TINYTEX_PIPELINE_STATS") != NULL;
    o->cooperative_matrix = getenv("TINYTEX_NO_COOPMAT") == NULL;
    o->push_descriptors = getenv("TINYTEX_NO_PUSH_DESCRIPTORS") == NULL;
    o->verbose = g_display_level >= 2;
}

tt_status cli_vk_enumerate(tt_vk_device_info info[TT_VK_MAX_DEVICES], uint32_t *n)
{
    tt_vk_options o;
    cli_vk_options(&o);
    *n = 0;
    return tt_vk_enumerate_opts(&o, info, TT_VK_MAX_DEVICES, n);
}

int cli_pipeline_cache_path(const tt_vk_device_info *info, char *buf, size_t len)
{
    const char *off = getenv("TINYTEX_NO_CACHE");
    if (g_no_cache || (off && strcmp(off, "1") == 0)) return 0;
    /* The XDG base directory spec: a relative XDG_CACHE_HOME is invalid and is ignored. */
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int n;
    if (xdg && xdg[0] == '/')
        n = snprintf(buf, len, "%s/tinytex/pipelines-%04x-%04x-%08x.bin", xdg, info->vendor_id, info->device_id,
                     info->driver_version);
    else if (home && home[0] == '/')
        n = snprintf(buf, len, "%s/.cache/tinytex/pipelines-%04x-%04x-%08x.bin", home, info->vendor_id,
                     info->device_id, info->driver_version);
    else
        return 0;
    return n > 0 && (size_t)n < len;
}

tt_status cli_vk_create(int device, tt_vk **out)
{
    tt_vk_options o;
    cli_vk_options(&o);
    o.device = device;
    const char *env = device < 0 ? getenv("TINYTEX_DEVICE") : NULL;
    if (env && *env) {
        char *end;
        long v = strtol(env, &end, 10);
        if (*end || v < 0) {
            /* A missing driver is reported before a bad number, as when the library read the variable itself. */
            tt_status st = tt_vk_create_opts(&o, out);
            if (st != TT_OK) return st;
            tt_vk_destroy(*out);
            *out = NULL;
            return tt_fail(TT_ERR_INVALID_ARG, "TINYTEX_DEVICE=%s: not a device number", env);
        }
        o.device = (int)v;
    }
    tt_status st = tt_vk_create_opts(&o, out);
    if (st != TT_OK) return st;
    /* The file is named after the device and driver chosen, so it is attached after creation; its header check is
     * the second guard against another driver's data. */
    char path[4096];
    if (cli_pipeline_cache_path(tt_vk_info(*out), path, sizeof path)) {
        st = tt_vk_use_pipeline_cache(*out, path);
        if (st != TT_OK) {
            tt_vk_destroy(*out);
            *out = NULL;
        }
    }
    return st;
}

/* 1 if --name (or --name=...) is among the arguments before a lone "--". */
int cli_option_given(int argc, char **argv, const char *name)
{
    size_t n = strlen(name);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) break;
        if (a[0] != '-' || a[1] != '-') continue;
        size_t k = 0; /* the prototype's underscore spellings (--max_res) name the same option */
        while (k < n && a[2 + k] && (a[2 + k] == name[k] || (a[2 + k] == '_' && name[k] == '-'))) k++;
        if (k == n && (a[2 + n] == 0 || a[2 + n] == '=')) return 1;
    }
    return 0;
}

