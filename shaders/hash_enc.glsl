// hash_enc.glsl - multiresolution hash-grid encoder for the neural shaders (mirrors src/neural/nn_hash.c).
// AUX: [0] levels [1] features [2] T-1 [3] 0, then per level {res, size, param offset, hashed}.
layout(constant_id = HASH_SPEC_LEVELS) const uint HASH_LEVELS = 16;
layout(constant_id = HASH_SPEC_F) const uint HASH_F = 2;
const uint ENC_PARTS = HASH_LEVELS;

void hash_corners(uint l, vec2 x01, out uint idx[4], out float w[4], out uint off)
{
    uint res = AUX[4u + 4u * l];
    off = AUX[4u + 4u * l + 2u];
    bool hashed = AUX[4u + 4u * l + 3u] != 0u;
    uint mask = AUX[2];
    vec2 s = x01 * float(res - 1u);
    vec2 fl = floor(s);
    vec2 wt = s - fl;
    uint last = res - 1u;
    uvec2 c0 = uvec2(clamp(ivec2(fl), ivec2(0), ivec2(last)));
    uvec2 c1 = min(c0 + 1u, uvec2(last));
    for (uint k = 0u; k < 4u; k++) {
        uint x = (k & 1u) != 0u ? c1.x : c0.x;
        uint y = (k & 2u) != 0u ? c1.y : c0.y;
        idx[k] = hashed ? (((x * 2654435761u) ^ (y * 805459861u)) & mask) : x * res + y;
        w[k] = ((k & 1u) != 0u ? wt.x : 1.0 - wt.x) * ((k & 2u) != 0u ? wt.y : 1.0 - wt.y);
    }
}

#ifdef NN_TRAIN
// The hashed levels scatter over the whole table: no per-group patch.
void enc_group_begin(uint tid, uvec4 box) {}
#endif

void enc_forward_part(uint slot, uint l, vec2 x01)
{
    uint idx[4];
    float w[4];
    uint off;
    hash_corners(l, x01, idx, w, off);
    for (uint f = 0u; f < HASH_F; f++) {
        float v = 0.0;
        for (uint k = 0u; k < 4u; k++) v += w[k] * P[off + idx[k] * HASH_F + f];
        enc_out(slot, l * HASH_F + f, v);
    }
}

#ifdef NN_TRAIN
void enc_backward_part(uint slot, uint l, vec2 x01)
{
    uint idx[4];
    float w[4];
    uint off;
    hash_corners(l, x01, idx, w, off);
    for (uint f = 0u; f < HASH_F; f++) {
        float d = enc_dfeat(slot, l * HASH_F + f);
        for (uint k = 0u; k < 4u; k++) grad_add(off + idx[k] * HASH_F + f, w[k] * d);
    }
}

// Backward of a training tile: one work item per (sample, level), samples fastest.
void enc_backward_tile(uint tid, uint base)
{
    for (uint w = tid; w < NN_NS * ENC_PARTS; w += NN_WG) {
        uint slot = w % NN_NS;
        if (base + slot < pc.batch) enc_backward_part(slot, w / NN_NS, s_pos[slot]);
    }
}
#endif
