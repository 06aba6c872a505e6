/* cli_decode.c - `tinytex decode`: rebuilds a PNG from a .dds/.ktx2 BC7 texture or a .tnx model. */
#include "cli.h"
#include "cli_batch.h"
#include "cli_load.h"
#include "bc7/tt_bc7_gpu.h"

#include <stdlib.h>
#include <string.h>

static const char USAGE[] = "tinytex decode INPUT.dds|INPUT.ktx2|INPUT.tnx -o OUTPUT.png [options]";

int cmd_decode(int argc, char **argv)
{
    cli_common c;
    cli_common_init(&c);
    int sampler = 0;
    cli_option opts[16] = {
        {"sampler", 0, OPT_FLAG, &sampler, NULL,
         "decode a BC7 texture with the Vulkan device's own texture sampler instead of tinytex's C decoder", NULL, 0, 0},
    };
    cli_add_common_options(opts, 1, &c);
    const char *pos[1];
    int npos = 0;
    int rc = cli_parse(argc, argv, opts, pos, 1, &npos);
    if (rc != EXIT_OK) return rc;
    if (c.help) {
        cli_print_help(stdout, USAGE,
                       "Decodes a BC7 texture (DDS or KTX2, any BC7 mode, any encoder) with tinytex's C decoder\n"
                       "(or, with --sampler, the GPU's texture unit: an independent decoder), or rebuilds the image\n"
                       "stored in a .tnx model on the GPU, and writes a PNG.", opts);
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
    if (cli_sniff(c.input) == CLI_FILE_TNX) {
        if (sampler) { cli_error("--sampler decodes BC7 textures; %s is a .tnx model", c.input); return EXIT_USAGE; }
        return cli_decode_tnx(c.input, c.output, &c);
    }
    tt_image img = {0};
    tt_status st;
    if (sampler) {
        tt_texture tex = {0};
        tt_vk *vk = NULL;
        st = cli_texture_load(c.input, &tex);
        if (st == TT_OK) st = tt_image_alloc(&img, tex.width, tex.height);
        if (st == TT_OK) st = cli_vk_create(c.device, &vk);
        if (st == TT_OK) st = tt_bc7_decode_sampler(vk, (const tt_bc7_block *)tex.data, tex.width, tex.height, img.rgba);
        if (vk) tt_vk_destroy(vk);
        tt_texture_free(&tex);
        if (st != TT_OK) tt_image_free(&img);
    } else {
        st = cli_load_picture(c.input, &limits, &img);
    }
    if (st != TT_OK) return cli_fail_status(st);
    st = tt_image_save_png(c.output, &img);
    if (st == TT_OK) DISPLAYLEVEL(1, "%s -> %s: %ux%u\n", c.input, c.output, img.width, img.height);
    tt_image_free(&img);
    return st == TT_OK ? EXIT_OK : cli_fail_status(st);
}
