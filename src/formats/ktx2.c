/* ktx2.c - BC7 in KTX 2.0: writer (header, index, DFD, KTXwriter metadata) and a hostile-input-safe reader. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/tt_bytes.h"
#include "formats/tt_formats.h"

/* KTX 2.0 specification, "File Structure": 12-byte identifier, nine UInt32
 * header fields, the index (4 x UInt32, 2 x UInt64), then one level index
 * entry of 3 x UInt64 per level. */
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

/* Khronos Data Format Specification 1.3, basic descriptor block. */
#define KHR_DF_VENDORID_KHRONOS 0u
#define KHR_DF_KHR_DESCRIPTORTYPE_BASICFORMAT 0u
#define KHR_DF_VERSIONNUMBER_1_3 2u
#define KHR_DF_MODEL_BC7 134u
#define KHR_DF_PRIMARIES_BT709 1u
#define KHR_DF_TRANSFER_LINEAR 1u
#define KHR_DF_TRANSFER_SRGB 2u
#define KHR_DF_FLAG_ALPHA_STRAIGHT 0u
#define KHR_DF_CHANNEL_BC7_COLOR 0u
#define DFD_BASIC_BLOCK_SIZE(samples) (24u + 16u * (samples))
#define DFD_TOTAL_SIZE (4u + DFD_BASIC_BLOCK_SIZE(1)) /* 44 */

#define BC7_BLOCK_BYTES 16u
#define LEVEL_ALIGNMENT 16u /* lcm(texel block size 16, 4) */

static const char ktx2_writer_key[] = "KTXwriter";
static const char ktx2_writer_value[] = "tinytex " TT_VERSION_STRING;

static size_t align_up(size_t v, size_t a)
{
    return (v + a - 1) / a * a;
}

