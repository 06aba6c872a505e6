// nn_train.glsl - one fused training step: each workgroup runs NN_TPG tiles of NN_NS sampled pixels (sample, encode,
// forward, MSE, backward, scatter); weight gradients are flushed per tile or, with NN_RACC, once per workgroup.

// Sample s of the tile at base: its pixel's coordinates and packed target (the target's load is waited on only where
// the value is stored, so a fetch issued a phase early overlaps that phase).
void nn_fetch_sample(uint base, uint s, uint h, uint npix, out vec2 pos, out uint tgt)
{
    uint i = base + s;
    uvec2 xy = nn_strip_pixel(nn_sample_q(i, nn_pcg(h + i), npix));
    pos = vec2(nn_coord01(xy.x, pc.width), nn_coord01(xy.y, pc.height));
    tgt = TGT[xy.y * pc.width + xy.x];
}

void nn_store_sample(uint base, uint s, vec2 pos, uint tgt)
{
    s_pos[s] = pos;
    vec4 t = unpackUnorm4x8(tgt);
    // samples past the batch keep weight 0 through their target flag (tgt.x < 0)
    if (base + s >= pc.batch) t = vec4(-1.0);
    s_tgt[0u * NN_NS4 + (s >> 2)][s & 3u] = t.r;
    s_tgt[1u * NN_NS4 + (s >> 2)][s & 3u] = t.g;
    s_tgt[2u * NN_NS4 + (s >> 2)][s & 3u] = t.b;
}

// With NN_TUNE bit 2 the next tile's samples are fetched during the current tile's loss, by the last NN_NS threads,
// which the loss (3 NN_NS items) leaves idle in the default tile; their target loads then overlap the backward.
const bool NN_PREFETCH = (NN_TUNE & NN_TUNE_PREFETCH) != 0u && NN_NS <= NN_WG;
const uint NN_FETCH0 = NN_WG - NN_NS;   // first fetching thread

void main()
{
    uint tid = gl_LocalInvocationID.x;
    uint npix = pc.width * pc.height;
    uint h = nn_pcg(pc.seed_lo ^ nn_pcg(pc.seed_hi + pc.step));
    float loss_sum = 0.0;
    vec2 next_pos = vec2(0.0);
    uint next_tgt = 0u;
    if (NN_PREFETCH && tid >= NN_FETCH0)
        nn_fetch_sample(gl_WorkGroupID.x * NN_TPG * NN_NS, tid - NN_FETCH0, h, npix, next_pos, next_tgt);
    nn_grad_init();
    {   // the encoder may keep the parameters this group's samples reach in shared memory (ordered before their
        // first use by the first tile's barrier)
        uint i0 = gl_WorkGroupID.x * NN_TPG * NN_NS, i1 = min(i0 + NN_TPG * NN_NS, pc.batch) - 1u;
        enc_group_begin(tid, nn_strip_box(nn_sample_q(i0, 0u, npix), nn_sample_q(i1, 0xFFFFFFFFu, npix)));
    }
    for (uint tile = 0u; tile < NN_TPG; tile++) {
        uint base = (gl_WorkGroupID.x * NN_TPG + tile) * NN_NS;
        if (base >= pc.batch) break;   // uniform over the workgroup
        if (NN_PREFETCH) {
            if (tid >= NN_FETCH0) nn_store_sample(base, tid - NN_FETCH0, next_pos, next_tgt);
        } else {
            for (uint s = tid; s < NN_NS; s += NN_WG) {
                vec2 pos;
                uint tgt;
                nn_fetch_sample(base, s, h, npix, pos, tgt);
                nn_store_sample(base, s, pos, tgt);
            }
        }
        // zero padded input rows
        for (uint e = tid; e < (NN_IN4 - NN_IN) * NN_RS; e += NN_WG) s_x[NN_IN * NN_RS + e] = vec4(0.0);
        barrier();
        for (uint w = tid; w < NN_NS * ENC_PARTS; w += NN_WG) {
            uint slot = w % NN_NS;
            enc_forward_part(slot, w / NN_NS, s_pos[slot]);
        }
        barrier();
        [[unroll]] for (uint l = 0u; l < NN_DEPTH; l++) {
            nn_layer_forward(l, tid);
            barrier();
        }
        // head: partial pre-activations (NN_HQ parts), then sigmoid, squared error, d loss / d z_head
        nn_head_partial(tid);
        barrier();
        for (uint e = tid; e < 3u * NN_NS; e += NN_WG) {
            uint c = e / NN_NS, s = e % NN_NS;
            float t = s_tgt[c * NN_NS4 + (s >> 2)][s & 3u];
            float g = 0.0, sq = 0.0;
            if (t >= 0.0) {
                float o = 1.0 / (1.0 + exp(-nn_head_z(s, c)));
                float err = o - t;
                sq = err * err;
                g = 2.0 * err * pc.loss_scale * o * (1.0 - o);
            }
            s_gh[c * NN_NS4 + (s >> 2)][s & 3u] = g;
            loss_sum += sq;
        }
        if (NN_PREFETCH && tid >= NN_FETCH0 && tile + 1u < NN_TPG && base + NN_NS < pc.batch)
            nn_fetch_sample(base + NN_NS, tid - NN_FETCH0, h, npix, next_pos, next_tgt);
        barrier();
        nn_head_backward(tid);
        barrier();
        [[unroll]] for (uint l = NN_DEPTH; l-- > 0u;) {
            nn_layer_backward(l, tid);
            barrier();
        }
        enc_backward_tile(tid, base);
        barrier();   // the next tile overwrites s_pos, s_tgt, s_x, s_a
    }
    // The step's loss: each thread summed its squared errors over the group's tiles; one atomic per workgroup.
    if (tid < 3u * NN_NS) s_tgt[tid >> 2][tid & 3u] = loss_sum;   // after the last tile's barrier
    barrier();
    if (tid == NN_WG - 1u) {
        vec4 acc = vec4(0.0);
        for (uint e = 0u; e < min(NN_WG, 3u * NN_NS) / 4u; e++) acc += s_tgt[e];
        stats_add(pc.step, acc.x + acc.y + acc.z + acc.w);
    }
    nn_grad_flush(tid);
}
