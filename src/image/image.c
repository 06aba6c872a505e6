/* image.c - image loading (stb_image, checked against size limits before decoding) into RGBA8, and atomic PNG output. */
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image.h>
#include <stb_image_write.h>

#include "tinytex.h"
#include "core/tt_bytes.h"
#include "image/tt_image_check.h"

#define TT_DEFAULT_MAX_DIMENSION 16384u
#define TT_DEFAULT_MAX_PIXELS (1ull << 28)

void tt_image_limits_init(tt_image_limits *limits)
{
    if (!limits) return;
    limits->max_dimension = TT_DEFAULT_MAX_DIMENSION;
    limits->max_pixels = TT_DEFAULT_MAX_PIXELS;
}

tt_status tt_image_alloc(tt_image *img, uint32_t width, uint32_t height)
{
    if (!img) return tt_fail(TT_ERR_INVALID_ARG, "tt_image_alloc: no image");
    memset(img, 0, sizeof *img);
    if (width == 0 || height == 0)
        return tt_fail(TT_ERR_INVALID_ARG, "image size %ux%u is empty", width, height);
    uint64_t pixels = (uint64_t)width * height; /* cannot overflow: both < 2^32 */
    if (pixels > SIZE_MAX / 4)
        return tt_fail(TT_ERR_LIMIT, "image size %ux%u is too large for this machine", width, height);
    img->rgba = calloc((size_t)pixels, 4);
    if (!img->rgba)
        return tt_fail(TT_ERR_NOMEM, "cannot allocate a %ux%u image (%llu bytes)", width, height,
                       (unsigned long long)pixels * 4);
    img->width = width;
    img->height = height;
    img->source_channels = 4;
    img->source_bits = 8;
    return TT_OK;
}

void tt_image_free(tt_image *img)
{
    if (!img) return;
    free(img->rgba);
    memset(img, 0, sizeof *img);
}

int tt_image_has_alpha(const tt_image *img)
{
    if (!img || !img->rgba) return 0;
    size_t n = (size_t)img->width * img->height;
    for (size_t i = 0; i < n; i++)
        if (img->rgba[i * 4 + 3] != 255) return 1;
    return 0;
}

static tt_status check_limits(const char *name, uint64_t w, uint64_t h, const tt_image_limits *lim)
{
    if (w > lim->max_dimension || h > lim->max_dimension)
        return tt_fail(TT_ERR_LIMIT, "%s: %llux%llu exceeds the image limit of %ux%u (raise with --max-size)",
                       name, (unsigned long long)w, (unsigned long long)h, lim->max_dimension,
                       lim->max_dimension);
    if (w * h > lim->max_pixels)
        return tt_fail(TT_ERR_LIMIT, "%s: %llux%llu (%llu pixels) exceeds the limit of %llu pixels (raise with --max-size)",
                       name, (unsigned long long)w, (unsigned long long)h,
                       (unsigned long long)(w * h), (unsigned long long)lim->max_pixels);
    return TT_OK;
}

static uint8_t unit_float_to_u8(float v)
{
    /* HDR tone mapping as documented: clamp to [0,1], scale by 255, round.
     * NaN compares false everywhere and ends up 0. */
    if (!(v > 0.0f)) return 0;
    if (v >= 1.0f) return 255;
    return (uint8_t)lrintf(v * 255.0f);
}

/* stb_image 2.27 (Debian 12's libstb) returns 16-bit PNM samples in file
 * byte order instead of host order (PNM stores them big-endian); later
 * releases fix it. Probe the linked library once with a 1x1 PGM holding
 * 0x0102 rather than guessing from a version number. */
static pthread_once_t pnm16_probe_once = PTHREAD_ONCE_INIT;
static int pnm16_byteswapped;

static void pnm16_probe(void)
{
    static const uint8_t pgm[] = {'P', '5', '\n', '1', ' ', '1', '\n', '6', '5', '5', '3', '5', '\n', 0x01, 0x02};
    int w, h, c;
    stbi_us *v = stbi_load_16_from_memory(pgm, (int)sizeof pgm, &w, &h, &c, 0);
    pnm16_byteswapped = v && v[0] == 0x0201;
    stbi_image_free(v);
}

static int is_pnm(const uint8_t *data, size_t size)
{
    return size >= 2 && data[0] == 'P' && (data[1] == '5' || data[1] == '6');
}

/* Round to nearest: v * 255 / 65535 (stb itself truncates with >> 8). */
static uint8_t u16_to_u8(uint16_t v)
{
    return (uint8_t)(((uint32_t)v * 255u + 32767u) / 65535u);
}

