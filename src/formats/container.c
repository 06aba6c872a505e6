/* container.c - container-independent BC7 texture helpers: size arithmetic, save/load by magic or extension. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/tt_fileio.h"
#include "formats/tt_formats.h"

void tt_bc7_texture_free(tt_bc7_texture *t)
{
    if (!t) return;
    free(t->data);
    memset(t, 0, sizeof *t);
}

tt_status tt_bc7_data_size(uint32_t width, uint32_t height, const char *name, size_t *out)
{
    if (out) *out = 0;
    if (!name) name = "texture";
    if (width == 0 || height == 0 || width > TT_CONTAINER_MAX_DIMENSION ||
        height > TT_CONTAINER_MAX_DIMENSION)
        return tt_fail(TT_ERR_INVALID_ARG, "%s: size %ux%u is invalid (each side must be 1..%u)", name,
                       width, height, TT_CONTAINER_MAX_DIMENSION);
    uint64_t blocks = (uint64_t)((width + 3u) / 4u) * ((height + 3u) / 4u); /* <= 2^28 */
    uint64_t bytes = blocks * 16u;                                        /* <= 2^32 */
    if (bytes > SIZE_MAX)
        return tt_fail(TT_ERR_LIMIT, "%s: %ux%u needs %llu bytes, too many for this machine", name, width,
                       height, (unsigned long long)bytes);
    if (out) *out = (size_t)bytes;
    return TT_OK;
}

int tt_container_from_path(const char *path, tt_container *out)
{
    if (!path) return -1;
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base) return -1; /* no extension, or a dot-file like ".dds" */
    tt_container c;
    if (strcasecmp(dot, ".dds") == 0)
        c = TT_CONTAINER_DDS;
    else if (strcasecmp(dot, ".ktx2") == 0)
        c = TT_CONTAINER_KTX2;
    else
        return -1;
    if (out) *out = c;
    return 0;
}

tt_status tt_bc7_texture_save(const char *path, tt_container c, const tt_bc7_texture *t)
{
    if (!path) return tt_fail(TT_ERR_INVALID_ARG, "tt_bc7_texture_save: no path");
    uint8_t *bytes = NULL;
    size_t size = 0;
    tt_status s;
    if (c == TT_CONTAINER_DDS)
        s = tt_dds_write_memory(t, &bytes, &size);
    else if (c == TT_CONTAINER_KTX2)
        s = tt_ktx2_write_memory(t, &bytes, &size);
    else
        return tt_fail(TT_ERR_INVALID_ARG, "%s: unknown container %d", path, (int)c);
    if (s != TT_OK) return tt_fail(s, "%s: %s", path, tt_last_error());
    s = tt_write_file_atomic(path, bytes, size);
    free(bytes);
    return s;
}

/* Largest prefix of a file the loader reads: a 65536^2 texture's 4 GiB level
 * at whatever offset a KTX2 index gives it. */
#if SIZE_MAX > 0xFFFFFFFFu
#define TT_CONTAINER_MAX_READ ((size_t)16 << 30)
#else
#define TT_CONTAINER_MAX_READ SIZE_MAX
#endif

static tt_status parse_prefix(const uint8_t *data, size_t avail, size_t size, const char *path,
                              tt_bc7_texture *out, size_t *need)
{
    static const uint8_t ktx2_magic[4] = {0xAB, 'K', 'T', 'X'};
    if (avail >= 4 && memcmp(data, "DDS ", 4) == 0) return tt_dds_parse(data, avail, size, path, out, need);
    if (avail >= 4 && memcmp(data, ktx2_magic, 4) == 0) return tt_ktx2_parse(data, avail, size, path, out, need);
    return tt_fail(TT_ERR_FORMAT, "%s: not a DDS or KTX2 file", path);
}

tt_status tt_bc7_texture_load_limited(const char *path, const tt_image_limits *limits, tt_bc7_texture *out)
{
    if (!out) return tt_fail(TT_ERR_INVALID_ARG, "tt_bc7_texture_load: no output");
    memset(out, 0, sizeof *out);
    if (!path) return tt_fail(TT_ERR_INVALID_ARG, "tt_bc7_texture_load: no path");
    tt_image_limits defaults;
    if (!limits) {
        tt_image_limits_init(&defaults);
        limits = &defaults;
    }
    /* Header first: a small read whatever the file's size. */
    uint8_t *data = NULL;
    size_t avail = 0, size = 0, need = 0;
    tt_status s = tt_read_file_head(path, 0, TT_CONTAINER_HEAD_BYTES, &data, &avail, &size);
    if (s != TT_OK) return s;
    s = parse_prefix(data, avail, size, path, out, &need);
    free(data);
    if (s != TT_OK || out->data) goto check_limits;

    /* The texture lies in [0, need): check it against the limits before
     * reading it, then read exactly that prefix and parse again. */
    if (out->width > limits->max_dimension || out->height > limits->max_dimension ||
        (uint64_t)out->width * out->height > limits->max_pixels)
        goto check_limits;
    if (need > TT_CONTAINER_MAX_READ) {
        memset(out, 0, sizeof *out);
        return tt_fail(TT_ERR_LIMIT, "%s: the texture needs the first %zu bytes of the file, above the limit of %zu",
                       path, need, (size_t)TT_CONTAINER_MAX_READ);
    }
    size_t size2 = 0;
    s = tt_read_file_head(path, 0, need, &data, &avail, &size2);
    if (s != TT_OK) {
        memset(out, 0, sizeof *out);
        return s;
    }
    if (size2 != size) {
        free(data);
        memset(out, 0, sizeof *out);
        return tt_fail(TT_ERR_IO, "%s: file changed size while being read", path);
    }
    s = parse_prefix(data, avail, size, path, out, &need);
    free(data);
    if (s == TT_OK && !out->data) { /* the header changed between the reads */
        memset(out, 0, sizeof *out);
        return tt_fail(TT_ERR_IO, "%s: file changed while being read", path);
    }

check_limits:
    if (s != TT_OK) return s;
    if (out->width > limits->max_dimension || out->height > limits->max_dimension ||
        (uint64_t)out->width * out->height > limits->max_pixels) {
        uint32_t w = out->width, h = out->height;
        tt_bc7_texture_free(out);
        return tt_fail(TT_ERR_LIMIT, "%s: %ux%u exceeds the image limit of %ux%u, %llu pixels (raise with --max-size)",
                       path, w, h, limits->max_dimension, limits->max_dimension,
                       (unsigned long long)limits->max_pixels);
    }
    return TT_OK;
}

tt_status tt_bc7_texture_load(const char *path, tt_bc7_texture *out)
{
    /* The containers' own bound only: 65536 x 65536. */
    tt_image_limits all = {.max_pixels = (uint64_t)TT_CONTAINER_MAX_DIMENSION * TT_CONTAINER_MAX_DIMENSION,
                           .max_dimension = TT_CONTAINER_MAX_DIMENSION};
    return tt_bc7_texture_load_limited(path, &all, out);
}
