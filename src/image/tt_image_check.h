/* tt_image_check.h - checks of untrusted image bytes to run before handing them to stb_image (src/image/image.c). */
#ifndef TT_IMAGE_CHECK_H
#define TT_IMAGE_CHECK_H

#include "tinytex.h"

/* PNG only (other bytes: TT_OK). stb_image reallocates its IDAT buffer to
 * the length a chunk claims (up to 2 GiB) before it finds the data missing,
 * so a 100-byte PNG can cost a gigabyte allocation. Refuses (TT_ERR_FORMAT,
 * message naming `name`) a chunk length above 2^31 - 1 or more than 1 MiB
 * beyond the end of the data; smaller shortfalls are left to stb, which
 * reports them as truncation. Call it before any stbi_*_from_memory on
 * untrusted PNG bytes (tt_image_load_memory does). */
tt_status tt_png_check_chunks(const uint8_t *data, size_t size, const char *name);

/* "PNG", "JPEG", "GIF", "BMP", "PSD", "HDR", "PNM" or "PIC" when the first bytes carry that format's signature (what
 * stb_image goes by), else NULL (TGA has no signature). */
const char *tt_image_format_name(const uint8_t *data, size_t size);

/* How a loaded image was converted to RGBA8 (docs/cli.md, "HDR and 16-bit input"): 8-bit samples are kept, 16-bit
 * ones rounded (v x 255 / 65535), HDR floats clamped to [0, 1] then rounded (v x 255). For HDR, the R, G, B values
 * outside [0, 1] (NaN counts below) and the extremes. */
typedef struct {
    int source_bits;                      /* 8, 16, or 32 (HDR float) */
    uint64_t values;                      /* HDR: R, G, B values in the file */
    uint64_t clipped_below, clipped_above;
    float min, max;
} tt_image_conversion;
/* tt_image_load / tt_image_load_memory that also say how the pixels were converted (conv may be NULL). */
tt_status tt_image_load_report(const char *path, const tt_image_limits *limits, tt_image *out,
                               tt_image_conversion *conv);
tt_status tt_image_load_memory_report(const uint8_t *data, size_t size, const char *name,
                                      const tt_image_limits *limits, tt_image *out, tt_image_conversion *conv);

#endif
