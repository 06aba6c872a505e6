/* cli_load.c - loads images and BC7 textures alike, choosing the reader by magic bytes. */
#include "cli_load.h"
#include "bc7/tt_bc7.h"
#include "formats/tt_formats.h"
#include "image/tt_image_check.h"
#include "cli.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

cli_file_kind cli_sniff(const char *path)
{
    unsigned char head[12] = {0};
    /* O_NONBLOCK: a FIFO or device must not block the sniffing; only regular
     * files are read, anything else is left to the loader's error. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return CLI_FILE_UNKNOWN;
    struct stat sb;
    ssize_t got = 0;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) got = read(fd, head, sizeof head);
    close(fd);
    size_t n = got > 0 ? (size_t)got : 0;
    static const unsigned char ktx2[12] = {0xAB, 'K', 'T', 'X', ' ', '2', '0', 0xBB, '\r', '\n', 0x1A, '\n'};
    if (n >= 4 && memcmp(head, "DDS ", 4) == 0) return CLI_FILE_DDS;
    if (n >= 12 && memcmp(head, ktx2, 12) == 0) return CLI_FILE_KTX2;
    if (n >= 4 && memcmp(head, "TNX", 3) == 0) return CLI_FILE_TNX;
    return CLI_FILE_IMAGE;
}

tt_status cli_texture_load(const char *path, tt_texture *out)
{
    return cli_texture_load_pick(path, NULL, out, NULL);
}

tt_status cli_texture_load_pick(const char *path, const tt_texture_pick *pick, tt_texture *out,
                                tt_texture_shape *shape)
{
    tt_image_limits all = {.max_pixels = (uint64_t)TT_CONTAINER_MAX_DIMENSION * TT_CONTAINER_MAX_DIMENSION,
                           .max_dimension = TT_CONTAINER_MAX_DIMENSION};
    return tt_texture_load_pick(path, &all, pick, out, shape);
}

const tt_texture_pick *cli_pick(int layer, int face, tt_texture_pick *storage)
{
    if (layer < 0 && face < 0) return NULL;
    storage->layer = layer;
    storage->face = face;
    return storage;
}

tt_status cli_load_picture(const char *path, const tt_image_limits *limits, tt_image *out)
{
    return cli_load_picture_level(path, limits, 0, NULL, out);
}

tt_status cli_load_picture_level(const char *path, const tt_image_limits *limits, uint32_t level,
                                 const tt_texture_pick *pick, tt_image *out)
{
    memset(out, 0, sizeof *out);
    cli_file_kind kind = cli_sniff(path);
    if (kind == CLI_FILE_DDS || kind == CLI_FILE_KTX2) {
        tt_texture tex;
        tt_status st = tt_texture_load_pick(path, limits, pick, &tex, NULL);
        if (st != TT_OK) return st;
        if (level >= tex.level_count)
            st = tt_fail(TT_ERR_INVALID_ARG, "%s: no mip level %u (the texture has %u level%s)", path, level,
                         tex.level_count, tex.level_count == 1 ? "" : "s");
        if (st == TT_OK) st = tt_texture_decode(&tex, level, out);
        if (st == TT_OK) {
            out->source_channels = 4;
            out->source_bits = 8;
        }
        tt_texture_free(&tex);
        return st;
    }
    if (kind == CLI_FILE_TNX)
        return tt_fail(TT_ERR_UNSUPPORTED, "%s: a .tnx model; decode it first with 'tinytex decode'", path);
    if (level > 0) return tt_fail(TT_ERR_INVALID_ARG, "%s: an image file has no mip level %u", path, level);
    if (pick && (pick->layer > 0 || pick->face > 0))
        return tt_fail(TT_ERR_INVALID_ARG, "%s: an image file has no %s %lld", path, pick->layer > 0 ? "layer" : "face",
                       (long long)(pick->layer > 0 ? pick->layer : pick->face));
    return cli_image_load(path, limits, out);
}

tt_status cli_image_load(const char *path, const tt_image_limits *limits, tt_image *out)
{
    tt_image_conversion conv;
    tt_status st = tt_image_load_report(path, limits, out, &conv);
    if (st != TT_OK) {
        /* The image decoders know nothing of tinytex's own files; name what the file is instead. */
        cli_file_kind kind = st == TT_ERR_FORMAT ? cli_sniff(path) : CLI_FILE_IMAGE;
        if (kind == CLI_FILE_DDS || kind == CLI_FILE_KTX2 || kind == CLI_FILE_TNX)
            return tt_fail(TT_ERR_UNSUPPORTED, "%s: a %s, not an image: decode it first with 'tinytex decode'", path,
                           kind == CLI_FILE_TNX ? ".tnx model" : kind == CLI_FILE_DDS ? "BC7 DDS texture"
                                                                                     : "BC7 KTX2 texture");
        return st;
    }
    if (conv.source_bits == 16)
        DISPLAYLEVEL(1, "note: %s: 16-bit samples rounded to 8 bits (v x 255 / 65535); quality figures are measured "
                        "against these 8-bit values (the rounding alone: error <= 0.5/255, PSNR >= 54.2 dB)\n", path);
    if (conv.source_bits != 32) return TT_OK;
    uint64_t clipped = conv.clipped_below + conv.clipped_above;
    if (clipped && !g_hdr_clip) {
        tt_image_free(out);
        return tt_fail(TT_ERR_UNSUPPORTED,
                       "%s: HDR values from %g to %g: %llu of %llu R,G,B values lie outside [0, 1], which 8-bit "
                       "output cannot hold; tonemap the image first, or pass --hdr-clip to clip them (quality is "
                       "then measured against the clipped image)", path, (double)conv.min, (double)conv.max,
                       (unsigned long long)clipped, (unsigned long long)conv.values);
    }
    if (clipped)
        DISPLAYLEVEL(1, "note: %s: HDR floats clipped to [0, 1] (--hdr-clip: %llu of %llu R,G,B values, %.2f%%, from "
                        "%g to %g) and rounded to 8 bits (v x 255); quality figures are measured against the clipped "
                        "8-bit image\n", path, (unsigned long long)clipped, (unsigned long long)conv.values,
                     100.0 * (double)clipped / (double)conv.values, (double)conv.min, (double)conv.max);
    else
        DISPLAYLEVEL(1, "note: %s: HDR floats (all in [0, 1]) rounded to 8 bits (v x 255); quality figures are "
                        "measured against these 8-bit values (the rounding alone: error <= 0.5/255, PSNR >= 54.2 dB)\n",
                     path);
    return TT_OK;
}

void cli_png_colour_chunks(const char *path, char *out, size_t size)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    static const char *const wanted[4] = {"sRGB", "gAMA", "iCCP", "cHRM"};
    if (size) out[0] = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return;
    unsigned char h[8];
    size_t at = 0;
    if (fread(h, 1, 8, f) == 8 && memcmp(h, sig, 8) == 0)
        for (int n = 0; n < 4096 && fread(h, 1, 8, f) == 8; n++) { /* length (big endian), type */
            uint32_t len = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
            if (memcmp(h + 4, "IDAT", 4) == 0 || memcmp(h + 4, "IEND", 4) == 0 || len > 0x7FFFFFFFu) break;
            for (int k = 0; k < 4; k++)
                if (memcmp(h + 4, wanted[k], 4) == 0 && at + 8 < size)
                    at += (size_t)snprintf(out + at, size - at, "%s%s", at ? ", " : "", wanted[k]);
            if (fseek(f, (long)len + 4, SEEK_CUR) != 0) break; /* data and CRC */
        }
    fclose(f);
}
