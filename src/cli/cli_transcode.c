/* cli_transcode.c - `tinytex decode MODEL.tnx -o OUT.dds|OUT.ktx2`: neural -> BC7 on load, the network's image encoded to BC7 on the GPU without a trip through host memory; folders of .tnx files too. */
#include "cli.h"
#include "cli_batch.h"
#include "cli_load.h"
#include "cli_nn_env.h"
#include "api/tt_transcode.h"
#include "bc7/tt_bc7_gpu.h"
#include "formats/tt_formats.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    tt_bc7_config params;
    tt_mip_config mip;
    int chain;                  /* --mipmaps: a mip chain */
    tt_container container;
    tt_save_options save;
    tt_image_limits limits;
    const char *reference;      /* --reference ORIGINAL (one input) */
    const char *preset_name;
    cli_gpu gpu;
    int single;
    /* one input: the figures printed after the run */
    double last_gpu_ms, last_psnr_file_net, last_psnr_file_ref, last_psnr_net_ref;
    int have_last;
} transcode_ctx;

static const char USAGE[] = "tinytex decode INPUT.tnx... -o OUTPUT.dds|OUTPUT.ktx2|OUTPUT_FOLDER [options]";
static const char DESCRIPTION[] =
    "Neural -> BC7 on load: the model's network rebuilds its image into GPU memory and the BC7\n"
    "encoder reads it from there (one GPU submission, no copy through the host), then the\n"
    "texture is written as `tinytex bc7` writes it; the blocks are those `bc7` makes of the\n"
    "PNG that `decode -o x.png` writes. The PSNR printed is the written file's, decoded again,\n"
    "against the network's own image; with --reference ORIGINAL also against the original\n"
    "(and the network's image against the original), so each stage's cost shows.\n"
    "\n"
    "One input file: -o is the output file; .dds or .ktx2 picks the container.\n"
    "Several inputs or a folder: -o is an output folder, .tnx files are taken from the folders\n"
    "(other files skipped with a note), the tree is mirrored with the container from --format.";

/* 1 if `decode` is asked for a BC7 texture: an -o/--output naming a .dds/.ktx2 file, or --format. */
int cli_decode_wants_bc7(int argc, char **argv)
{
    char ext[16];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *out = NULL;
        if (strcmp(a, "--") == 0) break;
        if ((strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) && i + 1 < argc) out = argv[++i];
        else if (strncmp(a, "--output=", 9) == 0) out = a + 9;
        else if (strcmp(a, "--format") == 0 || strncmp(a, "--format=", 9) == 0) return 1;
        if (out) {
            cli_extension(out, ext, sizeof ext);
            if (strcmp(ext, "dds") == 0 || strcmp(ext, "ktx2") == 0) return 1;
        }
    }
    return 0;
}

/* Re-reads the written texture, decodes every level (they must be valid) and measures level 0 against the
 * network's image (main figures without a reference) and the reference (main figures with one). */
static tt_status measure(transcode_ctx *x, const tt_image *net, const tt_image *ref, const char *output,
                         cli_file_result *r, double *psnr_file_net, double *psnr_file_ref, double *psnr_net_ref)
{
    tt_texture tex = {0};
    tt_image d0 = {0};
    tt_metrics m_net, m_ref, m_net_ref;
    tt_status st = cli_texture_load(output, &tex);
    if (st == TT_OK && (tex.width != net->width || tex.height != net->height))
        st = tt_fail(TT_ERR_FORMAT, "%s: %ux%u written, %ux%u expected", output, tex.width, tex.height, net->width,
                     net->height);
    for (uint32_t i = 0; st == TT_OK && i < tex.level_count; i++) {
        tt_image d = {0};
        st = tt_texture_decode(&tex, i, &d);
        if (st == TT_OK && i == 0) d0 = d;
        else tt_image_free(&d);
    }
    if (st == TT_OK) st = tt_compare_images(net, &d0, &m_net);
    if (st == TT_OK && ref) st = tt_compare_images(ref, &d0, &m_ref);
    if (st == TT_OK && ref) st = tt_compare_images(ref, net, &m_net_ref);
    if (st == TT_OK) {
        r->metrics = ref ? m_ref : m_net;
        cli_result_measured(r, net, output);
        cJSON_AddStringToObject(r->extra, "format", tex.srgb ? "BC7_UNORM_SRGB" : "BC7_UNORM");
        cJSON_AddNumberToObject(r->extra, "mip_levels", tex.level_count);
        if (tex.supercompression) cJSON_AddStringToObject(r->extra, "supercompression", "zstd");
        cli_json_psnr(r->extra, "psnr_vs_network", m_net.psnr_rgb);
        *psnr_file_net = m_net.psnr_rgb;
        if (ref) {
            cJSON_AddStringToObject(r->extra, "reference", x->reference);
            cli_json_psnr(r->extra, "psnr_vs_reference", m_ref.psnr_rgb);
            cli_json_psnr(r->extra, "network_psnr_vs_reference", m_net_ref.psnr_rgb);
            *psnr_file_ref = m_ref.psnr_rgb;
            *psnr_net_ref = m_net_ref.psnr_rgb;
        }
    }
    tt_image_free(&d0);
    tt_texture_free(&tex);
    return st;
}