tt_status tt_ktx2_write_memory(const tt_texture *t, uint8_t **out, size_t *out_size)
{
    if (!out || !out_size) return tt_fail(TT_ERR_INVALID_ARG, "tt_ktx2_write_memory: no output");
    *out = NULL;
    *out_size = 0;
    size_t data_size;
    tt_status s = tt_texture_check_write(t, "tt_ktx2_write_memory", "KTX2 output", &data_size);
    if (s != TT_OK) return s;

    const size_t dfd_offset = KTX2_OFF_LEVEL_INDEX + KTX2_LEVEL_ENTRY_SIZE; /* one level */
    const size_t kvd_offset = dfd_offset + DFD_TOTAL_SIZE;                 /* 4-aligned */
    const size_t kv_len = sizeof ktx2_writer_key + sizeof ktx2_writer_value; /* both NULs */
    const size_t kvd_length = 4 + align_up(kv_len, 4);
    const size_t level_offset = align_up(kvd_offset + kvd_length, LEVEL_ALIGNMENT);
    if (data_size > SIZE_MAX - level_offset) return tt_fail(TT_ERR_LIMIT, "KTX2 output: too large");
    const size_t total = level_offset + data_size;

    uint8_t *f = calloc(1, total);
    if (!f) return tt_fail(TT_ERR_NOMEM, "KTX2 output: cannot allocate %zu bytes", total);
    memcpy(f, ktx2_identifier, sizeof ktx2_identifier);
    tt_put_le32(f + KTX2_OFF_VKFORMAT, t->srgb ? VK_FORMAT_BC7_SRGB_BLOCK : VK_FORMAT_BC7_UNORM_BLOCK);
    tt_put_le32(f + KTX2_OFF_TYPESIZE, 1);
    tt_put_le32(f + KTX2_OFF_WIDTH, t->width);
    tt_put_le32(f + KTX2_OFF_HEIGHT, t->height);
    tt_put_le32(f + KTX2_OFF_DEPTH, 0);
    tt_put_le32(f + KTX2_OFF_LAYERS, 0);
    tt_put_le32(f + KTX2_OFF_FACES, 1);
    tt_put_le32(f + KTX2_OFF_LEVELS, 1);
    tt_put_le32(f + KTX2_OFF_SUPERCOMP, 0);
    tt_put_le32(f + KTX2_OFF_DFD_OFFSET, (uint32_t)dfd_offset);
    tt_put_le32(f + KTX2_OFF_DFD_LENGTH, DFD_TOTAL_SIZE);
    tt_put_le32(f + KTX2_OFF_KVD_OFFSET, (uint32_t)kvd_offset);
    tt_put_le32(f + KTX2_OFF_KVD_LENGTH, (uint32_t)kvd_length);
    tt_put_le64(f + KTX2_OFF_SGD_OFFSET, 0);
    tt_put_le64(f + KTX2_OFF_SGD_LENGTH, 0);
    tt_put_le64(f + KTX2_OFF_LEVEL_INDEX + 0, level_offset);
    tt_put_le64(f + KTX2_OFF_LEVEL_INDEX + 8, data_size);
    tt_put_le64(f + KTX2_OFF_LEVEL_INDEX + 16, data_size); /* uncompressed = stored (no supercompression) */

    uint8_t *d = f + dfd_offset;
    tt_put_le32(d + 0, DFD_TOTAL_SIZE);
    tt_put_le32(d + 4, KHR_DF_VENDORID_KHRONOS | (KHR_DF_KHR_DESCRIPTORTYPE_BASICFORMAT << 17));
    tt_put_le32(d + 8, KHR_DF_VERSIONNUMBER_1_3 | (DFD_BASIC_BLOCK_SIZE(1) << 16));
    tt_put_le32(d + 12, KHR_DF_MODEL_BC7 | (KHR_DF_PRIMARIES_BT709 << 8) |
                     ((t->srgb ? KHR_DF_TRANSFER_SRGB : KHR_DF_TRANSFER_LINEAR) << 16) |
                     (KHR_DF_FLAG_ALPHA_STRAIGHT << 24));
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
    tt_put_le32(kv, (uint32_t)kv_len);
    memcpy(kv + 4, ktx2_writer_key, sizeof ktx2_writer_key);
    memcpy(kv + 4 + sizeof ktx2_writer_key, ktx2_writer_value, sizeof ktx2_writer_value);
    /* valuePadding and mipPadding are already zero (calloc). */

    memcpy(f + level_offset, t->data, data_size);
    *out = f;
    *out_size = total;
    return TT_OK;
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

/* Clears the partly filled texture and records the failure. */
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
    memset(out, 0, sizeof *out);
    return tt_fail(s, "%s", msg);
}

/* 1 if [offset, offset+length) lies inside a file of `size` bytes. */
static int range_ok(uint64_t offset, uint64_t length, size_t size)
{
    return offset <= (uint64_t)size && length <= (uint64_t)size - offset;
}

