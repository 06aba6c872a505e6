// bc7_dual.glsl - the rotation modes 4 and 5: colour and alpha endpoints with separate index sets, a channel rotation and (mode 4) the index-selection bit; twin of src/bc7/bc7_ref_dual.c.
// Included by bc7_encode.comp after bc7_common.glsl.

// The family's entry (tt_bc7_ref_encode_dual in C): the best block of `mode` (4 or 5) over its rotations (and
// index selections) into blk and its weighted SSE, or TT_BC7_NO_CANDIDATE (blk untouched).
int encode_dual_block(int mode, out uvec4 blk)
{
    return TT_BC7_NO_CANDIDATE; // not yet
}
