/* vk.c - Vulkan compute core: instance, device choice, buffers, pipelines, checked dispatch, GPU timing. */
#include "vk/tt_vk.h"
#include "vk/tt_shaders.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/tt_bytes.h"

#define TT_VK_MAX_PIPE_DESC_POOLS 64
#define TT_VK_SETS_PER_POOL 1024

struct tt_vk_pipeline {
    VkDescriptorSetLayout set_layout;
    VkPipelineLayout layout;
    VkPipeline pipeline;
    uint32_t n_buffers, push_size;
    uint32_t local[3];
    char name[64];
    /* The cache key besides the sizes above: the embedded shader and its specialization constants. */
    const tt_shader_blob *blob;
    uint32_t spec[TT_VK_MAX_SPEC], spec_count;
    uint32_t users;                /* tt_vk_pipeline_create calls not yet matched by tt_vk_pipeline_destroy */
    uint64_t last_use;             /* vk->pipe_clock at the last create that returned it */
};

struct tt_vk {
    VkInstance instance;
    VkPhysicalDevice phys;
    VkDevice device;
    VkQueue queue;
    uint32_t queue_family;
    VkCommandPool cmd_pool;
    /* Two command buffers, so that one can be recorded while the other runs (tt_vk_submit_async); cmd is the one
     * being recorded. Timestamp queries 2i, 2i + 1 belong to buffer i. */
    VkCommandBuffer cmds[2], cmd;
    VkFence fences[2];
    int cur, in_flight[2];
    double pending_ms;             /* GPU ms of finished asynchronous submissions not yet reported; < 0 unknown */
    VkQueryPool timestamps;
    int recording;
    tt_status record_status;      /* first error seen while recording */
    char record_error[256];
    tt_vk_device_info info;
    tt_vk_caps caps;
    VkPhysicalDeviceMemoryProperties mem_props;
    VkPhysicalDeviceLimits limits;
    int push_descriptors;
    int pipeline_stats;        /* tt_vk_options.pipeline_stats: statistics captured and printed per pipeline */
    PFN_vkCmdPushDescriptorSetKHR cmd_push_descriptor_set;
    /* Fallback when VK_KHR_push_descriptor is missing: sets come from pools
     * that are reset at every tt_vk_begin. */
    VkDescriptorPool desc_pools[TT_VK_MAX_PIPE_DESC_POOLS];
    uint32_t n_desc_pools, sets_in_pool;
    /* The pipelines built on this context (those in use until tt_vk_destroy, unused ones up to
     * TT_VK_PIPELINE_CACHE_MAX): callers that create one per image (the BC7 encoder, the trainer) then compile each
     * shader variant once per context instead of once per image. */
    tt_vk_pipeline **pipes;
    uint32_t n_pipes, cap_pipes;
    uint32_t pipelines_built;
    uint64_t pipe_clock;
    /* The persistent cache (tt_vk_use_pipeline_cache): every pipeline goes through `pipe_cache`; at destroy its data
     * is written to `cache_path` when pipelines were built and the data differs in size from what was loaded. */
    VkPipelineCache pipe_cache;
    char *cache_path;
    size_t cache_loaded_size;
    int verbose;
};

/* Beyond this many cached pipelines, unused ones are evicted, least recently used first. Constants that follow the
 * image size (the latent grids) would otherwise keep a pipeline per size of a whole folder of images alive. */
#define TT_VK_PIPELINE_CACHE_MAX 64

const char *tt_vk_result_str(VkResult r)
{
    switch (r) {
#define C(x) case x: return #x;
    C(VK_SUCCESS) C(VK_NOT_READY) C(VK_TIMEOUT) C(VK_INCOMPLETE)
    C(VK_ERROR_OUT_OF_HOST_MEMORY) C(VK_ERROR_OUT_OF_DEVICE_MEMORY)
    C(VK_ERROR_INITIALIZATION_FAILED) C(VK_ERROR_DEVICE_LOST)
    C(VK_ERROR_MEMORY_MAP_FAILED) C(VK_ERROR_LAYER_NOT_PRESENT)
    C(VK_ERROR_EXTENSION_NOT_PRESENT) C(VK_ERROR_FEATURE_NOT_PRESENT)
    C(VK_ERROR_INCOMPATIBLE_DRIVER) C(VK_ERROR_TOO_MANY_OBJECTS)
    C(VK_ERROR_FORMAT_NOT_SUPPORTED) C(VK_ERROR_FRAGMENTED_POOL)
    C(VK_ERROR_OUT_OF_POOL_MEMORY) C(VK_ERROR_UNKNOWN)
#undef C
    default: return "VK_ERROR_(unknown)";
    }
}

tt_status tt_vk_check(VkResult r, const char *context)
{
    if (r == VK_SUCCESS) return TT_OK;
    switch (r) {
    case VK_ERROR_OUT_OF_DEVICE_MEMORY:
        return tt_fail(TT_ERR_DEVICE_MEMORY, "%s: out of GPU memory (%s)", context, tt_vk_result_str(r));
    case VK_ERROR_OUT_OF_HOST_MEMORY:
        return tt_fail(TT_ERR_NOMEM, "%s: out of host memory (%s)", context, tt_vk_result_str(r));
    case VK_ERROR_DEVICE_LOST:
        return tt_fail(TT_ERR_DEVICE_LOST, "%s: the GPU device was lost (%s)", context, tt_vk_result_str(r));
    default:
        return tt_fail(TT_ERR_VULKAN, "%s: %s (%d)", context, tt_vk_result_str(r), (int)r);
    }
}

#define VK_TRY(call, ctx) do { VkResult _r = (call); if (_r != VK_SUCCESS) { st = tt_vk_check(_r, ctx); goto cleanup; } } while (0)

static const char NO_DEVICE_HINT[] =
    "no Vulkan device found; install a driver (on Debian: apt-get install mesa-vulkan-drivers "
    "for the CPU device lavapipe, or your GPU vendor's Vulkan driver) and libvulkan1";

static tt_status create_instance(int validation, VkInstance *out)
{
    VkApplicationInfo app = {
        .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
        .pApplicationName = "tinytex",
        .applicationVersion = VK_MAKE_VERSION(TT_VERSION_MAJOR, TT_VERSION_MINOR, TT_VERSION_PATCH),
        .pEngineName = "tinytex",
        .apiVersion = VK_API_VERSION_1_2,
    };
    const char *layers[1];
    uint32_t n_layers = 0;
    if (validation) layers[n_layers++] = "VK_LAYER_KHRONOS_validation";
    VkInstanceCreateInfo ci = {
        .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
        .pApplicationInfo = &app,
        .enabledLayerCount = n_layers,
        .ppEnabledLayerNames = layers,
    };
    VkResult r = vkCreateInstance(&ci, NULL, out);
    if (r == VK_ERROR_INCOMPATIBLE_DRIVER || r == VK_ERROR_INITIALIZATION_FAILED)
        return tt_fail(TT_ERR_NO_DEVICE, "%s", NO_DEVICE_HINT);
    return tt_vk_check(r, "vkCreateInstance");
}

static void fill_info(VkPhysicalDevice pd, tt_vk_device_info *info)
{
    VkPhysicalDeviceDriverProperties drv = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
    VkPhysicalDeviceProperties2 p2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, .pNext = &drv};
    vkGetPhysicalDeviceProperties2(pd, &p2);
    memset(info, 0, sizeof(*info));
    snprintf(info->name, sizeof info->name, "%s", p2.properties.deviceName);
    snprintf(info->driver, sizeof info->driver, "%s", drv.driverName);
    info->type = p2.properties.deviceType;
    info->vendor_id = p2.properties.vendorID;
    info->device_id = p2.properties.deviceID;
    info->api_version = p2.properties.apiVersion;
    info->driver_version = p2.properties.driverVersion;
    VkPhysicalDeviceMemoryProperties mp;
    vkGetPhysicalDeviceMemoryProperties(pd, &mp);
    for (uint32_t i = 0; i < mp.memoryHeapCount; i++)
        if ((mp.memoryHeaps[i].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) && mp.memoryHeaps[i].size > info->device_local_bytes)
            info->device_local_bytes = mp.memoryHeaps[i].size;
}

tt_status tt_vk_enumerate(tt_vk_device_info *info, uint32_t max, uint32_t *count)
{
    return tt_vk_enumerate_opts(NULL, info, max, count);
}

