/* jpeg_curve.c - baseline for the latent JPEG target: stb's JPEG of the image itself at qualities 5..95, real sizes and PSNR. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stb_image.h>
#include <stb_image_write.h>
#include "tinytex.h"
#include "core/tt_bytes.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: jpeg_curve IMAGE\n");
        return 2;
    }
    tt_image src = {0};
    if (tt_image_load(argv[1], NULL, &src) != TT_OK) {
        fprintf(stderr, "jpeg_curve: %s\n", tt_last_error());
        return 1;
    }
    size_t n = (size_t)src.width * src.height;
    unsigned char *rgb = malloc(n * 3);
    if (!rgb) return 1;
    for (size_t i = 0; i < n; i++) memcpy(rgb + 3 * i, src.rgba + 4 * i, 3);
    printf("quality bytes ratio_vs_rgb8 bpp rgb_psnr_db  (stb_image_write JPEG of %s, %ux%u)\n", argv[1], src.width, src.height);
    for (int q = 5; q <= 95; q += 5) {
        tt_bytes b = {0};
        if (!stbi_write_jpg_to_func(tt_bytes_stb_append, &b, (int)src.width, (int)src.height, 3, rgb, q) || b.failed) {
            fprintf(stderr, "jpeg_curve: JPEG encoding failed (out of memory?)\n");
            return 1;
        }
        int w, h, c;
        unsigned char *d = stbi_load_from_memory(b.data, (int)b.size, &w, &h, &c, 4);
        if (!d) return 1;
        tt_image dec = {.width = (uint32_t)w, .height = (uint32_t)h, .rgba = d};
        tt_metrics m;
        if (tt_compare_images(&src, &dec, &m) != TT_OK) return 1;
        printf("%d %zu %.2f %.3f %.2f\n", q, b.size, 3.0 * n / b.size, 8.0 * b.size / n, m.psnr_rgb);
        stbi_image_free(d);
        free(b.data);
    }
    free(rgb);
    tt_image_free(&src);
    return 0;
}
