/* example.c - libtinytex as an installed library: BC7 to KTX2 and back with PSNR, then a .tnx model decoded on the GPU. */
#include <stdio.h>
#include <tinytex.h>

/* Prints the failed step with the library's detail message; returns the exit status. */
static int fail(const char *step, tt_status st)
{
    fprintf(stderr, "example: %s: %s (%s)\n", step, tt_status_str(st), tt_last_error());
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: example IMAGE OUT.ktx2 MODEL.tnx\n");
        return 2;
    }
    const char *image_path = argv[1], *ktx2_path = argv[2], *model_path = argv[3];
    tt_context *ctx = NULL;
    tt_image img = {0}, decoded = {0}, rebuilt = {0}, reference = {0};
    tt_texture tex = {0}, loaded = {0};
    tt_model *model = NULL;
    tt_device_info dev;
    tt_metrics m;
    tt_model_info mi;
    double gpu_ms = -1;
    int rc = 1;
    tt_status st;

    if ((st = tt_context_create(NULL, &ctx)) != TT_OK) { rc = fail("create a context", st); goto cleanup; }
    if ((st = tt_context_device(ctx, &dev)) != TT_OK) { rc = fail("query the device", st); goto cleanup; }
    printf("device: %s\n", dev.name);

    /* BC7: encode on the GPU, write KTX2, then measure what the file holds, not the encoder's memory. */
    if ((st = tt_image_load(image_path, NULL, &img)) != TT_OK) { rc = fail(image_path, st); goto cleanup; }
    tt_bc7_config bc7;
    tt_bc7_config_init(&bc7);
    if ((st = tt_bc7_encode(ctx, &img, &bc7, &tex, &gpu_ms)) != TT_OK) { rc = fail("BC7 encode", st); goto cleanup; }
    if ((st = tt_texture_save(ktx2_path, &tex)) != TT_OK) { rc = fail(ktx2_path, st); goto cleanup; }
    if ((st = tt_texture_load(ktx2_path, NULL, &loaded)) != TT_OK) { rc = fail(ktx2_path, st); goto cleanup; }
    if ((st = tt_texture_decode(&loaded, 0, &decoded)) != TT_OK) { rc = fail("BC7 decode", st); goto cleanup; }
    if ((st = tt_compare_images(&img, &decoded, &m)) != TT_OK) { rc = fail("compare", st); goto cleanup; }
    printf("bc7: %s %ux%u -> %s: %zu bytes of blocks, %u level(s), RGB PSNR %.2f dB", image_path, img.width,
           img.height, ktx2_path, loaded.data_size, loaded.level_count, m.psnr_rgb);
    if (gpu_ms >= 0) printf(", GPU %.2f ms", gpu_ms);
    printf("\n");

    /* Neural: decode the model on the GPU and check it against the C reference decoder. */
    if ((st = tt_model_load(model_path, &model)) != TT_OK) { rc = fail(model_path, st); goto cleanup; }
    if ((st = tt_model_get_info(model, &mi)) != TT_OK) { rc = fail(model_path, st); goto cleanup; }
    if ((st = tt_model_decode(ctx, model, &rebuilt, &gpu_ms)) != TT_OK) { rc = fail("model decode", st); goto cleanup; }
    if ((st = tt_model_decode_cpu(model, &reference)) != TT_OK) { rc = fail("model decode (CPU)", st); goto cleanup; }
    if ((st = tt_compare_images(&reference, &rebuilt, &m)) != TT_OK) { rc = fail("compare", st); goto cleanup; }
    printf("model: %s: %s, %ux%u, %u parameters, %zu bytes -> %ux%u image, RGB PSNR %.2f dB against the CPU "
           "decoder\n", model_path, mi.kind == TT_MODEL_HASH ? "hash grid" : "latent grid", mi.width, mi.height,
           mi.params, mi.file_bytes, rebuilt.width, rebuilt.height, m.psnr_rgb);
    rc = 0;

cleanup:
    tt_model_free(model);
    tt_image_free(&reference);
    tt_image_free(&rebuilt);
    tt_image_free(&decoded);
    tt_texture_free(&loaded);
    tt_texture_free(&tex);
    tt_image_free(&img);
    tt_context_destroy(ctx);
    return rc;
}
