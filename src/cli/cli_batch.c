/* cli_batch.c - the batch driver: walks inputs, mirrors folders, skips up-to-date outputs, runs jobs, writes JSON/CSV reports. */
#include "cli_batch.h"
#include "cli_load.h"
#include "core/tt_bytes.h"
#include "cli_manifest.h"

#include <dirent.h>
#include <signal.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Extensions tt_image_load reads; anything else inside a folder is skipped. */
static const char *const IMAGE_EXTENSIONS[] = {"png", "jpg", "jpeg", "tga", "bmp", "psd", "gif", "hdr",
                                               "pnm", "ppm", "pgm"};

typedef struct {
    char *input;
    char *output;
    char preset_error[512];     /* set while collecting (unreadable folder, clashing outputs) */
    int finished;               /* its result is final (set under display_lock): an interrupted run reports it */
    cli_file_result r;
    size_t set_index;           /* place in the whole input set, before --shard keeps a part of it */
} batch_item;

typedef struct {
    batch_item *items;
    size_t n, cap;
    char **ignored;             /* non-image files met inside folders */
    size_t n_ignored, cap_ignored;
    int oom;
} item_list;

typedef struct {
    const cli_batch_spec *spec;
    item_list *list;
    int single;
    size_t next, done;
    pthread_mutex_t queue_lock, display_lock;
    cli_progress progress;
    int show_bar;               /* live progress bar on stderr */
    int print_lines;            /* one line per file on `lines` */
    FILE *lines;
    const char *current;        /* last file started, for the bar */
    int workers;                /* started so far: worker k runs on device k mod the --device list's length */
    size_t set_files;           /* files in the whole input set (list->n before --shard) */
    uint64_t set_hash;          /* hash of the whole set's relative paths, so `report merge` can tell sets apart */
    cli_manifest *manifest;     /* batches with a spec->request: what each output was made with */
    const char *request;        /* "tinytex=VERSION " + spec->request */
    int interrupted;            /* by this signal: reports cover the finished files and say "incomplete" */
    double t0;
} batch_run;

/* ---- Small helpers ---------------------------------------------------------- */

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* "a" + "b" -> "a/b" (no doubled slash). */
static char *join_path(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    int slash = la > 0 && a[la - 1] != '/';
    char *p = malloc(la + slash + lb + 1);
    if (!p) return NULL;
    memcpy(p, a, la);
    if (slash) p[la] = '/';
    memcpy(p + la + slash, b, lb + 1);
    return p;
}

/* "sub/x.png" + ".dds" -> "sub/x.dds" (only the last component's extension goes). */
static char *replace_extension(const char *path, const char *ext)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t stem = (dot && dot != base) ? (size_t)(dot - path) : strlen(path);
    size_t le = strlen(ext);
    char *p = malloc(stem + le + 1);
    if (!p) return NULL;
    memcpy(p, path, stem);
    memcpy(p + stem, ext, le + 1);
    return p;
}

static const char *base_name(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/') n--; /* "dir/" -> "dir" */
    const char *end = path + n;
    const char *p = end;
    while (p > path && p[-1] != '/') p--;
    return p;
}

static int is_image_name(const cli_batch_spec *spec, const char *name)
{
    char ext[16];
    cli_extension(name, ext, sizeof ext);
    if (spec->in_ext) return strcmp(ext, spec->in_ext) == 0;
    for (size_t i = 0; i < sizeof IMAGE_EXTENSIONS / sizeof IMAGE_EXTENSIONS[0]; i++)
        if (strcmp(ext, IMAGE_EXTENSIONS[i]) == 0) return 1;
    return 0;
}

static int is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* 1 if `output` is a regular file strictly newer than `input`. */
static int output_is_newer(const char *input, const char *output)
{
    struct stat si, so;
    if (stat(input, &si) != 0 || stat(output, &so) != 0 || !S_ISREG(so.st_mode)) return 0;
    if (so.st_mtim.tv_sec != si.st_mtim.tv_sec) return so.st_mtim.tv_sec > si.st_mtim.tv_sec;
    return so.st_mtim.tv_nsec > si.st_mtim.tv_nsec;
}

static const char *status_name(cli_file_status s)
{
    switch (s) {
    case FILE_OK: return "ok";
    case FILE_FAILED: return "failed";
    case FILE_SKIPPED: return "skipped";
    case FILE_BELOW_MIN_PSNR: return "below_min_psnr";
    }
    return "failed";
}

/* ---- Collecting the work -------------------------------------------------- */

static batch_item *add_item(item_list *l, const char *input, char *output_owned)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        batch_item *it = realloc(l->items, cap * sizeof *it);
        if (!it) { l->oom = 1; free(output_owned); return NULL; }
        l->items = it;
        l->cap = cap;
    }
    batch_item *b = &l->items[l->n];
    memset(b, 0, sizeof *b);
    b->input = dup_str(input);
    b->output = output_owned;
    if (!b->input) { l->oom = 1; free(output_owned); return NULL; }
    l->n++;
    return b;
}