tt_status tt_vk_enumerate_opts(const tt_vk_options *o, tt_vk_device_info *info, uint32_t max, uint32_t *count)
{
    VkInstance inst = VK_NULL_HANDLE;
    tt_status st = create_instance(o ? o->validation : 0, &inst);
    if (st != TT_OK) return st;
    uint32_t n = 0;
    VkPhysicalDevice pds[TT_VK_MAX_DEVICES];
    VkResult r = vkEnumeratePhysicalDevices(inst, &n, NULL);
    if (r == VK_SUCCESS && n > TT_VK_MAX_DEVICES) n = TT_VK_MAX_DEVICES;
    if (r == VK_SUCCESS) r = vkEnumeratePhysicalDevices(inst, &n, pds);
    if (r != VK_SUCCESS && r != VK_INCOMPLETE) {
        vkDestroyInstance(inst, NULL);
        return tt_vk_check(r, "vkEnumeratePhysicalDevices");
    }
    for (uint32_t i = 0; i < n && info && i < max; i++) fill_info(pds[i], &info[i]);
    *count = n;
    vkDestroyInstance(inst, NULL);
    return TT_OK;
}

static int type_rank(VkPhysicalDeviceType t)
{
    switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 0;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 1;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return 3;
    default: return 4;
    }
}

static int has_extension(const VkExtensionProperties *exts, uint32_t n, const char *name)
{
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(exts[i].extensionName, name) == 0) return 1;
    return 0;
}

void tt_vk_options_init(tt_vk_options *o)
{
    memset(o, 0, sizeof *o);
    o->device = -1;
    o->cooperative_matrix = 1;
    o->push_descriptors = 1;
}

tt_status tt_vk_create(int index, tt_vk **out)
{
    tt_vk_options o;
    tt_vk_options_init(&o);
    o.device = index;
    return tt_vk_create_opts(&o, out);
}

