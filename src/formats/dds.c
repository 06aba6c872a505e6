/* dds.c - BC7 in DDS: writer (DDS_HEADER + DX10 extension) and a hostile-input-safe reader. */
#include <stdlib.h>
#include <string.h>

#include "core/tt_bytes.h"
#include "formats/tt_formats.h"

/* Layout (Microsoft "DDS file layout", DDS_HEADER, DDS_PIXELFORMAT,
 * DDS_HEADER_DXT10), offsets from the start of the file: */
#define DDS_MAGIC_SIZE 4
#define DDS_HEADER_SIZE 124      /* DDS_HEADER.dwSize */
#define DDS_PIXELFORMAT_SIZE 32  /* DDS_PIXELFORMAT.dwSize */
#define DDS_DX10_SIZE 20
#define DDS_DATA_OFFSET (DDS_MAGIC_SIZE + DDS_HEADER_SIZE + DDS_DX10_SIZE) /* 148 */

#define OFF_SIZE 4
#define OFF_FLAGS 8
#define OFF_HEIGHT 12
#define OFF_WIDTH 16
#define OFF_PITCH 20
#define OFF_DEPTH 24
#define OFF_MIPCOUNT 28
#define OFF_PF_SIZE 76
#define OFF_PF_FLAGS 80
#define OFF_PF_FOURCC 84
#define OFF_CAPS 108
#define OFF_CAPS2 112
#define OFF_DXGI 128
#define OFF_DIMENSION 132
#define OFF_MISC 136
#define OFF_ARRAY 140
#define OFF_MISC2 144

#define DDSD_CAPS 0x1u
#define DDSD_HEIGHT 0x2u
#define DDSD_WIDTH 0x4u
#define DDSD_PIXELFORMAT 0x1000u
#define DDSD_MIPMAPCOUNT 0x20000u
#define DDSD_LINEARSIZE 0x80000u
#define DDPF_FOURCC 0x4u
#define DDSCAPS_COMPLEX 0x8u
#define DDSCAPS_TEXTURE 0x1000u
#define DDSCAPS_MIPMAP 0x400000u
#define DDSCAPS2_CUBEMAP 0x200u
#define DDSCAPS2_VOLUME 0x200000u
#define DDS_RESOURCE_MISC_TEXTURECUBE 0x4u
#define FOURCC_DDS TT_FOURCC('D', 'D', 'S', ' ')
#define FOURCC_DX10 TT_FOURCC('D', 'X', '1', '0')
#define DDS_DIMENSION_TEXTURE1D 2u
#define DDS_DIMENSION_TEXTURE2D 3u
#define DDS_DIMENSION_TEXTURE3D 4u
/* DDS_HEADER_DXT10.miscFlags2: the alpha mode in its low 3 bits (DDS_MISC_FLAGS2_ALPHA_MODE_MASK). */
#define DDS_ALPHA_MODE_MASK 0x7u
#define DDS_ALPHA_MODE_UNKNOWN 0u
#define DDS_ALPHA_MODE_PREMULTIPLIED 2u

#define DXGI_FORMAT_BC7_TYPELESS 97u
#define DXGI_FORMAT_BC7_UNORM 98u
#define DXGI_FORMAT_BC7_UNORM_SRGB 99u

