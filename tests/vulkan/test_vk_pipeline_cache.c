/* test_vk_pipeline_cache.c - the per-context pipeline cache: same key returns the built pipeline, a different key builds anew. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bc7/tt_bc7_gpu.h"
#include "tt_test.h"
#include "vk/tt_vk.h"

/* nn_adam takes five specialization constants, so keys can differ in their values only. */
static tt_vk_pipeline *adam(tt_vk *vk, uint32_t total, uint32_t push, uint32_t local_x)
{
    uint32_t spec[5] = {0, 0, 1, 1, total};
    tt_vk_pipeline *p = NULL;
    tt_status s = tt_vk_pipeline_create(vk, "nn_adam", 5, push, spec, 5, local_x, 1, 1, &p);
    CHECK_MSG(s == TT_OK, "%s", tt_last_error());
    return p;
}

static void test_keys(tt_vk *vk)
{
    uint32_t built0 = tt_vk_pipelines_built(vk);
    tt_vk_pipeline *a = adam(vk, 0, 48, 256);
    CHECK_EQ_INT(tt_vk_pipelines_built(vk), built0 + 1);
    tt_vk_pipeline *b = adam(vk, 0, 48, 256);
    CHECK(a && a == b);
    CHECK_EQ_INT(tt_vk_pipelines_built(vk), built0 + 1);
    /* Destroying is a release: the cached pipeline survives and is handed out again. */
    tt_vk_pipeline_destroy(vk, a);
    CHECK(adam(vk, 0, 48, 256) == a);
    CHECK_EQ_INT(tt_vk_pipelines_built(vk), built0 + 1);

    tt_vk_pipeline *c = adam(vk, 7, 48, 256);   /* another constant value */
    CHECK(c && c != a);
    CHECK_EQ_INT(tt_vk_pipelines_built(vk), built0 + 2);
    CHECK(adam(vk, 7, 48, 256) == c);
    tt_vk_pipeline *d = adam(vk, 0, 64, 256);   /* another push size */
    CHECK(d && d != a && d != c);
    tt_vk_pipeline *e = adam(vk, 0, 48, 128);   /* another workgroup size */
    CHECK(e && e != a && e != c && e != d);
    CHECK_EQ_INT(tt_vk_pipelines_built(vk), built0 + 4);

    /* Fewer constants is another key even where the values given agree. */
    uint32_t spec[5] = {0, 0, 1, 1, 0};
    tt_vk_pipeline *f = NULL;
    CHECK(tt_vk_pipeline_create(vk, "nn_adam", 5, 48, spec, 4, 256, 1, 1, &f) == TT_OK);
    CHECK(f && f != a);
    CHECK_EQ_INT(tt_vk_pipelines_built(vk), built0 + 5);

    /* A failed creation builds nothing and caches nothing. */
    tt_vk_pipeline *g = (tt_vk_pipeline *)&g;
    CHECK(tt_vk_pipeline_create(vk, "no_such_shader", 1, 0, NULL, 0, 64, 1, 1, &g) == TT_ERR_INVALID_ARG);
    CHECK(g == NULL);
    CHECK_EQ_INT(tt_vk_pipelines_built(vk), built0 + 5);
}

/* The cache is bounded: unused pipelines beyond 64 are evicted, least recently used first; one in use never is. */
static void test_bound(tt_vk *vk)
{
    tt_vk_pipeline *held = adam(vk, 1000, 48, 256);
    uint32_t built0 = tt_vk_pipelines_built(vk);
    for (uint32_t i = 0; i < 80; i++) tt_vk_pipeline_destroy(vk, adam(vk, 2000 + i, 48, 256));
    CHECK_EQ_INT(tt_vk_pipelines_built(vk), built0 + 80);
    CHECK(adam(vk, 1000, 48, 256) == held);          /* still cached */
    CHECK(adam(vk, 2079, 48, 256) != NULL);          /* the most recent: still cached */
    CHECK_EQ_INT(tt_vk_pipelines_built(vk), built0 + 80);
    tt_vk_pipeline_destroy(vk, adam(vk, 2000, 48, 256));   /* the oldest was evicted: built again */
    CHECK_EQ_INT(tt_vk_pipelines_built(vk), built0 + 81);
    tt_vk_pipeline_destroy(vk, held);
    tt_vk_pipeline_destroy(vk, held);
}

/* A cached pipeline still encodes: images encoded one after another on one context give the same blocks and
 * compile the BC7 encoder's 6 pipelines (bc7_gpu.c: classify, mode 6, the multi-subset and rotation families on a
 * CPU device, the sort before the final polish and the polish, one pipeline for its four lists there) once. */
static void test_encoder_reuse(tt_vk *vk)
{
    tt_image img = {0};
    CHECK(tt_image_alloc(&img, 37, 21) == TT_OK);
    if (!img.rgba) return;
    for (size_t i = 0; i < (size_t)37 * 21 * 4; i++) img.rgba[i] = (uint8_t)(i * 131u + (i >> 5) * 17u);
    tt_bc7_config cfg;
    tt_bc7_config_init(&cfg);
    size_t n = (size_t)10 * 6;
    tt_bc7_block *first = calloc(n, sizeof *first), *again = calloc(n, sizeof *again);
    CHECK(first && again);
    uint32_t built0 = tt_vk_pipelines_built(vk);
    for (int i = 0; first && again && i < 3; i++) {
        tt_status s = tt_bc7_encode_gpu(vk, &img, &cfg, i ? again : first, 1, NULL);
        CHECK_MSG(s == TT_OK, "%s", tt_last_error());
        if (i) CHECK(memcmp(first, again, n * sizeof *first) == 0);
    }
    CHECK_EQ_INT(tt_vk_pipelines_built(vk), built0 + 6);
    free(first);
    free(again);
    tt_image_free(&img);
}

int main(void)
{
    tt_vk *vk = NULL;
    if (tt_vk_create(-1, &vk) != TT_OK) {
        printf("skip: no Vulkan device (%s)\n", tt_last_error());
        return 77;
    }
    printf("device: %s\n", tt_vk_info(vk)->name);
    CHECK_EQ_INT(tt_vk_pipelines_built(vk), 0);
    test_keys(vk);
    test_encoder_reuse(vk);
    test_bound(vk);
    tt_vk_destroy(vk);
    TT_TEST_END();
}
