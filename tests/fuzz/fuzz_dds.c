/* fuzz_dds.c - libFuzzer target: DDS reader, then BC7 decode and a write/read round trip (checks in fuzz_entry.h). */
#include "fuzz_entry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return tt_fuzz_dds(data, size);
}
