/* cli_decode.c - `tinytex decode`: rebuilds a PNG from a .dds/.ktx2 BC7 texture or a .tnx model. */
#include "cli.h"
#include "cli_load.h"

#include <string.h>

static const char USAGE[] = "tinytex decode INPUT.dds|INPUT.ktx2|INPUT.tnx -o OUTPUT.png [options]";

int cmd_decode(int argc, char **argv)
{
    cli_common c;
    cli_common_init(&c);
    cli_option opts[16] = {{0}};
    cli_add_common_options(opts, 0, &c);
    const char *pos[1];
    int npos = 0;
    int rc = cli_parse(argc, argv, opts, pos, 1, &npos);
    if (rc != EXIT_OK) return rc;
    if (c.help) {
        cli_print_help(stdout, USAGE,
                       "Decodes a BC7 texture (DDS or KTX2, any BC7 mode, any encoder) with tinytex's C decoder,\n"
                       "or rebuilds the image stored in a .tnx model on the GPU, and writes a PNG.", opts);
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
    if (cli_sniff(c.input) == CLI_FILE_TNX) return cli_decode_tnx(c.input, c.output, &c);
    tt_image img;
    tt_status st = cli_load_picture(c.input, &limits, &img);
    if (st != TT_OK) return cli_fail_status(st);
    st = tt_image_save_png(c.output, &img);
    if (st == TT_OK) DISPLAYLEVEL(1, "%s -> %s: %ux%u\n", c.input, c.output, img.width, img.height);
    tt_image_free(&img);
    return st == TT_OK ? EXIT_OK : cli_fail_status(st);
}
