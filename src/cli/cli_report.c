/* cli_report.c - `tinytex report merge`: joins the JSON reports of --shard runs into the one report a CI gate reads. */
#include "cli.h"
#include "cli_batch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char USAGE[] = "tinytex report merge REPORT.json... -o ALL.json [--csv ALL.csv] [--min-psnr DB]";
static const char DESCRIPTION[] =
    "Merges the --json reports of the shards of one run (--shard 1/N ... N/N) into one report in the\n"
    "order of an unsharded run, with the summary recomputed. A missing shard, a shard given twice or\n"
    "reports of different input sets are errors (the merged report is still written, with\n"
    "\"complete\": false). Exit codes as for a run: 1 if a file failed or the set is incomplete, else 3\n"
    "if a file is below --min-psnr (given here, or as the shards had it), else 0.";

typedef struct {
    const char *path;
    cJSON *root;
    unsigned index, count;
} shard_report;

typedef struct {
    const cJSON *entry;
    double set_index;
    size_t from;        /* which report */
} merged_file;

static int cmp_files(const void *a, const void *b)
{
    const merged_file *x = a, *y = b;
    return (x->set_index > y->set_index) - (x->set_index < y->set_index);
}

static cJSON *load_report(const char *path)
{
    char *text = NULL;
    size_t len = 0;
    if (cli_read_list(path, 1, &text, &len) != EXIT_OK) return NULL;
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    if (!root) cli_error("%s: not JSON", path);
    return root;
}

static const char *str_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int num_of(const cJSON *o, const char *key, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v)) return 0;
    *out = v->valuedouble;
    return 1;
}

/* A file entry of the JSON report back as a result, for the CSV writer (docs/report.md gives both layouts). */
static void result_from_json(const cJSON *e, cli_file_result *r)
{
    static const char *const STANDARD[] = {"input", "output", "status", "skipped", "error", "width", "height",
                                           "psnr_rgb", "psnr_rgba", "lossless", "max_abs_error", "output_bytes",
                                           "bits_per_pixel", "seconds", "set_index"};
    memset(r, 0, sizeof *r);
    r->input = str_of(e, "input");
    r->output = str_of(e, "output");
    const char *st = str_of(e, "status");
    r->status = !st || strcmp(st, "failed") == 0 ? FILE_FAILED
              : strcmp(st, "skipped") == 0        ? FILE_SKIPPED
              : strcmp(st, "below_min_psnr") == 0 ? FILE_BELOW_MIN_PSNR
                                                  : FILE_OK;
    r->skipped = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "skipped"));
    const char *err = str_of(e, "error");
    if (err) snprintf(r->error, sizeof r->error, "%s", err);
    double v;
    if (num_of(e, "width", &v)) r->width = (uint32_t)v;
    if (num_of(e, "height", &v)) r->height = (uint32_t)v;
    if (num_of(e, "output_bytes", &v)) r->output_bytes = (uint64_t)v;
    if (num_of(e, "seconds", &v)) r->seconds = v;
    int lossless = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "lossless"));
    if (cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(e, "lossless"))) {
        r->have_metrics = 1;
        r->metrics.psnr_rgb = num_of(e, "psnr_rgb", &v) ? v : (lossless ? INFINITY : NAN);
        r->metrics.has_alpha = num_of(e, "psnr_rgba", &v);
        r->metrics.psnr_rgba = r->metrics.has_alpha ? v : NAN;
        if (num_of(e, "max_abs_error", &v)) r->metrics.max_abs_err_rgb = r->metrics.max_abs_err_rgba = (int)v;
    }
    r->extra = cJSON_CreateObject();
    for (const cJSON *x = e->child; x && r->extra; x = x->next) {
        int standard = 0;
        for (size_t k = 0; k < sizeof STANDARD / sizeof STANDARD[0]; k++)
            if (strcmp(x->string, STANDARD[k]) == 0) standard = 1;
        if (!standard) cJSON_AddItemToObject(r->extra, x->string, cJSON_Duplicate(x, 1));
    }
}

