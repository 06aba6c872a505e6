/* fileio.c - atomic file output (temp file + rename, signal-safe cleanup registry) and bounded whole-file reads. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>

#include "tinytex.h"
#include "core/tt_fileio.h"

/* ------------------------------------------------------------------------ */
/* Registry of temporary files that exist right now. A signal handler may run
 * at any instant on any thread, so it must not take locks or touch the heap:
 * each slot keeps its path in static storage and a lock-free state word.
 *   FREE  - unused;
 *   BUSY  - owned by one thread, path being written or retired (the handler
 *           ignores it);
 *   LIVE  - the path names a temporary file we created; the handler may
 *           unlink it. */
enum { SLOT_FREE = 0, SLOT_BUSY = 1, SLOT_LIVE = 2 };
#define TT_ATOMIC_SLOTS 64
#define TT_ATOMIC_PATH_MAX 4096

#if ATOMIC_INT_LOCK_FREE != 2
#error "tt_atomic_cleanup_all needs lock-free atomic int to be async-signal-safe"
#endif

static struct {
    atomic_int state;
    char path[TT_ATOMIC_PATH_MAX];
} tt_temp_registry[TT_ATOMIC_SLOTS];

static atomic_uint_fast64_t tt_temp_counter;

/* tt_temp_exiting: set once a signal handler is ending the process. tt_temp_guarded: threads inside a guarded span
 * (guard_begin .. guard_end): creating a temporary file and publishing it in the registry, or renaming one over its
 * output. */
static atomic_int tt_temp_exiting;
static atomic_int tt_temp_guarded;

struct tt_atomic_file {
    int fd;
    int slot;          /* registry slot, or -1 if the registry was full */
    int failed;        /* a write failed: commit must not publish the file */
    char *final_path;
    char *temp_path;
};

static int registry_claim(void)
{
    for (int i = 0; i < TT_ATOMIC_SLOTS; i++) {
        int expected = SLOT_FREE;
        if (atomic_compare_exchange_strong(&tt_temp_registry[i].state, &expected, SLOT_BUSY))
            return i;
    }
    return -1; /* Still works, only without cleanup on signals. */
}

static void registry_release(int slot)
{
    if (slot >= 0) atomic_store(&tt_temp_registry[slot].state, SLOT_FREE);
}

void tt_atomic_cleanup_all(void)
{
    /* Async-signal-safe: lock-free loads and unlink(2) only. */
    for (int i = 0; i < TT_ATOMIC_SLOTS; i++) {
        if (atomic_load(&tt_temp_registry[i].state) == SLOT_LIVE)
            (void)unlink(tt_temp_registry[i].path);
    }
}

void tt_atomic_cleanup_exit(void)
{
    /* guard_begin counts a thread in before it reads tt_temp_exiting (both sequentially consistent): either it sees
     * the flag and creates (renames) nothing, or this loop sees it and waits until its file is in the registry (or
     * renamed). It cannot be this thread: a guarded span blocks every signal. */
    atomic_store(&tt_temp_exiting, 1);
    while (atomic_load(&tt_temp_guarded) != 0) {
    }
    tt_atomic_cleanup_all();
}

/* Begins a span that tt_atomic_cleanup_exit waits for: every signal blocked, this thread counted in. Returns nonzero
 * when the process is already ending; the span must then create or replace nothing. */
static int guard_begin(sigset_t *old)
{
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, old);
    atomic_fetch_add(&tt_temp_guarded, 1);
    return atomic_load(&tt_temp_exiting);
}

static void guard_end(const sigset_t *old)
{
    atomic_fetch_sub(&tt_temp_guarded, 1);
    pthread_sigmask(SIG_SETMASK, old, NULL);
}

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* Fills 6 characters of [A-Za-z0-9]; uniqueness is enforced by O_EXCL. */
static void random_suffix(char out[6], uintptr_t salt)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
                    ((uint64_t)getpid() << 40) ^ (uint64_t)salt ^
                    atomic_fetch_add(&tt_temp_counter, 1) * 0x2545F4914F6CDD1Dull;
    uint64_t r = splitmix64(seed);
    for (int i = 0; i < 6; i++) {
        out[i] = alphabet[r % 62];
        r /= 62;
    }
}

