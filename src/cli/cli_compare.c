/* cli_compare.c - `tinytex compare`: PSNR and max error between two pictures, with an error heatmap and a side-by-side figure. */
#include "cli.h"
#include "cli_load.h"
#include "cli_paths.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char USAGE[] = "tinytex compare REFERENCE TEST [--heatmap OUT.png] [--figure OUT.png] [options]";

/* Maps t in [0,1] to a perceptual dark-blue -> yellow ramp (viridis-like,
 * 5 control points, linear in between). */
static void ramp(double t, uint8_t rgb[3])
{
    static const double k[5][3] = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
    if (t < 0) t = 0;
    if (t > 1) t = 1;
    double x = t * 4.0;
    int i = (int)x;
    if (i > 3) i = 3;
    double f = x - i;
    for (int ch = 0; ch < 3; ch++) rgb[ch] = (uint8_t)lround(k[i][ch] + (k[i + 1][ch] - k[i][ch]) * f);
}

/* Heatmap color of pixel i: the max absolute error over `channels`, with the
 * scale saturating at `full_scale` (0..255) so small errors stay visible. */
static void heat_pixel(const tt_image *a, const tt_image *b, size_t i, int channels, int full_scale, uint8_t out[4])
{
    int e = 0;
    for (int ch = 0; ch < channels; ch++) {
        int d = abs((int)a->rgba[4 * i + ch] - (int)b->rgba[4 * i + ch]);
        if (d > e) e = d;
    }
    ramp((double)e / full_scale, out);
    out[3] = 255;
}

static tt_status write_heatmap(const char *path, const tt_image *a, const tt_image *b, int channels, int full_scale)
{
    tt_image h;
    tt_status st = tt_image_alloc(&h, a->width, a->height);
    if (st != TT_OK) return st;
    size_t n = (size_t)a->width * a->height;
    for (size_t i = 0; i < n; i++) heat_pixel(a, b, i, channels, full_scale, &h.rgba[4 * i]);
    st = tt_image_save_png(path, &h);
    tt_image_free(&h);
    return st;
}

/* Side-by-side figure: reference | test | error heatmap, `gap` white pixels
 * apart. Pictures with alpha are shown over a grey checkerboard, so the
 * figure is opaque and transparency stays visible. */
static tt_status write_figure(const char *path, const tt_image *a, const tt_image *b, int channels, int full_scale,
                              int gap, int show_alpha)
{
    uint64_t fw64 = 3ull * a->width + 2ull * (uint64_t)gap;
    if (fw64 > 0xffffffffull) return tt_fail(TT_ERR_LIMIT, "%s: a figure %llu pixels wide is too large", path,
                                             (unsigned long long)fw64);
    uint32_t fw = (uint32_t)fw64, w = a->width, h = a->height;
    tt_image f;
    tt_status st = tt_image_alloc(&f, fw, h);
    if (st != TT_OK) return st;
    memset(f.rgba, 255, (size_t)fw * h * 4);
    const tt_image *panels[2] = {a, b};
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            size_t i = (size_t)y * w + x;
            for (int p = 0; p < 2; p++) {
                const uint8_t *src = &panels[p]->rgba[4 * i];
                uint8_t *dst = &f.rgba[4 * ((size_t)y * fw + (size_t)p * (w + (uint32_t)gap) + x)];
                if (show_alpha) {
                    /* 8x8 checkerboard of two light greys under the picture. */
                    int bg = (((x >> 3) ^ (y >> 3)) & 1) ? 204 : 153;
                    for (int ch = 0; ch < 3; ch++)
                        dst[ch] = (uint8_t)((src[ch] * src[3] + bg * (255 - src[3]) + 127) / 255);
                } else {
                    memcpy(dst, src, 3);
                }
                dst[3] = 255;
            }
            heat_pixel(a, b, i, channels, full_scale, &f.rgba[4 * ((size_t)y * fw + 2 * ((size_t)w + (uint32_t)gap) + x)]);
        }
    st = tt_image_save_png(path, &f);
    tt_image_free(&f);
    return st;
}

