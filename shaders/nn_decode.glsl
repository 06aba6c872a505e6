// nn_decode.glsl - decodes one pixel per thread (NN_DP pixels per workgroup): encoder features and hidden activations
// in the thread's own shared-memory column, outputs of a layer in registers (unrolled over NN_HIDDEN), weights read
// with workgroup-uniform vec4 loads. No barriers: threads never read each other's data.
#ifdef NN_DECODE_CM
// Decoder weights in fp16 (nn_train.c dec_f16_build): layer l is W_l[j][k] at j*K_l + k, then the head's 16 rows.
layout(set = 0, binding = NN_DECODE_BIND_F16) readonly buffer DecF16 { float16_t WH[]; };

#define CM_F16 fcoopmatNV<16, gl_ScopeSubgroup, 16, 16>
#define CM_F32 fcoopmatNV<32, gl_ScopeSubgroup, 16, 16>

// One 16-pixel x 16-output block: sum over K of tile[pixel][k] * W[j][k] (B = W^T, column-major with stride K).
CM_F32 nn_cm_block(uint tile, uint w0, uint K, uint nb)
{
    CM_F32 acc = CM_F32(0.0);
    for (uint kb = 0u; kb < K; kb += 16u) {
        CM_F16 a, b;
        coopMatLoadNV(a, s_cm_act, tile + kb, NN_CM_S, false);
        coopMatLoadNV(b, WH, w0 + nb * 16u * K + kb, K, true);
        acc = coopMatMulAddNV(a, b, acc);
    }
    return acc;
}

void main()
{
    uint sg = gl_SubgroupID, lane = gl_SubgroupInvocationID;
    uint npix = pc.width * pc.height;
    uint px = lane & 15u, slot = sg * 16u + px;
    uint p = gl_WorkGroupID.x * (NN_CM_SG * 16u) + slot;
    uint t0 = sg * 2u * NN_CM_TILE, t1 = t0 + NN_CM_TILE, zb = sg * 256u;
    // features: two lanes per pixel split the encoder's parts; padding columns are zero
    for (uint f = NN_IN + (lane >> 4); f < NN_IN16; f += 2u) s_cm_act[t0 + px * NN_CM_S + f] = float16_t(0.0);
    if (p < npix) {
        vec2 x01 = vec2(nn_coord01(p % pc.width, pc.width), nn_coord01(p / pc.width, pc.height));
        for (uint part = lane >> 4; part < ENC_PARTS; part += 2u) enc_forward_part(slot, part, x01);
    } else {
        for (uint f = lane >> 4; f < NN_IN; f += 2u) s_cm_act[t0 + px * NN_CM_S + f] = float16_t(0.0);
    }
    subgroupMemoryBarrierShared();
    subgroupBarrier();
    uint tin = t0, tout = t1, w0 = 0u;
    for (uint l = 0u; l < NN_DEPTH; l++) {
        uint K = l == 0u ? NN_IN16 : NN_HIDDEN, b0 = nn_b_off(l);
        for (uint nb = 0u; nb < NN_HIDDEN / 16u; nb++) {
            CM_F32 acc = nn_cm_block(tin, w0, K, nb);
            coopMatStoreNV(acc, s_cm_z, zb, 16u, false);
            subgroupMemoryBarrierShared();
            subgroupBarrier();
            [[unroll]] for (uint e = lane * 8u; e < lane * 8u + 8u; e += 4u) {   // 8 consecutive outputs of one pixel
                uint r = e >> 4, j = nb * 16u + (e & 15u);
                vec4 z = vec4(s_cm_z[zb + e], s_cm_z[zb + e + 1u], s_cm_z[zb + e + 2u], s_cm_z[zb + e + 3u]) +
                         vec4(P[b0 + j], P[b0 + j + 1u], P[b0 + j + 2u], P[b0 + j + 3u]);
                vec4 a, d;
                nn_act(z, a, d);
                uint o = tout + r * NN_CM_S + j;
                s_cm_act[o] = float16_t(a.x);
                s_cm_act[o + 1u] = float16_t(a.y);
                s_cm_act[o + 2u] = float16_t(a.z);
                s_cm_act[o + 3u] = float16_t(a.w);
            }
            subgroupMemoryBarrierShared();
            subgroupBarrier();
        }
        w0 += NN_HIDDEN * K;
        uint t = tin; tin = tout; tout = t;
    }
    CM_F32 acc = nn_cm_block(tin, w0, NN_HIDDEN, 0u);
    coopMatStoreNV(acc, s_cm_z, zb, 16u, false);
    subgroupMemoryBarrierShared();
    subgroupBarrier();
    if (lane < 16u && p < npix) {
        uint wh = nn_w_off(NN_DEPTH) + 3u * NN_HIDDEN;
        vec3 z = vec3(s_cm_z[zb + lane * 16u], s_cm_z[zb + lane * 16u + 1u], s_cm_z[zb + lane * 16u + 2u]) +
                 vec3(P[wh], P[wh + 1u], P[wh + 2u]);
        vec3 rgb = 1.0 / (1.0 + exp(-z));
        OUT_IMG[p] = packUnorm4x8(vec4(rgb, 1.0));
    }
}
#else
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
#endif
