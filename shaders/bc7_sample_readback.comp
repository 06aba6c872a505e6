// bc7_sample_readback.comp - reads every texel of a sampled (e.g. BC7) image with texelFetch into RGBA8 words, for decoder cross-checks.
#version 450
#extension GL_GOOGLE_include_directive : require

#include "bc7_readback_abi.h" // push constants: pc

layout(local_size_x = TT_BC7_READBACK_LOCAL_SIZE, local_size_y = TT_BC7_READBACK_LOCAL_SIZE, local_size_z = 1) in;
layout(set = 0, binding = 0) uniform sampler2D src_tex;
layout(std430, set = 0, binding = 1) writeonly buffer Out { uint out_px[]; };

void main()
{
    uvec2 p = gl_GlobalInvocationID.xy;
    if (p.x >= pc.width || p.y >= pc.height) return;
    // UNORM formats return v / 255; round(x * 255) gives the decoded byte back.
    uvec4 u = uvec4(round(clamp(texelFetch(src_tex, ivec2(p), int(pc.lod)), 0.0, 1.0) * 255.0));
    out_px[pc.base + p.y * pc.width + p.x] = u.r | (u.g << 8) | (u.b << 16) | (u.a << 24);
}