static void add_ignored(item_list *l, const char *path)
{
    if (l->n_ignored == l->cap_ignored) {
        size_t cap = l->cap_ignored ? l->cap_ignored * 2 : 16;
        char **p = realloc(l->ignored, cap * sizeof *p);
        if (!p) { l->oom = 1; return; }
        l->ignored = p;
        l->cap_ignored = cap;
    }
    char *d = dup_str(path);
    if (!d) { l->oom = 1; return; }
    l->ignored[l->n_ignored++] = d;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Folders on the current walk path, to refuse symlink loops. */
typedef struct { dev_t dev; ino_t ino; } dir_id;
#define MAX_DEPTH 64

/* Walks `dir` (whose path relative to the input folder is `rel`, "" at the
 * top), adding image files in byte order of their names. */
static void walk(item_list *l, const cli_batch_spec *spec, const char *dir, const char *rel,
                 dir_id *stack, int depth, const dir_id *skip)
{
    DIR *d = opendir(dir);
    if (!d) {
        batch_item *b = add_item(l, dir, NULL);
        if (b) snprintf(b->preset_error, sizeof b->preset_error, "%s: cannot read folder (%s)", dir, strerror(errno));
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            /* ".", "..", and hidden entries (.git, .DS_Store, editor files). */
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                DISPLAYLEVEL(2, "tinytex: note: %s/%s: hidden, skipped\n", dir, e->d_name);
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **p = realloc(names, cap * sizeof *p);
            if (!p) { l->oom = 1; break; }
            names = p;
        }
        if (!(names[n] = dup_str(e->d_name))) { l->oom = 1; break; }
        n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n && !l->oom; i++) {
        char *full = join_path(dir, names[i]);
        char *sub = rel[0] ? join_path(rel, names[i]) : dup_str(names[i]);
        struct stat sb;
        if (!full || !sub) {
            l->oom = 1;
        } else if (stat(full, &sb) != 0) {
            batch_item *b = add_item(l, full, NULL);
            if (b) snprintf(b->preset_error, sizeof b->preset_error, "%s: cannot read (%s)", full, strerror(errno));
        } else if (S_ISDIR(sb.st_mode)) {
            if (skip && skip->dev == sb.st_dev && skip->ino == sb.st_ino) {
                /* The output folder inside the input folder: not input. */
                DISPLAYLEVEL(2, "tinytex: note: %s: the output folder, skipped\n", full);
                free(full);
                free(sub);
                continue;
            }
            int loop = 0;
            for (int k = 0; k < depth; k++)
                if (stack[k].dev == sb.st_dev && stack[k].ino == sb.st_ino) loop = 1;
            if (loop || depth + 1 >= MAX_DEPTH) {
                DISPLAYLEVEL(1, "tinytex: note: %s: folder %s, skipped\n", full,
                             loop ? "links back to a parent" : "nested too deeply");
                add_ignored(l, full);
            } else {
                stack[depth].dev = sb.st_dev;
                stack[depth].ino = sb.st_ino;
                walk(l, spec, full, sub, stack, depth + 1, skip);
            }
        } else if (S_ISREG(sb.st_mode) && is_image_name(spec, names[i])) {
            char *rel_out = replace_extension(sub, spec->out_ext);
            char *out = rel_out ? join_path(spec->common->output, rel_out) : NULL;
            free(rel_out);
            if (!out) l->oom = 1;
            else add_item(l, full, out);
        } else {
            DISPLAYLEVEL(1, "tinytex: note: %s: not an image (by extension), skipped\n", full);
            add_ignored(l, full);
        }
        free(full);
        free(sub);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
}

/* Two inputs that map to one output (x.png and x.jpg, or a/x.png and b/x.png
 * given as files) would overwrite each other: the later ones fail. */
static const item_list *g_sort_list; /* qsort has no context argument in C11 */
static int cmp_outputs(const void *a, const void *b)
{
    size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
    int c = strcmp(g_sort_list->items[ia].output, g_sort_list->items[ib].output);
    if (c) return c;
    return ia < ib ? -1 : ia > ib;
}

static void mark_clashing_outputs(item_list *l)
{
    size_t *idx = malloc((l->n ? l->n : 1) * sizeof *idx);
    if (!idx) { l->oom = 1; return; }
    size_t m = 0;
    for (size_t i = 0; i < l->n; i++)
        if (l->items[i].output) idx[m++] = i;
    g_sort_list = l;
    qsort(idx, m, sizeof *idx, cmp_outputs);
    for (size_t k = 1; k < m; k++) {
        batch_item *prev = &l->items[idx[k - 1]], *cur = &l->items[idx[k]];
        if (strcmp(prev->output, cur->output) == 0) {
            /* Name the first input that claimed the output. */
            size_t first = k - 1;
            while (first > 0 && strcmp(l->items[idx[first - 1]].output, cur->output) == 0) first--;
            snprintf(cur->preset_error, sizeof cur->preset_error, "%s: output %s is already written from %s",
                     cur->input, cur->output, l->items[idx[first]].input);
        }
    }
    free(idx);
}

/* ---- Scale-out: --files-from and --shard (docs/scale-out.md) ----------------------------- */

/* The part of `path` below --base ("assets/sub/x.png" with --base assets -> "sub/x.png"), or NULL when the path is not
 * under it. Without --base the path itself, if relative. "./" prefixes are dropped; ".." would leave -o: NULL. */
static const char *listed_relative(const char *path)
{
    const char *rel = path;
    const char *base = g_scale.base;
    if (base) {
        while (base[0] == '.' && base[1] == '/') base += 2;
        while (rel[0] == '.' && rel[1] == '/') rel += 2;
        size_t lb = strlen(base);
        while (lb > 0 && base[lb - 1] == '/') lb--;
        if (lb == 1 && base[0] == '.') lb = 0;
        if (lb > 0) {
            if (strncmp(rel, base, lb) != 0 || rel[lb] != '/') return NULL;
            rel += lb + 1;
        }
    } else if (rel[0] == '/') {
        return NULL;
    }
    while (rel[0] == '.' && rel[1] == '/') rel += 2;
    while (rel[0] == '/') rel++;
    for (const char *p = rel; *p;) {
        if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || p[2] == 0)) return NULL;
        const char *slash = strchr(p, '/');
        if (!slash) break;
        p = slash + 1;
    }
    return rel[0] ? rel : NULL;
}

/* Adds the files of --files-from LIST, mirrored below -o by their path relative to --base, in list order. */
static int add_listed_files(item_list *l, const cli_batch_spec *spec)
{
    char *text = NULL;
    size_t len = 0;
    if (cli_read_list(g_scale.files_from, g_scale.nul, &text, &len) != EXIT_OK) return EXIT_RUNTIME;
    for (size_t pos = 0; pos < len && !l->oom;) {
        char *line = text + pos;
        size_t n = strlen(line);
        pos += n + 1;
        if (n > 0 && line[n - 1] == '\r' && !g_scale.nul) line[--n] = 0;
        if (n == 0) continue;
        if (!is_image_name(spec, line)) {
            DISPLAYLEVEL(1, "tinytex: note: %s: not an image (by extension), skipped\n", line);
            add_ignored(l, line);
            continue;
        }
        const char *rel = listed_relative(line);
        if (!rel) {
            batch_item *b = add_item(l, line, NULL);
            if (b) snprintf(b->preset_error, sizeof b->preset_error, "%s: %s", line,
                            g_scale.base ? "not below --base, so it has no place below -o"
                                         : "an absolute path or one with '..' has no place below -o; give --base DIR");
            continue;
        }
        char *rel_out = replace_extension(rel, spec->out_ext);
        char *out = rel_out ? join_path(spec->common->output, rel_out) : NULL;
        free(rel_out);
        if (!out) l->oom = 1;
        else add_item(l, line, out);
    }
    free(text);
    return EXIT_OK;
}

/* The key a file is sharded by: its output below -o without the extension ("sub/x"), so adding a file moves only
 * that file, and inputs that clash on one output (x.png, x.tga) fall in one shard, where the clash is reported. */
static uint64_t shard_key_hash(const batch_item *it, const cli_batch_spec *spec)
{
    const char *key = it->input;
    size_t len = strlen(key);
    const char *root = spec->common->output;
    size_t lr = strlen(root);
    if (it->output && strncmp(it->output, root, lr) == 0) {
        key = it->output + lr;
        while (*key == '/') key++;
        const char *slash = strrchr(key, '/');
        const char *dot = strrchr(slash ? slash + 1 : key, '.');
        len = dot ? (size_t)(dot - key) : strlen(key);
    }
    return cli_key_hash(0xcbf29ce484222325ull, key, len);
}

