// mip_filter.comp - one mip level from the one before: the separable weights of the table buffer, an x pass into shared memory then a y pass per 8 x 8 tile, clamp-to-edge addressing, then the level clamp (filter_level in src/mip/mip_ref.c).
#version 450
#extension GL_GOOGLE_include_directive : require

#include "mip_common.glsl"

shared vec4 rows_shared[TT_MIP_TILE_ROWS * TT_MIP_LOCAL_SIZE];

void main()
{
    if ((pc.flags & TT_MIP_FLAG_FROM8) != 0u) load_lut(); // the flag is the same for the whole dispatch
    const uint tile = TT_MIP_LOCAL_SIZE;
    int xmax = int(pc.src_w) - 1, ymax = int(pc.src_h) - 1;
    // The x pass: the workgroup's destination columns summed over their x taps, for every source row its
    // destination rows reach (first row ry0), as C sums each row once (tt_mip_build_cpu); clamped rows repeat.
    uint tx0 = gl_WorkGroupID.x * tile, ty0 = gl_WorkGroupID.y * tile, ty1 = min(ty0 + tile - 1u, pc.dst_h - 1u);
    int ry0 = int(tab[pc.tab_y + ty0 * (pc.taps_y + 1u)]);
    uint rows = uint(int(tab[pc.tab_y + ty1 * (pc.taps_y + 1u)]) + int(pc.taps_y) - ry0);
    for (uint i = gl_LocalInvocationIndex; i < rows * tile; i += tile * tile) {
        uint r = i / tile, cx = i % tile, dx = tx0 + cx;
        if (dx >= pc.dst_w) continue;
        uint ex = pc.tab_x + dx * (pc.taps_x + 1u);
        int x0 = int(tab[ex]);
        uint sy = uint(clamp(ry0 + int(r), 0, ymax));
        precise vec4 row = vec4(0.0);
        for (uint kx = 0u; kx < pc.taps_x; kx++) {
            uint sx = uint(clamp(x0 + int(kx), 0, xmax));
            row += uintBitsToFloat(tab[ex + 1u + kx]) * fetch(sx, sy);
        }
        rows_shared[r * tile + cx] = row;
    }
    barrier();
    // The y pass over those row sums, in C's order.
    uvec2 d = gl_GlobalInvocationID.xy;
    if (d.x >= pc.dst_w || d.y >= pc.dst_h) return;
    uint ey = pc.tab_y + d.y * (pc.taps_y + 1u);
    uint r0 = uint(int(tab[ey]) - ry0);
    precise vec4 acc = vec4(0.0);
    for (uint ky = 0u; ky < pc.taps_y; ky++)
        acc += uintBitsToFloat(tab[ey + 1u + ky]) * rows_shared[(r0 + ky) * tile + gl_LocalInvocationID.x];
    dstf[d.y * pc.dst_w + d.x] = clamp_level(acc);
}
