/* tt_vk.h - the Vulkan compute core every subcommand shares: device, buffers, pipelines, one checked dispatch helper. */
#ifndef TT_VK_H
#define TT_VK_H

#include <vulkan/vulkan.h>
#include "tinytex.h"

#define TT_VK_MAX_BINDINGS 16
#define TT_VK_MAX_SPEC 32
#define TT_VK_MAX_DEVICES 16

typedef struct {
    char name[VK_MAX_PHYSICAL_DEVICE_NAME_SIZE];
    VkPhysicalDeviceType type;
    uint32_t vendor_id, device_id;
    uint32_t api_version;
    uint32_t driver_version;      /* VkPhysicalDeviceProperties.driverVersion (vendor-specific layout) */
    char driver[VK_MAX_DRIVER_NAME_SIZE];
    uint64_t device_local_bytes;  /* largest DEVICE_LOCAL heap */
} tt_vk_device_info;

/* What the chosen device offers; shaders pick variants from these. */
typedef struct {
    int float_atomic_add;   /* shaderBufferFloat32AtomicAdd (VK_EXT_shader_atomic_float) */
    int float16;            /* shaderFloat16 */
    int storage16;          /* storageBuffer16BitAccess */
    int int8;               /* shaderInt8 + storageBuffer8BitAccess */
    int subgroup_arith;     /* subgroup arithmetic in compute */
    uint32_t subgroup_size;
    int coopmat_f16;        /* VK_NV_cooperative_matrix 16x16x16 fp16 -> fp32, 32-wide subgroups */
    int bc7_sampling;       /* textureCompressionBC */
    float timestamp_period; /* ns per tick; 0 = no timestamps */
    uint64_t max_storage_buffer_range;
    uint32_t max_workgroup_invocations;
    uint32_t max_shared_memory;
} tt_vk_caps;

/* A context (device, queue, command buffers, pipeline cache) is used by one thread at a time: nothing in it is
 * locked, so callers that share one between threads serialise every call on it (the CLI's batch mode holds its
 * cli_gpu lock). Distinct contexts are independent. */
typedef struct tt_vk tt_vk;

typedef enum {
    TT_MEM_DEVICE,    /* device-local; uploads/downloads go through staging */
    TT_MEM_UPLOAD,    /* host-visible, written by the CPU, read by shaders */
    TT_MEM_READBACK,  /* host-visible + cached, written by shaders, read by the CPU */
} tt_mem_kind;

typedef struct {
    VkBuffer buffer;
    VkDeviceMemory memory;
    VkDeviceSize size;
    void *mapped;     /* non-NULL when host-visible */
} tt_vk_buffer;

typedef struct tt_vk_pipeline tt_vk_pipeline;


/* Device choice and switches of a context (tt_context_config maps onto it). The library reads no environment:
 * the CLI maps its TINYTEX_* variables onto these fields (cli_vk_create). */
typedef struct {
    int device;                /* index as tt_vk_enumerate lists it, or -1 = pick: the first discrete GPU, then
                                  integrated, then virtual, then CPU (lavapipe) */
    int validation;            /* request VK_LAYER_KHRONOS_validation (creation fails where it is not installed) */
    int cooperative_matrix;    /* use VK_NV_cooperative_matrix where offered */
    int push_descriptors;      /* use VK_KHR_push_descriptor where offered (else descriptor pools) */
    int pipeline_stats;        /* print each pipeline's driver statistics to stderr, where the driver offers
                                  VK_KHR_pipeline_executable_properties */
    const char *pipeline_cache_path; /* persistent pipeline cache file, or NULL = none (tt_vk_use_pipeline_cache);
                                        copied, so it need not outlive the call */
    int verbose;               /* print notes (pipeline cache file ignored or not written) to stderr */
} tt_vk_options;
void tt_vk_options_init(tt_vk_options *o);   /* device -1, cooperative_matrix 1, push_descriptors 1, others 0/NULL */
/* Lists the physical devices (info may be NULL to count); with o (may be NULL), on an instance made as
 * tt_vk_create_opts makes it (o->validation). */
tt_status tt_vk_enumerate(tt_vk_device_info *info, uint32_t max, uint32_t *count);
tt_status tt_vk_enumerate_opts(const tt_vk_options *o, tt_vk_device_info *info, uint32_t max, uint32_t *count);
/* Creates the context (o may be NULL: defaults). A device index that does not exist is TT_ERR_INVALID_ARG; with
 * no device at all: TT_ERR_NO_DEVICE and a message naming the package to install. */
tt_status tt_vk_create_opts(const tt_vk_options *o, tt_vk **out);
/* The same with the defaults and device `index` (-1 = pick). */
tt_status tt_vk_create(int index, tt_vk **out);
/* Waits for the device and frees everything; with a pipeline cache file and pipelines built that the file lacked,
 * first writes the driver's cache data to it (atomically; a failure is only a note under `verbose`). */
void tt_vk_destroy(tt_vk *vk);
/* Makes `path` the context's persistent pipeline cache (what tt_vk_options.pipeline_cache_path does at creation;
 * for callers that name the file after the chosen device, tt_vk_info). Call before the first pipeline is built.
 * A file that is missing, larger than TT_VK_PIPELINE_CACHE_FILE_MAX, or whose header (VkPipelineCacheHeaderVersionOne)
 * names another device or driver is ignored; data the driver rejects is dropped. Errors only for out of memory or
 * a pipeline already built. */
