// latent_range.glsl - per-channel min/max of the latent grids: order-preserving float keys, and the workgroup reduction that latent_minmax.comp and nn_adam.comp share.
// Keys make atomicMax work on floats of either sign; the STATE slots (latent_qat.glsl) hold max(~key) = ~key(min)
// and max(key) = key(max). Define LAT_RANGE_MAX (shared slots, >= the feature count) for the reduction; the
// includer then declares SU[] (the STATE buffer as uint).

// Monotonic map float -> uint (total order of finite floats).
uint lat_key(float v)
{
    uint b = floatBitsToUint(v);
    return (b & 0x80000000u) != 0u ? ~b : (b | 0x80000000u);
}

float lat_unkey(uint k)
{
    return uintBitsToFloat((k & 0x80000000u) != 0u ? (k & 0x7FFFFFFFu) : ~k);
}

#ifdef LAT_RANGE_MAX
shared uint s_range_lo[LAT_RANGE_MAX];   // max of ~key (min)
shared uint s_range_hi[LAT_RANGE_MAX];   // max of key (max)

// Feature of grid float idx (lo grid: channel-innermost from 0, hi grid from offset_hi; a pyramid's hi grids 2..4
// from hi_next.x, .y, .z, the end of the grids where absent). Every hi grid's size is a multiple of ch_hi.
uint lat_range_feature(uint idx, uint offset_hi, uint ch_lo, uint ch_hi, uvec3 hi_next)
{
    if (idx < offset_hi) return idx % ch_lo;
    uint level = (idx >= hi_next.x ? 1u : 0u) + (idx >= hi_next.y ? 1u : 0u) + (idx >= hi_next.z ? 1u : 0u);
    return ch_lo + level * ch_hi + (idx - offset_hi) % ch_hi;
}

// Called by the whole workgroup in uniform control flow.
void lat_range_begin(uint features)
{
    for (uint f = gl_LocalInvocationID.x; f < features; f += gl_WorkGroupSize.x) {
        s_range_lo[f] = 0u;
        s_range_hi[f] = 0u;
    }
    barrier();
}

void lat_range_add(uint f, float v)
{
    uint key = lat_key(v);
    atomicMax(s_range_lo[f], ~key);
    atomicMax(s_range_hi[f], key);
}

// Called by the whole workgroup in uniform control flow: the group's sums into the slots of `parity`.
void lat_range_end(uint features, uint parity)
{
    barrier();
    for (uint f = gl_LocalInvocationID.x; f < features; f += gl_WorkGroupSize.x) {
        if (s_range_hi[f] == 0u && s_range_lo[f] == 0u) continue;   // channel not in this workgroup's range
        atomicMax(SU[4u * f + 2u * parity], s_range_lo[f]);
        atomicMax(SU[4u * f + 2u * parity + 1u], s_range_hi[f]);
    }
}
#endif
