/* make_seeds.c - writes fuzz seeds no CLI command makes yet: hash-grid .tnx models, BC7 blocks of every mode, mip chains in DDS and KTX2 (plain and Zstandard).
 *
 * Not part of the CMake build (only tests/fuzz/fuzz_*.c are). Build and run:
 *   cc -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude -Isrc tests/fuzz/make_seeds.c build/libtinytex.a \
 *      -lvulkan -lstb -lcjson -lzstd -lm -lpthread -o /tmp/make_seeds
 *   /tmp/make_seeds OUTDIR      (writes OUTDIR/tnx/hash_*.tnx, OUTDIR/bc7_block/mode*_*.bin,
 *                                OUTDIR/dds/mips_*.dds and OUTDIR/ktx2/mips_*.ktx2)
 * (add -fsanitize=address,undefined when linking a TT_SANITIZE build's library). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tinytex.h"
#include "neural/tt_neural.h"

static int write_bytes(const char *path, const void *data, size_t size)
{
    tt_status s = tt_write_file_atomic(path, data, size);
    if (s != TT_OK) fprintf(stderr, "%s\n", tt_last_error());
    return s == TT_OK ? 0 : 1;
}

static int hash_seed(const char *dir, const char *name, uint32_t w, uint32_t h, uint32_t levels, uint32_t feats,
                     uint32_t log2_t, uint32_t base, uint32_t max_res, uint32_t hidden, uint32_t depth, tt_nn_act act,
                     tt_nn_precision prec)
{
    tt_nn_model m;
    memset(&m, 0, sizeof m);
    m.kind = TT_NN_KIND_HASH;
    m.width = w;
    m.height = h;
    m.hash = (tt_nn_hash_cfg){levels, feats, log2_t, base, max_res};
    m.dec = (tt_nn_decoder_cfg){hidden, depth, act, 30.0f};
    if (tt_nn_model_build(&m) != TT_OK) {
        fprintf(stderr, "%s: %s\n", name, tt_last_error());
        return 1;
    }
    float *params = malloc(sizeof(float) * m.total);
    tt_nn_init_params(&m, 7, params);
    tt_nn_save_opts o = {.precision = prec, .latent_codec = 0, .jpeg_quality = 0};
    uint8_t *file = NULL;
    size_t n = 0;
    int rc = 1;
    if (tt_tnx_encode(&m, params, &o, &file, &n) == TT_OK) {
        char path[1024];
        snprintf(path, sizeof path, "%s/tnx/%s", dir, name);
        rc = write_bytes(path, file, n);
    }
    free(file);
    free(params);
    return rc;
}

/* A block of `mode` whose remaining bits come from a fixed pseudo-random stream. */
static void mode_block(int mode, uint32_t seed, uint8_t b[16])
{
    uint32_t x = seed * 2654435761u + 12345u;
    for (int i = 0; i < 16; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b[i] = (uint8_t)x;
    }
    b[0] = (uint8_t)((b[0] << (mode + 1)) | (1u << mode)); /* mode bits: mode zeros then a one */
}

/* A width x height picture (colour and alpha gradients) and its `count` levels by a 2x2 box filter, encoded to
 * BC7 on the CPU: real blocks of several modes, which Zstandard compresses as it would an encoder's output. */
static int encode_chain(uint32_t width, uint32_t height, uint32_t count, int srgb, tt_texture *out)
{
    tt_image levels[TT_MAX_LEVELS];
    memset(levels, 0, sizeof levels);
    int rc = 1;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t w = width >> i ? width >> i : 1, h = height >> i ? height >> i : 1;
        if (tt_image_alloc(&levels[i], w, h) != TT_OK) goto done;
        for (uint32_t y = 0; y < h; y++)
            for (uint32_t x = 0; x < w; x++) {
                uint8_t *p = levels[i].rgba + ((size_t)y * w + x) * 4;
                if (i == 0) {
                    p[0] = (uint8_t)(x * 255 / width);
                    p[1] = (uint8_t)(y * 255 / height);
                    p[2] = (uint8_t)((x ^ y) * 16);
                    p[3] = (uint8_t)(255 - x * 200 / width);
                    continue;
                }
                const tt_image *a = &levels[i - 1];
                for (int c = 0; c < 4; c++) {
                    unsigned sum = 0;
                    for (uint32_t d = 0; d < 4; d++) {
                        uint32_t sx = 2 * x + (d & 1), sy = 2 * y + (d >> 1);
                        if (sx >= a->width) sx = a->width - 1;
                        if (sy >= a->height) sy = a->height - 1;
                        sum += a->rgba[((size_t)sy * a->width + sx) * 4 + c];
                    }
                    p[c] = (uint8_t)((sum + 2) / 4);
                }
            }
    }
    tt_bc7_config cfg;
    tt_bc7_config_init(&cfg);
    cfg.srgb = srgb;
    if (tt_bc7_encode_levels_cpu(levels, count, &cfg, out) == TT_OK) rc = 0;
    else fprintf(stderr, "%s\n", tt_last_error());
