/* tt_bytes.h - a growable byte buffer for in-memory encoders (stb_image_write callbacks, file sections). */
#ifndef TT_BYTES_H
#define TT_BYTES_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t *data;      /* malloc'ed; free() it */
    size_t size, cap;
    int failed;         /* an allocation failed: later appends are ignored, check it once at the end */
} tt_bytes;

void tt_bytes_put(tt_bytes *b, const void *src, size_t n);
/* stbi_write_*_to_func callback appending to the tt_bytes at ctx. */
void tt_bytes_stb_append(void *ctx, void *data, int size);

#endif