tt_status tt_vk_create_opts(const tt_vk_options *opts, tt_vk **out)
{
    tt_status st = TT_OK;
    VkExtensionProperties *exts = NULL;
    if (!out) return tt_fail(TT_ERR_INVALID_ARG, "tt_vk_create_opts: no output");
    *out = NULL;
    tt_vk_options defaults;
    if (!opts) {
        tt_vk_options_init(&defaults);
        opts = &defaults;
    }
    int index = opts->device;
    tt_vk *vk = calloc(1, sizeof *vk);
    if (!vk) return tt_fail(TT_ERR_NOMEM, "out of memory creating the Vulkan context");
    st = create_instance(opts->validation, &vk->instance);
    if (st != TT_OK) goto cleanup;

    uint32_t n = 0;
    VkPhysicalDevice pds[TT_VK_MAX_DEVICES];
    VkResult r = vkEnumeratePhysicalDevices(vk->instance, &n, NULL);
    if (r == VK_SUCCESS && n > TT_VK_MAX_DEVICES) n = TT_VK_MAX_DEVICES;
    if (r == VK_SUCCESS) r = vkEnumeratePhysicalDevices(vk->instance, &n, pds);
    if (r != VK_SUCCESS && r != VK_INCOMPLETE) { st = tt_vk_check(r, "vkEnumeratePhysicalDevices"); goto cleanup; }
    if (n == 0) { st = tt_fail(TT_ERR_NO_DEVICE, "%s", NO_DEVICE_HINT); goto cleanup; }

    if (index >= 0) {
        if ((uint32_t)index >= n) {
            st = tt_fail(TT_ERR_INVALID_ARG, "device %d does not exist (%u Vulkan device%s; see 'tinytex devices')",
                         index, n, n == 1 ? "" : "s");
            goto cleanup;
        }
        vk->phys = pds[index];
    } else {
        int best = -1, best_rank = 99;
        for (uint32_t i = 0; i < n; i++) {
            VkPhysicalDeviceProperties p;
            vkGetPhysicalDeviceProperties(pds[i], &p);
            int rank = type_rank(p.deviceType);
            if (rank < best_rank) { best_rank = rank; best = (int)i; }
        }
        vk->phys = pds[best];
    }
    fill_info(vk->phys, &vk->info);
    vkGetPhysicalDeviceMemoryProperties(vk->phys, &vk->mem_props);

    /* Compute queue: prefer a compute-capable family with timestamps. */
    uint32_t nq = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(vk->phys, &nq, NULL);
    VkQueueFamilyProperties qf[32];
    if (nq > 32) nq = 32;
    vkGetPhysicalDeviceQueueFamilyProperties(vk->phys, &nq, qf);
    int family = -1;
    for (uint32_t i = 0; i < nq; i++)
        if ((qf[i].queueFlags & VK_QUEUE_COMPUTE_BIT) && qf[i].timestampValidBits > 0) { family = (int)i; break; }
    for (uint32_t i = 0; family < 0 && i < nq; i++)
        if (qf[i].queueFlags & VK_QUEUE_COMPUTE_BIT) family = (int)i;
    if (family < 0) { st = tt_fail(TT_ERR_NO_DEVICE, "%s: device has no compute queue", vk->info.name); goto cleanup; }
    vk->queue_family = (uint32_t)family;

    uint32_t n_ext = 0;
    vkEnumerateDeviceExtensionProperties(vk->phys, NULL, &n_ext, NULL);
    exts = calloc(n_ext ? n_ext : 1, sizeof *exts);
    if (!exts) { st = tt_fail(TT_ERR_NOMEM, "out of memory"); goto cleanup; }
    vkEnumerateDeviceExtensionProperties(vk->phys, NULL, &n_ext, exts);

    /* Query the optional features, then enable exactly what is there. */
    VkPhysicalDeviceShaderAtomicFloatFeaturesEXT atomic_float = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_ATOMIC_FLOAT_FEATURES_EXT};
    VkPhysicalDeviceVulkan12Features f12 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
    VkPhysicalDeviceVulkan11Features f11 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES, .pNext = &f12};
    VkPhysicalDeviceFeatures2 f2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, .pNext = &f11};
    VkPhysicalDeviceCooperativeMatrixFeaturesNV coop = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_NV};
    /* pipeline_stats (development): the driver's statistics of every pipeline (registers, spills...) on stderr. */
    int want_stats = opts->pipeline_stats &&
                     has_extension(exts, n_ext, VK_KHR_PIPELINE_EXECUTABLE_PROPERTIES_EXTENSION_NAME);
    int has_atomic_float = has_extension(exts, n_ext, VK_EXT_SHADER_ATOMIC_FLOAT_EXTENSION_NAME);
    int has_coop = has_extension(exts, n_ext, VK_NV_COOPERATIVE_MATRIX_EXTENSION_NAME) && opts->cooperative_matrix;
    if (has_atomic_float) f12.pNext = &atomic_float;
    if (has_coop) {
        coop.pNext = f12.pNext;
        f12.pNext = &coop;
    }
    vkGetPhysicalDeviceFeatures2(vk->phys, &f2);
    /* Tensor-core path (the neural decode): 16x16x16 fp16 x fp16 -> fp32 at subgroup scope, 32-wide subgroups. */
    int coop_f16 = 0;
    if (has_coop && coop.cooperativeMatrix && f12.vulkanMemoryModel && f12.shaderFloat16 && f11.storageBuffer16BitAccess) {
        PFN_vkGetPhysicalDeviceCooperativeMatrixPropertiesNV get_props = (PFN_vkGetPhysicalDeviceCooperativeMatrixPropertiesNV)
            vkGetInstanceProcAddr(vk->instance, "vkGetPhysicalDeviceCooperativeMatrixPropertiesNV");
        uint32_t n_props = 0;
        if (get_props && get_props(vk->phys, &n_props, NULL) == VK_SUCCESS && n_props > 0 && n_props < 256) {
            VkCooperativeMatrixPropertiesNV props[256];
            for (uint32_t i = 0; i < n_props; i++)
                props[i] = (VkCooperativeMatrixPropertiesNV){.sType = VK_STRUCTURE_TYPE_COOPERATIVE_MATRIX_PROPERTIES_NV};
            if (get_props(vk->phys, &n_props, props) == VK_SUCCESS)
                for (uint32_t i = 0; i < n_props; i++) {
                    const VkCooperativeMatrixPropertiesNV *q = &props[i];
                    if (q->MSize == 16 && q->NSize == 16 && q->KSize == 16 && q->AType == VK_COMPONENT_TYPE_FLOAT16_NV &&
                        q->BType == VK_COMPONENT_TYPE_FLOAT16_NV && q->CType == VK_COMPONENT_TYPE_FLOAT32_NV &&
                        q->DType == VK_COMPONENT_TYPE_FLOAT32_NV && q->scope == VK_SCOPE_SUBGROUP_NV)
                        coop_f16 = 1;
                }
        }
    }

    VkPhysicalDeviceSubgroupProperties sg = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
    VkPhysicalDeviceProperties2 p2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, .pNext = &sg};
    vkGetPhysicalDeviceProperties2(vk->phys, &p2);
    vk->limits = p2.properties.limits;

    VkPhysicalDeviceFeatures2 en2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
    VkPhysicalDeviceVulkan11Features en11 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES};
    VkPhysicalDeviceVulkan12Features en12 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
    VkPhysicalDeviceShaderAtomicFloatFeaturesEXT en_af = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_ATOMIC_FLOAT_FEATURES_EXT};
    en2.pNext = &en11;
    en11.pNext = &en12;
    en2.features.textureCompressionBC = f2.features.textureCompressionBC;
    en2.features.shaderInt64 = f2.features.shaderInt64;
    en2.features.shaderInt16 = f2.features.shaderInt16;
    en11.storageBuffer16BitAccess = f11.storageBuffer16BitAccess;
    en12.shaderFloat16 = f12.shaderFloat16;
    en12.shaderInt8 = f12.shaderInt8;
    en12.storageBuffer8BitAccess = f12.storageBuffer8BitAccess;
    en12.hostQueryReset = f12.hostQueryReset;
    const char *dev_exts[5];
    uint32_t n_dev_exts = 0;
    VkPhysicalDeviceCooperativeMatrixFeaturesNV en_coop = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_NV};
    if (coop_f16) {
        en_coop.cooperativeMatrix = VK_TRUE;
        en_coop.pNext = en2.pNext;
        en2.pNext = &en_coop;
        en12.vulkanMemoryModel = VK_TRUE;
        dev_exts[n_dev_exts++] = VK_NV_COOPERATIVE_MATRIX_EXTENSION_NAME;
    }
    if (has_atomic_float) {
        en_af.shaderBufferFloat32AtomicAdd = atomic_float.shaderBufferFloat32AtomicAdd;
        en_af.shaderBufferFloat32Atomics = atomic_float.shaderBufferFloat32Atomics;
        en_af.shaderSharedFloat32AtomicAdd = atomic_float.shaderSharedFloat32AtomicAdd;
        en_af.shaderSharedFloat32Atomics = atomic_float.shaderSharedFloat32Atomics;
        en12.pNext = &en_af;
        dev_exts[n_dev_exts++] = VK_EXT_SHADER_ATOMIC_FLOAT_EXTENSION_NAME;
    }
    VkPhysicalDevicePipelineExecutablePropertiesFeaturesKHR en_pe = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PIPELINE_EXECUTABLE_PROPERTIES_FEATURES_KHR, .pipelineExecutableInfo = VK_TRUE};
    if (want_stats) {
        en_pe.pNext = en2.pNext;
        en2.pNext = &en_pe;
        dev_exts[n_dev_exts++] = VK_KHR_PIPELINE_EXECUTABLE_PROPERTIES_EXTENSION_NAME;
        vk->pipeline_stats = 1;
    }
    if (has_extension(exts, n_ext, VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME) && opts->push_descriptors) {
        dev_exts[n_dev_exts++] = VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME;
        vk->push_descriptors = 1;
    }

    float prio = 1.0f;
    VkDeviceQueueCreateInfo qci = {
        .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
        .queueFamilyIndex = vk->queue_family, .queueCount = 1, .pQueuePriorities = &prio,
    };
    VkDeviceCreateInfo dci = {
        .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO, .pNext = &en2,
        .queueCreateInfoCount = 1, .pQueueCreateInfos = &qci,
        .enabledExtensionCount = n_dev_exts, .ppEnabledExtensionNames = dev_exts,
    };
    VK_TRY(vkCreateDevice(vk->phys, &dci, NULL, &vk->device), "vkCreateDevice");
    vkGetDeviceQueue(vk->device, vk->queue_family, 0, &vk->queue);
    if (vk->push_descriptors) {
        vk->cmd_push_descriptor_set = (PFN_vkCmdPushDescriptorSetKHR)vkGetDeviceProcAddr(vk->device, "vkCmdPushDescriptorSetKHR");
        if (!vk->cmd_push_descriptor_set) vk->push_descriptors = 0;
    }

    tt_vk_caps *c = &vk->caps;
    c->float_atomic_add = has_atomic_float && atomic_float.shaderBufferFloat32AtomicAdd;
    c->float16 = f12.shaderFloat16;
    c->storage16 = f11.storageBuffer16BitAccess;
    c->int8 = f12.shaderInt8 && f12.storageBuffer8BitAccess;
    c->subgroup_arith = (sg.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) &&
                        (sg.supportedOperations & VK_SUBGROUP_FEATURE_ARITHMETIC_BIT);
    c->subgroup_size = sg.subgroupSize;
    c->coopmat_f16 = coop_f16 && sg.subgroupSize == 32;
    c->bc7_sampling = f2.features.textureCompressionBC;
    c->timestamp_period = qf[vk->queue_family].timestampValidBits ? vk->limits.timestampPeriod : 0.0f;
    c->max_storage_buffer_range = vk->limits.maxStorageBufferRange;
    c->max_workgroup_invocations = vk->limits.maxComputeWorkGroupInvocations;
    c->max_shared_memory = vk->limits.maxComputeSharedMemorySize;

    VkCommandPoolCreateInfo pci = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
        .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT, .queueFamilyIndex = vk->queue_family,
    };
    VK_TRY(vkCreateCommandPool(vk->device, &pci, NULL, &vk->cmd_pool), "vkCreateCommandPool");
    VkCommandBufferAllocateInfo cai = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO, .commandPool = vk->cmd_pool,
        .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY, .commandBufferCount = 2,
    };
    VK_TRY(vkAllocateCommandBuffers(vk->device, &cai, vk->cmds), "vkAllocateCommandBuffers");
    vk->cmd = vk->cmds[0];
    VkFenceCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    for (int i = 0; i < 2; i++) VK_TRY(vkCreateFence(vk->device, &fci, NULL, &vk->fences[i]), "vkCreateFence");
    if (c->timestamp_period > 0) {
        VkQueryPoolCreateInfo qpi = {.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
                                     .queryType = VK_QUERY_TYPE_TIMESTAMP, .queryCount = 4};
        if (vkCreateQueryPool(vk->device, &qpi, NULL, &vk->timestamps) != VK_SUCCESS) {
            vk->timestamps = VK_NULL_HANDLE;
            c->timestamp_period = 0;
        }
    }
    free(exts);
    exts = NULL;
    vk->verbose = opts->verbose;
    if (opts->pipeline_cache_path) {
        st = tt_vk_use_pipeline_cache(vk, opts->pipeline_cache_path);
        if (st != TT_OK) goto cleanup;
    }
    *out = vk;
    return TT_OK;
cleanup:
    free(exts);
    tt_vk_destroy(vk);
    return st;
}

/* ---- Persistent pipeline cache ------------------------------------------------ */

/* Whether `data` starts with a VkPipelineCacheHeaderVersionOne of this device and driver. The driver checks too, but
 * not every driver does so carefully, and a file from another device must never reach it. */
static int cache_header_matches(const tt_vk *vk, const uint8_t *data, size_t size, const char **why)
{
    VkPhysicalDeviceProperties p;
    vkGetPhysicalDeviceProperties(vk->phys, &p);
    if (size < 16 + VK_UUID_SIZE) { *why = "shorter than its header"; return 0; }
    uint32_t header_size = tt_get_le32(data), version = tt_get_le32(data + 4);
    if (header_size < 16 + VK_UUID_SIZE || header_size > size) { *why = "bad header size"; return 0; }
    if (version != VK_PIPELINE_CACHE_HEADER_VERSION_ONE) { *why = "unknown header version"; return 0; }
    if (tt_get_le32(data + 8) != p.vendorID || tt_get_le32(data + 12) != p.deviceID) {
        *why = "made on another device";
        return 0;
    }
    if (memcmp(data + 16, p.pipelineCacheUUID, VK_UUID_SIZE) != 0) { *why = "made by another driver build"; return 0; }
    return 1;
}

