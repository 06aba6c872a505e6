// latent_minmax.comp - QAT range pass: per-channel min and max of the latent grids (workgroup reduction in shared memory, then one global atomic per channel per workgroup).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "latent_qat.glsl"
layout(local_size_x = LAT_MINMAX_WG) in;
#define LAT_RANGE_MAX LAT_RANGE_SLOTS
#include "latent_range.glsl"

void main()
{
    uvec3 hi_next = uvec3(pc.offset_hi2, pc.offset_hi3, pc.offset_hi4);
    uint levels = pc.offset_hi >= pc.total ? 0u : 1u + (pc.offset_hi2 < pc.total ? 1u : 0u) +
                  (pc.offset_hi3 < pc.total ? 1u : 0u) + (pc.offset_hi4 < pc.total ? 1u : 0u);
    uint F = pc.ch_lo + pc.ch_hi * levels;
    lat_range_begin(F);
    // consecutive threads read consecutive floats (coalesced); a thread's
    // elements are 256 apart, so its channel index repeats when 256 % C == 0
    uint first = gl_WorkGroupID.x * 256u * pc.per_thread + gl_LocalInvocationID.x;
    for (uint k = 0u; k < pc.per_thread; k++) {
        uint idx = first + k * 256u;
        if (idx >= pc.total) break;
        lat_range_add(lat_range_feature(idx, pc.offset_hi, pc.ch_lo, pc.ch_hi, hi_next), P[idx]);
    }
    lat_range_end(F, pc.step & 1u);
}
