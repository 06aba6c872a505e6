/* tt_formats.h - internal API of the texture containers: DDS (DX10 header) and KTX2 for BC7 data, below the public tt_texture_* calls. */
#ifndef TT_FORMATS_H
#define TT_FORMATS_H

#include "tinytex.h"
#include "bc7/tt_bc7.h"

/* Largest width or height the containers read or write. */
#define TT_CONTAINER_MAX_DIMENSION TT_BC7_MAX_DIMENSION

/* ---- texture_layout.c: sizes and validity, below both containers ---- */

/* The same for a size read from a `container` ("DDS", "KTX2") header: an invalid size is TT_ERR_FORMAT. */
tt_status tt_bc7_header_size(uint32_t width, uint32_t height, const char *name, const char *container, size_t *out);
/* The checks every writer makes before writing `t` (messages start with `what`, e.g. "DDS output"): a texture
 * with data, one level (more are TT_ERR_UNSUPPORTED until mip chains are written) that covers exactly the BC7
 * data of its size. *data_size = that size. `fn` names the writer in the messages about missing arguments. */
tt_status tt_texture_check_write(const tt_texture *t, const char *fn, const char *what, size_t *data_size);

/* ---- dds.c / ktx2.c ---- */

/* Serialises one level to memory (caller frees *out with free()). */
tt_status tt_dds_write_memory(const tt_texture *t, uint8_t **out, size_t *out_size);
tt_status tt_ktx2_write_memory(const tt_texture *t, uint8_t **out, size_t *out_size);

/* Parses untrusted bytes. Accepts BC7 in DDS (DX10 header, DXGI 98/99) and in
 * KTX2 (VK_FORMAT 145/146, no supercompression); other levels/layers beyond
 * the first are ignored, and the result has level_count 1. `name` is used in
 * error messages. Every size and offset is validated with overflow-safe
 * arithmetic before use. */
tt_status tt_dds_read_memory(const uint8_t *data, size_t size, const char *name, tt_texture *out);
tt_status tt_ktx2_read_memory(const uint8_t *data, size_t size, const char *name, tt_texture *out);
/* Header-first parsing, for loaders that read a file's header before its
 * payload. `data` holds the first `avail` bytes of a file of `size` bytes,
 * with avail >= min(size, TT_CONTAINER_HEAD_BYTES). Every check is made
 * against `size`, so the result is the same as the *_read_memory call on the
 * whole file, except that when the texture's bytes are not all in memory it
 * returns TT_OK with out->data == NULL, out->width/height/srgb set and *need =
 * the file prefix the texture needs (<= size); read that much and call again.
 * need may be NULL when avail == size. */
#define TT_CONTAINER_HEAD_BYTES 65536u
tt_status tt_dds_parse(const uint8_t *data, size_t avail, size_t size, const char *name, tt_texture *out,
                       size_t *need);
tt_status tt_ktx2_parse(const uint8_t *data, size_t avail, size_t size, const char *name, tt_texture *out,
                        size_t *need);

#endif