tt_status tt_ktx2_parse(const uint8_t *data, size_t avail, size_t size, const char *name, tt_texture *out,
                        size_t *need)
{
    if (need) *need = 0;
    if (!out) return tt_fail(TT_ERR_INVALID_ARG, "tt_ktx2_parse: no output");
    memset(out, 0, sizeof *out);
    if (!name) name = "<memory>";
    if (!data && avail) return tt_fail(TT_ERR_INVALID_ARG, "%s: no data", name);
    /* `size` is the whole file's; the header and level index must be among
     * the `avail` bytes. */
    const size_t index_end = KTX2_OFF_LEVEL_INDEX + (size_t)KTX2_MAX_LEVELS * KTX2_LEVEL_ENTRY_SIZE;
    if (avail > size || avail < (size < index_end ? size : index_end))
        return tt_fail(TT_ERR_INVALID_ARG, "%s: tt_ktx2_parse needs the first %zu bytes (has %zu of %zu)", name,
                       index_end, avail, size);

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
    if (scheme != 0)
        return tt_fail(TT_ERR_UNSUPPORTED, "%s: KTX2 supercompression scheme %u (%s) is not supported",
                       name, scheme, supercompression_name(scheme));
    if (tt_get_le32(data + KTX2_OFF_TYPESIZE) != 1)
        return tt_fail(TT_ERR_FORMAT, "%s: KTX2 typeSize is %u, must be 1 for BC7", name,
                       tt_get_le32(data + KTX2_OFF_TYPESIZE));

    uint32_t width = tt_get_le32(data + KTX2_OFF_WIDTH), height = tt_get_le32(data + KTX2_OFF_HEIGHT);
    uint32_t depth = tt_get_le32(data + KTX2_OFF_DEPTH), faces = tt_get_le32(data + KTX2_OFF_FACES);
    uint32_t levels = tt_get_le32(data + KTX2_OFF_LEVELS);
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
    uint32_t num_levels = levels ? levels : 1;
    if ((size_t)KTX2_OFF_LEVEL_INDEX + (size_t)num_levels * KTX2_LEVEL_ENTRY_SIZE > size)
        return tt_fail(TT_ERR_FORMAT, "%s: KTX2 file truncated in its level index", name);

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
    uint64_t level_offset = tt_get_le64(data + KTX2_OFF_LEVEL_INDEX);
    uint64_t level_length = tt_get_le64(data + KTX2_OFF_LEVEL_INDEX + 8);
    if (!range_ok(level_offset, level_length, size))
        return tt_fail(TT_ERR_FORMAT, "%s: KTX2 level 0 (%llu bytes at %llu) lies outside the file (%zu bytes)",
                       name, (unsigned long long)level_length, (unsigned long long)level_offset, size);
    if (level_length < level_size)
        return tt_fail(TT_ERR_FORMAT, "%s: KTX2 level 0 holds %llu bytes, %ux%u BC7 needs %zu", name,
                       (unsigned long long)level_length, width, height, level_size);

    out->width = width;
    out->height = height;
    out->srgb = vk_format == VK_FORMAT_BC7_SRGB_BLOCK;
    /* Header-first loading: everything read below lies in [0, end). */
    uint64_t end = level_offset + level_size;
    if (dfd_length > 0 && (uint64_t)dfd_offset + dfd_length > end) end = (uint64_t)dfd_offset + dfd_length;
    if (end > avail) {
        if (!need) return tt_fail(TT_ERR_INVALID_ARG, "%s: tt_ktx2_parse: level data not in memory", name);
        *need = (size_t)end; /* <= size: every range was checked against it */
        return TT_OK;
    }
    if (dfd_length > 0) {
        /* The DFD restates the format; a BC7 vkFormat with a descriptor of
         * another colour model is contradictory, so refuse it. */
        if (dfd_length < DFD_TOTAL_SIZE || tt_get_le32(data + dfd_offset) != dfd_length)
            return ktx2_refuse(out, TT_ERR_FORMAT, "%s: KTX2 data format descriptor is malformed", name);
        const uint8_t *blk = data + dfd_offset + 4;
        uint32_t vendor_type = tt_get_le32(blk);
        uint32_t model = tt_get_le32(blk + 8) & 0xFFu;
        if ((vendor_type & 0x1FFFFu) == KHR_DF_VENDORID_KHRONOS &&
            (vendor_type >> 17) == KHR_DF_KHR_DESCRIPTORTYPE_BASICFORMAT && model != KHR_DF_MODEL_BC7)
            return ktx2_refuse(out, TT_ERR_FORMAT,
                               "%s: KTX2 descriptor colour model %u contradicts the BC7 VkFormat", name, model);
    }

    out->data = malloc(level_size);
    if (!out->data) return ktx2_refuse(out, TT_ERR_NOMEM, "%s: cannot allocate %zu bytes", name, level_size);
    /* Layers and faces of level 0 follow one another; the first is first. */
    memcpy(out->data, data + level_offset, level_size);
    out->data_size = level_size;
    tt_texture_set_one_level(out);
    return TT_OK;
}

tt_status tt_ktx2_read_memory(const uint8_t *data, size_t size, const char *name, tt_texture *out)
{
    return tt_ktx2_parse(data, size, size, name, out, NULL);
}
