/* tt_abi.h - one spelling of the C/GLSL contracts (push constants, specialization-constant ids) for both languages. */
#ifndef TT_ABI_H
#define TT_ABI_H
/* A contract header (shaders/<area>_abi.h) includes this file and declares its push-constant block once:
 *
 *   TT_PUSH_BEGIN(tt_example_push)
 *       TT_U32(width) TT_U32(height) TT_F32(scale)
 *   TT_PUSH_END(tt_example_push, 12)
 *
 * C sees `typedef struct { uint32_t width; uint32_t height; float scale; } tt_example_push;` with a
 * _Static_assert on its size; GLSL sees the std430 push_constant block `pc` with the same members. Only
 * 4-byte scalars are used, so the two layouts agree member for member without padding rules. Specialization
 * constant ids are plain #defines, used in GLSL as layout(constant_id = ID) and in C as array indices. */
#ifdef GL_core_profile
#define TT_U32(name) uint name;
#define TT_I32(name) int name;
#define TT_F32(name) float name;
#define TT_PUSH_BEGIN(type) layout(push_constant, std430) uniform type##_block {
#define TT_PUSH_END(type, bytes) } pc;
#else
#include <stdint.h>
#define TT_U32(name) uint32_t name;
#define TT_I32(name) int32_t name;
#define TT_F32(name) float name;
#define TT_PUSH_BEGIN(type) typedef struct {
#define TT_PUSH_END(type, bytes) } type; _Static_assert(sizeof(type) == (bytes), #type " size");
#endif
#endif
