/* mip_texel.c - the per-texel steps of the mip chain (level-0 decode, the clamp after each level, the RGBA8 store), in the operation order of shaders/mip_common.glsl. */
#include <math.h>

#include "mip/tt_mip.h"
#include "mip_abi.h" /* shaders/: flags, table layout */

static float lut(const tt_mip_tables *t, uint32_t base, uint32_t k)
{
    return tt_mip_tab_float(t, base + k);
}

/* A vector scaled to length 1; a zero vector becomes (0, 0, 1). */
static void normalize3(float v[3])
{
    float len2 = v[0] * v[0] + v[1] * v[1] + v[2] * v[2];
    if (len2 < 1e-12f) {
        v[0] = 0.0f;
        v[1] = 0.0f;
        v[2] = 1.0f;
        return;
    }
    float len = sqrtf(len2);
    for (int c = 0; c < 3; c++) v[c] = v[c] / len;
}

void tt_mip_decode8(const tt_mip_tables *t, uint32_t flags, uint32_t rgba, float out[4])
{
    uint32_t c[4] = {rgba & 0xFFu, (rgba >> 8) & 0xFFu, (rgba >> 16) & 0xFFu, rgba >> 24};
    float a = lut(t, TT_MIP_LUT_UNORM, c[3]);
    if (flags & TT_MIP_FLAG_NORMAL) {
        for (int k = 0; k < 3; k++) out[k] = lut(t, TT_MIP_LUT_SNORM, c[k]);
        normalize3(out);
    } else {
        uint32_t base = (flags & TT_MIP_FLAG_SRGB) ? TT_MIP_LUT_SRGB : TT_MIP_LUT_UNORM;
        for (int k = 0; k < 3; k++) out[k] = lut(t, base, c[k]) * a;
    }
    out[3] = a;
}

void tt_mip_clamp(uint32_t flags, float v[4])
{
    float a = fminf(fmaxf(v[3], 0.0f), 1.0f);
    if (flags & TT_MIP_FLAG_NORMAL) normalize3(v);
    else
        for (int k = 0; k < 3; k++) v[k] = fminf(fmaxf(v[k], 0.0f), a);
    v[3] = a;
}

static float srgb_encode(float x)
{
    return x <= 0.0031308f ? x * 12.92f : 1.055f * powf(x, 1.0f / 2.4f) - 0.055f;
}

static uint32_t to8(float x)
{
    return (uint32_t)floorf(fminf(fmaxf(x, 0.0f), 1.0f) * 255.0f + 0.5f);
}

uint32_t tt_mip_alpha8(float a, float s)
{
    return to8(fminf(1.0f, a * s));
}

uint32_t tt_mip_store(uint32_t flags, const float v[4], float s)
{
    uint32_t c[3];
    if (flags & TT_MIP_FLAG_NORMAL) {
        for (int k = 0; k < 3; k++) c[k] = to8((v[k] + 1.0f) * 0.5f);
    } else {
        for (int k = 0; k < 3; k++) {
            float lin = 0.0f;
            if (v[3] > 0.0f) {
                /* straight colour is what alpha weighted; premultiplied output follows the scaled alpha, as
                 * min(c s, c / a) = (c / a) min(a s, 1) */
                float straight = v[k] / v[3];
                lin = (flags & TT_MIP_FLAG_PREMULTIPLY) ? fminf(v[k] * s, straight) : fminf(straight, 1.0f);
            }
            if (flags & TT_MIP_FLAG_SRGB) lin = srgb_encode(lin);
            c[k] = to8(lin);
        }
    }
    return c[0] | (c[1] << 8) | (c[2] << 16) | (tt_mip_alpha8(v[3], s) << 24);
}
