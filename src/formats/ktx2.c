/* ktx2.c - BC7 in KTX 2.0: writer (header, level index, DFD, KTXwriter metadata, mip levels smallest first, optional Zstandard supercompression) and a hostile-input-safe reader. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "core/tt_bytes.h"
#include "formats/tt_formats.h"

/* KTX 2.0 specification, "File Structure": 12-byte identifier, nine UInt32
 * header fields, the index (4 x UInt32, 2 x UInt64), then one level index
 * entry of 3 x UInt64 (byteOffset, byteLength, uncompressedByteLength) per
 * level, level 0 (the largest) first. */
static const uint8_t ktx2_identifier[12] = {0xAB, 0x4B, 0x54, 0x58, 0x20, 0x32,
                                            0x30, 0xBB, 0x0D, 0x0A, 0x1A, 0x0A};
#define KTX2_OFF_VKFORMAT 12
#define KTX2_OFF_TYPESIZE 16
#define KTX2_OFF_WIDTH 20
#define KTX2_OFF_HEIGHT 24
#define KTX2_OFF_DEPTH 28
#define KTX2_OFF_LAYERS 32
#define KTX2_OFF_FACES 36
#define KTX2_OFF_LEVELS 40
#define KTX2_OFF_SUPERCOMP 44
#define KTX2_OFF_DFD_OFFSET 48
#define KTX2_OFF_DFD_LENGTH 52
#define KTX2_OFF_KVD_OFFSET 56
#define KTX2_OFF_KVD_LENGTH 60
#define KTX2_OFF_SGD_OFFSET 64
#define KTX2_OFF_SGD_LENGTH 72
#define KTX2_OFF_LEVEL_INDEX 80
#define KTX2_LEVEL_ENTRY_SIZE 24
#define KTX2_MAX_LEVELS 32 /* 2^31 x 2^31 would need 32; 65536 needs 17 */

#define VK_FORMAT_BC7_UNORM_BLOCK 145u
#define VK_FORMAT_BC7_SRGB_BLOCK 146u

/* "supercompressionScheme": 0 none, 1 BasisLZ, 2 Zstandard, 3 ZLIB. */
#define KTX2_SUPERCOMPRESSION_NONE 0u
#define KTX2_SUPERCOMPRESSION_ZSTD 2u

/* Khronos Data Format Specification 1.3, basic descriptor block. */
#define KHR_DF_VENDORID_KHRONOS 0u
#define KHR_DF_KHR_DESCRIPTORTYPE_BASICFORMAT 0u
#define KHR_DF_VERSIONNUMBER_1_3 2u
#define KHR_DF_MODEL_BC7 134u
#define KHR_DF_PRIMARIES_BT709 1u
#define KHR_DF_TRANSFER_LINEAR 1u
#define KHR_DF_TRANSFER_SRGB 2u
#define KHR_DF_FLAG_ALPHA_STRAIGHT 0u
#define KHR_DF_FLAG_ALPHA_PREMULTIPLIED 1u
#define KHR_DF_CHANNEL_BC7_COLOR 0u
#define DFD_BASIC_BLOCK_SIZE(samples) (24u + 16u * (samples))
#define DFD_TOTAL_SIZE (4u + DFD_BASIC_BLOCK_SIZE(1)) /* 44 */

#define BC7_BLOCK_BYTES 16u
/* "mipPadding": levels are aligned to lcm(texel block size 16, 4) = 16 without supercompression; supercompressed
 * levels need no alignment (1). */
#define LEVEL_ALIGNMENT 16u

/* RFC 8878: a Zstandard block inflates to at most Block_Maximum_Size = 128 KiB and takes at least 4 bytes (3 of
 * header, 1 of RLE content), so a frame of n bytes never inflates to more than n * 32768. */
#define ZSTD_MAX_INFLATION 32768u

static const char ktx2_writer_key[] = "KTXwriter";
static const char ktx2_writer_value[] = "tinytex " TT_VERSION_STRING;
static const char ktx2_sc_params_key[] = "KTXwriterScParams";

