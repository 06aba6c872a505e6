/* test_regress_texture_load.c - header-first texture loading: only the bytes the header describes are read, limits apply before the payload, results equal the in-memory readers. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/tt_bytes.h"
#include "formats/tt_formats.h"
#include "tt_test.h"
#include "tt_test_texture.h"

static char tmpdir[512];

static tt_texture make_texture(uint32_t w, uint32_t h) { return tt_test_texture(w, h, 0, 13, 5); }

static int write_file(const char *path, const uint8_t *d, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    int ok = fwrite(d, 1, n, f) == n;
    return fclose(f) == 0 && ok;
}

/* Makes `path` `bytes` long without writing them (a sparse file); 0 if the
 * file system cannot. */
static int extend_sparse(const char *path, off_t bytes)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0) return 0;
    int ok = ftruncate(fd, bytes) == 0;
    close(fd);
    return ok;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void check_container(tt_container c, const char *ext)
{
    tt_texture t = make_texture(13, 9);
    uint8_t *file = NULL;
    size_t n = 0;
    tt_status s = c == TT_CONTAINER_DDS ? tt_dds_write_memory(&t, &file, &n) : tt_ktx2_write_memory(&t, &file, &n);
    CHECK(s == TT_OK);
    char path[600];
    snprintf(path, sizeof path, "%s/tex.%s", tmpdir, ext);
    CHECK(write_file(path, file, n));

    /* Plain file: same texture as the in-memory reader. */
    tt_texture back;
    CHECK(tt_texture_load(path, NULL, &back) == TT_OK);
    CHECK(back.width == 13 && back.height == 9 && back.data_size == t.data_size);
    CHECK(back.data && memcmp(back.data, t.data, t.data_size) == 0);
    tt_texture_free(&back);

    /* 9 GiB of (sparse) junk after the texture: above the old 8 GiB whole-file
     * limit, and never read now. A full read would take many seconds. */
    if (extend_sparse(path, (off_t)9 << 30)) {
        double t0 = now_s();
        s = tt_texture_load(path, NULL, &back);
        double dt = now_s() - t0;
        CHECK_MSG(s == TT_OK, "%s", tt_last_error());
        CHECK(back.data && back.data_size == t.data_size && memcmp(back.data, t.data, t.data_size) == 0);
        CHECK_MSG(dt < 1.0, "loading took %.2f s: the junk was read", dt);
        tt_texture_free(&back);
    } else {
        printf("skipped the sparse-file check (ftruncate failed)\n");
    }

    /* Truncated payload: refused, message names the file and is one line. */
    CHECK(write_file(path, file, n - 5));
    s = tt_texture_load(path, NULL, &back);
    CHECK(s == TT_ERR_FORMAT);
    CHECK(strstr(tt_last_error(), path) != NULL && strchr(tt_last_error(), '\n') == NULL);
    CHECK(back.data == NULL && back.width == 0);

    /* Limits apply from the header, before the payload is read: a header
     * claiming 60000x60000 (3.4 GB of BC7) in a file holding 1 KiB of it
     * is refused as over the limit, not read. */
    uint8_t *big = malloc(n);
    memcpy(big, file, n);
    if (c == TT_CONTAINER_DDS) {
        tt_put_le32(big + 12, 60000);
        tt_put_le32(big + 16, 60000);
    } else {
        tt_put_le32(big + 20, 60000);
        tt_put_le32(big + 24, 60000);
        tt_put_le32(big + 88, 3600000000u); /* level 0 byteLength, low word */
        tt_put_le32(big + 96, 3600000000u); /* level 0 uncompressedByteLength, low word */
    }
    CHECK(write_file(path, big, n));
    tt_image_limits lim;
    tt_image_limits_init(&lim);
    s = tt_texture_load(path, &lim, &back);
    CHECK_MSG(s == TT_ERR_FORMAT, "%s", tt_last_error()); /* file too short for the header's claim */
    if (extend_sparse(path, (off_t)4 << 30)) {
        /* Now the file is long enough: the limit refuses it without reading. */
        double t0 = now_s();
        s = tt_texture_load(path, &lim, &back);
        CHECK_MSG(s == TT_ERR_LIMIT, "status %d: %s", (int)s, tt_last_error());
        CHECK(strstr(tt_last_error(), "max-size") != NULL);
        CHECK(now_s() - t0 < 1.0);
        CHECK(back.data == NULL);
    }
    /* Under a tighter limit the original 13x9 texture is refused too. */
    CHECK(write_file(path, file, n));
    lim.max_dimension = 8;
    CHECK(tt_texture_load(path, &lim, &back) == TT_ERR_LIMIT);
    lim.max_dimension = 16;
    lim.max_pixels = 100;
    CHECK(tt_texture_load(path, &lim, &back) == TT_ERR_LIMIT);
    lim.max_pixels = 117;
    CHECK(tt_texture_load(path, &lim, &back) == TT_OK);
    tt_texture_free(&back);

    unlink(path);
    free(big);
    free(file);
    tt_texture_free(&t);
}

/* The header-first parse agrees with the whole-buffer reader for every prefix
 * length the loader could hand it. */
static void check_parse_prefixes(void)
{
    tt_texture t = make_texture(5, 7);
    for (int c = 0; c < 2; c++) {
        uint8_t *file = NULL;
        size_t n = 0;
        CHECK((c == 0 ? tt_dds_write_memory(&t, &file, &n) : tt_ktx2_write_memory(&t, &file, &n)) == TT_OK);
        size_t head = c == 0 ? 148 : 80 + 32 * 24;
        if (head > n) head = n;
        for (size_t avail = head; avail <= n; avail++) {
            tt_texture out;
            size_t need = 12345;
            tt_status s = c == 0 ? tt_dds_parse(file, avail, n, "p", &out, &need)
                                 : tt_ktx2_parse(file, avail, n, "p", &out, &need);
            CHECK(s == TT_OK);
            if (out.data) {
                CHECK(need == 0 && memcmp(out.data, t.data, t.data_size) == 0);
                tt_texture_free(&out);
            } else {
                CHECK(need > avail && need <= n && out.width == 5 && out.height == 7);
            }
        }
        /* Too little of the header is an error of the caller, not a crash. */
        tt_texture out;
        size_t need;
        tt_status s = c == 0 ? tt_dds_parse(file, 10, n, "p", &out, &need) : tt_ktx2_parse(file, 10, n, "p", &out, &need);
        CHECK(s == TT_ERR_INVALID_ARG && out.data == NULL);
        free(file);
    }
    tt_texture_free(&t);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "%s/tt-texload-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    check_container(TT_CONTAINER_DDS, "dds");
    check_container(TT_CONTAINER_KTX2, "ktx2");
    check_parse_prefixes();
    rmdir(tmpdir);
    TT_TEST_END();
}