tt_status tt_scratch_reserve(const char *path, int *slot, int *exists)
{
    *slot = -1;
    *exists = 0;
    size_t len = strlen(path);
    if (len == 0 || len + 1 > TT_ATOMIC_PATH_MAX) return tt_fail(TT_ERR_INVALID_ARG, "%.200s: path too long", path);
    int s = registry_claim();
    if (s >= 0) memcpy(tt_temp_registry[s].path, path, len + 1);
    sigset_t old;
    int fd = -1, open_errno = EINTR;
    if (!guard_begin(&old)) {   /* as tt_atomic_open: created and published with signals held off */
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        open_errno = errno;
        if (fd >= 0 && s >= 0) atomic_store(&tt_temp_registry[s].state, SLOT_LIVE);
    }
    guard_end(&old);
    if (fd < 0) {
        registry_release(s);
        *exists = open_errno == EEXIST;
        return tt_fail(TT_ERR_IO, "%s: cannot create it: %s", path, strerror(open_errno));
    }
    close(fd);
    *slot = s;
    return TT_OK;
}

void tt_scratch_release(const char *path, int slot, int remove_file)
{
    if (remove_file) unlink(path);
    registry_release(slot);
}

int tt_scratch_rename(const char *from, const char *to)
{
    sigset_t old;
    int exiting = guard_begin(&old);
    int rc = exiting ? -1 : rename(from, to);
    int err = exiting ? EINTR : errno;
    guard_end(&old);
    return rc == 0 ? 0 : err;
}

static char *dup_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static void atomic_file_destroy(tt_atomic_file *f, int remove_temp)
{
    if (f->fd >= 0) close(f->fd);
    f->fd = -1;
    if (remove_temp) unlink(f->temp_path);
    registry_release(f->slot);
    free(f->final_path);
    free(f->temp_path);
    free(f);
}

