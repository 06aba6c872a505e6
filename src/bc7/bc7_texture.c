/* bc7_texture.c - the public CPU entry points over tt_texture: encode with the C reference, decode one level. */
#include <stdlib.h>
#include <string.h>

#include "bc7/bc7_internal.h"

/* Bytes of the blocks of a width x height level, 0 if that overflows size_t. */
static size_t level_bytes(uint32_t width, uint32_t height)
{
    size_t blocks_x = ((size_t)width + 3) / 4, blocks_y = ((size_t)height + 3) / 4;
    if (blocks_y && blocks_x > SIZE_MAX / 16 / blocks_y) return 0;
    return blocks_x * blocks_y * 16;
}

tt_status tt_bc7_encode_cpu(const tt_image *img, const tt_bc7_config *config, tt_texture *out)
{
    if (!out) return tt_fail(TT_ERR_INVALID_ARG, "bc7 cpu encode: missing output texture");
    memset(out, 0, sizeof *out);
    if (!img || !img->rgba || img->width == 0 || img->height == 0)
        return tt_fail(TT_ERR_INVALID_ARG, "bc7 cpu encode: empty image");
    tt_bc7_config defaults;
    if (!config) {
        tt_bc7_config_init(&defaults);
        config = &defaults;
    }
    tt_status st = tt_bc7_config_validate(config);
    if (st != TT_OK) return st;
    size_t size = level_bytes(img->width, img->height);
    if (size == 0)
        return tt_fail(TT_ERR_LIMIT, "bc7 cpu encode: %ux%u blocks do not fit in memory", img->width, img->height);
    uint8_t *data = malloc(size);
    if (!data) return tt_fail(TT_ERR_NOMEM, "bc7 cpu encode: out of memory for %zu bytes of blocks", size);
    st = tt_bc7_encode_image_ref(img, config, (tt_bc7_block *)data);
    if (st != TT_OK) {
        free(data);
        return st;
    }
    out->width = img->width;
    out->height = img->height;
    out->srgb = config->srgb;
    out->data = data;
    out->data_size = size;
    out->level_count = 1;
    out->levels[0] = (tt_texture_level){img->width, img->height, 0, size};
    return TT_OK;
}

tt_status tt_texture_decode(const tt_texture *t, uint32_t level, tt_image *out)
{
    if (!out) return tt_fail(TT_ERR_INVALID_ARG, "texture decode: missing output image");
    memset(out, 0, sizeof *out);
    if (!t || !t->data) return tt_fail(TT_ERR_INVALID_ARG, "texture decode: missing texture");
    if (t->level_count > TT_MAX_LEVELS)
        return tt_fail(TT_ERR_INVALID_ARG, "texture decode: %u levels, more than %d", t->level_count, TT_MAX_LEVELS);
    if (level >= t->level_count)
        return tt_fail(TT_ERR_INVALID_ARG, "texture decode: level %u of a texture of %u levels", level,
                       t->level_count);
    const tt_texture_level *l = &t->levels[level];
    size_t need = l->width && l->height ? level_bytes(l->width, l->height) : 0;
    if (need == 0 || l->size != need)
        return tt_fail(TT_ERR_INVALID_ARG, "texture decode: level %u is %ux%u with %zu bytes of blocks, not %zu", level,
                       l->width, l->height, l->size, need);
    if (l->offset > t->data_size || t->data_size - l->offset < l->size)
        return tt_fail(TT_ERR_INVALID_ARG, "texture decode: level %u (%zu bytes at %zu) lies outside the %zu bytes of data",
                       level, l->size, l->offset, t->data_size);
    tt_status st = tt_image_alloc(out, l->width, l->height);
    if (st != TT_OK) return st;
    tt_bc7_decode_image((const tt_bc7_block *)(t->data + l->offset), l->width, l->height, out->rgba);
    return TT_OK;
}