#define TT_VK_PIPELINE_CACHE_FILE_MAX (64u << 20)
tt_status tt_vk_use_pipeline_cache(tt_vk *vk, const char *path);
const tt_vk_device_info *tt_vk_info(const tt_vk *vk);
const tt_vk_caps *tt_vk_get_caps(const tt_vk *vk);
VkDevice tt_vk_device(const tt_vk *vk);
VkPhysicalDevice tt_vk_physical(const tt_vk *vk);

/* Buffers. Sizes are checked against the device limits before allocation;
 * out of device memory is TT_ERR_DEVICE_MEMORY with a clear message. */
tt_status tt_vk_buffer_create(tt_vk *vk, VkDeviceSize size, tt_mem_kind kind, tt_vk_buffer *out);
void tt_vk_buffer_destroy(tt_vk *vk, tt_vk_buffer *b);
/* Synchronous copies (each waits for the GPU). Work for any tt_mem_kind. */
tt_status tt_vk_upload(tt_vk *vk, tt_vk_buffer *dst, VkDeviceSize offset, const void *src, VkDeviceSize size);
tt_status tt_vk_download(tt_vk *vk, tt_vk_buffer *src, VkDeviceSize offset, void *dst, VkDeviceSize size);
tt_status tt_vk_fill(tt_vk *vk, tt_vk_buffer *dst, uint32_t value); /* synchronous vkCmdFillBuffer */

/* A compute pipeline from an embedded shader (shaders/NAME.comp): `n_buffers`
 * storage buffers at set 0, bindings 0..n-1, and `push_size` bytes of push
 * constants. `spec`/`spec_count` are uint32 specialization constants with
 * ids 0..spec_count-1 (may be NULL/0). The workgroup size is read from the
 * caller (local_size_x/y/z), needed to turn item counts into groups.
 * Pipelines are cached per context: a call with the same shader, buffer
 * count, push size, constants and workgroup size returns the pipeline built
 * the first time. A pipeline in use (created and not yet destroyed) lives
 * until tt_vk_destroy; of those no longer in use, the least recently used are
 * freed once the context holds more than 64 pipelines. */
tt_status tt_vk_pipeline_create(tt_vk *vk, const char *shader, uint32_t n_buffers, uint32_t push_size,
                                const uint32_t *spec, uint32_t spec_count,
                                uint32_t local_x, uint32_t local_y, uint32_t local_z,
                                tt_vk_pipeline **out);
/* The same for n <= 16 shaders of one pipeline shape at once (out[i] for shaders[i] with the constants
 * spec[i * spec_count ...]; a NULL name is skipped and gives NULL): the ones not cached yet compile in parallel
 * threads. On failure no pipeline is returned. */
tt_status tt_vk_pipelines_create(tt_vk *vk, uint32_t n, const char *const *shaders, uint32_t n_buffers,
                                 uint32_t push_size, const uint32_t *spec, uint32_t spec_count, uint32_t local_x,
                                 uint32_t local_y, uint32_t local_z, tt_vk_pipeline **out);
/* Ends the caller's use of `p`; the pipeline stays cached for the next create (safe on NULL). */
void tt_vk_pipeline_destroy(tt_vk *vk, tt_vk_pipeline *p);
/* Pipelines compiled on this context so far (cache misses), for tests and measurements. */
uint32_t tt_vk_pipelines_built(const tt_vk *vk);

/* Recording. One command buffer at a time per context:
 *   tt_vk_begin(vk);
 *   tt_vk_dispatch(vk, pipe, bufs, push, items_x, items_y, items_z);  (any number)
 *   tt_vk_barrier(vk);                                                 (between dependent dispatches)
 *   tt_vk_submit(vk, &gpu_ms);                                         (waits; gpu_ms from timestamps)
 * Items are invocations; the helper divides by the workgroup size (rounding
 * up), checks the device's group-count limits and that every buffer is
 * non-NULL and the push size matches. Errors are remembered and returned by
 * tt_vk_submit, so recording code need not check every call. */
tt_status tt_vk_begin(tt_vk *vk);
void tt_vk_dispatch(tt_vk *vk, tt_vk_pipeline *p, tt_vk_buffer *const *bufs, const void *push,
                    uint32_t items_x, uint32_t items_y, uint32_t items_z);
/* Same, but group counts given directly. */
void tt_vk_dispatch_groups(tt_vk *vk, tt_vk_pipeline *p, tt_vk_buffer *const *bufs, const void *push,
                           uint32_t groups_x, uint32_t groups_y, uint32_t groups_z);
void tt_vk_barrier(tt_vk *vk);                  /* compute write -> compute/transfer read+write */
void tt_vk_copy(tt_vk *vk, tt_vk_buffer *src, VkDeviceSize src_off, tt_vk_buffer *dst, VkDeviceSize dst_off, VkDeviceSize size);
void tt_vk_fill_cmd(tt_vk *vk, tt_vk_buffer *dst, uint32_t value);
VkCommandBuffer tt_vk_cmd(tt_vk *vk);           /* the recording command buffer, for raw calls */
/* Ends, submits and waits, for this recording and any still in flight from tt_vk_submit_async. gpu_ms (may be
 * NULL) is their GPU time, each from its begin to its end measured with timestamp queries, or -1 if unavailable. */
tt_status tt_vk_submit(tt_vk *vk, double *gpu_ms);
/* Ends and submits without waiting, so that the next recording overlaps the GPU's work. At most two submissions
 * are in flight: the next tt_vk_begin waits for the older one. Later recordings that read what it writes need a
 * barrier at its end, as within one recording. */
tt_status tt_vk_submit_async(tt_vk *vk);

/* Maps a VkResult to a status and records "context: VK_ERROR_..." as detail. */
tt_status tt_vk_check(VkResult r, const char *context);
const char *tt_vk_result_str(VkResult r);

#endif
