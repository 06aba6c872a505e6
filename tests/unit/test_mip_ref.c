/* test_mip_ref.c - the C reference mip-chain builder (tt_mip_build_cpu): floor-rule sizes, filter weights against formulas computed here, gamma-correct filtering, no colour bleed from transparent texels, alpha coverage, normal maps, bad input. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinytex.h"
#include "tt_test.h"

static const char *filter_name[3] = {"box", "kaiser", "lanczos"};

static tt_image make_image(uint32_t w, uint32_t h)
{
    tt_image img;
    if (tt_image_alloc(&img, w, h) != TT_OK) exit(1);
    return img;
}

static void set_px(tt_image *img, uint32_t x, uint32_t y, int r, int g, int b, int a)
{
    uint8_t *p = img->rgba + ((size_t)y * img->width + x) * 4;
    p[0] = (uint8_t)r;
    p[1] = (uint8_t)g;
    p[2] = (uint8_t)b;
    p[3] = (uint8_t)a;
}

static const uint8_t *px(const tt_image *img, uint32_t x, uint32_t y)
{
    return img->rgba + ((size_t)y * img->width + x) * 4;
}

static void free_levels(tt_image *levels, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) tt_image_free(&levels[i]);
}

static int build(const tt_image *img, const tt_mip_config *c, tt_image *levels, uint32_t *count)
{
    tt_status st = tt_mip_build_cpu(img, c, levels, count);
    if (st != TT_OK) fprintf(stderr, "tt_mip_build_cpu: %s\n", tt_last_error());
    return st == TT_OK;
}

/* sRGB transfer functions, in double, as IEC 61966-2-1 gives them. */
static double srgb_to_linear(double x)
{
    return x <= 0.04045 ? x / 12.92 : pow((x + 0.055) / 1.055, 2.4);
}
static double linear_to_srgb(double x)
{
    return x <= 0.0031308 ? x * 12.92 : 1.055 * pow(x, 1.0 / 2.4) - 0.055;
}

