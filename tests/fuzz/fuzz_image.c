/* fuzz_image.c - libFuzzer target: stb_image loading behind tt_image_load_memory, with a 4096x4096 pixel cap (checks in fuzz_entry.h). */
#include "fuzz_entry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return tt_fuzz_image(data, size);
}
