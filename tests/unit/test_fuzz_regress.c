/* test_fuzz_regress.c - replays every file of the committed fuzz corpus (tests/fuzz/corpus/TARGET/) through the fuzz targets' checks, without libFuzzer. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../fuzz/fuzz_entry.h"
#include "tt_test.h"

typedef struct {
    const char *name; /* folder under tests/fuzz/corpus, and fuzz_<name>.c */
    int (*run)(const uint8_t *data, size_t size);
} fuzz_target;

static const fuzz_target TARGETS[] = {
    {"image", tt_fuzz_image}, {"dds", tt_fuzz_dds},   {"ktx2", tt_fuzz_ktx2},
    {"bc7_block", tt_fuzz_bc7_block}, {"tnx", tt_fuzz_tnx},
};
#define N_TARGETS (sizeof TARGETS / sizeof TARGETS[0])

/* Corpus inputs are small; anything bigger is a mistake in the corpus. */
#define MAX_INPUT_BYTES (4u << 20)

static int run_file(const fuzz_target *t, const char *path)
{
    uint8_t *data = NULL;
    size_t size = 0;
    tt_status s = tt_read_file(path, MAX_INPUT_BYTES, &data, &size);
    if (s != TT_OK) {
        fprintf(stderr, "%s\n", tt_last_error());
        return 0;
    }
    /* An invariant violation aborts the process: ctest reports the test as
     * failed and the last line printed names the input. */
    fprintf(stderr, "%s: %s\n", t->name, path);
    t->run(data, size);
    tt_clear_error();
    free(data);
    return 1;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file of dir (sorted, so runs are reproducible). */
static int run_folder(const fuzz_target *t, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **grown = realloc(names, cap * sizeof *names);
            if (!grown) break;
            names = grown;
        }
        names[n] = strdup(e->d_name);
        if (names[n]) n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    int ran = 0;
    for (size_t i = 0; i < n; i++) {
        char path[8192];
        int len = snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        struct stat st;
        if (len > 0 && (size_t)len < sizeof path && stat(path, &st) == 0 && S_ISREG(st.st_mode))
            ran += run_file(t, path);
        free(names[i]);
    }
    free(names);
    return ran;
}

static const fuzz_target *find_target(const char *name)
{
    for (size_t i = 0; i < N_TARGETS; i++)
        if (strcmp(TARGETS[i].name, name) == 0) return &TARGETS[i];
    return NULL;
}

/* tests/fuzz/corpus: $TT_FUZZ_CORPUS, else $TT_TEST_DATA/../fuzz/corpus (set by
 * ctest), else next to this source file. */
static void corpus_root(char *out, size_t len)
{
    const char *env = getenv("TT_FUZZ_CORPUS");
    if (env && *env) {
        snprintf(out, len, "%s", env);
        return;
    }
    env = getenv("TT_TEST_DATA");
    if (env && *env) {
        snprintf(out, len, "%s/../fuzz/corpus", env);
        return;
    }
    snprintf(out, len, "%s", __FILE__);
    char *slash = strrchr(out, '/');
    if (slash) *slash = '\0';
    else snprintf(out, len, ".");
    size_t used = strlen(out);
    snprintf(out + used, len - used, "/../fuzz/corpus");
}

int main(int argc, char **argv)
{
    /* `test_fuzz_regress TARGET FILE...` replays single inputs (e.g. a new
     * crash file from a fuzzer run) without libFuzzer. */
    if (argc >= 3) {
        const fuzz_target *t = find_target(argv[1]);
        if (!t) {
            fprintf(stderr, "unknown target '%s' (image, dds, ktx2, bc7_block, tnx)\n", argv[1]);
            return 2;
        }
        for (int i = 2; i < argc; i++) CHECK_MSG(run_file(t, argv[i]) == 1, "%s could not be read", argv[i]);
        TT_TEST_END();
    }
    char root[2048];
    corpus_root(root, sizeof root);
    int total = 0;
    for (size_t i = 0; i < N_TARGETS; i++) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/%s", root, TARGETS[i].name);
        int ran = run_folder(&TARGETS[i], dir);
        CHECK_MSG(ran > 0, "no corpus inputs for target %s in %s", TARGETS[i].name, dir);
        if (ran > 0) {
            printf("%-10s %d inputs\n", TARGETS[i].name, ran);
            total += ran;
        }
    }
    printf("%d corpus inputs replayed\n", total);
    TT_TEST_END();
}
