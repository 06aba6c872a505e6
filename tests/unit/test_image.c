/* test_image.c - every fixture in tests/data (see make_test_data.py) loads to the right RGBA8 pixels; bad inputs and limits are refused. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stb_image_write.h>

#include "tinytex.h"
#include "core/tt_bytes.h"
#include "image/tt_image_check.h"
#include "tt_test.h"

static const char *data_dir;

static tt_status load(const char *name, const tt_image_limits *lim, tt_image *img)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", data_dir, name);
    return tt_image_load(p, lim, img);
}

/* Checks pixel (x, y) of `img` against r, g, b, a. */
#define CHECK_PX(img, x, y, r, g, b, a) do { \
    const uint8_t *_p = (img).rgba + (((size_t)(y) * (img).width + (x)) * 4); \
    CHECK_MSG(_p[0] == (r) && _p[1] == (g) && _p[2] == (b) && _p[3] == (a), \
              "pixel (%d,%d) is %u,%u,%u,%u, expected %d,%d,%d,%d", (int)(x), (int)(y), \
              _p[0], _p[1], _p[2], _p[3], (int)(r), (int)(g), (int)(b), (int)(a)); } while (0)

static void expect_loaded(const char *name, tt_image *img, uint32_t w, uint32_t h, int channels, int bits)
{
    tt_status s = load(name, NULL, img);
    CHECK_MSG(s == TT_OK, "%s: %s", name, tt_last_error());
    if (s != TT_OK) {
        memset(img, 0, sizeof *img);
        return;
    }
    CHECK_MSG(img->width == w && img->height == h, "%s is %ux%u", name, img->width, img->height);
    if (channels) CHECK_MSG(img->source_channels == channels, "%s: %d channels", name, img->source_channels);
    CHECK_MSG(img->source_bits == bits, "%s: %d bits", name, img->source_bits);
}

