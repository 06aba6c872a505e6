/* fuzz_tnx.c - libFuzzer target: .tnx neural model reader (hash and latent, raw/PNG/JPEG planes and range-coded levels: seed corpus/tnx/cli_latent_entropy_q5.tnx), raw and with CRCs fixed (checks in fuzz_entry.h). */
#include "fuzz_entry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return tt_fuzz_tnx(data, size);
}
