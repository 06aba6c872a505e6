// nn_mlp.glsl - the shared decoder MLP (mirrors nn_ref.c). Training: a shared-memory tile of NN_NS samples, forward,
// head, backward; thread tiles are 4 samples x 4 outputs so each vec4 load feeds 4-16 FMAs. Weight gradients go
// either straight to G[] (one atomic per weight per tile) or, with NN_RACC, into per-thread registers that live
// across the NN_TPG tiles of the workgroup and are flushed once (nn_grad_flush). Decode: see nn_decode.glsl.

uint nn_in(uint l) { return l == 0u ? NN_IN : NN_HIDDEN; }
// Row stride of layer l's weights on the GPU (W0 rows are padded to NN_IN4).
uint nn_stride(uint l) { return l == 0u ? NN_IN4 : NN_HIDDEN; }
uint nn_w_off(uint l)
{
    if (l == 0u) return pc.dec_offset;
    return pc.dec_offset + NN_HIDDEN * NN_IN4 + NN_HIDDEN + (l - 1u) * (NN_HIDDEN * NN_HIDDEN + NN_HIDDEN);
}
uint nn_b_off(uint l) { return nn_w_off(l) + (l == NN_DEPTH ? 3u : NN_HIDDEN) * nn_stride(l); }

// W[j][k..k+3] of a layer whose row j starts at `row` (in floats, 4-aligned); zero padded past the inputs.
vec4 nn_w4(uint row, uint k) { return P4[(row + k) >> 2]; }

float nn_erf(float x)
{
    float s = x < 0.0 ? -1.0 : 1.0, a = abs(x);
    float t = 1.0 / (1.0 + 0.3275911 * a);
    float y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-a * a);
    return s * y;
}

void nn_act(vec4 z, out vec4 a, out vec4 d)
{
    if (NN_ACT == 0u) {
        vec4 u = pc.omega0 * z;
        a = sin(u);
        d = pc.omega0 * cos(u);
    } else if (NN_ACT == 3u) {
        a = max(z, vec4(0.0));
        d = vec4(greaterThan(z, vec4(0.0)));
    } else if (NN_ACT == 2u) {
        vec4 sg = 1.0 / (1.0 + exp(-z));
        a = z * sg;
        d = sg * (1.0 + z * (1.0 - sg));
    } else {
        vec4 cdf;
        for (uint i = 0u; i < 4u; i++) cdf[i] = 0.5 * (1.0 + nn_erf(z[i] * 0.70710678118));
        a = z * cdf;
        d = cdf + z * 0.39894228040 * exp(-0.5 * z * z);
    }
}

#ifdef NN_TRAIN
// Per-thread weight-gradient accumulators (NN_RACC): dW tiles of 4x4 (NN_RT per layer), biases, head.
const uint NN_KMAX = NN_IN4 > NN_HIDDEN ? NN_IN4 : NN_HIDDEN;
const uint NN_RT = ((NN_HIDDEN / 4u) * (NN_KMAX / 4u) + NN_WG - 1u) / NN_WG;
const uint NN_RB = (NN_HIDDEN + NN_WG - 1u) / NN_WG;
const uint NN_RH = (3u * NN_HIDDEN + 3u + NN_WG - 1u) / NN_WG;
vec4 g_accw[NN_RACC != 0u ? NN_DEPTH * NN_RT * 4u : 1u];
float g_accb[NN_RACC != 0u ? NN_DEPTH * NN_RB : 1u];
float g_acch[NN_RACC != 0u ? NN_RH : 1u];

void nn_grad_init()
{
    if (NN_RACC == 0u) return;
    [[unroll]] for (uint i = 0u; i < NN_DEPTH * NN_RT * 4u; i++) g_accw[i] = vec4(0.0);
    [[unroll]] for (uint i = 0u; i < NN_DEPTH * NN_RB; i++) g_accb[i] = 0.0;
    [[unroll]] for (uint i = 0u; i < NN_RH; i++) g_acch[i] = 0.0;
}

// d loss / d z at tile index idx, once the head's or the next layer's backward has made it so.
vec4 nn_delta(uint idx) { return NN_COMPACT ? s_a[idx] : s_d[idx]; }

