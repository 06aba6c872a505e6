/* cli_bc7.c - `tinytex bc7`: encode images or asset folders to BC7 (modes 1+6 by default) on the GPU, write DDS/KTX2, verify from the written files. */
#include "cli.h"
#include "cli_load.h"
#include "cli_batch.h"
#include "bc7/tt_bc7_gpu.h"
#include "formats/tt_formats.h"
#include "vk/tt_vk.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int srgb, no_refine, no_refit, cpu, benchmark;
    float good_enough;
    int nm_iterations;
    const char *decoded;
} bc7_options;

/* Shared by every worker. The Vulkan context is one command stream, so the
 * GPU part of each file runs under the shared cli_gpu lock; loading, writing and checking
 * run outside it and overlap with the next file's GPU work. */
typedef struct {
    bc7_options o;
    tt_bc7_config params;
    tt_image_limits limits;
    tt_container container;
    cli_gpu gpu;               /* created by the first file that needs it */
    int single;                /* one input: record the figures below for --benchmark */
    double last_gpu_ms;
    uint32_t last_width, last_height;
} bc7_ctx;

static const char USAGE[] = "tinytex bc7 INPUT... -o OUTPUT.dds|OUTPUT.ktx2|OUTPUT_FOLDER [options]";
static const char DESCRIPTION[] =
    "Encodes images (PNG, JPEG, TGA, BMP, PSD, GIF, HDR, PNM) to BC7 with a Vulkan compute shader:\n"
    "mode-6 blocks from a PCA + Nelder-Mead encoder, and for opaque blocks two-subset mode-1\n"
    "(and with --modes, mode-3) blocks where they decode closer; writes DDS (DX10 header) or\n"
    "KTX2 files. The PSNR printed is measured on the image decoded from the file that was written.\n"
    "\n"
    "One input file: -o is the output file; .dds or .ktx2 picks the container.\n"
    "Several inputs or a folder: -o is an output folder; folders are walked recursively and\n"
    "their tree is mirrored (assets/sub/x.png -> OUT/sub/x.dds, container from --format);\n"
    "non-image files are skipped with a note; outputs newer than their input are skipped\n"
    "unless --force; a file that fails is reported and the others go on.";

static const char *format_name(int srgb) { return srgb ? "BC7_UNORM_SRGB" : "BC7_UNORM"; }
static const char *container_name(tt_container c) { return c == TT_CONTAINER_DDS ? "dds" : "ktx2"; }

/* Re-reads the file that was written, decodes it and measures it against
 * `img`: the figures in reports are those of the file, not of the encoder's
 * memory. `decoded` (may be NULL) receives the decoded image. */
static tt_status measure_written(const tt_image *img, const char *output, cli_file_result *r, tt_image *decoded_out)
{
    tt_texture tex = {0};
    tt_image decoded = {0};
    tt_status st = cli_texture_load(output, &tex);
    if (st == TT_OK && (tex.width != img->width || tex.height != img->height))
        st = tt_fail(TT_ERR_FORMAT, "%s: %ux%u, but the input is %ux%u", output, tex.width, tex.height, img->width,
                     img->height);
    if (st == TT_OK) st = tt_image_alloc(&decoded, tex.width, tex.height);
    if (st == TT_OK) {
        tt_bc7_decode_image((const tt_bc7_block *)tex.data, tex.width, tex.height, decoded.rgba);
        st = tt_compare_images(img, &decoded, &r->metrics);
    }
    if (st == TT_OK) {
        cli_result_measured(r, img, output);
        cJSON_AddStringToObject(r->extra, "format", format_name(tex.srgb));
    }
    tt_texture_free(&tex);
    if (st == TT_OK && decoded_out) *decoded_out = decoded;
    else tt_image_free(&decoded);
    return st;
}

/* cli_encode_fn: load -> encode (GPU under the lock, or the C reference) ->
 * write atomically -> re-read, decode and measure. */
