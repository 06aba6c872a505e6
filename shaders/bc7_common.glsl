// bc7_common.glsl - what every BC7 mode family shares: texel I/O, endpoint quantisation with p-bits, index and least-squares helpers, the bit writer.
// Included by bc7_encode.comp after its buffers and push constants; the C side of the same helpers is
// src/bc7/bc7_ref.h (same names). Every float variable is `precise` where C rounds it (docs/bc7.md,
// "Same blocks as the C reference").

// ---- Channel weights of the error (tt_bc7_channel_weights in C; all 1 by default, then they fold away) ----

layout(constant_id = TT_BC7_SPEC_WEIGHT_R) const int TT_W_R = 1;
layout(constant_id = TT_BC7_SPEC_WEIGHT_R + 1) const int TT_W_G = 1;
layout(constant_id = TT_BC7_SPEC_WEIGHT_R + 2) const int TT_W_B = 1;
layout(constant_id = TT_BC7_SPEC_WEIGHT_R + 3) const int TT_W_A = 1;

// werr3 / werr4 in C (bc7_ref.h): weighted squared error of an RGB / RGBA difference.
int werr3(ivec3 d) { return d.x * d.x * TT_W_R + d.y * d.y * TT_W_G + d.z * d.z * TT_W_B; }
int werr4(ivec4 d) { return werr3(d.xyz) + d.w * d.w * TT_W_A; }
// Mode 6 of an opaque block under loose_alpha: alpha endpoints stay 127, p-bits free, no alpha error (block_in in C).
// TT_LOOSE: loose_alpha as it applies to the image (bc7_gpu.c); 0 folds every alpha_free test away.
layout(constant_id = TT_BC7_SPEC_LOOSE) const int TT_LOOSE = 0;
// TT_JOINT: tt_bc7_config.joint_steps; 0 folds the joint steps of every polish away.
layout(constant_id = TT_BC7_SPEC_JOINT) const int TT_JOINT = 1;
// TT_LEAN: tt_bc7_config.lean_search (lean_three in bc7_pass_single.comp, pbit_of in bc7_multi.glsl).
layout(constant_id = TT_BC7_SPEC_LEAN) const int TT_LEAN = 0;
bool alpha_free = false;
int werr4_free(ivec4 d) { return werr3(d.xyz); }
// The good-enough threshold is in unweighted units: scaled by the mean weight (1 by default; exact).
float weight_scale() { return float(TT_W_R + TT_W_G + TT_W_B + (alpha_free ? 0 : TT_W_A)) * 0.25; }

// ---- Texel I/O: the block's 16 texels in registers ----

uint tp[16];   // texels, R | G << 8 | B << 16 | A << 24
bool opaque;   // every alpha is 255

// Reads block (bx, by) of the image (edge texels replicated, as tt_bc7_fetch_block in C).
void load_texels(uint bx, uint by)
{
    opaque = true;
    [[unroll]] for (int i = 0; i < 16; i++) {
        uint x = min(bx * 4u + uint(i & 3), pc.width - 1u);
        uint y = min(by * 4u + uint(i >> 2), pc.height - 1u) - pc.src_row0;
        tp[i] = src_px[y * pc.width + x];
        if ((tp[i] >> 24) != 255u) opaque = false;
    }
}

ivec4 texel(int i)
{
    uint p = tp[i];
    return ivec4(p & 255u, (p >> 8) & 255u, (p >> 16) & 255u, p >> 24);
}

// Indices are kept 4 bits per texel: lo holds texels 0..7, hi texels 8..15.
int get_idx(uint lo, uint hi, int i) { return int(((i < 8 ? lo : hi) >> (4 * (i & 7))) & 15u); }

// ---- Endpoint quantisation (with p-bits) ----

// Nearest 7-bit value q of 8-bit-scale x with p-bit p: decodes as 2q + p.
int quant7(float x, int p)
{
    precise float v = floor((x - float(p)) * 0.5 + 0.5);
    return int(min(max(v, 0.0), 127.0));
}

