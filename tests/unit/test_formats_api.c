/* test_formats_api.c - the public texture API of tinytex.h: save/load by extension, memory round trips, level layouts, save options. */
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

/* Writers take any chain laid out as tinytex.h says (8x8: 8x8 64 bytes at 0, 4x4 16 at 64, 2x2 16 at 80,
 * 1x1 16 at 96) and refuse every other layout as an invalid argument. */
static void test_levels(void)
{
    static const tt_texture_level chain[4] = {{8, 8, 0, 64}, {4, 4, 64, 16}, {2, 2, 80, 16}, {1, 1, 96, 16}};
    tt_texture t = make_texture(8, 8, 0);
    uint8_t *bytes = NULL;
    size_t n = 0;
    uint8_t *blocks = malloc(112);
    for (int i = 0; i < 112; i++) blocks[i] = (uint8_t)(i * 5 + 1);
    free(t.data);
    t.data = blocks;
    for (int c = 0; c < 2; c++) {
        for (uint32_t count = 1; count <= 4; count++) {
            t.level_count = count;
            memcpy(t.levels, chain, sizeof chain);
            t.data_size = chain[count - 1].offset + chain[count - 1].size;
            CHECK_EQ_INT(tt_texture_write_memory((tt_container)c, &t, &bytes, &n), TT_OK);
            tt_texture back;
            CHECK_EQ_INT(tt_texture_read_memory(bytes, n, "chain", &back), TT_OK);
            CHECK(back.level_count == count && back.data_size == t.data_size &&
                  memcmp(back.data, blocks, t.data_size) == 0);
            for (uint32_t i = 0; i < count; i++)
                CHECK(memcmp(&back.levels[i], &chain[i], sizeof chain[i]) == 0);
            tt_texture_free(&back);
            free(bytes);
            bytes = NULL;
        }
        /* t is now the full chain of 4; each change below breaks it. */
        struct { uint32_t level; int field; size_t value; } bad[] = {
            {1, 0, 5},  /* width 5, not 4 */
            {2, 1, 1},  /* height 1, not 2 */
            {1, 2, 72}, /* a gap between levels 0 and 1 */
            {3, 2, 80}, /* level 3 over level 2 */
            {0, 3, 48}, /* level 0 short */
            {3, 3, 32}, /* level 3 long */
        };
        for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
            memcpy(t.levels, chain, sizeof chain);
            tt_texture_level *l = &t.levels[bad[k].level];
            if (bad[k].field == 0) l->width = (uint32_t)bad[k].value;
            else if (bad[k].field == 1) l->height = (uint32_t)bad[k].value;
            else if (bad[k].field == 2) l->offset = bad[k].value;
            else l->size = bad[k].value;
            CHECK_MSG(tt_texture_write_memory((tt_container)c, &t, &bytes, &n) == TT_ERR_INVALID_ARG, "case %zu", k);
            CHECK(bytes == NULL && n == 0);
            CHECK(strstr(tt_last_error(), "level") != NULL);
        }
        memcpy(t.levels, chain, sizeof chain);
        t.level_count = 5; /* 8x8 has 4 */
        CHECK_EQ_INT(tt_texture_write_memory((tt_container)c, &t, &bytes, &n), TT_ERR_INVALID_ARG);
        t.level_count = 0;
        CHECK_EQ_INT(tt_texture_write_memory((tt_container)c, &t, &bytes, &n), TT_ERR_INVALID_ARG);
        t.level_count = 4;
        t.data_size = 128; /* more bytes than the chain */
        CHECK_EQ_INT(tt_texture_write_memory((tt_container)c, &t, &bytes, &n), TT_ERR_INVALID_ARG);
        t.data_size = 112;
        CHECK_EQ_INT(tt_texture_write_memory((tt_container)c, &t, &bytes, &n), TT_OK);
        free(bytes);
        bytes = NULL;
    }
    tt_texture_free(&t);
}

/* Save options: zstd levels 1..22 for KTX2 only. */
static void test_options(void)
{
    tt_texture t = make_texture(12, 8, 0);
    tt_save_options o;
    memset(&o, 0x7F, sizeof o);
    tt_save_options_init(&o);
    CHECK_EQ_INT(o.zstd_level, 0);
    uint8_t *bytes = NULL;
    size_t n = 0;
    static const int bad_levels[] = {-1, 23, 1000};
    for (size_t k = 0; k < sizeof bad_levels / sizeof *bad_levels; k++) {
        o.zstd_level = bad_levels[k];
        CHECK_EQ_INT(tt_texture_write_memory_opts(TT_CONTAINER_KTX2, &t, &o, &bytes, &n), TT_ERR_INVALID_ARG);
        CHECK(bytes == NULL && strstr(tt_last_error(), "zstd level") != NULL);
    }
    o.zstd_level = 3;
    CHECK_EQ_INT(tt_texture_write_memory_opts(TT_CONTAINER_DDS, &t, &o, &bytes, &n), TT_ERR_INVALID_ARG);
    CHECK(bytes == NULL && strstr(tt_last_error(), "DDS") != NULL);
    for (int level = 1; level <= 22; level += 7) {
        o.zstd_level = level;
        CHECK_EQ_INT(tt_texture_write_memory_opts(TT_CONTAINER_KTX2, &t, &o, &bytes, &n), TT_OK);
        tt_texture back;
        CHECK_EQ_INT(tt_texture_read_memory(bytes, n, "z", &back), TT_OK);
        CHECK(back.supercompression == 2 && back.data_size == t.data_size &&
              memcmp(back.data, t.data, t.data_size) == 0);
        tt_texture_free(&back);
        free(bytes);
        bytes = NULL;
    }
    /* NULL options and zstd_level 0 write what tt_texture_write_memory writes. */
    for (int c = 0; c < 2; c++) {
        uint8_t *a = NULL, *b = NULL;
        size_t na = 0, nb = 0;
        o.zstd_level = 0;
        CHECK_EQ_INT(tt_texture_write_memory_opts((tt_container)c, &t, NULL, &a, &na), TT_OK);
        CHECK_EQ_INT(tt_texture_write_memory_opts((tt_container)c, &t, &o, &b, &nb), TT_OK);
        CHECK(a && b && na == nb && memcmp(a, b, na) == 0);
        free(a);
        free(b);
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
    CHECK_EQ_INT(tt_texture_save(p, &t), TT_ERR_INVALID_ARG);
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
    test_options();
    test_files(dir);
    rmdir(dir);
    TT_TEST_END();
}
