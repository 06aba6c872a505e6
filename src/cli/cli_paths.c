/* cli_paths.c - the files one run reads and writes: collisions between inputs and outputs refused before any work, output extensions, parent folders of -o. */
#include "cli_paths.h"
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void cli_paths_add(cli_path_set *s, const char *path, const char *role, int is_output)
{
    cli_paths_add_group(s, path, role, is_output, 0);
}

void cli_paths_add_group(cli_path_set *s, const char *path, const char *role, int is_output, int group)
{
    if (!path || strcmp(path, "-") == 0) return;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        cli_path_role *p = realloc(s->items, cap * sizeof *p);
        if (!p) { s->oom = 1; return; }
        s->items = p;
        s->cap = cap;
    }
    s->items[s->n++] = (cli_path_role){path, role, is_output, group};
}

void cli_paths_free(cli_path_set *s)
{
    free(s->items);
    memset(s, 0, sizeof *s);
}

/* "a/./b/../c" -> "a/c" in place, for absolute paths whose folders do not exist yet (nothing to resolve). */
static void normalize(char *p)
{
    char *out = p, *in = p;
    while (*in) {
        while (*in == '/') in++;
        char *seg = in;
        while (*in && *in != '/') in++;
        size_t len = (size_t)(in - seg);
        if (len == 0 || (len == 1 && seg[0] == '.')) continue;
        if (len == 2 && seg[0] == '.' && seg[1] == '.') {
            while (out > p && *--out != '/') {
            }
            continue;
        }
        *out++ = '/';
        memmove(out, seg, len);
        out += len;
    }
    if (out == p) *out++ = '/';
    *out = 0;
}

/* The real path of `path`: realpath() where it exists; else the real path of the nearest existing folder above it
 * with the rest appended (normalised). Returns a malloc'd string or NULL. */
static char *real_of(const char *path)
{
    char *r = realpath(path, NULL);
    if (r) return r;
    char cwd[PATH_MAX];
    size_t lp = strlen(path);
    char *abs;
    if (path[0] == '/') {
        abs = malloc(lp + 1);
        if (!abs) return NULL;
        memcpy(abs, path, lp + 1);
    } else {
        if (!getcwd(cwd, sizeof cwd)) return NULL;
        size_t lc = strlen(cwd);
        abs = malloc(lc + 1 + lp + 1);
        if (!abs) return NULL;
        memcpy(abs, cwd, lc);
        abs[lc] = '/';
        memcpy(abs + lc + 1, path, lp + 1);
    }
    normalize(abs);
    /* Walk up to the deepest existing folder, resolve it, append the rest. */
    size_t cut = strlen(abs);
    while (cut > 1) {
        cut--;
        while (cut > 0 && abs[cut] != '/') cut--;
        if (cut == 0) break;
        abs[cut] = 0;
        char *base = realpath(abs, NULL);
        abs[cut] = '/';
        if (base) {
            size_t lb = strlen(base), lr = strlen(abs + cut);
            char *joined = malloc(lb + lr + 1);
            if (joined) {
                memcpy(joined, base, lb);
                memcpy(joined + lb, abs + cut, lr + 1);
                if (lb == 1) memmove(joined, joined + 1, lr + 1); /* "/" + "/x" */
            }
            free(base);
            free(abs);
            return joined;
        }
    }
    return abs;
}

static const char *what(const cli_path_role *p) { return p->is_output ? "output" : "input"; }

/* Sorting context for the index arrays below (qsort has none). */
static char **g_real;
static struct stat *g_st;

static int by_real(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    int c = strcmp(g_real[a], g_real[b]);
    return c ? c : (a > b) - (a < b);
}

static int by_inode(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    if (g_st[a].st_dev != g_st[b].st_dev) return g_st[a].st_dev < g_st[b].st_dev ? -1 : 1;
    if (g_st[a].st_ino != g_st[b].st_ino) return g_st[a].st_ino < g_st[b].st_ino ? -1 : 1;
    return (a > b) - (a < b);
}

/* Within a run of items that are one file (idx[0..n), in list order): an output and another item that it may not
 * share the file with (an input, or an output outside its group). Prints the error; returns EXIT_USAGE or EXIT_OK. */
static int run_conflict(const cli_path_set *s, const size_t *idx, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const cli_path_role *b = &s->items[idx[i]];
        if (!b->is_output) continue;
        for (size_t j = 0; j < n; j++) {
            const cli_path_role *a = &s->items[idx[j]];
            if (j == i || (a->is_output && j > i)) continue; /* each pair of outputs once */
            if (a->is_output && b->group && b->group == a->group) continue;
            if (!a->is_output)
                cli_error("%s %s would overwrite the %s %s (the same file); refusing to run", b->role, b->path,
                          a->role, a->path);
            else
                cli_error("%s %s and %s %s are the same file: one %s would overwrite the other", a->role, a->path,
                          b->role, b->path, what(b));
            return EXIT_USAGE;
        }
    }
    return EXIT_OK;
}

