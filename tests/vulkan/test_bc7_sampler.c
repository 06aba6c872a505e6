/* test_bc7_sampler.c - the driver's BC7 sampler (an independent decoder) must match tt_bc7_decode_image bit for bit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bc7/tt_bc7.h"
#include "vk/tt_vk.h"
#include "tt_test.h"
#include "vk/tt_shaders.h"
#include "bc7_readback_abi.h" /* the readback shader's push constants */

#define VKCHECK(call)                                                                         \
    do {                                                                                      \
        VkResult r_ = (call);                                                                 \
        if (r_ != VK_SUCCESS) {                                                               \
            fprintf(stderr, "%s:%d: %s = %s\n", __FILE__, __LINE__, #call, tt_vk_result_str(r_)); \
            exit(1);                                                                          \
        }                                                                                     \
    } while (0)

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

/* Uploads `blocks` as a VK_FORMAT_BC7_UNORM_BLOCK image (optimal tiling,
 * staging buffer + vkCmdCopyBufferToImage) and reads every texel back
 * through texelFetch on a combined image sampler. */
static void sample_blocks(tt_vk *vk, const tt_bc7_block *blocks, uint32_t w, uint32_t h, uint8_t *out_rgba)
{
    VkDevice dev = tt_vk_device(vk);
    VkPhysicalDevice phys = tt_vk_physical(vk);
    uint32_t bw = (w + 3) / 4, bh = (h + 3) / 4;
    VkDeviceSize bytes = (VkDeviceSize)bw * bh * 16;

    tt_vk_buffer staging, out;
    if (tt_vk_buffer_create(vk, bytes, TT_MEM_UPLOAD, &staging) != TT_OK ||
        tt_vk_buffer_create(vk, (VkDeviceSize)w * h * 4, TT_MEM_READBACK, &out) != TT_OK) {
        fprintf(stderr, "buffer: %s\n", tt_last_error());
        exit(1);
    }
    memcpy(staging.mapped, blocks, bytes);

    VkImageCreateInfo ici = {.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO, .imageType = VK_IMAGE_TYPE_2D,
                             .format = VK_FORMAT_BC7_UNORM_BLOCK, .extent = {w, h, 1}, .mipLevels = 1,
                             .arrayLayers = 1, .samples = VK_SAMPLE_COUNT_1_BIT, .tiling = VK_IMAGE_TILING_OPTIMAL,
                             .usage = VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT,
                             .sharingMode = VK_SHARING_MODE_EXCLUSIVE, .initialLayout = VK_IMAGE_LAYOUT_UNDEFINED};
    VkImage image;
    VKCHECK(vkCreateImage(dev, &ici, NULL, &image));
    VkMemoryRequirements req;
    vkGetImageMemoryRequirements(dev, image, &req);
    VkMemoryAllocateInfo mai = {.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, .allocationSize = req.size,
                                .memoryTypeIndex = memory_type(phys, req.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT)};
    VkDeviceMemory mem;
    VKCHECK(vkAllocateMemory(dev, &mai, NULL, &mem));
    VKCHECK(vkBindImageMemory(dev, image, mem, 0));
    VkImageViewCreateInfo vci = {.sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO, .image = image,
                                 .viewType = VK_IMAGE_VIEW_TYPE_2D, .format = VK_FORMAT_BC7_UNORM_BLOCK,
                                 .subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1}};
    VkImageView view;
    VKCHECK(vkCreateImageView(dev, &vci, NULL, &view));
    VkSamplerCreateInfo sci = {.sType = VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO, .magFilter = VK_FILTER_NEAREST,
                               .minFilter = VK_FILTER_NEAREST, .mipmapMode = VK_SAMPLER_MIPMAP_MODE_NEAREST,
                               .addressModeU = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
                               .addressModeV = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
                               .addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE, .maxLod = 0.0f};
    VkSampler sampler;
    VKCHECK(vkCreateSampler(dev, &sci, NULL, &sampler));

    VkDescriptorSetLayoutBinding binds[2] = {
        {0, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL},
        {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL},
    };
    VkDescriptorSetLayoutCreateInfo dlci = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
                                            .bindingCount = 2, .pBindings = binds};
    VkDescriptorSetLayout dsl;
    VKCHECK(vkCreateDescriptorSetLayout(dev, &dlci, NULL, &dsl));
    VkPushConstantRange pcr = {VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(tt_bc7_readback_push)};
    VkPipelineLayoutCreateInfo plci = {.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO, .setLayoutCount = 1,
                                       .pSetLayouts = &dsl, .pushConstantRangeCount = 1, .pPushConstantRanges = &pcr};
    VkPipelineLayout layout;
    VKCHECK(vkCreatePipelineLayout(dev, &plci, NULL, &layout));
    const tt_shader_blob *blob = tt_shader_find("bc7_sample_readback");
    if (!blob) {
        fprintf(stderr, "shader bc7_sample_readback not embedded\n");
        exit(1);
    }
    VkShaderModuleCreateInfo smci = {.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO, .codeSize = blob->size,
                                     .pCode = blob->code};
    VkShaderModule module;
    VKCHECK(vkCreateShaderModule(dev, &smci, NULL, &module));
    VkComputePipelineCreateInfo cpci = {
        .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
        .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, .stage = VK_SHADER_STAGE_COMPUTE_BIT,
                  .module = module, .pName = "main"},
        .layout = layout};
    VkPipeline pipe;
    VKCHECK(vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &cpci, NULL, &pipe));
    VkDescriptorPoolSize sizes[2] = {{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1}, {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1}};
    VkDescriptorPoolCreateInfo dpci = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO, .maxSets = 1,
                                       .poolSizeCount = 2, .pPoolSizes = sizes};
    VkDescriptorPool pool;
    VKCHECK(vkCreateDescriptorPool(dev, &dpci, NULL, &pool));
    VkDescriptorSetAllocateInfo dsai = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO, .descriptorPool = pool,
                                        .descriptorSetCount = 1, .pSetLayouts = &dsl};
    VkDescriptorSet set;
    VKCHECK(vkAllocateDescriptorSets(dev, &dsai, &set));
    VkDescriptorImageInfo dii = {sampler, view, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
    VkDescriptorBufferInfo dbi = {out.buffer, 0, VK_WHOLE_SIZE};
    VkWriteDescriptorSet writes[2] = {
        {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = set, .dstBinding = 0, .descriptorCount = 1,
         .descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, .pImageInfo = &dii},
        {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = set, .dstBinding = 1, .descriptorCount = 1,
         .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, .pBufferInfo = &dbi},
    };
    vkUpdateDescriptorSets(dev, 2, writes, 0, NULL);

    if (tt_vk_begin(vk) != TT_OK) exit(1);
    VkCommandBuffer cmd = tt_vk_cmd(vk);
    VkImageMemoryBarrier to_dst = {.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER, .srcAccessMask = 0,
                                   .dstAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT, .oldLayout = VK_IMAGE_LAYOUT_UNDEFINED,
                                   .newLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                                   .srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED, .dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
                                   .image = image, .subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1}};
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 0, NULL, 0, NULL, 1, &to_dst);
    VkBufferImageCopy region = {.bufferOffset = 0, .bufferRowLength = bw * 4, .bufferImageHeight = bh * 4,
                                .imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1}, .imageOffset = {0, 0, 0},
                                .imageExtent = {w, h, 1}};
    vkCmdCopyBufferToImage(cmd, staging.buffer, image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &region);
    VkImageMemoryBarrier to_read = to_dst;
    to_read.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
    to_read.dstAccessMask = VK_ACCESS_SHADER_READ_BIT;
    to_read.oldLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
    to_read.newLayout = VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL;
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 0, NULL, 0, NULL, 1, &to_read);
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipe);
    vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, &set, 0, NULL);
    tt_bc7_readback_push push = {.width = w, .height = h};
    vkCmdPushConstants(cmd, layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof push, &push);
    const uint32_t ls = TT_BC7_READBACK_LOCAL_SIZE;
    vkCmdDispatch(cmd, (w + ls - 1) / ls, (h + ls - 1) / ls, 1);
    if (tt_vk_submit(vk, NULL) != TT_OK) {
        fprintf(stderr, "submit: %s\n", tt_last_error());
        exit(1);
    }
    VkMappedMemoryRange range = {.sType = VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE, .memory = out.memory, .size = VK_WHOLE_SIZE};
    vkInvalidateMappedMemoryRanges(dev, 1, &range);
    memcpy(out_rgba, out.mapped, (size_t)w * h * 4);

    vkDestroyDescriptorPool(dev, pool, NULL);
    vkDestroyPipeline(dev, pipe, NULL);
    vkDestroyShaderModule(dev, module, NULL);
    vkDestroyPipelineLayout(dev, layout, NULL);
    vkDestroyDescriptorSetLayout(dev, dsl, NULL);
    vkDestroySampler(dev, sampler, NULL);
    vkDestroyImageView(dev, view, NULL);
    vkDestroyImage(dev, image, NULL);
    vkFreeMemory(dev, mem, NULL);
    tt_vk_buffer_destroy(vk, &staging);
    tt_vk_buffer_destroy(vk, &out);
}

