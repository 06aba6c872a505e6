/* test_bc7_solid.c - single-colour blocks: the lookup tables of shaders/bc7_solid.h, and the encoder's blocks against an independent brute-force optimum. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The `fast` preset's modes (1 + 6), where the checks run on more colours. */
#define TT_TEST_MODES_16 ((1u << 6) | (1u << 1))

#include "bc7/bc7_ref.h"
#include "bc7_solid.h" /* shaders/: the tables under test */
#include "tt_test.h"

/* The decode of one channel: stored endpoint value q of a `bits`-bit field with p-bit p (has_p), as the BC7
 * decoder expands it (written here from the spec, not taken from the encoder). */
static int expand(int q, int p, int bits, int has_p)
{
    int v = has_p ? (q << 1) | p : q, n = has_p ? bits + 1 : bits;
    return (v << (8 - n)) | (v >> (2 * n - 8));
}

static int weight(int index_bits, int k)
{
    static const int w2[4] = {0, 21, 43, 64}, w3[8] = {0, 9, 18, 27, 37, 46, 55, 64},
                     w4[16] = {0, 4, 9, 13, 17, 21, 26, 30, 34, 38, 43, 47, 51, 55, 60, 64};
    return index_bits == 2 ? w2[k] : (index_bits == 3 ? w3[k] : w4[k]);
}

/* err[v]: the least squared error of channel value v over every endpoint pair of a channel of `bits` bits with
 * p-bits (p0, p1) at index k; first[v]: the first pair (q0 | q1 << 8) in (q0, q1) order that reaches it. */
static void brute_channel(int bits, int has_p, int p0, int p1, int index_bits, int k, int err[256], int first[256])
{
    int w = weight(index_bits, k);
    for (int v = 0; v < 256; v++) err[v] = 1 << 30;
    for (int q0 = 0; q0 < (1 << bits); q0++)
        for (int q1 = 0; q1 < (1 << bits); q1++) {
            int a = expand(q0, p0, bits, has_p), b = expand(q1, p1, bits, has_p);
            int d = ((64 - w) * a + w * b + 32) >> 6;
            for (int v = 0; v < 256; v++) {
                int e = (d - v) * (d - v);
                if (e < err[v]) {
                    err[v] = e;
                    if (first) first[v] = q0 | q1 << 8;
                }
            }
        }
}

/* Each table entry is the brute-force first best pair of its (mode, p-bits, index). */
static void test_tables(void)
{
    CHECK_EQ_INT(sizeof tt_bc7_solid, TT_BC7_SOLID_ENTRIES * 4u);
    for (uint32_t t = 0; t < TT_BC7_SOLID_NTABLES; t++) {
        uint32_t d = tt_bc7_solid_desc[t];
        int mode = (int)(d & 15u);
        const tt_bc7_mode_info *mi = tt_bc7_mode(mode);
        int err[256], first[256], bad = 0;
        brute_channel(mi->color_bits, mi->pbit_unique || mi->pbit_shared, (int)(d >> 4) & 1, (int)(d >> 5) & 1,
                      mi->index_bits, (int)((d >> 8) & 15u), err, first);
        for (int v = 0; v < 256; v++) {
            uint32_t e = tt_bc7_solid[TT_BC7_SOLID_BASE(d) + (uint32_t)v];
            bad += (int)(e >> 16) != err[v] || (int)(e & 0xFFFFu) != first[v];
        }
        CHECK_MSG(bad == 0, "table %u (mode %d): %d entries differ from the brute force", t, mode, bad);
    }
}

/* The independent optimum: per mode, every p-bit choice and index (every rotation-0 encoding with one index
 * for all texels, which is optimal for one colour: each texel's error depends only on its own index), every
 * endpoint pair per channel. best[mode][...] is filled once. */
typedef struct {
    int n;                 /* choices */
    int err[64][256];      /* per choice: least error of a colour channel */
    int alpha_ok[64];      /* mode 6: alpha 255 reachable exactly with this choice */
} mode_brute;
static mode_brute g_m[8];

static void brute_mode(int mode)
{
    const tt_bc7_mode_info *mi = tt_bc7_mode(mode);
    mode_brute *m = &g_m[mode];
    m->n = 0;
    int has_p = mi->pbit_unique || mi->pbit_shared;
    for (int p0 = 0; p0 <= has_p; p0++)
        for (int p1 = 0; p1 <= has_p; p1++) {
            if (mi->pbit_shared && p0 != p1) continue;
            for (int k = 0; k < (1 << mi->index_bits); k++) {
                brute_channel(mi->color_bits, has_p, p0, p1, mi->index_bits, k, m->err[m->n], NULL);
                m->alpha_ok[m->n] = m->err[m->n][255] == 0;
                m->n++;
            }
        }
}

/* Least per-texel SSE of colour c over the modes of `modes` (+ 6), opaque colours keeping alpha exactly 255. */
static int brute_optimum(const uint8_t c[4], unsigned modes)
{
    int opaque = c[3] == 255, best = 1 << 30;
    modes |= 1u << 6;
    for (int mode = 0; mode < 8; mode++) {
        if (!((modes >> mode) & 1u) || !g_m[mode].n) continue;
        if ((mode == 1 || mode == 3) && !opaque) continue;
        const mode_brute *m = &g_m[mode];
        for (int j = 0; j < m->n; j++) {
            if (mode == 6 && opaque && !m->alpha_ok[j]) continue;
            int e = m->err[j][c[0]] + m->err[j][c[1]] + m->err[j][c[2]];
            if (mode == 6) e += m->err[j][c[3]]; /* modes 1, 3: alpha 255; mode 5: 8-bit alpha, a0 = a1 = A */
            if (e < best) best = e;
        }
    }
    return best;
}