/* Numbers the whole set, hashes it for `report merge`, and keeps the files of --shard I/N. */
static void keep_shard(item_list *l, const cli_batch_spec *spec, size_t *set_files, uint64_t *set_hash)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < l->n; i++) {
        const batch_item *it = &l->items[i];
        /* Relative keys: shards that write below different -o folders still make one set. */
        uint64_t k = shard_key_hash(it, spec);
        char le[8];
        for (int j = 0; j < 8; j++) le[j] = (char)(k >> (8 * j));
        h = cli_key_hash(h, le, sizeof le);
        l->items[i].set_index = i;
    }
    *set_files = l->n;
    *set_hash = h;
    if (g_scale.shard_count <= 1) return;
    size_t kept = 0;
    for (size_t i = 0; i < l->n; i++) {
        batch_item *it = &l->items[i];
        if (shard_key_hash(it, spec) % g_scale.shard_count == g_scale.shard_index - 1) {
            l->items[kept++] = *it;
        } else {
            free(it->input);
            free(it->output);
        }
    }
    l->n = kept;
}

/* ---- Display ------------------------------------------------------------------ */

/* Call with display_lock held. Clears the live bar so a message can be printed. */
static void clear_bar(batch_run *b)
{
    if (b->show_bar && b->progress.printed_live) {
        fputs("\r\033[K", stderr);
        b->progress.printed_live = 0;
    }
}

static void draw_bar(batch_run *b, int force)
{
    if (!b->show_bar) return;
    size_t total = b->list->n;
    char bar[32];
    int width = 24, filled = total ? (int)((double)b->done / (double)total * width) : width;
    for (int i = 0; i < width; i++) bar[i] = i < filled ? '#' : '-';
    bar[width] = 0;
    const char *cur = b->current ? b->current : "";
    size_t lc = strlen(cur);
    char line[256];
    if (lc > 48)
        snprintf(line, sizeof line, "[%s] %zu/%zu ...%s", bar, b->done, total, cur + lc - 45);
    else
        snprintf(line, sizeof line, "[%s] %zu/%zu %s", bar, b->done, total, cur);
    cli_progress_update(&b->progress, total ? (double)b->done / (double)total : 1.0, line, force);
}

static void print_file_line(batch_run *b, size_t index, const cli_file_result *r)
{
    FILE *out = b->lines;
    char prefix[48] = "";
    if (!b->single) snprintf(prefix, sizeof prefix, "[%zu/%zu] ", index + 1, b->list->n);
    if (r->status == FILE_FAILED) return; /* the error line says it all */
    if (r->skipped) {
        fprintf(out, "%s%s -> %s: up to date, skipped", prefix, r->input, r->output);
        if (r->have_metrics) fprintf(out, " (RGB PSNR %.2f dB)", r->metrics.psnr_rgb);
        fputc('\n', out);
        return;
    }
    const char *label = b->spec->label ? b->spec->label : "";
    fprintf(out, "%s%s -> %s: %ux%u%s%s, %llu bytes", prefix, r->input, r->output, r->width, r->height,
            label[0] ? " " : "", label, (unsigned long long)r->output_bytes);
    double pixels = (double)r->width * r->height;
    if (pixels > 0) fprintf(out, " (%.2f bpp)", (double)r->output_bytes * 8.0 / pixels);
    if (r->have_metrics) {
        const tt_metrics *m = &r->metrics;
        fprintf(out, ", RGB PSNR %.2f dB", m->psnr_rgb);
        if (m->has_alpha) fprintf(out, ", RGBA PSNR %.2f dB", m->psnr_rgba);
        fprintf(out, ", max error %d", m->has_alpha ? m->max_abs_err_rgba : m->max_abs_err_rgb);
    }
    fprintf(out, ", %.2f s\n", r->seconds);
}

/* ---- Work ---------------------------------------------------------------------- */

static void reset_result(cli_file_result *r, const char *input, const char *output)
{
    cJSON_Delete(r->extra);
    memset(r, 0, sizeof *r);
    r->input = input;
    r->output = output;
}

void cli_result_fail(cli_file_result *r, const char *fallback)
{
    r->status = FILE_FAILED;
    const char *detail = tt_last_error();
    snprintf(r->error, sizeof r->error, "%s", detail && *detail ? detail : fallback);
}

long long cli_result_measured(cli_file_result *r, const tt_image *img, const char *output)
{
    long long bytes = cli_file_size(output);
    r->width = img->width;
    r->height = img->height;
    r->have_metrics = 1;
    r->output_bytes = bytes > 0 ? (uint64_t)bytes : 0;
    if (!r->extra) r->extra = cJSON_CreateObject();
    return bytes;
}

static tt_status measure_existing(const cli_batch_spec *spec, const batch_item *it, cli_file_result *r)
{
    tt_image_limits limits;
    cli_apply_common(spec->common, &limits);
    tt_image img = {0};
    tt_status st = cli_image_load(it->input, &limits, &img);
    if (st == TT_OK) st = spec->measure(spec->ctx, &img, it->output, r);
    tt_image_free(&img);
    return st;
}

/* --device all|N,M,...: which device encoded the file (identical GPUs share a name). Not for --cpu encodes. */
static void note_device_index(cli_file_result *r)
{
    const cJSON *dev = r->extra ? cJSON_GetObjectItemCaseSensitive(r->extra, "device") : NULL;
    if (cli_worker_device() >= 0 && cJSON_IsString(dev) && strncmp(dev->valuestring, "CPU", 3) != 0)
        cJSON_AddNumberToObject(r->extra, "device_index", cli_worker_device());
}

/* An output's key in the manifest: its path below -o. */
static const char *manifest_key(const batch_run *b, const char *output)
{
    const char *root = b->spec->common->output;
    size_t n = strlen(root);
    if (strncmp(output, root, n) != 0) return output;
    while (output[n] == '/') n++;
    return output + n;
}

