// mip_store.comp - a chain level (or level 0 decoded) to RGBA8: un-premultiply or keep premultiplied, sRGB encode, alpha-coverage scale, round (tt_mip_store in src/mip/mip_texel.c).
#version 450
#extension GL_GOOGLE_include_directive : require

#include "mip_common.glsl"

void main()
{
    if ((pc.flags & TT_MIP_FLAG_FROM8) != 0u) load_lut(); // the flag is the same for the whole dispatch
    uvec2 d = gl_GlobalInvocationID.xy;
    if (d.x >= pc.dst_w || d.y >= pc.dst_h) return;
    uint i = d.y * pc.dst_w + d.x;
    dst8[i] = store8(fetch(d.x, d.y), pc.scale);
}