tt_status tt_dds_write_memory(const tt_texture *t, uint8_t **out, size_t *out_size)
{
    if (!out || !out_size) return tt_fail(TT_ERR_INVALID_ARG, "tt_dds_write_memory: no output");
    *out = NULL;
    *out_size = 0;
    size_t data_size;
    tt_status s = tt_texture_check_write(t, "tt_dds_write_memory", "DDS output", &data_size);
    if (s != TT_OK) return s;
    if (t->levels[0].size > UINT32_MAX)
        return tt_fail(TT_ERR_LIMIT, "DDS output: %zu bytes of level 0 do not fit the 32-bit linear size",
                       t->levels[0].size);
    if (data_size > SIZE_MAX - DDS_DATA_OFFSET)
        return tt_fail(TT_ERR_LIMIT, "DDS output: too large");

    size_t total = DDS_DATA_OFFSET + data_size;
    uint8_t *f = calloc(1, total);
    if (!f) return tt_fail(TT_ERR_NOMEM, "DDS output: cannot allocate %zu bytes", total);
    tt_put_le32(f + 0, FOURCC_DDS);
    tt_put_le32(f + OFF_SIZE, DDS_HEADER_SIZE);
    /* DirectXTex writes DDSD_MIPMAPCOUNT with a count of 1 for single-level
     * textures; LINEARSIZE because pitchOrLinearSize holds level 0's bytes. */
    tt_put_le32(f + OFF_FLAGS, DDSD_CAPS | DDSD_HEIGHT | DDSD_WIDTH | DDSD_PIXELFORMAT | DDSD_MIPMAPCOUNT |
                            DDSD_LINEARSIZE);
    tt_put_le32(f + OFF_HEIGHT, t->height);
    tt_put_le32(f + OFF_WIDTH, t->width);
    tt_put_le32(f + OFF_PITCH, (uint32_t)t->levels[0].size);
    tt_put_le32(f + OFF_DEPTH, 0);
    tt_put_le32(f + OFF_MIPCOUNT, t->level_count);
    tt_put_le32(f + OFF_PF_SIZE, DDS_PIXELFORMAT_SIZE);
    tt_put_le32(f + OFF_PF_FLAGS, DDPF_FOURCC);
    tt_put_le32(f + OFF_PF_FOURCC, FOURCC_DX10);
    /* DDS_HEADER.dwCaps: a mip chain is a "complex" surface with mipmaps. */
    tt_put_le32(f + OFF_CAPS, DDSCAPS_TEXTURE | (t->level_count > 1 ? DDSCAPS_COMPLEX | DDSCAPS_MIPMAP : 0));
    tt_put_le32(f + OFF_DXGI, t->srgb ? DXGI_FORMAT_BC7_UNORM_SRGB : DXGI_FORMAT_BC7_UNORM);
    tt_put_le32(f + OFF_DIMENSION, DDS_DIMENSION_TEXTURE2D);
    tt_put_le32(f + OFF_MISC, 0);
    tt_put_le32(f + OFF_ARRAY, 1);
    /* Straight alpha stays "unknown" (0), as tinytex has always written it: readers (DirectXTex among them) treat
     * unknown as straight, and 0 makes no claim about images whose alpha is meaningless (docs/containers.md). */
    tt_put_le32(f + OFF_MISC2, t->premultiplied ? DDS_ALPHA_MODE_PREMULTIPLIED : DDS_ALPHA_MODE_UNKNOWN);
    /* Levels follow the headers from level 0 down, as tt_texture keeps them. */
    memcpy(f + DDS_DATA_OFFSET, t->data, data_size);
    *out = f;
    *out_size = total;
    return TT_OK;
}

static const char *dxgi_name(uint32_t f)
{
    switch (f) {
    case 2: return "R32G32B32A32_FLOAT";
    case 10: return "R16G16B16A16_FLOAT";
    case 11: return "R16G16B16A16_UNORM";
    case 24: return "R10G10B10A2_UNORM";
    case 28: return "R8G8B8A8_UNORM";
    case 29: return "R8G8B8A8_UNORM_SRGB";
    case 61: return "R8_UNORM";
    case 70: return "BC1_TYPELESS";
    case 71: return "BC1";
    case 72: return "BC1 sRGB";
    case 73: return "BC2_TYPELESS";
    case 74: return "BC2";
    case 75: return "BC2 sRGB";
    case 76: return "BC3_TYPELESS";
    case 77: return "BC3";
    case 78: return "BC3 sRGB";
    case 79: return "BC4_TYPELESS";
    case 80: return "BC4";
    case 81: return "BC4 signed";
    case 82: return "BC5_TYPELESS";
    case 83: return "BC5";
    case 84: return "BC5 signed";
    case 87: return "B8G8R8A8_UNORM";
    case 91: return "B8G8R8A8_UNORM_SRGB";
    case 94: return "BC6H_TYPELESS";
    case 95: return "BC6H unsigned";
    case 96: return "BC6H signed";
    default: return NULL;
    }
}

tt_status tt_dds_parse(const uint8_t *data, size_t avail, size_t size, const char *name, tt_texture *out,
                       size_t *need)
{
    return tt_dds_parse_pick(data, avail, size, name, NULL, out, need, NULL);
}