static void process_item(batch_run *b, batch_item *it)
{
    const cli_batch_spec *spec = b->spec;
    cli_file_result *r = &it->r;
    double t0 = cli_now();
    reset_result(r, it->input, it->output);
    tt_clear_error();
    if (it->preset_error[0]) {
        r->status = FILE_FAILED;
        snprintf(r->error, sizeof r->error, "%s", it->preset_error);
        return;
    }
    int done = 0;
    char why[sizeof r->reason] = "";
    int newer = !b->single && !spec->force && output_is_newer(it->input, it->output);
    if (newer && b->manifest)
        cli_manifest_check(b->manifest, manifest_key(b, it->output), it->output, b->request, why, sizeof why);
    if (why[0]) DISPLAYLEVEL(2, "tinytex: note: %s: %s; rebuilding\n", it->output, why);
    if (newer && !why[0]) {
        if (!spec->measure) {
            r->status = FILE_SKIPPED;
            r->skipped = 1;
            long long sz = cli_file_size(it->output);
            r->output_bytes = sz > 0 ? (uint64_t)sz : 0;
            done = 1;
        } else if (measure_existing(spec, it, r) == TT_OK) {
            r->status = FILE_SKIPPED;
            r->skipped = 1;
            done = 1;
        } else {
            /* The old output cannot be measured (damaged, other size): make it again. */
            DISPLAYLEVEL(2, "tinytex: note: %s: %s; re-encoding\n", it->output, tt_last_error());
            snprintf(why, sizeof why, "the existing output could not be read back and measured");
            reset_result(r, it->input, it->output);
            tt_clear_error();
        }
    }
    if (done)
        snprintf(r->reason, sizeof r->reason, "up to date: output newer than its input%s",
                 b->manifest ? ", made with the same options" : "");
    else if (why[0])
        snprintf(r->reason, sizeof r->reason, "%s", why);
    else
        snprintf(r->reason, sizeof r->reason, "%s",
                 b->single ? "one input file: always written"
                 : spec->force ? "--force"
                 : cli_file_size(it->output) < 0 ? "no output yet"
                 : "the input is newer than the output");
    if (!done) {
        tt_status st = cli_make_parent_dirs(it->output); /* one input too: -o's folders are made as in batches */
        if (st != TT_OK) cli_result_fail(r, it->output);
        else spec->encode(spec->ctx, it->input, it->output, r);
        if (r->status == FILE_FAILED && !r->error[0]) cli_result_fail(r, "encoding failed");
        note_device_index(r);
    }
    r->seconds = cli_now() - t0;
    double min = spec->common->min_psnr;
    if (r->status != FILE_FAILED && r->have_metrics && min > 0 && r->metrics.psnr_rgb < min)
        r->status = FILE_BELOW_MIN_PSNR;
    if (r->status == FILE_FAILED && !strstr(r->error, it->input)) {
        /* Every error line names the file it is about. */
        char tmp[sizeof r->error];
        if (snprintf(tmp, sizeof tmp, "%s: %s", it->input, r->error) >= (int)sizeof tmp)
            memcpy(tmp + sizeof tmp - 4, "...", 4);
        memcpy(r->error, tmp, sizeof tmp);
    }
}

static void *worker(void *arg)
{
    batch_run *b = arg;
    pthread_mutex_lock(&b->queue_lock);
    cli_worker_slot_set(b->workers++);
    pthread_mutex_unlock(&b->queue_lock);
    for (;;) {
        pthread_mutex_lock(&b->queue_lock);
        size_t i = b->next++;
        pthread_mutex_unlock(&b->queue_lock);
        if (i >= b->list->n) break;
        batch_item *it = &b->list->items[i];
        if (b->show_bar) {
            pthread_mutex_lock(&b->display_lock);
            b->current = it->input;
            draw_bar(b, 0);
            pthread_mutex_unlock(&b->display_lock);
        }
        process_item(b, it);
        const cli_file_result *r = &it->r;
        pthread_mutex_lock(&b->display_lock);
        b->done++;
        it->finished = 1;
        if (r->status == FILE_FAILED) {
            clear_bar(b);
            cli_error("%s", r->error);
        } else if (r->status == FILE_BELOW_MIN_PSNR) {
            clear_bar(b);
            cli_error("%s: RGB PSNR %.2f dB is below --min-psnr %.2f dB", r->input, r->metrics.psnr_rgb,
                      b->spec->common->min_psnr);
        }
        if (b->print_lines && g_display_level >= 1) {
            if (b->lines == stderr) clear_bar(b);
            print_file_line(b, i, r);
            fflush(b->lines);
        }
        draw_bar(b, 1);
        pthread_mutex_unlock(&b->display_lock);
    }
    return NULL;
}

/* ---- Reports ------------------------------------------------------------------- */

static cJSON *file_json(const cli_file_result *r)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddStringToObject(o, "input", r->input);
    if (r->output) cJSON_AddStringToObject(o, "output", r->output);
    else cJSON_AddNullToObject(o, "output");
    cJSON_AddStringToObject(o, "status", status_name(r->status));
    cJSON_AddBoolToObject(o, "skipped", r->skipped);
    if (r->reason[0]) cJSON_AddStringToObject(o, "reason", r->reason);
    else cJSON_AddNullToObject(o, "reason");
    if (r->status == FILE_FAILED) cJSON_AddStringToObject(o, "error", r->error);
    else cJSON_AddNullToObject(o, "error");
    if (r->status != FILE_FAILED && r->have_metrics && r->width > 0) {
        cli_report_add_result(o, r->width, r->height, &r->metrics, r->output_bytes, r->seconds);
    } else {
        /* Unknown values are null, never 0 (a 0 would read as a measurement). */
        if (r->width > 0) {
            cJSON_AddNumberToObject(o, "width", r->width);
            cJSON_AddNumberToObject(o, "height", r->height);
        } else {
            cJSON_AddNullToObject(o, "width");
            cJSON_AddNullToObject(o, "height");
        }
        cJSON_AddNullToObject(o, "psnr_rgb");
        cJSON_AddNullToObject(o, "psnr_rgba");
        cJSON_AddNullToObject(o, "lossless");
        cJSON_AddNullToObject(o, "max_abs_error");
        int have_bytes = r->status != FILE_FAILED && r->output_bytes > 0;
        if (have_bytes) cJSON_AddNumberToObject(o, "output_bytes", (double)r->output_bytes);
        else cJSON_AddNullToObject(o, "output_bytes");
        if (have_bytes && r->width > 0)
            cJSON_AddNumberToObject(o, "bits_per_pixel",
                                    (double)r->output_bytes * 8.0 / ((double)r->width * r->height));
        else
            cJSON_AddNullToObject(o, "bits_per_pixel");
        cJSON_AddNumberToObject(o, "seconds", r->seconds);
    }
    if (r->extra) {
        for (cJSON *e = r->extra->child; e; e = e->next) {
            if (!e->string || cJSON_GetObjectItemCaseSensitive(o, e->string)) continue;
            cJSON_AddItemToObject(o, e->string, cJSON_Duplicate(e, 1));
        }
    }
    return o;
}

typedef struct {
    size_t files, counts[4], ignored, lossless, with_psnr;
    uint64_t bytes;
    double psnr_sum, psnr_min, seconds;
} batch_summary;

static void summarize(const batch_run *b, double seconds, batch_summary *s)
{
    memset(s, 0, sizeof *s);
    s->psnr_min = INFINITY;
    s->ignored = b->list->n_ignored;
    s->seconds = seconds;
    for (size_t i = 0; i < b->list->n; i++) {
        if (b->interrupted && !b->list->items[i].finished) continue;
        s->files++;
        const cli_file_result *r = &b->list->items[i].r;
        s->counts[r->status]++;
        if (r->status != FILE_FAILED) s->bytes += r->output_bytes;
        if (r->status != FILE_FAILED && r->have_metrics) {
            if (isfinite(r->metrics.psnr_rgb)) {
                s->psnr_sum += r->metrics.psnr_rgb;
                s->with_psnr++;
                if (r->metrics.psnr_rgb < s->psnr_min) s->psnr_min = r->metrics.psnr_rgb;
            } else {
                s->lossless++;
            }
        }
    }
}