static unsigned rng_state = 12345;
static unsigned rnd(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

/* ---- sizes ---- */
static void test_sizes(void)
{
    CHECK_EQ_INT(tt_mip_full_count(1000, 600), 10);
    CHECK_EQ_INT(tt_mip_full_count(5, 3), 3);
    CHECK_EQ_INT(tt_mip_full_count(1, 1), 1);
    CHECK_EQ_INT(tt_mip_full_count(4096, 1), 13);
    CHECK_EQ_INT(tt_mip_full_count(1, 65536), 17);

    /* the floor rule, written out: 1000x600 -> 500x300 -> ... -> 1x1 */
    static const uint32_t want[10][2] = {{1000, 600}, {500, 300}, {250, 150}, {125, 75}, {62, 37},
                                         {31, 18},    {15, 9},    {7, 4},     {3, 2},    {1, 1}};
    tt_image img = make_image(1000, 600);
    for (size_t i = 0; i < 1000u * 600u * 4u; i++) img.rgba[i] = (uint8_t)rnd();
    tt_mip_config c;
    tt_mip_config_init(&c);
    c.filter = TT_MIP_BOX;
    tt_image lv[TT_MAX_LEVELS];
    uint32_t n = 0;
    CHECK(build(&img, &c, lv, &n));
    CHECK_EQ_INT(n, 10);
    for (uint32_t i = 0; i < n && i < 10; i++) {
        CHECK_EQ_INT(lv[i].width, want[i][0]);
        CHECK_EQ_INT(lv[i].height, want[i][1]);
    }
    /* level 0 is the input unchanged (straight colour, not a normal map) */
    CHECK(n > 0 && memcmp(lv[0].rgba, img.rgba, 1000u * 600u * 4u) == 0);
    free_levels(lv, n);
    /* a shorter chain */
    c.levels = 4;
    CHECK(build(&img, &c, lv, &n));
    CHECK_EQ_INT(n, 4);
    CHECK(n == 4 && lv[3].width == 125 && lv[3].height == 75);
    free_levels(lv, n);
    tt_image_free(&img);

    static const struct { uint32_t w, h, n; } cases[] = {{5, 3, 3}, {1, 1, 1}, {4096, 1, 13}, {3, 7, 3}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        img = make_image(cases[k].w, cases[k].h);
        for (size_t i = 0; i < (size_t)cases[k].w * cases[k].h * 4; i++) img.rgba[i] = (uint8_t)rnd();
        for (int f = 0; f < 3; f++) {
            tt_mip_config_init(&c);
            c.filter = (tt_mip_filter)f;
            CHECK(build(&img, &c, lv, &n));
            CHECK_EQ_INT(n, cases[k].n);
            for (uint32_t i = 0; i < n; i++) {
                uint32_t ew = cases[k].w >> i ? cases[k].w >> i : 1, eh = cases[k].h >> i ? cases[k].h >> i : 1;
                CHECK_MSG(lv[i].width == ew && lv[i].height == eh, "%ux%u level %u: %ux%u, want %ux%u", cases[k].w,
                          cases[k].h, i, lv[i].width, lv[i].height, ew, eh);
            }
            free_levels(lv, n);
        }
        tt_image_free(&img);
    }
    /* every odd and even height up to 300, each filter: the chain builds (the weight tables fit the shader's tile) */
    uint32_t failed = 0;
    for (uint32_t h = 1; h <= 300; h++) {
        img = make_image(1, h);
        for (int f = 0; f < 3; f++) {
            tt_mip_config_init(&c);
            c.filter = (tt_mip_filter)f;
            if (tt_mip_build_cpu(&img, &c, lv, &n) != TT_OK) {
                if (failed++ < 3) fprintf(stderr, "1x%u %s: %s\n", h, filter_name[f], tt_last_error());
                continue;
            }
            free_levels(lv, n);
        }
        tt_image_free(&img);
    }
    CHECK_EQ_INT(failed, 0);
    /* 5x3 -> 2x1 -> 1x1 written out */
    img = make_image(5, 3);
    tt_mip_config_init(&c);
    CHECK(build(&img, &c, lv, &n));
    CHECK(n == 3 && lv[1].width == 2 && lv[1].height == 1 && lv[2].width == 1 && lv[2].height == 1);
    free_levels(lv, n);
    tt_image_free(&img);
}

/* ---- filter weights against the definitions (docs/mips.md, "Filters"), computed here independently ---- */
static double sinc(double x)
{
    return x == 0.0 ? 1.0 : sin(3.14159265358979323846 * x) / (3.14159265358979323846 * x);
}
static double i0(double x)
{
    double s = 0.0, f = 1.0; /* sum over k of ((x/2)^k / k!)^2 */
    for (int k = 0; k < 40; k++) {
        if (k > 0) f *= (x / 2.0) / k;
        s += f * f;
    }
    return s;
}
static double kernel(int filter, double x)
{
    if (fabs(x) >= 3.0) return 0.0;
    if (filter == TT_MIP_LANCZOS) return sinc(x) * sinc(x / 3.0);
    return sinc(x) * i0(4.0 * sqrt(1.0 - x * x / 9.0)) / i0(4.0);
}

static void test_weights(void)
{
    tt_mip_config c;
    tt_image lv[TT_MAX_LEVELS];
    uint32_t n = 0;
    /* box over an odd width: 5 -> 2 covers [0, 2.5) and [2.5, 5), the middle texel half in each */
    tt_image img = make_image(5, 1);
    static const int row[5] = {255, 0, 255, 0, 255};
    for (uint32_t x = 0; x < 5; x++) set_px(&img, x, 0, row[x], 255 - row[x], 0, 255);
    tt_mip_config_init(&c);
    c.filter = TT_MIP_BOX;
    CHECK(build(&img, &c, lv, &n));
    if (n == 3) {
        /* R: (1 + 0 + 0.5) / 2.5 = 0.6 -> 153 both; G: 0.4 -> 102 */
        CHECK_EQ_INT(px(&lv[1], 0, 0)[0], 153);
        CHECK_EQ_INT(px(&lv[1], 1, 0)[0], 153);
        CHECK_EQ_INT(px(&lv[1], 0, 0)[1], 102);
        /* 2 -> 1: the mean of the two, (0.6 + 0.6) / 2 */
        CHECK_EQ_INT(px(&lv[2], 0, 0)[0], 153);
    }
    free_levels(lv, n);
    tt_image_free(&img);

    /* an impulse of 255 on a grey of 100 (64 x 1, linear): level 1 texel d = 100 + 155 w(32 - j), where w is the
     * kernel at the source texel centres scaled by the ratio 2 and normalised */
    img = make_image(64, 1);
    for (uint32_t x = 0; x < 64; x++) set_px(&img, x, 0, x == 32 ? 255 : 100, 100, 100, 255);
    for (int f = TT_MIP_KAISER; f <= TT_MIP_LANCZOS; f++) {
        tt_mip_config_init(&c);
        c.filter = (tt_mip_filter)f;
        c.levels = 2;
        CHECK(build(&img, &c, lv, &n));
        int worst = 0, ring_below = 0;
        for (uint32_t d = 0; n == 2 && d < 32; d++) {
            double centre = (d + 0.5) * 2.0, sum = 0.0, wi = 0.0;
            for (int j = -20; j < 84; j++) {
                double w = kernel(f, (j + 0.5 - centre) / 2.0);
                sum += w;
                if (j == 32) wi = w;
            }
            double want = 100.0 + 155.0 * wi / sum;
            int got = px(&lv[1], d, 0)[0];
            int diff = abs(got - (int)floor(want + 0.5));
            if (diff > worst) worst = diff;
            ring_below += got < 100; /* negative lobes */
        }
        CHECK_MSG(worst <= 1, "%s impulse response off by %d", filter_name[f], worst);
        CHECK_MSG(ring_below > 0, "%s: no negative lobe seen", filter_name[f]);
        free_levels(lv, n);
    }
    tt_image_free(&img);
}

/* ---- gamma-correct filtering: a 1-texel black/white checkerboard ---- */
static void test_checkerboard(void)
{
    tt_image img = make_image(64, 64);
    for (uint32_t y = 0; y < 64; y++)
        for (uint32_t x = 0; x < 64; x++) {
            int v = ((x + y) & 1) ? 255 : 0;
            set_px(&img, x, y, v, v, v, 255);
        }
    /* linear 0.5 is sRGB 187.5 (1.055 * 0.5^(1/2.4) - 0.055 = 0.7354); without sRGB the mean is 127.5 */
    double srgb_half = linear_to_srgb(0.5) * 255.0;
    CHECK(srgb_half > 187.4 && srgb_half < 187.6);
    for (int f = 0; f < 3; f++)
        for (int srgb = 0; srgb < 2; srgb++) {
            tt_mip_config c;
            tt_mip_config_init(&c);
            c.filter = (tt_mip_filter)f;
            c.srgb = srgb;
            tt_image lv[TT_MAX_LEVELS];
            uint32_t n = 0;
            CHECK(build(&img, &c, lv, &n));
            if (n < 2) continue;
            /* clamp-to-edge breaks the pattern's symmetry within the windowed filters' reach (3 destination
             * texels) of the border: those are left out; box reaches no further than its own footprint */
            uint32_t m = f == TT_MIP_BOX ? 0 : 3, bad = 0;
            int lo = srgb ? 187 : 127, hi = srgb ? 188 : 128;
            for (uint32_t y = m; y < 32 - m; y++)
                for (uint32_t x = m; x < 32 - m; x++)
                    for (int k = 0; k < 3; k++) {
                        int v = px(&lv[1], x, y)[k];
                        if (v < lo || v > hi || px(&lv[1], x, y)[3] != 255) {
                            if (bad++ < 3)
                                fprintf(stderr, "checkerboard %s srgb %d: level 1 (%u,%u) = %d, want %d..%d\n",
                                        filter_name[f], srgb, x, y, v, lo, hi);
                        }
                    }
            CHECK_EQ_INT(bad, 0);
            free_levels(lv, n);
        }
    tt_image_free(&img);
}

/* ---- a constant image stays constant ---- */
static void test_constant(void)
{
    tt_image img = make_image(37, 23);
    for (uint32_t y = 0; y < 23; y++)
        for (uint32_t x = 0; x < 37; x++) set_px(&img, x, y, 200, 100, 50, 180);
    for (int f = 0; f < 3; f++)
        for (int srgb = 0; srgb < 2; srgb++)
            for (int pm = 0; pm < 2; pm++) {
                tt_mip_config c;
                tt_mip_config_init(&c);
                c.filter = (tt_mip_filter)f;
                c.srgb = srgb;
                c.premultiply = pm;
                int want[4] = {200, 100, 50, 180};
                if (pm) /* premultiplied in linear light, then encoded again */
                    for (int k = 0; k < 3; k++) {
                        double lin = want[k] / 255.0;
                        if (srgb) lin = srgb_to_linear(lin);
                        lin *= 180.0 / 255.0;
                        want[k] = (int)floor((srgb ? linear_to_srgb(lin) : lin) * 255.0 + 0.5);
                    }
                tt_image lv[TT_MAX_LEVELS];
                uint32_t n = 0;
                CHECK(build(&img, &c, lv, &n));
                CHECK_EQ_INT(n, 6);
                uint32_t bad = 0;
                for (uint32_t i = 0; i < n; i++)
                    for (size_t t = 0; t < (size_t)lv[i].width * lv[i].height; t++)
                        for (int k = 0; k < 4; k++)
                            if (lv[i].rgba[t * 4 + k] != want[k] && bad++ < 3)
                                fprintf(stderr, "constant %s srgb %d pm %d: level %u texel %zu ch %d = %d, want %d\n",
                                        filter_name[f], srgb, pm, i, t, k, lv[i].rgba[t * 4 + k], want[k]);
                CHECK_EQ_INT(bad, 0);
                free_levels(lv, n);
            }
    tt_image_free(&img);
}

/* ---- transparent texels give no colour ---- */
static void test_cutout_bleed(void)
{
    /* 5x5-texel tiles: transparent bright red beside opaque green, over an odd size so that the footprints
     * straddle tiles at every level */
    tt_image img = make_image(75, 51);
    for (uint32_t y = 0; y < 51; y++)
        for (uint32_t x = 0; x < 75; x++) {
            if (((x / 5) + (y / 5)) & 1) set_px(&img, x, y, 255, 0, 0, 0);
            else set_px(&img, x, y, 0, 255, 0, 255);
        }
    for (int f = 0; f < 3; f++)
        for (int srgb = 0; srgb < 2; srgb++)
            for (int pm = 0; pm < 2; pm++) {
                tt_mip_config c;
                tt_mip_config_init(&c);
                c.filter = (tt_mip_filter)f;
                c.srgb = srgb;
                c.premultiply = pm;
                tt_image lv[TT_MAX_LEVELS];
                uint32_t n = 0;
                CHECK(build(&img, &c, lv, &n));
                uint32_t bad = 0, partial = 0;
                for (uint32_t i = 1; i < n; i++)
                    for (size_t t = 0; t < (size_t)lv[i].width * lv[i].height; t++) {
                        const uint8_t *p = lv[i].rgba + t * 4;
                        if (p[3] == 0) continue;
                        partial += p[3] < 255;
                        if (p[0] > 1 && bad++ < 3)
                            fprintf(stderr, "bleed %s srgb %d pm %d: level %u texel %zu = %d %d %d %d\n",
                                    filter_name[f], srgb, pm, i, t, p[0], p[1], p[2], p[3]);
                    }
                CHECK_EQ_INT(bad, 0);
                CHECK(partial > 0); /* the levels do mix the tiles */
                free_levels(lv, n);
            }
    /* The check can fail: a box filter on straight colour (the naive way) turns level 1's mixed texels red. */
    uint32_t naive_red = 0;
    for (uint32_t y = 0; y + 1 < 51; y += 2)
        for (uint32_t x = 0; x + 1 < 75; x += 2) {
            int r = 0, a = 0;
            for (int k = 0; k < 4; k++) {
                r += px(&img, x + (k & 1), y + (k >> 1))[0];
                a += px(&img, x + (k & 1), y + (k >> 1))[3];
            }
            naive_red += a > 0 && r / 4 > 1;
        }
    CHECK(naive_red > 0);
    tt_image_free(&img);
}

/* ---- alpha coverage ---- */
static double coverage(const tt_image *img, double ref)
{
    size_t n = (size_t)img->width * img->height, pass = 0;
    for (size_t i = 0; i < n; i++) pass += img->rgba[i * 4 + 3] / 255.0 >= ref;
    return (double)pass / (double)n;
}

/* Value noise of two octaves (cells of 16 and 5 texels), smoothly interpolated: foliage-like blobs with thin
 * parts once thresholded. */
static double lattice(int x, int y, int seed)
{
    unsigned h = (unsigned)x * 374761393u + (unsigned)y * 668265263u + (unsigned)seed * 2246822519u;
    h = (h ^ (h >> 13)) * 1274126177u;
    return ((h ^ (h >> 16)) & 0xFFFF) / 65535.0;
}
static double value_noise(double x, double y, double cell, int seed)
{
    double fx = x / cell, fy = y / cell;
    int ix = (int)floor(fx), iy = (int)floor(fy);
    double tx = fx - ix, ty = fy - iy;
    tx = tx * tx * (3 - 2 * tx);
    ty = ty * ty * (3 - 2 * ty);
    double a = lattice(ix, iy, seed), b = lattice(ix + 1, iy, seed), c = lattice(ix, iy + 1, seed),
           d = lattice(ix + 1, iy + 1, seed);
    return (a * (1 - tx) + b * tx) * (1 - ty) + (c * (1 - tx) + d * tx) * ty;
}

static void test_coverage(void)
{
    tt_image img = make_image(256, 256);
    for (uint32_t y = 0; y < 256; y++)
        for (uint32_t x = 0; x < 256; x++) {
            double v = 0.6 * value_noise(x, y, 16, 1) + 0.4 * value_noise(x, y, 5, 2);
            int inside = v > 0.56;
            set_px(&img, x, y, 40 + (int)(x % 50), 120 + (int)(y % 100), 30, inside ? 255 : 0);
        }
    double ref = 0.5, c0 = coverage(&img, ref);
    printf("coverage test: level 0 coverage %.4f at ref %.2f\n", c0, ref);
    CHECK(c0 > 0.2 && c0 < 0.6);
    for (int f = 0; f < 3; f++)
        for (int pm = 0; pm < 2; pm++) {
            tt_mip_config c;
            tt_mip_config_init(&c);
            c.filter = (tt_mip_filter)f;
            c.premultiply = pm;
            c.srgb = 1;
            tt_image off[TT_MAX_LEVELS], on[TT_MAX_LEVELS];
            uint32_t n_off = 0, n = 0;
            CHECK(build(&img, &c, off, &n_off));
            c.alpha_coverage = (float)ref;
            CHECK(build(&img, &c, on, &n));
            CHECK_EQ_INT(n, 9);
            CHECK_EQ_INT(n_off, 9);
            double drift = 0.0, held = 0.0;
            printf("  %s%s: level, coverage off, on:", filter_name[f], pm ? " premultiplied" : "");
            for (uint32_t i = 1; i < n && i < n_off; i++) {
                size_t texels = (size_t)on[i].width * on[i].height;
                double c_off = coverage(&off[i], ref), c_on = coverage(&on[i], ref), d = fabs(c_on - c0);
                printf(" %u:%.4f,%.4f", i, c_off, c_on);
                if (texels >= 64) {
                    if (fabs(c_off - c0) > drift) drift = fabs(c_off - c0);
                    if (d > held) held = d;
                }
                /* No alpha scale does better than the best alpha-test threshold on the unscaled level's bytes
                 * (each such threshold is one a scale can reach), at any level. */
                size_t hist[256] = {0};
                for (size_t t = 0; t < texels; t++) hist[off[i].rgba[t * 4 + 3]]++;
                double best = c0; /* nothing passing */
                size_t pass = 0;
                for (int k = 255; k >= 1; k--) {
                    pass += hist[k];
                    double e = fabs((double)pass / (double)texels - c0);
                    if (e < best) best = e;
                }
                CHECK_MSG(d <= best + 1e-9, "%s level %u: coverage %.4f, but %.4f was reachable", filter_name[f], i,
                          c_on, best);
                /* Held within 1 percentage point while a level has >= 64 texels (down to 8x8): one texel of n
                 * moves the share by 1/n, so a level lands on level 0's share only to within 0.5/n (0.78 points
                 * at 8x8); below that (4x4, 2x2, 1x1) 0.5/n is the bound, and a 1x1 level is 0% or 100%. Box
                 * filtering of this 0/255 cutout ties its level-1 alphas in steps of 1/4 and level 2's in steps
                 * of 1/16, and tied texels pass or fail together: there the reachable bound above is the test. */
                int ties = f == TT_MIP_BOX && i <= 2;
                if (!ties)
                    CHECK_MSG(d <= (texels >= 64 ? 0.01 : 0.5 / (double)texels + 1e-9),
                              "%s level %u (%ux%u): coverage %.4f vs level 0 %.4f", filter_name[f], i, on[i].width,
                              on[i].height, c_on, c0);
                /* the colour follows: premultiplied colour (linear light) stays within alpha */
                for (size_t t = 0; pm && t < texels; t++)
                    for (int k = 0; k < 3; k++)
                        if (srgb_to_linear(on[i].rgba[t * 4 + k] / 255.0) > (on[i].rgba[t * 4 + 3] + 2) / 255.0) {
                            CHECK_MSG(0, "premultiplied colour above alpha at level %u", i);
                            t = texels;
                            break;
                        }
            }
            printf("\n    largest change down to 8x8: %.4f off, %.4f on\n", drift, held);
            /* without the scale the share drifts: the blobs thin out as they blur below the 0.5 test */
            CHECK_MSG(drift > 0.05, "%s: coverage drifted only %.4f without alpha_coverage", filter_name[f], drift);
            free_levels(off, n_off);
            free_levels(on, n);
        }
    tt_image_free(&img);
}

/* ---- normal maps ---- */
static void decode_normal(const uint8_t *p, double v[3])
{
    for (int k = 0; k < 3; k++) v[k] = 2.0 * p[k] / 255.0 - 1.0;
}

static void test_normal_map(void)
{
    /* random unit vectors on the upper hemisphere, plus some texels that are not unit length (255,255,255) */
    tt_image img = make_image(67, 45);
    for (uint32_t y = 0; y < 45; y++)
        for (uint32_t x = 0; x < 67; x++) {
            if ((x * 7 + y * 3) % 29 == 0) {
                set_px(&img, x, y, 255, 255, 255, 255);
                continue;
            }
            double vx = (rnd() % 2001) / 1000.0 - 1.0, vy = (rnd() % 2001) / 1000.0 - 1.0;
            double vz = 1.0 - vx * vx - vy * vy;
            if (vz < 0.05) vz = 0.05;
            double len = sqrt(vx * vx + vy * vy + vz);
            vx /= len;
            vy /= len;
            vz = sqrt(vz) / len;
            set_px(&img, x, y, (int)floor((vx + 1) * 127.5 + 0.5), (int)floor((vy + 1) * 127.5 + 0.5),
                   (int)floor((vz + 1) * 127.5 + 0.5), (int)(rnd() % 256));
        }
    for (int f = 0; f < 3; f++)
        for (int srgb = 0; srgb < 2; srgb++) {
            tt_mip_config c;
            tt_mip_config_init(&c);
            c.filter = (tt_mip_filter)f;
            c.normal_map = 1;
            c.srgb = srgb; /* ignored for normal maps: the same result either way */
            tt_image lv[TT_MAX_LEVELS];
            uint32_t n = 0;
            CHECK(build(&img, &c, lv, &n));
            CHECK_EQ_INT(n, 7);
            double worst = 0.0;
            for (uint32_t i = 0; i < n; i++)
                for (size_t t = 0; t < (size_t)lv[i].width * lv[i].height; t++) {
                    double v[3];
                    decode_normal(lv[i].rgba + t * 4, v);
                    double e = fabs(sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]) - 1.0);
                    if (e > worst) worst = e;
                }
            /* each channel is within half a step (1/255) of the unit vector: |v| within sqrt(3)/255 < 1/127 */
            CHECK_MSG(worst <= 1.0 / 127.0, "%s: a texel's length is off by %.5f", filter_name[f], worst);
            /* alpha is filtered as a plain channel: level 0 keeps it */
            int alpha_kept = 1;
            for (size_t t = 0; n > 0 && t < 67u * 45u; t++) alpha_kept &= lv[0].rgba[t * 4 + 3] == img.rgba[t * 4 + 3];
            CHECK(alpha_kept);
            if (srgb) {
                tt_image lin[TT_MAX_LEVELS];
                uint32_t m = 0;
                c.srgb = 0;
                CHECK(build(&img, &c, lin, &m));
                int same = m == n;
                for (uint32_t i = 0; same && i < n; i++)
                    same = memcmp(lin[i].rgba, lv[i].rgba, (size_t)lv[i].width * lv[i].height * 4) == 0;
                CHECK_MSG(same, "%s: srgb changed a normal map", filter_name[f]);
                free_levels(lin, m);
            }
            free_levels(lv, n);
        }
    tt_image_free(&img);

    /* opposite tilts, column by column: (+0.6, ., 0.8) and (-0.6, ., 0.8) average to the straight normal */
    img = make_image(32, 8);
    for (uint32_t y = 0; y < 8; y++)
        for (uint32_t x = 0; x < 32; x++) set_px(&img, x, y, (x & 1) ? 51 : 204, 128, 230, 255);
    for (int f = 0; f < 3; f++) {
        tt_mip_config c;
        tt_mip_config_init(&c);
        c.filter = (tt_mip_filter)f;
        c.normal_map = 1;
        c.levels = 2;
        tt_image lv[TT_MAX_LEVELS];
        uint32_t n = 0;
        CHECK(build(&img, &c, lv, &n));
        /* clamp-to-edge repeats the edge column, so the windowed filters' edge texels (3 either side) see more
         * of one tilt */
        uint32_t bad = 0, m = f == TT_MIP_BOX ? 0 : 3;
        for (uint32_t t = 0; n == 2 && t < 16u * 4u; t++) {
            if (t % 16 < m || t % 16 >= 16 - m) continue;
            const uint8_t *p = lv[1].rgba + t * 4;
            /* x sums to zero up to float rounding of the weighted sum: exactly for box, else within a step */
            int tol = f == TT_MIP_BOX ? 0 : 1;
            if (abs(p[0] - 128) > tol || abs(p[1] - 128) > tol || p[2] != 255) bad++;
        }
        CHECK_MSG(bad == 0, "%s: %u texels of the averaged tilts are not (128, 128, 255)", filter_name[f], bad);
        free_levels(lv, n);
    }
    tt_image_free(&img);

    /* exact opposites cancel to a zero vector, which becomes (0, 0, 1) */
    img = make_image(2, 1);
    set_px(&img, 0, 0, 255, 128, 128, 255);
    set_px(&img, 1, 0, 0, 127, 127, 255);
    {
        tt_mip_config c;
        tt_mip_config_init(&c);
        c.filter = TT_MIP_BOX;
        c.normal_map = 1;
        tt_image lv[TT_MAX_LEVELS];
        uint32_t n = 0;
        CHECK(build(&img, &c, lv, &n));
        CHECK(n == 2 && px(&lv[1], 0, 0)[0] == 128 && px(&lv[1], 0, 0)[1] == 128 && px(&lv[1], 0, 0)[2] == 255);
        free_levels(lv, n);
    }
    tt_image_free(&img);
}

