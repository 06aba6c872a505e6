/* fuzz_ktx2.c - libFuzzer target: KTX2 reader, then BC7 decode and a write/read round trip (checks in fuzz_entry.h). */
#include "fuzz_entry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return tt_fuzz_ktx2(data, size);
}