/* cli_encode_fn: load the .tnx -> decode + (mips) + encode in one GPU submission -> write atomically -> re-read,
 * decode and measure. */
static void transcode_one(void *ctx, const char *input, const char *output, cli_file_result *r)
{
    transcode_ctx *x = ctx;
    tt_nn_model m;
    float *params = NULL;
    tt_texture tex = {0};
    tt_image net = {0}, ref = {0};
    double gpu_ms = -1, f_net = NAN, f_ref = NAN, n_ref = NAN;
    tt_status st = tt_tnx_load(input, &m, &params, NULL);
    int loaded = st == TT_OK;
    if (st == TT_OK && x->reference) {
        st = tt_image_load(x->reference, &x->limits, &ref);
        if (st == TT_OK && (ref.width != m.width || ref.height != m.height))
            st = tt_fail(TT_ERR_INVALID_ARG, "%s: %ux%u, but %s rebuilds %ux%u", x->reference, ref.width, ref.height,
                         input, m.width, m.height);
    }
    if (st == TT_OK) {
        pthread_mutex_lock(&x->gpu.lock);
        st = cli_gpu_ensure(&x->gpu);
        if (st == TT_OK)
            st = tt_transcode_tnx_bc7_gpu(x->gpu.vk, &m, params, cli_nn_env_tuning(), &x->params,
                                          x->chain ? &x->mip : NULL, &tex, &net, &gpu_ms);
        pthread_mutex_unlock(&x->gpu.lock);
    }
    if (st == TT_OK) st = tt_texture_save_opts(output, x->container, &tex, &x->save);
    if (st == TT_OK) st = measure(x, &net, x->reference ? &ref : NULL, output, r, &f_net, &f_ref, &n_ref);
    if (st != TT_OK) {
        cli_result_fail(r, tt_status_str(st));
    } else {
        r->status = FILE_OK;
        cJSON_AddStringToObject(r->extra, "container", x->container == TT_CONTAINER_DDS ? "dds" : "ktx2");
        cJSON_AddStringToObject(r->extra, "model", tt_nn_kind_name(m.kind));
        cJSON_AddStringToObject(r->extra, "preset", x->preset_name);
        cJSON_AddStringToObject(r->extra, "device", x->gpu.device_name ? x->gpu.device_name : "");
        if (gpu_ms >= 0) {
            /* network decode, mip filter and every level's encode: one submission's GPU time */
            cJSON_AddNumberToObject(r->extra, "gpu_ms", gpu_ms);
            cJSON_AddNumberToObject(r->extra, "mpix_per_s", (double)m.width * m.height / 1e6 / (gpu_ms * 1e-3));
        }
        if (x->single) {
            x->last_gpu_ms = gpu_ms;
            x->last_psnr_file_net = f_net;
            x->last_psnr_file_ref = f_ref;
            x->last_psnr_net_ref = n_ref;
            x->have_last = 1;
        }
    }
    tt_texture_free(&tex);
    tt_image_free(&net);
    tt_image_free(&ref);
    free(params);
    if (loaded) tt_nn_model_release(&m);
}

static void print_db(const char *label, double v)
{
    if (isinf(v)) DISPLAYLEVEL(1, "%s inf dB", label);
    else DISPLAYLEVEL(1, "%s %.2f dB", label, v);
}

