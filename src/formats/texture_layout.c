/* texture_layout.c - BC7 texture sizes and the validity checks shared by the DDS and KTX2 readers and writers (below both). */
#include <stdio.h>
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

uint32_t tt_container_full_levels(uint32_t width, uint32_t height)
{
    uint32_t count = 1;
    for (uint32_t m = width > height ? width : height; m > 1; m >>= 1) count++;
    return count;
}

static uint32_t level_side(uint32_t side, uint32_t level)
{
    return side >> level ? side >> level : 1;
}

tt_status tt_bc7_header_levels(uint32_t width, uint32_t height, uint32_t count, const char *name, const char *field,
                               size_t sizes[TT_MAX_LEVELS], size_t *total)
{
    *total = 0;
    uint32_t full = tt_container_full_levels(width, height);
    /* Sides are at most 65536, so the full chain never exceeds TT_MAX_LEVELS (17). */
    if (count == 0 || count > full || count > TT_MAX_LEVELS)
        return tt_fail(TT_ERR_FORMAT, "%s: %s %u is invalid for %ux%u (1..%u, the full mip chain)", name, field, count,
                       width, height, full);
    size_t sum = 0;
    for (uint32_t i = 0; i < count; i++) {
        tt_status s = tt_bc7_data_size(level_side(width, i), level_side(height, i), name, &sizes[i]);
        if (s != TT_OK) return s;
        sum += sizes[i]; /* a chain is below 4/3 of level 0's bytes, which fit in size_t */
    }
    *total = sum;
    return TT_OK;
}

tt_status tt_texture_check_write(const tt_texture *t, const char *fn, const char *what, size_t *data_size)
{
    *data_size = 0;
    if (!t || !t->data) return tt_fail(TT_ERR_INVALID_ARG, "%s: no texture", fn);
    size_t size;
    tt_status s = tt_bc7_data_size(t->width, t->height, what, &size);
    if (s != TT_OK) return s;
    uint32_t full = tt_container_full_levels(t->width, t->height);
    if (t->level_count == 0 || t->level_count > full)
        return tt_fail(TT_ERR_INVALID_ARG, "%s: level count %u is invalid for %ux%u (1..%u, the full mip chain)", what,
                       t->level_count, t->width, t->height, full);
    size_t offset = 0;
    for (uint32_t i = 0; i < t->level_count; i++) {
        uint32_t w = level_side(t->width, i), h = level_side(t->height, i);
        s = tt_bc7_data_size(w, h, what, &size);
        if (s != TT_OK) return s;
        const tt_texture_level *l = &t->levels[i];
        if (l->width != w || l->height != h || l->offset != offset || l->size != size)
            return tt_fail(TT_ERR_INVALID_ARG,
                           "%s: level %u is %ux%u with %zu bytes at %zu; the chain of %ux%u needs %ux%u with %zu bytes "
                           "at %zu", what, i, l->width, l->height, l->size, l->offset, t->width, t->height, w, h, size,
                           offset);
        offset += size;
    }
    if (t->data_size != offset)
        return tt_fail(TT_ERR_INVALID_ARG, "%s: %zu bytes of BC7 data for %u level(s) of %ux%u, expected %zu", what,
                       t->data_size, t->level_count, t->width, t->height, offset);
    *data_size = offset;
    return TT_OK;
}

tt_status tt_texture_pick_check(const tt_texture_shape *shape, const tt_texture_pick *pick, const char *name,
                                const char *container, uint64_t *index)
{
    *index = 0;
    const tt_texture_pick none = {-1, -1};
    if (!pick) pick = &none;
    char what[96];
    if (shape->faces == 6)
        snprintf(what, sizeof what, "%s cube map%s (%u layer%s of 6 faces)", container, shape->layers > 1 ? " array" : "",
                 shape->layers, shape->layers == 1 ? "" : "s");
    else
        snprintf(what, sizeof what, "%s array of %u layers", container, shape->layers);
    int need_layer = shape->layers > 1 && pick->layer < 0, need_face = shape->faces > 1 && pick->face < 0;
    if (need_layer || need_face)
        return tt_fail(TT_ERR_UNSUPPORTED, "%s: %s: one image is read at a time; pick it with %s%s%s", name, what,
                       need_layer ? "--layer N" : "", need_layer && need_face ? " and " : "",
                       need_face ? "--face N (0..5: +X -X +Y -Y +Z -Z)" : "");
    uint64_t layer = pick->layer > 0 ? (uint64_t)pick->layer : 0, face = pick->face > 0 ? (uint64_t)pick->face : 0;
    if (layer >= shape->layers)
        return tt_fail(TT_ERR_INVALID_ARG, "%s: no layer %llu (the texture has %u layer%s)", name,
                       (unsigned long long)layer, shape->layers, shape->layers == 1 ? "" : "s");
    if (face >= shape->faces)
        return tt_fail(TT_ERR_INVALID_ARG, "%s: no face %llu (%s)", name, (unsigned long long)face,
                       shape->faces == 1 ? "the texture is not a cube map" : "a cube map has faces 0..5");
    *index = layer * shape->faces + face;
    return TT_OK;
}