static size_t count_diffs(const uint8_t *a, const uint8_t *b, size_t n, const char *what)
{
    size_t d = 0;
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i]) {
            if (d < 5) fprintf(stderr, "%s: byte %zu (texel %zu ch %zu): sampler %u, tinytex %u\n", what, i, i / 4, i % 4, a[i], b[i]);
            d++;
        }
    return d;
}

static unsigned rng = 777;
static unsigned rnd(void)
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

int main(void)
{
    tt_vk *vk = NULL;
    if (tt_vk_create(-1, &vk) != TT_OK) {
        printf("skip: no Vulkan device (%s)\n", tt_last_error());
        return 77;
    }
    VkFormatProperties fp;
    vkGetPhysicalDeviceFormatProperties(tt_vk_physical(vk), VK_FORMAT_BC7_UNORM_BLOCK, &fp);
    if (!tt_vk_get_caps(vk)->bc7_sampling || !(fp.optimalTilingFeatures & VK_FORMAT_FEATURE_SAMPLED_IMAGE_BIT)) {
        printf("skip: %s has no textureCompressionBC / sampled BC7 images\n", tt_vk_info(vk)->name);
        tt_vk_destroy(vk);
        return 77;
    }
    printf("device: %s\n", tt_vk_info(vk)->name);

    /* 1. Blocks of every mode: random bits with the mode prefix forced, so
     * every field (partitions, rotations, index selection, p-bits) varies.
     * 32x32 blocks = 128x128 texels; block i has mode i % 9 (8 = reserved). */
    {
        uint32_t bw = 32, w = bw * 4;
        tt_bc7_block *blocks = malloc(bw * bw * sizeof *blocks);
        for (uint32_t i = 0; i < bw * bw; i++) {
            for (int k = 0; k < 16; k++) blocks[i].b[k] = (uint8_t)rnd();
            unsigned mode = i % 9;
            if (mode == 8) blocks[i].b[0] = 0;
            else blocks[i].b[0] = (uint8_t)((blocks[i].b[0] & (0xFEu << mode)) | (1u << mode));
        }
        uint8_t *ref = malloc((size_t)w * w * 4), *got = malloc((size_t)w * w * 4);
        tt_bc7_decode_image(blocks, w, w, ref);
        sample_blocks(vk, blocks, w, w, got);
        size_t d = count_diffs(got, ref, (size_t)w * w * 4, "every-mode blocks");
        printf("every-mode blocks (1024, modes 0-7 + reserved): %zu differing bytes\n", d);
        CHECK_EQ_INT(d, 0);
        free(blocks);
        free(ref);
        free(got);
    }

    /* 2. tinytex's encoding of sample.jpg, plus an odd-sized crop. */
    const char *dir = getenv("TT_SAMPLES");
    char path[1024];
    snprintf(path, sizeof path, "%s/sample.jpg", dir ? dir : "samples");
    tt_image img;
    if (tt_image_load(path, NULL, &img) != TT_OK) {
        CHECK_MSG(0, "%s", tt_last_error());
        TT_TEST_END();
    }
    tt_bc7_config p;
    tt_bc7_config_init(&p);
    size_t nb = (size_t)((img.width + 3) / 4) * ((img.height + 3) / 4);
    tt_bc7_block *blocks = malloc(nb * sizeof *blocks);
    CHECK_EQ_INT(tt_bc7_encode_image_ref(&img, &p, blocks), TT_OK);
    size_t n = (size_t)img.width * img.height * 4;
    uint8_t *ref = malloc(n), *got = malloc(n);
    tt_bc7_decode_image(blocks, img.width, img.height, ref);
    sample_blocks(vk, blocks, img.width, img.height, got);
    CHECK_EQ_INT(count_diffs(got, ref, n, "sample.jpg"), 0);
    tt_image dec = {img.width, img.height, got, 4, 8};
    tt_metrics m;
    CHECK_EQ_INT(tt_compare_images(&img, &dec, &m), TT_OK);
    size_t alpha_bad = 0;
    for (size_t i = 0; i < n / 4; i++) alpha_bad += got[i * 4 + 3] != 255;
    printf("sample.jpg through the BC7 sampler: RGB PSNR %.3f dB, alpha != 255: %zu\n", m.psnr_rgb, alpha_bad);
    CHECK_EQ_INT(alpha_bad, 0);
    /* Quality bar. bc7enc -C -p0 -u4 reaches 39.944 dB but lets opaque
     * alpha fall to 254; tinytex keeps it 255 (docs/bc7.md). */
    CHECK(m.psnr_rgb >= 39.90);
    free(blocks);
    free(ref);
    free(got);
    tt_image_free(&img);
    tt_vk_destroy(vk);
    TT_TEST_END();
}
