/* tt_test_tnx.h - finding and editing chunks of .tnx bytes in the container tests (docs/format.md: 32-byte header, then type, length, payload, CRC). */
#ifndef TT_TEST_TNX_H
#define TT_TEST_TNX_H
#include <stddef.h>
#include <stdint.h>
#include "core/tt_bytes.h"
#include "neural/latent.h"
#include "neural/tt_neural.h"

/* The container tests' plain latent file: grids raw (tiles), decoder in fp16. */
static inline tt_status tt_test_encode_raw(const tt_nn_model *m, const float *params, uint8_t **bytes, size_t *size)
{
    tt_nn_save_opts so = {.precision = TT_NN_FP16, .latent_codec = TT_LATENT_SAVE_OPT(TT_LATENT_CODEC_RAW, 0)};
    return tt_tnx_encode(m, params, &so, bytes, size);
}

/* Offset of the first chunk of `type`, or 0 when there is none. */
static inline size_t tt_test_find_chunk(const uint8_t *data, size_t size, uint32_t type)
{
    size_t pos = 32;
    while (pos + 12 <= size) {
        if (tt_get_le32(data + pos) == type) return pos;
        pos += 12 + tt_get_le32(data + pos + 4);
    }
    return 0;
}

/* Re-seals a chunk's CRC after editing its payload, so semantic checks (not the CRC) must refuse it. */
static inline void tt_test_reseal(uint8_t *data, size_t chunk_pos)
{
    uint32_t len = tt_get_le32(data + chunk_pos + 4);
    uint32_t crc = tt_crc32(tt_crc32(0, data + chunk_pos, 4), data + chunk_pos + 8, len);
    tt_put_le32(data + chunk_pos + 8 + len, crc);
}
#endif
