/* test_bc7_mips.c - mip chains end to end through the public API on the device: filter (tt_mip_build) + BC7 encode of every level (tt_bc7_encode_levels) + decode, against what issue 14 asks of the result. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinytex.h"
#include "tt_test.h"

/* Builds the chain of `img` with `m` on the device, encodes it with `preset`, decodes every level into dec[]
 * and gives the chain itself in ref[]. Returns the level count (0 on failure). */
static uint32_t chain_roundtrip(tt_context *ctx, const tt_image *img, const tt_mip_config *m, tt_bc7_preset preset,
                                tt_image *ref, tt_image *dec)
{
    uint32_t n = 0;
    tt_status st = tt_mip_build(ctx, img, m, ref, &n);
    CHECK_MSG(st == TT_OK, "mip build: %s", tt_last_error());
    if (st != TT_OK) return 0;
    tt_bc7_config q;
    tt_bc7_config_init(&q);
    tt_bc7_config_preset(&q, preset);
    q.alpha_test = m->alpha_coverage; /* as the CLI's --alpha-coverage: the encoder keeps the test too */
    tt_texture t;
    st = tt_bc7_encode_levels(ctx, ref, n, &q, &t, NULL);
    CHECK_MSG(st == TT_OK, "encode levels: %s", tt_last_error());
    if (st != TT_OK) return 0;
    CHECK_EQ_INT(t.level_count, n);
    for (uint32_t i = 0; i < n; i++) CHECK_EQ_INT(tt_texture_decode(&t, i, &dec[i]), TT_OK);
    tt_texture_free(&t);
    return n;
}

static void free_levels(tt_image *a, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) tt_image_free(&a[i]);
}

/* Two octaves of value noise (cells of 16 and 5 texels, smoothstep-interpolated hashes): thresholded, foliage-like
 * blobs with thin parts. */
static double hash01(int x, int y, int seed)
{
    unsigned h = (unsigned)x * 73856093u ^ (unsigned)y * 19349663u ^ (unsigned)seed * 83492791u;
    h ^= h >> 15;
    h *= 2654435761u;
    h ^= h >> 13;
    return (h & 0xFFFFu) / 65535.0;
}
static double noise(double x, double y, double cell, int seed)
{
    double fx = x / cell, fy = y / cell;
    int ix = (int)floor(fx), iy = (int)floor(fy);
    double tx = fx - ix, ty = fy - iy;
    tx = tx * tx * (3 - 2 * tx);
    ty = ty * ty * (3 - 2 * ty);
    return (hash01(ix, iy, seed) * (1 - tx) + hash01(ix + 1, iy, seed) * tx) * (1 - ty) +
           (hash01(ix, iy + 1, seed) * (1 - tx) + hash01(ix + 1, iy + 1, seed) * tx) * ty;
}

/* Share of texels with alpha >= ref255. */
static double coverage(const tt_image *im, int ref255)
{
    size_t n = (size_t)im->width * im->height, c = 0;
    for (size_t i = 0; i < n; i++) c += im->rgba[i * 4 + 3] >= ref255;
    return (double)c / (double)n;
}