// Compact tile: the activation as stored, with the sign of its derivative in the lowest mantissa bit (SIREN; that
// changes a by at most one unit in the last place).
vec4 nn_pack_act(vec4 a, vec4 d)
{
    if (NN_ACT != 0u) return a;
    return uintBitsToFloat((floatBitsToUint(a) & ~1u) | uvec4(lessThan(d, vec4(0.0))));
}

// The derivative a compact tile's stored activation implies: ReLU a > 0; SIREN omega0 cos(u) = +-|omega0| sqrt(1 - a^2),
// which near |a| = 1 is off by up to ~1e-3 |omega0| (cos itself: ~1e-7) - within the one-step gradient tests'
// tolerance (1e-4 of the largest gradient), and the same PSNR over 5000 steps (docs/dev/journal.md, "2026-11-27, third session").
vec4 nn_act_deriv(vec4 a)
{
    if (NN_ACT == 3u) return vec4(greaterThan(a, vec4(0.0)));
    vec4 c = abs(pc.omega0) * sqrt(max(fma(-a, a, vec4(1.0)), vec4(0.0)));
    return mix(c, -c, notEqual(floatBitsToUint(a) & 1u, uvec4(0u)));
}

// Tile index idx becomes d loss / d z = g act'(z); compact, in place of the activation it was computed from.
void nn_delta_from(uint idx, vec4 g)
{
    if (NN_COMPACT) s_a[idx] = g * nn_act_deriv(s_a[idx]);
    else s_d[idx] *= g;
}

// X row r of layer l's input (vec4 of 4 samples).
vec4 nn_x(uint l, uint r, uint st)
{
    return l == 0u ? s_x[nn_ti(r, st)] : s_a[nn_ti((l - 1u) * NN_HIDDEN + r, st)];
}

// Decoders up to 64 wide: their loops are unrolled and their sums written as explicit fma chains into the
// accumulator. The compiler may not reassociate `acc += a*b + c*d + ...`, which costs a multiply and an add more per
// 4 products and a longer dependency chain (H100, latent default, 5000 steps: 1.109 -> 1.054 s GPU with both the
// forward and dW in this form). Wider decoders keep the plain form: there the chains took 115 -> 136 registers and
// slowed the 128x3 hash model by 20 %.
const bool NN_NARROW = NN_HIDDEN <= 64u;

// acc[jj] += W[row jj][k..k+3] . x[k..k+3] for 4 samples (st) and 4 outputs whose weight rows start at row0.
void nn_forward_k4(uint l, uint k, uint st, uint row0, uint stride, inout vec4 acc[4])
{
    vec4 x0 = nn_x(l, k, st), x1 = nn_x(l, k + 1u, st), x2 = nn_x(l, k + 2u, st), x3 = nn_x(l, k + 3u, st);
    [[unroll]] for (uint jj = 0u; jj < 4u; jj++) {
        vec4 w = nn_w4(row0 + jj * stride, k);
        if (NN_NARROW) acc[jj] = fma(vec4(w.w), x3, fma(vec4(w.z), x2, fma(vec4(w.y), x1, fma(vec4(w.x), x0, acc[jj]))));
        else acc[jj] += w.x * x0 + w.y * x1 + w.z * x2 + w.w * x3;
    }
}

// z = W x + b, a = act(z) for all samples of the tile; stores s_a and s_d (compact: s_a only, nn_pack_act).
void nn_layer_forward(uint l, uint tid)
{
    uint in_n = nn_in(l), stride = nn_stride(l), w0 = nn_w_off(l), b0 = nn_b_off(l);
    uint tiles = NN_NS4 * (NN_HIDDEN / 4u);
    for (uint t = tid; t < tiles; t += NN_WG) {
        uint st = t % NN_NS4, j0 = (t / NN_NS4) * 4u;
        vec4 acc[4];
        for (uint jj = 0u; jj < 4u; jj++) acc[jj] = vec4(P[b0 + j0 + jj]);
        // Unrolled over the inputs (a constant per layer after specialisation) in decoders up to 64 wide, so that the
        // compiler issues the shared and weight loads of later inputs ahead of the multiply-adds: the step waits on
        // load latency, not on arithmetic (H200: latent default 1.27 -> 1.19 s GPU, hash default 1.69 -> 1.56 s).
        // Wider decoders keep the loop: there the registers it takes cost more than it saves (hash 128x3: 9.6 ->
        // 10.6 s with layer 0 unrolled, 1.9 -> 2.5 s per 1000 steps with every layer unrolled).
        if (in_n <= 64u && NN_HIDDEN <= 64u) {
            [[unroll]] for (uint k = 0u; k < in_n; k += 4u) nn_forward_k4(l, k, st, w0 + j0 * stride, stride, acc);
        } else {
            for (uint k = 0u; k < in_n; k += 4u) nn_forward_k4(l, k, st, w0 + j0 * stride, stride, acc);
        }
        [[unroll]] for (uint jj = 0u; jj < 4u; jj++) {
            vec4 a, d;
            nn_act(acc[jj], a, d);
            uint idx = nn_ti(l * NN_HIDDEN + j0 + jj, st);
            if (NN_COMPACT) {
                s_a[idx] = nn_pack_act(a, d);
            } else {
                s_a[idx] = a;
                s_d[idx] = d;
            }
        }
    }
}