static void bc7_encode_one(void *ctx, const char *input, const char *output, cli_file_result *r)
{
    bc7_ctx *x = ctx;
    tt_image img = {0}, decoded = {0};
    tt_texture tex = {0};
    double gpu_ms = -1;
    const char *device_name = "CPU (C reference encoder)";
    tt_status st = tt_image_load(input, &x->limits, &img);
    if (st == TT_OK) st = tt_bc7_texture_alloc(&tex, img.width, img.height, x->o.srgb, input);
    if (st == TT_OK) {
        if (x->o.cpu) {
            st = tt_bc7_encode_image_ref(&img, &x->params, (tt_bc7_block *)tex.data);
        } else {
            pthread_mutex_lock(&x->gpu.lock);
            st = cli_gpu_ensure(&x->gpu);
            if (st == TT_OK) {
                device_name = x->gpu.device_name;
                st = tt_bc7_encode_gpu(x->gpu.vk, &img, &x->params, (tt_bc7_block *)tex.data,
                                       x->o.benchmark > 0 ? x->o.benchmark : 1, &gpu_ms);
            }
            pthread_mutex_unlock(&x->gpu.lock);
        }
    }
    if (st == TT_OK) st = tt_texture_save_as(output, x->container, &tex);
    if (st == TT_OK) st = measure_written(&img, output, r, x->o.decoded ? &decoded : NULL);
    if (st == TT_OK && x->o.decoded) st = tt_image_save_png(x->o.decoded, &decoded);
    if (st != TT_OK) {
        cli_result_fail(r, tt_status_str(st));
    } else {
        r->status = FILE_OK;
        cJSON_AddStringToObject(r->extra, "container", container_name(x->container));
        cJSON_AddStringToObject(r->extra, "device", device_name);
        if (gpu_ms > 0) {
            double mpix = (double)img.width * img.height / 1e6;
            cJSON_AddNumberToObject(r->extra, "gpu_ms", gpu_ms);
            cJSON_AddNumberToObject(r->extra, "mpix_per_s", mpix / (gpu_ms * 1e-3));
        }
        if (x->single) { /* one file, one worker: no other thread writes these */
            x->last_gpu_ms = gpu_ms;
            x->last_width = img.width;
            x->last_height = img.height;
        }
    }
    tt_texture_free(&tex);
    tt_image_free(&img);
    tt_image_free(&decoded);
}

/* cli_measure_fn: figures for an up-to-date output that is not rewritten. */
static tt_status bc7_measure_existing(void *ctx, const tt_image *img, const char *output, cli_file_result *r)
{
    (void)ctx;
    tt_status st = measure_written(img, output, r, NULL);
    if (st == TT_OK) {
        tt_container c;
        if (tt_container_from_path(output, &c) == 0)
            cJSON_AddStringToObject(r->extra, "container", container_name(c));
    }
    return st;
}

