/* cli_decode.c - `tinytex decode`: rebuilds a PNG from a .dds/.ktx2 BC7 texture (any mip level, or all) or a .tnx model. */
#include "cli.h"
#include "cli_batch.h"
#include "cli_load.h"
#include "cli_paths.h"
#include "bc7/tt_bc7_gpu.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const char USAGE[] = "tinytex decode INPUT.dds|INPUT.ktx2|INPUT.tnx -o OUTPUT.png [options]";

/* --json of a texture or image decode: what was read and written (a .tnx decode writes its own, cli_tnx.c). */
static int decode_report(const cli_common *c, uint32_t width, uint32_t height, uint32_t level, const uint32_t *last,
                         int sampler)
{
    if (!c->json) return EXIT_OK;
    cJSON *r = cli_report_new("decode");
    if (!r) { cli_error("out of memory building the report"); return EXIT_RUNTIME; }
    cJSON_AddStringToObject(r, "input", c->input);
    cJSON_AddStringToObject(r, "output", c->output);
    cJSON_AddNumberToObject(r, "width", width);
    cJSON_AddNumberToObject(r, "height", height);
    cJSON_AddNumberToObject(r, "level", level);
    if (last) cJSON_AddNumberToObject(r, "last_level", *last);
    cJSON_AddStringToObject(r, "decoder", sampler ? "sampler" : "tinytex");
    long long bytes = cli_file_size(c->output);
    cJSON_AddNumberToObject(r, "output_bytes", bytes > 0 ? (double)bytes : 0);
    int rc = cli_report_write(c->json, r);
    cJSON_Delete(r);
    return rc;
}

