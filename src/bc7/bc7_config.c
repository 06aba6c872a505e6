/* bc7_config.c - BC7 encoder settings: presets, validation, the integer channel weights of the error. */
#include <math.h>
#include <string.h>

#include "bc7/tt_bc7.h"
#include "bc7_abi.h" /* shaders/: TT_BC7_MAX_PARTITIONS */

static const char *const preset_names[] = {"fastest", "fast", "medium", "thorough", "exhaustive"};

void tt_bc7_config_init(tt_bc7_config *p)
{
    memset(p, 0, sizeof *p);
    p->alpha_weight = 1.0f;
    p->alpha_test = -1.0f;
    tt_bc7_config_preset(p, TT_BC7_PRESET_MEDIUM);
}

/* What each preset searches (docs/bc7.md, "Presets", gives the measured quality and speed of each). */
tt_status tt_bc7_config_preset(tt_bc7_config *p, tt_bc7_preset preset)
{
    if (!p) return tt_fail(TT_ERR_INVALID_ARG, "bc7 config: missing");
    p->refine = 1;
    p->refit = 1;
    p->good_enough = 0.004f;
    p->nm_iterations = 64;
    p->polish_passes = 1;
    p->index_trials = 1;
    p->full_mode6 = 0;
    p->joint_steps = 1;
    p->lean_search = 0;
    p->final_trials = 0;
    switch (preset) {
    case TT_BC7_PRESET_FASTEST:
        p->modes = 1u << 6;
        p->partitions = 1;
        p->joint_steps = 0; /* 1 -> 0: 858 -> 1198 Mpix/s on an H200, -0.01 to -1.4 dB (docs/benchmarks.md) */
        p->nm_iterations = 24; /* 64 -> 24: -0.004 dB on sample.jpg, 1.5x faster (docs/bc7.md, "Presets") */
        p->index_trials = 0;
        break;
    case TT_BC7_PRESET_FAST:
        p->modes = (1u << 6) | (1u << 1);
        p->partitions = 4;
        break;
    case TT_BC7_PRESET_MEDIUM:
        p->modes = TT_BC7_MODES_ALL;
        /* the search of every candidate is light and the block's final choice is polished (docs/bc7.md,
         * "Presets", measures each step) */
        p->partitions = 4;
        p->lean_search = 1;
        p->nm_iterations = 8;
        p->index_trials = 0;
        p->final_trials = 3;
        break;
    case TT_BC7_PRESET_THOROUGH:
        p->modes = TT_BC7_MODES_ALL;
        p->partitions = TT_BC7_MAX_PARTITIONS; /* 8 -> 16: kodim13_grey 48.26 -> 48.31 dB (docs/bc7.md) */
        p->polish_passes = 2;
        p->index_trials = 3;
        p->full_mode6 = 1;
        break;
    case TT_BC7_PRESET_EXHAUSTIVE:
        p->modes = TT_BC7_MODES_ALL;
        p->partitions = TT_BC7_MAX_PARTITIONS;
        p->nm_iterations = 128;
        p->polish_passes = 4;
        p->index_trials = 3;
        p->full_mode6 = 1;
        break;
    default:
        return tt_fail(TT_ERR_INVALID_ARG, "bc7 config: unknown preset %d", (int)preset);
    }
    return TT_OK;
}

const char *tt_bc7_preset_name(tt_bc7_preset preset)
{
    return (unsigned)preset < sizeof preset_names / sizeof preset_names[0] ? preset_names[preset] : NULL;
}

