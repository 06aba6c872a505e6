/* cli_inputs.c - scale-out inputs of the batch subcommands: --files-from lists, --shard I/N and the set's hashes. */
#include "cli_batch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

cli_scale_out g_scale;

/* "I/N" with 1 <= I <= N <= 1000000, digits only. */
static int parse_shard(const char *s, unsigned *index, unsigned *count)
{
    char *end;
    if (!s || *s < '0' || *s > '9') return -1;
    errno = 0;
    unsigned long i = strtoul(s, &end, 10);
    if (errno || *end != '/' || end[1] < '0' || end[1] > '9') return -1;
    unsigned long n = strtoul(end + 1, &end, 10);
    if (errno || *end || n < 1 || n > 1000000 || i < 1 || i > n) return -1;
    *index = (unsigned)i;
    *count = (unsigned)n;
    return 0;
}

int cli_scale_check(void)
{
    g_scale.shard_index = g_scale.shard_count = 1;
    if (g_scale.shard && parse_shard(g_scale.shard, &g_scale.shard_index, &g_scale.shard_count) != 0) {
        cli_error("--shard %s: give I/N with 1 <= I <= N (e.g. --shard 2/3)", g_scale.shard);
        return EXIT_USAGE;
    }
    if ((g_scale.nul || g_scale.base) && !g_scale.files_from) {
        cli_error("%s applies to --files-from LIST; give one", g_scale.nul ? "-0/--null" : "--base");
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

uint64_t cli_key_hash(uint64_t h, const char *s, size_t len)
{
    /* FNV-1a 64: fixed by its definition, so every host and build puts a file in the same shard. */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

cJSON *cli_shard_json(size_t set_files, uint64_t set_hash)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    char hex[17];
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)set_hash);
    cJSON_AddNumberToObject(o, "index", g_scale.shard_index);
    cJSON_AddNumberToObject(o, "count", g_scale.shard_count);
    cJSON_AddNumberToObject(o, "set_files", (double)set_files);
    cJSON_AddStringToObject(o, "set_hash", hex);
    return o;
}

int cli_read_list(const char *path, int nul, char **text, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        cli_error("%s: cannot open the file list (%s)", path, strerror(errno));
        return EXIT_RUNTIME;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        if (n == cap) {
            char *p = cap < ((size_t)1 << 30) ? realloc(buf, cap * 2 + 1) : NULL;
            if (!p) { free(buf); buf = NULL; break; }
            buf = p;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    int err = ferror(f);
    if (f != stdin) fclose(f);
    if (!buf || err) {
        free(buf);
        cli_error("%s: cannot read the file list (%s)", path, buf ? "read error" : "out of memory or over 1 GiB");
        return EXIT_RUNTIME;
    }
    buf[n] = 0;
    /* One separator: NUL with -0, else newline (a trailing CR of CRLF lists is dropped by the caller). */
    if (!nul)
        for (size_t i = 0; i < n; i++)
            if (buf[i] == '\n') buf[i] = 0;
    *text = buf;
    *len = n;
    return EXIT_OK;
}

static _Thread_local int t_slot;

void cli_worker_slot_set(int worker)
{
    t_slot = g_scale.n_devices > 1 ? worker % g_scale.n_devices : 0;
}

cli_gpu *cli_gpu_mine(cli_gpu *g)
{
    /* No context of its own (out of memory at init): the first device's, under its lock. */
    return t_slot > 0 && t_slot <= g->n_more ? &g->more[t_slot - 1] : g;
}

int cli_devices_resolve(const char *list)
{
    g_scale.n_devices = 0;
    /* Enumerated once: `all` takes every device, a list is checked against them. */
    tt_vk_device_info info[TT_VK_MAX_DEVICES];
    uint32_t n = 0;
    tt_status st = cli_vk_enumerate(info, &n);
    if (st != TT_OK) return cli_fail_status(st);
    if (strcmp(list, "all") == 0) {
        if (n == 0) {
            cli_error("--device all: no Vulkan device found; install a driver (on Debian: mesa-vulkan-drivers)");
            return EXIT_RUNTIME;
        }
        for (uint32_t i = 0; i < n && i < 64; i++) g_scale.devices[g_scale.n_devices++] = (int)i;
        return EXIT_OK;
    }
    for (const char *p = list; *p;) {
        char *end;
        long d = strtol(p, &end, 10);
        if (d < 0 || d > 64 || end == p) {
            cli_error("--device %s: device numbers are 0 to 64", list);
            return EXIT_USAGE;
        }
        for (int k = 0; k < g_scale.n_devices; k++)
            if (g_scale.devices[k] == (int)d) {
                cli_error("--device %s: device %ld is listed twice", list, d);
                return EXIT_USAGE;
            }
        if (g_scale.n_devices < 64) g_scale.devices[g_scale.n_devices++] = (int)d;
        p = *end == ',' ? end + 1 : end;
    }
    /* A device that is not there would fail every file its worker takes: refuse the list before any work. */
    for (int k = 0; k < g_scale.n_devices; k++)
        if ((uint32_t)g_scale.devices[k] >= n) {
            cli_error("--device %s: device %d does not exist (%u Vulkan device%s; see 'tinytex devices')", list,
                      g_scale.devices[k], n, n == 1 ? "" : "s");
            return EXIT_RUNTIME;
        }
    return EXIT_OK;
}

int cli_worker_device(void)
{
    return g_scale.n_devices > 0 ? g_scale.devices[t_slot] : -1;
}
