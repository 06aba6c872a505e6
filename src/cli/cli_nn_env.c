/* cli_nn_env.c - maps the TINYTEX_NN_* environment variables onto tt_nn_tuning, each parsed exactly as before the library stopped reading them. */
#include "cli_nn_env.h"

#include <pthread.h>

#include <stdlib.h>

/* Set, non-empty and numerically 0 ("0", but also any text atoi reads as 0): the switch is turned off. */
static int env_off(const char *name)
{
    const char *e = getenv(name);
    return e && *e && atoi(e) == 0;
}

/* Unset or empty: *set = 0; else the value clamped to [lo, hi] (text atoi reads as 0 clamps to lo). */
static int env_clamped(const char *name, int lo, int hi, int *set)
{
    const char *e = getenv(name);
    *set = e && *e;
    if (!*set) return 0;
    int v = atoi(e);
    return v < lo ? lo : v > hi ? hi : v;
}

void cli_nn_tuning_from_env(tt_nn_tuning *t)
{
    int set, v;
    const char *e;
    if (env_off("TINYTEX_NN_PAD")) t->no_pad = 1;
    if (env_off("TINYTEX_NN_XSPLIT")) t->no_xsplit = 1;
    if (env_off("TINYTEX_NN_PREFETCH")) t->no_prefetch = 1;
    if (env_off("TINYTEX_NN_SWIZZLE")) t->no_swizzle = 1;
    if (env_off("TINYTEX_NN_PATCH")) t->no_patch = 1;
    if (env_off("TINYTEX_NN_COOPMAT")) t->no_coopmat = 1;
    /* 0 never, 2 always (where the activation has a compact form), anything else the automatic choice */
    if (env_off("TINYTEX_NN_COMPACT")) t->compact = TT_NN_TUNE_OFF;
    else if ((e = getenv("TINYTEX_NN_COMPACT")) != NULL && atoi(e) == 2) t->compact = TT_NN_TUNE_ON;
    /* forced only in range (1..64, multiple of 4 from 4): other values are ignored, not clamped */
    if ((e = getenv("TINYTEX_NN_HQ")) != NULL && atoi(e) >= 1 && atoi(e) <= 64) t->head_parts = (uint32_t)atoi(e);
    if ((e = getenv("TINYTEX_NN_TILE")) != NULL && atoi(e) >= 4 && atoi(e) % 4 == 0) t->tile = (uint32_t)atoi(e);
    /* clamped into range */
    v = env_clamped("TINYTEX_NN_DECODE_DP", 1, 128, &set);
    if (set) t->decode_pixels = (uint32_t)v;
    v = env_clamped("TINYTEX_NN_RACC", 0, 1, &set);
    if (set) t->racc = v ? TT_NN_TUNE_ON : TT_NN_TUNE_OFF;
    v = env_clamped("TINYTEX_NN_TPG", 1, 64, &set);
    if (set) t->tiles_per_group = (uint32_t)v;
}

static pthread_once_t env_tuning_once = PTHREAD_ONCE_INIT;
static tt_nn_tuning env_tuning;

static void env_tuning_load(void) { cli_nn_tuning_from_env(&env_tuning); }

const tt_nn_tuning *cli_nn_env_tuning(void)
{
    pthread_once(&env_tuning_once, env_tuning_load);
    return &env_tuning;
}
