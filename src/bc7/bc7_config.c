/* bc7_config.c - BC7 encoder settings: defaults, validation, the CLI's mode sets. */
#include <string.h>

#include "bc7/tt_bc7.h"

void tt_bc7_config_init(tt_bc7_config *p)
{
    memset(p, 0, sizeof *p);
    p->refine = 1;
    p->good_enough = 0.004f;
    p->nm_iterations = 64;
    p->refit = 1;
    p->modes = TT_BC7_MODES_DEFAULT;
}

tt_status tt_bc7_config_validate(const tt_bc7_config *p)
{
    if (!p) return tt_fail(TT_ERR_INVALID_ARG, "bc7 config: missing");
    if (p->modes & ~0xFFu) return tt_fail(TT_ERR_INVALID_ARG, "bc7 config: modes 0x%x name a mode above 7", p->modes);
    if (p->nm_iterations < 0 || p->nm_iterations > 100000)
        return tt_fail(TT_ERR_INVALID_ARG, "bc7 config: nm_iterations %d outside 0..100000", p->nm_iterations);
    if (!(p->good_enough >= 0.0f) || p->good_enough > 1e30f)
        return tt_fail(TT_ERR_INVALID_ARG, "bc7 config: good_enough must be a finite value >= 0");
    if ((p->refine != 0 && p->refine != 1) || (p->refit != 0 && p->refit != 1) || (p->srgb != 0 && p->srgb != 1))
        return tt_fail(TT_ERR_INVALID_ARG, "bc7 config: refine, refit and srgb are 0 or 1");
    return TT_OK;
}

unsigned tt_bc7_modes_from_choice(int index)
{
    static const unsigned sets[4] = {TT_BC7_MODES_DEFAULT, 1u << 6, (1u << 6) | (1u << 3),
                                     (1u << 6) | (1u << 3) | (1u << 1)};
    return index >= 0 && index < 4 ? sets[index] : TT_BC7_MODES_DEFAULT;
}
