/* api_context.c - the public GPU context: configuration, creation on a tt_vk device, and the device list. */
#include <stdlib.h>
#include <string.h>

#include "api/tt_context.h"

void tt_context_config_init(tt_context_config *config)
{
    if (!config) return;
    memset(config, 0, sizeof *config);
    config->device = -1;
    config->cooperative_matrix = 1;
    config->push_descriptors = 1;
}

static int is_flag(int v) { return v == 0 || v == 1; }

tt_status tt_context_config_validate(const tt_context_config *config)
{
    if (!config) return tt_fail(TT_ERR_INVALID_ARG, "tt_context_config_validate: config is NULL");
    if (config->device < -1)
        return tt_fail(TT_ERR_INVALID_ARG, "context config: device %d (an index from tt_device_list, or -1)",
                       config->device);
    if (!is_flag(config->validation) || !is_flag(config->cooperative_matrix) || !is_flag(config->push_descriptors) ||
        !is_flag(config->pipeline_stats))
        return tt_fail(TT_ERR_INVALID_ARG, "context config: validation, cooperative_matrix, push_descriptors and "
                                           "pipeline_stats are 0 or 1");
    if (config->pipeline_cache_path && !config->pipeline_cache_path[0])
        return tt_fail(TT_ERR_INVALID_ARG, "context config: pipeline_cache_path is empty (NULL = no cache file)");
    return TT_OK;
}

tt_status tt_context_create(const tt_context_config *config, tt_context **out)
{
    if (!out) return tt_fail(TT_ERR_INVALID_ARG, "tt_context_create: out is NULL");
    *out = NULL;
    tt_context_config cfg;
    if (config) cfg = *config;
    else tt_context_config_init(&cfg);
    tt_status st = tt_context_config_validate(&cfg);
    if (st != TT_OK) return st;

    tt_context *ctx = calloc(1, sizeof *ctx);
    if (!ctx) return tt_fail(TT_ERR_NOMEM, "tt_context_create: out of memory");
    ctx->config = cfg;
    tt_vk_options o;
    tt_vk_options_init(&o);
    o.device = cfg.device;
    o.validation = cfg.validation;
    o.cooperative_matrix = cfg.cooperative_matrix;
    o.push_descriptors = cfg.push_descriptors;
    o.pipeline_stats = cfg.pipeline_stats;
    o.pipeline_cache_path = cfg.pipeline_cache_path;
    st = tt_vk_create_opts(&o, &ctx->vk);
    if (st != TT_OK) {
        free(ctx);
        return st;
    }
    ctx->config.pipeline_cache_path = NULL;   /* the caller's string may go; tt_vk keeps its own copy */
    *out = ctx;
    return TT_OK;
}

void tt_context_destroy(tt_context *ctx)
{
    if (!ctx) return;
    tt_vk_destroy(ctx->vk);
    free(ctx);
}

static tt_device_type device_type(VkPhysicalDeviceType t)
{
    switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return TT_DEVICE_INTEGRATED_GPU;
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return TT_DEVICE_DISCRETE_GPU;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return TT_DEVICE_VIRTUAL_GPU;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return TT_DEVICE_CPU;
    default: return TT_DEVICE_OTHER;
    }
}

/* Vulkan's fixed-size name fields into ours, always terminated. */
static void copy_name(char *dst, size_t dst_size, const char *src, size_t src_size)
{
    size_t n = strnlen(src, src_size);
    if (n >= dst_size) n = dst_size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void device_info(const tt_vk_device_info *in, tt_device_info *out)
{
    memset(out, 0, sizeof *out);
    copy_name(out->name, sizeof out->name, in->name, sizeof in->name);
    copy_name(out->driver, sizeof out->driver, in->driver, sizeof in->driver);
    out->type = device_type(in->type);
    out->vendor_id = in->vendor_id;
    out->device_id = in->device_id;
    out->api_version = in->api_version;
    out->memory_bytes = in->device_local_bytes;
}

tt_status tt_device_list(tt_device_info *info, uint32_t max, uint32_t *count)
{
    if (!count) return tt_fail(TT_ERR_INVALID_ARG, "tt_device_list: count is NULL");
    *count = 0;
    tt_vk_device_info vinfo[TT_VK_MAX_DEVICES];
    uint32_t n = 0;
    tt_status st = tt_vk_enumerate(vinfo, TT_VK_MAX_DEVICES, &n);
    if (st != TT_OK) return st;
    for (uint32_t i = 0; info && i < n && i < max; i++) device_info(&vinfo[i], &info[i]);
    *count = n;
    return TT_OK;
}

tt_status tt_context_device(const tt_context *ctx, tt_device_info *out)
{
    if (!ctx || !out) return tt_fail(TT_ERR_INVALID_ARG, "tt_context_device: ctx and out must not be NULL");
    device_info(tt_vk_info(ctx->vk), out);
    return TT_OK;
}
