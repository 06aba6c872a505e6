/* bc7_tables.h - BC7 (BPTC) tables and per-mode descriptors, written once for C and GLSL. */
#ifndef TT_BC7_TABLES_H
#define TT_BC7_TABLES_H
/* Included by src/bc7/ (decoder, packing, C reference encoder) and by the shaders/bc7_*.glsl encoder: one
 * spelling of the partition and anchor tables of the BPTC chapter of the Khronos Data Format Specification 1.3
 * ("BC7 partition tables", "BC7 anchor index values"; identical to Microsoft's "BC7 Format" page and to
 * DirectXTex's g_aPartitionTable / g_aFixUp), the index weights and the mode table ("Mode-dependent
 * characteristics"). tests/unit/test_bc7_modes.c checks them against its own hand-copied spec entries.
 *
 * C sees `static const` arrays and `static inline` functions, GLSL `const` arrays and plain functions; only
 * 32-bit unsigned arithmetic is used, so both give the same values. */
#ifdef GL_core_profile
#define TT_BC7_U32 uint
#define TT_BC7_INLINE
#define TT_BC7_ARRAY(ctype, gtype, name, n) const gtype name[n] = gtype[](
#define TT_BC7_ARRAY_END );
#else
#include <stdint.h>
#define TT_BC7_U32 uint32_t
#define TT_BC7_INLINE static inline
#if defined(__GNUC__)
#define TT_BC7_UNUSED __attribute__((unused))
#else
#define TT_BC7_UNUSED
#endif
#define TT_BC7_ARRAY(ctype, gtype, name, n) static const ctype name[n] TT_BC7_UNUSED = {
#define TT_BC7_ARRAY_END };
#endif

/* Partitions: the subset (0, 1 or 2) of texel x + 4y in bits 2(x + 4y) .. 2(x + 4y) + 1. */
TT_BC7_ARRAY(uint32_t, uint, tt_bc7_partition2, 64)
    0x50505050u, 0x40404040u, 0x54545454u, 0x54505040u, 0x50404000u, 0x55545450u,
    0x55545040u, 0x54504000u, 0x50400000u, 0x55555450u, 0x55544000u, 0x54400000u,
    0x55555440u, 0x55550000u, 0x55555500u, 0x55000000u, 0x55150100u, 0x00004054u,
    0x15010000u, 0x00405054u, 0x00004050u, 0x15050100u, 0x05010000u, 0x40505054u,
    0x00404050u, 0x05010100u, 0x14141414u, 0x05141450u, 0x01155440u, 0x00555500u,
    0x15014054u, 0x05414150u, 0x44444444u, 0x55005500u, 0x11441144u, 0x05055050u,
    0x05500550u, 0x11114444u, 0x41144114u, 0x44111144u, 0x15055054u, 0x01055040u,
    0x05041050u, 0x05455150u, 0x14414114u, 0x50050550u, 0x41411414u, 0x00141400u,
    0x00041504u, 0x00105410u, 0x10541000u, 0x04150400u, 0x50410514u, 0x41051450u,
    0x05415014u, 0x14054150u, 0x41050514u, 0x41505014u, 0x40011554u, 0x54150140u,
    0x50505500u, 0x00555050u, 0x15151010u, 0x54540404u
TT_BC7_ARRAY_END
TT_BC7_ARRAY(uint32_t, uint, tt_bc7_partition3, 64)
    0xAA685050u, 0x6A5A5040u, 0x5A5A4200u, 0x5450A0A8u, 0xA5A50000u, 0xA0A05050u,
    0x5555A0A0u, 0x5A5A5050u, 0xAA550000u, 0xAA555500u, 0xAAAA5500u, 0x90909090u,
    0x94949494u, 0xA4A4A4A4u, 0xA9A59450u, 0x2A0A4250u, 0xA5945040u, 0x0A425054u,
    0xA5A5A500u, 0x55A0A0A0u, 0xA8A85454u, 0x6A6A4040u, 0xA4A45000u, 0x1A1A0500u,
    0x0050A4A4u, 0xAAA59090u, 0x14696914u, 0x69691400u, 0xA08585A0u, 0xAA821414u,
    0x50A4A450u, 0x6A5A0200u, 0xA9A58000u, 0x5090A0A8u, 0xA8A09050u, 0x24242424u,
    0x00AA5500u, 0x24924924u, 0x24499224u, 0x50A50A50u, 0x500AA550u, 0xAAAA4444u,
    0x66660000u, 0xA5A0A5A0u, 0x50A050A0u, 0x69286928u, 0x44AAAA44u, 0x66666600u,
    0xAA444444u, 0x54A854A8u, 0x95809580u, 0x96969600u, 0xA85454A8u, 0x80959580u,
    0xAA141414u, 0x96960000u, 0xAAAA1414u, 0xA05050A0u, 0xA0A5A5A0u, 0x96000000u,
    0x40804080u, 0xA9A8A9A8u, 0xAAAAAA44u, 0x2A4A5254u
