/* cli_batch.h - one driver for single files and asset folders: walking, mirroring, skipping, jobs, reports. */
#ifndef TT_CLI_BATCH_H
#define TT_CLI_BATCH_H

#include <pthread.h>

#include "cli.h"
#include "cli_paths.h"
#include "vk/tt_vk.h"

/* What happened to one input file. */
typedef enum { FILE_OK, FILE_FAILED, FILE_SKIPPED, FILE_BELOW_MIN_PSNR } cli_file_status;

typedef struct {
    const char *input;          /* owned by the driver */
    const char *output;
    cli_file_status status;
    char error[512];            /* one line, for FILE_FAILED */
    uint32_t width, height;
    tt_metrics metrics;         /* measured on the image rebuilt from the written file */
    int have_metrics;
    uint64_t output_bytes;      /* size on disk */
    double seconds;
    cJSON *extra;               /* subcommand-specific fields (object, may be NULL; freed by the driver) */
    int skipped;                /* set by the driver: the output was up to date and not rewritten */
    char reason[200];           /* set by the driver: why the output was written or skipped (reports' "reason") */
} cli_file_result;

/* A subcommand's per-file encoder. It fills `r` (status, error, size, metrics,
 * bytes...), writes `output` atomically, and must be thread-safe: with
 * --jobs N it is called from N threads; GPU work inside is serialised by the
 * subcommand (e.g. a mutex around its tt_vk context). It never prints: the
 * driver prints `r->error` (which should name the file, as tt_last_error()
 * does) and the per-file line. The driver applies --min-psnr afterwards, so
 * the encoder only sets FILE_OK or FILE_FAILED. */
typedef void (*cli_encode_fn)(void *ctx, const char *input, const char *output, cli_file_result *r);

/* Optional: measures an output that is already there (the input is older) against the input image, which the
 * driver loads within the --max-size limits, so skipped files still carry size and PSNR in reports and --min-psnr
 * still applies to them. Fills r like the encoder (without writing anything) and returns TT_OK; any other status
 * (or an input that does not load) means "not usable": the driver then re-encodes the file. */
typedef tt_status (*cli_measure_fn)(void *ctx, const tt_image *input, const char *output, cli_file_result *r);

typedef struct {
    const char *command;        /* "bc7", "hash", "latent" */
    const char *out_ext;        /* extension for mirrored outputs, e.g. ".dds" */
    const char *in_ext;         /* inputs taken from folders, e.g. "tnx" (NULL = the image extensions) */
    const char *label;          /* what the per-file line calls an output, e.g. "BC7 mode 6" (may be NULL) */
    cli_encode_fn encode;
    cli_measure_fn measure;     /* may be NULL: skipped files then have no metrics */
    void *ctx;
    const cli_common *common;   /* -o, --json, --min-psnr, -q/-v */
    int jobs;                   /* --jobs N (1 = sequential, 0 = one per CPU) */
    int force;                  /* --force: re-encode even if the output is newer */
    const char *csv;            /* --csv FILE */
    /* Further files the run writes (--decoded, ...) or reads, checked with the inputs, outputs and reports before
     * any work: none may be the same file as another (cli_paths.h). */
    const cli_path_role *extra_paths;
    int n_extra_paths;
    /* The options that change the bytes written, as "key=value key=value ..." (NULL: outputs are judged by their time
     * only). Batches record it, with the tinytex version, for every output in OUT/.tinytex-manifest.json
     * (cli_manifest.h) and rebuild an output made with another request. */
    const char *request;
} cli_batch_spec;

/* Runs the encoder over `inputs` (files and/or folders, folders walked
 * recursively in byte order of names; non-image files skipped with a note).
 * With one plain file input, -o is the output file and it is always
 * (re)written. With several inputs or a folder, -o is an output folder
 * (created) and the relative tree is mirrored (assets/sub/x.png ->
 * out/sub/x.dds); outputs newer than their input are skipped unless --force.
 * Prints one line per file (or a progress bar on a terminal), writes
 * --json/--csv reports (docs/report.md), and returns the exit code: 1 if any
 * file failed, else 3 if any missed --min-psnr, else 0. */
int cli_batch_run(const cli_batch_spec *spec, const char *const *inputs, int n_inputs);

/* 1 if these inputs make a single-file run (one input that is not a folder):
 * -o is then the output file. Subcommands use it to check single-file-only
 * options (--benchmark, --decoded) and to pick the container from -o. */
int cli_batch_is_single(const char *const *inputs, int n_inputs);

/* The argument handling every batch-capable subcommand shares. */
typedef struct {
    int jobs, force;            /* --jobs N, --force */
    const char *csv;            /* --csv FILE */
    const char **inputs;        /* -i (if given), then the positionals; malloc'd, free with free() */
    int n_inputs;
    int single;                 /* cli_batch_is_single(inputs) */
    int help_shown;             /* --help was printed: exit with the returned code */
} cli_batch_args;

/* Appends --jobs/--force/--csv to `opts` (room for 3 more entries + {0} after
 * `nopts`), parses argv, prints --help, gathers the inputs and checks there
 * is one and an -o (`single_output_hint` completes "no output file: give -o
 * ..." for one input). Returns EXIT_OK when the caller should run (also after
 * --help, with help_shown set), else the exit code; a->inputs is always the
 * caller's to free. */
int cli_batch_parse_args(int argc, char **argv, cli_option *opts, int nopts, int capacity, cli_common *c, const char *usage,
                         const char *description, const char *single_output_hint, cli_batch_args *a);

