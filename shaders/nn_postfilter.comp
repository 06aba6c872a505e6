// nn_postfilter.comp - the post-filter of a decoded neural image: 3x3 taps over the three channels in integer arithmetic, so tt_postfilter_apply (C) gives the same bytes.
#version 450
#extension GL_GOOGLE_include_directive : require
#define NN_PUSH_POSTFILTER
#include "nn_abi.h"
layout(local_size_x = NN_PF_WG, local_size_y = NN_PF_WG) in;
layout(std430, binding = NN_PF_BIND_IN) readonly buffer In { uint src[]; };
layout(std430, binding = NN_PF_BIND_OUT) writeonly buffer Out { uint dst[]; };
layout(std430, binding = NN_PF_BIND_COEF) readonly buffer Coef { int coef[]; };   // w[3][3][9], then b[3]

void main()
{
    uint x = gl_GlobalInvocationID.x, y = gl_GlobalInvocationID.y;
    if (x >= pc.width || y >= pc.height) return;
    ivec3 acc = ivec3(coef[81], coef[82], coef[83]);
    for (int t = 0; t < 9; t++) {
        uint sx = uint(clamp(int(x) + t % 3 - 1, 0, int(pc.width) - 1));
        uint sy = uint(clamp(int(y) + t / 3 - 1, 0, int(pc.height) - 1));
        uint p = src[sy * pc.width + sx];
        ivec3 v = ivec3(p & 255u, (p >> 8) & 255u, (p >> 16) & 255u);
        for (int c = 0; c < 3; c++)
            acc[c] += coef[c * 27 + t] * v.r + coef[c * 27 + 9 + t] * v.g + coef[c * 27 + 18 + t] * v.b;
    }
    // arithmetic shift = floor division, as the C reference's clamp of (acc + half) >> bits
    ivec3 o = clamp((acc + 2048) >> 12, ivec3(0), ivec3(255));
    uint i = y * pc.width + x;
    dst[i] = uint(o.r) | uint(o.g) << 8 | uint(o.b) << 16 | (src[i] & 0xFF000000u);
}
