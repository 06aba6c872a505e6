/* cli_bc7.c - `tinytex bc7`: encode images or asset folders to BC7 (all modes, quality presets) on the GPU, write DDS/KTX2, verify from the written files. */
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
    int srgb, no_refine, no_refit, cpu, benchmark, perceptual, preset, partitions, loose_alpha;
    float good_enough, alpha_weight;
    int nm_iterations;
    const char *decoded, *modes;
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
    "per block, mode 6 from a PCA + Nelder-Mead encoder, then the other modes the preset allows\n"
    "(0-5 for opaque blocks, 4, 5, 7 for blocks with alpha), the lowest error kept; writes DDS\n"
    "(DX10 header) or KTX2 files. The PSNR printed is measured on the image decoded from the file\n"
    "that was written (RGBA PSNR too for images with alpha). Presets (docs/bc7.md): fastest =\n"
    "mode 6 only, fast = modes 1+6, medium (default) = all modes, thorough and exhaustive search\n"
    "more partitions.\n"
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

/* "1,6", "0-7", "4,5,7": a mode bit mask; -1 on anything else. */
static int parse_modes(const char *s, unsigned *out)
{
    unsigned m = 0;
    const char *c = s;
    while (*c) {
        if (*c < '0' || *c > '7') return -1;
        int a = *c++ - '0', b = a;
        if (*c == '-') {
            c++;
            if (*c < '0' || *c > '7') return -1;
            b = *c++ - '0';
            if (b < a) return -1;
        }
        for (int k = a; k <= b; k++) m |= 1u << k;
        if (*c == ',') {
            c++;
            if (!*c) return -1;
        } else if (*c) {
            return -1;
        }
    }
    if (!m) return -1;
    *out = m;
    return 0;
}

/* 1 if --name (or --name=...) is among the arguments before a lone "--". */
static int option_given(int argc, char **argv, const char *name)
{
    size_t n = strlen(name);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) break;
        if (a[0] == '-' && a[1] == '-' && strncmp(a + 2, name, n) == 0 && (a[2 + n] == 0 || a[2 + n] == '=')) return 1;
    }
    return 0;
}

int cmd_bc7(int argc, char **argv)
{
    cli_common c;
    cli_common_init(&c);
    bc7_ctx x;
    memset(&x, 0, sizeof x);
    bc7_options *o = &x.o;
    tt_bc7_config_init(&x.params);
    o->preset = TT_BC7_PRESET_MEDIUM;
    o->good_enough = x.params.good_enough;
    o->nm_iterations = x.params.nm_iterations;
    o->partitions = x.params.partitions;
    o->alpha_weight = x.params.alpha_weight;
    int format = -1;
    cli_option opts[32] = {
        {"preset", 0, OPT_CHOICE, &o->preset, "NAME", "search effort (docs/bc7.md, Presets)",
         "fastest|fast|medium|thorough|exhaustive", 0, 0},
        {"modes", 0, OPT_STR, &o->modes, "LIST",
         "expert: the BC7 modes blocks may use, e.g. 1,6 or 0-7 (mode 6 is always tried; default from --preset)", NULL, 0, 0},
        {"partitions", 0, OPT_INT, &o->partitions, "N",
         "expert: multi-subset partitions fully encoded per mode (default from --preset; medium's shown)", NULL, 1, 16},
        {"alpha-weight", 0, OPT_FLOAT, &o->alpha_weight, "W", "weight of alpha error against colour error", NULL, 0, 16},
        {"perceptual", 0, OPT_FLAG, &o->perceptual, NULL,
         "weight colour error by luma (R 5 : G 9 : B 2) instead of equally; lowers RGB PSNR", NULL, 0, 0},
        {"loose-alpha", 0, OPT_FLAG, &o->loose_alpha, NULL,
         "opaque images: ignore alpha error in mode 6, so alpha may decode 254 (bc7enc's rule; higher RGB PSNR); default: alpha exactly 255", NULL, 0, 0},
        {"srgb", 0, OPT_FLAG, &o->srgb, NULL, "mark the data as sRGB (DXGI 99 / VK_FORMAT 146); default linear UNORM", NULL, 0, 0},
        {"no-refine", 0, OPT_FLAG, &o->no_refine, NULL, "PCA endpoints only: no Nelder-Mead, no refit, mode 6 only", NULL, 0, 0},
        {"no-refit", 0, OPT_FLAG, &o->no_refit, NULL, "skip the least-squares refit, p-bit search and other modes after Nelder-Mead", NULL, 0, 0},
        {"good-enough", 0, OPT_FLOAT, &o->good_enough, "LOSS",
         "skip refinement of blocks whose PCA loss (sum of squared RGBA error) is below LOSS", NULL, 0, 16},
        {"nm-iterations", 0, OPT_INT, &o->nm_iterations, "N", "Nelder-Mead iterations (default from --preset; medium's shown)", NULL, 0, 10000},
        {"decoded", 0, OPT_STR, &o->decoded, "FILE.png", "also write the image decoded from the output (one input only)", NULL, 0, 0},
        {"benchmark", 0, OPT_INT, &o->benchmark, "N", "encode N times on the GPU and print GPU time and Mpix/s (one input only)", NULL, 0, 100000},
        {"cpu", 0, OPT_FLAG, &o->cpu, NULL, "use the C reference encoder instead of the GPU (slow; for checks)", NULL, 0, 0},
        {"format", 0, OPT_CHOICE, &format, "FMT", "container of the files written into an output folder", "dds|ktx2", 0, 0},
    };
    int nopts = cli_add_common_options(opts, 15, &c);
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
    tt_bc7_config_preset(&x.params, (tt_bc7_preset)o->preset);
    if (o->modes && parse_modes(o->modes, &x.params.modes) != 0) {
        cli_error("--modes %s: give mode numbers 0-7 separated by commas, or ranges such as 0-7", o->modes);
        goto done;
    }
    /* an expert option given explicitly overrides the preset's value */
    if (option_given(argc, argv, "partitions")) {
        if (!(x.params.modes & 0x8Fu)) { /* modes 0-3, 7: the only ones with partitions */
            cli_error("--partitions: the mode set has no multi-subset mode (0-3, 7) for it to apply to");
            goto done;
        }
        x.params.partitions = o->partitions;
    }
    if (option_given(argc, argv, "nm-iterations")) x.params.nm_iterations = o->nm_iterations;
    if (option_given(argc, argv, "good-enough")) x.params.good_enough = o->good_enough;
    x.params.refine = !o->no_refine;
    x.params.refit = !o->no_refine && !o->no_refit;
    x.params.srgb = o->srgb;
    x.params.alpha_weight = o->alpha_weight;
    x.params.perceptual = o->perceptual;
    x.params.loose_alpha = o->loose_alpha;
    if (tt_bc7_config_validate(&x.params) != TT_OK) {
        cli_error("%s", tt_last_error());
        goto done;
    }
    x.single = single;
    cli_gpu_init(&x.gpu, c.device);

    /* the modes the blocks may use: mode 6 always; the others only as part of the refit stage */
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