TT_BC7_ARRAY_END

/* Anchor (fix-up) texel of subset 1 of the 2-subset partitions, and of subsets 1 and 2 of the 3-subset ones;
 * subset 0's anchor is texel 0. An anchor's index is stored with one bit less (implied MSB 0). */
TT_BC7_ARRAY(uint8_t, uint, tt_bc7_anchor2_1, 64)
    15u, 15u, 15u, 15u, 15u, 15u, 15u, 15u, 15u, 15u, 15u, 15u, 15u, 15u, 15u, 15u,
    15u, 2u, 8u, 2u, 2u, 8u, 8u, 15u, 2u, 8u, 2u, 2u, 8u, 8u, 2u, 2u,
    15u, 15u, 6u, 8u, 2u, 8u, 15u, 15u, 2u, 8u, 2u, 2u, 2u, 15u, 15u, 6u,
    6u, 2u, 6u, 8u, 15u, 15u, 2u, 2u, 15u, 15u, 15u, 15u, 15u, 2u, 2u, 15u
TT_BC7_ARRAY_END
TT_BC7_ARRAY(uint8_t, uint, tt_bc7_anchor3_1, 64)
    3u, 3u, 15u, 15u, 8u, 3u, 15u, 15u, 8u, 8u, 6u, 6u, 6u, 5u, 3u, 3u,
    3u, 3u, 8u, 15u, 3u, 3u, 6u, 10u, 5u, 8u, 8u, 6u, 8u, 5u, 15u, 15u,
    8u, 15u, 3u, 5u, 6u, 10u, 8u, 15u, 15u, 3u, 15u, 5u, 15u, 15u, 15u, 15u,
    3u, 15u, 5u, 5u, 5u, 8u, 5u, 10u, 5u, 10u, 8u, 13u, 15u, 12u, 3u, 3u
TT_BC7_ARRAY_END
TT_BC7_ARRAY(uint8_t, uint, tt_bc7_anchor3_2, 64)
    15u, 8u, 8u, 3u, 15u, 15u, 3u, 8u, 15u, 15u, 15u, 15u, 15u, 15u, 15u, 8u,
    15u, 8u, 15u, 3u, 15u, 8u, 15u, 8u, 3u, 15u, 6u, 10u, 15u, 15u, 10u, 8u,
    15u, 3u, 15u, 10u, 10u, 8u, 9u, 10u, 6u, 15u, 8u, 15u, 3u, 6u, 6u, 8u,
    15u, 3u, 15u, 15u, 15u, 15u, 15u, 15u, 15u, 15u, 15u, 15u, 3u, 15u, 15u, 8u
TT_BC7_ARRAY_END

/* Interpolation weights of 2-, 3- and 4-bit indices: texel = ((64 - w) e0 + w e1 + 32) >> 6. */
TT_BC7_ARRAY(uint8_t, uint, tt_bc7_weights2, 4)
    0u, 21u, 43u, 64u
TT_BC7_ARRAY_END
TT_BC7_ARRAY(uint8_t, uint, tt_bc7_weights3, 8)
    0u, 9u, 18u, 27u, 37u, 46u, 55u, 64u
TT_BC7_ARRAY_END
TT_BC7_ARRAY(uint8_t, uint, tt_bc7_weights4, 16)
    0u, 4u, 9u, 13u, 17u, 21u, 26u, 30u, 34u, 38u, 43u, 47u, 51u, 55u, 60u, 64u
TT_BC7_ARRAY_END
/* The same weights without a table lookup (the encoder's inner loops; test_bc7_modes checks every k):
 * (64k + 1) / 3 == 43k >> 1 (k < 4), (64k + 3) / 7 == 37k >> 2 (k < 8), (64k + 7) / 15 == (17k + 2) >> 2. */