// Head forward, part 1: partial pre-activations of 4 samples (st), channel c, over part q of the hidden units.
void nn_head_partial(uint tid)
{
    uint w0 = nn_w_off(NN_DEPTH), last = (NN_DEPTH - 1u) * NN_HIDDEN;
    const uint kq = (NN_HIDDEN + NN_HQ - 1u) / NN_HQ;
    for (uint e = tid; e < NN_HQ * 3u * NN_NS4; e += NN_WG) {
        uint q = e / (3u * NN_NS4), c = (e / NN_NS4) % 3u, st = e % NN_NS4;
        uint k1 = min((q + 1u) * kq, NN_HIDDEN);
        vec4 z = vec4(0.0);
        for (uint k = q * kq; k < k1; k++) z += P[w0 + c * NN_HIDDEN + k] * s_a[nn_ti(last + k, st)];
        s_hz[e] = z;
    }
}

// Head pre-activation of sample s, channel c (after nn_head_partial and a barrier).
float nn_head_z(uint s, uint c)
{
    uint w0 = nn_w_off(NN_DEPTH);
    float z = P[w0 + 3u * NN_HIDDEN + c];
    for (uint q = 0u; q < NN_HQ; q++) z += s_hz[(q * 3u + c) * NN_NS4 + (s >> 2)][s & 3u];
    return z;
}

// Head backward: dWh, dbh and d loss/d z of the last hidden layer (in place in s_d; compact: in s_a, in place of
// the activations, after a barrier).
void nn_head_backward(uint tid)
{
    uint w0 = nn_w_off(NN_DEPTH), last = (NN_DEPTH - 1u) * NN_HIDDEN;
    [[unroll]] for (uint r = 0u; r < NN_RH; r++) {
        uint e = tid + r * NN_WG;
        if (e >= 3u * NN_HIDDEN + 3u) break;
        uint c = e < 3u * NN_HIDDEN ? e / NN_HIDDEN : e - 3u * NN_HIDDEN;
        vec4 acc = vec4(0.0);
        if (e < 3u * NN_HIDDEN) {
            uint k = e % NN_HIDDEN;
            for (uint st = 0u; st < NN_NS4; st++) acc += s_gh[c * NN_NS4 + st] * s_a[nn_ti(last + k, st)];
        } else {
            for (uint st = 0u; st < NN_NS4; st++) acc += s_gh[c * NN_NS4 + st];
        }
        float v = acc.x + acc.y + acc.z + acc.w;
        if (NN_RACC != 0u) g_acch[r] += v;
        else grad_add(w0 + e, v);
    }
    if (NN_COMPACT) barrier();   // dWh above has read the activations that d loss / d z replaces below
    for (uint e = tid; e < NN_HIDDEN * NN_NS4; e += NN_WG) {
        uint k = e / NN_NS4, st = e % NN_NS4;
        vec4 g = s_gh[st] * P[w0 + k] + s_gh[NN_NS4 + st] * P[w0 + NN_HIDDEN + k] + s_gh[2u * NN_NS4 + st] * P[w0 + 2u * NN_HIDDEN + k];
        nn_delta_from(nn_ti(last + k, st), g);
    }
}