tt_status tt_atomic_open(const char *path, tt_atomic_file **out)
{
    if (!out) return tt_fail(TT_ERR_INVALID_ARG, "tt_atomic_open: no output pointer");
    *out = NULL;
    if (!path || !*path) return tt_fail(TT_ERR_INVALID_ARG, "tt_atomic_open: empty path");

    static const char tag[] = ".tmp-";
    size_t plen = strlen(path);
    size_t tlen = plen + sizeof tag - 1 + 6; /* without the NUL */
    if (tlen + 1 > TT_ATOMIC_PATH_MAX)
        return tt_fail(TT_ERR_INVALID_ARG, "%.200s...: output path is too long", path);

    tt_atomic_file *f = calloc(1, sizeof *f);
    if (!f) return tt_fail(TT_ERR_NOMEM, "%s: out of memory", path);
    f->fd = -1;
    f->slot = -1;
    f->final_path = dup_string(path);
    f->temp_path = malloc(tlen + 1);
    if (!f->final_path || !f->temp_path) {
        free(f->final_path);
        free(f->temp_path);
        free(f);
        return tt_fail(TT_ERR_NOMEM, "%s: out of memory", path);
    }
    memcpy(f->temp_path, path, plen);
    memcpy(f->temp_path + plen, tag, sizeof tag - 1);
    f->temp_path[tlen] = '\0';
    f->slot = registry_claim();

    int open_errno = 0;
    for (int attempt = 0; attempt < 100; attempt++) {
        random_suffix(f->temp_path + plen + sizeof tag - 1, (uintptr_t)f + (uintptr_t)attempt);
        if (f->slot >= 0) memcpy(tt_temp_registry[f->slot].path, f->temp_path, tlen + 1);
        /* Guarded from creating the file to publishing it in the registry, so an
         * interrupt cannot leave an unregistered temp file. */
        sigset_t old;
        if (guard_begin(&old)) {   /* a handler on another thread is ending the process */
            f->fd = -1;
            open_errno = EINTR;
        } else {
            f->fd = open(f->temp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
            open_errno = errno;
            if (f->fd >= 0 && f->slot >= 0) atomic_store(&tt_temp_registry[f->slot].state, SLOT_LIVE);
        }
        guard_end(&old);
        if (f->fd >= 0) break;
        if (open_errno != EEXIST) break;
    }
    if (f->fd < 0) {
        tt_status s = tt_fail(TT_ERR_IO, "%s: cannot create temporary file %s: %s", path,
                              f->temp_path, strerror(open_errno ? open_errno : EEXIST));
        atomic_file_destroy(f, 0);
        return s;
    }
    *out = f;
    return TT_OK;
}

tt_status tt_atomic_write(tt_atomic_file *f, const void *data, size_t size)
{
    if (!f) return tt_fail(TT_ERR_INVALID_ARG, "tt_atomic_write: no file");
    if (f->failed) return tt_fail(TT_ERR_IO, "%s: an earlier write failed", f->final_path);
    if (size && !data) return tt_fail(TT_ERR_INVALID_ARG, "%s: no data to write", f->final_path);
    const uint8_t *p = data;
    while (size > 0) {
        size_t chunk = size > (1u << 30) ? (1u << 30) : size;
        ssize_t n = write(f->fd, p, chunk);
        if (n < 0) {
            if (errno == EINTR) continue;
            f->failed = 1;
            return tt_fail(TT_ERR_IO, "%s: write failed: %s", f->final_path, strerror(errno));
        }
        if (n == 0) {
            f->failed = 1;
            return tt_fail(TT_ERR_IO, "%s: write failed: no progress", f->final_path);
        }
        p += n;
        size -= (size_t)n;
    }
    return TT_OK;
}

tt_status tt_atomic_commit(tt_atomic_file *f)
{
    if (!f) return tt_fail(TT_ERR_INVALID_ARG, "tt_atomic_commit: no file");
    if (f->failed) {
        tt_status s = tt_fail(TT_ERR_IO, "%s: not written because an earlier write failed",
                              f->final_path);
        atomic_file_destroy(f, 1);
        return s;
    }
    int rc = close(f->fd);
    f->fd = -1;
    if (rc != 0) {
        tt_status s = tt_fail(TT_ERR_IO, "%s: write failed: %s", f->final_path, strerror(errno));
        atomic_file_destroy(f, 1);
        return s;
    }
    /* Guarded like creation: once a signal handler has begun ending the process, no output is replaced (its message
     * says the partial output was removed); a rename already under way finishes first. */
    sigset_t old;
    int exiting = guard_begin(&old);
    int rc_rename = exiting ? -1 : rename(f->temp_path, f->final_path);
    int rename_errno = exiting ? EINTR : errno;
    guard_end(&old);
    if (rc_rename != 0) {
        tt_status s = tt_fail(TT_ERR_IO, "%s: cannot replace it with %s: %s", f->final_path,
                              f->temp_path, strerror(rename_errno));
        atomic_file_destroy(f, 1);
        return s;
    }
    atomic_file_destroy(f, 0);
    return TT_OK;
}

void tt_atomic_abort(tt_atomic_file *f)
{
    if (f) atomic_file_destroy(f, 1);
}

tt_status tt_write_file_atomic(const char *path, const void *data, size_t size)
{
    tt_atomic_file *f = NULL;
    tt_status s = tt_atomic_open(path, &f);
    if (s != TT_OK) return s;
    s = tt_atomic_write(f, data, size);
    if (s != TT_OK) {
        tt_atomic_abort(f);
        return s;
    }
    return tt_atomic_commit(f);
}

/* ------------------------------------------------------------------------ */
/* Opens `path` for reading if it is a regular file of at most max_size bytes
 * (0 = no limit of our own); *fd_out is then open and *file_size its size. */
static tt_status open_regular(const char *path, size_t max_size, int *fd_out, size_t *file_size)
{
    *fd_out = -1;
    *file_size = 0;
    if (!path || !*path) return tt_fail(TT_ERR_INVALID_ARG, "tt_read_file: empty path");
    if (max_size == 0) max_size = SIZE_MAX;

    /* O_NONBLOCK so that opening a FIFO does not hang waiting for a writer;
     * it is cleared again once we know this is a regular file. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return tt_fail(TT_ERR_IO, "%s: cannot open: %s", path, strerror(errno));

    struct stat st;
    if (fstat(fd, &st) != 0) {
        tt_status s = tt_fail(TT_ERR_IO, "%s: cannot stat: %s", path, strerror(errno));
        close(fd);
        return s;
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return tt_fail(TT_ERR_IO, "%s: is a directory, not a file", path);
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return tt_fail(TT_ERR_IO, "%s: not a regular file (device, pipe or socket)", path);
    }
    if (st.st_size < 0 || (uintmax_t)st.st_size > (uintmax_t)max_size ||
        (uintmax_t)st.st_size > (uintmax_t)SIZE_MAX - 1) {
        close(fd);
        return tt_fail(TT_ERR_LIMIT, "%s: file is %jd bytes, above the limit of %zu bytes", path,
                       (intmax_t)st.st_size, max_size);
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    *fd_out = fd;
    *file_size = (size_t)st.st_size;
    return TT_OK;
}

/* Reads exactly `want` bytes from the start of fd into a new buffer. */
static tt_status read_exactly(int fd, const char *path, size_t want, uint8_t **data)
{
    *data = NULL;
    uint8_t *buf = malloc(want ? want : 1);
    if (!buf) return tt_fail(TT_ERR_NOMEM, "%s: cannot allocate %zu bytes", path, want);
    size_t got = 0;
    while (got < want) {
        size_t chunk = want - got > (1u << 30) ? (1u << 30) : want - got;
        ssize_t n = read(fd, buf + got, chunk);
        if (n < 0) {
            if (errno == EINTR) continue;
            tt_status s = tt_fail(TT_ERR_IO, "%s: read failed: %s", path, strerror(errno));
            free(buf);
            return s;
        }
        if (n == 0) {
            free(buf);
            return tt_fail(TT_ERR_IO, "%s: file shrank while being read (%zu of %zu bytes)", path, got,
                           want);
        }
        got += (size_t)n;
    }
    *data = buf;
    return TT_OK;
}

tt_status tt_read_file(const char *path, size_t max_size, uint8_t **data, size_t *size)
{
    if (!data || !size) return tt_fail(TT_ERR_INVALID_ARG, "tt_read_file: no output pointer");
    *data = NULL;
    *size = 0;
    int fd;
    size_t file_size;
    tt_status s = open_regular(path, max_size, &fd, &file_size);
    if (s != TT_OK) return s;
    s = read_exactly(fd, path, file_size, data);
    close(fd);
    if (s == TT_OK) *size = file_size;
    return s;
}

tt_status tt_read_file_head(const char *path, size_t max_size, size_t max_read, uint8_t **data, size_t *size,
                            size_t *file_size)
{
    if (!data || !size || !file_size)
        return tt_fail(TT_ERR_INVALID_ARG, "tt_read_file_head: no output pointer");
    *data = NULL;
    *size = 0;
    *file_size = 0;
    int fd;
    size_t total;
    tt_status s = open_regular(path, max_size, &fd, &total);
    if (s != TT_OK) return s;
    size_t want = total < max_read ? total : max_read;
    s = read_exactly(fd, path, want, data);
    close(fd);
    if (s != TT_OK) return s;
    *size = want;
    *file_size = total;
    return TT_OK;
}
