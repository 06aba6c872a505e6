// bc7_solid.glsl - single-colour blocks: the optimal encoding by table lookup (bc7_solid.h), no search; twin of src/bc7/bc7_ref_solid.c.
// Included by bc7_encode.comp after bc7_common.glsl and bc7_solid.h.

// True if the 16 texels in tp are one colour.
bool block_is_solid()
{
    bool same = true;
    [[unroll]] for (int i = 1; i < 16; i++) same = same && tp[i] == tp[0];
    return same;
}

// The block of colour c for the choice `pick` of tt_bc7_solid_pick (the fields of tt_bc7_ref_encode_solid, packed
// as tt_bc7_pack_fields does): partition, rotation and index selection 0, every index the table's (below half the
// range, so valid at the anchors: texel 0, and subset 1's of 2-subset partition 0), secondary indices 0.
uvec4 pack_solid(uint c, uint pick)
{
    uint t = pick & 255u, d = tt_bc7_solid_desc[t];
    int mode = int(d & 15u);
    tt_bc7_mode_info mi = tt_bc7_mode(mode);
    uvec4 b = uvec4(0u);
    uint pos = 0u;
    put_bits_adv(b, pos, uint(mode) + 1u, 1u << uint(mode));
    pos += uint(mi.part_bits + mi.rot_bits + mi.isel_bits);
    [[dont_unroll]] for (uint k = 0u; k < 3u; k++) {
        uint e = tt_bc7_solid[TT_BC7_SOLID_BASE(d) + ((c >> (8u * k)) & 255u)];
        [[dont_unroll]] for (int s = 0; s < mi.subsets; s++) {
            put_bits_adv(b, pos, uint(mi.color_bits), e & 255u);
            put_bits_adv(b, pos, uint(mi.color_bits), (e >> 8u) & 255u);
        }
    }
    if (mi.alpha_bits > 0) {
        // mode 6: the table's pair; mode 5: 8-bit alpha, a0 = a1 = A
        uint e = mode == 5 ? (c >> 24u) * 0x101u : tt_bc7_solid[TT_BC7_SOLID_BASE(d) + (c >> 24u)];
        put_bits_adv(b, pos, uint(mi.alpha_bits), e & 255u);
        put_bits_adv(b, pos, uint(mi.alpha_bits), (e >> 8u) & 255u);
    }
    [[dont_unroll]] for (int s = 0; s < mi.subsets; s++) {
        if (mi.pbit_unique != 0) {
            put_bits_adv(b, pos, 1u, (d >> 4u) & 1u);
            put_bits_adv(b, pos, 1u, (d >> 5u) & 1u);
        }
        if (mi.pbit_shared != 0) put_bits_adv(b, pos, 1u, (d >> 4u) & 1u);
    }
    uint idx = (d >> 8u) & 15u;
    [[dont_unroll]] for (int i = 0; i < 16; i++) {
        bool anchor = i == 0 || (mi.subsets == 2 && uint(i) == tt_bc7_anchor2_1[0]);
        put_bits_adv(b, pos, uint(mi.index_bits) - (anchor ? 1u : 0u), idx);
    }
    return b;
}