// a[kk] += g . x_kk: one dW tile row (4 inputs) over 4 samples (as fma chains in narrow decoders, see NN_NARROW).
void nn_dw4(inout vec4 a, vec4 g, vec4 x0, vec4 x1, vec4 x2, vec4 x3)
{
    if (!NN_NARROW) {
        a += vec4(dot(g, x0), dot(g, x1), dot(g, x2), dot(g, x3));
        return;
    }
    a.x = fma(g.w, x0.w, fma(g.z, x0.z, fma(g.y, x0.y, fma(g.x, x0.x, a.x))));
    a.y = fma(g.w, x1.w, fma(g.z, x1.z, fma(g.y, x1.y, fma(g.x, x1.x, a.y))));
    a.z = fma(g.w, x2.w, fma(g.z, x2.z, fma(g.y, x2.y, fma(g.x, x2.x, a.z))));
    a.w = fma(g.w, x3.w, fma(g.z, x3.z, fma(g.y, x3.y, fma(g.x, x3.x, a.w))));
}

// Layer l backward: dW_l, db_l, and d loss/d x_l -> s_d of layer l-1 (times its act'; compact: s_a, in place of
// layer l-1's activations, after a barrier) or dfeat (s_a rows from NN_DFEAT0).
void nn_layer_backward(uint l, uint tid)
{
    uint in_n = nn_in(l), stride = nn_stride(l), w0 = nn_w_off(l), b0 = nn_b_off(l);
    uint in4 = (in_n + 3u) / 4u;
    uint gbase = l * NN_HIDDEN;
    // dW tiles: 4 outputs x 4 inputs, summed over the tile's samples.
    // Interleaved: inputs ti + kk*in4, outputs tj + jj*H/4, so neighbouring threads read neighbouring rows.
    uint tiles = (NN_HIDDEN / 4u) * in4, jq = NN_HIDDEN / 4u;
    [[unroll]] for (uint r = 0u; r < NN_RT; r++) {
        uint t = tid + r * NN_WG;
        if (t >= tiles) break;
        uint ti = t % in4, tj = t / in4;
        vec4 acc[4] = vec4[4](vec4(0.0), vec4(0.0), vec4(0.0), vec4(0.0));
        for (uint st = 0u; st < NN_NS4; st++) {
            vec4 x0 = nn_x(l, ti, st), x1 = nn_x(l, ti + in4, st), x2 = nn_x(l, ti + 2u * in4, st), x3 = nn_x(l, ti + 3u * in4, st);
            [[unroll]] for (uint jj = 0u; jj < 4u; jj++) nn_dw4(acc[jj], nn_delta(nn_ti(gbase + tj + jj * jq, st)), x0, x1, x2, x3);
        }
        if (NN_RACC != 0u) {
            [[unroll]] for (uint jj = 0u; jj < 4u; jj++) g_accw[(l * NN_RT + r) * 4u + jj] += acc[jj];
        } else {
            [[unroll]] for (uint jj = 0u; jj < 4u; jj++)
                [[unroll]] for (uint kk = 0u; kk < 4u; kk++)
                    if (ti + kk * in4 < in_n) grad_add(w0 + (tj + jj * jq) * stride + ti + kk * in4, acc[jj][kk]);
        }
    }
    [[unroll]] for (uint r = 0u; r < NN_RB; r++) {
        uint j = tid + r * NN_WG;
        if (j >= NN_HIDDEN) break;
        vec4 acc = vec4(0.0);
        for (uint st = 0u; st < NN_NS4; st++) acc += nn_delta(nn_ti(gbase + j, st));
        float v = acc.x + acc.y + acc.z + acc.w;
        if (NN_RACC != 0u) g_accb[l * NN_RB + r] += v;
        else grad_add(b0 + j, v);
    }
    // dX tiles: 4 samples x 4 inputs. Layer 0 has few tiles (the narrow input): its sum over the outputs j is split
    // in js parts (partials in the s_a rows past the dfeat rows, free during layer 0's backward), then reduced.
    // Compact: d/dX below replaces layer l-1's activations, which dW above reads.
    if (NN_COMPACT && l > 0u) barrier();
    uint xtiles = NN_NS4 * in4, js = 1u;
    const uint scratch = (NN_DFEAT0 + NN_IN4) * NN_RS;
    if (l == 0u && (NN_TUNE & NN_TUNE_XSPLIT) != 0u) {
        js = min(min(NN_WG / xtiles, (NN_A_ROWS - NN_DFEAT0 - NN_IN4) * NN_RS / (4u * xtiles)), 4u);
        if (js < 1u) js = 1u;
    }
    uint jn = (NN_HIDDEN + js - 1u) / js;
    for (uint t = tid; t < xtiles * js; t += NN_WG) {
        uint part = t / xtiles, tt = t % xtiles;
        uint st = tt % NN_NS4, k0 = (tt / NN_NS4) * 4u;
        uint j1 = min((part + 1u) * jn, NN_HIDDEN);
        vec4 acc[4] = vec4[4](vec4(0.0), vec4(0.0), vec4(0.0), vec4(0.0));
        uint j = part * jn;
        for (; NN_NARROW && j + 4u <= j1; j += 4u) {   // four outputs a round, loads first
            vec4 g[4], w[4];
            [[unroll]] for (uint u = 0u; u < 4u; u++) {
                g[u] = nn_delta(nn_ti(gbase + j + u, st));
                w[u] = nn_w4(w0 + (j + u) * stride, k0);
            }
            [[unroll]] for (uint u = 0u; u < 4u; u++) {
                acc[0] = fma(g[u], vec4(w[u].x), acc[0]);
                acc[1] = fma(g[u], vec4(w[u].y), acc[1]);
                acc[2] = fma(g[u], vec4(w[u].z), acc[2]);
                acc[3] = fma(g[u], vec4(w[u].w), acc[3]);
            }
        }
        for (; j < j1; j++) {
            vec4 g = nn_delta(nn_ti(gbase + j, st));
            vec4 w = nn_w4(w0 + j * stride, k0);
            acc[0] += g * w.x;
            acc[1] += g * w.y;
            acc[2] += g * w.z;
            acc[3] += g * w.w;
        }
        if (js > 1u) {
            [[unroll]] for (uint kk = 0u; kk < 4u; kk++) s_a[scratch + (part * 4u + kk) * xtiles + tt] = acc[kk];
            continue;
        }
        for (uint kk = 0u; kk < 4u; kk++) {
            if (l > 0u) nn_delta_from(nn_ti((l - 1u) * NN_HIDDEN + k0 + kk, st), acc[kk]);
            else s_a[nn_ti(NN_DFEAT0 + k0 + kk, st)] = acc[kk];   // dfeat (rows past NN_IN are padding)
        }
    }
    if (js > 1u) {   // uniform: depends on l and specialisation constants only
        barrier();
        for (uint t = tid; t < xtiles; t += NN_WG) {
            uint st = t % NN_NS4, k0 = (t / NN_NS4) * 4u;
            [[unroll]] for (uint kk = 0u; kk < 4u; kk++) {
                vec4 v = s_a[scratch + kk * xtiles + t];
                for (uint part = 1u; part < js; part++) v += s_a[scratch + (part * 4u + kk) * xtiles + t];
                s_a[nn_ti(NN_DFEAT0 + k0 + kk, st)] = v;   // dfeat
            }
        }
    }
}

