// latent_quant.comp - QAT pass 2: quantise every latent value with its channel's min/max into the STATE copy the forward pass samples; resets the other parity's ranges.
#version 450
#extension GL_GOOGLE_include_directive : require
// Why a shadow copy: the encoder samples already-quantised values with plain
// loads, and the straight-through backward adds its gradient to the float
// grid unchanged (d quant(v) / dv taken as 1).
layout(local_size_x = 256) in;
#include "latent_qat.glsl"

void main()
{
    uint idx = gl_GlobalInvocationID.x;
    uint F = pc.ch_lo + pc.ch_hi;
    if (idx < F) {   // clear the slots the next step's min/max pass fills
        uint other = pc.total + 2u * ((pc.step & 1u) ^ 1u) + 4u * idx;
        SU[other] = 0u;
        SU[other + 1u] = 0u;
    }
    if (idx >= pc.total) return;
    uint f = lat_feature(idx);
    uint base = pc.total + 2u * (pc.step & 1u) + 4u * f;
    float mn = lat_unkey(~SU[base]);
    float mx = lat_unkey(SU[base + 1u]);
    float range = max(mx - mn, 1e-8);
    float levels = float((1u << pc.bits) - 1u);
    // same expression as tt_latent_quantize (C reference): divide, not multiply by a reciprocal
    float q = floor((P[idx] - mn) / range * levels + 0.5) / levels;
    float v = q * range + mn;
    if (pc.noise > 0.0) {
        // uniform noise of +-noise/2 steps: trains the decoder to tolerate
        // the codec's error on the grids (noise as a proxy of coding error)
        uint h = idx * 747796405u + pc.step * 2891336453u;
        h = ((h >> ((h >> 28u) + 4u)) ^ h) * 277803737u;
        h = (h >> 22u) ^ h;
        v += pc.noise * range / levels * (float(h >> 8) * (1.0 / 16777216.0) - 0.5);
    }
    S[idx] = v;
}
