// latent_keys.glsl - order-preserving float <-> uint keys of the QAT ranges (atomicMax on floats of either sign).

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
