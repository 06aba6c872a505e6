/* container.c - the public texture API of tinytex.h: save, load, read and write in memory, choosing DDS or KTX2 by extension or magic. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/tt_fileio.h"
#include "formats/tt_formats.h"

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

tt_status tt_texture_write_memory(tt_container container, const tt_texture *t, uint8_t **out, size_t *out_size)
{
    return tt_texture_write_memory_opts(container, t, NULL, out, out_size);
}

tt_status tt_texture_save_as(const char *path, tt_container container, const tt_texture *t)
{
    return tt_texture_save_opts(path, container, t, NULL);
}

tt_status tt_texture_save(const char *path, const tt_texture *t)
{
    tt_container c;
    if (!path) return tt_fail(TT_ERR_INVALID_ARG, "tt_texture_save: no path");
    if (tt_container_from_path(path, &c) != 0)
        return tt_fail(TT_ERR_INVALID_ARG, "%s: not a texture file name (the extension must be .dds or .ktx2)", path);
    return tt_texture_save_as(path, c, t);
}

/* Largest prefix of a file the loader reads: a 65536^2 texture's 4 GiB level
 * at whatever offset a KTX2 index gives it. */
#if SIZE_MAX > 0xFFFFFFFFu
#define TT_CONTAINER_MAX_READ ((size_t)16 << 30)
#else
#define TT_CONTAINER_MAX_READ SIZE_MAX
#endif

static tt_status parse_prefix(const uint8_t *data, size_t avail, size_t size, const char *path,
                              const tt_texture_pick *pick, tt_texture *out, size_t *need, tt_texture_shape *shape)
{
    static const uint8_t ktx2_magic[4] = {0xAB, 'K', 'T', 'X'};
    if (avail >= 4 && memcmp(data, "DDS ", 4) == 0)
        return tt_dds_parse_pick(data, avail, size, path, pick, out, need, shape);
    if (avail >= 4 && memcmp(data, ktx2_magic, 4) == 0)
        return tt_ktx2_parse_pick(data, avail, size, path, pick, out, need, shape);
    return tt_fail(TT_ERR_FORMAT, "%s: not a DDS or KTX2 file", path);
}

tt_status tt_texture_read_memory(const uint8_t *data, size_t size, const char *name, tt_texture *out)
{
    if (!out) return tt_fail(TT_ERR_INVALID_ARG, "tt_texture_read_memory: no output");
    memset(out, 0, sizeof *out);
    if (!name) name = "<memory>";
    if (!data && size) return tt_fail(TT_ERR_INVALID_ARG, "%s: no data", name);
    return parse_prefix(data, size, size, name, NULL, out, NULL, NULL);
}

tt_status tt_texture_load(const char *path, const tt_image_limits *limits, tt_texture *out)
{
    return tt_texture_load_pick(path, limits, NULL, out, NULL);
}

tt_status tt_texture_load_pick(const char *path, const tt_image_limits *limits, const tt_texture_pick *pick,
                               tt_texture *out, tt_texture_shape *shape)
{
    if (shape) memset(shape, 0, sizeof *shape);
    if (!out) return tt_fail(TT_ERR_INVALID_ARG, "tt_texture_load: no output");
    memset(out, 0, sizeof *out);
    if (!path) return tt_fail(TT_ERR_INVALID_ARG, "tt_texture_load: no path");
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
    s = parse_prefix(data, avail, size, path, pick, out, &need, shape);
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
    s = parse_prefix(data, avail, size, path, pick, out, &need, shape);
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
        tt_texture_free(out);
        return tt_fail(TT_ERR_LIMIT, "%s: %ux%u exceeds the image limit of %ux%u, %llu pixels (raise with --max-size)",
                       path, w, h, limits->max_dimension, limits->max_dimension,
                       (unsigned long long)limits->max_pixels);
    }
    return TT_OK;
}

/* ---- Writing options: Zstandard supercompression (KTX2 only) ---- */
void tt_save_options_init(tt_save_options *opts)
{
    if (opts) memset(opts, 0, sizeof *opts);
}

tt_status tt_texture_write_memory_opts(tt_container container, const tt_texture *t, const tt_save_options *opts,
                                       uint8_t **out, size_t *out_size)
{
    if (out) *out = NULL;
    if (out_size) *out_size = 0;
    int zstd_level = opts ? opts->zstd_level : 0;
    if (zstd_level < 0 || zstd_level > TT_ZSTD_LEVEL_MAX)
        return tt_fail(TT_ERR_INVALID_ARG, "zstd level %d is invalid (1..%d, 0 = none)", zstd_level,
                       TT_ZSTD_LEVEL_MAX);
    if (container == TT_CONTAINER_DDS) {
        if (zstd_level != 0)
            return tt_fail(TT_ERR_INVALID_ARG,
                           "DDS has no supercompression: zstd level %d needs a KTX2 output (.ktx2)", zstd_level);
        return tt_dds_write_memory(t, out, out_size);
    }
    if (container == TT_CONTAINER_KTX2) return tt_ktx2_write_memory_zstd(t, zstd_level, out, out_size);
    return tt_fail(TT_ERR_INVALID_ARG, "tt_texture_write_memory: unknown container %d", (int)container);
}

tt_status tt_texture_save_opts(const char *path, tt_container container, const tt_texture *t,
                               const tt_save_options *opts)
{
    if (!path) return tt_fail(TT_ERR_INVALID_ARG, "tt_texture_save: no path");
    if (container != TT_CONTAINER_DDS && container != TT_CONTAINER_KTX2)
        return tt_fail(TT_ERR_INVALID_ARG, "%s: unknown container %d", path, (int)container);
    uint8_t *bytes = NULL;
    size_t size = 0;
    tt_status s = tt_texture_write_memory_opts(container, t, opts, &bytes, &size);
    if (s != TT_OK) return tt_fail(s, "%s: %s", path, tt_last_error());
    s = tt_write_file_atomic(path, bytes, size);
    free(bytes);
    return s;
}
