/* nn_chunk.c - the .tnx chunk writer below the encoders: a chunk (type, size, payload, CRC) and a PARM chunk of parameters, appended to a tt_bytes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/tt_bytes.h"
#include "neural/tt_neural.h"

tt_status tt_nn_buf_chunk(tt_nn_buf *b, uint32_t type, const void *payload, size_t size)
{
    if (size > 0x7FFFFFFFu) return tt_fail(TT_ERR_LIMIT, ".tnx: chunk too large");
    if (b->n_chunks >= TT_TNX_MAX_CHUNKS) return tt_fail(TT_ERR_LIMIT, ".tnx: more than %d chunks", TT_TNX_MAX_CHUNKS);
    if (size + 12 > TT_TNX_MAX_FILE || b->bytes.size + size + 12 > TT_TNX_MAX_FILE)
        return tt_fail(TT_ERR_LIMIT, ".tnx: file would exceed 2 GiB");
    uint8_t head[8], tail[4];
    tt_put_le32(head, type);
    tt_put_le32(head + 4, (uint32_t)size);
    tt_put_le32(tail, tt_crc32(tt_crc32(0, head, 4), payload, size));
    tt_bytes_put(&b->bytes, head, sizeof head);
    tt_bytes_put(&b->bytes, payload, size);
    tt_bytes_put(&b->bytes, tail, sizeof tail);
    if (b->bytes.failed) return tt_fail(TT_ERR_NOMEM, ".tnx: out of memory");
    b->n_chunks++;
    return TT_OK;
}

tt_status tt_nn_buf_params(tt_nn_buf *b, const float *params, uint32_t first, uint32_t count, tt_nn_precision prec)
{
    size_t size = 16 + (size_t)tt_nn_parm_bytes(prec, count);
    uint8_t *p = malloc(size);
    if (!p) return tt_fail(TT_ERR_NOMEM, ".tnx: out of memory");
    tt_put_le32(p, first);
    tt_put_le32(p + 4, count);
    tt_put_le32(p + 8, (uint32_t)prec);
    tt_put_le32(p + 12, 0);
    if (prec == TT_NN_INT8) {
        /* the scales of every block, then the codes: round(v / scale), scale = the block's largest |v| / 127 */
        uint32_t blocks = (count + TT_NN_INT8_BLOCK - 1) / TT_NN_INT8_BLOCK;
        int8_t *codes = (int8_t *)(p + 16 + 4 * (size_t)blocks);
        for (uint32_t k = 0; k < blocks; k++) {
            uint32_t a = k * TT_NN_INT8_BLOCK, e = a + TT_NN_INT8_BLOCK < count ? a + TT_NN_INT8_BLOCK : count;
            float mx = 0;
            for (uint32_t i = a; i < e; i++) mx = fmaxf(mx, fabsf(params[first + i]));
            float sc = mx / 127.0f;
            tt_put_lef32(p + 16 + 4 * (size_t)k, sc);
            if (!isfinite(sc)) {
                free(p);
                return tt_fail(TT_ERR_INVALID_ARG, ".tnx: parameter magnitude %g too large for int8 storage", mx);
            }
            for (uint32_t i = a; i < e; i++) {
                float q = sc > 0 ? roundf(params[first + i] / sc) : 0.0f;
                codes[i] = (int8_t)(q > 127 ? 127 : q < -127 ? -127 : q);
            }
        }
    }
    for (uint32_t i = 0; i < count && prec != TT_NN_INT8; i++) {
        if (prec == TT_NN_FP16) tt_put_le16(p + 16 + 2 * (size_t)i, tt_f32_to_f16(params[first + i]));
        else tt_put_lef32(p + 16 + 4 * (size_t)i, params[first + i]);
    }
    tt_status s = tt_nn_buf_chunk(b, TT_TNX_CHUNK_PARAMS, p, size);
    free(p);
    return s;
}