tt_status tt_bc7_config_validate(const tt_bc7_config *p)
{
    if (!p) return tt_fail(TT_ERR_INVALID_ARG, "bc7 config: missing");
    if (p->modes & ~0xFFu) return tt_fail(TT_ERR_INVALID_ARG, "bc7 config: modes 0x%x name a mode above 7", p->modes);
    if (p->nm_iterations < 0 || p->nm_iterations > 100000)
        return tt_fail(TT_ERR_INVALID_ARG, "bc7 config: nm_iterations %d outside 0..100000", p->nm_iterations);
    if (!(p->good_enough >= 0.0f) || p->good_enough > 1e30f)
        return tt_fail(TT_ERR_INVALID_ARG, "bc7 config: good_enough must be a finite value >= 0");
    if (p->partitions < 1 || p->partitions > TT_BC7_MAX_PARTITIONS)
        return tt_fail(TT_ERR_INVALID_ARG, "bc7 config: partitions %d outside 1..%d", p->partitions,
                       TT_BC7_MAX_PARTITIONS);
    if (p->polish_passes < 1 || p->polish_passes > 4)
        return tt_fail(TT_ERR_INVALID_ARG, "bc7 config: polish_passes %d outside 1..4", p->polish_passes);
    if (p->index_trials < 0 || p->index_trials > 3)
        return tt_fail(TT_ERR_INVALID_ARG, "bc7 config: index_trials %d outside 0..3", p->index_trials);
    if (p->final_trials < 0 || p->final_trials > 3)
        return tt_fail(TT_ERR_INVALID_ARG, "bc7 config: final_trials %d outside 0..3", p->final_trials);
    if (!(p->alpha_weight >= 0.0f && p->alpha_weight <= 16.0f))
        return tt_fail(TT_ERR_INVALID_ARG, "bc7 config: alpha_weight must be within 0..16");
    if (!(p->alpha_test < 0.0f || p->alpha_test <= 1.0f))
        return tt_fail(TT_ERR_INVALID_ARG, "bc7 config: alpha_test must be negative (off) or within 0..1");
    if ((p->refine != 0 && p->refine != 1) || (p->refit != 0 && p->refit != 1) || (p->srgb != 0 && p->srgb != 1) ||
        (p->perceptual != 0 && p->perceptual != 1) || (p->full_mode6 != 0 && p->full_mode6 != 1) ||
        (p->loose_alpha != 0 && p->loose_alpha != 1) || (p->joint_steps != 0 && p->joint_steps != 1) ||
        (p->lean_search != 0 && p->lean_search != 1))
        return tt_fail(TT_ERR_INVALID_ARG, "bc7 config: refine, refit, srgb, perceptual, full_mode6, loose_alpha, "
                                           "joint_steps and lean_search are 0 or 1");
    return TT_OK;
}

/* Partitions fully encoded for `mode` (tt_bc7_config.lean_search): 1..TT_BC7_MAX_PARTITIONS. */
int tt_bc7_mode_partitions(const tt_bc7_config *p, int mode)
{
    int k = p->partitions < 1 ? 1 : (p->partitions > TT_BC7_MAX_PARTITIONS ? TT_BC7_MAX_PARTITIONS : p->partitions);
    if (p->lean_search && mode == 7) k = (k + 1) / 2;
    if (p->lean_search && mode <= 3) k = (k + 3) / 4;
    return k;
}

/* The push constant `partitions` of the passes: tt_bc7_mode_partitions(p, m) - 1 in bits 4m..4m+3 for each mode m,
 * so that a pass that loops over several modes (bc7_multi.glsl, keep_count) finds each mode's count. */
uint32_t tt_bc7_partitions_packed(const tt_bc7_config *p)
{
    uint32_t v = 0;
    for (int m = 0; m < 8; m++) v |= (uint32_t)(tt_bc7_mode_partitions(p, m) - 1) << (4 * m);
    return v;
}

const int *tt_bc7_mode_order(const tt_bc7_config *p)
{
    static const int order[2][8] = {{0, 1, 2, 3, 4, 5, 7, -1}, {0, 2, 1, 3, 4, 5, 7, -1}};
    return order[p->lean_search != 0];
}

static int gcd(int a, int b)
{
    while (b) {
        int t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* RGB weights 1:1:1, or R 5 : G 9 : B 2 (Rec. 601 luma, 0.299 : 0.587 : 0.114, to sixteenths), times 8; alpha weighs
 * alpha_weight times the mean RGB weight, rounded. Reduced by their common divisor, so the defaults are (1, 1, 1, 1)
 * and the GPU's specialization constants fold away. Largest sum of weights 128 + 683, so the weighted SSE of a
 * block stays below 16 * 255^2 * 811 < 2^30. */
void tt_bc7_channel_weights(const tt_bc7_config *p, int w[4])
{
    static const int luma[3] = {5, 9, 2};
    for (int k = 0; k < 3; k++) w[k] = 8 * (p->perceptual ? luma[k] : 1);
    float mean = (float)(w[0] + w[1] + w[2]) / 3.0f;
    w[3] = (int)lrintf(p->alpha_weight * mean);
    int g = gcd(gcd(w[0], w[1]), gcd(w[2], w[3]));
    for (int k = 0; k < 4; k++) w[k] /= g;
}
