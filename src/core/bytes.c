/* bytes.c - the growable byte buffer of tt_bytes.h. */
#include <stdlib.h>
#include <string.h>

#include "core/tt_bytes.h"

void tt_bytes_put(tt_bytes *b, const void *src, size_t n)
{
    if (b->failed || n == 0) return;
    if (n > SIZE_MAX - b->size) {
        b->failed = 1;
        return;
    }
    size_t need = b->size + n;
    if (need > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
        uint8_t *p = realloc(b->data, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->size, src, n);
    b->size = need;
}

void tt_bytes_stb_append(void *ctx, void *data, int size)
{
    if (size > 0) tt_bytes_put(ctx, data, (size_t)size);
}

void tt_bytes_put_le32(tt_bytes *b, uint32_t v)
{
    uint8_t le[4];
    tt_put_le32(le, v);
    tt_bytes_put(b, le, 4);
}
