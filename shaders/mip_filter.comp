// mip_filter.comp - one mip level from the one before: the separable weights of the table buffer applied in 2D with clamp-to-edge addressing, then the level clamp (tt_mip_filter_level in src/mip/mip_ref.c).
#version 450
#extension GL_GOOGLE_include_directive : require

#include "mip_common.glsl"

void main()
{
    uvec2 d = gl_GlobalInvocationID.xy;
    if (d.x >= pc.dst_w || d.y >= pc.dst_h) return;
    uint ex = pc.tab_x + d.x * (pc.taps_x + 1u), ey = pc.tab_y + d.y * (pc.taps_y + 1u);
    int x0 = int(tab[ex]), y0 = int(tab[ey]);
    int xmax = int(pc.src_w) - 1, ymax = int(pc.src_h) - 1;
    // C sums each source row over x first, then the rows over y, in this order
    precise vec4 acc = vec4(0.0);
    for (uint ky = 0u; ky < pc.taps_y; ky++) {
        uint sy = uint(clamp(y0 + int(ky), 0, ymax));
        precise vec4 row = vec4(0.0);
        for (uint kx = 0u; kx < pc.taps_x; kx++) {
            uint sx = uint(clamp(x0 + int(kx), 0, xmax));
            row += uintBitsToFloat(tab[ex + 1u + kx]) * fetch(sx, sy);
        }
        acc += uintBitsToFloat(tab[ey + 1u + ky]) * row;
    }
    dstf[d.y * pc.dst_w + d.x] = clamp_level(acc);
}