tt_status tt_dds_parse_pick(const uint8_t *data, size_t avail, size_t size, const char *name,
                            const tt_texture_pick *pick, tt_texture *out, size_t *need, tt_texture_shape *shape)
{
    if (need) *need = 0;
    if (shape) memset(shape, 0, sizeof *shape);
    if (!out) return tt_fail(TT_ERR_INVALID_ARG, "tt_dds_parse: no output");
    memset(out, 0, sizeof *out);
    if (!name) name = "<memory>";
    if (!data && avail) return tt_fail(TT_ERR_INVALID_ARG, "%s: no data", name);
    /* `size` is the whole file's; the header must be among the `avail` bytes. */
    if (avail > size || avail < (size < DDS_DATA_OFFSET ? size : DDS_DATA_OFFSET))
        return tt_fail(TT_ERR_INVALID_ARG, "%s: tt_dds_parse needs the first %d bytes (has %zu of %zu)", name,
                       DDS_DATA_OFFSET, avail, size);

    if (size < DDS_MAGIC_SIZE || tt_get_le32(data) != FOURCC_DDS)
        return tt_fail(TT_ERR_FORMAT, "%s: not a DDS file (no \"DDS \" magic)", name);
    if (size < DDS_MAGIC_SIZE + DDS_HEADER_SIZE)
        return tt_fail(TT_ERR_FORMAT, "%s: DDS file truncated in its header (%zu bytes)", name, size);
    if (tt_get_le32(data + OFF_SIZE) != DDS_HEADER_SIZE)
        return tt_fail(TT_ERR_FORMAT, "%s: DDS header size is %u, expected 124", name,
                       tt_get_le32(data + OFF_SIZE));
    if (tt_get_le32(data + OFF_PF_SIZE) != DDS_PIXELFORMAT_SIZE)
        return tt_fail(TT_ERR_FORMAT, "%s: DDS pixel format size is %u, expected 32", name,
                       tt_get_le32(data + OFF_PF_SIZE));
    uint32_t pf_flags = tt_get_le32(data + OFF_PF_FLAGS);
    uint32_t fourcc = tt_get_le32(data + OFF_PF_FOURCC);
    if (!(pf_flags & DDPF_FOURCC))
        return tt_fail(TT_ERR_UNSUPPORTED, "%s: DDS holds uncompressed pixels, not BC7 (BC7 needs the DX10 header)",
                       name);
    if (fourcc != FOURCC_DX10) {
        char cc[5];
        for (int i = 0; i < 4; i++) {
            uint8_t c = (uint8_t)(fourcc >> (8 * i));
            cc[i] = (c >= 32 && c < 127) ? (char)c : '?';
        }
        cc[4] = '\0';
        return tt_fail(TT_ERR_UNSUPPORTED, "%s: legacy DDS with FourCC '%s' is not BC7 (BC7 needs the DX10 header)",
                       name, cc);
    }
    if (size < DDS_DATA_OFFSET)
        return tt_fail(TT_ERR_FORMAT, "%s: DDS file truncated in its DX10 header (%zu bytes)", name, size);

    uint32_t dxgi = tt_get_le32(data + OFF_DXGI);
    if (dxgi != DXGI_FORMAT_BC7_UNORM && dxgi != DXGI_FORMAT_BC7_UNORM_SRGB &&
        dxgi != DXGI_FORMAT_BC7_TYPELESS) {
        const char *fmt = dxgi_name(dxgi);
        if (fmt)
            return tt_fail(TT_ERR_UNSUPPORTED, "%s: DXGI format %u (%s) is not BC7", name, dxgi, fmt);
        return tt_fail(TT_ERR_UNSUPPORTED, "%s: DXGI format %u is not BC7", name, dxgi);
    }
    uint32_t dim = tt_get_le32(data + OFF_DIMENSION);
    if (dim != DDS_DIMENSION_TEXTURE2D) {
        if (dim == DDS_DIMENSION_TEXTURE1D || dim == DDS_DIMENSION_TEXTURE3D)
            return tt_fail(TT_ERR_UNSUPPORTED, "%s: DDS %s texture; only 2D textures are supported", name,
                           dim == DDS_DIMENSION_TEXTURE1D ? "1D" : "3D");
        return tt_fail(TT_ERR_FORMAT, "%s: DDS resource dimension %u is invalid", name, dim);
    }
    uint32_t array_size = tt_get_le32(data + OFF_ARRAY);
    if (array_size == 0)
        return tt_fail(TT_ERR_FORMAT, "%s: DDS array size is 0", name);
    /* A cube map is DX10 miscFlag TEXTURECUBE (what DirectXTex reads); the legacy caps2 bits must agree with it. */
    int cube = (tt_get_le32(data + OFF_MISC) & DDS_RESOURCE_MISC_TEXTURECUBE) != 0;
    uint32_t caps2 = tt_get_le32(data + OFF_CAPS2);
    if (!cube && (caps2 & DDSCAPS2_CUBEMAP))
        return tt_fail(TT_ERR_FORMAT, "%s: DDS caps2 marks a cube map but the DX10 header does not (miscFlag 0x%x)",
                       name, tt_get_le32(data + OFF_MISC));
    /* dwDepth is a volume's; a 2D texture that claims more than one slice contradicts its DX10 header. */
    uint32_t depth = tt_get_le32(data + OFF_DEPTH);
    if (depth > 1 || (caps2 & DDSCAPS2_VOLUME))
        return tt_fail(TT_ERR_FORMAT, "%s: DDS header claims a volume (depth %u) but the DX10 header says 2D; 3D "
                       "textures are not supported", name, depth);

    uint32_t width = tt_get_le32(data + OFF_WIDTH), height = tt_get_le32(data + OFF_HEIGHT);
    size_t level_size;
    tt_status s = tt_bc7_header_size(width, height, name, "DDS", &level_size);
    if (s != TT_OK) return s;
    /* DirectXTex reads mipMapCount whatever DDSD_MIPMAPCOUNT says, 0 meaning one level. */
    uint32_t mip_count = tt_get_le32(data + OFF_MIPCOUNT);
    uint32_t levels = mip_count ? mip_count : 1;
    size_t sizes[TT_MAX_LEVELS], chain_size;
    s = tt_bc7_header_levels(width, height, levels, name, "DDS mipMapCount", sizes, &chain_size);
    if (s != TT_OK) return s;
    tt_texture_shape sh = {levels, array_size, cube ? 6u : 1u};
    if (shape) *shape = sh;
    /* Array slices and cube faces follow one another, each with its whole mip chain; every one the header
     * promises must be there (compared by division: images x chain_size may exceed 64 bits). */
    uint64_t images = (uint64_t)sh.layers * sh.faces;
    if ((uint64_t)(size - DDS_DATA_OFFSET) / images < chain_size) {
        if (images == 1)
            return tt_fail(TT_ERR_FORMAT, "%s: DDS data truncated: %zu bytes of BC7 data, %u level(s) of %ux%u need %zu",
                           name, size - DDS_DATA_OFFSET, levels, width, height, chain_size);
        if (images > UINT64_MAX / chain_size)
            return tt_fail(TT_ERR_FORMAT, "%s: DDS data truncated: %zu bytes of BC7 data, %llu images of %u level(s) "
                           "of %ux%u need more than 2^64", name, size - DDS_DATA_OFFSET, (unsigned long long)images,
                           levels, width, height);
        return tt_fail(TT_ERR_FORMAT, "%s: DDS data truncated: %zu bytes of BC7 data, %llu images of %u level(s) of "
                       "%ux%u need %llu", name, size - DDS_DATA_OFFSET, (unsigned long long)images, levels, width,
                       height, (unsigned long long)(images * chain_size));
    }
    uint64_t index;
    s = tt_texture_pick_check(&sh, pick, name, "DDS", &index);
    if (s != TT_OK) return s;
    const size_t image_offset = DDS_DATA_OFFSET + (size_t)index * chain_size; /* inside the file: checked above */

    int srgb = dxgi == DXGI_FORMAT_BC7_UNORM_SRGB;
    if (avail < image_offset || avail - image_offset < chain_size) {
        /* Header-first loading: report how much of the file is needed. */
        if (!need) return tt_fail(TT_ERR_INVALID_ARG, "%s: tt_dds_parse: level data not in memory", name);
        out->width = width;
        out->height = height;
        out->srgb = srgb;
        *need = image_offset + chain_size;
        return TT_OK;
    }
    s = tt_bc7_texture_alloc_levels(out, width, height, levels, srgb, name);
    if (s != TT_OK) return s;
    memcpy(out->data, data + image_offset, chain_size);
    out->premultiplied = (tt_get_le32(data + OFF_MISC2) & DDS_ALPHA_MODE_MASK) == DDS_ALPHA_MODE_PREMULTIPLIED;
    return TT_OK;
}

tt_status tt_dds_read_memory(const uint8_t *data, size_t size, const char *name, tt_texture *out)
{
    return tt_dds_parse(data, size, size, name, out, NULL);
}