static cJSON *num_or_null(double v)
{
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static int write_json(const batch_run *b, const batch_summary *s)
{
    const cli_batch_spec *spec = b->spec;
    cJSON *rep = cli_report_new(spec->command);
    if (!rep) { cli_error("out of memory building the report"); return EXIT_RUNTIME; }
    cJSON *files = cJSON_CreateArray();
    for (size_t i = 0; i < b->list->n; i++) {
        if (b->interrupted && !b->list->items[i].finished) continue;
        cJSON *f = file_json(&b->list->items[i].r);
        if (f && !b->single) cJSON_AddNumberToObject(f, "set_index", (double)b->list->items[i].set_index);
        cJSON_AddItemToArray(files, f);
    }
    if (b->single && b->list->n == 1 && cJSON_GetArrayItem(files, 0)) {
        /* Single-file runs keep the flat fields of schema v1 (width, psnr_rgb,
         * ... at the top level) as well as files[] and summary. */
        for (cJSON *e = cJSON_GetArrayItem(files, 0)->child; e; e = e->next)
            cJSON_AddItemToObject(rep, e->string, cJSON_Duplicate(e, 1));
    }
    cJSON_AddNumberToObject(rep, "jobs", spec->jobs);
    cJSON_AddBoolToObject(rep, "force", spec->force);
    if (spec->common->min_psnr > 0) cJSON_AddNumberToObject(rep, "min_psnr", spec->common->min_psnr);
    else cJSON_AddNullToObject(rep, "min_psnr");
    if (!b->single) cJSON_AddItemToObject(rep, "shard", cli_shard_json(b->set_files, b->set_hash));
    /* An interrupted batch: the files that finished, and the ones that did not. */
    cJSON_AddBoolToObject(rep, "incomplete", b->interrupted != 0);
    if (b->interrupted) {
        cJSON_AddStringToObject(rep, "interrupted_by", strsignal(b->interrupted));
        cJSON *nd = cJSON_AddArrayToObject(rep, "not_done");
        for (size_t i = 0; i < b->list->n; i++)
            if (!b->list->items[i].finished) cJSON_AddItemToArray(nd, cJSON_CreateString(b->list->items[i].input));
    }
    cJSON_AddItemToObject(rep, "files", files);
    cJSON *ign = cJSON_AddArrayToObject(rep, "ignored");
    for (size_t i = 0; i < b->list->n_ignored; i++) cJSON_AddItemToArray(ign, cJSON_CreateString(b->list->ignored[i]));
    cJSON *sum = cJSON_AddObjectToObject(rep, "summary");
    cJSON_AddNumberToObject(sum, "files", (double)s->files);
    for (int k = 0; k < 4; k++) cJSON_AddNumberToObject(sum, status_name((cli_file_status)k), (double)s->counts[k]);
    cJSON_AddNumberToObject(sum, "ignored", (double)s->ignored);
    cJSON_AddNumberToObject(sum, "output_bytes", (double)s->bytes);
    cJSON_AddItemToObject(sum, "mean_psnr_rgb", num_or_null(s->with_psnr ? s->psnr_sum / (double)s->with_psnr : NAN));
    cJSON_AddItemToObject(sum, "min_psnr_rgb", num_or_null(s->with_psnr ? s->psnr_min : NAN));
    cJSON_AddNumberToObject(sum, "lossless_files", (double)s->lossless);
    cJSON_AddNumberToObject(sum, "seconds", s->seconds);
    int rc = cli_report_write(spec->common->json, rep);
    cJSON_Delete(rep);
    return rc;
}

/* The CSV is built in a tt_bytes. */
static void tb_append(tt_bytes *t, const char *s, size_t len) { tt_bytes_put(t, s, len); }

static void tb_printf(tt_bytes *t, const char *fmt, ...)
{
    char buf[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > 0) tb_append(t, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* RFC 4180 field: quoted when it holds a comma, quote or line break. */
static void tb_field(tt_bytes *t, const char *s, int first)
{
    if (!first) tb_append(t, ",", 1);
    if (!s) return;
    if (!strpbrk(s, ",\"\r\n")) { tb_append(t, s, strlen(s)); return; }
    tb_append(t, "\"", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"') tb_append(t, "\"\"", 2);
        else tb_append(t, p, 1);
    }
    tb_append(t, "\"", 1);
}

static void tb_number(tt_bytes *t, const char *fmt, double v, int known)
{
    tb_append(t, ",", 1);
    if (!known) return;
    if (isinf(v)) tb_append(t, "inf", 3);
    else tb_printf(t, fmt, v);
}

static const char *const CSV_COLUMNS[] = {"input", "output", "status", "skipped", "error", "width", "height",
                                          "psnr_rgb", "psnr_rgba", "max_abs_error", "output_bytes",
                                          "bits_per_pixel", "seconds", "reason"};
#define N_CSV_COLUMNS (sizeof CSV_COLUMNS / sizeof CSV_COLUMNS[0])

static int write_csv(const batch_run *b)
{
    const cli_file_result **rows = malloc((b->list->n ? b->list->n : 1) * sizeof *rows);
    if (!rows) { cli_error("out of memory writing the CSV report"); return EXIT_RUNTIME; }
    size_t n = 0;
    for (size_t i = 0; i < b->list->n; i++)
        if (!b->interrupted || b->list->items[i].finished) rows[n++] = &b->list->items[i].r;
    int rc = cli_csv_write(b->spec->csv, rows, n);
    free(rows);
    return rc;
}

int cli_csv_write(const char *path, const cli_file_result *const *rows, size_t n_rows)
{
    tt_bytes t = {0};
    /* Extra columns: the union of the encoders' extra keys, in first-seen order. */
    const char *extra_keys[64];
    size_t n_extra = 0;
    for (size_t i = 0; i < n_rows; i++) {
        const cJSON *x = rows[i]->extra;
        for (const cJSON *e = x ? x->child : NULL; e; e = e->next) {
            int seen = 0;
            for (size_t k = 0; k < N_CSV_COLUMNS; k++) if (strcmp(CSV_COLUMNS[k], e->string) == 0) seen = 1;
            for (size_t k = 0; k < n_extra; k++) if (strcmp(extra_keys[k], e->string) == 0) seen = 1;
            if (!seen && n_extra < sizeof extra_keys / sizeof extra_keys[0]) extra_keys[n_extra++] = e->string;
        }
    }
    for (size_t k = 0; k < N_CSV_COLUMNS; k++) tb_field(&t, CSV_COLUMNS[k], k == 0);
    for (size_t k = 0; k < n_extra; k++) tb_field(&t, extra_keys[k], 0);
    tb_append(&t, "\n", 1);
    for (size_t i = 0; i < n_rows; i++) {
        const cli_file_result *r = rows[i];
        int ok = r->status != FILE_FAILED;
        int m = ok && r->have_metrics;
        tb_field(&t, r->input, 1);
        tb_field(&t, r->output, 0);
        tb_field(&t, status_name(r->status), 0);
        tb_field(&t, r->skipped ? "true" : "false", 0);
        tb_field(&t, r->status == FILE_FAILED ? r->error : NULL, 0);
        tb_number(&t, "%.0f", r->width, r->width > 0);
        tb_number(&t, "%.0f", r->height, r->width > 0);
        tb_number(&t, "%.4f", r->metrics.psnr_rgb, m);
        tb_number(&t, "%.4f", r->metrics.psnr_rgba, m && r->metrics.has_alpha);
        tb_number(&t, "%.0f", r->metrics.has_alpha ? r->metrics.max_abs_err_rgba : r->metrics.max_abs_err_rgb, m);
        tb_number(&t, "%.0f", (double)r->output_bytes, ok && r->output_bytes > 0);
        double px = (double)r->width * r->height;
        tb_number(&t, "%.4f", px > 0 ? (double)r->output_bytes * 8.0 / px : 0, ok && r->output_bytes > 0 && px > 0);
        tb_number(&t, "%.3f", r->seconds, 1);
        tb_field(&t, r->reason[0] ? r->reason : NULL, 0);
        for (size_t k = 0; k < n_extra; k++) {
            const cJSON *e = r->extra ? cJSON_GetObjectItemCaseSensitive(r->extra, extra_keys[k]) : NULL;
            if (cJSON_IsString(e)) tb_field(&t, e->valuestring, 0);
            else if (cJSON_IsNumber(e)) tb_number(&t, "%.10g", e->valuedouble, 1);
            else if (cJSON_IsBool(e)) tb_field(&t, cJSON_IsTrue(e) ? "true" : "false", 0);
            else tb_field(&t, NULL, 0);
        }
        tb_append(&t, "\n", 1);
    }
    int rc = EXIT_OK;
    if (t.failed) {
        cli_error("out of memory writing the CSV report");
        rc = EXIT_RUNTIME;
    } else if (strcmp(path, "-") == 0) {
        fwrite(t.data, 1, t.size, stdout);
    } else {
        tt_status st = tt_write_file_atomic(path, t.data, t.size);
        if (st != TT_OK) { cli_fail_status(st); rc = EXIT_RUNTIME; }
    }
    free(t.data);
    return rc;
}

/* ---- Interrupted batches ------------------------------------------------------------
 * SIGINT/SIGTERM/SIGHUP are blocked in every thread of a batch (workers and the Vulkan driver's threads inherit the
 * mask) and taken by one thread with sigwait: it writes the reports of the files finished so far, marked incomplete,
 * and the manifest of their outputs, then removes the temporary files and dies by the signal, as before. */
typedef struct {
    batch_run *b;
    sigset_t set, old_mask;
    pthread_t thread;
    pthread_mutex_t lock;       /* taken by the thread to write, and by the main thread to finish normally */
    int started, final;
} interrupt_thread;

/* The outputs of the files finished (all, at the end of a run) with their request; failed ones forgotten. */
static int record_manifest(batch_run *b)
{
    for (size_t i = 0; i < b->list->n; i++) {
        const batch_item *it = &b->list->items[i];
        if (!it->output || it->preset_error[0] || !it->finished) continue;
        cli_manifest_set(b->manifest, manifest_key(b, it->output), it->output,
                         it->r.status == FILE_FAILED ? NULL : b->request);
    }
    return cli_manifest_save(b->manifest);
}

static void *interrupt_main(void *arg)
{
    interrupt_thread *t = arg;
    int sig = 0;
    if (sigwait(&t->set, &sig) != 0) return NULL;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
    pthread_mutex_lock(&t->lock);
    batch_run *b = t->b;
    if (!t->final) {
        pthread_mutex_lock(&b->display_lock);
        b->interrupted = sig;
        batch_summary s;
        summarize(b, cli_now() - b->t0, &s);
        clear_bar(b);
        if (b->spec->common->json) write_json(b, &s);
        if (b->spec->csv) write_csv(b);
        if (b->manifest) record_manifest(b);
        fprintf(stderr, "\ntinytex: interrupted after %zu of %zu files; %s%s%s\n", s.files, b->list->n,
                b->spec->common->json || b->spec->csv ? "the report of the finished ones is written (marked incomplete) to " : "",
                b->spec->common->json ? b->spec->common->json : "", b->spec->csv ? (b->spec->common->json ? " and the CSV" : b->spec->csv) : "");
    }
    tt_atomic_cleanup_exit();
    static const char msg[] = "tinytex: interrupted, partial output removed\n";
    ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)ignored;
    signal(sig, SIG_DFL);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, sig);
    pthread_sigmask(SIG_UNBLOCK, &one, NULL);
    raise(sig);
    return NULL;
}

