/* test_bc7_dual.c - the rotation modes 4 and 5 of the C reference: the decoder reproduces the weighted error the encoder returns, opaque alpha stays 255, anchors are valid, every rotation and index selection occurs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bc7/bc7_ref.h"
#include "tt_test.h"

static unsigned rng_state = 12345u;
static int rnd(int n)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return (int)((rng_state >> 8) % (unsigned)n);
}

/* A test block of kind k: noise, a gradient with one channel independent of the others, an alpha ramp over a
 * flat or noisy colour, a cutout edge (alpha 0 / 255); opaque when `opaque`. */
static void make_block(int kind, int opaque, uint8_t t[16][4])
{
    int base[4], ind = rnd(4);
    for (int k = 0; k < 4; k++) base[k] = rnd(256);
    for (int i = 0; i < 16; i++) {
        int x = i & 3, y = i >> 2;
        for (int k = 0; k < 4; k++) {
            int v;
            switch (kind) {
            case 0: v = rnd(256); break;
            case 1: v = k == ind ? base[k] + (rnd(2) ? 1 : -1) * 13 * y + rnd(9) : base[k] + 11 * x + rnd(5); break;
            case 2: v = k == 3 ? 16 * i + rnd(16) : base[k] + rnd(7); break;
            default: v = k == 3 ? (x + y > 3 ? 255 : 0) : base[k] + 5 * (x - y) + rnd(3); break;
            }
            t[i][k] = (uint8_t)(v < 0 ? 0 : (v > 255 ? 255 : v));
        }
        if (opaque) t[i][3] = 255;
    }
}

int main(void)
{
    tt_bc7_config cfg;
    tt_bc7_config_init(&cfg);
    int seen[2][4][2];
    memset(seen, 0, sizeof seen);
    const float alpha_weights[3] = {1.0f, 3.0f, 0.0f};
    for (int aw = 0; aw < 3; aw++)
        for (int perceptual = 0; perceptual < 2; perceptual++) {
            cfg.alpha_weight = alpha_weights[aw];
            cfg.perceptual = perceptual;
            block_in in = {.joint = 1}; /* joint steps on, as in every preset but fastest */
            tt_bc7_channel_weights(&cfg, in.w);
            for (int n = 0; n < 400; n++) {
                uint8_t t[16][4];
                int opaque = n % 3 == 0;
                make_block(n % 4, opaque, t);
                in.opaque = 1;
                for (int i = 0; i < 16; i++) {
                    for (int k = 0; k < 4; k++) in.t[i][k] = t[i][k];
                    if (t[i][3] != 255) in.opaque = 0;
                }
                block_in_lanes(&in);
                for (int mode = 4; mode <= 5; mode++) {
                    tt_bc7_fields f;
                    int sse = tt_bc7_ref_encode_dual(&in, mode, &cfg, &f);
                    CHECK(sse != TT_BC7_NO_CANDIDATE);
                    CHECK_EQ_INT(f.mode, mode);
                    CHECK(f.rotation < 4 && f.isel < (mode == 4 ? 2u : 1u));
                    seen[mode - 4][f.rotation][f.isel] = 1;
                    /* anchors: texel 0 of each index set has its MSB clear */
                    int ib = 2, ib2 = mode == 4 ? 3 : 2;
                    CHECK(f.idx[0] < (1 << (ib - 1)) && f.idx2[0] < (1 << (ib2 - 1)));
                    tt_bc7_block blk;
                    tt_bc7_pack_fields(&f, &blk);
                    tt_bc7_fields back;
                    CHECK_EQ_INT(tt_bc7_unpack_fields(&blk, &back), mode);
                    CHECK(memcmp(&back, &f, sizeof f) == 0);
                    uint8_t d[16][4];
                    CHECK_EQ_INT(tt_bc7_decode_block(&blk, d), mode);
                    int e = 0, a255 = 1;
                    for (int i = 0; i < 16; i++) {
                        int diff[4];
                        for (int k = 0; k < 4; k++) diff[k] = (int)d[i][k] - (int)t[i][k];
                        e += werr4(&in, diff);
                        if (d[i][3] != 255) a255 = 0;
                    }
                    CHECK_MSG(e == sse, "mode %d rot %u isel %u: decoded %d, encoder %d", mode, f.rotation, f.isel, e,
                              sse);
                    if (opaque) CHECK_MSG(a255, "mode %d rot %u: opaque alpha not 255", mode, f.rotation);
                }
            }
        }
    for (int r = 0; r < 4; r++) {
        CHECK_MSG(seen[1][r][0], "mode 5 rotation %d never chosen", r);
        for (int s = 0; s < 2; s++) CHECK_MSG(seen[0][r][s], "mode 4 rotation %d isel %d never chosen", r, s);
    }
    TT_TEST_END();
}
