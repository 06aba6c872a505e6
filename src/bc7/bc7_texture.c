/* bc7_texture.c - tt_texture of BC7 blocks: sizes, allocation, freeing, and the public CPU encode (C reference) and decode of one level. */
#include <stdlib.h>
#include <string.h>

#include "bc7/bc7_internal.h"

tt_status tt_bc7_data_size(uint32_t width, uint32_t height, const char *name, size_t *out)
{
    if (out) *out = 0;
    if (!name) name = "texture";
    if (width == 0 || height == 0 || width > TT_BC7_MAX_DIMENSION || height > TT_BC7_MAX_DIMENSION)
        return tt_fail(TT_ERR_INVALID_ARG, "%s: size %ux%u is invalid (each side must be 1..%u)", name, width, height,
                       TT_BC7_MAX_DIMENSION);
    uint64_t blocks = (uint64_t)((width + 3u) / 4u) * ((height + 3u) / 4u); /* <= 2^28 */
    uint64_t bytes = blocks * 16u;                                        /* <= 2^32 */
    if (bytes > SIZE_MAX)
        return tt_fail(TT_ERR_LIMIT, "%s: %ux%u needs %llu bytes, too many for this machine", name, width, height,
                       (unsigned long long)bytes);
    if (out) *out = (size_t)bytes;
    return TT_OK;
}

void tt_texture_set_one_level(tt_texture *t)
{
    memset(t->levels, 0, sizeof t->levels);
    t->level_count = 1;
    t->levels[0] = (tt_texture_level){.width = t->width, .height = t->height, .offset = 0, .size = t->data_size};
}

void tt_texture_free(tt_texture *t)
{
    if (!t) return;
    free(t->data);
    memset(t, 0, sizeof *t);
}

tt_status tt_bc7_texture_alloc(tt_texture *t, uint32_t width, uint32_t height, int srgb, const char *name)
{
    memset(t, 0, sizeof *t);
    size_t size;
    tt_status st = tt_bc7_data_size(width, height, name, &size);
    if (st != TT_OK) return st;
    t->data = malloc(size);
    if (!t->data) return tt_fail(TT_ERR_NOMEM, "%s: out of memory for %zu bytes of blocks", name, size);
    t->width = width;
    t->height = height;
    t->srgb = srgb;
    t->data_size = size;
    tt_texture_set_one_level(t);
    return TT_OK;
}

tt_status tt_bc7_texture_alloc_levels(tt_texture *t, uint32_t width, uint32_t height, uint32_t count, int srgb,
                                      const char *name)
{
    memset(t, 0, sizeof *t);
    size_t sizes[TT_MAX_LEVELS], total = 0;
    tt_status st = tt_bc7_data_size(width, height, name, &sizes[0]);
    if (st != TT_OK) return st;
    uint32_t full = 1;
    for (uint32_t m = width > height ? width : height; m > 1; m >>= 1) full++;
    if (count == 0 || count > full || count > TT_MAX_LEVELS)
        return tt_fail(TT_ERR_INVALID_ARG, "%s: %u levels for %ux%u (1..%u)", name, count, width, height, full);
    for (uint32_t i = 0; i < count; i++) {
        uint32_t w = width >> i ? width >> i : 1, h = height >> i ? height >> i : 1;
        st = tt_bc7_data_size(w, h, name, &sizes[i]);
        if (st != TT_OK) return st;
        t->levels[i] = (tt_texture_level){.width = w, .height = h, .offset = total, .size = sizes[i]};
        total += sizes[i]; /* < 4/3 of level 0's bytes: no overflow */
    }
    t->data = malloc(total);
    if (!t->data) {
        memset(t, 0, sizeof *t);
        return tt_fail(TT_ERR_NOMEM, "%s: out of memory for %zu bytes of blocks", name, total);
    }
    t->width = width;
    t->height = height;
    t->srgb = srgb;
    t->data_size = total;
    t->level_count = count;
    return TT_OK;
}

/* Checks that levels[0..count) follow the floor rule from level 0. */
static tt_status check_chain(const tt_image *levels, uint32_t count, const char *fn)
{
    if (!levels || count == 0 || count > TT_MAX_LEVELS)
        return tt_fail(TT_ERR_INVALID_ARG, "%s: no levels or more than %d", fn, TT_MAX_LEVELS);
    for (uint32_t i = 0; i < count; i++) {
        uint32_t w = levels[0].width >> i ? levels[0].width >> i : 1, h = levels[0].height >> i ? levels[0].height >> i : 1;
        if (!levels[i].rgba || levels[i].width != w || levels[i].height != h)
            return tt_fail(TT_ERR_INVALID_ARG, "%s: level %u is %ux%u, the chain needs %ux%u", fn, i, levels[i].width,
                           levels[i].height, w, h);
    }
    return TT_OK;
}

tt_status tt_bc7_encode_levels_cpu(const tt_image *levels, uint32_t count, const tt_bc7_config *config, tt_texture *out)
{
    if (!out) return tt_fail(TT_ERR_INVALID_ARG, "bc7 cpu encode: missing output texture");
    memset(out, 0, sizeof *out);
    tt_status st = check_chain(levels, count, "bc7 cpu encode");
    if (st != TT_OK) return st;
    tt_bc7_config defaults;
    if (!config) {
        tt_bc7_config_init(&defaults);
        config = &defaults;
    }
    st = tt_bc7_config_validate(config);
    if (st != TT_OK) return st;
    st = tt_bc7_texture_alloc_levels(out, levels[0].width, levels[0].height, count, config->srgb, "bc7 cpu encode");
    for (uint32_t i = 0; st == TT_OK && i < count; i++)
        st = tt_bc7_encode_image_ref(&levels[i], config, (tt_bc7_block *)(out->data + out->levels[i].offset));
    if (st != TT_OK) tt_texture_free(out);
    return st;
}

tt_status tt_bc7_encode_chain_check(const tt_image *levels, uint32_t count, const char *fn)
{
    return check_chain(levels, count, fn);
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
    st = tt_bc7_texture_alloc(out, img->width, img->height, config->srgb, "bc7 cpu encode");
    if (st == TT_OK) st = tt_bc7_encode_image_ref(img, config, (tt_bc7_block *)out->data);
    if (st != TT_OK) tt_texture_free(out);
    return st;
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
    size_t need = 0;
    if (tt_bc7_data_size(l->width, l->height, "texture decode", &need) != TT_OK || l->size != need)
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
