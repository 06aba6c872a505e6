/* test_bc7_multi.c - the C reference's multi-subset family (modes 0, 1, 2, 3, 7): its returned error is the weighted error of the block's decode, anchors valid, alpha exact, more partitions never worse; the final polish (modes 0-3, 6, 7) never worse and correct. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bc7/bc7_ref.h"
#include "tt_test.h"

static uint32_t g_seed = 1u;
static int rnd(int n)
{
    g_seed = g_seed * 1103515245u + 12345u;
    return (int)((g_seed >> 16) % (uint32_t)n);
}

static int clamp255(int v) { return v < 0 ? 0 : (v > 255 ? 255 : v); }

/* Block kind k of a family of test blocks: random texels, gradients, two or three flat regions with noise, greys,
 * near-solid; alpha 255 unless `alpha` (then random, gradient or regions too). */
static void make_block(int kind, int alpha, block_in *in)
{
    int c[3][4];
    for (int s = 0; s < 3; s++)
        for (int k = 0; k < 4; k++) c[s][k] = rnd(256);
    for (int i = 0; i < 16; i++) {
        int x = i & 3, y = i >> 2;
        for (int k = 0; k < 4; k++) {
            int v;
            switch (kind % 6) {
            case 0: v = rnd(256); break;
            case 1: v = clamp255(c[0][k] + (c[1][k] - c[0][k]) * (x + y) / 6 + rnd(5) - 2); break;
            case 2: v = clamp255(c[x + y < 3 ? 0 : 1][k] + rnd(9) - 4); break;
            case 3: v = clamp255(c[x < 2 ? 0 : (y < 2 ? 1 : 2)][k] + rnd(7) - 3); break;
            case 4: v = k < 3 ? clamp255(c[0][0] + 16 * x + rnd(3)) : c[0][3]; break;
            default: v = clamp255(c[0][k] + rnd(3) - 1); break;
            }
            in->t[i][k] = v;
        }
        if (!alpha) in->t[i][3] = 255;
    }
    in->opaque = 1;
    for (int i = 0; i < 16; i++)
        if (in->t[i][3] != 255) in->opaque = 0;
    block_in_lanes(in);
}

static int g_blocks;

/* Checks fields f of `mode` as a block of `in`: anchors below half the index range, the decoded block's mode, and
 * (where `alpha_255`) alpha 255 on every texel; returns the weighted SSE of its decode. */
static int decoded_sse(const block_in *in, const tt_bc7_fields *f, int mode, int alpha_255)
{
    const tt_bc7_mode_info *mi = tt_bc7_mode(mode);
    for (int s = 0; s < mi->subsets; s++)
        CHECK_MSG(f->idx[tt_bc7_anchor_of(mi->subsets, (int)f->partition, s)] < (1 << mi->index_bits) / 2,
                  "mode %d partition %u subset %d", mode, f->partition, s);
    tt_bc7_block blk;
    uint8_t dec[16][4];
    tt_bc7_pack_fields(f, &blk);
    CHECK_EQ_INT(tt_bc7_decode_block(&blk, dec), mode);
    int e = 0, alpha_ok = 1;
    for (int i = 0; i < 16; i++) {
        int d[4];
        for (int k = 0; k < 4; k++) d[k] = dec[i][k] - in->t[i][k];
        e += werr4(in, d);
        if (alpha_255 && dec[i][3] != 255) alpha_ok = 0;
    }
    CHECK_MSG(alpha_ok, "mode %d: alpha not 255", mode);
    return e;
}

/* Encodes `in` in `mode` with `cfg` and checks the block; returns the SSE (or TT_BC7_NO_CANDIDATE). */
static int check_block(const block_in *in, int mode, const tt_bc7_config *cfg)
{
    tt_bc7_fields f;
    int sse = tt_bc7_ref_encode_multi(in, mode, cfg, &f);
    if (mode != 7 && !in->opaque) {
        CHECK_EQ_INT(sse, TT_BC7_NO_CANDIDATE);
        return sse;
    }
    CHECK(sse != TT_BC7_NO_CANDIDATE);
    if (sse == TT_BC7_NO_CANDIDATE) return sse;
    const tt_bc7_mode_info *mi = tt_bc7_mode(mode);
    CHECK_EQ_INT(f.mode, mode);
    CHECK(f.partition < (1u << mi->part_bits));
    int e = decoded_sse(in, &f, mode, mode != 7);
    CHECK_MSG(e == sse, "mode %d: decoded weighted SSE %d, returned %d", mode, e, sse);
    g_blocks++;
    return sse;
}