int cmd_bc7(int argc, char **argv)
{
    cli_common c;
    cli_common_init(&c);
    bc7_ctx x;
    memset(&x, 0, sizeof x);
    bc7_options *o = &x.o;
    tt_bc7_config_init(&x.params);
    o->good_enough = x.params.good_enough;
    o->nm_iterations = x.params.nm_iterations;
    int format = -1;
    int modes = 0; /* index into TT_BC7_MODES_CHOICES */
    cli_option opts[32] = {
        {"srgb", 0, OPT_FLAG, &o->srgb, NULL, "mark the data as sRGB (DXGI 99 / VK_FORMAT 146); default linear UNORM", NULL, 0, 0},
        {"no-refine", 0, OPT_FLAG, &o->no_refine, NULL, "PCA endpoints only: no Nelder-Mead, no refit", NULL, 0, 0},
        {"no-refit", 0, OPT_FLAG, &o->no_refit, NULL, "skip the least-squares refit and p-bit search after Nelder-Mead", NULL, 0, 0},
        {"good-enough", 0, OPT_FLOAT, &o->good_enough, "LOSS",
         "skip refinement of blocks whose PCA loss (sum of squared RGBA error) is below LOSS", NULL, 0, 16},
        {"nm-iterations", 0, OPT_INT, &o->nm_iterations, "N", "Nelder-Mead iterations", NULL, 0, 10000},
        {"decoded", 0, OPT_STR, &o->decoded, "FILE.png", "also write the image decoded from the output (one input only)", NULL, 0, 0},
        {"benchmark", 0, OPT_INT, &o->benchmark, "N", "encode N times on the GPU and print GPU time and Mpix/s (one input only)", NULL, 0, 100000},
        {"cpu", 0, OPT_FLAG, &o->cpu, NULL, "use the C reference encoder instead of the GPU (slow; for checks)", NULL, 0, 0},
        {"format", 0, OPT_CHOICE, &format, "FMT", "container of the files written into an output folder", "dds|ktx2", 0, 0},
        {"modes", 0, OPT_CHOICE, &modes, "LIST", "BC7 modes to use (1, 3: two-subset candidates for opaque blocks; default 1,6)", TT_BC7_MODES_CHOICES, 0, 0},
    };
    int nopts = cli_add_common_options(opts, 10, &c);
    for (int k = 0; k < nopts; k++)
        if (strcmp(opts[k].long_name, "output") == 0) {
            opts[k].arg_name = "PATH";
            opts[k].help = "output file (.dds/.ktx2); with several inputs or a folder, the output folder";
        } else if (strcmp(opts[k].long_name, "min-psnr") == 0) {
            opts[k].help = "exit 3 if any file's RGB PSNR is below DB (outputs still written)";
        }
    cli_batch_args args;
    int rc = cli_batch_parse_args(argc, argv, opts, nopts, &c, USAGE, DESCRIPTION, "OUTPUT.dds or -o OUTPUT.ktx2", &args);
    if (rc != EXIT_OK || args.help_shown) goto done;
    int single = args.single;
    rc = EXIT_USAGE;
    if (single) {
        if (tt_container_from_path(c.output, &x.container) != 0) {
            cli_error("%s: unknown output extension (use .dds or .ktx2)", c.output);
            goto done;
        }
        if (format >= 0 && (tt_container)format != x.container) {
            cli_error("--format %s contradicts the output name %s", format == 0 ? "dds" : "ktx2", c.output);
            goto done;
        }
    } else {
        x.container = format == 1 ? TT_CONTAINER_KTX2 : TT_CONTAINER_DDS;
        if (o->benchmark) { cli_error("--benchmark needs exactly one input file"); goto done; }
        if (o->decoded) { cli_error("--decoded needs exactly one input file"); goto done; }
    }
    if (o->cpu && o->benchmark) { cli_error("--benchmark measures the GPU encoder; drop --cpu"); goto done; }
    cli_apply_common(&c, &x.limits);
    x.params.refine = !o->no_refine;
    x.params.refit = !o->no_refine && !o->no_refit;
    x.params.good_enough = o->good_enough;
    x.params.nm_iterations = o->nm_iterations;
    x.params.modes = tt_bc7_modes_from_choice(modes);
    x.single = single;
    cli_gpu_init(&x.gpu, c.device);

    /* the modes the blocks may use: mode 6 always; 1 and 3 for opaque blocks,
     * tried only as part of the refit stage */
    char label[48];
    {
        unsigned m = (x.params.refit ? x.params.modes : 0u) | (1u << 6);
        int n = 0, pos_ = 0;
        char list[16] = "";
        for (int k = 0; k < 8; k++)
            if (m & (1u << k)) pos_ += snprintf(list + pos_, sizeof list - (size_t)pos_, "%s%d", n++ ? "+" : "", k);
        snprintf(label, sizeof label, "BC7 (mode%s %s)%s", n > 1 ? "s" : "", list, o->srgb ? " sRGB" : "");
    }
    cli_batch_spec spec = {
        .command = "bc7",
        .out_ext = x.container == TT_CONTAINER_KTX2 ? ".ktx2" : ".dds",
        .label = label,
        .encode = bc7_encode_one,
        .measure = bc7_measure_existing,
        .ctx = &x,
        .common = &c,
        .jobs = args.jobs,
        .force = args.force,
        .csv = args.csv,
    };
    rc = cli_batch_run(&spec, args.inputs, args.n_inputs);

    if (single && o->benchmark > 0 && x.last_width > 0) {
        double mpix = (double)x.last_width * x.last_height / 1e6;
        const char *name = x.gpu.device_name ? x.gpu.device_name : "the device";
        if (x.last_gpu_ms > 0)
            printf("benchmark: %d runs on %s: %.3f ms GPU time per image, %.1f Mpix/s\n", o->benchmark, name,
                   x.last_gpu_ms, mpix / (x.last_gpu_ms * 1e-3));
        else
            printf("benchmark: %s has no timestamp queries; no GPU time available\n", name);
    }
    cli_gpu_destroy(&x.gpu);
done:
    free(args.inputs);
    return rc;
}
