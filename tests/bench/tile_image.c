/* tile_image.c - benchmark input maker: mirror-tiles an image to a larger size (e.g. 4096x4096) and writes a PNG. */
#include <stdio.h>
#include <stdlib.h>
#include "tinytex.h"

/* Mirrored tiling keeps edges continuous, so the big image has the same
 * local statistics as the photo it comes from. */
static uint32_t mirror(uint32_t v, uint32_t n)
{
    uint32_t period = 2 * n, m = v % period;
    return m < n ? m : period - 1 - m;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: tile_image IN WIDTH HEIGHT OUT.png\n");
        return 2;
    }
    tt_image src, dst;
    tt_status st = tt_image_load(argv[1], NULL, &src);
    if (st != TT_OK) { fprintf(stderr, "tile_image: %s\n", tt_last_error()); return 1; }
    uint32_t w = (uint32_t)strtoul(argv[2], NULL, 10), h = (uint32_t)strtoul(argv[3], NULL, 10);
    st = tt_image_alloc(&dst, w, h);
    if (st != TT_OK) { fprintf(stderr, "tile_image: %s\n", tt_last_error()); return 1; }
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            const uint8_t *s = &src.rgba[4 * ((size_t)mirror(y, src.height) * src.width + mirror(x, src.width))];
            uint8_t *d = &dst.rgba[4 * ((size_t)y * w + x)];
            d[0] = s[0]; d[1] = s[1]; d[2] = s[2]; d[3] = s[3];
        }
    st = tt_image_save_png(argv[4], &dst);
    if (st != TT_OK) { fprintf(stderr, "tile_image: %s\n", tt_last_error()); return 1; }
    tt_image_free(&src);
    tt_image_free(&dst);
    return 0;
}
