/* tt_test_texture.h - a one-level tt_texture of made-up blocks (byte i = i * mul + add) for the container tests. */
#ifndef TT_TEST_TEXTURE_H
#define TT_TEST_TEXTURE_H
#include <stdlib.h>
#include "tinytex.h"

static inline tt_texture tt_test_texture(uint32_t w, uint32_t h, int srgb, unsigned mul, unsigned add)
{
    tt_texture t = {0};
    t.width = w;
    t.height = h;
    t.srgb = srgb;
    t.data_size = (size_t)((w + 3) / 4) * ((h + 3) / 4) * 16;
    t.data = malloc(t.data_size);
    if (!t.data) abort();
    for (size_t i = 0; i < t.data_size; i++) t.data[i] = (uint8_t)(i * mul + add);
    t.level_count = 1;
    t.levels[0] = (tt_texture_level){.width = w, .height = h, .offset = 0, .size = t.data_size};
    return t;
}
#endif