/* Scale-out inputs (docs/scale-out.md): --files-from LIST, -0, --base DIR, --shard I/N. Filled by
 * cli_batch_parse_args (a process runs one subcommand) and read by cli_batch_run. cli_inputs.c. */
typedef struct {
    const char *files_from, *base, *shard;
    int nul;
    unsigned shard_index, shard_count;  /* 1/1 when --shard is not given */
    int devices[64], n_devices;         /* --device all|N,M,...; n_devices 0 without a list */
} cli_scale_out;
extern cli_scale_out g_scale;
/* Parses --shard and checks the options go together; EXIT_USAGE (with the reason printed) or EXIT_OK. */
int cli_scale_check(void);
/* FNV-1a 64 of s[0..len) continuing from h (start with 0xcbf29ce484222325). */
uint64_t cli_key_hash(uint64_t h, const char *s, size_t len);
/* The report's "shard" object: index, count, set_files, set_hash (16 hex digits). */
cJSON *cli_shard_json(size_t set_files, uint64_t set_hash);
/* Reads a whole file list ('-' = stdin) into *text (NUL-terminated, the caller frees), separators turned into NULs. */
int cli_read_list(const char *path, int nul, char **text, size_t *len);
/* --device all|N,M,...: fills g_scale.devices (all = every device tt_vk_enumerate lists). EXIT_OK, or EXIT_RUNTIME with
 * no device, EXIT_USAGE for an index listed twice. */
int cli_devices_resolve(const char *list);
/* The calling worker's place in the device list (0 outside workers): cli_gpu_mine picks its context by it. */
void cli_worker_slot_set(int worker);
/* The --device list's device of the calling worker, or -1 without a list. */
int cli_worker_device(void);
/* Writes the CSV report (docs/report.md) of these rows; "-" = stdout. */
int cli_csv_write(const char *path, const cli_file_result *const *rows, size_t n_rows);

/* The one Vulkan context a batch shares. It is created by the first file that
 * needs it; every worker's GPU work runs with `lock` held, so loading,
 * writing and checking of other files overlap with it. */
typedef struct cli_gpu {
    pthread_mutex_t lock;
    tt_vk *vk;
    int device;                 /* --device (-1 = automatic) */
    int tried;
    char error[512];            /* why creating the context failed */
    const char *device_name;
    struct cli_gpu *more;       /* --device N,M,...: the contexts of the 2nd, 3rd... device, one lock each */
    int n_more;
} cli_gpu;

/* The context of the calling worker's device: g itself with one device. Every batch encoder takes its GPU here. */
cli_gpu *cli_gpu_mine(cli_gpu *g);

/* Marks r failed with the last error's text, or `fallback` when there is none. */
void cli_result_fail(cli_file_result *r, const char *fallback);
/* Records that r's metrics are those of `output` measured against img: size, have_metrics, the file's size on
 * disk, and an `extra` object for the caller's fields. Returns that size (<= 0 if unknown). */
long long cli_result_measured(cli_file_result *r, const tt_image *img, const char *output);

/* A written .tnx read back (cli_tnx_readback, cli_tnx.c): the figures of the file, not of the trainer's copy. */
typedef struct {
    long long bytes;            /* file size on disk */
    int fp32;                   /* parameters stored in fp32 */
    double decode_ms;           /* best GPU decode */
    int decode_f16;             /* the decode ran on tensor cores */
    uint32_t params;            /* parameters of the model */
    tt_metrics metrics;         /* the rebuilt image against the input */
} cli_tnx_measured;

/* Creates a Vulkan context for --device N (-1 = automatic), with the environment switches the CLI honours
 * (TINYTEX_DEVICE, TINYTEX_VALIDATION, ...; docs/cli.md) mapped onto tt_vk_options. Every CLI path uses it. */
tt_status cli_vk_create(int device, tt_vk **out);

/* With a --device list (g_scale.n_devices > 1) the list's first device, and g->more for the others. */
void cli_gpu_init(cli_gpu *g, int device);
/* With g->lock held: creates the context on first use; afterwards returns the
 * first attempt's outcome (TT_ERR_NO_DEVICE with its message on failure). */
tt_status cli_gpu_ensure(cli_gpu *g);
void cli_gpu_destroy(cli_gpu *g);

/* A single-file run: creates the context now, failing with cli_vk_create's own status and message (batches create
 * it on first use with cli_gpu_ensure), so the code shared with batches finds it made. */
tt_status cli_gpu_open(cli_gpu *g);

/* Reads a written .tnx back: loads it, checks its model kind and size against img, decodes it on the shared GPU (under
 * its lock, best of `repeats`) and compares. decoded and file_params (may be NULL) receive the rebuilt image and the
 * parameters as the file holds them (the caller frees both). The measure of every hash and latent output, written
 * now or up to date. */
tt_status cli_tnx_readback(cli_gpu *gpu, int kind, const tt_image *img, const char *output, int repeats,
                           cli_tnx_measured *out, tt_image *decoded, float **file_params);
/* A batch file's result from its read-back: size, metrics (cli_result_measured), and params, decode_path and device
 * in r->extra; the callers add their command's own keys after these. */
void cli_tnx_result(cli_file_result *r, const cli_gpu *gpu, const tt_image *img, const char *output,
                    const cli_tnx_measured *mt);

struct tt_nn_trainer;
/* -v: how the trainer runs on this device (tile, head parts, layout, shared memory, workgroups, atomics). */
void cli_trainer_describe(const struct tt_nn_trainer *tr, uint32_t batch);

#endif