static int g_finished, g_improved;

/* The final polish (tt_bc7_ref_finish_multi / _single) of a block of `mode` found with cfg: the SSE it returns is
 * that of its decode, never above the one it started from, anchors stay valid and opaque alpha stays 255. */
static void check_finish(const block_in *in, int mode, const tt_bc7_config *cfg, int level)
{
    tt_bc7_fields f;
    int sse = mode == 6 ? tt_bc7_ref_encode_single(in, cfg, 0, &f) : tt_bc7_ref_encode_multi(in, mode, cfg, &f);
    if (sse == TT_BC7_NO_CANDIDATE || sse == 0) return;
    tt_bc7_fields g = f;
    int e2 = mode == 6 ? tt_bc7_ref_finish_single(in, level, &g, sse) : tt_bc7_ref_finish_multi(in, level, &g, sse);
    CHECK_MSG(e2 <= sse, "mode %d: final polish raised the SSE %d -> %d", mode, sse, e2);
    if (e2 == sse) CHECK_MSG(memcmp(&f, &g, sizeof f) == 0, "mode %d: block changed without a gain", mode);
    int e = decoded_sse(in, &g, mode, in->opaque && mode != 7); /* mode 7 is for blocks with alpha */
    CHECK_MSG(e == e2, "mode %d: final polish returned %d, decoded SSE %d", mode, e2, e);
    g_finished++;
    g_improved += e2 < sse;
}

int main(void)
{
    static const int modes[] = {0, 1, 2, 3, 7};
    for (int wset = 0; wset < 3; wset++) {
        tt_bc7_config cfg;
        tt_bc7_config_init(&cfg);
        if (wset == 1) cfg.perceptual = 1;
        if (wset == 2) cfg.alpha_weight = 3.0f;
        block_in in = {.joint = 1}; /* joint steps on, as in every preset but fastest */
        tt_bc7_channel_weights(&cfg, in.w);
        for (int b = 0; b < 120; b++) {
            int alpha = b % 3 == 2;
            make_block(b, alpha, &in);
            tt_bc7_channel_weights(&cfg, in.w);
            for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
                int last = 0x7FFFFFFF;
                /* the best `partitions` by the estimate include those of any smaller count */
                static const int counts[] = {1, 4, 8, 16};
                for (int c = 0; c < 4; c++) {
                    cfg.partitions = counts[c];
                    int sse = check_block(&in, modes[m], &cfg);
                    CHECK_MSG(sse <= last, "mode %d: %d partitions SSE %d above %d", modes[m], counts[c], sse, last);
                    last = sse;
                }
            }
        }
    }
    /* The final polish after a light search (medium: one partition, no index trials, lean p-bits), at levels 1-3:
     * it must find gains on some of these blocks, or it does nothing. */
    {
        tt_bc7_config cfg;
        tt_bc7_config_init(&cfg);
        block_in in = {.joint = 1, .lean = 1};
        tt_bc7_channel_weights(&cfg, in.w);
        static const int fmodes[] = {0, 1, 2, 3, 6, 7};
        for (int b = 0; b < 120; b++) {
            make_block(b, b % 3 == 2, &in);
            for (size_t m = 0; m < sizeof fmodes / sizeof fmodes[0]; m++)
                for (int level = 1; level <= 3; level++) check_finish(&in, fmodes[m], &cfg, level);
        }
        CHECK_MSG(g_improved > g_finished / 20, "final polish improved %d of %d blocks", g_improved, g_finished);
        printf("final polish: %d of %d blocks improved\n", g_improved, g_finished);
    }
    printf("%d blocks checked\n", g_blocks);
    TT_TEST_END();
}
