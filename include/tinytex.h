/* tinytex.h - public API of libtinytex: status codes, images, metrics, BC7, containers. */
#ifndef TINYTEX_H
#define TINYTEX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TT_VERSION_MAJOR 0
#define TT_VERSION_MINOR 1
#define TT_VERSION_PATCH 0
#define TT_VERSION_STRING "0.1.0"

/* ------------------------------------------------------------------------ */
/* Status codes. Every fallible library call returns one; the human-readable
 * detail (file name and reason) is kept per thread in tt_last_error(). */
typedef enum {
    TT_OK = 0,
    TT_ERR_INVALID_ARG,    /* caller passed something impossible */
    TT_ERR_IO,             /* open/read/write/rename failed */
    TT_ERR_FORMAT,         /* input bytes are not a valid file of the expected kind */
    TT_ERR_UNSUPPORTED,    /* valid, but a variant tinytex does not handle */
    TT_ERR_LIMIT,          /* exceeds a configured size or memory limit */
    TT_ERR_NOMEM,          /* host allocation failed */
    TT_ERR_VULKAN,         /* Vulkan call failed */
    TT_ERR_NO_DEVICE,      /* no usable Vulkan device */
    TT_ERR_DEVICE_MEMORY,  /* out of GPU memory */
    TT_ERR_DEVICE_LOST,    /* the GPU was lost */
    TT_ERR_CHECKSUM,       /* stored checksum does not match */
    TT_ERR_INTERRUPTED,    /* cancelled by a signal */
    TT_STATUS_COUNT
} tt_status;

/* Short constant string for a status ("I/O error", ...). Never NULL. */
const char *tt_status_str(tt_status s);

/* Detail of the last error set on this thread, e.g.
 * "foo.png: not a supported image (bad PNG signature)". Empty if none. */
const char *tt_last_error(void);
/* Records a detail message (printf-style) and returns `s`, so library code
 * can write `return tt_fail(TT_ERR_IO, "%s: %s", path, strerror(errno));`. */
tt_status tt_fail(tt_status s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void tt_clear_error(void);

/* ------------------------------------------------------------------------ */
/* Images. Pixels are RGBA8, row-major, top row first, no padding. */
typedef struct {
    uint32_t width;
    uint32_t height;
    uint8_t *rgba;     /* width*height*4 bytes, owned; free with tt_image_free */
    int source_channels; /* channels in the file before expansion (1..4) */
    int source_bits;     /* 8 or 16 (32 for HDR) */
} tt_image;

typedef struct {
    uint64_t max_pixels;     /* refuse images with more pixels than this */
    uint32_t max_dimension;  /* refuse width or height above this */
} tt_image_limits;

/* Defaults: 16384 x 16384 max dimension, 2^28 pixels. */
void tt_image_limits_init(tt_image_limits *limits);

/* Loads PNG, JPEG, TGA, BMP, PSD, GIF (first frame), HDR, PNM through stb_image
 * into RGBA8. Dimensions are checked against `limits` (NULL = defaults)
 * before pixel memory is allocated. */
tt_status tt_image_load(const char *path, const tt_image_limits *limits, tt_image *out);
tt_status tt_image_load_memory(const uint8_t *data, size_t size, const char *name,
                               const tt_image_limits *limits, tt_image *out);
/* Allocates a zeroed RGBA8 image (checks overflow). */
tt_status tt_image_alloc(tt_image *img, uint32_t width, uint32_t height);
void tt_image_free(tt_image *img);
/* 1 if any alpha byte is not 255. */
int tt_image_has_alpha(const tt_image *img);
/* Writes a PNG atomically (temporary file in the same folder, then rename). */
tt_status tt_image_save_png(const char *path, const tt_image *img);

/* ------------------------------------------------------------------------ */
/* Metrics, exactly as SPEC.md defines PSNR: values / 255, MSE over all pixels
 * and the R,G,B channels, PSNR = 10 log10(1 / MSE). Identical images give
 * +INFINITY. */
typedef struct {
    double mse_rgb, mse_rgba;
    double psnr_rgb, psnr_rgba;
    int max_abs_err_rgb;   /* 0..255 */
    int max_abs_err_rgba;
    int has_alpha;         /* either image has alpha != 255 somewhere */
} tt_metrics;

tt_status tt_compare_images(const tt_image *a, const tt_image *b, tt_metrics *out);
double tt_psnr_from_mse(double mse);

/* ------------------------------------------------------------------------ */
/* Atomic file output: write to "<path>.tmp-XXXXXX" in the same folder, then
 * rename over `path`. Interrupted runs leave nothing behind (the temporary
 * name is registered and removed by the CLI's signal handler). */
typedef struct tt_atomic_file tt_atomic_file;
tt_status tt_atomic_open(const char *path, tt_atomic_file **out);
tt_status tt_atomic_write(tt_atomic_file *f, const void *data, size_t size);
/* Commits (fsync-less rename). On failure the temporary file is removed. */
tt_status tt_atomic_commit(tt_atomic_file *f);
/* Discards the temporary file. Safe on NULL. */
void tt_atomic_abort(tt_atomic_file *f);
/* Convenience: whole buffer to `path`, atomically. */
tt_status tt_write_file_atomic(const char *path, const void *data, size_t size);
/* Reads a whole regular file; refuses directories and files above max_size. */
tt_status tt_read_file(const char *path, size_t max_size, uint8_t **data, size_t *size);
/* Removes every temporary file still open (for signal handlers: async-safe). */
void tt_atomic_cleanup_all(void);
/* The same for a handler that then ends the process: from this call on no temporary file is created, and a file
 * that another thread is creating at this instant is waited for and removed too (the handler may run on any
 * thread that does not block the signal, while the creating thread blocks it). Async-signal-safe. */
void tt_atomic_cleanup_exit(void);

#ifdef __cplusplus
}
#endif
#endif /* TINYTEX_H */
