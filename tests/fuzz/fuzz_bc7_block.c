/* fuzz_bc7_block.c - libFuzzer target: one 16-byte BC7 block: decoder of all modes, mode-6 pack/unpack round trip (checks in fuzz_entry.h). */
#include "fuzz_entry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return tt_fuzz_bc7_block(data, size);
}
