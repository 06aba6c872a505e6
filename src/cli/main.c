/* main.c - tinytex entry point: global options, subcommand dispatch, Ctrl-C cleanup. */
#include "cli.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} subcommand;

static const subcommand SUBCOMMANDS[] = {
    {"bc7", cmd_bc7, "encode images to BC7 (modes 1+6, or 6 only) in DDS or KTX2 on the GPU"},
    {"hash", cmd_hash, "neural compression: hash grid + SIREN, trained on the GPU, saved as .tnx"},
    {"latent", cmd_latent, "neural compression: two-scale latent grid + decoder with int8 QAT, saved as .tnx"},
    {"decode", cmd_decode, "decode a .dds, .ktx2 or .tnx file to PNG"},
    {"compare", cmd_compare, "PSNR and max error between two images (or a texture and an image)"},
    {"info", cmd_info, "describe a .dds, .ktx2, .tnx or image file"},
    {"devices", cmd_devices, "list the Vulkan devices tinytex can use"},
    {"report", cmd_report, "merge the --json reports of --shard runs into one (report merge A.json B.json -o ALL.json)"},
    {"plot", cmd_plot, "plot PSNR against training step from hash/latent --log CSVs (SVG or PNG)"},
};
#define N_SUBCOMMANDS (sizeof SUBCOMMANDS / sizeof SUBCOMMANDS[0])

static void print_usage(FILE *out)
{
    fprintf(out, "tinytex %s - GPU texture and image compression\n\n"
                 "usage: tinytex SUBCOMMAND INPUT -o OUTPUT [options]\n"
                 "       tinytex SUBCOMMAND --help\n\nsubcommands:\n", TT_VERSION_STRING);
    for (size_t i = 0; i < N_SUBCOMMANDS; i++) fprintf(out, "  %-9s %s\n", SUBCOMMANDS[i].name, SUBCOMMANDS[i].summary);
    fprintf(out, "\nglobal options:\n  -h, --help     show this help\n  -V, --version  print the version\n"
                 "\nexit codes: 0 ok, 1 runtime or input error, 2 usage error, 3 --min-psnr not met\n"
                 "environment: TINYTEX_DEVICE=N picks the Vulkan device (see 'tinytex devices')\n");
}

/* Ctrl-C / SIGTERM: remove temporary output files, then die by the signal. */
static void on_signal(int sig)
{
    static const char msg[] = "\ntinytex: interrupted, partial output removed\n";
    tt_atomic_cleanup_exit();
    ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)ignored;
    signal(sig, SIG_DFL);
    raise(sig);
}

int main(int argc, char **argv)
{
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
    /* Past a file-size limit, write() must fail with EFBIG (a clean error
     * and no partial file) instead of the process being killed. */
    signal(SIGXFSZ, SIG_IGN);
    if (argc < 2) {
        print_usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        if (strcmp(cmd, "help") == 0 && argc > 2) {
            for (size_t i = 0; i < N_SUBCOMMANDS; i++)
                if (strcmp(argv[2], SUBCOMMANDS[i].name) == 0) {
                    char *sub_argv[] = {argv[2], "--help", NULL};
                    return SUBCOMMANDS[i].run(2, sub_argv);
                }
        }
        print_usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        printf("tinytex %s\n", TT_VERSION_STRING);
        return EXIT_OK;
    }
    for (size_t i = 0; i < N_SUBCOMMANDS; i++)
        if (strcmp(cmd, SUBCOMMANDS[i].name) == 0) return SUBCOMMANDS[i].run(argc - 1, argv + 1);
    cli_error("unknown subcommand '%s' (see 'tinytex --help')", cmd);
    return EXIT_USAGE;
}
