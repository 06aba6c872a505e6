/* tt_shaders.h - lookup of the SPIR-V modules embedded at build time. */
#ifndef TT_SHADERS_H
#define TT_SHADERS_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *name;       /* file name of shaders/NAME.comp without extension */
    const uint32_t *code;
    size_t size;            /* bytes */
} tt_shader_blob;

/* NULL if no shader of that name was compiled in. */
const tt_shader_blob *tt_shader_find(const char *name);
#endif