int main(void)
{
    tt_context *ctx = NULL;
    if (tt_context_create(NULL, &ctx) != TT_OK) {
        printf("skip: no Vulkan device (%s)\n", tt_last_error());
        return 77;
    }
    tt_image ref[TT_MAX_LEVELS], dec[TT_MAX_LEVELS];
    memset(ref, 0, sizeof ref);
    memset(dec, 0, sizeof dec);

    /* 1. Gamma-correct filtering: a 1-texel black/white checkerboard. Level 1 is the mean of linear 0 and 1, i.e.
     * linear 0.5, which is sRGB 187.5 (the sRGB OETF: 1.055 * 0.5^(1/2.4) - 0.055 = 0.7354) with --srgb, and 127.5
     * without. Every texel of level 1 (after BC7: a flat block is encoded exactly) within 1 of that (away from the
     * edges for the windowed filters). */
    {
        tt_image cb;
        CHECK_EQ_INT(tt_image_alloc(&cb, 64, 64), TT_OK);
        for (uint32_t i = 0; i < 64 * 64; i++) {
            uint8_t v = ((i % 64) + (i / 64)) % 2 ? 255 : 0;
            cb.rgba[i * 4] = cb.rgba[i * 4 + 1] = cb.rgba[i * 4 + 2] = v;
            cb.rgba[i * 4 + 3] = 255;
        }
        for (int srgb = 0; srgb < 2; srgb++)
            for (int f = TT_MIP_BOX; f <= TT_MIP_LANCZOS; f++) {
                tt_mip_config m;
                tt_mip_config_init(&m);
                m.srgb = srgb;
                m.filter = (tt_mip_filter)f;
                uint32_t n = chain_roundtrip(ctx, &cb, &m, TT_BC7_PRESET_FAST, ref, dec);
                CHECK_EQ_INT(n, 7);
                if (n < 2) continue;
                double want = srgb ? 187.5 : 127.5;
                /* the windowed filters reach 3 texels past the edge, where clamping breaks the pattern */
                uint32_t edge = f == TT_MIP_BOX ? 0 : 3;
                int worst = 0;
                for (uint32_t y = edge; y < 32 - edge; y++)
                    for (uint32_t x = edge; x < 32 - edge; x++)
                        for (int k = 0; k < 3; k++) {
                            int d = (int)fabs(dec[1].rgba[(y * 32 + x) * 4 + k] - want);
                            worst = d > worst ? d : worst;
                        }
                printf("checkerboard, %s, filter %d: level 1 texel 0 = %u (want %.1f), worst |error| %d\n",
                       srgb ? "sRGB" : "linear", f, dec[1].rgba[0], want, worst);
                CHECK(worst <= 1);
                free_levels(ref, n);
                free_levels(dec, n);
            }
        tt_image_free(&cb);
    }

    /* 2. A foliage-like cutout (alpha 0 or 255: thresholded value noise; green leaves with red 20, red 255 behind
     * the transparent texels), medium preset: with alpha_coverage 0.5 the share of texels with alpha >= 128 of every
     * filtered level down to 8x8 is within one percentage point of level 0's (below 8x8 a level has too few texels to
     * hold a share to 1 %), and so is every decoded BC7 level down to 8x8, since the encoder is given the same alpha
     * test (tt_bc7_config.alpha_test, as the CLI's --alpha-coverage does; without it BC7's alpha error moved 5 of the
     * 256 texels of the 16x16 level across). Colour never bleeds: with the box filter (no negative lobes) no texel of
     * a filtered level with any alpha has red above the leaves' 20 (+1 rounding); with the default Kaiser filter no
     * visible texel (alpha > 64) of a filtered level has red above 40 (Kaiser's overshoot, alpha clamped at 1, lifts
     * 20 to 22-24; 10 % of the red behind would add 25), nor has any texel of a decoded level that passes the test
     * (alpha >= 128) red above 60. Below the test, decoded texels may carry the encoder's error in blocks that mix
     * leaves and gaps (a 32x32 texel of alpha 69 decodes as 98 with red 74), which the test discards. */
    {
        tt_image cut;
        CHECK_EQ_INT(tt_image_alloc(&cut, 256, 256), TT_OK);
        for (uint32_t y = 0; y < 256; y++)
            for (uint32_t x = 0; x < 256; x++) {
                uint8_t *p = cut.rgba + ((size_t)y * 256 + x) * 4;
                int in = 0.6 * noise(x, y, 16, 1) + 0.4 * noise(x, y, 5, 2) > 0.55;
                p[0] = in ? 20 : 255;
                p[1] = in ? (uint8_t)(120 + (x * 7 + y * 3) % 100) : 0;
                p[2] = in ? 30 : 0;
                p[3] = in ? 255 : 0;
            }
        tt_mip_config m;
        tt_mip_config_init(&m);
        m.alpha_coverage = 0.5f;
        uint32_t n = chain_roundtrip(ctx, &cut, &m, TT_BC7_PRESET_MEDIUM, ref, dec);
        CHECK_EQ_INT(n, 9);
        double c0 = coverage(&dec[0], 128);
        int red = 0;
        for (uint32_t i = 0; i < n; i++) {
            double c = coverage(&dec[i], 128);
            double cf = coverage(&ref[i], 128);
            printf("cutout level %u (%ux%u): coverage %.4f (level 0 %.4f), before BC7 %.4f\n", i, dec[i].width,
                   dec[i].height, c, c0, cf);
            if (dec[i].width >= 8) CHECK_MSG(fabs(cf - c0) <= 0.01, "filtered level %u coverage %.4f vs %.4f", i, cf, c0);
            if (dec[i].width >= 8) CHECK_MSG(fabs(c - c0) <= 0.01, "level %u coverage %.4f vs %.4f", i, c, c0);
            for (size_t k = 0; i > 0 && k < (size_t)dec[i].width * dec[i].height; k++) {
                const uint8_t *p = dec[i].rgba + k * 4, *f = ref[i].rgba + k * 4;
                if ((p[3] >= 128 && p[0] > 60) || (f[3] > 64 && f[0] > 40)) red++;
            }
        }
        printf("cutout: visible texels with red from transparent neighbours: %d\n", red);
        CHECK_EQ_INT(red, 0);
        free_levels(ref, n);
        free_levels(dec, n);
        m.filter = TT_MIP_BOX;
        n = chain_roundtrip(ctx, &cut, &m, TT_BC7_PRESET_FAST, ref, dec);
        int box_red = 0;
        for (uint32_t i = 1; i < n; i++)
            for (size_t k = 0; k < (size_t)ref[i].width * ref[i].height; k++)
                box_red += ref[i].rgba[k * 4 + 3] > 0 && ref[i].rgba[k * 4] > 21;
        printf("cutout, box filter: texels with alpha > 0 and red above 21: %d\n", box_red);
        CHECK_EQ_INT(box_red, 0);
        free_levels(ref, n);
        free_levels(dec, n);
        m.filter = TT_MIP_KAISER;
        /* without coverage the share drifts (so the check above can fail) */
        m.alpha_coverage = -1.0f;
        n = chain_roundtrip(ctx, &cut, &m, TT_BC7_PRESET_MEDIUM, ref, dec);
        double drift = 0.0;
        for (uint32_t i = 0; i < n; i++)
            if (dec[i].width >= 8) drift = fmax(drift, fabs(coverage(&dec[i], 128) - c0));
        printf("cutout without --alpha-coverage: largest coverage drift %.4f\n", drift);
        CHECK(drift > 0.01);
        free_levels(ref, n);
        free_levels(dec, n);
        tt_image_free(&cut);
    }

    /* 3. A normal map (a field of bumps: z = 0.3 sin(x/5) cos(y/7), normal (-dz/dx, -dz/dy, 1) normalised), medium
     * preset: every level's vectors are unit length (renormalised), and every decoded texel of every level lies
     * within 5 degrees of the renormalised reference level (BC7 error on a unit vector; measured: at most 4.1, mean
     * at most 1.3). */
    {
        tt_image nm;
        CHECK_EQ_INT(tt_image_alloc(&nm, 200, 120), TT_OK);
        for (uint32_t y = 0; y < 120; y++)
            for (uint32_t x = 0; x < 200; x++) {
                double gx = 0.3 / 5.0 * cos(x / 5.0) * cos(y / 7.0), gy = -0.3 / 7.0 * sin(x / 5.0) * sin(y / 7.0);
                double v[3] = {-gx * 4.0, -gy * 4.0, 1.0}, l = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
                uint8_t *p = nm.rgba + ((size_t)y * 200 + x) * 4;
                for (int k = 0; k < 3; k++) p[k] = (uint8_t)lround((v[k] / l + 1.0) * 127.5);
                p[3] = 255;
            }
        tt_mip_config m;
        tt_mip_config_init(&m);
        m.normal_map = 1;
        uint32_t n = chain_roundtrip(ctx, &nm, &m, TT_BC7_PRESET_MEDIUM, ref, dec);
        CHECK_EQ_INT(n, 8);
        for (uint32_t i = 0; i < n; i++) {
            double worst_len = 0.0;
            for (size_t k = 0; k < (size_t)ref[i].width * ref[i].height; k++) {
                double l2 = 0.0;
                for (int c = 0; c < 3; c++) {
                    double v = ref[i].rgba[k * 4 + c] / 127.5 - 1.0;
                    l2 += v * v;
                }
                worst_len = fmax(worst_len, fabs(sqrt(l2) - 1.0));
            }
            double mean = 0.0, mx = 0.0;
            CHECK_EQ_INT(tt_normal_angle_error(&ref[i], &dec[i], &mean, &mx), TT_OK);
            printf("normal map level %u (%ux%u): |v| off 1 by at most %.4f; BC7 angle error mean %.3f max %.3f deg\n",
                   i, ref[i].width, ref[i].height, worst_len, mean, mx);
            CHECK(worst_len <= 2.0 / 127.5); /* 8-bit rounding of each component */
            CHECK(mx <= 5.0);
        }
        free_levels(ref, n);
        free_levels(dec, n);
        tt_image_free(&nm);
    }

    /* 4. Sizes follow the floor rule, odd sizes too, and --mip-levels cuts the chain. */
    {
        tt_image odd;
        CHECK_EQ_INT(tt_image_alloc(&odd, 1000, 600), TT_OK);
        for (size_t i = 0; i < (size_t)1000 * 600 * 4; i++) odd.rgba[i] = (uint8_t)(i * 7 % 251);
        tt_mip_config m;
        tt_mip_config_init(&m);
        uint32_t n = 0;
        CHECK_EQ_INT(tt_mip_build(ctx, &odd, &m, ref, &n), TT_OK);
        CHECK_EQ_INT(n, 10);
        for (uint32_t i = 0; i < n; i++) {
            uint32_t w = 1000 >> i ? 1000 >> i : 1, h = 600 >> i ? 600 >> i : 1;
            CHECK(ref[i].width == w && ref[i].height == h);
        }
        free_levels(ref, n);
        m.levels = 3;
        CHECK_EQ_INT(tt_mip_build(ctx, &odd, &m, ref, &n), TT_OK);
        CHECK_EQ_INT(n, 3);
        free_levels(ref, n);
        tt_image_free(&odd);
    }
    tt_context_destroy(ctx);
    TT_TEST_END();
}