int cmd_compare(int argc, char **argv)
{
    cli_common c;
    cli_common_init(&c);
    const char *heatmap = NULL;
    const char *figure = NULL;
    int scale = 32, gap = 8, level = 0, normal_map = 0, layer = -1, face = -1;
    cli_option opts[20] = {
        {"level", 0, OPT_INT, &level, "N", "compare mip level N of the textures (default 0; an image is compared whole)", NULL, 0, TT_MAX_LEVELS - 1},
        {"layer", 0, OPT_INT, &layer, "N", "compare array layer N of texture arrays (an array must be given one)", NULL, 0, 0x7fffffff},
        {"face", 0, OPT_INT, &face, "N", "compare cube map face N (0..5: +X -X +Y -Y +Z -Z; a cube map must be given one)", NULL, 0, 5},
        {"normal-map", 0, OPT_FLAG, &normal_map, NULL, "also report the mean and max angle between the RGB vectors (normal maps)", NULL, 0, 0},
        {"heatmap", 0, OPT_STR, &heatmap, "OUT.png", "write a heatmap of the per-pixel max absolute error", NULL, 0, 0},
        {"heatmap-scale", 0, OPT_INT, &scale, "N", "error that maps to the top of the heatmap's color ramp", NULL, 1, 255},
        {"figure", 0, OPT_STR, &figure, "OUT.png", "write a side-by-side figure: REFERENCE | TEST | error heatmap", NULL, 0, 0},
        {"figure-gap", 0, OPT_INT, &gap, "N", "white pixels between the figure's panels", NULL, 0, 256},
    };
    c.cpu_only = 1;
    cli_add_common_options(opts, 8, CLI_OPTS_CAPACITY(opts), &c);
    cli_refuse_option(opts, "output", "compare writes no file from -o: use --heatmap OUT.png or --figure OUT.png");
    cli_refuse_option(opts, "input", "compare takes REFERENCE and TEST as its two arguments");
    cli_refuse_option(opts, "device", "compare runs on the CPU and uses no Vulkan device");
    const char *pos[2];
    int npos = 0;
    int rc = cli_parse(argc, argv, opts, pos, 2, &npos);
    if (rc != EXIT_OK) return rc;
    if (c.help) {
        cli_print_help(stdout, USAGE,
                       "Compares two pictures of the same size: images (PNG, JPEG, ...) or BC7 textures (DDS, KTX2,\n"
                       "decoded first). Prints RGB PSNR (values/255, MSE over pixels and R,G,B), RGBA PSNR when\n"
                       "either has alpha, and the max absolute error. --heatmap writes the per-pixel max absolute\n"
                       "error as a color ramp (dark blue = 0, yellow = --heatmap-scale or more); --figure writes\n"
                       "REFERENCE | TEST | heatmap side by side (width 3*W + 2*gap, height H).", opts);
        return EXIT_OK;
    }
    if (npos != 2) { cli_error("compare needs two files (usage: %s)", USAGE); return EXIT_USAGE; }
    if (cli_require_extension(heatmap, "png", "--heatmap", "PNG", 0) != EXIT_OK ||
        cli_require_extension(figure, "png", "--figure", "PNG", 0) != EXIT_OK ||
        cli_require_extension(c.json, "json", "--json", "JSON", 1) != EXIT_OK)
        return EXIT_USAGE;
    {
        cli_path_set set = {0};
        cli_paths_add(&set, pos[0], "REFERENCE", 0);
        cli_paths_add(&set, pos[1], "TEST", 0);
        cli_paths_add(&set, heatmap, "--heatmap", 1);
        cli_paths_add(&set, figure, "--figure", 1);
        cli_paths_add(&set, c.json, "--json", 1);
        rc = cli_paths_check(&set);
        cli_paths_free(&set);
        if (rc != EXIT_OK) return rc;
    }
    tt_image_limits limits;
    cli_apply_common(&c, &limits);
    tt_image a = {0}, b = {0};
    cJSON *report = NULL;
    /* --level, --layer and --face pick inside the textures; an image (PNG, ...) is compared whole. */
    tt_texture_pick pick_storage;
    const tt_texture_pick *pick = cli_pick(layer, face, &pick_storage);
    int texture[2];
    for (int k = 0; k < 2; k++) {
        cli_file_kind kind = cli_sniff(pos[k]);
        texture[k] = kind == CLI_FILE_DDS || kind == CLI_FILE_KTX2;
    }
    if ((level || pick) && !texture[0] && !texture[1]) {
        cli_error("--level, --layer and --face pick inside a .dds/.ktx2 texture; neither %s nor %s is one", pos[0],
                  pos[1]);
        return EXIT_USAGE;
    }
    tt_status st = cli_load_picture_level(pos[0], &limits, texture[0] ? (uint32_t)level : 0, texture[0] ? pick : NULL, &a);
    if (st == TT_OK)
        st = cli_load_picture_level(pos[1], &limits, texture[1] ? (uint32_t)level : 0, texture[1] ? pick : NULL, &b);
    if (st != TT_OK) { rc = cli_fail_status(st); goto cleanup; }
    if (a.width != b.width || a.height != b.height) {
        cli_error("%s is %ux%u but %s is %ux%u: sizes differ", pos[0], a.width, a.height, pos[1], b.width, b.height);
        rc = EXIT_RUNTIME;
        goto cleanup;
    }
    tt_metrics m;
    double mean_deg = 0.0, max_deg = 0.0;
    st = tt_compare_images(&a, &b, &m);
    if (st == TT_OK && normal_map) st = tt_normal_angle_error(&a, &b, &mean_deg, &max_deg);
    if (st != TT_OK) { rc = cli_fail_status(st); goto cleanup; }
    if (heatmap) {
        st = write_heatmap(heatmap, &a, &b, m.has_alpha ? 4 : 3, scale);
        if (st != TT_OK) { rc = cli_fail_status(st); goto cleanup; }
    }
    if (figure) {
        st = write_figure(figure, &a, &b, m.has_alpha ? 4 : 3, scale, gap, m.has_alpha);
        if (st != TT_OK) { rc = cli_fail_status(st); goto cleanup; }
    }
    if (g_display_level >= 1) {
        printf("RGB PSNR %.2f dB, max error %d", m.psnr_rgb, m.max_abs_err_rgb);
        if (m.has_alpha) printf("; RGBA PSNR %.2f dB, max error %d", m.psnr_rgba, m.max_abs_err_rgba);
        if (normal_map) printf("; normals: mean %.3f deg, max %.3f deg", mean_deg, max_deg);
        printf(" (%ux%u%s)\n", a.width, a.height, level ? ", the given level" : "");
    }
    if (c.json) {
        report = cli_report_new("compare");
        cJSON_AddStringToObject(report, "reference", pos[0]);
        cJSON_AddStringToObject(report, "test", pos[1]);
        cli_report_add_result(report, a.width, a.height, &m, (uint64_t)(cli_file_size(pos[1]) > 0 ? cli_file_size(pos[1]) : 0), 0);
        cJSON_AddNumberToObject(report, "level", level);
        if (normal_map) {
            cJSON_AddNumberToObject(report, "normal_mean_deg", mean_deg);
            cJSON_AddNumberToObject(report, "normal_max_deg", max_deg);
        }
        rc = cli_report_write(c.json, report);
        if (rc != EXIT_OK) goto cleanup;
    }
    rc = cli_check_min_psnr(&c, m.psnr_rgb);
cleanup:
    cJSON_Delete(report);
    tt_image_free(&a);
    tt_image_free(&b);
    return rc;
}
