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
/* Levels of the full mip chain of a width x height texture (sides >= 1): floor(log2(max(w, h))) + 1. */
uint32_t tt_container_full_levels(uint32_t width, uint32_t height);
/* The byte size of each of `count` levels of a width x height BC7 texture read from a file (sides already checked
 * with tt_bc7_header_size), level i being max(1, w >> i) x max(1, h >> i); *total = their sum. A count of 0 or
 * beyond the full chain is TT_ERR_FORMAT, the message naming `field` (e.g. "DDS mipMapCount"). */
tt_status tt_bc7_header_levels(uint32_t width, uint32_t height, uint32_t count, const char *name, const char *field,
                               size_t sizes[TT_MAX_LEVELS], size_t *total);
/* The checks every writer makes before writing `t` (messages start with `what`, e.g. "DDS output"): a texture
 * with data and 1..full-chain levels laid out as tinytex.h says (level i max(1, w >> i) x max(1, h >> i) with its
 * BC7 bytes, the levels one after the other from offset 0, level 0 first, data_size their sum). *data_size = that
 * sum. `fn` names the writer in the messages about missing arguments. */
tt_status tt_texture_check_write(const tt_texture *t, const char *fn, const char *what, size_t *data_size);

/* ---- dds.c / ktx2.c ---- */

/* Serialises every level to memory (caller frees *out with free()). */
tt_status tt_dds_write_memory(const tt_texture *t, uint8_t **out, size_t *out_size);
tt_status tt_ktx2_write_memory(const tt_texture *t, uint8_t **out, size_t *out_size);
/* KTX2 with zstd_level 1..22: supercompressionScheme 2, each level its own Zstandard frame; 0: none (the same as
 * tt_ktx2_write_memory). */
#define TT_ZSTD_LEVEL_MAX 22
tt_status tt_ktx2_write_memory_zstd(const tt_texture *t, int zstd_level, uint8_t **out, size_t *out_size);

/* Parses untrusted bytes. Accepts BC7 in DDS (DX10 header, DXGI 97/98/99) and
 * in KTX2 (VK_FORMAT 145/146, supercompression none or Zstandard), with every
 * level the header lists (1..the full chain); arrays and cube maps are
 * refused (read one of their images with the *_parse_pick calls below). The result's levels are laid out as
 * tinytex.h says; premultiplied and supercompression come from the file.
 * `name` is used in error messages. Every size and offset is validated with
 * overflow-safe arithmetic before use, and before anything is allocated. */
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

/* Arrays and cube maps: what a file holds, and which of its images to read. A file of several layers needs a
 * layer picked and a cube map a face (TT_ERR_UNSUPPORTED otherwise, the message naming its layers and faces and how
 * to pick one: reading the first image and saying nothing would ignore the rest); a pick beyond the file's layers
 * or faces is TT_ERR_INVALID_ARG. Image (layer, face) is image layer x faces + face of the file's order (DDS: each
 * image with its whole chain, one after the other; KTX2: every image of a level inside that level). */
typedef struct {
    uint32_t levels, layers, faces; /* layers >= 1 (1: not an array); faces 1, or 6 for a cube map */
} tt_texture_shape;
typedef struct {
    int64_t layer, face; /* -1: not picked (fine where the file has only one) */
} tt_texture_pick;
/* The *_parse calls with a pick (NULL: the file must hold one image) and the file's shape (may be NULL; set once
 * the header has been read, even when the call fails later). */
tt_status tt_dds_parse_pick(const uint8_t *data, size_t avail, size_t size, const char *name,
                            const tt_texture_pick *pick, tt_texture *out, size_t *need, tt_texture_shape *shape);
tt_status tt_ktx2_parse_pick(const uint8_t *data, size_t avail, size_t size, const char *name,
                             const tt_texture_pick *pick, tt_texture *out, size_t *need, tt_texture_shape *shape);
/* tt_texture_load with a pick and the file's shape, as above (container.c). */
tt_status tt_texture_load_pick(const char *path, const tt_image_limits *limits, const tt_texture_pick *pick,
                               tt_texture *out, tt_texture_shape *shape);
/* The one-line refusal of a file of several images read without a pick, or of a pick beyond the file: checks
 * `pick` against `shape` and returns the image index (layer x faces + face) in *index. `container` is "DDS" or
 * "KTX2". */
tt_status tt_texture_pick_check(const tt_texture_shape *shape, const tt_texture_pick *pick, const char *name,
                                const char *container, uint64_t *index);

#endif