static size_t align_up(size_t v, size_t a)
{
    return (v + a - 1) / a * a;
}

/* Appends one key/value pair at `kv` (keyAndValueByteLength, key NUL, value NUL, valuePadding to 4); returns the
 * bytes used, or only counts them when kv is NULL. */
static size_t put_kv(uint8_t *kv, const char *key, const char *value)
{
    size_t klen = strlen(key) + 1, vlen = strlen(value) + 1;
    if (kv) {
        tt_put_le32(kv, (uint32_t)(klen + vlen));
        memcpy(kv + 4, key, klen);
        memcpy(kv + 4 + klen, value, vlen);
    }
    return 4 + align_up(klen + vlen, 4);
}

tt_status tt_ktx2_write_memory_zstd(const tt_texture *t, int zstd_level, uint8_t **out, size_t *out_size)
{
    if (!out || !out_size) return tt_fail(TT_ERR_INVALID_ARG, "tt_ktx2_write_memory: no output");
    *out = NULL;
    *out_size = 0;
    if (zstd_level < 0 || zstd_level > TT_ZSTD_LEVEL_MAX)
        return tt_fail(TT_ERR_INVALID_ARG, "KTX2 output: zstd level %d is invalid (1..%d, 0 = none)", zstd_level,
                       TT_ZSTD_LEVEL_MAX);
    size_t data_size;
    tt_status s = tt_texture_check_write(t, "tt_ktx2_write_memory", "KTX2 output", &data_size);
    if (s != TT_OK) return s;
    const uint32_t count = t->level_count;
    const int zstd = zstd_level != 0;

    char sc_params[32];
    snprintf(sc_params, sizeof sc_params, "--zstd %d", zstd_level);
    const size_t dfd_offset = KTX2_OFF_LEVEL_INDEX + (size_t)count * KTX2_LEVEL_ENTRY_SIZE;
    const size_t kvd_offset = dfd_offset + DFD_TOTAL_SIZE; /* 4-aligned */
    /* Keys sorted by code point, as the spec requires: "KTXwriter" < "KTXwriterScParams". */
    const size_t kvd_length = put_kv(NULL, ktx2_writer_key, ktx2_writer_value) +
                              (zstd ? put_kv(NULL, ktx2_sc_params_key, sc_params) : 0);
    const size_t meta_end = kvd_offset + kvd_length;
    const size_t align = zstd ? 1 : LEVEL_ALIGNMENT;

    /* Room for the levels: their own bytes, or Zstandard's bound on a frame of them, each after its padding. */
    size_t capacity = meta_end;
    for (uint32_t i = 0; i < count; i++) {
        size_t room = zstd ? ZSTD_compressBound(t->levels[i].size) : t->levels[i].size;
        if (room == 0 || room > SIZE_MAX - align || capacity > SIZE_MAX - align - room)
            return tt_fail(TT_ERR_LIMIT, "KTX2 output: too large");
        capacity += room + align - 1;
    }
    uint8_t *f = calloc(1, capacity);
    if (!f) return tt_fail(TT_ERR_NOMEM, "KTX2 output: cannot allocate %zu bytes", capacity);
    ZSTD_CCtx *cctx = NULL;
    if (zstd) {
        cctx = ZSTD_createCCtx();
        size_t r = cctx ? ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, zstd_level) : 0;
        /* A checksum per frame, which the spec asks inflators to verify, so a damaged level is refused rather
         * than decoded into wrong blocks. */
        if (cctx && !ZSTD_isError(r)) r = ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
        if (!cctx || ZSTD_isError(r)) {
            s = tt_fail(TT_ERR_NOMEM, "KTX2 output: cannot set up the Zstandard compressor%s%s",
                        cctx ? ": " : "", cctx ? ZSTD_getErrorName(r) : "");
            goto fail;
        }
    }

    memcpy(f, ktx2_identifier, sizeof ktx2_identifier);
    tt_put_le32(f + KTX2_OFF_VKFORMAT, t->srgb ? VK_FORMAT_BC7_SRGB_BLOCK : VK_FORMAT_BC7_UNORM_BLOCK);
    tt_put_le32(f + KTX2_OFF_TYPESIZE, 1);
    tt_put_le32(f + KTX2_OFF_WIDTH, t->width);
    tt_put_le32(f + KTX2_OFF_HEIGHT, t->height);
    tt_put_le32(f + KTX2_OFF_DEPTH, 0);
    tt_put_le32(f + KTX2_OFF_LAYERS, 0);
    tt_put_le32(f + KTX2_OFF_FACES, 1);
    tt_put_le32(f + KTX2_OFF_LEVELS, count);
    tt_put_le32(f + KTX2_OFF_SUPERCOMP, zstd ? KTX2_SUPERCOMPRESSION_ZSTD : KTX2_SUPERCOMPRESSION_NONE);
    tt_put_le32(f + KTX2_OFF_DFD_OFFSET, (uint32_t)dfd_offset);
    tt_put_le32(f + KTX2_OFF_DFD_LENGTH, DFD_TOTAL_SIZE);
    tt_put_le32(f + KTX2_OFF_KVD_OFFSET, (uint32_t)kvd_offset);
    tt_put_le32(f + KTX2_OFF_KVD_LENGTH, (uint32_t)kvd_length);
    tt_put_le64(f + KTX2_OFF_SGD_OFFSET, 0); /* Zstandard has no global data */
    tt_put_le64(f + KTX2_OFF_SGD_LENGTH, 0);

    /* The DFD describes the blocks before supercompression ("DFD for Supercompressed Data": bytesPlane0 stays 16).
     * Premultiplied colour is the flag KHR_DF_FLAG_ALPHA_PREMULTIPLIED ("Providing additional information"). */
    uint8_t *d = f + dfd_offset;
    tt_put_le32(d + 0, DFD_TOTAL_SIZE);
    tt_put_le32(d + 4, KHR_DF_VENDORID_KHRONOS | (KHR_DF_KHR_DESCRIPTORTYPE_BASICFORMAT << 17));
    tt_put_le32(d + 8, KHR_DF_VERSIONNUMBER_1_3 | (DFD_BASIC_BLOCK_SIZE(1) << 16));
    tt_put_le32(d + 12, KHR_DF_MODEL_BC7 | (KHR_DF_PRIMARIES_BT709 << 8) |
                     ((t->srgb ? KHR_DF_TRANSFER_SRGB : KHR_DF_TRANSFER_LINEAR) << 16) |
                     ((t->premultiplied ? KHR_DF_FLAG_ALPHA_PREMULTIPLIED : KHR_DF_FLAG_ALPHA_STRAIGHT) << 24));
    tt_put_le32(d + 16, 3u | (3u << 8));  /* texelBlockDimension0..3 = 4,4,1,1 minus one */
    tt_put_le32(d + 20, BC7_BLOCK_BYTES); /* bytesPlane0 = 16, planes 1..3 = 0 */
    tt_put_le32(d + 24, 0);               /* bytesPlane4..7 */
    /* The one sample covers the whole 128-bit block: bitOffset 0,
     * bitLength 128-1, channel BC7_COLOR, no qualifiers, position 0,
     * lower 0, upper UINT32_MAX (as libktx's dfdutils writes it). */
    tt_put_le32(d + 28, 0u | (127u << 16) | (KHR_DF_CHANNEL_BC7_COLOR << 24));
    tt_put_le32(d + 32, 0);
    tt_put_le32(d + 36, 0);
    tt_put_le32(d + 40, 0xFFFFFFFFu);

    uint8_t *kv = f + kvd_offset;
    kv += put_kv(kv, ktx2_writer_key, ktx2_writer_value);
    if (zstd) put_kv(kv, ktx2_sc_params_key, sc_params);
    /* valuePadding and mipPadding are already zero (calloc). */

    /* "Mip Level Array": the smallest level first, level 0 last; the level index still lists level 0 first. */
    size_t pos = meta_end;
    for (uint32_t i = count; i-- > 0;) {
        const tt_texture_level *l = &t->levels[i];
        pos = align_up(pos, align);
        size_t stored = l->size;
        if (zstd) {
            stored = ZSTD_compress2(cctx, f + pos, capacity - pos, t->data + l->offset, l->size);
            if (ZSTD_isError(stored)) {
                s = tt_fail(TT_ERR_NOMEM, "KTX2 output: Zstandard compression of level %u failed: %s", i,
                            ZSTD_getErrorName(stored));
                goto fail;
            }
        } else {
            memcpy(f + pos, t->data + l->offset, l->size);
        }
        uint8_t *e = f + KTX2_OFF_LEVEL_INDEX + (size_t)i * KTX2_LEVEL_ENTRY_SIZE;
        tt_put_le64(e + 0, pos);
        tt_put_le64(e + 8, stored);
        tt_put_le64(e + 16, l->size); /* uncompressedByteLength: the level's BC7 bytes */
        pos += stored;
    }
    ZSTD_freeCCtx(cctx);
    if (pos < capacity) { /* Zstandard used less than its bound */
        uint8_t *shrunk = realloc(f, pos);
        if (shrunk) f = shrunk;
    }
    *out = f;
    *out_size = pos;
    return TT_OK;

