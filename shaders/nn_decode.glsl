// nn_decode.glsl - decodes NN_NS consecutive pixels per workgroup with the shared MLP tile code; writes RGBA8.
void main()
{
    uint tid = gl_LocalInvocationID.x;
    uint base = gl_WorkGroupID.x * NN_NS;
    uint npix = pc.width * pc.height;
    for (uint s = tid; s < NN_NS; s += NN_WG) {
        uint p = min(base + s, npix - 1u);
        s_pos[s] = vec2(nn_coord01(p % pc.width, pc.width), nn_coord01(p / pc.width, pc.height));
    }
    for (uint e = tid; e < (NN_IN4 - NN_IN) * NN_NS4; e += NN_WG) s_x[NN_IN * NN_NS4 + e] = vec4(0.0);
    barrier();
    for (uint w = tid; w < NN_NS * ENC_PARTS; w += NN_WG) {
        uint slot = w % NN_NS;
        enc_forward_part(slot, w / NN_NS, s_pos[slot]);
    }
    barrier();
    for (uint l = 0u; l < NN_DEPTH; l++) {
        nn_layer_forward(l, tid);
        barrier();
    }
    for (uint s = tid; s < NN_NS; s += NN_WG) {
        if (base + s >= npix) continue;
        vec3 rgb;
        for (uint c = 0u; c < 3u; c++) rgb[c] = 1.0 / (1.0 + exp(-nn_head_z(s, c)));
        OUT_IMG[base + s] = packUnorm4x8(vec4(rgb, 1.0));
    }
}