int cmd_decode(int argc, char **argv)
{
    if (cli_decode_wants_bc7(argc, argv)) return cmd_decode_bc7(argc, argv); /* .tnx -> BC7 on the GPU */
    cli_common c;
    cli_common_init(&c);
    int sampler = 0, level = 0, all_levels = 0, layer = -1, face = -1;
    cli_option opts[20] = {
        {"sampler", 0, OPT_FLAG, &sampler, NULL,
         "decode a BC7 texture with the Vulkan device's own texture sampler instead of tinytex's C decoder", NULL, 0, 0},
        {"level", 0, OPT_INT, &level, "N", "decode mip level N", NULL, 0, TT_MAX_LEVELS - 1},
        {"all-levels", 0, OPT_FLAG, &all_levels, NULL,
         "decode every mip level: OUTPUT.png names level 0, OUTPUT-1.png level 1, and so on", NULL, 0, 0},
        {"layer", 0, OPT_INT, &layer, "N", "decode array layer N of a texture array (an array must be given one)",
         NULL, 0, 0x7fffffff},
        {"face", 0, OPT_INT, &face, "N",
         "decode cube map face N (0..5: +X -X +Y -Y +Z -Z; a cube map must be given one)", NULL, 0, 5},
    };
    cli_add_common_options(opts, 5, CLI_OPTS_CAPACITY(opts), &c);
    cli_refuse_option(opts, "min-psnr",
                      "decode has no reference image to measure against; use 'tinytex compare REFERENCE OUTPUT.png --min-psnr DB'");
    const char *pos[1];
    int npos = 0;
    int rc = cli_parse(argc, argv, opts, pos, 1, &npos);
    if (rc != EXIT_OK) return rc;
    if (c.help) {
        cli_print_help(stdout, USAGE,
                       "Decodes a BC7 texture (DDS or KTX2, any BC7 mode, any encoder) with tinytex's C decoder\n"
                       "(or, with --sampler, the GPU's texture unit: an independent decoder), or rebuilds the image\n"
                       "stored in a .tnx model on the GPU, and writes a PNG. A .tnx with -o OUT.dds|OUT.ktx2 goes\n"
                       "straight to BC7 on the GPU (decode MODEL.tnx -o OUT.dds --help lists its options).", opts);
        return EXIT_OK;
    }
    if (npos == 1 && c.input) { cli_error("two inputs (-i %s and %s): decode takes one", c.input, pos[0]); return EXIT_USAGE; }
    if (npos == 1) c.input = pos[0];
    if (!c.input) { cli_error("no input file (usage: %s)", USAGE); return EXIT_USAGE; }
    if (!c.output) { cli_error("no output file: give -o OUTPUT.png"); return EXIT_USAGE; }
    char ext[16];
    if (strcmp(cli_extension(c.output, ext, sizeof ext), "png") != 0) {
        cli_error("%s: decode writes PNG; use a .png output name", c.output);
        return EXIT_USAGE;
    }
    if (cli_require_extension(c.json, "json", "--json", "JSON", 1) != EXIT_OK) return EXIT_USAGE;
    {
        cli_path_set set = {0};
        cli_paths_add(&set, c.input, "input", 0);
        cli_paths_add(&set, c.output, "-o", 1);
        cli_paths_add(&set, c.json, "--json", 1);
        /* --all-levels writes OUTPUT-1.png, OUTPUT-2.png, ...: every name a texture could need, before it is read */
        char level_names[TT_MAX_LEVELS][PATH_MAX];
        size_t stem = strlen(c.output) - 4; /* ".png" */
        for (uint32_t i = 1; all_levels && i < TT_MAX_LEVELS; i++)
            if (snprintf(level_names[i], sizeof level_names[i], "%.*s-%u.png", (int)stem, c.output, i) <
                (int)sizeof level_names[i])
                cli_paths_add(&set, level_names[i], "--all-levels output", 1);
        rc = cli_paths_check(&set);
        cli_paths_free(&set);
        if (rc != EXIT_OK) return rc;
    }
    tt_image_limits limits;
    cli_apply_common(&c, &limits);
    if (level && all_levels) { cli_error("--level and --all-levels exclude each other"); return EXIT_USAGE; }
    cli_file_kind kind = cli_sniff(c.input);
    if (kind == CLI_FILE_TNX) {
        if (sampler) { cli_error("--sampler decodes BC7 textures; %s is a .tnx model", c.input); return EXIT_USAGE; }
        if (level || all_levels) { cli_error("%s is a .tnx model: it has no mip levels", c.input); return EXIT_USAGE; }
        if (layer >= 0 || face >= 0) {
            cli_error("%s is a .tnx model: it has no layers or faces", c.input);
            return EXIT_USAGE;
        }
        return cli_decode_tnx(c.input, c.output, &c);
    }
    /* The C decoder and images use no Vulkan device: --device and --no-cache would do nothing there. */
    if (kind != CLI_FILE_TNX && !sampler && (c.device >= 0 || c.no_cache)) {
        cli_error("%s: tinytex's C decoder uses no Vulkan device; --device and --no-cache apply to .tnx inputs and --sampler",
                  c.device >= 0 ? "--device" : "--no-cache");
        return EXIT_USAGE;
    }
    if (kind != CLI_FILE_DDS && kind != CLI_FILE_KTX2 && (sampler || all_levels)) {
        tt_image probe = {0};
        tt_status st = cli_load_picture(c.input, &limits, &probe); /* names the reason an unreadable file fails */
        tt_image_free(&probe);
        if (st != TT_OK) return cli_fail_status(st);
        cli_error("%s is an image, not a BC7 texture: %s needs a .dds or .ktx2 input", c.input,
                  sampler ? "--sampler" : "--all-levels");
        return EXIT_USAGE;
    }
    tt_texture_pick pick_storage;
    const tt_texture_pick *pick = cli_pick(layer, face, &pick_storage);
    if (kind != CLI_FILE_DDS && kind != CLI_FILE_KTX2) {
        tt_image img = {0};
        tt_status st = cli_load_picture_level(c.input, &limits, (uint32_t)level, pick, &img);
        if (st == TT_OK) st = tt_image_save_png(c.output, &img);
        if (st == TT_OK) DISPLAYLEVEL(1, "%s -> %s: %ux%u\n", c.input, c.output, img.width, img.height);
        int rc_json = st == TT_OK ? decode_report(&c, img.width, img.height, 0, NULL, 0) : EXIT_OK;
        tt_image_free(&img);
        return st == TT_OK ? rc_json : cli_fail_status(st);
    }
    /* A texture: the levels asked for, by the C decoder or the device's sampler (all levels at once). */
    tt_texture tex = {0};
    tt_image imgs[TT_MAX_LEVELS];
    memset(imgs, 0, sizeof imgs);
    tt_vk *vk = NULL;
    char *name = NULL;
    tt_status st = tt_texture_load_pick(c.input, &limits, pick, &tex, NULL);
    uint32_t first = (uint32_t)level, last = all_levels ? tex.level_count - 1 : (uint32_t)level;
    if (st == TT_OK && first >= tex.level_count)
        st = tt_fail(TT_ERR_INVALID_ARG, "%s: no mip level %u (the texture has %u level%s)", c.input, first,
                     tex.level_count, tex.level_count == 1 ? "" : "s");
    for (uint32_t i = 0; st == TT_OK && i < tex.level_count; i++)
        st = tt_image_alloc(&imgs[i], tex.levels[i].width, tex.levels[i].height);
    if (st == TT_OK && sampler) {
        uint8_t *outs[TT_MAX_LEVELS];
        for (uint32_t i = 0; i < tex.level_count; i++) outs[i] = imgs[i].rgba;
        st = cli_vk_create(c.device, &vk);
        if (st == TT_OK) st = tt_bc7_decode_sampler_levels(vk, &tex, outs);
    }
    size_t stem = strlen(c.output) - 4; /* ".png" */
    name = malloc(stem + 16);
    if (st == TT_OK && !name) st = tt_fail(TT_ERR_NOMEM, "decode: out of memory");
    for (uint32_t i = first; st == TT_OK && i <= last; i++) {
        if (!sampler) {
            tt_image_free(&imgs[i]);
            st = tt_texture_decode(&tex, i, &imgs[i]);
        }
        if (i == 0 || !all_levels) snprintf(name, stem + 16, "%s", c.output);
        else snprintf(name, stem + 16, "%.*s-%u.png", (int)stem, c.output, i);
        if (st == TT_OK) st = tt_image_save_png(name, &imgs[i]);
        if (st == TT_OK)
            DISPLAYLEVEL(1, "%s level %u -> %s: %ux%u\n", c.input, i, name, imgs[i].width, imgs[i].height);
    }
    int rc_json = st == TT_OK ? decode_report(&c, tex.width, tex.height, first, all_levels ? &last : NULL, sampler)
                              : EXIT_OK;
    if (vk) tt_vk_destroy(vk);
    for (uint32_t i = 0; i < TT_MAX_LEVELS; i++) tt_image_free(&imgs[i]);
    tt_texture_free(&tex);
    free(name);
    return st == TT_OK ? rc_json : cli_fail_status(st);
}