static void test_good_images(void)
{
    tt_image img;

    expect_loaded("rgb8.png", &img, 3, 2, 3, 8);
    if (img.rgba) {
        CHECK_PX(img, 0, 0, 255, 0, 0, 255);
        CHECK_PX(img, 1, 0, 0, 255, 0, 255);
        CHECK_PX(img, 2, 0, 0, 0, 255, 255);
        CHECK_PX(img, 0, 1, 10, 20, 30, 255);
        CHECK_PX(img, 1, 1, 128, 64, 32, 255);
        CHECK_PX(img, 2, 1, 255, 255, 255, 255);
        CHECK_EQ_INT(tt_image_has_alpha(&img), 0);
    }
    tt_image_free(&img);

    expect_loaded("rgba8.png", &img, 3, 2, 4, 8);
    if (img.rgba) {
        CHECK_PX(img, 1, 0, 0, 255, 0, 128);
        CHECK_PX(img, 2, 0, 0, 0, 255, 0);
        CHECK_PX(img, 0, 1, 1, 2, 3, 4);
        CHECK_PX(img, 1, 1, 200, 100, 50, 25);
        CHECK_EQ_INT(tt_image_has_alpha(&img), 1);
    }
    tt_image_free(&img);

    expect_loaded("grey8.png", &img, 4, 3, 1, 8);
    if (img.rgba) {
        for (int i = 0; i < 12; i++) CHECK_PX(img, i % 4, i / 4, 20 * i, 20 * i, 20 * i, 255);
    }
    tt_image_free(&img);

    expect_loaded("grey_alpha8.png", &img, 2, 2, 2, 8);
    if (img.rgba) {
        CHECK_PX(img, 0, 0, 0, 0, 0, 255);
        CHECK_PX(img, 1, 0, 100, 100, 100, 0);
        CHECK_PX(img, 0, 1, 200, 200, 200, 50);
        CHECK_PX(img, 1, 1, 255, 255, 255, 128);
    }
    tt_image_free(&img);

    /* 2-bit palette with tRNS: stb_image reports it as 4 channels. */
    expect_loaded("palette.png", &img, 4, 2, 4, 8);
    if (img.rgba) {
        CHECK_PX(img, 0, 0, 255, 0, 0, 255);
        CHECK_PX(img, 1, 0, 0, 128, 255, 255);
        CHECK_PX(img, 2, 0, 10, 200, 30, 128);
        CHECK_PX(img, 3, 0, 40, 50, 60, 0);
        CHECK_PX(img, 0, 1, 40, 50, 60, 0);
        CHECK_PX(img, 3, 1, 255, 0, 0, 255);
    }
    tt_image_free(&img);

    /* 16-bit: 8-bit value = round(v * 255 / 65535) = round(v / 257).
     * 0x00FF -> 1 (stb's own >> 8 would give 0), 0x8000 -> 128,
     * 0x1234 -> 18, 0x0080 -> 0, 0x7F7F -> 127, 0x8080 -> 128,
     * 0xFEFF -> 254, 0x0101 -> 1, 0x0202 -> 2, 0xABCD -> 171. */
    expect_loaded("rgb16.png", &img, 2, 2, 3, 16);
    if (img.rgba) {
        CHECK_PX(img, 0, 0, 0, 128, 255, 255);
        CHECK_PX(img, 1, 0, 18, 1, 0, 255);
        CHECK_PX(img, 0, 1, 127, 128, 254, 255);
        CHECK_PX(img, 1, 1, 1, 2, 171, 255);
    }
    tt_image_free(&img);

    /* 0x4000 -> 64 (63.75), 0x017F -> 1 (1.49), 0xC000 -> 191 (191.25). */
    expect_loaded("rgba16.png", &img, 2, 1, 4, 16);
    if (img.rgba) {
        CHECK_PX(img, 0, 0, 255, 0, 64, 128);
        CHECK_PX(img, 1, 0, 0, 1, 191, 255);
    }
    tt_image_free(&img);

    /* 0x807F / 257 = 127.996 -> 128. */
    expect_loaded("grey16.png", &img, 3, 1, 1, 16);
    if (img.rgba) {
        CHECK_PX(img, 0, 0, 0, 0, 0, 255);
        CHECK_PX(img, 1, 0, 128, 128, 128, 255);
        CHECK_PX(img, 2, 0, 255, 255, 255, 255);
    }
    tt_image_free(&img);

    /* GIF: first frame only; index 3 is transparent -> (0,0,0,0). */
    expect_loaded("tiny.gif", &img, 3, 2, 0, 8);
    if (img.rgba) {
        CHECK_PX(img, 0, 0, 0, 0, 0, 255);
        CHECK_PX(img, 1, 0, 255, 255, 0, 255);
        CHECK_PX(img, 2, 0, 0, 200, 100, 255);
        CHECK_PX(img, 0, 1, 0, 0, 0, 0);
        CHECK_PX(img, 1, 1, 0, 200, 100, 255);
        CHECK_PX(img, 2, 1, 255, 255, 0, 255);
    }
    tt_image_free(&img);

    /* HDR: (0.375, 1.0, 2.0) -> clamp, x255, round -> (96, 255, 255);
     * (0.25, 0, 0.75) -> (64, 0, 191). Alpha is opaque. */
    expect_loaded("tiny.hdr", &img, 2, 1, 3, 32);
    if (img.rgba) {
        CHECK_PX(img, 0, 0, 96, 255, 255, 255);
        CHECK_PX(img, 1, 0, 64, 0, 191, 255);
    }
    tt_image_free(&img);

    expect_loaded("tiny.ppm", &img, 2, 2, 3, 8);
    if (img.rgba) {
        CHECK_PX(img, 0, 0, 1, 2, 3, 255);
        CHECK_PX(img, 1, 0, 40, 50, 60, 255);
        CHECK_PX(img, 0, 1, 70, 80, 90, 255);
        CHECK_PX(img, 1, 1, 255, 254, 253, 255);
    }
    tt_image_free(&img);

    /* 16-bit PGM: 0x0100 / 257 = 0.996 -> 1, 0xFF00 / 257 = 254.008 -> 254. */
    expect_loaded("grey16.pgm", &img, 2, 1, 1, 16);
    if (img.rgba) {
        CHECK_PX(img, 0, 0, 1, 1, 1, 255);
        CHECK_PX(img, 1, 0, 254, 254, 254, 255);
    }
    tt_image_free(&img);

    expect_loaded("tiny.bmp", &img, 2, 2, 3, 8);
    if (img.rgba) {
        CHECK_PX(img, 0, 0, 255, 0, 0, 255);
        CHECK_PX(img, 1, 0, 0, 255, 0, 255);
        CHECK_PX(img, 0, 1, 0, 0, 255, 255);
        CHECK_PX(img, 1, 1, 17, 34, 51, 255);
    }
    tt_image_free(&img);
}

