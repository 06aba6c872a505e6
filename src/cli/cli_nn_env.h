/* cli_nn_env.h - the CLI's TINYTEX_NN_* environment switches mapped onto the neural trainer's tuning (the library reads no environment). */
#ifndef TT_CLI_NN_ENV_H
#define TT_CLI_NN_ENV_H
#include "neural/tt_neural.h"

/* Sets the fields of *t that a TINYTEX_NN_* variable names, with the parsing each variable always had; leaves the
 * others as they are. Call after tt_nn_train_cfg_default / tt_latent_train_cfg_default (on cfg.tune), and for a
 * one-shot decode on a zeroed tuning passed to tt_nn_decode_gpu_tuned / tt_nn_decode_f16_tuned. */
void cli_nn_tuning_from_env(tt_nn_tuning *t);
/* The defaults with the environment applied, read once per process (thread-safe), for the CLI's decodes. */
const tt_nn_tuning *cli_nn_env_tuning(void);
#endif