/* Sorted by real path, then by device and inode, so that a batch of N files costs N log N, not N^2 comparisons. */
int cli_paths_check(const cli_path_set *s)
{
    if (s->oom) { cli_error("out of memory checking the file names"); return EXIT_RUNTIME; }
    int rc = EXIT_OK;
    size_t n = s->n ? s->n : 1, nr = 0, ni = 0;
    char **real = calloc(n, sizeof *real);
    struct stat *st = calloc(n, sizeof *st);
    size_t *by_path = calloc(n, sizeof *by_path), *by_ino = calloc(n, sizeof *by_ino);
    if (!real || !st || !by_path || !by_ino) { rc = EXIT_RUNTIME; cli_error("out of memory checking the file names"); goto done; }
    for (size_t i = 0; i < s->n; i++) {
        real[i] = real_of(s->items[i].path);
        if (real[i]) by_path[nr++] = i;
        if (stat(s->items[i].path, &st[i]) == 0 && S_ISREG(st[i].st_mode)) by_ino[ni++] = i;
    }
    g_real = real;
    g_st = st;
    qsort(by_path, nr, sizeof *by_path, by_real);
    qsort(by_ino, ni, sizeof *by_ino, by_inode);
    for (size_t i = 0, j; i < nr && rc == EXIT_OK; i = j) {
        for (j = i + 1; j < nr && strcmp(real[by_path[i]], real[by_path[j]]) == 0; j++) {}
        if (j - i > 1) rc = run_conflict(s, by_path + i, j - i);
    }
    for (size_t i = 0, j; i < ni && rc == EXIT_OK; i = j) {
        for (j = i + 1; j < ni && st[by_ino[i]].st_dev == st[by_ino[j]].st_dev &&
                        st[by_ino[i]].st_ino == st[by_ino[j]].st_ino; j++) {}
        if (j - i > 1) rc = run_conflict(s, by_ino + i, j - i);
    }
done:
    for (size_t i = 0; real && i < s->n; i++) free(real[i]);
    free(real);
    free(st);
    free(by_path);
    free(by_ino);
    return rc;
}

int cli_require_extension(const char *path, const char *ext, const char *what_opt, const char *writes, int allow_stdout)
{
    if (!path) return EXIT_OK;
    if (strcmp(path, "-") == 0) {
        if (allow_stdout) return EXIT_OK;
        cli_error("%s: '-' (stdout) is not possible here; give a .%s file name", what_opt, ext);
        return EXIT_USAGE;
    }
    char e[16];
    if (strcmp(cli_extension(path, e, sizeof e), ext) == 0) return EXIT_OK;
    cli_error("%s %s: writes %s; use a .%s name", what_opt, path, writes, ext);
    return EXIT_USAGE;
}

int cli_check_output_kind(const char *output, int single)
{
    static const char *const FILE_EXTS[] = {"dds", "ktx2", "tnx", "png", "jpg", "jpeg", "tga", "bmp", "psd", "gif",
                                            "hdr", "pnm", "ppm", "pgm", "json", "csv", "svg"};
    struct stat sb;
    int exists = stat(output, &sb) == 0, is_dir = exists && S_ISDIR(sb.st_mode);
    size_t n = strlen(output);
    if (single) {
        if (is_dir || (n && output[n - 1] == '/')) {
            cli_error("-o %s is a folder, but one input file writes one output file: give -o FOLDER/NAME.EXT", output);
            return EXIT_USAGE;
        }
        return EXIT_OK;
    }
    if (exists && !is_dir) {
        cli_error("-o %s is a file, but several inputs or a folder write into an output folder", output);
        return EXIT_USAGE;
    }
    if (is_dir) return EXIT_OK;
    char e[16];
    cli_extension(output, e, sizeof e);
    for (size_t i = 0; i < sizeof FILE_EXTS / sizeof FILE_EXTS[0]; i++)
        if (strcmp(e, FILE_EXTS[i]) == 0) {
            cli_error("-o %s looks like a file name, but several inputs or a folder write into an output folder "
                      "(give a folder name)", output);
            return EXIT_USAGE;
        }
    return EXIT_OK;
}

tt_status cli_make_parent_dirs(const char *file)
{
    size_t n = strlen(file);
    char *p = malloc(n + 1);
    if (!p) return tt_fail(TT_ERR_NOMEM, "%s: out of memory", file);
    memcpy(p, file, n + 1);
    char *last = strrchr(p, '/');
    if (!last || last == p) { free(p); return TT_OK; }
    *last = 0;
    for (char *s = p + 1;; s++) {
        char c = *s;
        if (c == '/' || c == 0) {
            *s = 0;
            struct stat sb;
            if (mkdir(p, 0777) != 0 && errno != EEXIST) {
                tt_status st = tt_fail(TT_ERR_IO, "%s: cannot create folder (%s)", p, strerror(errno));
                free(p);
                return st;
            }
            if (stat(p, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
                tt_status st = tt_fail(TT_ERR_IO, "%s: cannot create folder (a file of that name exists)", p);
                free(p);
                return st;
            }
            *s = c;
            if (c == 0) break;
        }
    }
    free(p);
    return TT_OK;
}