static void start_interrupt_thread(interrupt_thread *t, batch_run *b)
{
    memset(t, 0, sizeof *t);
    t->b = b;
    pthread_mutex_init(&t->lock, NULL);
    sigemptyset(&t->set);
    sigaddset(&t->set, SIGINT);
    sigaddset(&t->set, SIGTERM);
    sigaddset(&t->set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &t->set, &t->old_mask);
    t->started = pthread_create(&t->thread, NULL, interrupt_main, t) == 0;
    if (!t->started) pthread_sigmask(SIG_SETMASK, &t->old_mask, NULL); /* the plain handler then */
}

static void stop_interrupt_thread(interrupt_thread *t)
{
    if (!t->b) return;
    if (t->started) {
        pthread_mutex_lock(&t->lock);
        t->final = 1;
        pthread_mutex_unlock(&t->lock);
        pthread_cancel(t->thread);
        pthread_join(t->thread, NULL);
        pthread_sigmask(SIG_SETMASK, &t->old_mask, NULL); /* a signal pending now goes to main.c's handler */
    }
    pthread_mutex_destroy(&t->lock);
    t->b = NULL;
}

/* ---- Entry points ---------------------------------------------------------------- */

int cli_batch_is_single(const char *const *inputs, int n_inputs)
{
    return n_inputs == 1 && !is_dir(inputs[0]);
}

static int add_batch_options(cli_option *opts, int count, int capacity, int *jobs, int *force, const char **csv)
{
    cli_option batch[] = {
        {"jobs", 'j', OPT_INT, jobs, "N", "worker threads over files (0 = one per CPU)", NULL, 0, 256},
        {"force", 'f', OPT_FLAG, force, NULL, "re-encode outputs that are newer than their input", NULL, 0, 0},
        {"csv", 0, OPT_STR, csv, "FILE", "write a CSV report, one row per file ('-' = stdout)", NULL, 0, 0},
        {"files-from", 0, OPT_STR, &g_scale.files_from, "LIST", "also encode the files listed in LIST, one per line ('-' = stdin)", NULL, 0, 0},
        {"null", '0', OPT_FLAG, &g_scale.nul, NULL, "--files-from LIST is NUL-separated (find -print0, git ls-files -z)", NULL, 0, 0},
        {"base", 0, OPT_STR, &g_scale.base, "DIR", "mirror --files-from paths relative to DIR below -o", NULL, 0, 0},
        {"shard", 0, OPT_STR, &g_scale.shard, "I/N", "encode only part I of N of the input set (1 <= I <= N; docs/scale-out.md)", NULL, 0, 0},
    };
    int n = (int)(sizeof batch / sizeof batch[0]);
    cli_options_fit(count + n + 1, capacity);
    for (int i = 0; i < n; i++) opts[count + i] = batch[i];
    memset(&opts[count + n], 0, sizeof opts[0]);
    return count + n;
}