tt_status tt_vk_use_pipeline_cache(tt_vk *vk, const char *path)
{
    if (!vk || !path || !*path) return tt_fail(TT_ERR_INVALID_ARG, "tt_vk_use_pipeline_cache: no context or path");
    if (vk->n_pipes || vk->pipelines_built)
        return tt_fail(TT_ERR_INVALID_ARG, "tt_vk_use_pipeline_cache: pipelines were already built on this context");
    char *copy = malloc(strlen(path) + 1);
    if (!copy) return tt_fail(TT_ERR_NOMEM, "tt_vk_use_pipeline_cache: out of memory");
    strcpy(copy, path);
    free(vk->cache_path);
    vk->cache_path = copy;
    if (vk->pipe_cache) vkDestroyPipelineCache(vk->device, vk->pipe_cache, NULL);
    vk->pipe_cache = VK_NULL_HANDLE;
    vk->cache_loaded_size = 0;

    uint8_t *data = NULL;
    size_t size = 0;
    const char *why = NULL;
    FILE *probe = fopen(path, "rb");
    if (probe) {
        fclose(probe);
        /* Any read failure (too large, a folder, unreadable) just means starting with an empty cache. */
        if (tt_read_file(path, TT_VK_PIPELINE_CACHE_FILE_MAX, &data, &size) != TT_OK) {
            why = "unreadable or too large";
            data = NULL;
            size = 0;
            tt_clear_error();
        } else if (!cache_header_matches(vk, data, size, &why)) {
            free(data);
            data = NULL;
            size = 0;
        }
    }
    if (why && vk->verbose) fprintf(stderr, "pipeline cache %s ignored: %s\n", path, why);
    VkPipelineCacheCreateInfo ci = {.sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO,
                                    .initialDataSize = size, .pInitialData = data};
    VkResult r = vkCreatePipelineCache(vk->device, &ci, NULL, &vk->pipe_cache);
    if (r != VK_SUCCESS && data) {
        if (vk->verbose) fprintf(stderr, "pipeline cache %s ignored: the driver rejected it (%s)\n", path,
                                 tt_vk_result_str(r));
        ci.initialDataSize = 0;
        ci.pInitialData = NULL;
        size = 0;
        r = vkCreatePipelineCache(vk->device, &ci, NULL, &vk->pipe_cache);
    }
    free(data);
    if (r != VK_SUCCESS) {
        /* Without a cache object pipelines are still built, as without a file; only out of memory is an error. */
        vk->pipe_cache = VK_NULL_HANDLE;
        if (r == VK_ERROR_OUT_OF_HOST_MEMORY || r == VK_ERROR_OUT_OF_DEVICE_MEMORY)
            return tt_vk_check(r, "vkCreatePipelineCache");
        return TT_OK;
    }
    vk->cache_loaded_size = size;
    return TT_OK;
}

/* mkdir -p of the folder holding `file`; errors surface when the file is written. */
static void make_parent_dirs(const char *file)
{
    size_t n = strlen(file);
    char *p = malloc(n + 1);
    if (!p) return;
    memcpy(p, file, n + 1);
    char *slash = strrchr(p, '/');
    if (slash && slash != p) {
        *slash = 0;
        for (char *q = p + 1; *q; q++) {
            if (*q != '/') continue;
            *q = 0;
            mkdir(p, 0777);
            *q = '/';
        }
        mkdir(p, 0777);
    }
    free(p);
}

/* Writes the driver's cache data when this context built pipelines and the data grew (or shrank) from what was
 * loaded: the same size means the file already holds these pipelines, and rewriting it would cost every run. */
static void save_pipeline_cache(tt_vk *vk)
{
    if (!vk->pipe_cache || !vk->cache_path || vk->pipelines_built == 0) return;
    size_t size = 0;
    void *data = NULL;
    const char *why = NULL;
    VkResult r = vkGetPipelineCacheData(vk->device, vk->pipe_cache, &size, NULL);
    if (r != VK_SUCCESS) why = tt_vk_result_str(r);
    else if (size == vk->cache_loaded_size) return;
    else if (size > TT_VK_PIPELINE_CACHE_FILE_MAX) why = "larger than the size read back";
    else if (!(data = malloc(size ? size : 1))) why = "out of memory";
    else if ((r = vkGetPipelineCacheData(vk->device, vk->pipe_cache, &size, data)) != VK_SUCCESS)
        why = tt_vk_result_str(r);
    if (!why) {
        /* Destroy often runs on an error path: the caller's error detail must survive a failed write. */
        char detail[512];
        snprintf(detail, sizeof detail, "%s", tt_last_error());
        make_parent_dirs(vk->cache_path);
        if (tt_write_file_atomic(vk->cache_path, data, size) != TT_OK && vk->verbose)
            fprintf(stderr, "pipeline cache %s not written: %s\n", vk->cache_path, tt_last_error());
        if (detail[0]) tt_fail(TT_OK, "%s", detail);
        else tt_clear_error();
    } else if (vk->verbose) {
        fprintf(stderr, "pipeline cache %s not written: %s\n", vk->cache_path, why);
    }
    free(data);
}

static void pipeline_free(tt_vk *vk, tt_vk_pipeline *p);

void tt_vk_destroy(tt_vk *vk)
{
    if (!vk) return;
    if (vk->device) {
        vkDeviceWaitIdle(vk->device);
        save_pipeline_cache(vk);
        if (vk->pipe_cache) vkDestroyPipelineCache(vk->device, vk->pipe_cache, NULL);
        for (uint32_t i = 0; i < vk->n_pipes; i++) pipeline_free(vk, vk->pipes[i]);
        for (uint32_t i = 0; i < vk->n_desc_pools; i++) vkDestroyDescriptorPool(vk->device, vk->desc_pools[i], NULL);
        if (vk->timestamps) vkDestroyQueryPool(vk->device, vk->timestamps, NULL);
        for (int i = 0; i < 2; i++)
            if (vk->fences[i]) vkDestroyFence(vk->device, vk->fences[i], NULL);
        if (vk->cmd_pool) vkDestroyCommandPool(vk->device, vk->cmd_pool, NULL);
        vkDestroyDevice(vk->device, NULL);
    }
    if (vk->instance) vkDestroyInstance(vk->instance, NULL);
    free(vk->pipes);
    free(vk->cache_path);
    free(vk);
}

const tt_vk_device_info *tt_vk_info(const tt_vk *vk) { return &vk->info; }
const tt_vk_caps *tt_vk_get_caps(const tt_vk *vk) { return &vk->caps; }
VkDevice tt_vk_device(const tt_vk *vk) { return vk->device; }
VkPhysicalDevice tt_vk_physical(const tt_vk *vk) { return vk->phys; }

/* ---- Buffers ---------------------------------------------------------------- */

static int find_memory_type(const tt_vk *vk, uint32_t type_bits, VkMemoryPropertyFlags want)
{
    for (uint32_t i = 0; i < vk->mem_props.memoryTypeCount; i++)
        if ((type_bits & (1u << i)) && (vk->mem_props.memoryTypes[i].propertyFlags & want) == want) return (int)i;
    return -1;
}

