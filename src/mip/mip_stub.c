/* mip_stub.c - placeholder of the mip-chain builder (replaced by src/mip/ proper). */
#include <string.h>

#include "tinytex.h"

void tt_mip_config_init(tt_mip_config *c)
{
    memset(c, 0, sizeof *c);
    c->filter = TT_MIP_KAISER;
    c->alpha_coverage = -1.0f;
}
tt_status tt_mip_config_validate(const tt_mip_config *c) { return c ? TT_OK : TT_ERR_INVALID_ARG; }
uint32_t tt_mip_full_count(uint32_t w, uint32_t h)
{
    uint32_t m = w > h ? w : h, n = 1;
    while (m > 1) {
        m >>= 1;
        n++;
    }
    return n;
}
tt_status tt_mip_build(tt_context *ctx, const tt_image *img, const tt_mip_config *c, tt_image *levels, uint32_t *count)
{
    return tt_fail(TT_ERR_UNSUPPORTED, "mip chains are not built yet");
}
tt_status tt_mip_build_cpu(const tt_image *img, const tt_mip_config *c, tt_image *levels, uint32_t *count)
{
    return tt_fail(TT_ERR_UNSUPPORTED, "mip chains are not built yet");
}
