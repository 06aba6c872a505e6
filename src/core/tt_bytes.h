/* tt_bytes.h - byte-level helpers shared by every file format: little-endian fields and a growable byte buffer. */
#ifndef TT_BYTES_H
#define TT_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Little-endian fields, independent of the host's byte order. */
static inline uint16_t tt_get_le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t tt_get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t tt_get_le64(const uint8_t *p) { return tt_get_le32(p) | (uint64_t)tt_get_le32(p + 4) << 32; }
static inline float tt_get_lef32(const uint8_t *p)
{
    uint32_t v = tt_get_le32(p);
    float f;
    memcpy(&f, &v, 4);
    return f;
}
/* Big-endian, for the formats that use it (PNG chunk lengths). */
static inline uint32_t tt_get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}
/* A four-character code as a little-endian u32 ("DDS ", chunk types of .tnx). */
#define TT_FOURCC(a, b, c, d) ((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) | ((uint32_t)(d) << 24))

static inline void tt_put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void tt_put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline void tt_put_le64(uint8_t *p, uint64_t v)
{
    tt_put_le32(p, (uint32_t)v);
    tt_put_le32(p + 4, (uint32_t)(v >> 32));
}
static inline void tt_put_lef32(uint8_t *p, float f)
{
    uint32_t v;
    memcpy(&v, &f, 4);
    tt_put_le32(p, v);
}

/* The growable byte buffer every in-memory writer uses. */
typedef struct {
    uint8_t *data;      /* malloc'ed; free() it */
    size_t size, cap;
    int failed;         /* an allocation failed: later appends are ignored, check it once at the end */
} tt_bytes;

void tt_bytes_put(tt_bytes *b, const void *src, size_t n);
/* Appends v little-endian. */
void tt_bytes_put_le32(tt_bytes *b, uint32_t v);
/* stbi_write_*_to_func callback appending to the tt_bytes at ctx. */
void tt_bytes_stb_append(void *ctx, void *data, int size);

#endif
