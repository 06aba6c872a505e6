/* bc7_ref_avx2.c - the C encoder's block search (bc7_ref_block.c and the family files) compiled a second time for AVX2 CPUs; bc7_encode_ref.c picks the copy at run time. */
/* The same source text, included: only the instruction set differs (ramp_search's texel loop runs 8 lanes wide).
 * -ffp-contract=off (CMakeLists.txt, bc7_ref.h) keeps every float operation as written, so no FMA is formed and
 * both copies give the same blocks. The entry points are renamed before bc7_ref.h declares them. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(TT_BC7_NO_SIMD)
#ifdef __clang__
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#else
#pragma GCC target("avx2")
#endif
#define tt_bc7_ref_encode_block tt_bc7_ref_encode_block_avx2
#define tt_bc7_ref_encode_single tt_bc7_ref_encode_single_avx2
#define tt_bc7_ref_encode_multi tt_bc7_ref_encode_multi_avx2
#define tt_bc7_ref_encode_multi_below tt_bc7_ref_encode_multi_below_avx2
#define tt_bc7_ref_encode_dual tt_bc7_ref_encode_dual_avx2
#define tt_bc7_ref_encode_solid tt_bc7_ref_encode_solid_avx2
#define tt_bc7_trial_index tt_bc7_trial_index_avx2
#define tt_bc7_ref_finish_multi tt_bc7_ref_finish_multi_avx2
#define tt_bc7_ref_finish_single tt_bc7_ref_finish_single_avx2
#include "bc7_ref_block.c"
#include "bc7_ref_single.c"
#include "bc7_ref_multi.c"
#include "bc7_ref_dual.c"
#include "bc7_ref_solid.c"
#ifdef __clang__
#pragma clang attribute pop
#endif
#else
typedef int tt_bc7_ref_avx2_unused; /* a translation unit may not be empty */
#endif
