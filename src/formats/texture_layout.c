/* texture_layout.c - BC7 texture sizes and the validity checks shared by the DDS and KTX2 readers and writers (below both). */
#include <string.h>

#include "formats/tt_formats.h"

tt_status tt_bc7_header_size(uint32_t width, uint32_t height, const char *name, const char *container, size_t *out)
{
    if (out) *out = 0;
    if (width == 0 || height == 0 || width > TT_CONTAINER_MAX_DIMENSION || height > TT_CONTAINER_MAX_DIMENSION)
        return tt_fail(TT_ERR_FORMAT, "%s: %s size %ux%u is invalid (each side must be 1..%u)", name, container,
                       width, height, TT_CONTAINER_MAX_DIMENSION);
    return tt_bc7_data_size(width, height, name, out);
}

tt_status tt_texture_check_write(const tt_texture *t, const char *fn, const char *what, size_t *data_size)
{
    *data_size = 0;
    if (!t || !t->data) return tt_fail(TT_ERR_INVALID_ARG, "%s: no texture", fn);
    size_t size;
    tt_status s = tt_bc7_data_size(t->width, t->height, what, &size);
    if (s != TT_OK) return s;
    if (t->data_size != size)
        return tt_fail(TT_ERR_INVALID_ARG, "%s: %zu bytes of BC7 data for %ux%u, expected %zu", what, t->data_size,
                       t->width, t->height, size);
    if (t->level_count == 0 || t->level_count > TT_MAX_LEVELS)
        return tt_fail(TT_ERR_INVALID_ARG, "%s: level count %u is invalid (1..%u)", what, t->level_count,
                       TT_MAX_LEVELS);
    if (t->level_count != 1)
        return tt_fail(TT_ERR_UNSUPPORTED, "%s: %u mip levels; writing mip chains is not supported yet", what,
                       t->level_count);
    const tt_texture_level *l = &t->levels[0];
    if (l->width != t->width || l->height != t->height || l->offset != 0 || l->size != size)
        return tt_fail(TT_ERR_INVALID_ARG, "%s: level 0 (%ux%u, %zu bytes at %zu) is not the %ux%u texture's %zu bytes",
                       what, l->width, l->height, l->size, l->offset, t->width, t->height, size);
    *data_size = size;
    return TT_OK;
}