/* ---- configs and bad input ---- */
static void test_config(void)
{
    tt_mip_config c;
    tt_mip_config_init(&c);
    CHECK_EQ_INT(c.levels, 0);
    CHECK_EQ_INT(c.filter, TT_MIP_KAISER);
    CHECK(c.alpha_coverage < 0.0f);
    CHECK_EQ_INT(c.srgb | c.premultiply | c.normal_map, 0);
    CHECK_EQ_INT(tt_mip_config_validate(&c), TT_OK);
    CHECK_EQ_INT(tt_mip_config_validate(NULL), TT_ERR_INVALID_ARG);
    tt_mip_config b = c;
    b.filter = (tt_mip_filter)3;
    CHECK_EQ_INT(tt_mip_config_validate(&b), TT_ERR_INVALID_ARG);
    CHECK(strstr(tt_last_error(), "filter") != NULL);
    b = c;
    b.levels = TT_MAX_LEVELS + 1;
    CHECK_EQ_INT(tt_mip_config_validate(&b), TT_ERR_INVALID_ARG);
    b = c;
    b.alpha_coverage = 1.5f;
    CHECK_EQ_INT(tt_mip_config_validate(&b), TT_ERR_INVALID_ARG);
    CHECK(strstr(tt_last_error(), "alpha_coverage") != NULL);
    b.alpha_coverage = NAN;
    CHECK_EQ_INT(tt_mip_config_validate(&b), TT_ERR_INVALID_ARG);
    b.alpha_coverage = 1.0f;
    CHECK_EQ_INT(tt_mip_config_validate(&b), TT_OK);
    b.alpha_coverage = 0.0f;
    CHECK_EQ_INT(tt_mip_config_validate(&b), TT_OK);
    b = c;
    b.srgb = 2;
    CHECK_EQ_INT(tt_mip_config_validate(&b), TT_ERR_INVALID_ARG);
    b = c;
    b.premultiply = -1;
    CHECK_EQ_INT(tt_mip_config_validate(&b), TT_ERR_INVALID_ARG);
    b = c;
    b.normal_map = 1;
    CHECK_EQ_INT(tt_mip_config_validate(&b), TT_OK);
    b.premultiply = 1;
    CHECK_EQ_INT(tt_mip_config_validate(&b), TT_ERR_INVALID_ARG);

    tt_image lv[TT_MAX_LEVELS];
    uint32_t n = 99;
    tt_image img = make_image(5, 3);
    /* more levels than the chain has: an error, nothing allocated, count 0 */
    b = c;
    b.levels = 4;
    memset(lv, 0xAB, sizeof lv);
    CHECK_EQ_INT(tt_mip_build_cpu(&img, &b, lv, &n), TT_ERR_INVALID_ARG);
    CHECK_EQ_INT(n, 0);
    CHECK(lv[0].rgba == NULL && lv[TT_MAX_LEVELS - 1].rgba == NULL);
    CHECK(strstr(tt_last_error(), "full chain") != NULL);
    n = 99;
    CHECK_EQ_INT(tt_mip_build_cpu(&img, &b, lv, NULL), TT_ERR_INVALID_ARG);
    CHECK_EQ_INT(tt_mip_build_cpu(&img, &c, NULL, &n), TT_ERR_INVALID_ARG);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(tt_mip_build_cpu(NULL, &c, lv, &n), TT_ERR_INVALID_ARG);
    tt_image empty = {0};
    CHECK_EQ_INT(tt_mip_build_cpu(&empty, &c, lv, &n), TT_ERR_INVALID_ARG);
    /* above the size limit: refused before any allocation (the pixels are never read) */
    tt_image huge = {.width = 70000, .height = 1, .rgba = img.rgba};
    CHECK_EQ_INT(tt_mip_build_cpu(&huge, &c, lv, &n), TT_ERR_LIMIT);
    huge = (tt_image){.width = 20000, .height = 20000, .rgba = img.rgba};
    CHECK_EQ_INT(tt_mip_build_cpu(&huge, &c, lv, &n), TT_ERR_LIMIT);
    CHECK_EQ_INT(n, 0);
    /* NULL config: the defaults */
    CHECK_EQ_INT(tt_mip_build_cpu(&img, NULL, lv, &n), TT_OK);
    CHECK_EQ_INT(n, 3);
    free_levels(lv, n);
    tt_image_free(&img);
}

int main(void)
{
    test_config();
    test_sizes();
    test_weights();
    test_checkerboard();
    test_constant();
    test_cutout_bleed();
    test_coverage();
    test_normal_map();
    TT_TEST_END();
}
