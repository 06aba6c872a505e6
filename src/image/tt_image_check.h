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

#endif