fail:
    ZSTD_freeCCtx(cctx);
    free(f);
    return s;
}

tt_status tt_ktx2_write_memory(const tt_texture *t, uint8_t **out, size_t *out_size)
{
    return tt_ktx2_write_memory_zstd(t, 0, out, out_size);
}

static const char *vk_format_name(uint32_t f)
{
    switch (f) {
    case 0: return "UNDEFINED, e.g. Basis Universal";
    case 37: return "R8G8B8A8_UNORM";
    case 43: return "R8G8B8A8_SRGB";
    case 97: return "R16G16B16A16_SFLOAT";
    case 109: return "R32G32B32A32_SFLOAT";
    case 131: return "BC1_RGB_UNORM";
    case 132: return "BC1_RGB_SRGB";
    case 133: return "BC1_RGBA_UNORM";
    case 134: return "BC1_RGBA_SRGB";
    case 135: return "BC2_UNORM";
    case 136: return "BC2_SRGB";
    case 137: return "BC3_UNORM";
    case 138: return "BC3_SRGB";
    case 139: return "BC4_UNORM";
    case 140: return "BC4_SNORM";
    case 141: return "BC5_UNORM";
    case 142: return "BC5_SNORM";
    case 143: return "BC6H_UFLOAT";
    case 144: return "BC6H_SFLOAT";
    case 147: return "ETC2_R8G8B8_UNORM";
    case 148: return "ETC2_R8G8B8_SRGB";
    case 157: return "ASTC_4x4_UNORM";
    case 158: return "ASTC_4x4_SRGB";
    default: return NULL;
    }
}