int cli_batch_parse_args(int argc, char **argv, cli_option *opts, int nopts, int capacity, cli_common *c, const char *usage,
                         const char *description, const char *single_output_hint, cli_batch_args *a)
{
    memset(a, 0, sizeof *a);
    memset(&g_scale, 0, sizeof g_scale);
    a->jobs = 1;
    c->multi_device = 1;
    for (int k = 0; k < nopts; k++)
        if (strcmp(opts[k].long_name, "device") == 0)
            opts[k].help = "Vulkan device index (see 'tinytex devices'; env TINYTEX_DEVICE); 'all' or a list N,M,... "
                           "runs one worker per device";
    add_batch_options(opts, nopts, capacity, &a->jobs, &a->force, &a->csv);
    const char **pos = malloc((size_t)(argc > 0 ? argc : 1) * sizeof *pos);
    a->inputs = malloc((size_t)(argc + 1) * sizeof *a->inputs);
    if (!pos || !a->inputs) {
        free(pos);
        cli_error("out of memory");
        return EXIT_RUNTIME;
    }
    int npos = 0, rc = cli_parse(argc, argv, opts, pos, argc, &npos);
    if (rc == EXIT_OK && !c->help) rc = cli_scale_check();
    if (rc == EXIT_OK && !c->help && c->device_list) rc = cli_devices_resolve(c->device_list);
    if (rc == EXIT_OK && c->help) {
        cli_print_help(stdout, usage, description, opts);
        a->help_shown = 1;
    } else if (rc == EXIT_OK) {
        if (c->input) a->inputs[a->n_inputs++] = c->input;
        for (int i = 0; i < npos; i++) a->inputs[a->n_inputs++] = pos[i];
        a->single = cli_batch_is_single(a->inputs, a->n_inputs) && !g_scale.files_from;
        if (a->single && g_scale.shard) {
            cli_error("--shard splits a folder, several inputs or --files-from; one input file is not split");
            rc = EXIT_USAGE;
        } else if (a->n_inputs == 0 && !g_scale.files_from) {
            cli_error("no input file (usage: %s)", usage);
            rc = EXIT_USAGE;
        } else if (!c->output) {
            if (a->single) cli_error("no output file: give -o %s", single_output_hint);
            else cli_error("several inputs or a folder: give -o OUTPUT_FOLDER");
            rc = EXIT_USAGE;
        } else if (cli_require_extension(c->json, "json", "--json", "JSON", 1) != EXIT_OK ||
                   cli_require_extension(a->csv, "csv", "--csv", "CSV", 1) != EXIT_OK ||
                   cli_check_output_kind(c->output, a->single) != EXIT_OK) {
            rc = EXIT_USAGE;
        } else if (a->single && (a->force || a->jobs != 1)) {
            /* They act over several files; with one they would do nothing. */
            cli_error("%s: one input file is %s; it applies to several inputs or a folder",
                      a->force ? "--force" : "--jobs", a->force ? "always written" : "one job");
            rc = EXIT_USAGE;
        }
    }
    free(pos);
    return rc;
}

static void free_list(item_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].input);
        free(l->items[i].output);
        cJSON_Delete(l->items[i].r.extra);
    }
    free(l->items);
    for (size_t i = 0; i < l->n_ignored; i++) free(l->ignored[i]);
    free(l->ignored);
}

/* Before any work: no output (mirrored or single, reports, the subcommand's extra files) is the same file as an input
 * or another output (cli_paths.c). Mirrored outputs that clash with each other fail per file (mark_clashing_outputs). */
static int check_run_paths(const cli_batch_spec *spec, const item_list *l)
{
    cli_path_set set = {0};
    int single = l->n == 1 && spec->common->output && l->items[0].output &&
                 strcmp(l->items[0].output, spec->common->output) == 0;
    for (size_t i = 0; i < l->n; i++) {
        cli_paths_add(&set, l->items[i].input, "input", 0);
        cli_paths_add_group(&set, l->items[i].output, single ? "-o" : "output", 1, 1);
    }
    cli_paths_add(&set, spec->common->json, "--json", 1);
    cli_paths_add(&set, spec->csv, "--csv", 1);
    for (int i = 0; i < spec->n_extra_paths; i++)
        cli_paths_add(&set, spec->extra_paths[i].path, spec->extra_paths[i].role, spec->extra_paths[i].is_output);
    int rc = cli_paths_check(&set);
    cli_paths_free(&set);
    return rc;
}