#define TT_BC7_WEIGHT2(k) ((43 * (k)) >> 1)
#define TT_BC7_WEIGHT3(k) ((37 * (k)) >> 2)
#define TT_BC7_WEIGHT4(k) ((17 * (k) + 2) >> 2)

/* 16-bit mask of the texels of subset `s` (1 or 2) in a partition word: bit i set if texel i is in it. */
TT_BC7_INLINE TT_BC7_U32 tt_bc7_subset_mask(TT_BC7_U32 part, TT_BC7_U32 s)
{
    TT_BC7_U32 x = (s == 1u ? (part & ~(part >> 1u)) : ((part >> 1u) & ~part)) & 0x55555555u;
    x = (x | (x >> 1u)) & 0x33333333u;
    x = (x | (x >> 2u)) & 0x0F0F0F0Fu;
    x = (x | (x >> 4u)) & 0x00FF00FFu;
    x = (x | (x >> 8u)) & 0x0000FFFFu;
    return x;
}

/* The mode table: X(mode, subsets, partition bits, rotation bits, index-selection bits, colour bits, alpha bits,
 * p-bits per endpoint, shared p-bits per subset, index bits, secondary index bits). Fields in block order after
 * the mode's unary prefix: partition, rotation, index selection, colour endpoints (R of every endpoint, then G,
 * B), alpha endpoints, p-bits, primary indices, secondary indices. */
#define TT_BC7_MODE_TABLE(X)              \
    X(0, 3, 4, 0, 0, 4, 0, 1, 0, 3, 0)    \
    X(1, 2, 6, 0, 0, 6, 0, 0, 1, 3, 0)    \
    X(2, 3, 6, 0, 0, 5, 0, 0, 0, 2, 0)    \
    X(3, 2, 6, 0, 0, 7, 0, 1, 0, 2, 0)    \
    X(4, 1, 0, 2, 1, 5, 6, 0, 0, 2, 3)    \
    X(5, 1, 0, 2, 0, 7, 8, 0, 0, 2, 2)    \
    X(6, 1, 0, 0, 0, 7, 7, 1, 0, 4, 0)    \
    X(7, 2, 6, 0, 0, 5, 5, 1, 0, 2, 0)

#ifdef GL_core_profile
struct tt_bc7_mode_info {
    int subsets, part_bits, rot_bits, isel_bits, color_bits, alpha_bits, pbit_unique, pbit_shared, index_bits,
        index2_bits;
};
/* Each mode's descriptor as one word, picked by a chain of scalar selects rather than from an indexed const
 * array (a dynamic index into a const array can make a compiler copy the array into per-thread memory) or a
 * chain of struct selects (which glslang lowers to branches); with a constant mode it all folds to constants. */
#define TT_BC7_MODE_WORD(m, ns, pb, rb, isb, cb, ab, epb, spb, ib, ib2)                                           \
    mode == m ? uint(ns | pb << 2 | rb << 5 | isb << 7 | cb << 8 | ab << 12 | epb << 16 | spb << 17 | ib << 18 | \
                     ib2 << 21) :
tt_bc7_mode_info tt_bc7_mode(int mode)
{
    uint w = TT_BC7_MODE_TABLE(TT_BC7_MODE_WORD) 0u;
    return tt_bc7_mode_info(int(w & 3u), int((w >> 2) & 7u), int((w >> 5) & 3u), int((w >> 7) & 1u),
                            int((w >> 8) & 15u), int((w >> 12) & 15u), int((w >> 16) & 1u), int((w >> 17) & 1u),
                            int((w >> 18) & 7u), int((w >> 21) & 3u));
}
#else
typedef struct {
    uint8_t subsets, part_bits, rot_bits, isel_bits, color_bits, alpha_bits;
    uint8_t pbit_unique, pbit_shared, index_bits, index2_bits;
} tt_bc7_mode_info;
#define TT_BC7_MODE_INIT(m, ns, pb, rb, isb, cb, ab, epb, spb, ib, ib2) {ns, pb, rb, isb, cb, ab, epb, spb, ib, ib2},
static const tt_bc7_mode_info tt_bc7_modes[8] TT_BC7_UNUSED = {TT_BC7_MODE_TABLE(TT_BC7_MODE_INIT)};
/* Descriptor of mode 0..7. */
static inline const tt_bc7_mode_info *tt_bc7_mode(int mode) { return &tt_bc7_modes[mode]; }
#endif

#endif
