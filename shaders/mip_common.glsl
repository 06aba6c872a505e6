// mip_common.glsl - the mip passes' shared code: buffers, level-0 decode, texel fetch, the per-level clamp and the RGBA8 store, the twin of src/mip/mip_texel.c.
// Every float that C rounds is `precise` (no fused multiply-add), so a filter pass gives C's floats bit for bit where
// the device rounds + and * to nearest; sqrt, division and pow may differ by a few ulps (docs/mips.md, "GPU and C").
#extension GL_GOOGLE_include_directive : require

#include "mip_abi.h" // push constants (pc), bindings, table layout

layout(local_size_x = TT_MIP_LOCAL_SIZE, local_size_y = TT_MIP_LOCAL_SIZE, local_size_z = 1) in;
layout(std430, set = 0, binding = TT_MIP_BIND_SRC8) readonly buffer Src8 { uint src8[]; };
layout(std430, set = 0, binding = TT_MIP_BIND_SRCF) readonly buffer SrcF { vec4 srcf[]; };
layout(std430, set = 0, binding = TT_MIP_BIND_DSTF) writeonly buffer DstF { vec4 dstf[]; };
layout(std430, set = 0, binding = TT_MIP_BIND_DST8) writeonly buffer Dst8 { uint dst8[]; };
layout(std430, set = 0, binding = TT_MIP_BIND_TAB) readonly buffer Tab { uint tab[]; };

// The decode tables, in shared memory for passes that read level 0: each level-1 texel decodes up to a few hundred
// source texels, with table indices that differ from invocation to invocation.
shared float lut_shared[TT_MIP_TAB_WEIGHTS];

// Fills lut_shared; every invocation of the workgroup calls it (before any returns) when the pass reads level 0.
void load_lut()
{
    for (uint i = gl_LocalInvocationIndex; i < TT_MIP_TAB_WEIGHTS; i += TT_MIP_LOCAL_SIZE * TT_MIP_LOCAL_SIZE)
        lut_shared[i] = uintBitsToFloat(tab[i]);
    barrier();
}

float lut(uint base, uint k) { return lut_shared[base + k]; }

// A vector scaled to length 1; a zero vector becomes (0, 0, 1) (tt_mip_normalize).
vec3 mip_normalize(vec3 v)
{
    precise float len2 = v.x * v.x + v.y * v.y + v.z * v.z;
    if (len2 < 1e-12) return vec3(0.0, 0.0, 1.0);
    precise float len = sqrt(len2);
    return v / len;
}

// Level 0's texel as the chain holds it: linear premultiplied colour and alpha, or a unit vector and alpha
// (tt_mip_decode8).
vec4 decode8(uint p)
{
    uvec4 c = uvec4(p & 0xFFu, (p >> 8) & 0xFFu, (p >> 16) & 0xFFu, p >> 24);
    float a = lut(TT_MIP_LUT_UNORM, c.a);
    if ((pc.flags & TT_MIP_FLAG_NORMAL) != 0u)
        return vec4(mip_normalize(vec3(lut(TT_MIP_LUT_SNORM, c.r), lut(TT_MIP_LUT_SNORM, c.g),
                                       lut(TT_MIP_LUT_SNORM, c.b))), a);
    uint base = (pc.flags & TT_MIP_FLAG_SRGB) != 0u ? TT_MIP_LUT_SRGB : TT_MIP_LUT_UNORM;
    precise vec3 rgb = vec3(lut(base, c.r), lut(base, c.g), lut(base, c.b)) * a;
    return vec4(rgb, a);
}

vec4 fetch(uint x, uint y)
{
    uint i = y * pc.src_w + x;
    return (pc.flags & TT_MIP_FLAG_FROM8) != 0u ? decode8(src8[i]) : srcf[i];
}

// After each filtered level: alpha in [0, 1], premultiplied colour in [0, alpha] (negative lobes overshoot), or the
// vector renormalised (tt_mip_clamp).
vec4 clamp_level(vec4 v)
{
    float a = clamp(v.a, 0.0, 1.0);
    if ((pc.flags & TT_MIP_FLAG_NORMAL) != 0u) return vec4(mip_normalize(v.rgb), a);
    return vec4(clamp(v.rgb, vec3(0.0), vec3(a)), a);
}

float srgb_encode(float x)
{
    precise float y = x <= 0.0031308 ? x * 12.92 : 1.055 * pow(x, 1.0 / 2.4) - 0.055;
    return y;
}

uint to8(float x)
{
    precise float v = floor(clamp(x, 0.0, 1.0) * 255.0 + 0.5);
    return uint(v);
}

// A chain texel to RGBA8 with alpha scaled by s (tt_mip_store).
uint store8(vec4 v, float s)
{
    precise float a = min(1.0, v.a * s);
    uvec3 c;
    if ((pc.flags & TT_MIP_FLAG_NORMAL) != 0u) {
        precise vec3 u = (v.rgb + 1.0) * 0.5;
        c = uvec3(to8(u.r), to8(u.g), to8(u.b));
    } else {
        vec3 lin = vec3(0.0);
        if (v.a > 0.0) {
            precise vec3 straight = v.rgb / v.a;
            if ((pc.flags & TT_MIP_FLAG_PREMULTIPLY) != 0u) {
                precise vec3 scaled = v.rgb * s;
                lin = min(scaled, straight);
            } else {
                lin = min(straight, vec3(1.0));
            }
        }
        if ((pc.flags & TT_MIP_FLAG_SRGB) != 0u)
            lin = vec3(srgb_encode(lin.r), srgb_encode(lin.g), srgb_encode(lin.b));
        c = uvec3(to8(lin.r), to8(lin.g), to8(lin.b));
    }
    return c.r | (c.g << 8) | (c.b << 16) | (to8(a) << 24);
}