static void expect_refused(const char *name, const tt_image_limits *lim, tt_status want, const char *text)
{
    tt_image img;
    memset(&img, 0xAB, sizeof img);
    tt_status s = load(name, lim, &img);
    CHECK_MSG(s == want, "%s: status %d (%s), expected %d", name, (int)s, tt_last_error(), (int)want);
    CHECK_MSG(img.rgba == NULL && img.width == 0, "%s: output not cleared", name);
    CHECK_MSG(strstr(tt_last_error(), name) != NULL, "%s: message '%s' does not name the file", name,
              tt_last_error());
    if (text)
        CHECK_MSG(strstr(tt_last_error(), text) != NULL, "%s: message '%s' lacks '%s'", name,
                  tt_last_error(), text);
    tt_image_free(&img);
}

static void test_bad_images(void)
{
    /* The format comes from the signature, the reason from that format's decoder. */
    expect_refused("truncated.png", NULL, TT_ERR_FORMAT,
                   "PNG decoder failed: the data ends early: the file is truncated (stb_image: outofdata)");
    expect_refused("not_an_image.png", NULL, TT_ERR_FORMAT, "not a supported image: no PNG, JPEG, GIF");
    expect_refused("empty.png", NULL, TT_ERR_FORMAT, "not a supported image");
    expect_refused("corrupt.jpg", NULL, TT_ERR_FORMAT, "JPEG decoder failed: the file is truncated or corrupt");
    /* A JPEG cut short, whatever its name: its header was whole, so only decoding finds it out. A baseline 451x300
     * JPEG is built here from an 8-bit PNG (stb_image_write), then cut in its entropy-coded data. */
    {
        tt_image src;
        char path[1200];
        snprintf(path, sizeof path, "%s/cli_rgb_451x300.png", data_dir);
        CHECK_EQ_INT(tt_image_load(path, NULL, &src), TT_OK);
        tt_bytes jpg = {0};
        CHECK(stbi_write_jpg_to_func(tt_bytes_stb_append, &jpg, (int)src.width, (int)src.height, 4, src.rgba, 90));
        CHECK(tt_image_format_name(jpg.data, jpg.size) && strcmp(tt_image_format_name(jpg.data, jpg.size), "JPEG") == 0);
        tt_image img;
        CHECK_EQ_INT(tt_image_load_memory(jpg.data, jpg.size, "whole.png", NULL, &img), TT_OK);
        tt_image_free(&img);
        CHECK_EQ_INT(tt_image_load_memory(jpg.data, jpg.size / 2, "cut.png", NULL, &img), TT_ERR_FORMAT);
        CHECK_MSG(strstr(tt_last_error(), "cut.png: JPEG decoder failed: the file is truncated or corrupt") != NULL,
                  "message '%s'", tt_last_error());
        free(jpg.data);
        tt_image_free(&src);
    }
    expect_refused("does_not_exist.png", NULL, TT_ERR_IO, NULL);
    expect_refused("huge_ihdr.png", NULL, TT_ERR_LIMIT,
                   "100000x100000 exceeds the image limit of 16384x16384 (raise with --max-size)");

    /* Limits apply before decoding, for any format (PNG via its IHDR,
     * others via stbi_info). */
    tt_image_limits lim;
    tt_image_limits_init(&lim);
    CHECK_EQ_INT(lim.max_dimension, 16384);
    CHECK_EQ_INT(lim.max_pixels, 1ull << 28);
    lim.max_dimension = 2;
    expect_refused("rgb8.png", &lim, TT_ERR_LIMIT, "3x2 exceeds the image limit of 2x2");
    expect_refused("tiny.gif", &lim, TT_ERR_LIMIT, "3x2 exceeds the image limit of 2x2");
    tt_image img;
    CHECK_EQ_INT(load("tiny.bmp", &lim, &img), TT_OK); /* 2x2 is exactly at the limit */
    tt_image_free(&img);
    tt_image_limits_init(&lim);
    lim.max_pixels = 5;
    expect_refused("rgb8.png", &lim, TT_ERR_LIMIT, "6 pixels");
    CHECK_EQ_INT(load("tiny.ppm", &lim, &img), TT_OK); /* 4 pixels */
    tt_image_free(&img);
}