tt_status tt_vk_buffer_create(tt_vk *vk, VkDeviceSize size, tt_mem_kind kind, tt_vk_buffer *out)
{
    tt_status st = TT_OK;
    memset(out, 0, sizeof *out);
    if (size == 0) size = 4;
    if (size > vk->caps.max_storage_buffer_range)
        return tt_fail(TT_ERR_LIMIT, "buffer of %llu bytes exceeds the device's storage buffer limit of %llu bytes",
                       (unsigned long long)size, (unsigned long long)vk->caps.max_storage_buffer_range);
    VkBufferCreateInfo bci = {
        .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, .size = size,
        .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
        .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
    };
    VK_TRY(vkCreateBuffer(vk->device, &bci, NULL, &out->buffer), "vkCreateBuffer");
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(vk->device, out->buffer, &req);
    /* Preferred property sets first, then weaker fallbacks. */
    VkMemoryPropertyFlags prefs[3];
    int n_prefs = 0;
    const VkMemoryPropertyFlags HV = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    switch (kind) {
    case TT_MEM_DEVICE:
        prefs[n_prefs++] = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
        prefs[n_prefs++] = 0;
        break;
    case TT_MEM_UPLOAD:
        prefs[n_prefs++] = HV | VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
        prefs[n_prefs++] = HV;
        break;
    case TT_MEM_READBACK:
        prefs[n_prefs++] = HV | VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
        prefs[n_prefs++] = HV;
        break;
    }
    VkResult r = VK_ERROR_OUT_OF_DEVICE_MEMORY;
    int type = -1;
    for (int i = 0; i < n_prefs; i++) {
        type = find_memory_type(vk, req.memoryTypeBits, prefs[i]);
        if (type < 0) continue;
        VkMemoryAllocateInfo mai = {.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
                                    .allocationSize = req.size, .memoryTypeIndex = (uint32_t)type};
        r = vkAllocateMemory(vk->device, &mai, NULL, &out->memory);
        if (r == VK_SUCCESS) break;
        /* Device-local host-visible heaps (BAR) are small: fall back. */
    }
    if (type < 0 && r != VK_SUCCESS) {
        st = tt_fail(TT_ERR_VULKAN, "no suitable memory type for a %llu-byte buffer", (unsigned long long)size);
        goto cleanup;
    }
    if (r != VK_SUCCESS) {
        char ctx[384];
        snprintf(ctx, sizeof ctx, "allocating %.1f MiB on %s", (double)size / (1024.0 * 1024.0), vk->info.name);
        st = tt_vk_check(r, ctx);
        goto cleanup;
    }
    VK_TRY(vkBindBufferMemory(vk->device, out->buffer, out->memory, 0), "vkBindBufferMemory");
    out->size = size;
    if (vk->mem_props.memoryTypes[type].propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT)
        VK_TRY(vkMapMemory(vk->device, out->memory, 0, VK_WHOLE_SIZE, 0, &out->mapped), "vkMapMemory");
    return TT_OK;
cleanup:
    tt_vk_buffer_destroy(vk, out);
    return st;
}

void tt_vk_buffer_destroy(tt_vk *vk, tt_vk_buffer *b)
{
    if (!vk || !b) return;
    if (b->buffer) vkDestroyBuffer(vk->device, b->buffer, NULL);
    if (b->memory) vkFreeMemory(vk->device, b->memory, NULL);
    memset(b, 0, sizeof *b);
}

static tt_status check_range(const tt_vk_buffer *b, VkDeviceSize offset, VkDeviceSize size, const char *what)
{
    if (!b || !b->buffer) return tt_fail(TT_ERR_INVALID_ARG, "%s: buffer not created", what);
    if (offset > b->size || size > b->size - offset)
        return tt_fail(TT_ERR_INVALID_ARG, "%s: range %llu+%llu outside a %llu-byte buffer", what,
                       (unsigned long long)offset, (unsigned long long)size, (unsigned long long)b->size);
    return TT_OK;
}

/* One-off command buffer for transfers outside the user's recording. */
static tt_status transfer_copy(tt_vk *vk, tt_vk_buffer *src, VkDeviceSize so, tt_vk_buffer *dst, VkDeviceSize dof, VkDeviceSize size)
{
    if (vk->recording) return tt_fail(TT_ERR_INVALID_ARG, "synchronous transfer while recording");
    tt_status st = tt_vk_begin(vk);
    if (st != TT_OK) return st;
    tt_vk_copy(vk, src, so, dst, dof, size);
    return tt_vk_submit(vk, NULL);
}

tt_status tt_vk_upload(tt_vk *vk, tt_vk_buffer *dst, VkDeviceSize offset, const void *src, VkDeviceSize size)
{
    tt_status st = check_range(dst, offset, size, "upload");
    if (st != TT_OK || size == 0) return st;
    if (dst->mapped) {
        memcpy((char *)dst->mapped + offset, src, size);
        return TT_OK;
    }
    tt_vk_buffer staging;
    st = tt_vk_buffer_create(vk, size, TT_MEM_UPLOAD, &staging);
    if (st != TT_OK) return st;
    memcpy(staging.mapped, src, size);
    st = transfer_copy(vk, &staging, 0, dst, offset, size);
    tt_vk_buffer_destroy(vk, &staging);
    return st;
}

tt_status tt_vk_download(tt_vk *vk, tt_vk_buffer *src, VkDeviceSize offset, void *dst, VkDeviceSize size)
{
    tt_status st = check_range(src, offset, size, "download");
    if (st != TT_OK || size == 0) return st;
    if (src->mapped) {
        VkMappedMemoryRange range = {.sType = VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE, .memory = src->memory,
                                     .offset = 0, .size = VK_WHOLE_SIZE};
        vkInvalidateMappedMemoryRanges(vk->device, 1, &range);
        memcpy(dst, (const char *)src->mapped + offset, size);
        return TT_OK;
    }
    tt_vk_buffer staging;
    st = tt_vk_buffer_create(vk, size, TT_MEM_READBACK, &staging);
    if (st != TT_OK) return st;
    st = transfer_copy(vk, src, offset, &staging, 0, size);
    if (st == TT_OK) {
        VkMappedMemoryRange range = {.sType = VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE, .memory = staging.memory,
                                     .offset = 0, .size = VK_WHOLE_SIZE};
        vkInvalidateMappedMemoryRanges(vk->device, 1, &range);
        memcpy(dst, staging.mapped, size);
    }
    tt_vk_buffer_destroy(vk, &staging);
    return st;
}

tt_status tt_vk_fill(tt_vk *vk, tt_vk_buffer *dst, uint32_t value)
{
    tt_status st = tt_vk_begin(vk);
    if (st != TT_OK) return st;
    tt_vk_fill_cmd(vk, dst, value);
    return tt_vk_submit(vk, NULL);
}

/* ---- Pipelines ---------------------------------------------------------------- */

/* Development aid (tt_vk_options.pipeline_stats): the driver's own statistics of a pipeline's executables. */
static void print_pipeline_stats(tt_vk *vk, const tt_vk_pipeline *p)
{
    PFN_vkGetPipelineExecutableStatisticsKHR get_stats =
        (PFN_vkGetPipelineExecutableStatisticsKHR)vkGetDeviceProcAddr(vk->device, "vkGetPipelineExecutableStatisticsKHR");
    if (!get_stats) return;
    VkPipelineExecutableInfoKHR ei = {.sType = VK_STRUCTURE_TYPE_PIPELINE_EXECUTABLE_INFO_KHR, .pipeline = p->pipeline};
    VkPipelineExecutableStatisticKHR st[32];
    uint32_t n = 32;
    for (uint32_t i = 0; i < n; i++) st[i] = (VkPipelineExecutableStatisticKHR){.sType = VK_STRUCTURE_TYPE_PIPELINE_EXECUTABLE_STATISTIC_KHR};
    if (get_stats(vk->device, &ei, &n, st) < 0) return;
    fprintf(stderr, "pipeline %s:", p->name);
    for (uint32_t i = 0; i < n; i++) {
        fprintf(stderr, " %s=", st[i].name);
        switch (st[i].format) {
        case VK_PIPELINE_EXECUTABLE_STATISTIC_FORMAT_BOOL32_KHR: fprintf(stderr, "%u", st[i].value.b32); break;
        case VK_PIPELINE_EXECUTABLE_STATISTIC_FORMAT_INT64_KHR: fprintf(stderr, "%lld", (long long)st[i].value.i64); break;
        case VK_PIPELINE_EXECUTABLE_STATISTIC_FORMAT_UINT64_KHR: fprintf(stderr, "%llu", (unsigned long long)st[i].value.u64); break;
        default: fprintf(stderr, "%g", st[i].value.f64); break;
        }
        fprintf(stderr, ";");
    }
    fprintf(stderr, "\n");
}

/* Frees unused pipelines, least recently used first, until the cache is below its bound. Only between recordings
 * with nothing in flight: a released pipeline may still be bound in a recording or a running submission. */
static void evict_unused(tt_vk *vk)
{
    if (vk->recording || vk->in_flight[0] || vk->in_flight[1]) return;
    while (vk->n_pipes >= TT_VK_PIPELINE_CACHE_MAX) {
        uint32_t victim = UINT32_MAX;
        for (uint32_t i = 0; i < vk->n_pipes; i++)
            if (vk->pipes[i]->users == 0 && (victim == UINT32_MAX || vk->pipes[i]->last_use < vk->pipes[victim]->last_use))
                victim = i;
        if (victim == UINT32_MAX) return;
        pipeline_free(vk, vk->pipes[victim]);
        vk->pipes[victim] = vk->pipes[--vk->n_pipes];
    }
}

/* A pipeline being built: everything up to the driver's compile is made on the calling thread; the compile itself
 * (vkCreateComputePipelines, the slow part) may run on another thread, since pipeline creation and the pipeline
 * cache are internally synchronised in Vulkan. */
