// latent_minmax.comp - QAT pass 1: per-channel min and max of the latent grids (workgroup reduction in shared memory, then one global atomic per channel per workgroup).
#version 450
#extension GL_GOOGLE_include_directive : require
layout(local_size_x = 256) in;
#include "latent_qat.glsl"

shared uint s_lo[128];   // max of ~key  (min)
shared uint s_hi[128];   // max of key   (max)

void main()
{
    uint t = gl_LocalInvocationID.x;
    uint F = pc.ch_lo + pc.ch_hi;
    for (uint f = t; f < F; f += 256u) { s_lo[f] = 0u; s_hi[f] = 0u; }
    barrier();
    // consecutive threads read consecutive floats (coalesced); a thread's
    // elements are 256 apart, so its channel index repeats when 256 % C == 0
    uint first = gl_WorkGroupID.x * 256u * pc.per_thread + t;
    for (uint k = 0u; k < pc.per_thread; k++) {
        uint idx = first + k * 256u;
        if (idx >= pc.total) break;
        uint key = lat_key(P[idx]);
        uint f = lat_feature(idx);
        atomicMax(s_lo[f], ~key);
        atomicMax(s_hi[f], key);
    }
    barrier();
    uint base = 2u * (pc.step & 1u);
    for (uint f = t; f < F; f += 256u) {
        if (s_hi[f] == 0u && s_lo[f] == 0u) continue;   // channel not in this workgroup's range
        atomicMax(SU[base + 4u * f], s_lo[f]);
        atomicMax(SU[base + 4u * f + 1u], s_hi[f]);
    }
}