done:
    for (uint32_t i = 0; i < count; i++) tt_image_free(&levels[i]);
    return rc;
}

/* One chain written as dir/sub/name with the given container and Zstandard level. */
static int chain_seed(const char *dir, const char *name, tt_container c, int zstd_level, uint32_t w, uint32_t h,
                      uint32_t count, int srgb, int premultiplied)
{
    tt_texture t;
    if (encode_chain(w, h, count, srgb, &t) != 0) return 1;
    t.premultiplied = premultiplied;
    tt_save_options o;
    tt_save_options_init(&o);
    o.zstd_level = zstd_level;
    uint8_t *file = NULL;
    size_t n = 0;
    int rc = 1;
    if (tt_texture_write_memory_opts(c, &t, &o, &file, &n) == TT_OK) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s/%s", dir, c == TT_CONTAINER_DDS ? "dds" : "ktx2", name);
        rc = write_bytes(path, file, n);
    } else {
        fprintf(stderr, "%s: %s\n", name, tt_last_error());
    }
    free(file);
    tt_texture_free(&t);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_seeds OUTDIR\n");
        return 2;
    }
    const char *dir = argv[1];
    char path[1024];
    snprintf(path, sizeof path, "%s/tnx", dir);
    mkdir(dir, 0777);
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/bc7_block", dir);
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/dds", dir);
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/ktx2", dir);
    mkdir(path, 0777);

    int rc = 0;
    rc |= hash_seed(dir, "hash_small_fp16.tnx", 8, 8, 2, 2, 4, 2, 4, 4, 1, TT_NN_ACT_SIREN, TT_NN_FP16);
    rc |= hash_seed(dir, "hash_small_fp32.tnx", 5, 3, 3, 1, 5, 2, 9, 8, 2, TT_NN_ACT_GELU, TT_NN_FP32);
    rc |= hash_seed(dir, "hash_hashed_relu.tnx", 16, 16, 2, 2, 4, 4, 16, 4, 1, TT_NN_ACT_RELU, TT_NN_FP16);
    rc |= hash_seed(dir, "hash_one_level_silu.tnx", 2, 2, 1, 4, 4, 3, 3, 4, 3, TT_NN_ACT_SILU, TT_NN_FP16);

    for (int mode = 0; mode < 8; mode++)
        for (uint32_t k = 0; k < 3; k++) {
            uint8_t b[16];
            mode_block(mode, (uint32_t)mode * 16u + k, b);
            snprintf(path, sizeof path, "%s/bc7_block/mode%d_%u.bin", dir, mode, k);
            rc |= write_bytes(path, b, sizeof b);
        }
    uint8_t reserved[16] = {0};
    reserved[5] = 0x5A;
    snprintf(path, sizeof path, "%s/bc7_block/reserved.bin", dir);
    rc |= write_bytes(path, reserved, sizeof reserved);

    /* Mip chains: full (24x10: 5 levels), shorter than full (13x7: 3 of 4), 1x1; premultiplied and sRGB. */
    rc |= chain_seed(dir, "mips_24x10.dds", TT_CONTAINER_DDS, 0, 24, 10, 5, 0, 0);
    rc |= chain_seed(dir, "mips_13x7_srgb_premul.dds", TT_CONTAINER_DDS, 0, 13, 7, 3, 1, 1);
    rc |= chain_seed(dir, "mips_24x10.ktx2", TT_CONTAINER_KTX2, 0, 24, 10, 5, 0, 0);
    rc |= chain_seed(dir, "mips_13x7_srgb_premul.ktx2", TT_CONTAINER_KTX2, 0, 13, 7, 3, 1, 1);
    rc |= chain_seed(dir, "mips_24x10_zstd3.ktx2", TT_CONTAINER_KTX2, 3, 24, 10, 5, 0, 0);
    rc |= chain_seed(dir, "mips_13x7_srgb_premul_zstd19.ktx2", TT_CONTAINER_KTX2, 19, 13, 7, 3, 1, 1);
    rc |= chain_seed(dir, "mips_1x1_zstd1.ktx2", TT_CONTAINER_KTX2, 1, 1, 1, 1, 0, 0);
    return rc;
}
