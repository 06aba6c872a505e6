/* test_formats_api.c - the public texture API of tinytex.h: save/load by extension, memory round trips, level checks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/tt_formats.h"
#include "tt_test.h"
#include "tt_test_texture.h"

static tt_texture make_texture(uint32_t w, uint32_t h, int srgb) { return tt_test_texture(w, h, srgb, 29, 1); }

static void check_same(const tt_texture *a, const tt_texture *b)
{
    CHECK(a->width == b->width && a->height == b->height && a->srgb == b->srgb);
    CHECK(a->data_size == b->data_size && a->data && b->data && memcmp(a->data, b->data, a->data_size) == 0);
    CHECK_EQ_INT(b->level_count, 1);
    CHECK(b->levels[0].width == b->width && b->levels[0].height == b->height);
    CHECK(b->levels[0].offset == 0 && b->levels[0].size == b->data_size);
}

static void test_memory(void)
{
    tt_texture t = make_texture(11, 6, 1);
    for (int c = 0; c < 2; c++) {
        uint8_t *bytes = NULL;
        size_t n = 0;
        CHECK_EQ_INT(tt_texture_write_memory((tt_container)c, &t, &bytes, &n), TT_OK);
        /* The public writer gives the container writer's bytes. */
        uint8_t *direct = NULL;
        size_t dn = 0;
        CHECK((c == TT_CONTAINER_DDS ? tt_dds_write_memory(&t, &direct, &dn) : tt_ktx2_write_memory(&t, &direct, &dn)) == TT_OK);
        CHECK(dn == n && direct && bytes && memcmp(direct, bytes, n) == 0);
        free(direct);
        tt_texture back;
        CHECK_EQ_INT(tt_texture_read_memory(bytes, n, "mem", &back), TT_OK);
        check_same(&t, &back);
        tt_texture_free(&back);
        tt_texture_free(&back);   /* safe on a freed (zeroed) texture */
        CHECK_EQ_INT(tt_texture_read_memory(bytes, 3, "short", &back), TT_ERR_FORMAT);
        CHECK(back.data == NULL);
        free(bytes);
    }
    tt_texture back;
    static const uint8_t junk[16] = "not a texture!!";
    CHECK_EQ_INT(tt_texture_read_memory(junk, sizeof junk, "junk.bin", &back), TT_ERR_FORMAT);
    CHECK(strstr(tt_last_error(), "junk.bin") != NULL);
    CHECK_EQ_INT(tt_texture_read_memory(NULL, 5, "null", &back), TT_ERR_INVALID_ARG);
    uint8_t *bytes = NULL;
    size_t n = 0;
    CHECK_EQ_INT(tt_texture_write_memory((tt_container)7, &t, &bytes, &n), TT_ERR_INVALID_ARG);
    tt_texture_free(&t);
}

/* One level only for now: mip chains are refused as unsupported, inconsistent levels as invalid. */
static void test_levels(void)
{
    tt_texture t = make_texture(8, 8, 0);
    uint8_t *bytes = NULL;
    size_t n = 0;
    for (int c = 0; c < 2; c++) {
        t.level_count = 2;
        t.levels[1] = (tt_texture_level){.width = 4, .height = 4, .offset = t.data_size, .size = 16};
        CHECK_EQ_INT(tt_texture_write_memory((tt_container)c, &t, &bytes, &n), TT_ERR_UNSUPPORTED);
        CHECK(bytes == NULL && n == 0);
        t.level_count = 0;
        CHECK_EQ_INT(tt_texture_write_memory((tt_container)c, &t, &bytes, &n), TT_ERR_INVALID_ARG);
        t.level_count = 1;
        t.levels[0].size -= 16;
        CHECK_EQ_INT(tt_texture_write_memory((tt_container)c, &t, &bytes, &n), TT_ERR_INVALID_ARG);
        t.levels[0].size += 16;
        t.levels[0].width = 4;
        CHECK_EQ_INT(tt_texture_write_memory((tt_container)c, &t, &bytes, &n), TT_ERR_INVALID_ARG);
        t.levels[0].width = 8;
        CHECK_EQ_INT(tt_texture_write_memory((tt_container)c, &t, &bytes, &n), TT_OK);
        free(bytes);
        bytes = NULL;
    }
    tt_texture_free(&t);
}

static void test_files(const char *dir)
{
    tt_texture t = make_texture(6, 9, 0);
    char p[600];
    tt_texture back;
    /* The extension picks the container, in any case. */
    snprintf(p, sizeof p, "%s/a.DDS", dir);
    CHECK_EQ_INT(tt_texture_save(p, &t), TT_OK);
    CHECK_EQ_INT(tt_texture_load(p, NULL, &back), TT_OK);
    check_same(&t, &back);
    tt_texture_free(&back);
    uint8_t head[4] = {0};
    FILE *f = fopen(p, "rb");
    CHECK(f && fread(head, 1, 4, f) == 4 && memcmp(head, "DDS ", 4) == 0);
    if (f) fclose(f);
    unlink(p);
    snprintf(p, sizeof p, "%s/a.ktx2", dir);
    CHECK_EQ_INT(tt_texture_save(p, &t), TT_OK);
    f = fopen(p, "rb");
    CHECK(f && fread(head, 1, 4, f) == 4 && head[0] == 0xAB && head[1] == 'K');
    if (f) fclose(f);
    /* Limits: NULL is tt_image_limits_init's defaults; a tighter one refuses. */
    tt_image_limits lim;
    tt_image_limits_init(&lim);
    lim.max_dimension = 8;
    CHECK_EQ_INT(tt_texture_load(p, &lim, &back), TT_ERR_LIMIT);
    CHECK(back.data == NULL);
    CHECK_EQ_INT(tt_texture_load(p, NULL, &back), TT_OK);
    check_same(&t, &back);
    tt_texture_free(&back);
    unlink(p);
    /* save_as ignores the extension. */
    snprintf(p, sizeof p, "%s/b.bin", dir);
    CHECK_EQ_INT(tt_texture_save(p, &t), TT_ERR_INVALID_ARG);
    CHECK(access(p, F_OK) != 0);
    CHECK_EQ_INT(tt_texture_save_as(p, TT_CONTAINER_KTX2, &t), TT_OK);
    CHECK_EQ_INT(tt_texture_load(p, NULL, &back), TT_OK);
    check_same(&t, &back);
    tt_texture_free(&back);
    unlink(p);
    /* A refused texture leaves no file. */
    t.level_count = 3;
    snprintf(p, sizeof p, "%s/c.dds", dir);
    CHECK_EQ_INT(tt_texture_save(p, &t), TT_ERR_UNSUPPORTED);
    CHECK(strstr(tt_last_error(), "c.dds") != NULL);
    CHECK(access(p, F_OK) != 0);
    tt_texture_free(&t);

    tt_container c = TT_CONTAINER_KTX2;
    CHECK(tt_container_from_path("x/y.Dds", &c) == 0 && c == TT_CONTAINER_DDS);
    CHECK(tt_container_from_path("x.dds/y", &c) == -1);
}

int main(void)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/tt-formats-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_memory();
    test_levels();
    test_files(dir);
    rmdir(dir);
    TT_TEST_END();
}
