/* cli_load.h - loads "anything that is a picture" for decode/compare/info: images, DDS and KTX2 BC7 textures. */
#ifndef TT_CLI_LOAD_H
#define TT_CLI_LOAD_H
#include "tinytex.h"
#include "formats/tt_formats.h"

typedef enum { CLI_FILE_IMAGE, CLI_FILE_DDS, CLI_FILE_KTX2, CLI_FILE_TNX, CLI_FILE_UNKNOWN } cli_file_kind;

/* Sniffs the first bytes of `path` (not its extension). Returns UNKNOWN for
 * unreadable files; the caller's loader then reports the precise error. */
cli_file_kind cli_sniff(const char *path);
/* Loads a DDS/KTX2 texture up to the containers' own bound (65536 per side), as the files tinytex writes allow;
 * the _pick form as tt_texture_load_pick (formats/tt_formats.h): a NULL pick refuses arrays and cube maps. */
tt_status cli_texture_load(const char *path, tt_texture *out);
tt_status cli_texture_load_pick(const char *path, const tt_texture_pick *pick, tt_texture *out,
                                tt_texture_shape *shape);
/* --layer/--face as given (-1: not given): NULL when neither was, else the pick. */
const tt_texture_pick *cli_pick(int layer, int face, tt_texture_pick *storage);
/* tt_image_load, saying on stderr (at the default verbosity) how 16-bit and HDR samples were converted to 8 bits,
 * and refusing HDR values outside [0, 1] unless --hdr-clip was given (docs/cli.md, "HDR and 16-bit input"). */
tt_status cli_image_load(const char *path, const tt_image_limits *limits, tt_image *out);
/* Loads an image file or decodes a BC7 DDS/KTX2 texture (level 0) into RGBA8. */
tt_status cli_load_picture(const char *path, const tt_image_limits *limits, tt_image *out);
/* The colour-space chunks (sRGB, gAMA, iCCP, cHRM) a PNG file has before its image data, as "sRGB, gAMA", or ""
 * (none, not a PNG, or unreadable). Reads only the chunk headers. */
void cli_png_colour_chunks(const char *path, char *out, size_t size);
/* The same with mip level `level` and image `pick` (NULL: the file must hold one) of a texture (an image file has
 * only level 0, layer 0, face 0). */
tt_status cli_load_picture_level(const char *path, const tt_image_limits *limits, uint32_t level,
                                 const tt_texture_pick *pick, tt_image *out);
#endif
