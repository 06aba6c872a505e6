/* test_bc7_texture.c - tt_bc7_encode_cpu and tt_texture_decode: one-level textures from the C reference, decoding and its argument checks. */
#include <stdlib.h>
#include <string.h>

#include "bc7/tt_bc7.h"
#include "tt_test.h"

static tt_image make_image(uint32_t w, uint32_t h)
{
    tt_image img;
    if (tt_image_alloc(&img, w, h) != TT_OK) exit(1);
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            uint8_t *p = img.rgba + ((size_t)y * w + x) * 4;
            p[0] = (uint8_t)(x * 19);
            p[1] = (uint8_t)(y * 23 + x);
            p[2] = (uint8_t)(255 - x * y);
            p[3] = x < w / 2 ? 255 : (uint8_t)(y * 30);
        }
    return img;
}

int main(void)
{
    tt_image img = make_image(13, 9); /* partial blocks on both edges: 4 x 3 blocks */
    tt_bc7_config cfg;
    tt_bc7_config_init(&cfg);
    cfg.srgb = 1;
    tt_texture t;
    CHECK_EQ_INT(tt_bc7_encode_cpu(&img, &cfg, &t), TT_OK);
    CHECK_EQ_INT(t.width, 13);
    CHECK_EQ_INT(t.height, 9);
    CHECK_EQ_INT(t.srgb, 1);
    CHECK_EQ_INT(t.level_count, 1);
    CHECK_EQ_INT(t.data_size, 4 * 3 * 16);
    CHECK_EQ_INT(t.levels[0].width, 13);
    CHECK_EQ_INT(t.levels[0].height, 9);
    CHECK_EQ_INT(t.levels[0].offset, 0);
    CHECK_EQ_INT(t.levels[0].size, t.data_size);

    /* The blocks are the reference encoder's, and the decode is tt_bc7_decode_image's. */
    tt_bc7_block ref[12];
    CHECK_EQ_INT(tt_bc7_encode_image_ref(&img, &cfg, ref), TT_OK);
    CHECK(memcmp(t.data, ref, sizeof ref) == 0);
    tt_image dec;
    CHECK_EQ_INT(tt_texture_decode(&t, 0, &dec), TT_OK);
    CHECK_EQ_INT(dec.width, 13);
    CHECK_EQ_INT(dec.height, 9);
    uint8_t want[13 * 9 * 4];
    tt_bc7_decode_image(ref, 13, 9, want);
    CHECK(memcmp(dec.rgba, want, sizeof want) == 0);
    tt_image_free(&dec);

    /* NULL config: the defaults (linear). */
    tt_texture d;
    CHECK_EQ_INT(tt_bc7_encode_cpu(&img, NULL, &d), TT_OK);
    CHECK_EQ_INT(d.srgb, 0);
    CHECK(memcmp(d.data, t.data, t.data_size) == 0); /* srgb only marks the texture */
    free(d.data);

    /* Levels out of range and inconsistent sizes are refused. */
    CHECK_EQ_INT(tt_texture_decode(&t, 1, &dec), TT_ERR_INVALID_ARG);
    CHECK(dec.rgba == NULL);
    tt_texture bad = t;
    bad.levels[0].size -= 16;
    CHECK_EQ_INT(tt_texture_decode(&bad, 0, &dec), TT_ERR_INVALID_ARG);
    bad = t;
    bad.levels[0].offset = 16;
    CHECK_EQ_INT(tt_texture_decode(&bad, 0, &dec), TT_ERR_INVALID_ARG);
    bad = t;
    bad.level_count = 2;
    bad.levels[1] = (tt_texture_level){7, 5, 0, 2 * 2 * 16};
    CHECK_EQ_INT(tt_texture_decode(&bad, 1, &dec), TT_OK); /* a second level over the first one's bytes */
    CHECK_EQ_INT(dec.width, 7);
    tt_image_free(&dec);
    bad.levels[1].width = 0;
    CHECK_EQ_INT(tt_texture_decode(&bad, 1, &dec), TT_ERR_INVALID_ARG);
    CHECK_EQ_INT(tt_texture_decode(NULL, 0, &dec), TT_ERR_INVALID_ARG);

    /* Bad arguments and configs. */
    tt_texture e;
    cfg.modes = 1u << 9;
    CHECK_EQ_INT(tt_bc7_encode_cpu(&img, &cfg, &e), TT_ERR_INVALID_ARG);
    CHECK(e.data == NULL);
    tt_image empty = {0};
    CHECK_EQ_INT(tt_bc7_encode_cpu(&empty, NULL, &e), TT_ERR_INVALID_ARG);

    free(t.data); /* tt_texture_free lives in src/formats */
    tt_image_free(&img);
    TT_TEST_END();
}
