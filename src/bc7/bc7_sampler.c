/* bc7_sampler.c - decodes BC7 blocks with the Vulkan driver's own texture sampler (an independent decoder): upload as a BC7 image with all its mip levels, texelFetch every texel of every level. */
#include <string.h>

#include "bc7/tt_bc7_gpu.h"
#include "vk/tt_shaders.h"
#include "bc7_readback_abi.h" /* shaders/: the readback shader's push constants */

static uint32_t memory_type(VkPhysicalDevice phys, uint32_t bits, VkMemoryPropertyFlags want)
{
    VkPhysicalDeviceMemoryProperties mp;
    vkGetPhysicalDeviceMemoryProperties(phys, &mp);
    for (uint32_t i = 0; i < mp.memoryTypeCount; i++)
        if ((bits & (1u << i)) && (mp.memoryTypes[i].propertyFlags & want) == want) return i;
    for (uint32_t i = 0; i < mp.memoryTypeCount; i++)
        if (bits & (1u << i)) return i;
    return 0;
}

#define VK_TRY(call, what)                                              \
    do {                                                                \
        VkResult r_ = (call);                                           \
        if (r_ != VK_SUCCESS) {                                         \
            st = tt_vk_check(r_, "bc7 sampler decode: " what);          \
            goto cleanup;                                               \
        }                                                               \
    } while (0)

tt_status tt_bc7_decode_sampler(tt_vk *vk, const tt_bc7_block *blocks, uint32_t w, uint32_t h, uint8_t *out_rgba)
{
    if (!vk || !blocks || !out_rgba || w == 0 || h == 0)
        return tt_fail(TT_ERR_INVALID_ARG, "bc7 sampler decode: empty image or missing argument");
    tt_texture t;
    memset(&t, 0, sizeof t);
    t.width = w;
    t.height = h;
    t.data = (uint8_t *)blocks; /* read only */
    t.data_size = (size_t)((w + 3) / 4) * ((h + 3) / 4) * 16;
    tt_texture_set_one_level(&t);
    uint8_t *outs[1] = {out_rgba};
    return tt_bc7_decode_sampler_levels(vk, &t, outs);
}