/* stb_image reallocates its IDAT buffer to whatever length a chunk claims
 * (up to 2^31 bytes) before finding the data missing, so a 100-byte PNG
 * costs a gigabyte allocation. Walk the chunk list first and refuse lengths
 * above the PNG limit (2^31 - 1) or more than 1 MiB past the end of the file;
 * smaller shortfalls are left to stb, which reports them as truncation and
 * cannot allocate more than a MiB beyond the file's size for them. */
#define PNG_MAX_MISSING_BYTES (1u << 20)
tt_status tt_png_check_chunks(const uint8_t *data, size_t size, const char *name)
{
    static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (!data || size < 8 || memcmp(data, png_sig, 8) != 0) return TT_OK; /* not a PNG: nothing to check */
    if (!name) name = "<memory>";
    size_t pos = 8;
    while (size - pos >= 8) { /* a chunk's length and type are there */
        uint32_t len = tt_get_be32(data + pos);
        size_t left = size - pos - 8; /* its data and CRC that are there */
        if (len > 0x7FFFFFFFu || (len > left && len - left > PNG_MAX_MISSING_BYTES)) {
            char type[5];
            for (int i = 0; i < 4; i++) {
                uint8_t c = data[pos + 4 + i];
                type[i] = (c >= 32 && c < 127) ? (char)c : '?';
            }
            type[4] = '\0';
            return tt_fail(TT_ERR_FORMAT,
                           "%s: not a supported image (PNG chunk '%s' claims %u bytes, the file has %zu left)", name,
                           type, len, left);
        }
        if ((uint64_t)len + 4 > left || memcmp(data + pos + 4, "IEND", 4) == 0) break;
        pos += 12 + (size_t)len;
    }
    return TT_OK;
}