int cli_batch_run(const cli_batch_spec *spec, const char *const *inputs, int n_inputs)
{
    double t0 = cli_now();
    item_list list = {0};
    batch_run b;
    memset(&b, 0, sizeof b);
    b.spec = spec;
    b.list = &list;
    b.single = cli_batch_is_single(inputs, n_inputs) && !g_scale.files_from;

    if (b.single) {
        char *out = dup_str(spec->common->output);
        if (out) add_item(&list, inputs[0], out);
        else list.oom = 1;
    } else {
        if (!spec->common->output) {
            cli_error("several inputs or a folder: give -o OUTPUT_FOLDER");
            free_list(&list);
            return EXIT_USAGE;
        }
        dir_id stack[MAX_DEPTH], out_id;
        struct stat osb;
        int have_out = stat(spec->common->output, &osb) == 0 && S_ISDIR(osb.st_mode);
        if (have_out) { out_id.dev = osb.st_dev; out_id.ino = osb.st_ino; }
        for (int i = 0; i < n_inputs && !list.oom; i++) {
            struct stat sb;
            if (stat(inputs[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
                stack[0].dev = sb.st_dev;
                stack[0].ino = sb.st_ino;
                size_t before = list.n;
                walk(&list, spec, inputs[i], "", stack, 1, have_out ? &out_id : NULL);
                if (list.n == before && n_inputs > 1)
                    DISPLAYLEVEL(1, "tinytex: note: %s: no image files in this folder\n", inputs[i]);
            } else if (stat(inputs[i], &sb) == 0 && !is_image_name(spec, inputs[i])) {
                /* Shell globs over a folder bring READMEs along: skipped like
                 * in folders. (One input alone is always tried.) */
                DISPLAYLEVEL(1, "tinytex: note: %s: not an image (by extension), skipped\n", inputs[i]);
                add_ignored(&list, inputs[i]);
            } else {
                /* Missing files are tried too, so they are reported. */
                char *rel_out = replace_extension(base_name(inputs[i]), spec->out_ext);
                char *out = rel_out ? join_path(spec->common->output, rel_out) : NULL;
                free(rel_out);
                if (!out) list.oom = 1;
                else add_item(&list, inputs[i], out);
            }
        }
        if (!list.oom && g_scale.files_from && add_listed_files(&list, spec) != EXIT_OK) {
            free_list(&list);
            return EXIT_RUNTIME;
        }
        if (!list.oom) mark_clashing_outputs(&list);
        if (!list.oom) keep_shard(&list, spec, &b.set_files, &b.set_hash);
    }
    if (!list.oom && check_run_paths(spec, &list) != EXIT_OK) {
        free_list(&list);
        return EXIT_USAGE;
    }
    if (list.oom) {
        cli_error("out of memory listing the inputs");
        free_list(&list);
        return EXIT_RUNTIME;
    }
    if (list.n == 0 && b.set_files == 0) {
        if (g_scale.files_from) cli_error("%s: no image files listed", g_scale.files_from);
        else if (n_inputs == 1)
            cli_error("%s: no image files found (png jpg jpeg tga bmp psd gif hdr pnm ppm pgm)", inputs[0]);
        else cli_error("no image files found in the %d inputs", n_inputs);
        free_list(&list);
        return EXIT_RUNTIME;
    }

    cli_manifest manifest;
    char *request = NULL;
    int manifest_failed = 0;
    if (!b.single && spec->request) {
        size_t n = strlen(spec->request) + 64;
        request = malloc(n);
        if (!request || cli_manifest_load(&manifest, spec->common->output) != 0) {
            free(request);
            cli_error("out of memory reading the manifest");
            free_list(&list);
            return EXIT_RUNTIME;
        }
        snprintf(request, n, "tinytex=%s %s", TT_VERSION_STRING, spec->request);
        b.manifest = &manifest;
        b.request = request;
    }

    int jobs = spec->jobs;
    if (jobs <= 0) {
        long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = ncpu > 0 ? (int)(ncpu > 256 ? 256 : ncpu) : 1;
    }
    if ((size_t)jobs > list.n) jobs = (int)(list.n ? list.n : 1);
    if (jobs < g_scale.n_devices && !b.single) jobs = g_scale.n_devices; /* at least one worker per device */

    /* Display: a live bar on a terminal for batches; per-file lines go to
     * stdout (stderr when a report is being printed on stdout). */
    const char *json = spec->common->json, *csv = spec->csv;
    int report_on_stdout = (json && strcmp(json, "-") == 0) || (csv && strcmp(csv, "-") == 0);
    b.lines = report_on_stdout ? stderr : stdout;
    cli_progress_init(&b.progress, 1.0);
    b.show_bar = !b.single && b.progress.is_tty && g_display_level >= 1;
    /* With the bar on the terminal, per-file lines only go where they are kept (a redirected stdout). */
    b.print_lines = !b.show_bar || (b.lines == stdout && !isatty(STDOUT_FILENO));
    pthread_mutex_init(&b.queue_lock, NULL);
    pthread_mutex_init(&b.display_lock, NULL);

    interrupt_thread irq = {0};
    b.t0 = t0;
    if (!b.single) start_interrupt_thread(&irq, &b);
    if (jobs <= 1) {
        worker(&b);
    } else {
        pthread_t *threads = calloc((size_t)jobs, sizeof *threads);
        int started = 0;
        for (int i = 0; threads && i < jobs; i++) {
            if (pthread_create(&threads[i], NULL, worker, &b) != 0) break;
            started++;
        }
        if (started == 0) worker(&b); /* no threads to be had: do the work here */
        for (int i = 0; i < started; i++) pthread_join(threads[i], NULL);
        free(threads);
    }
    stop_interrupt_thread(&irq);
    if (b.show_bar) {
        b.current = NULL;
        draw_bar(&b, 1);
        cli_progress_done(&b.progress);
    }
    pthread_mutex_destroy(&b.queue_lock);
    pthread_mutex_destroy(&b.display_lock);
    if (b.manifest) {
        int saved = record_manifest(&b);
        cli_manifest_free(b.manifest);
        free(request);
        b.manifest = NULL;
        manifest_failed = saved != 0;
    }

    batch_summary s;
    summarize(&b, cli_now() - t0, &s);
    if (!b.single && g_display_level >= 1) {
        fprintf(b.lines, "%zu file%s: %zu ok, %zu failed, %zu skipped (up to date), %zu below --min-psnr",
                s.files, s.files == 1 ? "" : "s", s.counts[FILE_OK], s.counts[FILE_FAILED], s.counts[FILE_SKIPPED],
                s.counts[FILE_BELOW_MIN_PSNR]);
        if (s.ignored) fprintf(b.lines, ", %zu non-image files ignored", s.ignored);
        fprintf(b.lines, "; %llu bytes", (unsigned long long)s.bytes);
        if (s.with_psnr) fprintf(b.lines, ", mean RGB PSNR %.2f dB (lowest %.2f dB)", s.psnr_sum / (double)s.with_psnr, s.psnr_min);
        fprintf(b.lines, ", %.2f s\n", s.seconds);
        fflush(b.lines);
    }

    int rc = EXIT_OK;
    if (s.counts[FILE_FAILED] || manifest_failed) rc = EXIT_RUNTIME;
    else if (s.counts[FILE_BELOW_MIN_PSNR]) rc = EXIT_QUALITY;
    if (json && write_json(&b, &s) != EXIT_OK) rc = EXIT_RUNTIME;
    if (csv && write_csv(&b) != EXIT_OK) rc = EXIT_RUNTIME;
    free_list(&list);
    return rc;
}

/* ---- The shared GPU context ------------------------------------------------ */

void cli_gpu_init(cli_gpu *g, int device)
{
    memset(g, 0, sizeof *g);
    g->device = device;
    pthread_mutex_init(&g->lock, NULL);
    if (g_scale.n_devices > 1) {
        g->device = g_scale.devices[0];
        g->more = calloc((size_t)g_scale.n_devices - 1, sizeof *g->more);
        if (g->more) {
            g->n_more = g_scale.n_devices - 1;
            for (int k = 0; k < g->n_more; k++) {
                g->more[k].device = g_scale.devices[k + 1];
                pthread_mutex_init(&g->more[k].lock, NULL);
            }
        }
    }
}

/* Creates the context once, keeping the reason it failed for every later caller. */
static tt_status gpu_create(cli_gpu *g)
{
    g->tried = 1;
    tt_status st = cli_vk_create(g->device, &g->vk);
    if (st != TT_OK) {
        const char *detail = tt_last_error();
        snprintf(g->error, sizeof g->error, "%s", detail && *detail ? detail : tt_status_str(st));
        g->vk = NULL;
        return st;
    }
    g->device_name = tt_vk_info(g->vk)->name;
    return TT_OK;
}

tt_status cli_gpu_ensure(cli_gpu *g)
{
    if (!g->tried && gpu_create(g) == TT_OK) DISPLAYLEVEL(2, "device: %s\n", g->device_name);
    if (!g->vk) return tt_fail(TT_ERR_NO_DEVICE, "%s", g->error);
    return TT_OK;
}

tt_status cli_gpu_open(cli_gpu *g) { return gpu_create(g); }

void cli_gpu_destroy(cli_gpu *g)
{
    for (int k = 0; k < g->n_more; k++) cli_gpu_destroy(&g->more[k]);
    free(g->more);
    g->more = NULL;
    g->n_more = 0;
    tt_vk_destroy(g->vk);
    g->vk = NULL;
    pthread_mutex_destroy(&g->lock);
}
