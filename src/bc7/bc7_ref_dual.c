/* bc7_ref_dual.c - C reference, rotation modes 4 and 5: colour and alpha endpoints with separate index sets, a channel rotation and (mode 4) the index-selection bit. */
#include <string.h>

#include "bc7/bc7_ref.h"

/* Twin of shaders/bc7_dual.glsl. */
int tt_bc7_ref_encode_dual(const block_in *in, int mode, const tt_bc7_config *p, tt_bc7_fields *out)
{
    (void)in;
    (void)mode;
    (void)p;
    (void)out;
    return TT_BC7_NO_CANDIDATE; /* not yet */
}
