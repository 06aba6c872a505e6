/* cli_bc7.c - `tinytex bc7`: encode images or asset folders to BC7 (all modes, quality presets, mip chains) on the GPU, write DDS/KTX2, verify every level from the written files. */
#include "cli.h"
#include "cli_load.h"
#include "cli_batch.h"
#include "bc7/tt_bc7_gpu.h"
#include "mip/tt_mip_gpu.h"
#include "formats/tt_formats.h"
#include "vk/tt_vk.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int srgb, no_refine, no_refit, cpu, gpu, benchmark, perceptual, preset, partitions, loose_alpha;
    float good_enough, alpha_weight;
    int nm_iterations, index_trials, joint_steps, lean_search, final_trials;
    const char *decoded, *modes;
    int mipmaps, mip_levels, mip_filter, premultiply, normal_map, zstd;
    float alpha_coverage, alpha_test;
} bc7_options;

/* Shared by every worker. The Vulkan context is one command stream, so the
 * GPU part of each file runs under the shared cli_gpu lock; loading, writing and checking
 * run outside it and overlap with the next file's GPU work. */
typedef struct {
    bc7_options o;
    tt_bc7_config params;
    tt_image_limits limits;
    tt_container container;
    tt_mip_config mip;         /* levels and level-0 steps */
    int chain;                 /* 1: go through the mip builder (mip maps, premultiply or normal map) */
    tt_save_options save;      /* --zstd */
    cli_gpu gpu;               /* created by the first file that needs it */
    int single;                /* one input: record the figures below for --benchmark */
    double last_gpu_ms, last_filter_ms, last_level0_ms;
    uint32_t last_width, last_height, last_levels;
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
    "non-image files are skipped with a note; outputs newer than their input and made with the same\n"
    "options (OUT/.tinytex-manifest.json) are skipped unless --force; a file that fails is reported and the others go on.";

static const char *format_name(int srgb) { return srgb ? "BC7_UNORM_SRGB" : "BC7_UNORM"; }
static const char *container_name(tt_container c) { return c == TT_CONTAINER_DDS ? "dds" : "ktx2"; }

/* Re-reads the file that was written, decodes every level and measures it against ref[level] (the level the
 * encoder was given: the filtered chain, premultiplied or renormalised where asked); levels beyond `nref` are
 * decoded (so they must be valid) but not measured. The figures in reports are those of the file, not of the
 * encoder's memory: level 0's in the main fields, every level's in "levels" (JSON) and "level_psnr_rgb" (CSV).
 * `decoded` (may be NULL) receives level 0 decoded. */
static tt_status measure_written(const tt_image *ref, uint32_t nref, int normal_map, const char *output,
                                 cli_file_result *r, tt_image *decoded_out)
{
    tt_texture tex = {0};
    tt_image decoded = {0};
    tt_status st = cli_texture_load(output, &tex);
    if (st == TT_OK && (tex.width != ref[0].width || tex.height != ref[0].height))
        st = tt_fail(TT_ERR_FORMAT, "%s: %ux%u, but the input is %ux%u", output, tex.width, tex.height, ref[0].width,
                     ref[0].height);
    if (st == TT_OK && nref > 1 && tex.level_count != nref)
        st = tt_fail(TT_ERR_FORMAT, "%s: %u mip levels written, %u expected", output, tex.level_count, nref);
    cJSON *levels = cJSON_CreateArray();
    char psnrs[TT_MAX_LEVELS * 12] = "";
    size_t at = 0;
    double mean0 = 0.0, max0 = 0.0;
    for (uint32_t i = 0; st == TT_OK && i < tex.level_count; i++) {
        tt_image d = {0};
        st = tt_texture_decode(&tex, i, &d);
        if (st != TT_OK || i >= nref) {
            tt_image_free(&d);
            continue;
        }
        tt_metrics m;
        st = tt_compare_images(&ref[i], &d, &m);
        double mean_deg = 0.0, max_deg = 0.0;
        if (st == TT_OK && normal_map) st = tt_normal_angle_error(&ref[i], &d, &mean_deg, &max_deg);
        if (st == TT_OK) {
            cJSON *l = cJSON_CreateObject();
            cJSON_AddNumberToObject(l, "level", i);
            cJSON_AddNumberToObject(l, "width", d.width);
            cJSON_AddNumberToObject(l, "height", d.height);
            cJSON_AddNumberToObject(l, "bytes", (double)tex.levels[i].size);
            cli_json_psnr(l, "psnr_rgb", m.psnr_rgb);
            if (m.has_alpha) cli_json_psnr(l, "psnr_rgba", m.psnr_rgba);
            if (normal_map) {
                cJSON_AddNumberToObject(l, "normal_mean_deg", mean_deg);
                cJSON_AddNumberToObject(l, "normal_max_deg", max_deg);
            }
            cJSON_AddItemToArray(levels, l);
            at += (size_t)snprintf(psnrs + at, sizeof psnrs - at, "%s%.2f", i ? ";" : "", isinf(m.psnr_rgb) ? 99.99 : m.psnr_rgb);
        }
        if (st == TT_OK && i == 0) {
            r->metrics = m;
            mean0 = mean_deg;
            max0 = max_deg;
            decoded = d;
        } else {
            tt_image_free(&d);
        }
    }
    if (st == TT_OK) {
        cli_result_measured(r, &ref[0], output);
        cJSON_AddStringToObject(r->extra, "format", format_name(tex.srgb));
        cJSON_AddNumberToObject(r->extra, "mip_levels", tex.level_count);
        if (tex.premultiplied) cJSON_AddBoolToObject(r->extra, "premultiplied", 1);
        if (tex.supercompression) cJSON_AddStringToObject(r->extra, "supercompression", "zstd");
        if (normal_map) {
            cJSON_AddNumberToObject(r->extra, "normal_mean_deg", mean0);
            cJSON_AddNumberToObject(r->extra, "normal_max_deg", max0);
        }
        if (tex.level_count > 1) {
            cJSON_AddStringToObject(r->extra, "level_psnr_rgb", psnrs);
            cJSON_AddItemToObject(r->extra, "levels", levels);
            levels = NULL;
        }
    }
    cJSON_Delete(levels);
    tt_texture_free(&tex);
    if (st == TT_OK && decoded_out) *decoded_out = decoded;
    else tt_image_free(&decoded);
    return st;
}

/* The chain the encoder is given (x->mip) on the GPU (under the caller's lock) or with the C reference. */
static tt_status build_chain(bc7_ctx *x, int use_c, const tt_image *img, tt_image *levels, uint32_t *count,
                             double *gpu_ms)
{
    *gpu_ms = -1.0;
    tt_mip_config m = x->mip; /* --mip-levels N: at most the image's full chain */
    uint32_t full = tt_mip_full_count(img->width, img->height);
    if (m.levels > full) m.levels = full;
    tt_vk *vk = cli_gpu_mine(&x->gpu)->vk;
    if (use_c || !vk) return tt_mip_build_cpu(img, &m, levels, count);
    return tt_mip_build_gpu(vk, img, &m, levels, count, gpu_ms);
}

/* Blocks of the job, for tt_bc7_choose_encoder (which measures the rule: src/bc7/bc7_choice.c). */
static double job_blocks(const bc7_ctx *x, const tt_image *img)
{
    double blocks = (double)((img->width + 3) / 4) * ((img->height + 3) / 4);
    if (x->chain && x->mip.levels != 1) blocks *= 4.0 / 3.0; /* the levels below add at most a third */
    return blocks;
}

/* cli_encode_fn: load -> mip chain (if asked) -> encode every level (GPU under the lock, or the C reference) ->
 * write atomically -> re-read, decode and measure every level. */
static void bc7_encode_one(void *ctx, const char *input, const char *output, cli_file_result *r)
{
    bc7_ctx *x = ctx;
    tt_image img = {0}, decoded = {0}, levels[TT_MAX_LEVELS];
    memset(levels, 0, sizeof levels);
    uint32_t count = 0;
    tt_texture tex = {0};
    double gpu_ms = -1, filter_ms = -1, level_ms[TT_MAX_LEVELS] = {-1};
    const char *device_name = "CPU (C reference encoder)";
    int repeats = x->o.benchmark > 0 ? x->o.benchmark : 1;
    if (g_display_level >= 2) {
        char chunks[64];
        cli_png_colour_chunks(input, chunks, sizeof chunks);
        if (chunks[0])
            DISPLAYLEVEL(2, "%s: PNG colour-space chunks: %s%s\n", input, chunks,
                         x->o.srgb ? "" : " (sRGB data? --srgb marks the file sRGB and filters mips in linear light)");
    }
    tt_status st = cli_image_load(input, &x->limits, &img);
    /* --device sets o.gpu. A mip chain in light (--srgb), premultiplied or of normals uses pow, division or sqrt,
     * which Vulkan lets a device round differently from C (a byte off by one, rarely: docs/mips.md): such chains
     * stay on the device, so a run's bytes never depend on the image's size. */
    int inexact_chain = x->chain && (x->mip.srgb || x->mip.premultiply || x->mip.normal_map);
    int auto_pick = !x->o.cpu && !x->o.gpu && !x->o.benchmark && !inexact_chain;
    uint64_t blocks = st == TT_OK ? (uint64_t)job_blocks(x, &img) : 0;
    tt_bc7_encoder_choice choice = st == TT_OK && auto_pick ? tt_bc7_choose_encoder_vk(NULL, blocks, &x->params)
                                                            : TT_BC7_ON_DEVICE;
    int use_c = x->o.cpu || choice != TT_BC7_ON_DEVICE;
    if (choice == TT_BC7_C_SMALL_JOB)
        DISPLAYLEVEL(2, "%s: small image: C encoder (same blocks as the device; --gpu to use it)\n", input);
    else if (choice == TT_BC7_C_NO_GPU) /* no device can beat it: no Vulkan start-up */
        DISPLAYLEVEL(2, "%s: no GPU here (no GPU device node): C encoder (same blocks; --gpu to use a CPU Vulkan device)\n",
                     input);
    cli_gpu *gpu = NULL; /* this worker's device, locked while it is used */
    if (st == TT_OK && !use_c) {
        gpu = cli_gpu_mine(&x->gpu);
        pthread_mutex_lock(&gpu->lock);
        st = cli_gpu_ensure(gpu);
        if (st == TT_OK && auto_pick && tt_bc7_choose_encoder_vk(gpu->vk, blocks, &x->params) == TT_BC7_C_CPU_DEVICE) {
            use_c = 1;
            DISPLAYLEVEL(2, "%s: %s is a CPU device: the C encoder is faster here (same blocks; --gpu to use it)\n",
                         input, gpu->device_name);
        } else if (st == TT_ERR_NO_DEVICE && !x->o.cpu && !x->o.gpu && !x->o.benchmark) { /* no other way */
            use_c = 1;
            st = TT_OK;
            static atomic_int noted;
            if (!atomic_exchange(&noted, 1))
                DISPLAYLEVEL(1, "tinytex: note: no Vulkan device (%s); the C encoder writes the same blocks, slower\n",
                             gpu->error);
        }
        if (use_c) {
            pthread_mutex_unlock(&gpu->lock);
            gpu = NULL;
        }
    }
    if (st == TT_OK && use_c) {
        if (x->chain) st = build_chain(x, use_c, &img, levels, &count, &filter_ms);
        const tt_image *chain = x->chain ? levels : &img;
        if (st == TT_OK) st = tt_bc7_encode_levels_cpu(chain, x->chain ? count : 1, &x->params, &tex);
    } else if (st == TT_OK) {
        device_name = gpu->device_name;
        if (x->chain) st = build_chain(x, use_c, &img, levels, &count, &filter_ms);
        else count = 1;
        if (st == TT_OK)
            st = tt_bc7_encode_levels_gpu(gpu->vk, x->chain ? levels : &img, count, &x->params, repeats, &tex, &gpu_ms,
                                          level_ms);
    }
    if (gpu) pthread_mutex_unlock(&gpu->lock);
    if (st == TT_OK) {
        tex.premultiplied = x->mip.premultiply;
        st = tt_texture_save_opts(output, x->container, &tex, &x->save);
    }
    if (st == TT_OK)
        st = measure_written(x->chain ? levels : &img, x->chain ? count : 1, x->o.normal_map, output, r,
                             x->o.decoded ? &decoded : NULL);
    if (st == TT_OK && x->o.decoded) st = tt_image_save_png(x->o.decoded, &decoded);
    if (st != TT_OK) {
        cli_result_fail(r, tt_status_str(st));
    } else {
        r->status = FILE_OK;
        cJSON_AddStringToObject(r->extra, "container", container_name(x->container));
        cJSON_AddStringToObject(r->extra, "device", device_name);
        if (gpu_ms > 0) {
            double mpix = 0.0;
            for (uint32_t i = 0; i < tex.level_count; i++) mpix += (double)tex.levels[i].width * tex.levels[i].height / 1e6;
            cJSON_AddNumberToObject(r->extra, "gpu_ms", gpu_ms);
            cJSON_AddNumberToObject(r->extra, "mpix_per_s", mpix / (gpu_ms * 1e-3));
        }
        if (x->single) { /* one file, one worker: no other thread writes these */
            x->last_gpu_ms = gpu_ms;
            x->last_filter_ms = filter_ms;
            x->last_level0_ms = level_ms[0];
            x->last_width = img.width;
            x->last_height = img.height;
            x->last_levels = tex.level_count;
        }
    }
    tt_texture_free(&tex);
    tt_image_free(&img);
    tt_image_free(&decoded);
    for (uint32_t i = 0; i < count; i++) tt_image_free(&levels[i]);
}

/* cli_measure_fn: figures for an up-to-date output that is not rewritten: level 0 against the input after the
 * level-0 steps (premultiply, renormalise), built again with the C reference. */
static tt_status bc7_measure_existing(void *ctx, const tt_image *img, const char *output, cli_file_result *r)
{
    bc7_ctx *x = ctx;
    tt_image level0[TT_MAX_LEVELS]; /* tt_mip_build_cpu clears TT_MAX_LEVELS entries, whatever the count asked */
    memset(level0, 0, sizeof level0);
    uint32_t n = 0;
    tt_status st = TT_OK;
    if (x->chain) {
        tt_mip_config m = x->mip;
        m.levels = 1;
        st = tt_mip_build_cpu(img, &m, level0, &n);
    }
    if (st == TT_OK) st = measure_written(x->chain ? level0 : img, 1, x->o.normal_map, output, r, NULL);
    if (st == TT_OK) {
        tt_container c;
        if (tt_container_from_path(output, &c) == 0)
            cJSON_AddStringToObject(r->extra, "container", container_name(c));
    }
    for (uint32_t i = 0; i < n; i++) tt_image_free(&level0[i]);
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
    o->index_trials = x.params.index_trials;
    o->joint_steps = x.params.joint_steps;
    o->lean_search = x.params.lean_search;
    o->final_trials = x.params.final_trials;
    o->partitions = x.params.partitions;
    o->alpha_weight = x.params.alpha_weight;
    int format = -1;
    o->mip_filter = TT_MIP_KAISER;
    o->alpha_coverage = -1.0f;
    o->alpha_test = -1.0f;
    cli_option opts[48] = {
        {"preset", 0, OPT_CHOICE, &o->preset, "NAME", "search effort (docs/bc7.md, Presets)",
         "fastest|fast|medium|thorough|exhaustive", 0, 0},
        {"modes", 0, OPT_STR, &o->modes, "LIST",
         "expert: the BC7 modes blocks may use, e.g. 1,6 or 0-7 (mode 6 is always tried; default from --preset)", NULL, 0, 0},
        {"partitions", 0, OPT_INT, &o->partitions, "N",
         "expert: multi-subset partitions fully encoded per mode (default from --preset: fastest 1, fast and medium 4, thorough 16; medium encodes fewer: see --lean-search)", NULL, 1, 16},
        {"alpha-weight", 0, OPT_FLOAT, &o->alpha_weight, "W", "weight of alpha error against colour error", NULL, 0, 16},
        {"perceptual", 0, OPT_FLAG, &o->perceptual, NULL,
         "weight colour error by luma (R 5 : G 9 : B 2) instead of equally; lowers RGB PSNR", NULL, 0, 0},
        {"loose-alpha", 0, OPT_FLAG, &o->loose_alpha, NULL,
         "opaque images: ignore alpha error in mode 6, so alpha may decode 254 (bc7enc's rule; higher RGB PSNR); default: alpha exactly 255", NULL, 0, 0},
        {"srgb", 0, OPT_FLAG, &o->srgb, NULL,
         "the data are sRGB: mark the file sRGB (DXGI 99 / VK_FORMAT 146) and filter mips in linear light; default linear UNORM", NULL, 0, 0},
        {"mipmaps", 0, OPT_FLAG, &o->mipmaps, NULL, "write the full mip chain down to 1x1, every level encoded (docs/mips.md)", NULL, 0, 0},
        {"mip-levels", 0, OPT_INT, &o->mip_levels, "N", "write N levels (implies --mipmaps; fewer if the chain is shorter)", NULL, 1, TT_MAX_LEVELS},
        {"mip-filter", 0, OPT_CHOICE, &o->mip_filter, "F", "mip filter", "box|kaiser|lanczos", 0, 0},
        {"premultiply", 0, OPT_FLAG, &o->premultiply, NULL,
         "store colour premultiplied by alpha (DDS alpha mode 2, KTX2 DFD flag); PSNR is then on the premultiplied values", NULL, 0, 0},
        {"alpha-coverage", 0, OPT_FLOAT, &o->alpha_coverage, "REF",
         "keep the share of texels with alpha >= REF (0..1) of level 0 on every mip level, filtered and encoded (alpha-tested cutouts; implies --alpha-test REF)", NULL, 0, 1},
        {"alpha-test", 0, OPT_FLOAT, &o->alpha_test, "REF",
         "re-encode blocks where a texel decodes on the other side of alpha >= REF (0..1) than the input", NULL, 0, 1},
        {"normal-map", 0, OPT_FLAG, &o->normal_map, NULL,
         "RGB is a unit vector: mips averaged and renormalised, mean angular error reported", NULL, 0, 0},
        {"zstd", 0, OPT_INT, &o->zstd, "LEVEL", "KTX2 with Zstandard supercompression at LEVEL (1..22)", NULL, 1, 22},
        {"no-refine", 0, OPT_FLAG, &o->no_refine, NULL, "PCA endpoints only: no Nelder-Mead, no refit, mode 6 only", NULL, 0, 0},
        {"no-refit", 0, OPT_FLAG, &o->no_refit, NULL, "skip the least-squares refit, p-bit search and other modes after Nelder-Mead", NULL, 0, 0},
        {"good-enough", 0, OPT_FLOAT, &o->good_enough, "LOSS",
         "skip refinement of blocks whose PCA loss (sum of squared RGBA error) is below LOSS", NULL, 0, 16},
        {"nm-iterations", 0, OPT_INT, &o->nm_iterations, "N", "Nelder-Mead iterations (default from --preset: medium 8, fastest 24, fast and thorough 64, exhaustive 128)", NULL, 0, 10000},
        {"index-trials", 0, OPT_INT, &o->index_trials, "N",
         "least-squares refits from perturbed indices: 0 none, 1 ends moved in, 2-3 also rescaled (default from --preset: fastest and medium 0, fast 1, thorough 3)", NULL, 0, 3},
        {"final-trials", 0, OPT_INT, &o->final_trials, "N",
         "index trials (as --index-trials) and a +-1 pass for each block's final choice only (default from --preset: medium 3, others 0)", NULL, 0, 3},
        {"joint-steps", 0, OPT_INT, &o->joint_steps, "0|1",
         "endpoint polish also steps all channels of one endpoint together (default from --preset: fastest 0, others 1)", NULL, 0, 1},
        {"lean-search", 0, OPT_INT, &o->lean_search, "0|1",
         "expert: modes 0-3 encode a quarter and mode 7 half of --partitions, modes 0, 3, 7 take the p-bits that round each endpoint best, and blocks with little error after mode 6 skip modes 0 and 2 (default from --preset: medium 1, others 0)", NULL, 0, 1},
        {"decoded", 0, OPT_STR, &o->decoded, "FILE.png", "also write the image decoded from the output (one input only)", NULL, 0, 0},
        {"benchmark", 0, OPT_INT, &o->benchmark, "N", "encode N times on the GPU and print GPU time and Mpix/s (one input only)", NULL, 0, 100000},
        {"cpu", 0, OPT_FLAG, &o->cpu, NULL, "always use the C encoder (same blocks; slower than a GPU on large images)", NULL, 0, 0},
        {"gpu", 0, OPT_FLAG, &o->gpu, NULL,
         "always use the Vulkan device (default: images too small to repay its start-up go to the C encoder)", NULL, 0, 0},
        {"format", 0, OPT_CHOICE, &format, "FMT", "container of the files written into an output folder", "dds|ktx2", 0, 0},
    };
    int nown = 0;
    while (opts[nown].long_name) nown++;
    int nopts = cli_add_common_options(opts, nown, CLI_OPTS_CAPACITY(opts), &c);
    for (int k = 0; k < nopts; k++)
        if (strcmp(opts[k].long_name, "output") == 0) {
            opts[k].arg_name = "PATH";
            opts[k].help = "output file (.dds/.ktx2); with several inputs or a folder, the output folder";
        } else if (strcmp(opts[k].long_name, "min-psnr") == 0) {
            opts[k].help = "exit 3 if any file's RGB PSNR is below DB (outputs still written)";
        }
    cli_batch_args args;
    int rc = cli_batch_parse_args(argc, argv, opts, nopts, CLI_OPTS_CAPACITY(opts), &c, USAGE, DESCRIPTION, "OUTPUT.dds or -o OUTPUT.ktx2", &args);
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
    if (o->cpu && o->gpu) { cli_error("--cpu and --gpu contradict each other; give one"); goto done; }
    if (o->cpu && o->benchmark) { cli_error("--benchmark measures the GPU encoder; drop --cpu"); goto done; }
    if (o->cpu && (c.device >= 0 || c.no_cache)) {
        cli_error("%s: --cpu uses no Vulkan device", c.device >= 0 ? "--device" : "--no-cache");
        goto done;
    }
    if (c.device >= 0 || c.device_list) o->gpu = 1; /* a device named on the command line is used, small job or not */
    if (o->no_refine && (cli_option_given(argc, argv, "nm-iterations") || cli_option_given(argc, argv, "good-enough"))) {
        cli_error("--nm-iterations and --good-enough tune the refinement, which --no-refine skips");
        goto done;
    }
    if (cli_require_extension(o->decoded, "png", "--decoded", "PNG", 0) != EXIT_OK) goto done;
    cli_apply_common(&c, &x.limits);
    tt_bc7_config_preset(&x.params, (tt_bc7_preset)o->preset);
    if (o->modes && parse_modes(o->modes, &x.params.modes) != 0) {
        cli_error("--modes %s: give mode numbers 0-7 separated by commas, or ranges such as 0-7", o->modes);
        goto done;
    }
    /* an expert option given explicitly overrides the preset's value */
    if (cli_option_given(argc, argv, "partitions")) {
        if (!(x.params.modes & 0x8Fu)) { /* modes 0-3, 7: the only ones with partitions */
            cli_error("--partitions: the mode set has no multi-subset mode (0-3, 7) for it to apply to");
            goto done;
        }
        x.params.partitions = o->partitions;
    }
    if (cli_option_given(argc, argv, "nm-iterations")) x.params.nm_iterations = o->nm_iterations;
    /* both act in the polish after the refit; index trials below 2 only in the multi-subset modes (0-3, 7) */
    if ((o->no_refit || o->no_refine) && (cli_option_given(argc, argv, "index-trials") ||
                                          cli_option_given(argc, argv, "joint-steps") ||
                                          cli_option_given(argc, argv, "final-trials"))) {
        cli_error("--index-trials, --final-trials and --joint-steps act after the refit, which --no-refit/--no-refine skip");
        goto done;
    }
    if (cli_option_given(argc, argv, "index-trials")) {
        if (o->index_trials < 2 && !(x.params.modes & 0x8Fu)) {
            cli_error("--index-trials %d: the mode set has no multi-subset mode (0-3, 7); mode 6 takes trials from 2",
                      o->index_trials);
            goto done;
        }
        x.params.index_trials = o->index_trials;
    }
    if (cli_option_given(argc, argv, "joint-steps")) x.params.joint_steps = o->joint_steps;
    if (cli_option_given(argc, argv, "final-trials")) x.params.final_trials = o->final_trials;
    if (cli_option_given(argc, argv, "lean-search")) {
        if (o->lean_search && !(x.params.modes & 0x8Fu)) { /* it trims modes 0, 1, 2, 3 and 7 only */
            cli_error("--lean-search 1: the mode set has none of the modes it trims (0, 1, 2, 3, 7)");
            goto done;
        }
        x.params.lean_search = o->lean_search;
    }
    if (cli_option_given(argc, argv, "good-enough")) x.params.good_enough = o->good_enough;
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
    /* mip chain and texture options */
    if (o->mip_levels > 0) o->mipmaps = 1;
    if (!o->mipmaps && cli_option_given(argc, argv, "mip-filter")) {
        cli_error("--mip-filter: no mip chain is built; add --mipmaps");
        goto done;
    }
    if (!o->mipmaps && o->alpha_coverage >= 0.0f) {
        cli_error("--alpha-coverage acts on mip levels; add --mipmaps");
        goto done;
    }
    if (o->normal_map && (o->srgb || o->perceptual || o->premultiply)) {
        cli_error("--normal-map: a normal map is linear vector data; drop %s",
                  o->srgb ? "--srgb" : (o->perceptual ? "--perceptual" : "--premultiply"));
        goto done;
    }
    if (o->zstd && x.container != TT_CONTAINER_KTX2) {
        cli_error("--zstd supercompresses KTX2 files; DDS has no supercompression (write .ktx2%s)",
                  single ? "" : " with --format ktx2");
        goto done;
    }
    tt_mip_config_init(&x.mip);
    x.mip.levels = o->mipmaps ? (uint32_t)o->mip_levels : 1u;
    x.mip.filter = (tt_mip_filter)o->mip_filter;
    x.mip.srgb = o->srgb;
    x.mip.premultiply = o->premultiply;
    x.mip.alpha_coverage = o->alpha_coverage;
    x.params.alpha_test = o->alpha_test >= 0.0f ? o->alpha_test : o->alpha_coverage;
    x.mip.normal_map = o->normal_map;
    x.chain = o->mipmaps || o->premultiply || o->normal_map;
    tt_save_options_init(&x.save);
    x.save.zstd_level = o->zstd;
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
    /* What changes the bytes written (not --cpu: the C reference writes the same blocks; not --jobs, -q, ...). */
    char request[512];
    snprintf(request, sizeof request,
             "command=bc7 container=%s modes=0x%02x refine=%d refit=%d good_enough=%.9g nm_iterations=%d "
             "partitions=%d lean_search=%d polish_passes=%d index_trials=%d final_trials=%d full_mode6=%d joint_steps=%d srgb=%d "
             "alpha_weight=%.9g "
             "perceptual=%d loose_alpha=%d alpha_test=%.9g mip_levels=%u mip_filter=%d premultiply=%d "
             "alpha_coverage=%.9g normal_map=%d zstd=%d",
             container_name(x.container), x.params.modes, x.params.refine, x.params.refit, x.params.good_enough,
             x.params.nm_iterations, x.params.partitions, x.params.lean_search, x.params.polish_passes, x.params.index_trials,
             x.params.final_trials,
             x.params.full_mode6, x.params.joint_steps, x.params.srgb, x.params.alpha_weight, x.params.perceptual,
             x.params.loose_alpha, x.params.alpha_test, x.chain ? x.mip.levels : 1u, x.mip.filter, x.mip.premultiply,
             x.mip.alpha_coverage, x.mip.normal_map, x.save.zstd_level);
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
        .extra_paths = &(cli_path_role){o->decoded, "--decoded", 1, 0},
        .n_extra_paths = 1,
        .request = request,
    };
    rc = cli_batch_run(&spec, args.inputs, args.n_inputs);

    if (single && o->benchmark > 0 && x.last_width > 0) {
        double mpix = (double)x.last_width * x.last_height / 1e6;
        const char *name = x.gpu.device_name ? x.gpu.device_name : "the device";
        if (x.last_gpu_ms > 0 && x.last_levels > 1 && x.last_filter_ms >= 0 && x.last_level0_ms > 0) {
            /* the chain's cost against level 0 alone: what mip mapping adds (filter once; encodes mean of N runs) */
            double chain = x.last_filter_ms + x.last_gpu_ms;
            printf("benchmark: %d runs on %s: %.3f ms GPU time per chain of %u levels (filter %.3f ms + encode "
                   "%.3f ms), level 0 alone %.3f ms (%.1f Mpix/s): chain / level 0 = %.3fx\n",
                   o->benchmark, name, chain, x.last_levels, x.last_filter_ms, x.last_gpu_ms, x.last_level0_ms,
                   mpix / (x.last_level0_ms * 1e-3), chain / x.last_level0_ms);
        } else if (x.last_gpu_ms > 0 && x.last_levels > 1)
            printf("benchmark: %d runs on %s: %.3f ms GPU time per image (%u levels encoded; the mip filter not "
                   "included), %.1f Mpix/s of level 0\n", o->benchmark, name, x.last_gpu_ms, x.last_levels,
                   mpix / (x.last_gpu_ms * 1e-3));
        else if (x.last_gpu_ms > 0)
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
