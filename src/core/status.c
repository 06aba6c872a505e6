/* status.c - status code names and the per-thread "last error" detail behind tt_fail/tt_last_error. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tinytex.h"

/* One message per thread: long enough for two paths plus a reason. */
#define TT_ERROR_DETAIL_MAX 1024

static _Thread_local char tt_error_detail[TT_ERROR_DETAIL_MAX];

static const char *const tt_status_names[TT_STATUS_COUNT] = {
    [TT_OK] = "ok",
    [TT_ERR_INVALID_ARG] = "invalid argument",
    [TT_ERR_IO] = "I/O error",
    [TT_ERR_FORMAT] = "invalid file format",
    [TT_ERR_UNSUPPORTED] = "unsupported",
    [TT_ERR_LIMIT] = "limit exceeded",
    [TT_ERR_NOMEM] = "out of memory",
    [TT_ERR_VULKAN] = "Vulkan error",
    [TT_ERR_NO_DEVICE] = "no usable Vulkan device",
    [TT_ERR_DEVICE_MEMORY] = "out of GPU memory",
    [TT_ERR_DEVICE_LOST] = "GPU device lost",
    [TT_ERR_CHECKSUM] = "checksum mismatch",
    [TT_ERR_INTERRUPTED] = "interrupted",
    [TT_ERR_CANCELLED] = "cancelled",
};

const char *tt_status_str(tt_status s)
{
    if ((int)s < 0 || (int)s >= TT_STATUS_COUNT || !tt_status_names[s])
        return "unknown status";
    return tt_status_names[s];
}

const char *tt_last_error(void)
{
    return tt_error_detail;
}

tt_status tt_fail(tt_status s, const char *fmt, ...)
{
    /* Callers may pass tt_last_error() as an argument (to add context to a
     * lower-level message), so format into a scratch buffer first: vsnprintf
     * with overlapping source and destination is undefined. errno is kept so
     * callers can still inspect it after recording the message. */
    int saved_errno = errno;
    char scratch[TT_ERROR_DETAIL_MAX];
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(scratch, sizeof scratch, fmt, ap);
        va_end(ap);
        if (n < 0) snprintf(scratch, sizeof scratch, "%s", tt_status_str(s));
    } else {
        snprintf(scratch, sizeof scratch, "%s", tt_status_str(s));
    }
    /* The detail is printed as one line, and parts of it come from files
     * (names, stb_image's reasons quote PNG chunk types): control bytes
     * would break the line or drive the terminal, so they become '?'. */
    for (char *c = scratch; *c; c++)
        if ((unsigned char)*c < 0x20 || (unsigned char)*c == 0x7F) *c = '?';
    memcpy(tt_error_detail, scratch, sizeof tt_error_detail);
    errno = saved_errno;
    return s;
}

void tt_clear_error(void)
{
    tt_error_detail[0] = '\0';
}
