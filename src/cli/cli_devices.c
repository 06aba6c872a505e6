/* cli_devices.c - `tinytex devices`: lists the Vulkan devices and which one is chosen by default. */
#include "cli.h"
#include "cli_batch.h"
#include "vk/tt_vk.h"

#include <string.h>

static const char *type_name(VkPhysicalDeviceType t)
{
    switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "discrete GPU";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "integrated GPU";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "virtual GPU";
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return "CPU";
    default: return "other";
    }
}

int cmd_devices(int argc, char **argv)
{
    cli_common c;
    cli_common_init(&c);
    cli_option opts[4] = {{0}};
    int json = 0;
    opts[0] = (cli_option){"json", 0, OPT_FLAG, &json, NULL, "print the list as JSON on stdout", NULL, 0, 0};
    opts[1] = (cli_option){"help", 'h', OPT_FLAG, &c.help, NULL, "show this help", NULL, 0, 0};
    const char *pos[1];
    int npos = 0;
    int rc = cli_parse(argc, argv, opts, pos, 0, &npos);
    if (rc != EXIT_OK) return rc;
    if (c.help) {
        cli_print_help(stdout, "tinytex devices [--json]",
                       "Lists the Vulkan devices tinytex sees. The default is the first discrete GPU, then\n"
                       "integrated, virtual, CPU (lavapipe); --device N or TINYTEX_DEVICE=N overrides.", opts);
        return EXIT_OK;
    }
    tt_vk_device_info info[TT_VK_MAX_DEVICES];
    uint32_t n = 0;
    tt_status st = cli_vk_enumerate(info, &n);
    if (st != TT_OK) return cli_fail_status(st);
    if (n == 0) {
        cli_error("no Vulkan device found; install a driver (on Debian: apt-get install mesa-vulkan-drivers)");
        return EXIT_RUNTIME;
    }
    /* The default choice is made by the same code that `bc7` etc. use. */
    tt_vk *vk = NULL;
    int chosen = -1;
    if (cli_vk_create(-1, &vk) == TT_OK) {
        const tt_vk_device_info *ci = tt_vk_info(vk);
        for (uint32_t i = 0; i < n; i++)
            if (info[i].vendor_id == ci->vendor_id && info[i].device_id == ci->device_id && strcmp(info[i].name, ci->name) == 0) {
                chosen = (int)i;
                break;
            }
    }
    tt_vk_caps caps = {0};
    if (vk) caps = *tt_vk_get_caps(vk);
    tt_vk_destroy(vk);
    if (json) {
        cJSON *arr = cJSON_CreateArray();
        for (uint32_t i = 0; i < n; i++) {
            cJSON *d = cJSON_CreateObject();
            cJSON_AddNumberToObject(d, "index", i);
            cJSON_AddStringToObject(d, "name", info[i].name);
            cJSON_AddStringToObject(d, "type", type_name(info[i].type));
            cJSON_AddStringToObject(d, "driver", info[i].driver);
            char api[32];
            snprintf(api, sizeof api, "%u.%u.%u", VK_API_VERSION_MAJOR(info[i].api_version),
                     VK_API_VERSION_MINOR(info[i].api_version), VK_API_VERSION_PATCH(info[i].api_version));
            cJSON_AddStringToObject(d, "vulkan", api);
            cJSON_AddNumberToObject(d, "device_local_bytes", (double)info[i].device_local_bytes);
            cJSON_AddBoolToObject(d, "default", (int)i == chosen);
            cJSON_AddItemToArray(arr, d);
        }
        char *s = cJSON_Print(arr);
        if (s) printf("%s\n", s);
        cJSON_free(s);
        cJSON_Delete(arr);
        return EXIT_OK;
    }
    for (uint32_t i = 0; i < n; i++) {
        printf("%c %u: %s (%s, driver %s, Vulkan %u.%u, %.1f GiB device-local)\n", (int)i == chosen ? '*' : ' ', i,
               info[i].name, type_name(info[i].type), info[i].driver, VK_API_VERSION_MAJOR(info[i].api_version),
               VK_API_VERSION_MINOR(info[i].api_version), (double)info[i].device_local_bytes / (1024.0 * 1024 * 1024));
    }
    if (chosen >= 0 && g_display_level >= 1)
        printf("* = default; features: float atomics %s, fp16 %s, subgroup size %u, BC7 sampling %s, "
               "tensor-core decode %s\n",
               caps.float_atomic_add ? "yes" : "no", caps.float16 ? "yes" : "no", caps.subgroup_size,
               caps.bc7_sampling ? "yes" : "no", caps.coopmat_f16 ? "yes" : "no");
    return EXIT_OK;
}