// One endpoint in 8-bit scale -> 7-bit values with p-bit p; returns float error.
float quant_endpoint(vec4 x, int p, bool opq, out ivec4 q)
{
    precise float err = 0.0;
    q.x = quant7(x.x, p);
    precise float d = float(2 * q.x + p) - x.x;
    err = err + d * d;
    q.y = quant7(x.y, p);
    d = float(2 * q.y + p) - x.y;
    err = err + d * d;
    q.z = quant7(x.z, p);
    d = float(2 * q.z + p) - x.z;
    err = err + d * d;
    if (opq) {
        q.w = 127;
    } else {
        q.w = quant7(x.w, p);
        d = float(2 * q.w + p) - x.w;
        err = err + d * d;
    }
    return err;
}

// Nearest `bits`-bit value of 8-bit-scale x with p-bit p below it (p = 0 where the mode has none): quant7 for
// 7 bits, and for 6 bits the p-bit weighs 2 and a step 4 (quant_channel in C).
int quant_channel(float x, int p, int bits)
{
    precise float v = floor((x - float(p << (7 - bits))) * ldexp(1.0, bits - 8) + 0.5);
    return int(min(max(v, 0.0), float((1 << bits) - 1)));
}

// 8-bit value of a `bits`-bit endpoint value q (with p-bit p when has_p): the top bits replicated below.
// (Arithmetic on hp, not `has_p ? (q << 1) | p : q`: glslang turns a ?: of non-trivial operands into branches.)
int expand_channel(int q, int p, int bits, bool has_p)
{
    int hp = has_p ? 1 : 0;
    int v = (q << hp) | (p & hp), n = bits + hp;
    return (v << (8 - n)) | (v >> (2 * n - 8));
}

// ---- Index search and least squares ----