typedef struct {
    tt_vk *vk;
    tt_vk_pipeline *p;
    VkShaderModule module;
    VkResult result;
} pipeline_build;

static tt_status pipeline_check(const tt_vk *vk, const char *shader, const tt_shader_blob **blob, uint32_t n_buffers,
                                uint32_t push_size, const uint32_t *spec, uint32_t spec_count, uint32_t local_x,
                                uint32_t local_y, uint32_t local_z)
{
    *blob = tt_shader_find(shader);
    if (!*blob) return tt_fail(TT_ERR_INVALID_ARG, "shader '%s' is not compiled into this binary", shader);
    if (n_buffers > TT_VK_MAX_BINDINGS || spec_count > TT_VK_MAX_SPEC || push_size > vk->limits.maxPushConstantsSize || (push_size & 3))
        return tt_fail(TT_ERR_INVALID_ARG, "pipeline '%s': bad layout (%u buffers, %u push bytes, %u constants)",
                       shader, n_buffers, push_size, spec_count);
    if (local_x == 0 || local_y == 0 || local_z == 0 || (uint64_t)local_x * local_y * local_z > vk->caps.max_workgroup_invocations)
        return tt_fail(TT_ERR_UNSUPPORTED, "pipeline '%s': workgroup %ux%ux%u exceeds the device limit of %u invocations",
                       shader, local_x, local_y, local_z, vk->caps.max_workgroup_invocations);
    if (spec_count && !spec)
        return tt_fail(TT_ERR_INVALID_ARG, "pipeline '%s': %u constants but no values", shader, spec_count);
    return TT_OK;
}

static tt_vk_pipeline *pipeline_lookup(tt_vk *vk, const tt_shader_blob *blob, uint32_t n_buffers, uint32_t push_size,
                                       const uint32_t *spec, uint32_t spec_count, uint32_t local_x, uint32_t local_y,
                                       uint32_t local_z)
{
    for (uint32_t i = 0; i < vk->n_pipes; i++) {
        tt_vk_pipeline *c = vk->pipes[i];
        if (c->blob == blob && c->n_buffers == n_buffers && c->push_size == push_size && c->spec_count == spec_count &&
            c->local[0] == local_x && c->local[1] == local_y && c->local[2] == local_z &&
            (spec_count == 0 || memcmp(c->spec, spec, 4u * spec_count) == 0)) {
            c->users++;
            c->last_use = ++vk->pipe_clock;
            return c;
        }
    }
    return NULL;
}

/* Layouts and shader module of a new pipeline (b->p, b->module). */
static tt_status pipeline_prepare(tt_vk *vk, const char *shader, const tt_shader_blob *blob, uint32_t n_buffers,
                                  uint32_t push_size, const uint32_t *spec, uint32_t spec_count, uint32_t local_x,
                                  uint32_t local_y, uint32_t local_z, pipeline_build *b)
{
    tt_status st = TT_OK;
    b->vk = vk;
    b->module = VK_NULL_HANDLE;
    b->result = VK_SUCCESS;
    tt_vk_pipeline *p = b->p = calloc(1, sizeof *p);
    if (!p) return tt_fail(TT_ERR_NOMEM, "out of memory");
    snprintf(p->name, sizeof p->name, "%s", shader);
    p->blob = blob;
    p->spec_count = spec_count;
    if (spec_count) memcpy(p->spec, spec, 4u * spec_count);
    p->n_buffers = n_buffers;
    p->push_size = push_size;
    p->local[0] = local_x; p->local[1] = local_y; p->local[2] = local_z;

    VkDescriptorSetLayoutBinding bindings[TT_VK_MAX_BINDINGS];
    for (uint32_t i = 0; i < n_buffers; i++)
        bindings[i] = (VkDescriptorSetLayoutBinding){.binding = i, .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                                     .descriptorCount = 1, .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT};
    VkDescriptorSetLayoutCreateInfo dlci = {
        .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
        .flags = vk->push_descriptors ? VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR : 0,
        .bindingCount = n_buffers, .pBindings = bindings,
    };
    VK_TRY(vkCreateDescriptorSetLayout(vk->device, &dlci, NULL, &p->set_layout), "vkCreateDescriptorSetLayout");
    VkPushConstantRange pcr = {.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT, .offset = 0, .size = push_size};
    VkPipelineLayoutCreateInfo plci = {
        .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO, .setLayoutCount = 1, .pSetLayouts = &p->set_layout,
        .pushConstantRangeCount = push_size ? 1 : 0, .pPushConstantRanges = &pcr,
    };
    VK_TRY(vkCreatePipelineLayout(vk->device, &plci, NULL, &p->layout), "vkCreatePipelineLayout");
    VkShaderModuleCreateInfo smci = {.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
                                     .codeSize = blob->size, .pCode = blob->code};
    VK_TRY(vkCreateShaderModule(vk->device, &smci, NULL, &b->module), "vkCreateShaderModule");
    return TT_OK;
cleanup:
    pipeline_free(vk, p);
    b->p = NULL;
    return st;
}

/* The driver's compile; safe on any thread (touches only b). */
static void *pipeline_compile(void *arg)
{
    pipeline_build *b = arg;
    tt_vk_pipeline *p = b->p;
    VkSpecializationMapEntry entries[TT_VK_MAX_SPEC];
    for (uint32_t i = 0; i < p->spec_count; i++)
        entries[i] = (VkSpecializationMapEntry){.constantID = i, .offset = 4 * i, .size = 4};
    VkSpecializationInfo si = {.mapEntryCount = p->spec_count, .pMapEntries = entries,
                               .dataSize = 4 * p->spec_count, .pData = p->spec};
    VkComputePipelineCreateInfo cpci = {
        .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
        .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, .stage = VK_SHADER_STAGE_COMPUTE_BIT,
                  .module = b->module, .pName = "main", .pSpecializationInfo = p->spec_count ? &si : NULL},
        .layout = p->layout,
    };
    if (b->vk->pipeline_stats) cpci.flags |= VK_PIPELINE_CREATE_CAPTURE_STATISTICS_BIT_KHR;
    b->result = vkCreateComputePipelines(b->vk->device, b->vk->pipe_cache, 1, &cpci, NULL, &p->pipeline);
    return NULL;
}

/* Registers a compiled pipeline in the context's cache, or frees a failed one (its status returned). */
static tt_status pipeline_finish(tt_vk *vk, pipeline_build *b, tt_vk_pipeline **out)
{
    tt_status st = TT_OK;
    vkDestroyShaderModule(vk->device, b->module, NULL);
    b->module = VK_NULL_HANDLE;
    if (b->result != VK_SUCCESS) {
        char ctx[128];
        snprintf(ctx, sizeof ctx, "creating pipeline '%.64s'", b->p->name);
        st = tt_vk_check(b->result, ctx);
        pipeline_free(vk, b->p);
        b->p = NULL;
        return st;
    }
    if (vk->n_pipes >= TT_VK_PIPELINE_CACHE_MAX) evict_unused(vk);
    if (vk->n_pipes == vk->cap_pipes) {
        uint32_t cap = vk->cap_pipes ? 2 * vk->cap_pipes : 16;
        tt_vk_pipeline **pipes = realloc(vk->pipes, cap * sizeof *pipes);
        if (!pipes) {
            pipeline_free(vk, b->p);
            b->p = NULL;
            return tt_fail(TT_ERR_NOMEM, "out of memory");
        }
        vk->pipes = pipes;
        vk->cap_pipes = cap;
    }
    tt_vk_pipeline *p = b->p;
    if (vk->pipeline_stats) print_pipeline_stats(vk, p);
    p->users = 1;
    p->last_use = ++vk->pipe_clock;
    vk->pipes[vk->n_pipes++] = p;
    vk->pipelines_built++;
    *out = p;
    return TT_OK;
}

tt_status tt_vk_pipeline_create(tt_vk *vk, const char *shader, uint32_t n_buffers, uint32_t push_size,
                                const uint32_t *spec, uint32_t spec_count,
                                uint32_t local_x, uint32_t local_y, uint32_t local_z,
                                tt_vk_pipeline **out)
{
    return tt_vk_pipelines_create(vk, 1, &shader, n_buffers, push_size, spec, spec_count, local_x, local_y, local_z,
                                  out);
}

