/* bc7_testset.c - benchmark input maker: the BC7 comparison set of docs/benchmarks.md (photos, grey textures, alpha, a cutout, UI art) from samples/ plus synthetic art. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinytex.h"

/* Everything is derived from the two sample photos or drawn here, so anyone can rebuild the set bit for bit. */

static uint32_t hash2(int x, int y, uint32_t seed)
{
    uint32_t h = (uint32_t)x * 374761393u + (uint32_t)y * 668265263u + seed * 2246822519u;
    h = (h ^ (h >> 13)) * 1274126177u;
    return h ^ (h >> 16);
}

/* Value noise in [0, 1) with smooth interpolation, period-free. */
static double vnoise(double x, double y, uint32_t seed)
{
    int xi = (int)floor(x), yi = (int)floor(y);
    double fx = x - xi, fy = y - yi;
    fx = fx * fx * (3 - 2 * fx);
    fy = fy * fy * (3 - 2 * fy);
    double a = hash2(xi, yi, seed) / 4294967296.0, b = hash2(xi + 1, yi, seed) / 4294967296.0;
    double c = hash2(xi, yi + 1, seed) / 4294967296.0, d = hash2(xi + 1, yi + 1, seed) / 4294967296.0;
    return (a + (b - a) * fx) + ((c + (d - c) * fx) - (a + (b - a) * fx)) * fy;
}

static double fbm(double x, double y, uint32_t seed)
{
    double s = 0, amp = 0.5, f = 1;
    for (int o = 0; o < 6; o++, amp *= 0.5, f *= 2) s += amp * vnoise(x * f, y * f, seed + (uint32_t)o);
    return s;
}

static uint8_t u8(double v) { return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : lrint(v)); }

static int save(const char *dir, const char *name, const tt_image *img)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (tt_image_save_png(path, img) != TT_OK) {
        fprintf(stderr, "bc7_testset: %s\n", tt_last_error());
        return 1;
    }
    return 0;
}

