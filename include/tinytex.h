/* tinytex.h - public API of libtinytex: status codes, images, metrics, GPU context, BC7 textures and containers, neural models. */
#ifndef TINYTEX_H
#define TINYTEX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Marks the functions libtinytex.so exports: the library is compiled with -fvisibility=hidden, so its internal
 * functions stay out of the shared library's symbol table. */
#if defined(__GNUC__) || defined(__clang__)
#define TT_API __attribute__((visibility("default")))
#else
#define TT_API
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
    TT_ERR_CANCELLED,      /* cancelled by the caller's progress callback */
    TT_STATUS_COUNT
} tt_status;

/* Short constant string for a status ("I/O error", ...). Never NULL. */
TT_API const char *tt_status_str(tt_status s);

/* Detail of the last error set on this thread, e.g.
 * "foo.png: not a supported image (bad PNG signature)". Empty if none. */
TT_API const char *tt_last_error(void);
/* Records a detail message (printf-style) and returns `s`, so library code
 * can write `return tt_fail(TT_ERR_IO, "%s: %s", path, strerror(errno));`. */
TT_API tt_status tt_fail(tt_status s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
TT_API void tt_clear_error(void);

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
TT_API void tt_image_limits_init(tt_image_limits *limits);

/* Loads PNG, JPEG, TGA, BMP, PSD, GIF (first frame), HDR, PNM through stb_image
 * into RGBA8. Dimensions are checked against `limits` (NULL = defaults)
 * before pixel memory is allocated. */
TT_API tt_status tt_image_load(const char *path, const tt_image_limits *limits, tt_image *out);
TT_API tt_status tt_image_load_memory(const uint8_t *data, size_t size, const char *name,
                               const tt_image_limits *limits, tt_image *out);
/* Allocates a zeroed RGBA8 image (checks overflow). */
TT_API tt_status tt_image_alloc(tt_image *img, uint32_t width, uint32_t height);
TT_API void tt_image_free(tt_image *img);
/* 1 if any alpha byte is not 255. */
TT_API int tt_image_has_alpha(const tt_image *img);
/* Writes a PNG atomically (temporary file in the same folder, then rename). */
TT_API tt_status tt_image_save_png(const char *path, const tt_image *img);

/* ------------------------------------------------------------------------ */
/* Metrics, exactly as docs/algorithms.md (PSNR) defines it: values / 255, MSE over all pixels
 * and the R,G,B channels, PSNR = 10 log10(1 / MSE). Identical images give
 * +INFINITY. */
typedef struct {
    double mse_rgb, mse_rgba;
    double psnr_rgb, psnr_rgba;
    int max_abs_err_rgb;   /* 0..255 */
    int max_abs_err_rgba;
    int has_alpha;         /* either image has alpha != 255 somewhere */
} tt_metrics;

TT_API tt_status tt_compare_images(const tt_image *a, const tt_image *b, tt_metrics *out);
TT_API double tt_psnr_from_mse(double mse);
/* Normal maps: the angle in degrees between the vectors (2 c / 255 - 1 per RGB channel, each normalised) of
 * every texel of `ref` and `test` (same size); mean and maximum. A zero vector counts as 90 degrees off. */
TT_API tt_status tt_normal_angle_error(const tt_image *ref, const tt_image *test, double *mean_deg, double *max_deg);

/* ------------------------------------------------------------------------ */
/* Atomic file output: write to "<path>.tmp-XXXXXX" in the same folder, then
 * rename over `path`. Interrupted runs leave nothing behind (the temporary
 * name is registered and removed by the CLI's signal handler). */
typedef struct tt_atomic_file tt_atomic_file;
TT_API tt_status tt_atomic_open(const char *path, tt_atomic_file **out);
TT_API tt_status tt_atomic_write(tt_atomic_file *f, const void *data, size_t size);
/* Commits (fsync-less rename). On failure the temporary file is removed. */
TT_API tt_status tt_atomic_commit(tt_atomic_file *f);
/* Discards the temporary file. Safe on NULL. */
TT_API void tt_atomic_abort(tt_atomic_file *f);
/* Convenience: whole buffer to `path`, atomically. */
TT_API tt_status tt_write_file_atomic(const char *path, const void *data, size_t size);
/* Reads a whole regular file; refuses directories and files above max_size. */
TT_API tt_status tt_read_file(const char *path, size_t max_size, uint8_t **data, size_t *size);
/* Removes every temporary file still open (for signal handlers: async-safe). */
TT_API void tt_atomic_cleanup_all(void);
/* The same for a handler that then ends the process: from this call on no temporary file is created, and a file
 * that another thread is creating at this instant is waited for and removed too (the handler may run on any
 * thread that does not block the signal, while the creating thread blocks it). Async-signal-safe. */
TT_API void tt_atomic_cleanup_exit(void);

/* ========================================================================== *
 * Library API above the image core. No Vulkan types appear here.
 *
 * Ownership: every object a tt_*_create / *_load / *_train call returns is the
 * caller's and is freed with the matching *_destroy / *_free; objects passed
 * in are only read and may be freed after the call returns.
 *
 * Thread safety: the error detail (tt_last_error) is per thread. A tt_context
 * may be used by one thread at a time (callers serialise, e.g. with a mutex);
 * distinct contexts are independent. tt_image, tt_texture and tt_model values
 * are plain data: concurrent readers are fine, a writer needs exclusive use.
 * Functions without a context (load, save, CPU decode, compare) are
 * thread-safe on distinct arguments.
 * ========================================================================== */

/* ------------------------------------------------------------------------ */
/* GPU context: one Vulkan device (a real GPU, or lavapipe on the CPU), its
 * queues and the compute pipelines built on it (cached for the context's
 * life, so encoding many images builds each pipeline once). */
typedef struct tt_context tt_context;

typedef struct {
    int device;                /* index as listed by tt_device_list; -1 = pick: discrete GPU, then integrated,
                                  virtual, CPU (default -1) */
    int validation;            /* 1 = enable VK_LAYER_KHRONOS_validation when installed (default 0) */
    int cooperative_matrix;    /* 1 = use VK_NV_cooperative_matrix where offered (default 1) */
    int push_descriptors;      /* 1 = use VK_KHR_push_descriptor where offered (default 1) */
    int pipeline_stats;        /* 1 = print pipeline statistics (registers, spills) to stderr (default 0) */
    const char *pipeline_cache_path; /* file that keeps compiled pipelines between processes (read at creation,
                                        written at destroy when pipelines were built; a corrupt or foreign file is
                                        ignored), or NULL = none (default); copied at creation */
} tt_context_config;

TT_API void tt_context_config_init(tt_context_config *config);
TT_API tt_status tt_context_config_validate(const tt_context_config *config);
/* config may be NULL (defaults). With no usable device: TT_ERR_NO_DEVICE and a message naming the package to
 * install. */
TT_API tt_status tt_context_create(const tt_context_config *config, tt_context **out);
TT_API void tt_context_destroy(tt_context *ctx);   /* safe on NULL */

typedef enum { TT_DEVICE_OTHER = 0, TT_DEVICE_INTEGRATED_GPU, TT_DEVICE_DISCRETE_GPU, TT_DEVICE_VIRTUAL_GPU,
               TT_DEVICE_CPU } tt_device_type;

typedef struct {
    char name[256];
    char driver[256];
    tt_device_type type;
    uint32_t vendor_id, device_id;
    uint32_t api_version;        /* Vulkan version, VK_MAKE_API_VERSION layout */
    uint64_t memory_bytes;       /* largest device-local heap */
} tt_device_info;

/* Lists the devices (info may be NULL to count; at most `max` are written). */
TT_API tt_status tt_device_list(tt_device_info *info, uint32_t max, uint32_t *count);
/* The device a context runs on. */
TT_API tt_status tt_context_device(const tt_context *ctx, tt_device_info *out);

/* ------------------------------------------------------------------------ */
/* BC7 textures. Blocks are 16 bytes, ceil(w/4) x ceil(h/4) per level,
 * row-major. All levels live in one allocation, level 0 first. */
#define TT_MAX_LEVELS 17   /* 65536 x 65536 down to 1 x 1 */

typedef enum { TT_CONTAINER_DDS, TT_CONTAINER_KTX2 } tt_container;

typedef struct {
    uint32_t width, height;      /* pixels */
    size_t offset, size;         /* bytes in tt_texture.data */
} tt_texture_level;

typedef struct {
    uint32_t width, height;      /* level 0, pixels */
    int srgb;                    /* 1 = BC7_UNORM_SRGB / VK_FORMAT_BC7_SRGB_BLOCK */
    int premultiplied;           /* 1 = colour premultiplied by alpha (DDS alpha mode 2; KTX2 DFD flag
                                    KHR_DF_FLAG_ALPHA_PREMULTIPLIED) */
    uint32_t supercompression;   /* KTX2 supercompressionScheme of a file read (0 none, 2 Zstandard); writing
                                    takes it from tt_save_options */
    uint8_t *data;               /* all levels' blocks, owned; free with tt_texture_free */
    size_t data_size;
    uint32_t level_count;        /* >= 1 */
    tt_texture_level levels[TT_MAX_LEVELS];
} tt_texture;

TT_API void tt_texture_free(tt_texture *t);   /* safe on a zeroed texture */

/* BC7 encoder settings, shared by the GPU encoder and its C reference. tt_bc7_config_init gives the `medium`
 * preset; tt_bc7_config_preset sets the search fields of another (modes, refine, good_enough, nm_iterations,
 * refit, partitions, polish_passes, index_trials, full_mode6, joint_steps, lean_search, final_trials) and leaves srgb, alpha_weight, perceptual, loose_alpha and
 * alpha_test alone. docs/bc7.md lists what each preset
 * searches. */
typedef struct {
    unsigned modes;              /* bit m = BC7 mode m may be emitted; mode 6 is always tried */
    int refine;                  /* 1 = Nelder-Mead after PCA */
    float good_enough;           /* skip refinement if the PCA fit's loss <= this */
    int nm_iterations;           /* Nelder-Mead iterations */
    int refit;                   /* 1 = least-squares endpoint refit + p-bit search, and the modes other than 6 */
    int partitions;              /* multi-subset partitions fully encoded per mode, 1..16 */
    int polish_passes;           /* greedy +-1 endpoint passes after the least-squares refit, 1..4 */
    int index_trials;            /* multi-subset modes: least-squares refits from perturbed indices, 0..3 (0: none; 1: the
                                    lowest and highest index moved in; 2, 3: also the indices rescaled, 9 or 16 ways) */
    int full_mode6;              /* 1 = mode 6 keeps its second (principal-axis) start and every polish pass on opaque
                                    blocks that two-subset modes will also try (0: one pass, one start) */
    int srgb;                    /* 1 = mark the output sRGB; the blocks are the same (default 0) */
    float alpha_weight;          /* weight of alpha error against colour error, 0..16 (default 1) */
    int perceptual;              /* 1 = luma-weighted RGB error (R 5 : G 9 : B 2), default 0 */
    int loose_alpha;             /* 1 = in an opaque image, mode 6 ignores alpha error and picks its p-bits freely, so
                                    alpha may decode 254 (bc7enc's rule); default 0: opaque input decodes alpha
                                    exactly 255. No effect on images with alpha. */
    float alpha_test;            /* < 0: off (default -1); else an alpha-test reference in [0, 1]: blocks where a
                                    texel decodes on the other side of alpha >= ref than the input are encoded again
                                    with that texel's alpha pushed away from ref, so cutouts keep their coverage */
    int joint_steps;             /* 1 = the endpoint polish also moves every channel of one endpoint together (and
                                    flips free p-bits): grey and smooth blocks gain, at about 1.4x the polish time;
                                    0 = channel by channel only (fastest) */
    int lean_search;             /* 1 = less search where it pays least (docs/bc7.md, "Presets", measures it): modes
                                    0-3 encode a quarter and mode 7 half of `partitions` (rounded up); modes 0, 3
                                    and 7 quantise each endpoint with the p-bit that rounds it best instead of
                                    trying all four pairs; opaque blocks with little error left after mode 6 that
                                    are not grey skip modes 0 and 2; 0 = the full search */
    int final_trials;            /* index trials (as index_trials, 0..3) and one more +-1 polish pass given to the
                                    block's final choice where that is mode 6 or a multi-subset mode: the search of
                                    every candidate can then be lighter (medium: index_trials 0, final_trials 3) */
} tt_bc7_config;

typedef enum {
    TT_BC7_PRESET_FASTEST = 0,   /* mode 6 only */
    TT_BC7_PRESET_FAST,
    TT_BC7_PRESET_MEDIUM,        /* the default */
    TT_BC7_PRESET_THOROUGH,
    TT_BC7_PRESET_EXHAUSTIVE
} tt_bc7_preset;

#define TT_BC7_MODES_ALL 0xFFu

TT_API void tt_bc7_config_init(tt_bc7_config *config);
TT_API tt_status tt_bc7_config_preset(tt_bc7_config *config, tt_bc7_preset preset);
/* "fastest", "fast", "medium", "thorough", "exhaustive"; NULL for an unknown value. */
TT_API const char *tt_bc7_preset_name(tt_bc7_preset preset);
TT_API tt_status tt_bc7_config_validate(const tt_bc7_config *config);

/* Encodes `img` to a one-level BC7 texture on the context's device. config may be NULL (defaults). gpu_ms (may be
 * NULL) receives the GPU time of the encode, or -1 where the device has no timestamps. */
TT_API tt_status tt_bc7_encode(tt_context *ctx, const tt_image *img, const tt_bc7_config *config, tt_texture *out,
                        double *gpu_ms);
/* The same on the CPU with the C reference encoder (slow; the blocks equal the GPU's). */
TT_API tt_status tt_bc7_encode_cpu(const tt_image *img, const tt_bc7_config *config, tt_texture *out);
/* Which encoder finishes a job of `blocks` 4x4 blocks (a mip chain: all its levels' blocks) with `config` first; the
 * blocks are the same either way. TT_BC7_ON_DEVICE: the context's device (tt_bc7_encode); else the C encoder
 * (tt_bc7_encode_cpu), because the job takes the C encoder under 30 ms on this machine's cores (a device's start-up
 * takes longer), because no GPU can be on this machine (ctx NULL: no GPU device node on Linux, and C is faster per
 * block than a CPU Vulkan device), or because the context's device is a CPU device (lavapipe) that, with its passes
 * still to compile, would finish later. ctx may be NULL (no device is created to decide). Figures behind the rule:
 * docs/bc7.md, "C encoder speed". */
typedef enum { TT_BC7_ON_DEVICE = 0, TT_BC7_C_SMALL_JOB, TT_BC7_C_NO_GPU, TT_BC7_C_CPU_DEVICE } tt_bc7_encoder_choice;
TT_API tt_bc7_encoder_choice tt_bc7_choose_encoder(const tt_context *ctx, uint64_t blocks, const tt_bc7_config *config);
/* Decodes one level to RGBA8 on the CPU. */
TT_API tt_status tt_texture_decode(const tt_texture *t, uint32_t level, tt_image *out);

/* Mip chains (levels i >= 1 of max(1, w >> i) x max(1, h >> i), the floor rule), filtered on the GPU by a compute
 * shader (tt_mip_build) or its C reference (tt_mip_build_cpu; same filter, results within 1 of the GPU's). Colour
 * is filtered weighted by alpha (premultiplied), so fully transparent texels give no colour to their neighbours;
 * stored colour is straight unless `premultiply`. */
typedef enum { TT_MIP_BOX = 0, TT_MIP_KAISER = 1, TT_MIP_LANCZOS = 2 } tt_mip_filter;
typedef struct {
    uint32_t levels;             /* levels including level 0; 0 = the full chain down to 1 x 1 (default) */
    tt_mip_filter filter;        /* default TT_MIP_KAISER */
    int srgb;                    /* 1 = the data are sRGB: filtered in linear light, stored sRGB (default 0) */
    int premultiply;             /* 1 = store colour premultiplied by alpha, level 0 too (default 0) */
    float alpha_coverage;        /* < 0: off (default); else an alpha-test reference in [0, 1]: alpha of every level
                                    i >= 1 is scaled so that the share of texels with alpha >= ref stays level 0's */
    int normal_map;              /* 1 = RGB holds a unit vector (2 c / 255 - 1): filtered vectors are renormalised
                                    (level 0 too) (default 0) */
} tt_mip_config;

TT_API void tt_mip_config_init(tt_mip_config *config);
TT_API tt_status tt_mip_config_validate(const tt_mip_config *config);
/* Levels of the full chain of a width x height image: floor(log2(max(w, h))) + 1. */
TT_API uint32_t tt_mip_full_count(uint32_t width, uint32_t height);
/* Builds the chain: levels[0..*count) (room for TT_MAX_LEVELS) are allocated, level 0 being `img` after the
 * level-0 steps (premultiply, renormalise); free each with tt_image_free. On error nothing is left allocated. */
TT_API tt_status tt_mip_build(tt_context *ctx, const tt_image *img, const tt_mip_config *config, tt_image *levels,
                              uint32_t *count);
TT_API tt_status tt_mip_build_cpu(const tt_image *img, const tt_mip_config *config, tt_image *levels,
                                  uint32_t *count);
/* Encodes levels[0..count) (each the floor-rule size of the one before) into one BC7 texture of `count` levels;
 * gpu_ms (may be NULL): the summed GPU time of the encodes, or -1. */
TT_API tt_status tt_bc7_encode_levels(tt_context *ctx, const tt_image *levels, uint32_t count,
                                      const tt_bc7_config *config, tt_texture *out, double *gpu_ms);
TT_API tt_status tt_bc7_encode_levels_cpu(const tt_image *levels, uint32_t count, const tt_bc7_config *config,
                                          tt_texture *out);

/* Containers. Save picks the container from the extension (.dds / .ktx2) and writes atomically. Load reads the
 * header first and refuses (before reading the payload) textures above `limits` (NULL = defaults). */
TT_API tt_status tt_texture_save(const char *path, const tt_texture *t);
TT_API tt_status tt_texture_save_as(const char *path, tt_container container, const tt_texture *t);
/* Writing options. zstd_level 1..22: KTX2 with supercompressionScheme 2 (each level its own Zstandard frame);
 * 0 (default): none. DDS has no supercompression: a zstd_level there is TT_ERR_INVALID_ARG. */
typedef struct {
    int zstd_level;
} tt_save_options;
TT_API void tt_save_options_init(tt_save_options *opts);
TT_API tt_status tt_texture_save_opts(const char *path, tt_container container, const tt_texture *t,
                                      const tt_save_options *opts);
TT_API tt_status tt_texture_write_memory_opts(tt_container container, const tt_texture *t,
                                              const tt_save_options *opts, uint8_t **out, size_t *out_size);
/* Reads a BC7 DDS or KTX2 file (by its magic) with all its mip levels. A texture array or cube map (several images)
 * is TT_ERR_UNSUPPORTED: one image is read at a time (the CLI's decode --layer/--face; docs/containers.md). */
TT_API tt_status tt_texture_load(const char *path, const tt_image_limits *limits, tt_texture *out);
/* In memory; *out is malloc'ed, free() it. */
TT_API tt_status tt_texture_write_memory(tt_container container, const tt_texture *t, uint8_t **out, size_t *out_size);
TT_API tt_status tt_texture_read_memory(const uint8_t *data, size_t size, const char *name, tt_texture *out);
/* 0 and *out set if `path` ends in .dds or .ktx2 (any case), else -1. */
TT_API int tt_container_from_path(const char *path, tt_container *out);

/* ------------------------------------------------------------------------ */
/* Neural models (.tnx files): a hash grid or a latent grid with a small
 * decoder network, trained per image on the GPU. A tt_model is the exact
 * bytes of a .tnx file with their parsed form: what tt_model_save writes is
 * what tt_model_decode rebuilds. */
typedef struct tt_model tt_model;

typedef enum { TT_MODEL_HASH = 1, TT_MODEL_LATENT = 2 } tt_model_kind;
typedef enum { TT_ACT_SIREN = 0, TT_ACT_GELU = 1, TT_ACT_SILU = 2, TT_ACT_RELU = 3 } tt_activation;
typedef enum { TT_LATENT_RAW = 0, TT_LATENT_PNG = 1, TT_LATENT_JPEG = 2, TT_LATENT_ENTROPY = 3 } tt_latent_storage;
/* Grid layouts: custom = ch_lo/scale_lo/ch_hi/scale_hi/hi_levels as set; low = lo 8 channels at 1/8 + 2 channels at
 * 1/4 and 1/2 (best under about 1 bpp); pyramid = lo 8 at 1/8 + 1 channel at 1/4, 1/2 and 1/1 (best above); coarse =
 * lo 8 at 1/16 + 2 channels at 1/8, 1/4 and 1/2 (best on some images around 0.5 bpp); auto = trains low, pyramid and
 * coarse and keeps the file of the lowest MSE + lambda * bpp (needs lambda or a target; three times the training
 * time). */
typedef enum {
    TT_LATENT_GRIDS_CUSTOM = 0, TT_LATENT_GRIDS_LOW = 1, TT_LATENT_GRIDS_PYRAMID = 2, TT_LATENT_GRIDS_AUTO = 3,
    TT_LATENT_GRIDS_COARSE = 4
} tt_latent_grids;
/* How each pixel samples the grids: bilinear (2x2 points) or bicubic (Catmull-Rom, 4x4 points: smoother features
 * for the same latents; docs/latent.md measures it), align-corners in both. */
typedef enum { TT_LATENT_UPSAMPLE_BILINEAR = 0, TT_LATENT_UPSAMPLE_BICUBIC = 1 } tt_latent_upsample;

/* Called every few hundred steps (and at the end of each stage) with the stage ("train", "finetune"), steps done
 * and the stage's total, and the last step's batch loss (MSE). Return non-zero to cancel: the call then returns
 * TT_ERR_CANCELLED and creates nothing. */
typedef int (*tt_progress_fn)(void *user, const char *stage, uint32_t done, uint32_t total, float loss);

typedef struct {
    /* model */
    uint32_t levels, features_per_level, log2_table_size, base_resolution, max_resolution; /* 16 2 12 16 512 */
    uint32_t hidden, depth;        /* decoder: 64 2 */
    tt_activation activation;      /* SIREN */
    float omega0;                  /* 30 */
    /* training */
    uint32_t steps, batch;         /* 5000 65536 */
    uint64_t seed;                 /* 0 */
    float lr_grid, lr_net;         /* 3e-2 1e-3 */
    int fp32;                      /* 1 = store parameters in fp32 (default 0: fp16) */
    tt_progress_fn progress;       /* may be NULL */
    void *progress_user;
} tt_hash_config;

typedef struct {
    /* model */
    uint32_t ch_lo, scale_lo, ch_hi, scale_hi;   /* 16 8 2 4 (ch_hi 0 = one scale) */
    uint32_t hi_levels;                          /* 1; 2..4: a pyramid of hi grids at scale_hi, scale_hi / 2, ...
                                                    (ch_hi channels each; scale_hi a multiple of 2^(hi_levels-1)) */
    tt_latent_grids grids;                       /* TT_LATENT_GRIDS_CUSTOM (the five fields above); another value
                                                    replaces them */
    uint32_t qat_bits, qat_start;                /* 8 500 (0 bits = no quantisation-aware training) */
    float qat_noise;                             /* training noise in quantisation steps (0) */
    /* rate (docs/latent.md, "Rate-aware training"): quant_step > 0 quantises every grid channel on multiples of it
     * instead of its min/max range; lambda > 0 trains on MSE + lambda * bits per pixel of the grids (needs qat_bits
     * and a step: with quant_step 0 it takes 1/32). With omega0 0 (the default) the SIREN frequency is 20 for
     * rate-aware training and 30 otherwise, as in the CLI (docs/rd.md measures why). */
    float quant_step;                            /* 0 */
    float lambda;                                /* 0 */
    /* rate control: with target_bpp > 0 (or target_psnr > 0; not both) tt_latent_train searches lambda (from lambda,
     * or 1e-3) by up to target_tries full trainings, each measured from its coded file (size, and PSNR RGB of the
     * image the device rebuilds from it), and returns the best try: of those whose file is at most target_bpp, the
     * one of highest PSNR; of those that reach target_psnr dB, the smallest file; when none meets the target, the
     * nearest one. The search stops early where lambda reaches its range (1e-7..1000).
     * tt_model_get_info reports the lambda and whether the target was met. quant_step 0 takes 1/32 here too. */
    float target_bpp, target_psnr;               /* 0 0 */
    uint32_t target_tries;                       /* 6 */
    uint32_t hidden, depth;                      /* 64 2 */
    tt_activation activation;                    /* SIREN */
    float omega0;                                /* 0 = automatic: 30, or 20 when lambda > 0 */
    /* training */
    uint32_t steps, batch;                       /* 5000 65536 */
    uint64_t seed;                               /* 0 */
    float lr;                                    /* 3e-3 */
    /* storage of the grids, and the decoder fine-tuning that follows a lossy one */
    tt_latent_storage storage;                   /* TT_LATENT_ENTROPY (lossless: the grids raw gives, smaller) */
    int rgb_pack;                                /* 1 = channels in threes as RGB images (default 0: grey tiles) */
    int jpeg_quality;                            /* 1..100 (85) */
    int finetune_steps;                          /* -1 = automatic (300 for JPEG, else 0) */
    float finetune_lr;                           /* 0 = lr / 10 */
    int fp32;                                    /* decoder parameters in fp32 (default 0: fp16) */
    int int8;                                    /* decoder parameters in int8, blocks of 64 with a scale each
                                                    (about half of fp16; default 0) */
    tt_progress_fn progress;                     /* may be NULL */
    void *progress_user;
    tt_latent_upsample upsample;                 /* how pixels sample the grids: TT_LATENT_UPSAMPLE_BICUBIC */
    int post_filter;                             /* 1 = fit a 3x3 filter over the decoded image's channels (least
                                                    squares, 190 bytes in the file) and keep it where it lowers
                                                    MSE + lambda * bpp; 0 = none (default 1) */
} tt_latent_config;

TT_API void tt_hash_config_init(tt_hash_config *config);
TT_API tt_status tt_hash_config_validate(const tt_hash_config *config);
TT_API void tt_latent_config_init(tt_latent_config *config);
TT_API tt_status tt_latent_config_validate(const tt_latent_config *config);

/* Trains a model of `img` on the context's device and codes it into .tnx bytes (for latent models with a lossy
 * storage, the decoder is then fine-tuned on the stored grids, as the file will hold them). */
TT_API tt_status tt_hash_train(tt_context *ctx, const tt_image *img, const tt_hash_config *config, tt_model **out);
TT_API tt_status tt_latent_train(tt_context *ctx, const tt_image *img, const tt_latent_config *config, tt_model **out);

typedef struct {
    tt_model_kind kind;
    uint32_t width, height;      /* image the model rebuilds */
    uint32_t params;             /* parameter count */
    size_t file_bytes;           /* size of the .tnx */
    /* from tt_latent_train with a target: the lambda of the returned try, its PSNR RGB measured on the device, and
     * whether it meets the target (all 0 otherwise) */
    double lambda, target_psnr_rgb;
    int target_met;
} tt_model_info;

TT_API tt_status tt_model_get_info(const tt_model *model, tt_model_info *out);
/* The .tnx bytes (owned by the model; valid until tt_model_free). */
TT_API const uint8_t *tt_model_bytes(const tt_model *model, size_t *size);
TT_API tt_status tt_model_save(const char *path, const tt_model *model);     /* atomic */
TT_API tt_status tt_model_load(const char *path, tt_model **out);
TT_API tt_status tt_model_read_memory(const uint8_t *data, size_t size, const char *name, tt_model **out);
/* Rebuilds the image: on the context's device, or on the CPU with the C reference (slow). */
TT_API tt_status tt_model_decode(tt_context *ctx, const tt_model *model, tt_image *out, double *gpu_ms);
TT_API tt_status tt_model_decode_cpu(const tt_model *model, tt_image *out);
TT_API void tt_model_free(tt_model *model);   /* safe on NULL */
/* Neural -> BC7 on load: the model's network decodes its image on the context's device and the BC7 encoder reads it
 * there (the image never reaches host memory): decode, mip chain and encode in one GPU submission, only the blocks
 * read back. config may be NULL (the medium preset); its alpha test is not available here (TT_ERR_UNSUPPORTED: the
 * network's image is opaque). mips: NULL = one level; else the chain as tt_mip_build makes it (levels above the
 * image's full chain are clamped to it; alpha_coverage is TT_ERR_UNSUPPORTED). The blocks equal those of
 * tt_bc7_encode_levels on tt_mip_build's chain of tt_model_decode's image on the same device. gpu_ms (may be
 * NULL): the submission's GPU time, or -1 where the device has no timestamps. */
TT_API tt_status tt_model_transcode_bc7(tt_context *ctx, const tt_model *model, const tt_bc7_config *config,
                                        const tt_mip_config *mips, tt_texture *out, double *gpu_ms);

#ifdef __cplusplus
}
#endif
#endif /* TINYTEX_H */
