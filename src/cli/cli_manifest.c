/* cli_manifest.c - OUT/.tinytex-manifest.json: the request (tinytex version and the options that change the bytes) each output of a batch folder was made with, and the file it was recorded for. */
#include "cli_manifest.h"
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define MANIFEST_MAX_BYTES (64u << 20)

/* The "files" object of the manifest at `path`, detached from its document (NULL when missing or not a manifest;
 * `complain` names a file that is not one). */
static cJSON *read_files(const char *path, int complain)
{
    uint8_t *bytes = NULL;
    size_t size = 0;
    struct stat sb;
    cJSON *files = NULL;
    if (stat(path, &sb) == 0 && tt_read_file(path, MANIFEST_MAX_BYTES, &bytes, &size) == TT_OK) {
        cJSON *root = cJSON_ParseWithLength((const char *)bytes, size);
        const cJSON *schema = root ? cJSON_GetObjectItemCaseSensitive(root, "schema") : NULL;
        if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(root, "files")) && cJSON_IsString(schema) &&
            strcmp(schema->valuestring, "tinytex-manifest") == 0)
            files = cJSON_DetachItemFromObjectCaseSensitive(root, "files");
        else if (complain)
            DISPLAYLEVEL(1, "tinytex: note: %s: not a tinytex manifest; every output is rebuilt\n", path);
        cJSON_Delete(root);
        free(bytes);
    }
    tt_clear_error();
    return files;
}

int cli_manifest_load(cli_manifest *m, const char *out_dir)
{
    memset(m, 0, sizeof *m);
    size_t ld = strlen(out_dir), ln = strlen(CLI_MANIFEST_NAME);
    m->path = malloc(ld + 1 + ln + 1);
    if (!m->path) return -1;
    snprintf(m->path, ld + 1 + ln + 1, "%s%s%s", out_dir, ld && out_dir[ld - 1] == '/' ? "" : "/", CLI_MANIFEST_NAME);
    m->files = read_files(m->path, 1);
    if (!m->files) m->files = cJSON_CreateObject();
    m->changes = cJSON_CreateObject();
    return m->files && m->changes ? 0 : -1;
}

static long long mtime_ns(const struct stat *sb)
{
    return (long long)sb->st_mtim.tv_sec * 1000000000LL + sb->st_mtim.tv_nsec;
}

/* "a=1 b=2" vs "a=1 b=3": "b 2 -> 3" (the keys whose values differ, up to `len`). */
static void request_diff(const char *was, const char *now, char *out, size_t len)
{
    size_t at = 0;
    out[0] = 0;
    for (int pass = 0; pass < 2; pass++) {
        const char *a = pass ? was : now, *b = pass ? now : was;
        for (const char *p = a; *p;) {
            while (*p == ' ') p++;
            const char *end = strchr(p, ' ');
            size_t n = end ? (size_t)(end - p) : strlen(p);
            const char *eq = memchr(p, '=', n);
            size_t kl = eq ? (size_t)(eq - p) : n;
            /* the same key in b */
            const char *q = b, *bv = NULL;
            size_t bn = 0;
            while (q && *q) {
                while (*q == ' ') q++;
                const char *qe = strchr(q, ' ');
                size_t qn = qe ? (size_t)(qe - q) : strlen(q);
                if (qn > kl && q[kl] == '=' && strncmp(q, p, kl) == 0) { bv = q + kl + 1; bn = qn - kl - 1; break; }
                q = qe;
            }
            int differs = !bv || !eq || bn != n - kl - 1 || strncmp(bv, eq + 1, bn) != 0;
            if (differs && at + 8 < len && (pass == 0 || !bv)) {
                if (pass == 0)
                    at += (size_t)snprintf(out + at, len - at, "%s%.*s %.*s -> %.*s", at ? ", " : "", (int)kl, p,
                                           bv ? (int)bn : 6, bv ? bv : "(none)", eq ? (int)(n - kl - 1) : 6,
                                           eq ? eq + 1 : "(none)");
                else
                    at += (size_t)snprintf(out + at, len - at, "%s%.*s %.*s -> (none)", at ? ", " : "", (int)kl, p,
                                           eq ? (int)(n - kl - 1) : 0, eq ? eq + 1 : "");
                if (at >= len) { at = len - 1; break; }
            }
            p = end ? end : p + n;
        }
    }
}

