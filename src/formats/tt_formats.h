/* tt_formats.h - texture containers: DDS (DX10 header) and KTX2 for BC7 data. */
#ifndef TT_FORMATS_H
#define TT_FORMATS_H

#include "tinytex.h"

/* A compressed 2D texture: one mip level, one layer, one face. */
typedef struct {
    uint32_t width, height;      /* true pixel size (blocks are ceil(w/4) x ceil(h/4)) */
    int srgb;                    /* 1 = BC7_UNORM_SRGB / VK_FORMAT_BC7_SRGB_BLOCK */
    uint8_t *data;               /* ceil(w/4)*ceil(h/4)*16 bytes, owned */
    size_t data_size;
} tt_bc7_texture;

void tt_bc7_texture_free(tt_bc7_texture *t);

/* Largest width or height the containers read or write. */
#define TT_CONTAINER_MAX_DIMENSION 65536u

/* Bytes of BC7 data for a width x height image: ceil(w/4)*ceil(h/4)*16.
 * TT_ERR_INVALID_ARG (with a message naming `name`) if a side is 0 or above
 * TT_CONTAINER_MAX_DIMENSION, TT_ERR_LIMIT if it does not fit in size_t. */
tt_status tt_bc7_data_size(uint32_t width, uint32_t height, const char *name, size_t *out);

/* Serialises to memory (caller frees *out with free()). */
tt_status tt_dds_write_memory(const tt_bc7_texture *t, uint8_t **out, size_t *out_size);
tt_status tt_ktx2_write_memory(const tt_bc7_texture *t, uint8_t **out, size_t *out_size);
/* Writes atomically to `path`. */
tt_status tt_bc7_texture_save(const char *path, tt_container c, const tt_bc7_texture *t);

/* Parses untrusted bytes. Accepts BC7 in DDS (DX10 header, DXGI 98/99) and in
 * KTX2 (VK_FORMAT 145/146, no supercompression); other levels/layers beyond
 * the first are ignored. `name` is used in error messages. Every size and
 * offset is validated with overflow-safe arithmetic before use. */
tt_status tt_dds_read_memory(const uint8_t *data, size_t size, const char *name, tt_bc7_texture *out);
tt_status tt_ktx2_read_memory(const uint8_t *data, size_t size, const char *name, tt_bc7_texture *out);
/* Header-first parsing, for loaders that read a file's header before its
 * payload. `data` holds the first `avail` bytes of a file of `size` bytes,
 * with avail >= min(size, TT_CONTAINER_HEAD_BYTES). Every check is made
 * against `size`, so the result is the same as the *_read_memory call on the
 * whole file, except that when the texture's bytes are not all in memory it
 * returns TT_OK with out->data == NULL, out->width/height/srgb set and *need =
 * the file prefix the texture needs (<= size); read that much and call again.
 * need may be NULL when avail == size. */
#define TT_CONTAINER_HEAD_BYTES 65536u
tt_status tt_dds_parse(const uint8_t *data, size_t avail, size_t size, const char *name, tt_bc7_texture *out,
                       size_t *need);
tt_status tt_ktx2_parse(const uint8_t *data, size_t avail, size_t size, const char *name, tt_bc7_texture *out,
                        size_t *need);

/* Loads a file, choosing the parser by its magic bytes. Reads the header
 * first and then only the bytes the header describes (extra levels, layers
 * or junk after them are never read). */
tt_status tt_bc7_texture_load(const char *path, tt_bc7_texture *out);
/* The same, refusing (TT_ERR_LIMIT, before the payload is read or any pixel
 * memory allocated) textures above `limits` (NULL = tt_image_limits_init's
 * defaults), as tt_image_load does for images. */
tt_status tt_bc7_texture_load_limited(const char *path, const tt_image_limits *limits, tt_bc7_texture *out);


#endif