static int report_merge(int argc, char **argv)
{
    cli_common c;
    cli_common_init(&c);
    const char *csv = NULL;
    cli_option opts[8] = {
        {"output", 'o', OPT_STR, &c.output, "ALL.json", "the merged report ('-' = stdout)", NULL, 0, 0},
        {"csv", 0, OPT_STR, &csv, "FILE", "also write the merged CSV report ('-' = stdout)", NULL, 0, 0},
        {"min-psnr", 0, OPT_DOUBLE, &c.min_psnr, "DB", "apply this threshold to every file (default: the shards')", NULL, 0, 1000},
        {"quiet", 'q', OPT_FLAG, &c.quiet, NULL, "print errors only", NULL, 0, 0},
        {"verbose", 'v', OPT_FLAG, &c.verbose, NULL, "print more", NULL, 0, 0},
        {"help", 'h', OPT_FLAG, &c.help, NULL, "show this help", NULL, 0, 0},
    };
    const char **pos = malloc((size_t)(argc > 0 ? argc : 1) * sizeof *pos);
    if (!pos) { cli_error("out of memory"); return EXIT_RUNTIME; }
    int npos = 0, rc = cli_parse(argc, argv, opts, pos, argc, &npos);
    if (rc == EXIT_OK && c.help) {
        cli_print_help(stdout, USAGE, DESCRIPTION, opts);
        free(pos);
        return EXIT_OK;
    }
    if (rc == EXIT_OK && npos == 0) { cli_error("no report to merge (usage: %s)", USAGE); rc = EXIT_USAGE; }
    if (rc == EXIT_OK && !c.output) { cli_error("no output: give -o ALL.json"); rc = EXIT_USAGE; }
    if (rc != EXIT_OK) { free(pos); return rc; }
    cli_apply_common(&c, NULL);

    shard_report *reps = calloc((size_t)npos, sizeof *reps);
    merged_file *files = NULL;
    size_t n_files = 0, cap_files = 0;
    int incomplete = 0;
    cJSON *out = NULL;
    if (!reps) { cli_error("out of memory"); free(pos); return EXIT_RUNTIME; }
    const char *command = NULL, *set_hash = NULL;
    double set_files = -1, shard_min_psnr = 0;
    unsigned count = 0;
    rc = EXIT_OK;
    for (int i = 0; i < npos && rc == EXIT_OK; i++) {
        shard_report *s = &reps[i];
        s->path = pos[i];
        s->root = load_report(pos[i]);
        if (!s->root) { rc = EXIT_RUNTIME; break; }
        const cJSON *shard = cJSON_GetObjectItemCaseSensitive(s->root, "shard");
        double idx, cnt, sf;
        const char *hash = str_of(shard, "set_hash");
        if (!str_of(s->root, "schema") || strcmp(str_of(s->root, "schema"), "tinytex-report") != 0 ||
            !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(s->root, "files")) || !num_of(shard, "index", &idx) ||
            !num_of(shard, "count", &cnt) || !num_of(shard, "set_files", &sf) || !hash || idx < 1 || idx > cnt) {
            cli_error("%s: not the report of a batch run (no files[] or shard object; docs/report.md)", s->path);
            rc = EXIT_RUNTIME;
            break;
        }
        s->index = (unsigned)idx;
        s->count = (unsigned)cnt;
        const char *cmd = str_of(s->root, "command");
        double mp = 0;
        num_of(s->root, "min_psnr", &mp);
        if (i == 0) {
            command = cmd;
            set_hash = hash;
            set_files = sf;
            count = s->count;
            shard_min_psnr = mp;
        } else if (!cmd || !command || strcmp(cmd, command) != 0 || strcmp(hash, set_hash) != 0 || sf != set_files ||
                   s->count != count) {
            cli_error("%s: shard %u/%u of another run than %s (shard %u/%u): the command, the input set or N "
                      "differ", s->path, s->index, s->count, reps[0].path, reps[0].index, reps[0].count);
            rc = EXIT_RUNTIME;
            break;
        } else if (mp != shard_min_psnr && c.min_psnr <= 0) {
            DISPLAYLEVEL(1, "tinytex: note: %s: --min-psnr differs from %s's; give --min-psnr to merge\n",
                         s->path, reps[0].path);
        }
        for (int k = 0; k < i; k++)
            if (reps[k].index == s->index) {
                cli_error("%s: shard %u/%u is given twice (also %s)", s->path, s->index, s->count, reps[k].path);
                incomplete = 1;
            }
    }
    if (rc != EXIT_OK) goto done;
    for (unsigned k = 1; k <= count; k++) {
        int found = 0;
        for (int i = 0; i < npos; i++) found |= reps[i].index == k;
        if (!found) {
            cli_error("shard %u/%u is missing: its report was not given (run it again: --shard %u/%u)", k, count, k,
                      count);
            incomplete = 1;
        }
    }
    /* Every file once, in the order of an unsharded run. */
    for (int i = 0; i < npos; i++) {
        int dup_shard = 0;
        for (int k = 0; k < i; k++) dup_shard |= reps[k].index == reps[i].index;
        if (dup_shard) continue;
        const cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(reps[i].root, "files")) {
            double si;
            if (!num_of(e, "set_index", &si)) {
                cli_error("%s: a file entry has no set_index", reps[i].path);
                rc = EXIT_RUNTIME;
                goto done;
            }
            if (n_files == cap_files) {
                cap_files = cap_files ? cap_files * 2 : 256;
                merged_file *p = realloc(files, cap_files * sizeof *p);
                if (!p) { cli_error("out of memory"); rc = EXIT_RUNTIME; goto done; }
                files = p;
            }
            files[n_files++] = (merged_file){e, si, (size_t)i};
        }
    }
    qsort(files, n_files, sizeof *files, cmp_files);
    for (size_t i = 1; i < n_files; i++)
        if (files[i].set_index == files[i - 1].set_index) {
            cli_error("%s: %s is in %s too", reps[files[i].from].path, str_of(files[i].entry, "input"),
                      reps[files[i - 1].from].path);
            incomplete = 1;
        }
    if (!incomplete && (double)n_files != set_files) {
        cli_error("the shards hold %zu files of a set of %.0f", n_files, set_files);
        incomplete = 1;
    }

    double min_psnr = c.min_psnr > 0 ? c.min_psnr : shard_min_psnr;
    out = cli_report_new(command);
    const cJSON *first = reps[0].root;
    cJSON_AddItemToObject(out, "jobs", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(first, "jobs"), 1));
    cJSON_AddItemToObject(out, "force", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(first, "force"), 1));
    if (min_psnr > 0) cJSON_AddNumberToObject(out, "min_psnr", min_psnr);
    else cJSON_AddNullToObject(out, "min_psnr");
    cJSON *shard = cJSON_AddObjectToObject(out, "shard");
    cJSON_AddNullToObject(shard, "index");
    cJSON_AddNumberToObject(shard, "count", count);
    cJSON_AddNumberToObject(shard, "set_files", set_files);
    cJSON_AddStringToObject(shard, "set_hash", set_hash);
    cJSON *merged = cJSON_AddArrayToObject(shard, "merged");
    for (int i = 0; i < npos; i++) cJSON_AddItemToArray(merged, cJSON_CreateString(reps[i].path));
    cJSON_AddBoolToObject(out, "complete", !incomplete);
    cJSON *farr = cJSON_AddArrayToObject(out, "files");
    size_t counts[4] = {0}, with_psnr = 0, lossless = 0;
    double bytes = 0, psnr_sum = 0, psnr_min = INFINITY, seconds = 0;
    for (size_t i = 0; i < n_files; i++) {
        cJSON *e = cJSON_Duplicate(files[i].entry, 1);
        if (!e) continue;
        const char *st = str_of(e, "status");
        double psnr, b;
        int failed = !st || strcmp(st, "failed") == 0;
        int has_psnr = !failed && num_of(e, "psnr_rgb", &psnr);
        if (!failed && c.min_psnr > 0) { /* the threshold given here replaces the shards' */
            int skipped = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "skipped"));
            const char *now = has_psnr && psnr < min_psnr ? "below_min_psnr" : skipped ? "skipped" : "ok";
            cJSON_ReplaceItemInObjectCaseSensitive(e, "status", cJSON_CreateString(now));
            st = str_of(e, "status");
        }
        cli_file_status fs = failed ? FILE_FAILED : strcmp(st, "skipped") == 0 ? FILE_SKIPPED
                           : strcmp(st, "below_min_psnr") == 0 ? FILE_BELOW_MIN_PSNR : FILE_OK;
        counts[fs]++;
        if (!failed && num_of(e, "output_bytes", &b)) bytes += b;
        if (has_psnr) {
            psnr_sum += psnr;
            with_psnr++;
            if (psnr < psnr_min) psnr_min = psnr;
        } else if (!failed && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "lossless"))) {
            lossless++;
        }
        cJSON_AddItemToArray(farr, e);
    }
    /* ignored: the same walk in every shard lists the same files; the union keeps them once, in order */
    cJSON *ign = cJSON_AddArrayToObject(out, "ignored");
    for (int i = 0; i < npos; i++) {
        const cJSON *g;
        cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(reps[i].root, "ignored")) {
            int seen = 0;
            const cJSON *h;
            cJSON_ArrayForEach(h, ign) seen |= cJSON_Compare(g, h, 1);
            if (!seen) cJSON_AddItemToArray(ign, cJSON_Duplicate(g, 1));
        }
        double sec;
        if (num_of(cJSON_GetObjectItemCaseSensitive(reps[i].root, "summary"), "seconds", &sec) && sec > seconds)
            seconds = sec;
    }
    cJSON *sum = cJSON_AddObjectToObject(out, "summary");
    static const char *const NAMES[4] = {"ok", "failed", "skipped", "below_min_psnr"};
    cJSON_AddNumberToObject(sum, "files", (double)n_files);
    for (int k = 0; k < 4; k++) cJSON_AddNumberToObject(sum, NAMES[k], (double)counts[k]);
    cJSON_AddNumberToObject(sum, "ignored", (double)cJSON_GetArraySize(ign));
    cJSON_AddNumberToObject(sum, "output_bytes", bytes);
    if (with_psnr) {
        cJSON_AddNumberToObject(sum, "mean_psnr_rgb", psnr_sum / (double)with_psnr);
        cJSON_AddNumberToObject(sum, "min_psnr_rgb", psnr_min);
    } else {
        cJSON_AddNullToObject(sum, "mean_psnr_rgb");
        cJSON_AddNullToObject(sum, "min_psnr_rgb");
    }
    cJSON_AddNumberToObject(sum, "lossless_files", (double)lossless);
    cJSON_AddNumberToObject(sum, "seconds", seconds); /* the longest shard: they ran side by side */

    if (g_display_level >= 1)
        fprintf(strcmp(c.output, "-") == 0 ? stderr : stdout,
                "%d report%s, %zu file%s: %zu ok, %zu failed, %zu skipped (up to date), %zu below --min-psnr%s\n",
                npos, npos == 1 ? "" : "s", n_files, n_files == 1 ? "" : "s", counts[FILE_OK], counts[FILE_FAILED],
                counts[FILE_SKIPPED], counts[FILE_BELOW_MIN_PSNR], incomplete ? "; INCOMPLETE" : "");
    rc = incomplete || counts[FILE_FAILED] ? EXIT_RUNTIME : counts[FILE_BELOW_MIN_PSNR] ? EXIT_QUALITY : EXIT_OK;
    if (cli_report_write(c.output, out) != EXIT_OK) rc = EXIT_RUNTIME;
    if (csv) {
        cli_file_result *rows = calloc(n_files ? n_files : 1, sizeof *rows);
        const cli_file_result **ptrs = calloc(n_files ? n_files : 1, sizeof *ptrs);
        if (!rows || !ptrs) {
            cli_error("out of memory writing the CSV report");
            rc = EXIT_RUNTIME;
        } else {
            size_t i = 0;
            const cJSON *e;
            cJSON_ArrayForEach(e, farr) { result_from_json(e, &rows[i]); ptrs[i] = &rows[i]; i++; }
            if (cli_csv_write(csv, ptrs, i) != EXIT_OK) rc = EXIT_RUNTIME;
            for (size_t k = 0; k < i; k++) cJSON_Delete(rows[k].extra);
        }
        free(rows);
        free(ptrs);
    }
done:
    cJSON_Delete(out);
    for (int i = 0; i < npos; i++) cJSON_Delete(reps[i].root);
    free(reps);
    free(files);
    free(pos);
    return rc;
}

int cmd_report(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "merge") == 0) return report_merge(argc - 1, argv + 1);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: %s\n\n%s\n", USAGE, DESCRIPTION);
        return EXIT_OK;
    }
    cli_error("report: give an action: %s", USAGE);
    return EXIT_USAGE;
}
