/* bc7_choice.c - which BC7 encoder finishes a job first, the C reference or a Vulkan device (the blocks are the same either way): small jobs and CPU devices (lavapipe) go to C. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bc7/tt_bc7_gpu.h"
#include "vk/tt_vk.h"

/* Microseconds of one core's C-encoder time per 4x4 block, by preset, on the 2-core x86 CI machine (the 512x512
 * photo of bc7_testset, --cpu: user time / blocks; docs/bc7.md, "C encoder speed"; exhaustive taken as thorough):
 * the rules below need only their order of magnitude, and that each is below lavapipe's. */
static const double c_us_per_block[5] = {5.0, 18.0, 59.0, 374.0, 374.0};

/* A CPU Vulkan device (lavapipe) runs the passes on the cores the C encoder would use: per block it is faster
 * (LLVM vectorises across invocations), but each process first compiles the passes, which its pipeline cache does
 * not keep. From the lavapipe table of docs/benchmarks.md (2-core CI machine, 512x512 photo, Mesa 22.3): device time
 * per block in core-microseconds (GPU time x 2 cores / 16384 blocks) and a process's pipeline creation (wall time
 * less GPU time), by preset; exhaustive taken as thorough. */
static const double lvp_core_us_per_block[5] = {7.4, 23.7, 101.0, 762.0, 762.0};
static const double lvp_compile_s[5] = {0.45, 1.35, 4.0, 7.3, 7.3};

/* Work the C encoder finishes before a Vulkan device would have started goes to it. Measured start-up: on lavapipe
 * (Mesa 22.3) vkCreateInstance alone takes 50-90 ms and its pipeline cache keeps nothing (a 32-byte header), so
 * every process compiles the passes again (0.3-2.6 s); on an H100 instance + device take over 100 ms. */
#define SMALL_JOB_MS 30.0

/* The preset whose search fields the config has; a config changed by expert options is costed as the preset
 * nearest in effort (all 16 partitions or 2+ index trials: thorough; mode 6 alone: fastest; else medium). */
static int cost_class(const tt_bc7_config *cfg)
{
    for (int p = TT_BC7_PRESET_FASTEST; p <= TT_BC7_PRESET_EXHAUSTIVE; p++) {
        tt_bc7_config ref = *cfg;
        tt_bc7_config_preset(&ref, (tt_bc7_preset)p);
        if (memcmp(&ref, cfg, sizeof ref) == 0) return p;
    }
    if (cfg->partitions >= 16 || cfg->index_trials >= 2) return TT_BC7_PRESET_THOROUGH;
    if ((cfg->modes | (1u << 6)) == (1u << 6)) return TT_BC7_PRESET_FASTEST;
    return TT_BC7_PRESET_MEDIUM;
}

static double cpu_threads(void)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    return ncpu > 1 ? (double)ncpu : 1.0;
}

/* Whether every Vulkan device this machine could offer is a CPU device, known without a Vulkan instance (creating
 * one loads every installed driver: 50-90 ms with Mesa's): Linux with no GPU device node (DRM render node, NVIDIA,
 * WSL's dxg). A driver list chosen in the environment (VK_ICD_FILENAMES, VK_DRIVER_FILES) is always asked. */
static int only_cpu_devices(void)
{
#ifdef __linux__
    if (getenv("VK_ICD_FILENAMES") || getenv("VK_DRIVER_FILES") || getenv("VK_ADD_DRIVER_FILES")) return 0;
    if (access("/dev/nvidiactl", F_OK) == 0 || access("/dev/nvidia0", F_OK) == 0 || access("/dev/dxg", F_OK) == 0)
        return 0;
    DIR *dri = opendir("/dev/dri");
    if (!dri) return 1;
    int render_node = 0;
    for (struct dirent *e; !render_node && (e = readdir(dri));) render_node = strncmp(e->d_name, "renderD", 7) == 0;
    closedir(dri);
    return !render_node;
#else
    return 0;
#endif
}

tt_bc7_encoder_choice tt_bc7_choose_encoder_vk(const tt_vk *vk, uint64_t blocks, const tt_bc7_config *cfg)
{
    int k = cost_class(cfg);
    double threads = blocks >= 32 ? cpu_threads() : 1.0;
    double c_s = (double)blocks * c_us_per_block[k] * 1e-6 / threads;
    if (c_s * 1e3 <= SMALL_JOB_MS) return TT_BC7_C_SMALL_JOB;
    if (!vk) return c_us_per_block[k] <= lvp_core_us_per_block[k] && only_cpu_devices() ? TT_BC7_C_NO_GPU
                                                                                        : TT_BC7_ON_DEVICE;
    if (tt_vk_info(vk)->type != VK_PHYSICAL_DEVICE_TYPE_CPU) return TT_BC7_ON_DEVICE;
    double dev_s = (double)blocks * lvp_core_us_per_block[k] * 1e-6 / threads +
                   (tt_vk_pipelines_built(vk) ? 0.0 : lvp_compile_s[k]);
    return c_s <= dev_s ? TT_BC7_C_CPU_DEVICE : TT_BC7_ON_DEVICE;
}
