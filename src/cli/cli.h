/* cli.h - shared pieces of the tinytex command line: option tables, messages, reports, progress. */
#ifndef TT_CLI_H
#define TT_CLI_H

#include <stdio.h>
#include <cjson/cJSON.h>
#include "tinytex.h"
#include "vk/tt_vk.h"

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2, EXIT_QUALITY = 3 };

/* 0 = quiet (-q: errors only), 1 = normal, 2 = verbose (-v), 3 = debug (-vv). */
extern int g_display_level;
extern int g_hdr_clip; /* --hdr-clip: HDR input values outside [0, 1] are clipped instead of refused */
#define DISPLAY(...) fprintf(stderr, __VA_ARGS__)
#define DISPLAYLEVEL(l, ...) do { if (g_display_level >= (l)) fprintf(stderr, __VA_ARGS__); } while (0)

/* 1 if --name (or --name=...) is among the arguments before a lone "--": an explicit expert option overrides a preset. */
int cli_option_given(int argc, char **argv, const char *name);

/* "tinytex: error: <msg>\n" on stderr (always, even with -q). */
void cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* Prints tt_last_error() (or the status string) as one error line; returns
 * the exit code for that status (EXIT_RUNTIME, or EXIT_USAGE for INVALID_ARG
 * raised by option validation). */
int cli_fail_status(tt_status s);

/* ---- Option tables ---------------------------------------------------------
 * Each subcommand declares a table; cli_parse fills the targets, accepts
 * "--name value", "--name=value", short "-x value", and the prototype's
 * underscore spellings ("--log2_T" == "--log2-t"; matching ignores case and
 * treats '_' like '-'). Unknown options and bad values are usage errors. */
/* OPT_REFUSED: an option this subcommand recognises but that would do nothing here (compare's -o): giving it is a
 * usage error whose message is `help`; it is not listed by --help. */
typedef enum { OPT_FLAG, OPT_INT, OPT_UINT, OPT_FLOAT, OPT_DOUBLE, OPT_STR, OPT_CHOICE, OPT_DEVICE, OPT_REFUSED } cli_opt_type;

typedef struct {
    const char *long_name;   /* without leading "--" */
    char short_name;         /* 0 = none */
    cli_opt_type type;
    void *target;            /* int* for FLAG/INT/CHOICE, unsigned* UINT, float*, double*, const char** STR,
                                cli_common* DEVICE (--device N, or with multi_device a list or 'all') */
    const char *arg_name;    /* e.g. "FILE"; NULL for flags */
    const char *help;        /* one line; the default is appended from the target's initial value */
    const char *choices;     /* OPT_CHOICE: "a|b|c", target gets the index */
    double min, max;         /* numeric range check when min < max */
} cli_option;

/* Options every encoding subcommand shares. */
typedef struct {
    const char *input;       /* positional or -i */
    const char *output;      /* -o */
    const char *json;        /* --json FILE */
    double min_psnr;         /* --min-psnr DB (0 = off) */
    int device;              /* --device N (-1 = auto / TINYTEX_DEVICE); with a list, its first device */
    const char *device_list; /* --device all|N,M,...: one worker per device (batches; set multi_device to allow) */
    int multi_device;
    unsigned max_size;       /* --max-size N: max width/height in pixels */
    int quiet, verbose;      /* -q / -v (counted) */
    int hdr_clip;            /* --hdr-clip */
    int no_cache;            /* --no-cache: no persistent pipeline cache file (also TINYTEX_NO_CACHE=1) */
    int cpu_only;            /* set before cli_add_common_options by subcommands that never create a Vulkan context:
                                --no-cache is then not offered (it would be accepted and do nothing) */
    int help;
} cli_common;

void cli_common_init(cli_common *c);
/* Appends the shared options (-i -o --json --min-psnr --device --max-size --hdr-clip --no-cache -q -v -h)
 * to `opts` (an array of `capacity` entries; the list ends with a {0} entry); returns the new count. A table too
 * small for them is a programming error: it aborts with a message instead of writing past the array. */
int cli_add_common_options(cli_option *opts, int count, int capacity, cli_common *c);
/* Aborts with a message when `need` entries do not fit an option table of `capacity` (a programming error). */
void cli_options_fit(int need, int capacity);
#define CLI_OPTS_CAPACITY(opts) ((int)(sizeof(opts) / sizeof((opts)[0])))

/* Parses argv[1..] (argv[0] is the subcommand name). Positional arguments
 * are stored in positional[0..*n_positional-1] (at most max_positional).
 * Returns EXIT_OK, or EXIT_USAGE after printing the reason to stderr. */
