/* cli_pending.c - TEMPORARY weak fallbacks while subcommands are being written; removed before release. */
#include "cli.h"
#define PENDING(sig) __attribute__((weak)) sig { cli_error("not built in this binary"); return EXIT_RUNTIME; }
PENDING(int cmd_hash(int argc, char **argv))
PENDING(int cmd_latent(int argc, char **argv))
PENDING(int cli_decode_tnx(const char *input, const char *output, const cli_common *c))
PENDING(int cli_info_tnx(const char *input, int json))