tt_status tt_vk_pipelines_create(tt_vk *vk, uint32_t n, const char *const *shaders, uint32_t n_buffers,
                                 uint32_t push_size, const uint32_t *spec, uint32_t spec_count, uint32_t local_x,
                                 uint32_t local_y, uint32_t local_z, tt_vk_pipeline **out)
{
    enum { MAX_AT_ONCE = 16 };
    if (n > MAX_AT_ONCE) return tt_fail(TT_ERR_INVALID_ARG, "pipelines: %u at once, at most %d", n, MAX_AT_ONCE);
    pipeline_build builds[MAX_AT_ONCE];
    uint32_t slot[MAX_AT_ONCE], n_build = 0;
    int alias[MAX_AT_ONCE]; /* an earlier entry of this call with the same shader and constants, or -1 */
    tt_status st = TT_OK;
    for (uint32_t i = 0; i < n; i++) out[i] = NULL;
    for (uint32_t i = 0; i < n && st == TT_OK; i++) {
        alias[i] = -1;
        if (!shaders[i]) continue; /* not wanted */
        for (uint32_t j = 0; j < i && alias[i] < 0; j++)
            if (shaders[j] && strcmp(shaders[j], shaders[i]) == 0 &&
                (spec_count == 0 || memcmp(spec + (size_t)j * spec_count, spec + (size_t)i * spec_count,
                                           4u * spec_count) == 0))
                alias[i] = alias[j] >= 0 ? alias[j] : (int)j;
        if (alias[i] >= 0) continue; /* built (or found) once, below */
        const tt_shader_blob *blob;
        const uint32_t *sp = spec ? spec + (size_t)i * spec_count : NULL;
        st = pipeline_check(vk, shaders[i], &blob, n_buffers, push_size, sp, spec_count, local_x, local_y, local_z);
        if (st != TT_OK) break;
        out[i] = pipeline_lookup(vk, blob, n_buffers, push_size, sp, spec_count, local_x, local_y, local_z);
        if (out[i]) continue;
        st = pipeline_prepare(vk, shaders[i], blob, n_buffers, push_size, sp, spec_count, local_x, local_y, local_z,
                              &builds[n_build]);
        if (st == TT_OK) slot[n_build++] = i;
    }
    /* Compile the new ones at once: on a CPU device (lavapipe) or a cold driver cache each takes a large part of a
     * second, and the threads overlap them (the last one compiles on this thread). */
    pthread_t threads[MAX_AT_ONCE];
    int started[MAX_AT_ONCE] = {0};
    for (uint32_t k = 0; k < n_build && st == TT_OK; k++) {
        if (k + 1 < n_build && pthread_create(&threads[k], NULL, pipeline_compile, &builds[k]) == 0) started[k] = 1;
        else pipeline_compile(&builds[k]);
    }
    for (uint32_t k = 0; k < n_build; k++)
        if (started[k]) pthread_join(threads[k], NULL);
    for (uint32_t k = 0; k < n_build; k++) {
        if (st == TT_OK) {
            st = pipeline_finish(vk, &builds[k], &out[slot[k]]);
        } else { /* an earlier step failed: drop this one (pipeline_free destroys a compiled pipeline too) */
            vkDestroyShaderModule(vk->device, builds[k].module, NULL);
            pipeline_free(vk, builds[k].p);
        }
    }
    for (uint32_t i = 0; i < n && st == TT_OK; i++)
        if (alias[i] >= 0 && out[alias[i]]) {
            out[i] = out[alias[i]];
            out[i]->users++;
        }
    if (st != TT_OK) {
        for (uint32_t i = 0; i < n; i++) {
            tt_vk_pipeline_destroy(vk, out[i]);
            out[i] = NULL;
        }
    }
    return st;
}

void tt_vk_pipeline_destroy(tt_vk *vk, tt_vk_pipeline *p)
{
    /* The pipeline stays cached for the next create; only an unused one may be evicted. */
    (void)vk;
    if (p && p->users) p->users--;
}

uint32_t tt_vk_pipelines_built(const tt_vk *vk) { return vk->pipelines_built; }

static void pipeline_free(tt_vk *vk, tt_vk_pipeline *p)
{
    if (!p) return;
    if (p->pipeline) vkDestroyPipeline(vk->device, p->pipeline, NULL);
    if (p->layout) vkDestroyPipelineLayout(vk->device, p->layout, NULL);
    if (p->set_layout) vkDestroyDescriptorSetLayout(vk->device, p->set_layout, NULL);
    free(p);
}

/* ---- Recording ------------------------------------------------------------------ */

static void record_fail(tt_vk *vk, tt_status s)
{
    if (vk->record_status == TT_OK) {
        vk->record_status = s;
        snprintf(vk->record_error, sizeof vk->record_error, "%s", tt_last_error());
    }
}

/* Waits for command buffer i if it is in flight and adds its GPU time to pending_ms. A finite wait: a hung GPU
 * must become an error, not a hang; 10 minutes is far beyond any single submission tinytex records. */
static tt_status wait_buffer(tt_vk *vk, int i)
{
    if (!vk->in_flight[i]) return TT_OK;
    vk->in_flight[i] = 0;
    VkResult r = vkWaitForFences(vk->device, 1, &vk->fences[i], VK_TRUE, 600ull * 1000 * 1000 * 1000);
    if (r == VK_TIMEOUT) return tt_fail(TT_ERR_DEVICE_LOST, "GPU work did not finish within 10 minutes");
    if (r != VK_SUCCESS) return tt_vk_check(r, "vkWaitForFences");
    uint64_t ts[2];
    if (vk->timestamps && vk->pending_ms >= 0 &&
        vkGetQueryPoolResults(vk->device, vk->timestamps, 2u * (uint32_t)i, 2, sizeof ts, ts, sizeof ts[0],
                              VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT) == VK_SUCCESS)
        vk->pending_ms += (double)(ts[1] - ts[0]) * vk->caps.timestamp_period * 1e-6;
    else
        vk->pending_ms = -1;
    return TT_OK;
}

tt_status tt_vk_begin(tt_vk *vk)
{
    if (vk->recording) return tt_fail(TT_ERR_INVALID_ARG, "tt_vk_begin: already recording");
    tt_status st = wait_buffer(vk, vk->cur);
    if (st != TT_OK) return st;
    vk->cmd = vk->cmds[vk->cur];
    VK_TRY(vkResetCommandBuffer(vk->cmd, 0), "vkResetCommandBuffer");
    /* Pools are only used without push descriptors, and then nothing is in flight (tt_vk_submit_async waits). */
    for (uint32_t i = 0; i < vk->n_desc_pools; i++) vkResetDescriptorPool(vk->device, vk->desc_pools[i], 0);
    vk->sets_in_pool = 0;
    VkCommandBufferBeginInfo bi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
                                   .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT};
    VK_TRY(vkBeginCommandBuffer(vk->cmd, &bi), "vkBeginCommandBuffer");
    if (vk->timestamps) {
        uint32_t q = 2u * (uint32_t)vk->cur;
        vkCmdResetQueryPool(vk->cmd, vk->timestamps, q, 2);
        vkCmdWriteTimestamp(vk->cmd, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, vk->timestamps, q);
    }
    vk->recording = 1;
    vk->record_status = TT_OK;
    vk->record_error[0] = 0;
cleanup:
    return st;
}

/* Fallback descriptor-set allocation (no push descriptors). Pools are reused
 * after each submit; index = sets_in_pool / TT_VK_SETS_PER_POOL. */
static VkDescriptorSet alloc_set(tt_vk *vk, tt_vk_pipeline *p)
{
    uint32_t pool_idx = vk->sets_in_pool / TT_VK_SETS_PER_POOL;
    if (pool_idx >= TT_VK_MAX_PIPE_DESC_POOLS) {
        record_fail(vk, tt_fail(TT_ERR_LIMIT, "too many dispatches in one submission (%u)", vk->sets_in_pool));
        return VK_NULL_HANDLE;
    }
    if (pool_idx >= vk->n_desc_pools) {
        VkDescriptorPoolSize size = {.type = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                     .descriptorCount = TT_VK_SETS_PER_POOL * TT_VK_MAX_BINDINGS};
        VkDescriptorPoolCreateInfo dpci = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
                                           .maxSets = TT_VK_SETS_PER_POOL, .poolSizeCount = 1, .pPoolSizes = &size};
        VkResult r = vkCreateDescriptorPool(vk->device, &dpci, NULL, &vk->desc_pools[vk->n_desc_pools]);
        if (r != VK_SUCCESS) { record_fail(vk, tt_vk_check(r, "vkCreateDescriptorPool")); return VK_NULL_HANDLE; }
        vk->n_desc_pools++;
    }
    VkDescriptorSetAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
                                      .descriptorPool = vk->desc_pools[pool_idx], .descriptorSetCount = 1,
                                      .pSetLayouts = &p->set_layout};
    VkDescriptorSet set;
    VkResult r = vkAllocateDescriptorSets(vk->device, &ai, &set);
    if (r != VK_SUCCESS) { record_fail(vk, tt_vk_check(r, "vkAllocateDescriptorSets")); return VK_NULL_HANDLE; }
    vk->sets_in_pool++;
    return set;
}

