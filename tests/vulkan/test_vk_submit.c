/* test_vk_submit.c - submissions that overlap (tt_vk_submit_async): order, memory dependencies, waits and GPU time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tt_test.h"
#include "vk/tt_vk.h"

#define WORDS (1u << 16)

/* A chain of copies X -> Y, each followed by a fill of X, spread over several submissions of which all but the
 * last are asynchronous. Every copy must see the previous one's result and no fill may overtake a copy that reads
 * its buffer, across submission boundaries: the final buffer then holds the pattern uploaded first. */
static void test_chain(tt_vk *vk, int rounds, int per_submission)
{
    uint32_t *pattern = malloc(WORDS * 4), *back = malloc(WORDS * 4);
    tt_vk_buffer buf[2];
    if (!pattern || !back || tt_vk_buffer_create(vk, WORDS * 4, TT_MEM_DEVICE, &buf[0]) != TT_OK ||
        tt_vk_buffer_create(vk, WORDS * 4, TT_MEM_DEVICE, &buf[1]) != TT_OK) {
        fprintf(stderr, "setup: %s\n", tt_last_error());
        exit(1);
    }
    for (uint32_t i = 0; i < WORDS; i++) pattern[i] = i * 2654435761u + (uint32_t)rounds;
    CHECK(tt_vk_upload(vk, &buf[0], 0, pattern, WORDS * 4) == TT_OK);
    CHECK(tt_vk_begin(vk) == TT_OK);
    for (int r = 0; r < rounds; r++) {
        tt_vk_buffer *src = &buf[r & 1], *dst = &buf[(r & 1) ^ 1];
        tt_vk_copy(vk, src, 0, dst, 0, WORDS * 4);
        tt_vk_barrier(vk);
        tt_vk_fill_cmd(vk, src, 0xDEADBEEFu);
        tt_vk_barrier(vk);
        if (r + 1 < rounds && (r + 1) % per_submission == 0) {
            CHECK(tt_vk_submit_async(vk) == TT_OK);
            CHECK(tt_vk_begin(vk) == TT_OK);
        }
    }
    double ms = -2;
    CHECK(tt_vk_submit(vk, &ms) == TT_OK);
    if (tt_vk_get_caps(vk)->timestamp_period > 0) CHECK_MSG(ms >= 0, "gpu ms %g", ms);
    else CHECK(ms == -1);
    CHECK(tt_vk_download(vk, &buf[rounds & 1], 0, back, WORDS * 4) == TT_OK);
    CHECK_MSG(memcmp(back, pattern, WORDS * 4) == 0, "%d rounds, %d a submission: first word %08x, want %08x", rounds,
              per_submission, back[0], pattern[0]);
    CHECK(tt_vk_download(vk, &buf[(rounds & 1) ^ 1], 0, back, 4) == TT_OK);
    CHECK_EQ_INT(back[0], 0xDEADBEEFu);
    tt_vk_buffer_destroy(vk, &buf[0]);
    tt_vk_buffer_destroy(vk, &buf[1]);
    free(pattern);
    free(back);
}

int main(void)
{
    tt_vk *vk = NULL;
    if (tt_vk_create(-1, &vk) != TT_OK) {
        printf("skip: no Vulkan device (%s)\n", tt_last_error());
        return 77;
    }
    printf("device: %s\n", tt_vk_info(vk)->name);
    test_chain(vk, 1, 1);
    test_chain(vk, 7, 1);    // every submission but the last asynchronous: buffers reused while others run
    test_chain(vk, 12, 3);
    test_chain(vk, 9, 100);  // one submission
    /* Misuse is an error, not a crash; the device stays usable. */
    CHECK(tt_vk_submit_async(vk) != TT_OK);
    CHECK(tt_vk_submit(vk, NULL) != TT_OK);
    test_chain(vk, 5, 2);
    tt_vk_destroy(vk);
    TT_TEST_END();
}