void cli_manifest_check(const cli_manifest *m, const char *rel, const char *output, const char *request, char *why,
                        size_t len)
{
    why[0] = 0;
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(m->files, rel);
    const cJSON *req = e ? cJSON_GetObjectItemCaseSensitive(e, "request") : NULL;
    const cJSON *bytes = e ? cJSON_GetObjectItemCaseSensitive(e, "bytes") : NULL;
    const cJSON *mt = e ? cJSON_GetObjectItemCaseSensitive(e, "mtime_ns") : NULL;
    struct stat sb;
    if (!cJSON_IsString(req) || !cJSON_IsNumber(bytes) || !cJSON_IsString(mt)) {
        snprintf(why, len, "no record of the options it was made with (%s)", CLI_MANIFEST_NAME);
        return;
    }
    if (stat(output, &sb) != 0 || (double)sb.st_size != bytes->valuedouble || atoll(mt->valuestring) != mtime_ns(&sb)) {
        snprintf(why, len, "the output is not the file recorded in %s (replaced since)", CLI_MANIFEST_NAME);
        return;
    }
    if (strcmp(req->valuestring, request) != 0) {
        char diff[256];
        request_diff(req->valuestring, request, diff, sizeof diff);
        snprintf(why, len, "made with other options: %s", diff[0] ? diff : "(request differs)");
    }
}

void cli_manifest_set(cli_manifest *m, const char *rel, const char *output, const char *request)
{
    cJSON_DeleteItemFromObjectCaseSensitive(m->changes, rel);
    struct stat sb;
    if (!request || stat(output, &sb) != 0) {
        cJSON_AddNullToObject(m->changes, rel); /* forgotten: a failed or missing output */
        return;
    }
    cJSON *e = cJSON_AddObjectToObject(m->changes, rel);
    if (!e) return;
    char mt[32];
    snprintf(mt, sizeof mt, "%lld", mtime_ns(&sb));
    cJSON_AddStringToObject(e, "request", request);
    cJSON_AddNumberToObject(e, "bytes", (double)sb.st_size);
    cJSON_AddStringToObject(e, "mtime_ns", mt); /* a string: nanoseconds exceed a double's exact integers */
}

/* Shards of one set may share an output folder and finish at the same moment: each applies its own changes to the
 * manifest as it is on disk now, under an exclusive lock, so no shard's records are lost to another's write. */
int cli_manifest_save(cli_manifest *m)
{
    if (!m->changes || !m->changes->child) return 0;
    size_t ld = strlen(m->path) - strlen(CLI_MANIFEST_NAME);
    char *dir = malloc(ld + 2);
    if (!dir) return -1;
    memcpy(dir, m->path, ld);
    memcpy(dir + ld, ".", 2);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC); /* the folder is the lock: no lock file to leave */
    free(dir);
    if (fd >= 0) while (flock(fd, LOCK_EX) != 0 && errno == EINTR) {}
    /* Without a lock (a read-only or lock-less file system) the write is still atomic; only a concurrent shard's
     * records could be lost, which costs a rebuild, never a stale output. */
    cJSON *files = read_files(m->path, 0);
    if (!files) files = cJSON_CreateObject();
    int rc = -1;
    if (files) {
        for (cJSON *c = m->changes->child; c; c = c->next) {
            cJSON_DeleteItemFromObjectCaseSensitive(files, c->string);
            if (cJSON_IsObject(c)) cJSON_AddItemToObject(files, c->string, cJSON_Duplicate(c, 1));
        }
        if (!files->child) {
            if (unlink(m->path) != 0) { /* nothing recorded and no file: nothing to do */ }
            cJSON_Delete(files);
            rc = 0;
        } else {
            cJSON *root = cJSON_CreateObject();
            if (root) {
                cJSON_AddStringToObject(root, "schema", "tinytex-manifest");
                cJSON_AddNumberToObject(root, "version", 1);
                cJSON_AddItemToObject(root, "files", files);
                rc = cli_report_write(m->path, root) == EXIT_OK ? 0 : -1;
                cJSON_Delete(root);
            } else {
                cJSON_Delete(files);
            }
        }
    }
    if (fd >= 0) close(fd); /* releases the lock */
    return rc;
}

void cli_manifest_free(cli_manifest *m)
{
    cJSON_Delete(m->files);
    cJSON_Delete(m->changes);
    free(m->path);
    memset(m, 0, sizeof *m);
}