void tt_vk_dispatch_groups(tt_vk *vk, tt_vk_pipeline *p, tt_vk_buffer *const *bufs, const void *push,
                           uint32_t gx, uint32_t gy, uint32_t gz)
{
    if (!vk->recording) { record_fail(vk, tt_fail(TT_ERR_INVALID_ARG, "dispatch outside tt_vk_begin/submit")); return; }
    if (vk->record_status != TT_OK) return;
    if (!p) { record_fail(vk, tt_fail(TT_ERR_INVALID_ARG, "dispatch of a NULL pipeline")); return; }
    if (gx == 0 || gy == 0 || gz == 0) return; /* nothing to do */
    const uint32_t *maxc = vk->limits.maxComputeWorkGroupCount;
    if (gx > maxc[0] || gy > maxc[1] || gz > maxc[2]) {
        record_fail(vk, tt_fail(TT_ERR_LIMIT, "dispatch '%s': %ux%ux%u groups exceed the device limit %ux%ux%u",
                                p->name, gx, gy, gz, maxc[0], maxc[1], maxc[2]));
        return;
    }
    if (p->push_size && !push) { record_fail(vk, tt_fail(TT_ERR_INVALID_ARG, "dispatch '%s': missing push constants", p->name)); return; }
    VkDescriptorBufferInfo infos[TT_VK_MAX_BINDINGS];
    VkWriteDescriptorSet writes[TT_VK_MAX_BINDINGS];
    for (uint32_t i = 0; i < p->n_buffers; i++) {
        if (!bufs || !bufs[i] || !bufs[i]->buffer) {
            record_fail(vk, tt_fail(TT_ERR_INVALID_ARG, "dispatch '%s': buffer %u is not bound", p->name, i));
            return;
        }
        infos[i] = (VkDescriptorBufferInfo){.buffer = bufs[i]->buffer, .offset = 0, .range = VK_WHOLE_SIZE};
        writes[i] = (VkWriteDescriptorSet){.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstBinding = i,
                                           .descriptorCount = 1, .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                           .pBufferInfo = &infos[i]};
    }
    vkCmdBindPipeline(vk->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, p->pipeline);
    if (p->n_buffers) {
        if (vk->push_descriptors) {
            vk->cmd_push_descriptor_set(vk->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, p->layout, 0, p->n_buffers, writes);
        } else {
            VkDescriptorSet set = alloc_set(vk, p);
            if (!set) return;
            for (uint32_t i = 0; i < p->n_buffers; i++) writes[i].dstSet = set;
            vkUpdateDescriptorSets(vk->device, p->n_buffers, writes, 0, NULL);
            vkCmdBindDescriptorSets(vk->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, p->layout, 0, 1, &set, 0, NULL);
        }
    }
    if (p->push_size) vkCmdPushConstants(vk->cmd, p->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, p->push_size, push);
    vkCmdDispatch(vk->cmd, gx, gy, gz);
}

void tt_vk_dispatch(tt_vk *vk, tt_vk_pipeline *p, tt_vk_buffer *const *bufs, const void *push,
                    uint32_t items_x, uint32_t items_y, uint32_t items_z)
{
    if (!p) { record_fail(vk, tt_fail(TT_ERR_INVALID_ARG, "dispatch of a NULL pipeline")); return; }
    uint32_t gx = items_x / p->local[0] + (items_x % p->local[0] != 0);
    uint32_t gy = items_y / p->local[1] + (items_y % p->local[1] != 0);
    uint32_t gz = items_z / p->local[2] + (items_z % p->local[2] != 0);
    tt_vk_dispatch_groups(vk, p, bufs, push, gx, gy, gz);
}

void tt_vk_barrier(tt_vk *vk)
{
    if (!vk->recording) return;
    VkMemoryBarrier mb = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
        .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
        .dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT |
                         VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
    };
    vkCmdPipelineBarrier(vk->cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                         VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1, &mb, 0, NULL, 0, NULL);
}

void tt_vk_copy(tt_vk *vk, tt_vk_buffer *src, VkDeviceSize src_off, tt_vk_buffer *dst, VkDeviceSize dst_off, VkDeviceSize size)
{
    if (!vk->recording) { record_fail(vk, tt_fail(TT_ERR_INVALID_ARG, "copy outside tt_vk_begin/submit")); return; }
    tt_status st = check_range(src, src_off, size, "copy source");
    if (st == TT_OK) st = check_range(dst, dst_off, size, "copy destination");
    if (st != TT_OK) { record_fail(vk, st); return; }
    if (size == 0) return;
    VkBufferCopy region = {.srcOffset = src_off, .dstOffset = dst_off, .size = size};
    vkCmdCopyBuffer(vk->cmd, src->buffer, dst->buffer, 1, &region);
}

void tt_vk_fill_cmd(tt_vk *vk, tt_vk_buffer *dst, uint32_t value)
{
    if (!vk->recording || !dst || !dst->buffer) {
        record_fail(vk, tt_fail(TT_ERR_INVALID_ARG, "fill outside tt_vk_begin/submit or of an unset buffer"));
        return;
    }
    vkCmdFillBuffer(vk->cmd, dst->buffer, 0, VK_WHOLE_SIZE, value);
}

VkCommandBuffer tt_vk_cmd(tt_vk *vk) { return vk->cmd; }

/* Ends the recording and submits it with the current buffer's fence (no wait). */
static tt_status end_and_submit(tt_vk *vk)
{
    tt_status st = TT_OK;
    if (!vk->recording) return tt_fail(TT_ERR_INVALID_ARG, "tt_vk_submit without tt_vk_begin");
    vk->recording = 0;
    /* Make transfers/dispatches visible to the host before it reads. */
    VkMemoryBarrier mb = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
                          .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
                          .dstAccessMask = VK_ACCESS_HOST_READ_BIT};
    vkCmdPipelineBarrier(vk->cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                         VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &mb, 0, NULL, 0, NULL);
    if (vk->timestamps)
        vkCmdWriteTimestamp(vk->cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, vk->timestamps, 2u * (uint32_t)vk->cur + 1);
    VK_TRY(vkEndCommandBuffer(vk->cmd), "vkEndCommandBuffer");
    if (vk->record_status != TT_OK) {
        st = tt_fail(vk->record_status, "%s", vk->record_error);
        goto cleanup;
    }
    VkSubmitInfo si = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1, .pCommandBuffers = &vk->cmd};
    VK_TRY(vkResetFences(vk->device, 1, &vk->fences[vk->cur]), "vkResetFences");
    VK_TRY(vkQueueSubmit(vk->queue, 1, &si, vk->fences[vk->cur]), "vkQueueSubmit");
    vk->in_flight[vk->cur] = 1;
cleanup:
    return st;
}

tt_status tt_vk_submit_async(tt_vk *vk)
{
    tt_status st = end_and_submit(vk);
    if (st != TT_OK) return st;
    vk->cur ^= 1;
    /* Without push descriptors the next recording resets the descriptor pools this submission uses. */
    return vk->push_descriptors ? TT_OK : wait_buffer(vk, vk->cur ^ 1);
}

tt_status tt_vk_submit(tt_vk *vk, double *gpu_ms)
{
    if (gpu_ms) *gpu_ms = -1.0;
    tt_status st = end_and_submit(vk);
    /* Submission order: the other buffer, if in flight, was submitted first. */
    tt_status w = wait_buffer(vk, vk->cur ^ 1);
    if (st == TT_OK) st = w;
    w = wait_buffer(vk, vk->cur);
    if (st == TT_OK) st = w;
    if (st == TT_OK && gpu_ms && vk->timestamps) *gpu_ms = vk->pending_ms;
    vk->pending_ms = 0;
    return st;
}

