// nn_decode.glsl - decodes one pixel per thread (NN_DP pixels per workgroup): encoder features and hidden activations
// in the thread's own shared-memory column, outputs of a layer in registers (unrolled over NN_HIDDEN), weights read
// with workgroup-uniform vec4 loads. No barriers: threads never read each other's data.
void main()
{
    uint tid = gl_LocalInvocationID.x;
    if (tid >= NN_DP) return;
    uint npix = pc.width * pc.height;
    uint p = gl_WorkGroupID.x * NN_DP + tid;
    if (p >= npix) return;
    vec2 x01 = vec2(nn_coord01(p % pc.width, pc.width), nn_coord01(p / pc.width, pc.height));
    for (uint f = NN_IN; f < NN_IN4; f++) s_f[f * NN_DP + tid] = 0.0;
    for (uint part = 0u; part < ENC_PARTS; part++) enc_forward_part(tid, part, x01);
    float h[NN_HIDDEN];
    for (uint l = 0u; l < NN_DEPTH; l++) {
        uint in_n = l == 0u ? NN_IN4 : NN_HIDDEN, stride = nn_stride(l), w0 = nn_w_off(l), b0 = nn_b_off(l);
        [[unroll]] for (uint j = 0u; j < NN_HIDDEN; j++) h[j] = P[b0 + j];
        for (uint k = 0u; k < in_n; k += 4u) {
            vec4 x;
            if (l == 0u) x = vec4(s_f[k * NN_DP + tid], s_f[(k + 1u) * NN_DP + tid], s_f[(k + 2u) * NN_DP + tid], s_f[(k + 3u) * NN_DP + tid]);
            else x = vec4(s_h[k * NN_DP + tid], s_h[(k + 1u) * NN_DP + tid], s_h[(k + 2u) * NN_DP + tid], s_h[(k + 3u) * NN_DP + tid]);
            [[unroll]] for (uint j = 0u; j < NN_HIDDEN; j++) h[j] += dot(nn_w4(w0 + j * stride, k), x);
        }
        [[unroll]] for (uint j = 0u; j < NN_HIDDEN; j += 4u) {
            vec4 a, d;
            nn_act(vec4(h[j], h[j + 1u], h[j + 2u], h[j + 3u]), a, d);
            s_h[j * NN_DP + tid] = a.x;
            s_h[(j + 1u) * NN_DP + tid] = a.y;
            s_h[(j + 2u) * NN_DP + tid] = a.z;
            s_h[(j + 3u) * NN_DP + tid] = a.w;
        }
    }
    uint wh = nn_w_off(NN_DEPTH);
    vec3 z = vec3(P[wh + 3u * NN_HIDDEN], P[wh + 3u * NN_HIDDEN + 1u], P[wh + 3u * NN_HIDDEN + 2u]);
    for (uint k = 0u; k < NN_HIDDEN; k += 4u) {
        vec4 x = vec4(s_h[k * NN_DP + tid], s_h[(k + 1u) * NN_DP + tid], s_h[(k + 2u) * NN_DP + tid], s_h[(k + 3u) * NN_DP + tid]);
        z += vec3(dot(nn_w4(wh, k), x), dot(nn_w4(wh + NN_HIDDEN, k), x), dot(nn_w4(wh + 2u * NN_HIDDEN, k), x));
    }
    vec3 rgb = 1.0 / (1.0 + exp(-z));
    OUT_IMG[p] = packUnorm4x8(vec4(rgb, 1.0));
}