// NN_RACC: one atomic per weight per workgroup, after all its tiles.
void nn_grad_flush(uint tid)
{
    if (NN_RACC == 0u) return;
    [[unroll]] for (uint l = 0u; l < NN_DEPTH; l++) {
        uint in_n = nn_in(l), stride = nn_stride(l), w0 = nn_w_off(l), b0 = nn_b_off(l);
        uint in4 = (in_n + 3u) / 4u;
        uint tiles = (NN_HIDDEN / 4u) * in4;
        [[unroll]] for (uint r = 0u; r < NN_RT; r++) {
            uint t = tid + r * NN_WG;
            if (t >= tiles) break;
            uint ti = t % in4, tj = t / in4, jq = NN_HIDDEN / 4u;   // same interleaved tile as nn_layer_backward
            [[unroll]] for (uint jj = 0u; jj < 4u; jj++)
                [[unroll]] for (uint kk = 0u; kk < 4u; kk++)
                    if (ti + kk * in4 < in_n)
                        grad_add(w0 + (tj + jj * jq) * stride + ti + kk * in4, g_accw[(l * NN_RT + r) * 4u + jj][kk]);
        }
        [[unroll]] for (uint r = 0u; r < NN_RB; r++) {
            uint j = tid + r * NN_WG;
            if (j < NN_HIDDEN) grad_add(b0 + j, g_accb[l * NN_RB + r]);
        }
    }
    uint wh = nn_w_off(NN_DEPTH);
    [[unroll]] for (uint r = 0u; r < NN_RH; r++) {
        uint e = tid + r * NN_WG;
        if (e < 3u * NN_HIDDEN + 3u) grad_add(wh + e, g_acch[r]);
    }
}
#endif
