/* smoke.c - the smallest program on an installed libtinytex: status strings, the device list and a context. */
#include <stdio.h>
#include <string.h>
#include <tinytex.h>

int main(void)
{
    if (strcmp(tt_status_str(TT_OK), "ok") != 0 || strcmp(TT_VERSION_STRING, "0.1.0") != 0) {
        fprintf(stderr, "smoke: unexpected status string or version\n");
        return 1;
    }
    tt_context_config cfg;
    tt_context_config_init(&cfg);
    cfg.device = -2;
    if (tt_context_config_validate(&cfg) != TT_ERR_INVALID_ARG) {
        fprintf(stderr, "smoke: device -2 was accepted\n");
        return 1;
    }
    uint32_t n = 0;
    tt_status st = tt_device_list(NULL, 0, &n);
    tt_context *ctx = NULL;
    tt_device_info dev;
    if (st == TT_OK) st = tt_context_create(NULL, &ctx);
    if (st == TT_OK) st = tt_context_device(ctx, &dev);
    if (st != TT_OK) {
        fprintf(stderr, "smoke: %s (%s)\n", tt_status_str(st), tt_last_error());
        tt_context_destroy(ctx);
        return 1;
    }
    printf("smoke: %u device(s), context on %s\n", n, dev.name);
    tt_context_destroy(ctx);
    return 0;
}