int cli_parse(int argc, char **argv, const cli_option *opts, const char **positional,
              int max_positional, int *n_positional);
/* Turns the option `long_name` of `opts` into OPT_REFUSED with `why` as its error message. */
void cli_refuse_option(cli_option *opts, const char *long_name, const char *why);
/* Prints "usage" line, description and the option table to `out`, then the exit codes the command can return
 * (3 only where it has --min-psnr). */
void cli_print_help(FILE *out, const char *usage, const char *description, const cli_option *opts);

/* Applies -q/-v to g_display_level, --no-cache to cli_vk_create and --max-size to image limits. */
void cli_apply_common(const cli_common *c, tt_image_limits *limits);

/* ---- Reports ------------------------------------------------------------- */
#define TT_REPORT_SCHEMA_VERSION 1
/* A new report object: {"schema": "tinytex-report", "version": 1,
 * "tool_version": "...", "command": "<sub>", ...}. */
cJSON *cli_report_new(const char *command);
/* Writes the report atomically as pretty JSON; "-" writes to stdout. */
int cli_report_write(const char *path, cJSON *report);
/* Adds the standard result fields: width, height, psnr_rgb, psnr_rgba (null
 * when opaque), max_abs_error, output_bytes, bits_per_pixel, seconds. */
void cli_report_add_result(cJSON *obj, uint32_t width, uint32_t height, const tt_metrics *m,
                           uint64_t output_bytes, double seconds);
/* Adds a PSNR as a number, or null where it is infinite (identical images). */
void cli_json_psnr(cJSON *obj, const char *key, double psnr);
/* Checks --min-psnr: returns EXIT_QUALITY (and prints why) when psnr < min. */
int cli_check_min_psnr(const cli_common *c, double psnr_rgb);

/* ---- Progress (training) ---------------------------------------------------
 * On a terminal: one live line rewritten in place. Otherwise: a plain line
 * every `period_s` seconds. Nothing at display level 0. */
typedef struct {
    int is_tty;
    double start_s, last_print_s, period_s;
    int printed_live;
} cli_progress;
void cli_progress_init(cli_progress *p, double period_s);
/* `line` is the body ("step 1200/5000 loss 1.2e-3 psnr 33.1 dB"); ETA and
 * elapsed are appended from `fraction_done`. force=1 prints regardless of period. */
void cli_progress_update(cli_progress *p, double fraction_done, const char *line, int force);
void cli_progress_done(cli_progress *p);

/* Monotonic seconds. */
double cli_now(void);
/* File size on disk, or -1. */
long long cli_file_size(const char *path);
/* Lowercased extension without the dot ("dds"), or "" if none. */
const char *cli_extension(const char *path, char *buf, size_t buflen);

/* Subcommands: each returns an exit code. argv[0] is the subcommand name. */
int cmd_bc7(int argc, char **argv);
int cmd_decode(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_devices(int argc, char **argv);
int cmd_hash(int argc, char **argv);
int cmd_latent(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* decode/info dispatch to these for .tnx files (src/cli/cli_hash.c / neural). */
int cli_decode_tnx(const char *input, const char *output, const cli_common *c);
int cli_info_tnx(const char *input, int json);
/* decode to .dds/.ktx2 (or --format): neural -> BC7 on load (cli_transcode.c). */
int cli_decode_wants_bc7(int argc, char **argv);
int cmd_decode_bc7(int argc, char **argv);

/* The tt_vk_options the CLI's environment switches ask for (TINYTEX_VALIDATION, TINYTEX_PIPELINE_STATS,
 * TINYTEX_NO_COOPMAT, TINYTEX_NO_PUSH_DESCRIPTORS; docs/cli.md), device -1, verbose from -v. cli_vk_create
 * (cli_batch.h) adds the device from --device or TINYTEX_DEVICE and the pipeline cache file, cli_pipeline_cache_path. */
void cli_vk_options(tt_vk_options *o);
/* The devices tt_vk_enumerate lists on an instance made with those options (at most TT_VK_MAX_DEVICES). */
tt_status cli_vk_enumerate(tt_vk_device_info info[TT_VK_MAX_DEVICES], uint32_t *n);
/* The persistent pipeline cache file of a device:
 * "$XDG_CACHE_HOME/tinytex/pipelines-<vendor>-<device>-<driverVersion>.bin" (hex ids; $HOME/.cache when
 * XDG_CACHE_HOME is unset or not absolute). Returns 0 (no cache) when --no-cache or TINYTEX_NO_CACHE=1 asked for
 * none, neither variable gives a folder, or the name does not fit in `len`. */
int cli_pipeline_cache_path(const tt_vk_device_info *info, char *buf, size_t len);

#endif