static int g_blocks, g_exact;

/* Encodes a block of colour c with `modes`; its decode must be one colour, at the brute-force optimum (so the
 * input itself where it is representable, else a closest representable colour), alpha 255 if c is opaque, and
 * no worse than the search (mode 6, then modes 1 and 3) of the encoder without the lookup. */
static void check_colour(const uint8_t c[4], unsigned modes, int vs_search)
{
    uint8_t tex[16][4], dec[16][4];
    for (int i = 0; i < 16; i++) memcpy(tex[i], c, 4);
    tt_bc7_config p;
    tt_bc7_config_init(&p);
    p.modes = modes;
    tt_bc7_block blk;
    tt_bc7_encode_block_ref(tex, &p, &blk);
    int mode = tt_bc7_decode_block(&blk, dec);
    int sse = 0, same = 1;
    for (int i = 0; i < 16; i++) {
        same &= memcmp(dec[i], dec[0], 4) == 0;
        for (int k = 0; k < 4; k++) sse += (dec[i][k] - c[k]) * (dec[i][k] - c[k]);
    }
    int opt = brute_optimum(c, modes);
    g_blocks++;
    g_exact += sse == 0;
    CHECK_MSG(same && sse == 16 * opt && (modes | 64u) >> mode & 1u,
              "colour %u,%u,%u,%u modes 0x%x: mode %d, SSE %d, optimum %d", c[0], c[1], c[2], c[3], modes, mode,
              sse, 16 * opt);
    if (c[3] == 255) CHECK_MSG(dec[0][3] == 255, "colour %u,%u,%u,255: alpha %u", c[0], c[1], c[2], dec[0][3]);
    if (vs_search) {
        block_in in = {.joint = 1}; /* joint steps on, as in every preset but fastest */
        for (int i = 0; i < 16; i++)
            for (int k = 0; k < 4; k++) in.t[i][k] = c[k];
        block_in_lanes(&in);
        in.opaque = c[3] == 255;
        tt_bc7_channel_weights(&p, in.w);
        tt_bc7_fields f;
        int s = tt_bc7_ref_encode_single(&in, &p, 0, &f);
        for (int m = 0; m < 8; m++)
            if (m != 6 && (modes >> m) & 1u) {
                int e = m == 4 || m == 5 ? tt_bc7_ref_encode_dual(&in, m, &p, &f) : tt_bc7_ref_encode_multi(&in, m, &p, &f);
                if (e < s) s = e;
            }
        CHECK_MSG(sse <= s, "colour %u,%u,%u,%u modes 0x%x: lookup SSE %d above the search's %d", c[0], c[1], c[2],
                  c[3], modes, sse, s);
    }
}

static void test_colours(void)
{
    brute_mode(1);
    brute_mode(3);
    brute_mode(5);
    brute_mode(6);
    static const unsigned masks[] = {1u << 6, (1u << 6) | (1u << 1), (1u << 6) | (1u << 3),
                                     (1u << 6) | (1u << 3) | (1u << 1), (1u << 6) | (1u << 5), 0xFFu};
    for (size_t m = 0; m < sizeof masks / sizeof masks[0]; m++) {
        g_blocks = g_exact = 0;
        /* every 8-bit grey, opaque and with alpha = grey and 255 - grey */
        for (int v = 0; v < 256; v++) {
            uint8_t g[4] = {(uint8_t)v, (uint8_t)v, (uint8_t)v, 255};
            check_colour(g, masks[m], masks[m] == TT_TEST_MODES_16);
            g[3] = (uint8_t)v;
            check_colour(g, masks[m], 0);
            g[3] = (uint8_t)(255 - v);
            check_colour(g, masks[m], 0);
        }
        /* the extremes and their neighbours in every combination, then a sample of RGBA colours */
        static const uint8_t ex[6] = {0, 1, 2, 253, 254, 255};
        for (int i = 0; i < 6 * 6 * 6 * 6; i++) {
            uint8_t c[4] = {ex[i % 6], ex[i / 6 % 6], ex[i / 36 % 6], ex[i / 216]};
            check_colour(c, masks[m], masks[m] == TT_TEST_MODES_16 && i % 7 == 0);
        }
        uint32_t s = 12345u;
        for (int i = 0; i < 2000; i++) {
            uint8_t c[4];
            for (int k = 0; k < 4; k++) {
                s = s * 1103515245u + 12345u;
                c[k] = (uint8_t)(s >> 16);
            }
            if (i & 1) c[3] = 255;
            check_colour(c, masks[m], masks[m] == TT_TEST_MODES_16 && i % 10 == 0);
        }
        printf("modes 0x%02x: %d single-colour blocks at the brute-force optimum, %d of them exact\n", masks[m],
               g_blocks, g_exact);
    }
}

int main(void)
{
    test_tables();
    test_colours();
    TT_TEST_END();
}
