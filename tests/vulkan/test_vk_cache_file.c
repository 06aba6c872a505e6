/* test_vk_cache_file.c - the persistent pipeline cache file: written at destroy, loaded by the next context, and a corrupt or foreign file ignored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bc7/tt_bc7.h"
#include "bc7/tt_bc7_gpu.h"
#include "tt_test.h"
#include "vk/tt_vk.h"

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    CHECK_EQ_INT(fwrite(data, 1, n, f), n);
    fclose(f);
}

static uint8_t *read_bytes(const char *path, size_t *n)
{
    uint8_t *d = NULL;
    *n = 0;
    CHECK_MSG(tt_read_file(path, 1u << 30, &d, n) == TT_OK, "%s", tt_last_error());
    return d;
}

/* Single-colour blocks take the integer table lookup: GPU and C reference agree bit for bit on any device. The
 * block in the corner holds two colours, so the search pipelines run too. */
static void encode_matches_reference(tt_vk *vk, const char *what)
{
    tt_image img;
    CHECK_EQ_INT(tt_image_alloc(&img, 8, 8), TT_OK);
    for (uint32_t y = 0; y < 8; y++)
        for (uint32_t x = 0; x < 8; x++) {
            uint8_t *px = img.rgba + (y * 8 + x) * 4;
            uint32_t b = (y / 4) * 2 + x / 4;
            px[0] = (uint8_t)(40 * b + 10);
            px[1] = (uint8_t)(255 - 50 * b);
            px[2] = (uint8_t)(90 + 7 * b);
            px[3] = 255;
        }
    img.rgba[0] ^= 1;
    tt_bc7_config p;
    tt_bc7_config_init(&p);
    tt_bc7_block ref[4], gpu[4];
    CHECK_EQ_INT(tt_bc7_encode_image_ref(&img, &p, ref), TT_OK);
    tt_status st = tt_bc7_encode_gpu(vk, &img, &p, gpu, 1, NULL);
    CHECK_MSG(st == TT_OK, "%s: %s", what, tt_last_error());
    CHECK_MSG(memcmp(ref, gpu, sizeof ref) == 0, "%s: GPU blocks differ from the C reference", what);
    tt_image_free(&img);
}

/* One context on `path`: must create, build pipelines and encode correctly whatever the file holds. */
static void run_context(const char *path, const char *what)
{
    tt_vk_options o;
    tt_vk_options_init(&o);
    o.pipeline_cache_path = path;
    o.verbose = 1;
    tt_vk *vk = NULL;
    tt_status st = tt_vk_create_opts(&o, &vk);
    CHECK_MSG(st == TT_OK, "%s: %s", what, tt_last_error());
    if (st != TT_OK) return;
    encode_matches_reference(vk, what);
    CHECK_MSG(tt_vk_pipelines_built(vk) > 0, "%s: no pipeline built", what);
    tt_vk_destroy(vk);
    printf("%-36s cache file %ld bytes after\n", what, file_size(path));
}

int main(void)
{
    tt_vk *probe = NULL;
    if (tt_vk_create(-1, &probe) != TT_OK) {
        printf("skip: no Vulkan device (%s)\n", tt_last_error());
        return 77;
    }
    printf("device: %s\n", tt_vk_info(probe)->name);
    tt_vk_destroy(probe);

    char dir[] = "/tmp/tt_vk_cache_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256], nested[256];
    snprintf(path, sizeof path, "%s/pipelines.bin", dir);
    snprintf(nested, sizeof nested, "%s/a/b/pipelines.bin", dir);

    /* No file yet: the context writes one at destroy, at least the driver's header. */
    run_context(path, "no file");
    CHECK_MSG(file_size(path) >= 32, "cache file missing or shorter than its header: %ld", file_size(path));
    size_t good_n = 0;
    uint8_t *good = read_bytes(path, &good_n);
    CHECK(good_n >= 32);
    /* The file is loaded and reused. */
    run_context(path, "valid file");
    CHECK(file_size(path) >= 32);
    /* Missing parent folders are created. */
    run_context(nested, "missing parent folders");
    CHECK(file_size(nested) >= 32);

    /* Corrupt or foreign files: ignored, the context works, and the file is replaced by a valid one. */
    uint8_t noise[4096];
    uint32_t s = 12345;
    for (size_t i = 0; i < sizeof noise; i++) {
        s = s * 1103515245u + 12345u;
        noise[i] = (uint8_t)(s >> 16);
    }
    write_bytes(path, noise, sizeof noise);
    run_context(path, "random bytes");
    write_bytes(path, noise, 0);
    run_context(path, "empty file");
    if (good && good_n >= 32) {
        write_bytes(path, good, 20);
        run_context(path, "truncated header");
        write_bytes(path, good, good_n > 32 ? good_n / 2 + 16 : 31);
        run_context(path, "truncated file");
        uint8_t *bad = malloc(good_n + sizeof noise);
        CHECK(bad != NULL);
        if (bad) {
            memcpy(bad, good, good_n);
            bad[20] ^= 0x5a; /* pipelineCacheUUID */
            write_bytes(path, bad, good_n);
            run_context(path, "wrong pipelineCacheUUID");
            memcpy(bad, good, good_n);
            bad[8] ^= 1; /* vendorID */
            write_bytes(path, bad, good_n);
            run_context(path, "wrong vendorID");
            memcpy(bad, good, good_n);
            bad[4] = 7; /* headerVersion */
            write_bytes(path, bad, good_n);
            run_context(path, "wrong header version");
            memcpy(bad, good, good_n);
            bad[0] = 0xff; bad[1] = 0xff; /* headerSize beyond the file */
            write_bytes(path, bad, good_n);
            run_context(path, "header size beyond the file");
            /* A valid header followed by garbage: for the driver to reject or ignore. */
            memcpy(bad, good, 32);
            memcpy(bad + 32, noise, sizeof noise);
            write_bytes(path, bad, 32 + sizeof noise);
            run_context(path, "valid header, garbage body");
            free(bad);
        }
        size_t after_n = 0;
        uint8_t *after = read_bytes(path, &after_n);
        CHECK_MSG(after_n >= 32 && after && memcmp(after, good, 32) == 0,
                  "the corrupt file was not replaced by a valid one");
        free(after);
    }
    /* A folder where the file should be: nothing read, nothing written, no error. */
    unlink(path);
    CHECK_EQ_INT(mkdir(path, 0777), 0);
    run_context(path, "a folder in the file's place");
    rmdir(path);
    free(good);

    /* Clean up the temporary tree. */
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK_EQ_INT(system(cmd), 0);
    TT_TEST_END();
}