int cmd_decode_bc7(int argc, char **argv)
{
    cli_common c;
    cli_common_init(&c);
    transcode_ctx x;
    memset(&x, 0, sizeof x);
    tt_bc7_config_init(&x.params);
    int preset = TT_BC7_PRESET_MEDIUM, srgb = 0, mipmaps = 0, mip_levels = 0, mip_filter = TT_MIP_KAISER, zstd = 0;
    int perceptual = 0, loose_alpha = 0, format = -1;
    const char *reference = NULL;
    cli_option opts[40] = {
        {"preset", 0, OPT_CHOICE, &preset, "NAME", "BC7 search effort, as `bc7 --preset` (docs/bc7.md, Presets)",
         "fastest|fast|medium|thorough|exhaustive", 0, 0},
        {"srgb", 0, OPT_FLAG, &srgb, NULL, "mark the file sRGB and filter mips in linear light, as `bc7 --srgb`", NULL, 0, 0},
        {"mipmaps", 0, OPT_FLAG, &mipmaps, NULL, "write the full mip chain, filtered and encoded on the GPU (docs/mips.md)", NULL, 0, 0},
        {"mip-levels", 0, OPT_INT, &mip_levels, "N", "write N levels (implies --mipmaps; fewer if the chain is shorter)", NULL, 1, TT_MAX_LEVELS},
        {"mip-filter", 0, OPT_CHOICE, &mip_filter, "F", "mip filter", "box|kaiser|lanczos", 0, 0},
        {"perceptual", 0, OPT_FLAG, &perceptual, NULL, "luma-weighted colour error, as `bc7 --perceptual`", NULL, 0, 0},
        {"loose-alpha", 0, OPT_FLAG, &loose_alpha, NULL, "mode 6 may decode alpha 254, as `bc7 --loose-alpha`", NULL, 0, 0},
        {"zstd", 0, OPT_INT, &zstd, "LEVEL", "KTX2 with Zstandard supercompression at LEVEL (1..22)", NULL, 1, 22},
        {"reference", 0, OPT_STR, &reference, "ORIGINAL",
         "also measure the BC7 file and the network's image against the original image (one input only)", NULL, 0, 0},
        {"format", 0, OPT_CHOICE, &format, "FMT", "container of the files written into an output folder", "dds|ktx2", 0, 0},
    };
    int nown = 0;
    while (opts[nown].long_name) nown++;
    int nopts = cli_add_common_options(opts, nown, CLI_OPTS_CAPACITY(opts), &c);
    for (int k = 0; k < nopts; k++)
        if (strcmp(opts[k].long_name, "output") == 0) {
            opts[k].arg_name = "PATH";
            opts[k].help = "output file (.dds/.ktx2); with several inputs or a folder, the output folder";
        }
    cli_batch_args args;
    int rc = cli_batch_parse_args(argc, argv, opts, nopts, CLI_OPTS_CAPACITY(opts), &c, USAGE, DESCRIPTION, "OUTPUT.dds or -o OUTPUT.ktx2", &args);
    if (rc != EXIT_OK || args.help_shown) goto done;
    rc = EXIT_USAGE;
    if (args.single) {
        if (tt_container_from_path(c.output, &x.container) != 0) {
            cli_error("%s: unknown output extension (use .dds or .ktx2)", c.output);
            goto done;
        }
        if (format >= 0 && (tt_container)format != x.container) {
            cli_error("--format %s contradicts the output name %s", format == 0 ? "dds" : "ktx2", c.output);
            goto done;
        }
        if (cli_sniff(args.inputs[0]) != CLI_FILE_TNX && cli_sniff(args.inputs[0]) != CLI_FILE_UNKNOWN) {
            cli_error("%s is not a .tnx model: decode writes BC7 textures from neural models; encode images with "
                      "`tinytex bc7`", args.inputs[0]);
            goto done;
        }
    } else {
        x.container = format == 1 ? TT_CONTAINER_KTX2 : TT_CONTAINER_DDS;
        if (reference) { cli_error("--reference needs exactly one input file"); goto done; }
    }
    if (zstd && x.container != TT_CONTAINER_KTX2) {
        cli_error("--zstd supercompresses KTX2 files; DDS has no supercompression (write .ktx2%s)",
                  args.single ? "" : " with --format ktx2");
        goto done;
    }
    if (mip_levels > 0) mipmaps = 1;
    if (!mipmaps && cli_option_given(argc, argv, "mip-filter")) {
        cli_error("--mip-filter: no mip chain is built; add --mipmaps");
        goto done;
    }
    cli_apply_common(&c, &x.limits);
    tt_bc7_config_preset(&x.params, (tt_bc7_preset)preset);
    x.params.srgb = srgb;
    x.params.perceptual = perceptual;
    x.params.loose_alpha = loose_alpha;
    tt_mip_config_init(&x.mip);
    x.mip.levels = (uint32_t)mip_levels;
    x.mip.filter = (tt_mip_filter)mip_filter;
    x.mip.srgb = srgb;
    x.chain = mipmaps;
    tt_save_options_init(&x.save);
    x.save.zstd_level = zstd;
    x.reference = reference;
    x.preset_name = tt_bc7_preset_name((tt_bc7_preset)preset);
    x.single = args.single;
    cli_gpu_init(&x.gpu, c.device);
    char label[64];
    snprintf(label, sizeof label, "BC7 %s%s from the network", tt_bc7_preset_name((tt_bc7_preset)preset),
             srgb ? " sRGB" : "");
    cli_batch_spec spec = {
        .command = "decode",
        .out_ext = x.container == TT_CONTAINER_KTX2 ? ".ktx2" : ".dds",
        .in_ext = "tnx",
        .label = label,
        .encode = transcode_one,
        .ctx = &x,
        .common = &c,
        .jobs = args.jobs,
        .force = args.force,
        .csv = args.csv,
    };
    rc = cli_batch_run(&spec, args.inputs, args.n_inputs);
    if (x.single && x.have_last) {
        if (reference) {
            DISPLAYLEVEL(1, "PSNR against %s:", reference);
            print_db(" network", x.last_psnr_net_ref);
            print_db(", BC7 file", x.last_psnr_file_ref);
            print_db("; BC7 file against the network's image", x.last_psnr_file_net);
            DISPLAYLEVEL(1, "\n");
        }
        if (x.last_gpu_ms >= 0)
            DISPLAYLEVEL(2, "transcode: %.3f ms GPU time (network decode%s + BC7 encode, one submission) on %s\n",
                         x.last_gpu_ms, x.chain ? " + mip filter" : "", x.gpu.device_name ? x.gpu.device_name : "?");
    }
    cli_gpu_destroy(&x.gpu);
done:
    free(args.inputs);
    return rc;
}
