/* cli_decode.c - `tinytex decode`: rebuilds a PNG from a .dds/.ktx2 BC7 texture (any mip level, or all) or a .tnx model. */
#include "cli.h"
#include "cli_batch.h"
#include "cli_load.h"
#include "bc7/tt_bc7_gpu.h"

#include <stdlib.h>
#include <string.h>

static const char USAGE[] = "tinytex decode INPUT.dds|INPUT.ktx2|INPUT.tnx -o OUTPUT.png [options]";

int cmd_decode(int argc, char **argv)
{
    if (cli_decode_wants_bc7(argc, argv)) return cmd_decode_bc7(argc, argv); /* .tnx -> BC7 on the GPU */
    cli_common c;
    cli_common_init(&c);
    int sampler = 0, level = 0, all_levels = 0;
    cli_option opts[16] = {
        {"sampler", 0, OPT_FLAG, &sampler, NULL,
         "decode a BC7 texture with the Vulkan device's own texture sampler instead of tinytex's C decoder", NULL, 0, 0},
        {"level", 0, OPT_INT, &level, "N", "decode mip level N (default 0)", NULL, 0, TT_MAX_LEVELS - 1},
        {"all-levels", 0, OPT_FLAG, &all_levels, NULL,
         "decode every mip level: OUTPUT.png names level 0, OUTPUT-1.png level 1, and so on", NULL, 0, 0},
    };
    cli_add_common_options(opts, 3, &c);
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
    if (npos == 1) c.input = pos[0];
    if (!c.input) { cli_error("no input file (usage: %s)", USAGE); return EXIT_USAGE; }
    if (!c.output) { cli_error("no output file: give -o OUTPUT.png"); return EXIT_USAGE; }
    char ext[16];
    if (strcmp(cli_extension(c.output, ext, sizeof ext), "png") != 0) {
        cli_error("%s: decode writes PNG; use a .png output name", c.output);
        return EXIT_USAGE;
    }
    tt_image_limits limits;
    cli_apply_common(&c, &limits);
    if (level && all_levels) { cli_error("--level and --all-levels exclude each other"); return EXIT_USAGE; }
    cli_file_kind kind = cli_sniff(c.input);
    if (kind == CLI_FILE_TNX) {
        if (sampler) { cli_error("--sampler decodes BC7 textures; %s is a .tnx model", c.input); return EXIT_USAGE; }
        if (level || all_levels) { cli_error("%s is a .tnx model: it has no mip levels", c.input); return EXIT_USAGE; }
        return cli_decode_tnx(c.input, c.output, &c);
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
    if (kind != CLI_FILE_DDS && kind != CLI_FILE_KTX2) {
        tt_image img = {0};
        tt_status st = cli_load_picture_level(c.input, &limits, (uint32_t)level, &img);
        if (st == TT_OK) st = tt_image_save_png(c.output, &img);
        if (st == TT_OK) DISPLAYLEVEL(1, "%s -> %s: %ux%u\n", c.input, c.output, img.width, img.height);
        tt_image_free(&img);
        return st == TT_OK ? EXIT_OK : cli_fail_status(st);
    }
    /* A texture: the levels asked for, by the C decoder or the device's sampler (all levels at once). */
    tt_texture tex = {0};
    tt_image imgs[TT_MAX_LEVELS];
    memset(imgs, 0, sizeof imgs);
    tt_vk *vk = NULL;
    char *name = NULL;
    tt_status st = tt_texture_load(c.input, &limits, &tex);
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
    if (vk) tt_vk_destroy(vk);
    for (uint32_t i = 0; i < TT_MAX_LEVELS; i++) tt_image_free(&imgs[i]);
    tt_texture_free(&tex);
    free(name);
    return st == TT_OK ? EXIT_OK : cli_fail_status(st);
}