/* Coverage of a rounded rectangle (antialiased over one pixel). */
static double rrect(double x, double y, double x0, double y0, double x1, double y1, double r)
{
    double cx = fmax(x0 + r, fmin(x, x1 - r)), cy = fmax(y0 + r, fmin(y, y1 - r));
    double d = hypot(x - cx, y - cy) - r;
    return fmin(1, fmax(0, 0.5 - d));
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bc7_testset SAMPLE.jpg SAMPLE.png OUT_DIR\n");
        return 2;
    }
    const char *out = argv[3];
    tt_image photo, smooth, img;
    if (tt_image_load(argv[1], NULL, &photo) != TT_OK || tt_image_load(argv[2], NULL, &smooth) != TT_OK) {
        fprintf(stderr, "bc7_testset: %s\n", tt_last_error());
        return 1;
    }
    uint32_t w = photo.width, h = photo.height;
    int rc = save(out, "photo.png", &photo) | save(out, "photo_smooth.png", &smooth);
    if (tt_image_alloc(&img, w, h) != TT_OK) return 1;

    /* grey: the photo's luma, a grey texture with photo detail */
    for (size_t i = 0; i < (size_t)w * h; i++) {
        const uint8_t *s = photo.rgba + 4 * i;
        uint8_t g = u8(0.299 * s[0] + 0.587 * s[1] + 0.114 * s[2]);
        memset(img.rgba + 4 * i, g, 3);
        img.rgba[4 * i + 3] = 255;
    }
    rc |= save(out, "grey.png", &img);

    /* stone: a procedural grey texture (fractal noise, fine grain) */
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            double v = fbm(x / 48.0, y / 48.0, 7) * 200 + 20 + (hash2((int)x, (int)y, 99) & 15);
            uint8_t *d = img.rgba + 4 * ((size_t)y * w + x);
            d[0] = d[1] = d[2] = u8(v);
            d[3] = 255;
        }
    rc |= save(out, "stone.png", &img);

    /* alpha: the photo under a smooth alpha (radial falloff with soft waves), as in decals and particles */
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            double r = hypot(x - w / 2.0, y - h / 2.0) / (0.5 * w);
            double a = 255 * (1.1 - r) + 40 * sin(x / 17.0) * cos(y / 23.0);
            uint8_t *d = img.rgba + 4 * ((size_t)y * w + x);
            memcpy(d, photo.rgba + 4 * ((size_t)y * w + x), 3);
            d[3] = u8(a);
        }
    rc |= save(out, "alpha.png", &img);

    /* cutout: binary alpha (foliage-like blobs from noise), colour kept everywhere as exporters leave it */
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            uint8_t *d = img.rgba + 4 * ((size_t)y * w + x);
            memcpy(d, photo.rgba + 4 * ((size_t)y * w + x), 3);
            d[3] = fbm(x / 40.0, y / 40.0, 3) > 0.5 ? 255 : 0;
        }
    rc |= save(out, "cutout.png", &img);

    /* ui: opaque interface art - flat panels, gradients, thin borders, antialiased glyph-like strokes */
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            double X = x + 0.5, Y = y + 0.5, c[3] = {30 + 40.0 * y / h, 34 + 40.0 * y / h, 48 + 50.0 * y / h};
            for (int p = 0; p < 6; p++) {
                double x0 = 24 + (p % 2) * w / 2.0, y0 = 24 + (p / 2) * h / 3.0;
                double cov = rrect(X, Y, x0, y0, x0 + w / 2.0 - 48, y0 + h / 3.0 - 40, 10);
                double border = cov - rrect(X, Y, x0 + 2, y0 + 2, x0 + w / 2.0 - 50, y0 + h / 3.0 - 42, 8);
                double col[3] = {60 + 30 * p, 90 + 20 * (p % 3), 200 - 25 * p};
                for (int k = 0; k < 3; k++) c[k] = c[k] * (1 - cov) + col[k] * (cov - border) + 235 * border;
                /* "text": rows of strokes of varying length inside the panel */
                for (int line = 0; line < 3; line++) {
                    double ty = y0 + 22 + line * 18;
                    double len = (w / 2.0 - 100) * (0.4 + 0.2 * ((p + line) % 3));
                    for (double gx = x0 + 16; gx < x0 + 16 + len; gx += 9) {
                        double stroke = rrect(X, Y, gx, ty, gx + 2 + (int)(gx / 9) % 4, ty + 11, 1);
                        for (int k = 0; k < 3; k++) c[k] = c[k] * (1 - stroke) + 250 * stroke;
                    }
                }
            }
            uint8_t *d = img.rgba + 4 * ((size_t)y * w + x);
            for (int k = 0; k < 3; k++) d[k] = u8(c[k]);
            d[3] = 255;
        }
    rc |= save(out, "ui.png", &img);

    /* icon: coloured antialiased shapes on a transparent background (straight alpha, colour 0 where alpha is 0) */
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            double X = x + 0.5, Y = y + 0.5, a = 0, c[3] = {0, 0, 0};
            for (int s = 0; s < 9; s++) {
                double cx = w * (0.2 + 0.3 * (s % 3)), cy = h * (0.2 + 0.3 * (s / 3)), r = w * 0.11;
                double cov = s % 2 ? fmin(1, fmax(0, r - hypot(X - cx, Y - cy) + 0.5))
                                   : rrect(X, Y, cx - r, cy - r, cx + r, cy + r, r * 0.3);
                double col[3] = {255.0 * (s % 3) / 2, 255.0 * (s / 3) / 2, 255 - 20.0 * s};
                double shade = 0.7 + 0.3 * (Y - cy + r) / (2 * r);
                for (int k = 0; k < 3; k++) c[k] = c[k] * (1 - cov) + col[k] * shade * cov;
                a = a * (1 - cov) + cov;
            }
            uint8_t *d = img.rgba + 4 * ((size_t)y * w + x);
            for (int k = 0; k < 3; k++) d[k] = a > 0 ? u8(c[k] / a) : 0;
            d[3] = u8(255 * a);
        }
    rc |= save(out, "icon.png", &img);

    tt_image_free(&img);
    tt_image_free(&photo);
    tt_image_free(&smooth);
    return rc;
}