tt_status tt_bc7_decode_sampler_levels(tt_vk *vk, const tt_texture *t, uint8_t *const *out_rgba)
{
    if (!vk || !t || !t->data || !out_rgba || t->level_count == 0 || t->level_count > TT_MAX_LEVELS)
        return tt_fail(TT_ERR_INVALID_ARG, "bc7 sampler decode: empty texture or missing argument");
    uint32_t w = t->width, h = t->height, nl = t->level_count;
    VkDeviceSize texels = 0;
    for (uint32_t i = 0; i < nl; i++) {
        const tt_texture_level *l = &t->levels[i];
        uint32_t lw = w >> i ? w >> i : 1, lh = h >> i ? h >> i : 1;
        if (l->width != lw || l->height != lh || l->size != (size_t)((lw + 3) / 4) * ((lh + 3) / 4) * 16 ||
            l->offset > t->data_size || t->data_size - l->offset < l->size)
            return tt_fail(TT_ERR_INVALID_ARG, "bc7 sampler decode: level %u is not the floor-rule level of %ux%u", i,
                           w, h);
        texels += (VkDeviceSize)lw * lh;
    }
    VkDevice dev = tt_vk_device(vk);
    VkPhysicalDevice phys = tt_vk_physical(vk);
    VkFormatProperties fp;
    vkGetPhysicalDeviceFormatProperties(phys, VK_FORMAT_BC7_UNORM_BLOCK, &fp);
    if (!tt_vk_get_caps(vk)->bc7_sampling || !(fp.optimalTilingFeatures & VK_FORMAT_FEATURE_SAMPLED_IMAGE_BIT))
        return tt_fail(TT_ERR_UNSUPPORTED, "bc7 sampler decode: %s cannot sample BC7 images", tt_vk_info(vk)->name);
    const VkPhysicalDeviceLimits *lim = NULL;
    VkPhysicalDeviceProperties props;
    vkGetPhysicalDeviceProperties(phys, &props);
    lim = &props.limits;
    if (w > lim->maxImageDimension2D || h > lim->maxImageDimension2D)
        return tt_fail(TT_ERR_LIMIT, "bc7 sampler decode: %ux%u is above the device's 2D image limit %u", w, h,
                       lim->maxImageDimension2D);
    const tt_shader_blob *blob = tt_shader_find("bc7_sample_readback");
    if (!blob) return tt_fail(TT_ERR_VULKAN, "bc7 sampler decode: shader bc7_sample_readback not embedded");

    VkDeviceSize bytes = t->data_size;
    tt_status st = TT_OK;
    tt_vk_buffer staging = {0}, out = {0};
    VkImage image = VK_NULL_HANDLE;
    VkDeviceMemory mem = VK_NULL_HANDLE;
    VkImageView view = VK_NULL_HANDLE;
    VkSampler sampler = VK_NULL_HANDLE;
    VkDescriptorSetLayout dsl = VK_NULL_HANDLE;
    VkPipelineLayout layout = VK_NULL_HANDLE;
    VkShaderModule module = VK_NULL_HANDLE;
    VkPipeline pipe = VK_NULL_HANDLE;
    VkDescriptorPool pool = VK_NULL_HANDLE;

    st = tt_vk_buffer_create(vk, bytes, TT_MEM_UPLOAD, &staging);
    if (st == TT_OK) st = tt_vk_buffer_create(vk, texels * 4, TT_MEM_READBACK, &out);
    if (st != TT_OK) goto cleanup;
    memcpy(staging.mapped, t->data, bytes);

    VkImageCreateInfo ici = {.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO, .imageType = VK_IMAGE_TYPE_2D,
                             .format = VK_FORMAT_BC7_UNORM_BLOCK, .extent = {w, h, 1}, .mipLevels = nl,
                             .arrayLayers = 1, .samples = VK_SAMPLE_COUNT_1_BIT, .tiling = VK_IMAGE_TILING_OPTIMAL,
                             .usage = VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT,
                             .sharingMode = VK_SHARING_MODE_EXCLUSIVE, .initialLayout = VK_IMAGE_LAYOUT_UNDEFINED};
    VK_TRY(vkCreateImage(dev, &ici, NULL, &image), "image");
    VkMemoryRequirements req;
    vkGetImageMemoryRequirements(dev, image, &req);
    VkMemoryAllocateInfo mai = {.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, .allocationSize = req.size,
                                .memoryTypeIndex = memory_type(phys, req.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT)};
    VK_TRY(vkAllocateMemory(dev, &mai, NULL, &mem), "image memory");
    VK_TRY(vkBindImageMemory(dev, image, mem, 0), "bind image memory");
    VkImageViewCreateInfo vci = {.sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO, .image = image,
                                 .viewType = VK_IMAGE_VIEW_TYPE_2D, .format = VK_FORMAT_BC7_UNORM_BLOCK,
                                 .subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, nl, 0, 1}};
    VK_TRY(vkCreateImageView(dev, &vci, NULL, &view), "image view");
    VkSamplerCreateInfo sci = {.sType = VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO, .magFilter = VK_FILTER_NEAREST,
                               .minFilter = VK_FILTER_NEAREST, .mipmapMode = VK_SAMPLER_MIPMAP_MODE_NEAREST,
                               .addressModeU = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
                               .addressModeV = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
                               .addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE, .maxLod = (float)(nl - 1)};
    VK_TRY(vkCreateSampler(dev, &sci, NULL, &sampler), "sampler");

    VkDescriptorSetLayoutBinding binds[2] = {
        {0, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL},
        {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL},
    };
    VkDescriptorSetLayoutCreateInfo dlci = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
                                            .bindingCount = 2, .pBindings = binds};
    VK_TRY(vkCreateDescriptorSetLayout(dev, &dlci, NULL, &dsl), "descriptor set layout");
    VkPushConstantRange pcr = {VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(tt_bc7_readback_push)};
    VkPipelineLayoutCreateInfo plci = {.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO, .setLayoutCount = 1,
                                       .pSetLayouts = &dsl, .pushConstantRangeCount = 1, .pPushConstantRanges = &pcr};
    VK_TRY(vkCreatePipelineLayout(dev, &plci, NULL, &layout), "pipeline layout");
    VkShaderModuleCreateInfo smci = {.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO, .codeSize = blob->size,
                                     .pCode = blob->code};
    VK_TRY(vkCreateShaderModule(dev, &smci, NULL, &module), "shader module");
    VkComputePipelineCreateInfo cpci = {
        .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
        .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, .stage = VK_SHADER_STAGE_COMPUTE_BIT,
                  .module = module, .pName = "main"},
        .layout = layout};
    VK_TRY(vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &cpci, NULL, &pipe), "pipeline");
    VkDescriptorPoolSize sizes[2] = {{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1}, {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1}};
    VkDescriptorPoolCreateInfo dpci = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO, .maxSets = 1,
                                       .poolSizeCount = 2, .pPoolSizes = sizes};
    VK_TRY(vkCreateDescriptorPool(dev, &dpci, NULL, &pool), "descriptor pool");
    VkDescriptorSetAllocateInfo dsai = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO, .descriptorPool = pool,
                                        .descriptorSetCount = 1, .pSetLayouts = &dsl};
    VkDescriptorSet set;
    VK_TRY(vkAllocateDescriptorSets(dev, &dsai, &set), "descriptor set");
    VkDescriptorImageInfo dii = {sampler, view, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
    VkDescriptorBufferInfo dbi = {out.buffer, 0, VK_WHOLE_SIZE};
    VkWriteDescriptorSet writes[2] = {
        {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = set, .dstBinding = 0, .descriptorCount = 1,
         .descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, .pImageInfo = &dii},
        {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = set, .dstBinding = 1, .descriptorCount = 1,
         .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, .pBufferInfo = &dbi},
    };
    vkUpdateDescriptorSets(dev, 2, writes, 0, NULL);

    st = tt_vk_begin(vk);
    if (st != TT_OK) goto cleanup;
    VkCommandBuffer cmd = tt_vk_cmd(vk);
    VkImageMemoryBarrier to_dst = {.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER, .srcAccessMask = 0,
                                   .dstAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT, .oldLayout = VK_IMAGE_LAYOUT_UNDEFINED,
                                   .newLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                                   .srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED, .dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
                                   .image = image, .subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, nl, 0, 1}};
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 0, NULL, 0, NULL, 1, &to_dst);
    VkBufferImageCopy regions[TT_MAX_LEVELS];
    for (uint32_t i = 0; i < nl; i++) {
        const tt_texture_level *l = &t->levels[i];
        regions[i] = (VkBufferImageCopy){.bufferOffset = l->offset, .bufferRowLength = (l->width + 3) / 4 * 4,
                                         .bufferImageHeight = (l->height + 3) / 4 * 4,
                                         .imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, i, 0, 1},
                                         .imageOffset = {0, 0, 0}, .imageExtent = {l->width, l->height, 1}};
    }
    vkCmdCopyBufferToImage(cmd, staging.buffer, image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, nl, regions);
    VkImageMemoryBarrier to_read = to_dst;
    to_read.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
    to_read.dstAccessMask = VK_ACCESS_SHADER_READ_BIT;
    to_read.oldLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
    to_read.newLayout = VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL;
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 0, NULL, 0, NULL, 1, &to_read);
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipe);
    vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, &set, 0, NULL);
    const uint32_t ls = TT_BC7_READBACK_LOCAL_SIZE;
    uint32_t base = 0;
    for (uint32_t i = 0; i < nl; i++) {
        const tt_texture_level *l = &t->levels[i];
        tt_bc7_readback_push push = {.width = l->width, .height = l->height, .lod = i, .base = base};
        vkCmdPushConstants(cmd, layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof push, &push);
        vkCmdDispatch(cmd, (l->width + ls - 1) / ls, (l->height + ls - 1) / ls, 1);
        base += l->width * l->height;
    }
    st = tt_vk_submit(vk, NULL);
    if (st != TT_OK) goto cleanup;
    VkMappedMemoryRange range = {.sType = VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE, .memory = out.memory, .size = VK_WHOLE_SIZE};
    vkInvalidateMappedMemoryRanges(dev, 1, &range);
    size_t at = 0;
    for (uint32_t i = 0; i < nl; i++) {
        size_t n = (size_t)t->levels[i].width * t->levels[i].height * 4;
        memcpy(out_rgba[i], (const uint8_t *)out.mapped + at, n);
        at += n;
    }

cleanup:
    if (pool) vkDestroyDescriptorPool(dev, pool, NULL);
    if (pipe) vkDestroyPipeline(dev, pipe, NULL);
    if (module) vkDestroyShaderModule(dev, module, NULL);
    if (layout) vkDestroyPipelineLayout(dev, layout, NULL);
    if (dsl) vkDestroyDescriptorSetLayout(dev, dsl, NULL);
    if (sampler) vkDestroySampler(dev, sampler, NULL);
    if (view) vkDestroyImageView(dev, view, NULL);
    if (image) vkDestroyImage(dev, image, NULL);
    if (mem) vkFreeMemory(dev, mem, NULL);
    tt_vk_buffer_destroy(vk, &staging);
    tt_vk_buffer_destroy(vk, &out);
    return st;
}