static void test_memory_and_alloc(void)
{
    /* Direct in-memory load with no name. */
    char p[1024];
    snprintf(p, sizeof p, "%s/rgb8.png", data_dir);
    uint8_t *bytes = NULL;
    size_t size = 0;
    CHECK_EQ_INT(tt_read_file(p, 0, &bytes, &size), TT_OK);
    tt_image img;
    CHECK_EQ_INT(tt_image_load_memory(bytes, size, NULL, NULL, &img), TT_OK);
    CHECK(img.width == 3 && img.height == 2);
    tt_image_free(&img);
    /* Every truncation of a valid PNG fails cleanly (run under ASan to see
     * out-of-bounds reads). */
    for (size_t n = 0; n < size; n++) {
        uint8_t *cut = malloc(n ? n : 1);
        memcpy(cut, bytes, n);
        tt_status s = tt_image_load_memory(cut, n, "cut.png", NULL, &img);
        CHECK_MSG(s != TT_OK || (img.width == 3 && img.height == 2), "truncation %zu", n);
        tt_image_free(&img);
        free(cut);
    }
    free(bytes);

    CHECK_EQ_INT(tt_image_alloc(&img, 0, 5), TT_ERR_INVALID_ARG);
    CHECK_EQ_INT(tt_image_alloc(&img, 5, 7), TT_OK);
    CHECK(img.rgba && img.rgba[5 * 7 * 4 - 1] == 0);
    CHECK_EQ_INT(tt_image_has_alpha(&img), 1); /* zeroed alpha */
    tt_image_free(&img);
    tt_image_free(&img); /* double free is safe: fields were cleared */
    CHECK(img.rgba == NULL);
}

static void test_save_png(void)
{
    char dir[] = "/tmp/tt_test_image_XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0);
        return;
    }
    tt_image src, back;
    CHECK_EQ_INT(tt_image_alloc(&src, 7, 5), TT_OK);
    for (size_t i = 0; i < 7 * 5 * 4; i++) src.rgba[i] = (uint8_t)(i * 13 + 7);
    char p[512];
    snprintf(p, sizeof p, "%s/out.png", dir);
    CHECK_EQ_INT(tt_image_save_png(p, &src), TT_OK);
    CHECK_EQ_INT(tt_image_load(p, NULL, &back), TT_OK);
    CHECK(back.width == 7 && back.height == 5 && back.source_channels == 4 && back.source_bits == 8);
    CHECK(back.rgba && memcmp(back.rgba, src.rgba, 7 * 5 * 4) == 0);
    tt_image_free(&back);
    /* Only out.png is there: no temporary left behind. */
    DIR *d = opendir(dir);
    int entries = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) entries++;
    if (d) closedir(d);
    CHECK_EQ_INT(entries, 1);
    /* Unwritable target folder. */
    snprintf(p, sizeof p, "%s/missing/out.png", dir);
    CHECK_EQ_INT(tt_image_save_png(p, &src), TT_ERR_IO);
    CHECK_EQ_INT(tt_image_save_png(p, NULL), TT_ERR_INVALID_ARG);
    tt_image_free(&src);
    snprintf(p, sizeof p, "%s/out.png", dir);
    unlink(p);
    rmdir(dir);

    /* A directory is not an image. */
    CHECK_EQ_INT(tt_image_load(data_dir, NULL, &back), TT_ERR_IO);
    CHECK(strstr(tt_last_error(), "directory") != NULL);
}

int main(void)
{
    /* ctest sets TT_TEST_DATA; when run by hand, find tests/data next to
     * this source file (CMake compiles it by absolute path). */
    static char fallback[1024];
    data_dir = getenv("TT_TEST_DATA");
    if (!data_dir) {
        snprintf(fallback, sizeof fallback, "%s", __FILE__);
        char *cut = strstr(fallback, "/unit/test_image.c");
        if (cut) strcpy(cut, "/data");
        else snprintf(fallback, sizeof fallback, "tests/data");
        data_dir = fallback;
    }
    test_good_images();
    test_bad_images();
    test_memory_and_alloc();
    test_save_png();
    TT_TEST_END();
}