static const char *supercompression_name(uint32_t s)
{
    switch (s) {
    case 1: return "BasisLZ";
    case 2: return "Zstandard";
    case 3: return "ZLIB";
    default: return "unknown";
    }
}

/* Frees the partly filled texture and records the failure. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static tt_status ktx2_refuse(tt_texture *out, tt_status s, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    tt_texture_free(out);
    return tt_fail(s, "%s", msg);
}

/* 1 if [offset, offset+length) lies inside a file of `size` bytes. */
static int range_ok(uint64_t offset, uint64_t length, size_t size)
{
    return offset <= (uint64_t)size && length <= (uint64_t)size - offset;
}

/* 1 if two non-empty byte ranges (already inside the file, so no overflow) share a byte. */
static int ranges_overlap(uint64_t a, uint64_t a_len, uint64_t b, uint64_t b_len)
{
    return a_len && b_len && a < b + b_len && b < a + a_len;
}

/* 1 if the bytes start with a Zstandard skippable frame (magic 0x184D2A50..5F, RFC 8878 section 3.1.2). */
static int zstd_skippable(const uint8_t *p, uint64_t len)
{
    return len >= 4 && (tt_get_le32(p) & 0xFFFFFFF0u) == 0x184D2A50u;
}

typedef struct {
    uint64_t offset, length, uncompressed;
} ktx2_level;