int idot(ivec3 a, ivec3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
int idot(ivec4 a, ivec4 b) { return a.x * b.x + a.y * b.y + a.z * b.z + a.w * b.w; }

// snap256 in C: quotients rounded to a multiple of 1/256.
vec4 snap256(vec4 x)
{
    precise vec4 r = floor(x * 256.0 + 0.5) * 0.00390625;
    return r;
}

// joint_dq in C (bc7_ref.h): kind 1 moves every channel's q by s; kind 0 flips the p-bit p and gives the q step that
// moves the expanded value 2q + p by one p-bit unit in direction s.
void joint_dq(inout int p, int s, int kind, out int dq)
{
    dq = s;
    if (kind == 0) {
        p ^= 1;
        dq = (s > 0) == (p == 1) ? 0 : s;
    }
}

// Index trials (index_trials in bc7_ref_multi.c, polish in bc7_ref_single.c): tt_bc7_trial_index in C.
int trial_index(int v, int tr, int q, int top, int lo, int hi)
{
    if (tr < 3) {
        if ((tr == 0 || tr == 2) && v == lo && v < top) return v + 1;
        if ((tr == 1 || tr == 2) && v == hi && v > 0) return v - 1;
        return v;
    }
    int r = tr - 3, n = q + 2, a = r / n - q, b = top - 1 + r % n;
    int num = top * (v - a), den = b - a;
    int f = num >= 0 ? (2 * num + den) / (2 * den) : -((-2 * num + den) / (2 * den));
    return clamp(f, 0, top);
}
// Lowest and highest index of the texels of `mask`.
ivec2 index_range(uint lo, uint hi, uint mask, int top)
{
    ivec2 r = ivec2(top, 0);
    [[unroll]] for (int i = 0; i < 16; i++)
        if (((mask >> i) & 1u) != 0u) {
            int v = get_idx(lo, hi, i);
            r = ivec2(min(r.x, v), max(r.y, v));
        }
    return r;
}
// The trial's indices of the texels of `mask`, packed 4 bits each like (lo, hi); 0 outside the mask.
uvec2 trial_indices(uint lo, uint hi, uint mask, int tr, int q, int top, ivec2 range)
{
    uvec2 o = uvec2(0u);
    [[unroll]] for (int i = 0; i < 16; i++)
        if (((mask >> i) & 1u) != 0u) {
            uint v = uint(trial_index(get_idx(lo, hi, i), tr, q, top, range.x, range.y)) << (4 * (i & 7));
            if (i < 8) o.x |= v;
            else o.y |= v;
        }
    return o;
}
int trial_count(int level) { return level <= 0 ? 0 : 3 + (level >= 2 ? (level + 1) * (level + 1) : 0); }

// ls_solve in C from the integer sums a, bb, cc, s0, s1 (same float operations); channels past the caller's are 0.
bool ls_solve(int a, int bb, int cc, ivec4 s0, ivec4 s1, out vec4 x0, out vec4 x1)
{
    int det = a * cc - bb * bb;
    x0 = vec4(0.0);
    x1 = vec4(0.0);
    if (det <= 0) return false;
    precise float fa = float(a), fb = float(bb), fc = float(cc), fdet = float(det);
    precise vec4 n0 = fc * vec4(s0) - fb * vec4(s1);
    precise vec4 n1 = fa * vec4(s1) - fb * vec4(s0);
    precise vec4 q0 = (n0 * 64.0) / fdet, q1 = (n1 * 64.0) / fdet;
    x0 = snap256(q0);
    x1 = snap256(q1);
    return true;
}

int ivec4_at(ivec4 v, int k) { return k == 0 ? v.x : (k == 1 ? v.y : (k == 2 ? v.z : v.w)); }
ivec4 ivec4_set(ivec4 v, int k, int x)
{
    return ivec4(k == 0 ? x : v.x, k == 1 ? x : v.y, k == 2 ? x : v.z, k == 3 ? x : v.w);
}

int ivec3_at(ivec3 v, int k) { return k == 0 ? v.x : (k == 1 ? v.y : v.z); }
ivec3 ivec3_set(ivec3 v, int k, int x) { return ivec3(k == 0 ? x : v.x, k == 1 ? x : v.y, k == 2 ? x : v.z); }

// ---- The bit writer: LSB first, bit 0 = bit 0 of b.x ----

void put_bits(inout uvec4 b, uint pos, uint n, uint v)
{
    uint word = pos >> 5u, sh = pos & 31u;
    uint lo = v << sh, hi = sh + n > 32u ? v >> (32u - sh) : 0u;
    // constant-index writes only (no dynamic vector indexing)
    b.x |= word == 0u ? lo : 0u;
    b.y |= word == 1u ? lo : (word == 0u ? hi : 0u);
    b.z |= word == 2u ? lo : (word == 1u ? hi : 0u);
    b.w |= word == 3u ? lo : (word == 2u ? hi : 0u);
}

void put_bits_adv(inout uvec4 b, inout uint pos, uint n, uint v)
{
    put_bits(b, pos, n, v);
    pos += n;
}

// The n (1..8) bits of b from bit pos on, then pos += n (the reader of tt_bc7_unpack_fields in C).
uint get_bits_adv(uvec4 b, inout uint pos, uint n)
{
    uint w = pos >> 5u, s = pos & 31u;
    uint v = b[w] >> s;
    if (s + n > 32u) v |= b[w + 1u] << (32u - s);
    pos += n;
    return v & ((1u << n) - 1u);
}

// Subset nibble mask: 0xF at each texel of `mask` (lo: texels 0..7, hi: 8..15).
uvec2 nibble_mask(uint mask)
{
    uvec2 r = uvec2(0u);
    [[unroll]] for (int i = 0; i < 8; i++) {
        if (((mask >> i) & 1u) != 0u) r.x |= 15u << (4 * i);
        if (((mask >> (i + 8)) & 1u) != 0u) r.y |= 15u << (4 * i);
    }
    return r;
}