/* The format the first bytes announce (stb_image's loaders, by their signatures), or NULL; TGA has none. */
const char *tt_image_format_name(const uint8_t *data, size_t size)
{
    static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (!data) return NULL;
    if (size >= 8 && memcmp(data, png_sig, 8) == 0) return "PNG";
    if (size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return "JPEG";
    if (size >= 6 && (memcmp(data, "GIF87a", 6) == 0 || memcmp(data, "GIF89a", 6) == 0)) return "GIF";
    if (size >= 2 && data[0] == 'B' && data[1] == 'M') return "BMP";
    if (size >= 4 && memcmp(data, "8BPS", 4) == 0) return "PSD";
    if (size >= 6 && (memcmp(data, "#?RADIANCE", size < 10 ? size : 10) == 0 || memcmp(data, "#?RGBE", 6) == 0))
        return "HDR";
    if (size >= 2 && data[0] == 'P' && (data[1] == '5' || data[1] == '6')) return "PNM";
    if (size >= 4 && data[0] == 0x53 && data[1] == 0x80 && data[2] == 0xF6 && data[3] == 0x34) return "PIC";
    return NULL;
}

/* One line for a decoder failure: the format from the signature (not the name), what stb_image said, and what
 * that means where it is known. */
static tt_status decode_failure(const char *name, const uint8_t *data, size_t size, const char *why)
{
    if (!why) why = "unknown reason";
    const char *format = tt_image_format_name(data, size);
    if (!format)
        return tt_fail(TT_ERR_FORMAT, "%s: not a supported image: no PNG, JPEG, GIF, BMP, PSD, HDR, PNM or PIC "
                       "signature, and not a valid TGA (stb_image: %s)", name, why);
    static const char *const ends_early[] = {"outofdata", "expected marker", "no SOF", "bad huffman code",
                                             "bad zlib header", "bad compression", "no IDAT", "not enough pixels",
                                             "bad EOB", "bad delta", "unexpected end", "bad codelengths"};
    const char *meaning = "the file is corrupt or a variant the decoder does not read";
    for (size_t i = 0; i < sizeof ends_early / sizeof ends_early[0]; i++)
        if (strcmp(why, ends_early[i]) == 0) meaning = "the file is truncated or corrupt";
    if (strcmp(why, "outofdata") == 0) meaning = "the data ends early: the file is truncated";
    return tt_fail(TT_ERR_FORMAT, "%s: %s decoder failed: %s (stb_image: %s)", name, format, meaning, why);
}

tt_status tt_image_load_memory(const uint8_t *data, size_t size, const char *name,
                               const tt_image_limits *limits, tt_image *out)
{
    return tt_image_load_memory_report(data, size, name, limits, out, NULL);
}

tt_status tt_image_load_memory_report(const uint8_t *data, size_t size, const char *name,
                                      const tt_image_limits *limits, tt_image *out, tt_image_conversion *conv)
{
    if (conv) memset(conv, 0, sizeof *conv);
    if (!out) return tt_fail(TT_ERR_INVALID_ARG, "tt_image_load_memory: no output image");
    memset(out, 0, sizeof *out);
    if (!name) name = "<memory>";
    if (!data && size) return tt_fail(TT_ERR_INVALID_ARG, "%s: no data", name);
    tt_image_limits defaults;
    if (!limits) {
        tt_image_limits_init(&defaults);
        limits = &defaults;
    }
    if (size == 0) return tt_fail(TT_ERR_FORMAT, "%s: not a supported image (empty file)", name);
    if (size > INT_MAX)
        return tt_fail(TT_ERR_LIMIT, "%s: file of %zu bytes is too large for the image decoder (2 GiB)",
                       name, size);
    int len = (int)size;

    /* stb_image's own info call already refuses PNGs above ~2^30 bytes of
     * pixels with a terse "too large"; read the IHDR ourselves first so the
     * message states the real size and the configured limit. */
    static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (size >= 24 && memcmp(data, png_sig, 8) == 0 && memcmp(data + 12, "IHDR", 4) == 0) {
        tt_status s = check_limits(name, tt_get_be32(data + 16), tt_get_be32(data + 20), limits);
        if (s != TT_OK) return s;
    }
    tt_status chunks_ok = tt_png_check_chunks(data, size, name);
    if (chunks_ok != TT_OK) return chunks_ok;

    int w = 0, h = 0, comp = 0;
    if (!stbi_info_from_memory(data, len, &w, &h, &comp)) {
        const char *why = stbi_failure_reason();
        if (!why) why = "unknown reason";
        if (strcmp(why, "too large") == 0)
            return tt_fail(TT_ERR_LIMIT, "%s: image too large for the decoder (stb: %s)", name, why);
        if (tt_image_format_name(data, size)) {
            /* stbi_info tries every format in turn, so its reason is the last one's (a JPEG with a bad header
             * reads "unknown image type"); the loader goes by the signature, so its reason is the format's own.
             * It stops in the same header, before allocating pixels. */
            stbi_set_flip_vertically_on_load_thread(0);
            int lw, lh, lc;
            stbi_uc *again = stbi_load_from_memory(data, len, &lw, &lh, &lc, 4);
            if (again) stbi_image_free(again);
            else why = stbi_failure_reason() ? stbi_failure_reason() : why;
        }
        return decode_failure(name, data, size, why);
    }
    if (w <= 0 || h <= 0)
        return tt_fail(TT_ERR_FORMAT, "%s: not a supported image (size %dx%d)", name, w, h);
    tt_status s = check_limits(name, (uint64_t)w, (uint64_t)h, limits);
    if (s != TT_OK) return s;

    int is_hdr = stbi_is_hdr_from_memory(data, len);
    int is_16 = !is_hdr && stbi_is_16_bit_from_memory(data, len);
    /* The flip flag is process-global in stb_image; make this thread's load
     * independent of whatever another caller set. */
    stbi_set_flip_vertically_on_load_thread(0);

    int lw = 0, lh = 0, lcomp = 0;
    void *pixels;
    if (is_hdr)
        pixels = stbi_loadf_from_memory(data, len, &lw, &lh, &lcomp, 4);
    else if (is_16)
        /* Native channel count: this stb_image release (2.27) converts 16-bit
         * PNM channels with its 8-bit routine, garbling e.g. grey -> RGBA, so
         * the expansion to RGBA is done below instead. */
        pixels = stbi_load_16_from_memory(data, len, &lw, &lh, &lcomp, 0);
    else
        pixels = stbi_load_from_memory(data, len, &lw, &lh, &lcomp, 4);
    if (!pixels) return decode_failure(name, data, size, stbi_failure_reason());
    if (lw != w || lh != h) {
        stbi_image_free(pixels);
        return tt_fail(TT_ERR_FORMAT, "%s: header says %dx%d but the decoder produced %dx%d", name,
                       w, h, lw, lh);
    }

    s = tt_image_alloc(out, (uint32_t)w, (uint32_t)h);
    if (s != TT_OK) {
        stbi_image_free(pixels);
        return tt_fail(s, "%s: %s", name, tt_last_error());
    }
    size_t n = (size_t)w * (size_t)h * 4;
    if (is_hdr) {
        const float *f = pixels;
        uint64_t below = 0, above = 0;
        float lo = f[0], hi = f[0];
        for (size_t i = 0; i < n; i++) {
            out->rgba[i] = unit_float_to_u8(f[i]);
            if (i % 4 == 3) continue; /* stb adds alpha 1.0 to HDR's RGB: not the user's data */
            if (!(f[i] >= 0.0f)) below++; /* NaN too */
            else if (f[i] > 1.0f) above++;
            if (f[i] < lo) lo = f[i];
            if (f[i] > hi) hi = f[i];
        }
        if (conv) {
            conv->values = (uint64_t)w * (uint64_t)h * 3;
            conv->clipped_below = below;
            conv->clipped_above = above;
            conv->min = lo;
            conv->max = hi;
        }
        out->source_bits = 32;
    } else if (is_16) {
        if (lcomp < 1 || lcomp > 4) {
            stbi_image_free(pixels);
            tt_image_free(out);
            return tt_fail(TT_ERR_FORMAT, "%s: not a supported image (%d channels)", name, lcomp);
        }
        if (is_pnm(data, size)) {
            pthread_once(&pnm16_probe_once, pnm16_probe);
            if (pnm16_byteswapped) {
                uint16_t *q = pixels;
                size_t samples = (size_t)w * (size_t)h * (size_t)lcomp;
                for (size_t i = 0; i < samples; i++) q[i] = (uint16_t)((q[i] >> 8) | (q[i] << 8));
            }
        }
        const uint16_t *p = pixels;
        size_t count = (size_t)w * (size_t)h;
        for (size_t i = 0; i < count; i++, p += lcomp) {
            uint16_t r, g, b, a = 65535;
            if (lcomp <= 2) {
                r = g = b = p[0];
                if (lcomp == 2) a = p[1];
            } else {
                r = p[0], g = p[1], b = p[2];
                if (lcomp == 4) a = p[3];
            }
            out->rgba[i * 4 + 0] = u16_to_u8(r);
            out->rgba[i * 4 + 1] = u16_to_u8(g);
            out->rgba[i * 4 + 2] = u16_to_u8(b);
            out->rgba[i * 4 + 3] = u16_to_u8(a);
        }
        out->source_bits = 16;
    } else {
        memcpy(out->rgba, pixels, n);
        out->source_bits = 8;
    }
    stbi_image_free(pixels);
    out->source_channels = (comp >= 1 && comp <= 4) ? comp : lcomp;
    if (conv) conv->source_bits = out->source_bits;
    return TT_OK;
}

tt_status tt_image_load(const char *path, const tt_image_limits *limits, tt_image *out)
{
    return tt_image_load_report(path, limits, out, NULL);
}

tt_status tt_image_load_report(const char *path, const tt_image_limits *limits, tt_image *out,
                               tt_image_conversion *conv)
{
    if (conv) memset(conv, 0, sizeof *conv);
    if (!out) return tt_fail(TT_ERR_INVALID_ARG, "tt_image_load: no output image");
    memset(out, 0, sizeof *out);
    if (!path) return tt_fail(TT_ERR_INVALID_ARG, "tt_image_load: no path");
    tt_image_limits defaults;
    if (!limits) {
        tt_image_limits_init(&defaults);
        limits = &defaults;
    }
    /* Uncompressed formats (BMP, PNM, TGA, 16-bit) can be up to ~8 bytes per
     * pixel plus headers; stb_image cannot take more than INT_MAX anyway. */
    uint64_t max_file = INT_MAX;
    if (limits->max_pixels < (INT_MAX - (16ull << 20)) / 8) /* else the product could wrap */
        max_file = limits->max_pixels * 8ull + (16ull << 20);
    uint8_t *data = NULL;
    size_t size = 0;
    tt_status s = tt_read_file(path, (size_t)max_file, &data, &size);
    if (s != TT_OK) return s;
    s = tt_image_load_memory_report(data, size, path, limits, out, conv);
    free(data);
    return s;
}

/* ------------------------------------------------------------------------ */
tt_status tt_image_save_png(const char *path, const tt_image *img)
{
    if (!path) return tt_fail(TT_ERR_INVALID_ARG, "tt_image_save_png: no path");
    if (!img || !img->rgba || img->width == 0 || img->height == 0)
        return tt_fail(TT_ERR_INVALID_ARG, "%s: no image to write", path);
    if (img->width > INT_MAX / 4 || img->height > INT_MAX)
        return tt_fail(TT_ERR_LIMIT, "%s: %ux%u is too large for the PNG writer", path, img->width,
                       img->height);
    tt_bytes b = {0};
    int ok = stbi_write_png_to_func(tt_bytes_stb_append, &b, (int)img->width, (int)img->height, 4,
                                    img->rgba, (int)(img->width * 4));
    if (!ok || b.failed || b.size == 0) {
        free(b.data);
        return tt_fail(TT_ERR_NOMEM, "%s: PNG encoding failed (out of memory?)", path);
    }
    tt_status s = tt_write_file_atomic(path, b.data, b.size);
    free(b.data);
    return s;
}