tt_status tt_ktx2_parse(const uint8_t *data, size_t avail, size_t size, const char *name, tt_texture *out,
                        size_t *need)
{
    return tt_ktx2_parse_pick(data, avail, size, name, NULL, out, need, NULL);
}

tt_status tt_ktx2_parse_pick(const uint8_t *data, size_t avail, size_t size, const char *name,
                             const tt_texture_pick *pick, tt_texture *out, size_t *need, tt_texture_shape *shape)
{
    if (need) *need = 0;
    if (shape) memset(shape, 0, sizeof *shape);
    if (!out) return tt_fail(TT_ERR_INVALID_ARG, "tt_ktx2_parse: no output");
    memset(out, 0, sizeof *out);
    if (!name) name = "<memory>";
    if (!data && avail) return tt_fail(TT_ERR_INVALID_ARG, "%s: no data", name);
    /* `size` is the whole file's; the header and level index must be among
     * the `avail` bytes. */
    const size_t index_max = KTX2_OFF_LEVEL_INDEX + (size_t)KTX2_MAX_LEVELS * KTX2_LEVEL_ENTRY_SIZE;
    if (avail > size || avail < (size < index_max ? size : index_max))
        return tt_fail(TT_ERR_INVALID_ARG, "%s: tt_ktx2_parse needs the first %zu bytes (has %zu of %zu)", name,
                       index_max, avail, size);

    if (size < sizeof ktx2_identifier || memcmp(data, ktx2_identifier, sizeof ktx2_identifier) != 0)
        return tt_fail(TT_ERR_FORMAT, "%s: not a KTX2 file (bad identifier)", name);
    if (size < KTX2_OFF_LEVEL_INDEX + KTX2_LEVEL_ENTRY_SIZE)
        return tt_fail(TT_ERR_FORMAT, "%s: KTX2 file truncated in its header (%zu bytes)", name, size);

    uint32_t vk_format = tt_get_le32(data + KTX2_OFF_VKFORMAT);
    if (vk_format != VK_FORMAT_BC7_UNORM_BLOCK && vk_format != VK_FORMAT_BC7_SRGB_BLOCK) {
        const char *fmt = vk_format_name(vk_format);
        if (fmt)
            return tt_fail(TT_ERR_UNSUPPORTED, "%s: VkFormat %u (%s) is not BC7", name, vk_format, fmt);
        return tt_fail(TT_ERR_UNSUPPORTED, "%s: VkFormat %u is not BC7", name, vk_format);
    }
    uint32_t scheme = tt_get_le32(data + KTX2_OFF_SUPERCOMP);
    if (scheme != KTX2_SUPERCOMPRESSION_NONE && scheme != KTX2_SUPERCOMPRESSION_ZSTD)
        return tt_fail(TT_ERR_UNSUPPORTED,
                       "%s: KTX2 supercompression scheme %u (%s) is not supported (only none and Zstandard are)", name,
                       scheme, supercompression_name(scheme));
    const int zstd = scheme == KTX2_SUPERCOMPRESSION_ZSTD;
    if (tt_get_le32(data + KTX2_OFF_TYPESIZE) != 1)
        return tt_fail(TT_ERR_FORMAT, "%s: KTX2 typeSize is %u, must be 1 for BC7", name,
                       tt_get_le32(data + KTX2_OFF_TYPESIZE));

    uint32_t width = tt_get_le32(data + KTX2_OFF_WIDTH), height = tt_get_le32(data + KTX2_OFF_HEIGHT);
    uint32_t depth = tt_get_le32(data + KTX2_OFF_DEPTH), faces = tt_get_le32(data + KTX2_OFF_FACES);
    uint32_t layers = tt_get_le32(data + KTX2_OFF_LAYERS), levels = tt_get_le32(data + KTX2_OFF_LEVELS);
    size_t level_size;
    tt_status s = tt_bc7_header_size(width, height, name, "KTX2", &level_size);
    if (s != TT_OK) return s;
    if (depth != 0)
        return tt_fail(TT_ERR_UNSUPPORTED, "%s: KTX2 3D texture (depth %u); only 2D is supported", name,
                       depth);
    if (faces != 1 && faces != 6)
        return tt_fail(TT_ERR_FORMAT, "%s: KTX2 faceCount %u is invalid (1 or 6)", name, faces);
    if (levels > KTX2_MAX_LEVELS)
        return tt_fail(TT_ERR_FORMAT, "%s: KTX2 levelCount %u is invalid", name, levels);
    /* levelCount 0 ("generate the other levels at load") holds level 0 only. */
    const uint32_t num_levels = levels ? levels : 1;
    const size_t index_end = KTX2_OFF_LEVEL_INDEX + (size_t)num_levels * KTX2_LEVEL_ENTRY_SIZE;
    if (index_end > size)
        return tt_fail(TT_ERR_FORMAT, "%s: KTX2 file truncated in its level index (%u levels need %zu bytes, has %zu)",
                       name, num_levels, index_end, size);
    size_t sizes[TT_MAX_LEVELS], chain_size;
    s = tt_bc7_header_levels(width, height, num_levels, name, "KTX2 levelCount", sizes, &chain_size);
    if (s != TT_OK) return s;
    /* A level holds max(1, layerCount) x faceCount images, one after the other (layer by layer, the faces of
     * each in order); the one picked is read. */
    const tt_texture_shape sh = {num_levels, layers ? layers : 1, faces};
    if (shape) *shape = sh;
    const uint64_t images = (uint64_t)sh.layers * faces;
    if (zstd && images != 1)
        return tt_fail(TT_ERR_UNSUPPORTED,
                       "%s: KTX2 array or cube map with Zstandard supercompression (%llu images a level) is not "
                       "supported", name, (unsigned long long)images);

    uint32_t dfd_offset = tt_get_le32(data + KTX2_OFF_DFD_OFFSET), dfd_length = tt_get_le32(data + KTX2_OFF_DFD_LENGTH);
    uint32_t kvd_offset = tt_get_le32(data + KTX2_OFF_KVD_OFFSET), kvd_length = tt_get_le32(data + KTX2_OFF_KVD_LENGTH);
    uint64_t sgd_offset = tt_get_le64(data + KTX2_OFF_SGD_OFFSET), sgd_length = tt_get_le64(data + KTX2_OFF_SGD_LENGTH);
    if (!range_ok(dfd_offset, dfd_length, size))
        return tt_fail(TT_ERR_FORMAT, "%s: KTX2 data format descriptor (%u bytes at %u) lies outside the file",
                       name, dfd_length, dfd_offset);
    if (!range_ok(kvd_offset, kvd_length, size))
        return tt_fail(TT_ERR_FORMAT, "%s: KTX2 key/value data (%u bytes at %u) lies outside the file", name,
                       kvd_length, kvd_offset);
    if (!range_ok(sgd_offset, sgd_length, size))
        return tt_fail(TT_ERR_FORMAT, "%s: KTX2 supercompression data lies outside the file", name);
    /* The sections follow the level index ("File Structure"); one that starts inside it means the index is longer
     * than the file was written with, i.e. levelCount is wrong. */
    static const char *const section_names[3] = {"data format descriptor", "key/value data",
                                                 "supercompression data"};
    const uint64_t section_offset[3] = {dfd_offset, kvd_offset, sgd_offset};
    const uint64_t section_length[3] = {dfd_length, kvd_length, sgd_length};
    uint64_t meta_end = index_end;
    for (int k = 0; k < 3; k++) {
        if (section_length[k] == 0) continue;
        if (section_offset[k] < index_end)
            return tt_fail(TT_ERR_FORMAT, "%s: KTX2 %s at byte %llu lies inside the level index of %u levels (bytes "
                           "80..%zu): levelCount does not match the file", name, section_names[k],
                           (unsigned long long)section_offset[k], num_levels, index_end);
        if (section_offset[k] + section_length[k] > meta_end) meta_end = section_offset[k] + section_length[k];
    }

    /* Every level is checked, and its place found, before anything is allocated. */
    ktx2_level lv[TT_MAX_LEVELS];
    uint64_t end = 0;
    for (uint32_t p = 0; p < num_levels; p++) {
        const uint8_t *e = data + KTX2_OFF_LEVEL_INDEX + (size_t)p * KTX2_LEVEL_ENTRY_SIZE;
        ktx2_level *l = &lv[p];
        l->offset = tt_get_le64(e);
        l->length = tt_get_le64(e + 8);
        l->uncompressed = tt_get_le64(e + 16);
        uint32_t lw = width >> p ? width >> p : 1, lh = height >> p ? height >> p : 1;
        if (!range_ok(l->offset, l->length, size))
            return tt_fail(TT_ERR_FORMAT, "%s: KTX2 level %u (%llu bytes at %llu) lies outside the file (%zu bytes)",
                           name, p, (unsigned long long)l->length, (unsigned long long)l->offset, size);
        /* uncompressedByteLength covers every image of the level; sizes[p] <= 2^32 and images < 2^35. */
        if (images > UINT64_MAX / sizes[p] || l->uncompressed != sizes[p] * images)
            return tt_fail(TT_ERR_FORMAT,
                           "%s: KTX2 level %u uncompressedByteLength is %llu; %llu image(s) of %ux%u BC7 are %llu bytes",
                           name, p, (unsigned long long)l->uncompressed, (unsigned long long)images, lw, lh,
                           images > UINT64_MAX / sizes[p] ? 0ull : (unsigned long long)(sizes[p] * images));
        if (!zstd && l->length != l->uncompressed)
            return tt_fail(TT_ERR_FORMAT,
                           "%s: KTX2 level %u byteLength %llu differs from its uncompressedByteLength %llu (the file "
                           "is not supercompressed)", name, p, (unsigned long long)l->length,
                           (unsigned long long)l->uncompressed);
        if (zstd) {
            /* Never allocate for a level more than its frame can inflate to. */
            if (l->length == 0 || l->length > UINT64_MAX / ZSTD_MAX_INFLATION ||
                l->length * ZSTD_MAX_INFLATION < sizes[p])
                return tt_fail(TT_ERR_FORMAT,
                               "%s: KTX2 level %u: %llu bytes of Zstandard data cannot inflate to the %zu bytes of a "
                               "%ux%u level", name, p, (unsigned long long)l->length, sizes[p], lw, lh);
        }
        if (l->offset < meta_end)
            return tt_fail(TT_ERR_FORMAT,
                           "%s: KTX2 level %u (%llu bytes at %llu) overlaps the header, level index or metadata "
                           "(bytes 0..%llu)", name, p, (unsigned long long)l->length, (unsigned long long)l->offset,
                           (unsigned long long)meta_end);
        for (uint32_t q = 0; q < p; q++)
            if (ranges_overlap(l->offset, l->length, lv[q].offset, lv[q].length))
                return tt_fail(TT_ERR_FORMAT,
                               "%s: KTX2 levels %u (%llu bytes at %llu) and %u (%llu bytes at %llu) overlap", name, q,
                               (unsigned long long)lv[q].length, (unsigned long long)lv[q].offset, p,
                               (unsigned long long)l->length, (unsigned long long)l->offset);
        if (l->offset + l->length > end) end = l->offset + l->length;
    }

    /* Every image the header promises is in the file; now the one asked for. */
    uint64_t index;
    s = tt_texture_pick_check(&sh, pick, name, "KTX2", &index);
    if (s != TT_OK) return s;

    /* Header-first loading: everything read below lies in [0, end). */
    if (dfd_length > 0 && (uint64_t)dfd_offset + dfd_length > end) end = (uint64_t)dfd_offset + dfd_length;
    const int srgb = vk_format == VK_FORMAT_BC7_SRGB_BLOCK;
    if (end > avail) {
        if (!need) return tt_fail(TT_ERR_INVALID_ARG, "%s: tt_ktx2_parse: level data not in memory", name);
        out->width = width;
        out->height = height;
        out->srgb = srgb;
        *need = (size_t)end; /* <= size: every range was checked against it */
        return TT_OK;
    }
    int premultiplied = 0;
    if (dfd_length > 0) {
        /* The DFD restates the format; a BC7 vkFormat with a descriptor of
         * another colour model is contradictory, so refuse it. */
        if (dfd_length < DFD_TOTAL_SIZE || tt_get_le32(data + dfd_offset) != dfd_length)
            return tt_fail(TT_ERR_FORMAT, "%s: KTX2 data format descriptor is malformed", name);
        const uint8_t *blk = data + dfd_offset + 4;
        uint32_t vendor_type = tt_get_le32(blk);
        uint32_t model = tt_get_le32(blk + 8) & 0xFFu;
        if ((vendor_type & 0x1FFFFu) == KHR_DF_VENDORID_KHRONOS &&
            (vendor_type >> 17) == KHR_DF_KHR_DESCRIPTORTYPE_BASICFORMAT) {
            if (model != KHR_DF_MODEL_BC7)
                return tt_fail(TT_ERR_FORMAT, "%s: KTX2 descriptor colour model %u contradicts the BC7 VkFormat",
                               name, model);
            premultiplied = ((tt_get_le32(blk + 8) >> 24) & KHR_DF_FLAG_ALPHA_PREMULTIPLIED) != 0;
        }
    }
    if (zstd)
        for (uint32_t p = 0; p < num_levels; p++) {
            /* A frame that states its size must state the level's (checked before allocating); a skippable frame
             * first says nothing about the data. */
            const uint8_t *src = data + lv[p].offset;
            if (zstd_skippable(src, lv[p].length)) continue;
            unsigned long long content = ZSTD_getFrameContentSize(src, (size_t)lv[p].length);
            if (content == ZSTD_CONTENTSIZE_ERROR)
                return tt_fail(TT_ERR_FORMAT, "%s: KTX2 level %u is not a Zstandard frame", name, p);
            if (content != ZSTD_CONTENTSIZE_UNKNOWN && content != sizes[p])
                return tt_fail(TT_ERR_FORMAT, "%s: KTX2 level %u: its Zstandard frame holds %llu bytes, the level needs %zu",
                               name, p, content, sizes[p]);
        }

    s = tt_bc7_texture_alloc_levels(out, width, height, num_levels, srgb, name);
    if (s != TT_OK) return s;
    out->premultiplied = premultiplied;
    out->supercompression = scheme;
    if (!zstd) {
        /* Layers and faces of a level follow one another; uncompressedByteLength = images x sizes[p] was
         * checked, so the picked one lies inside the level. */
        for (uint32_t p = 0; p < num_levels; p++)
            memcpy(out->data + out->levels[p].offset, data + lv[p].offset + index * sizes[p], sizes[p]);
        return TT_OK;
    }
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    if (!dctx) return ktx2_refuse(out, TT_ERR_NOMEM, "%s: cannot allocate a Zstandard decompressor", name);
    for (uint32_t p = 0; p < num_levels; p++) {
        /* Inflates into the level's own bytes, never past them; a frame with more is an error. */
        size_t got = ZSTD_decompressDCtx(dctx, out->data + out->levels[p].offset, sizes[p], data + lv[p].offset,
                                         (size_t)lv[p].length);
        if (ZSTD_isError(got) || got != sizes[p]) {
            ZSTD_freeDCtx(dctx);
            if (ZSTD_isError(got))
                return ktx2_refuse(out, TT_ERR_FORMAT, "%s: KTX2 level %u: corrupt Zstandard data (%s)", name, p,
                                   ZSTD_getErrorName(got));
            return ktx2_refuse(out, TT_ERR_FORMAT, "%s: KTX2 level %u inflates to %zu bytes, the level is %zu", name,
                               p, got, sizes[p]);
        }
    }
    ZSTD_freeDCtx(dctx);
    return TT_OK;
}

tt_status tt_ktx2_read_memory(const uint8_t *data, size_t size, const char *name, tt_texture *out)
{
    return tt_ktx2_parse(data, size, size, name, out, NULL);
}
