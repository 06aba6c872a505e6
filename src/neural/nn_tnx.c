/* nn_tnx.c - .tnx neural model container: chunked writer and a hostile-input-safe reader (docs/format.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "neural/tt_neural.h"
#include "core/tt_bytes.h"

static const uint8_t tnx_magic[8] = {'T', 'N', 'X', 0x89, '\r', '\n', 0x1A, '\n'};
#define TNX_HEADER_SIZE 32u

tt_status tt_tnx_encode(const tt_nn_model *m, const float *params, const tt_nn_save_opts *o, uint8_t **data, size_t *size)
{
    tt_nn_buf b = {0};
    tt_status s;
    tt_nn_precision prec = o && (o->precision == TT_NN_FP32 || o->precision == TT_NN_INT8) ? o->precision : TT_NN_FP16;
    uint8_t dec[24];
    uint32_t om;
    memcpy(&om, &m->dec.omega0, 4);
    tt_put_le32(dec, m->dec.hidden);
    tt_put_le32(dec + 4, m->dec.depth);
    tt_put_le32(dec + 8, (uint32_t)m->dec.act);
    tt_put_le32(dec + 12, om);
    tt_put_le32(dec + 16, m->enc_features);
    tt_put_le32(dec + 20, m->total);
    uint8_t header[TNX_HEADER_SIZE] = {0}; /* filled in at the end, when the chunks are counted */
    tt_bytes_put(&b.bytes, header, sizeof header);
    if ((s = tt_nn_buf_chunk(&b, TT_TNX_CHUNK_DECODER, dec, sizeof dec)) != TT_OK) goto fail;
    if ((s = m->enc->write_config(m, &b)) != TT_OK) goto fail;
    if (m->enc->write_params) {
        if ((s = m->enc->write_params(m, params, o, &b)) != TT_OK) goto fail;
        if ((s = tt_nn_buf_params(&b, params, m->dec_offset, m->dec_count, prec)) != TT_OK) goto fail;
    } else {
        if ((s = tt_nn_buf_params(&b, params, 0, m->total, prec)) != TT_OK) goto fail;
    }
    if ((s = tt_nn_buf_chunk(&b, TT_TNX_CHUNK_END, NULL, 0)) != TT_OK) goto fail;
    if (b.bytes.failed) {
        s = tt_fail(TT_ERR_NOMEM, ".tnx: out of memory");
        goto fail;
    }
    uint8_t *h = b.bytes.data;
    memcpy(h, tnx_magic, 8);
    h[8] = TT_TNX_VERSION & 0xFF;
    h[9] = TT_TNX_VERSION >> 8;
    h[10] = TNX_HEADER_SIZE & 0xFF;
    h[11] = 0;
    tt_put_le32(h + 12, (uint32_t)m->kind);
    tt_put_le32(h + 16, m->width);
    tt_put_le32(h + 20, m->height);
    tt_put_le32(h + 24, b.n_chunks);
    tt_put_le32(h + 28, tt_crc32(0, h, 28));
    *data = b.bytes.data;
    *size = b.bytes.size;
    return TT_OK;
fail:
    free(b.bytes.data);
    return s;
}

tt_status tt_tnx_save(const char *path, const tt_nn_model *m, const float *params, const tt_nn_save_opts *o)
{
    uint8_t *data;
    size_t size;
    tt_status s = tt_tnx_encode(m, params, o, &data, &size);
    if (s != TT_OK) return s;
    s = tt_write_file_atomic(path, data, size);
    free(data);
    return s;
}

/* Generic PARM chunk -> params, refusing overlaps and out-of-range ranges. */
static tt_status read_parm(const tt_nn_model *m, const tt_nn_chunk *c, float *params, uint8_t *filled, const char *name,
                           tt_nn_precision *prec)
{
    if (c->size < 16) return tt_fail(TT_ERR_FORMAT, "%s: PARM chunk too short", name);
    uint32_t first = tt_get_le32(c->data), count = tt_get_le32(c->data + 4), dtype = tt_get_le32(c->data + 8);
    if (dtype != TT_NN_FP16 && dtype != TT_NN_FP32 && dtype != TT_NN_INT8)
        return tt_fail(TT_ERR_FORMAT, "%s: PARM chunk has unknown type %u", name, dtype);
    if ((uint64_t)first + count > m->total)
        return tt_fail(TT_ERR_FORMAT, "%s: PARM range %u+%u exceeds the model's %u parameters", name, first, count, m->total);
    if (16 + tt_nn_parm_bytes((tt_nn_precision)dtype, count) != c->size)
        return tt_fail(TT_ERR_FORMAT, "%s: PARM chunk size %u does not match %u values", name, c->size, count);
    const uint8_t *p = c->data + 16;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t k = first + i;
        if (filled[k]) return tt_fail(TT_ERR_FORMAT, "%s: parameter %u stored twice", name, k);
        filled[k] = 1;
        float v;
        if (dtype == TT_NN_INT8) {
            uint32_t blocks = (count + TT_NN_INT8_BLOCK - 1) / TT_NN_INT8_BLOCK;
            v = tt_get_lef32(p + 4 * (size_t)(i / TT_NN_INT8_BLOCK)) * (float)(int8_t)p[4 * (size_t)blocks + i];
        } else if (dtype == TT_NN_FP16) v = tt_f16_to_f32((uint16_t)(p[2 * i] | p[2 * i + 1] << 8));
        else {
            uint32_t u = tt_get_le32(p + 4 * (size_t)i);
            memcpy(&v, &u, 4);
        }
        if (!isfinite(v)) return tt_fail(TT_ERR_FORMAT, "%s: parameter %u is not finite", name, k);
        params[k] = v;
    }
    if (first + count > m->dec_offset || first == m->dec_offset) *prec = (tt_nn_precision)dtype;
    return TT_OK;
}

/* No model tinytex trains comes near this (the large hash model has 322K);
 * it bounds what a hostile file can make the reader allocate (1 GiB). */
#define TT_TNX_MAX_PARAMS (1u << 28)

tt_status tt_tnx_decode(const uint8_t *data, size_t size, const char *name, tt_nn_model *m, float **params_out,
                        tt_tnx_info *info)
{
    tt_nn_chunk chunks[TT_TNX_MAX_CHUNKS];
    *params_out = NULL;
    memset(m, 0, sizeof *m);
    if (size < TNX_HEADER_SIZE || memcmp(data, tnx_magic, 8) != 0)
        return tt_fail(TT_ERR_FORMAT, "%s: not a .tnx file (bad signature)", name);
    if (tt_crc32(0, data, 28) != tt_get_le32(data + 28))
        return tt_fail(TT_ERR_CHECKSUM, "%s: header checksum mismatch (file corrupted)", name);
    uint32_t version = data[8] | (uint32_t)data[9] << 8;
    if (version != TT_TNX_VERSION) return tt_fail(TT_ERR_UNSUPPORTED, "%s: .tnx version %u is not supported (this build reads %d)", name, version, TT_TNX_VERSION);
    if (data[10] != TNX_HEADER_SIZE) return tt_fail(TT_ERR_FORMAT, "%s: bad header size %u", name, data[10]);
    uint32_t kind = tt_get_le32(data + 12), n = tt_get_le32(data + 24);
    if (n < 2 || n > TT_TNX_MAX_CHUNKS) return tt_fail(TT_ERR_FORMAT, "%s: chunk count %u out of range", name, n);
    size_t pos = TNX_HEADER_SIZE;
    for (uint32_t i = 0; i < n; i++) {
        if (size - pos < 12) return tt_fail(TT_ERR_FORMAT, "%s: truncated (chunk %u of %u missing)", name, i + 1, n);
        uint32_t type = tt_get_le32(data + pos), len = tt_get_le32(data + pos + 4);
        if ((uint64_t)len > size - pos - 12)
            return tt_fail(TT_ERR_FORMAT, "%s: truncated (chunk %u claims %u bytes, %zu left)", name, i + 1, len, size - pos - 12);
        uint32_t crc = tt_crc32(tt_crc32(0, data + pos, 4), data + pos + 8, len);
        if (crc != tt_get_le32(data + pos + 8 + len))
            return tt_fail(TT_ERR_CHECKSUM, "%s: checksum mismatch in chunk %u (file corrupted)", name, i + 1);
        chunks[i].type = type;
        chunks[i].size = len;
        chunks[i].data = data + pos + 8;
        pos += (size_t)len + 12;
        if (type == TT_TNX_CHUNK_END && i != n - 1) return tt_fail(TT_ERR_FORMAT, "%s: end chunk before the last chunk", name);
    }
    if (chunks[n - 1].type != TT_TNX_CHUNK_END) return tt_fail(TT_ERR_FORMAT, "%s: missing end chunk", name);
    if (pos != size) return tt_fail(TT_ERR_FORMAT, "%s: %zu unexpected bytes after the end chunk", name, size - pos);

    m->kind = (tt_nn_kind)kind;
    m->width = tt_get_le32(data + 16);
    m->height = tt_get_le32(data + 20);
    const tt_nn_encoder_ops *ops = tt_nn_encoder_for(m->kind);
    if (!ops) return tt_fail(TT_ERR_UNSUPPORTED, "%s: model kind %u is not supported by this build", name, kind);
    const tt_nn_chunk *dec = NULL;
    for (uint32_t i = 0; i < n; i++)
        if (chunks[i].type == TT_TNX_CHUNK_DECODER) dec = &chunks[i];
    if (!dec || dec->size < 24) return tt_fail(TT_ERR_FORMAT, "%s: missing or short decoder chunk", name);
    m->dec.hidden = tt_get_le32(dec->data);
    m->dec.depth = tt_get_le32(dec->data + 4);
    m->dec.act = (tt_nn_act)tt_get_le32(dec->data + 8);
    uint32_t om = tt_get_le32(dec->data + 12);
    memcpy(&m->dec.omega0, &om, 4);
    uint32_t want_features = tt_get_le32(dec->data + 16), want_total = tt_get_le32(dec->data + 20);
    tt_status s = ops->read_config(m, chunks, n, name);
    if (s != TT_OK) return s;
    s = tt_nn_model_build(m);
    if (s != TT_OK) {
        char why[256];
        snprintf(why, sizeof why, "%s", tt_last_error());
        return tt_fail(TT_ERR_FORMAT, "%s: invalid model (%s)", name, why);
    }
    if (m->enc_features != want_features || m->total != want_total)
        return tt_fail(TT_ERR_FORMAT, "%s: stored sizes (%u features, %u params) do not match the configuration (%u, %u)", name,
                       want_features, want_total, m->enc_features, m->total);
    /* Check before allocating that the file can hold every parameter: the
     * PARM chunks state their counts, and an encoder without its own storage
     * (read_params) must get all of them from PARM. */
    uint64_t supplied = 0;
    for (uint32_t i = 0; i < n; i++)
        if (chunks[i].type == TT_TNX_CHUNK_PARAMS && chunks[i].size >= 16) supplied += tt_get_le32(chunks[i].data + 4);
    if (!ops->read_params && supplied != m->total)
        return tt_fail(TT_ERR_FORMAT, "%s: the file stores %llu parameter values, the model has %u", name,
                       (unsigned long long)supplied, m->total);
    if (m->total > TT_TNX_MAX_PARAMS)
        return tt_fail(TT_ERR_LIMIT, "%s: %u parameters exceed the limit of %u", name, m->total, (unsigned)TT_TNX_MAX_PARAMS);
    float *params = malloc(sizeof(float) * m->total);
    uint8_t *filled = calloc(m->total, 1);
    if (!params || !filled) {
        free(params);
        free(filled);
        return tt_fail(TT_ERR_NOMEM, "%s: out of memory", name);
    }
    tt_nn_precision prec = TT_NN_FP16;
    for (uint32_t i = 0; i < n && s == TT_OK; i++)
        if (chunks[i].type == TT_TNX_CHUNK_PARAMS) s = read_parm(m, &chunks[i], params, filled, name, &prec);
    if (s == TT_OK && ops->read_params) s = ops->read_params(m, chunks, n, params, filled, name);
    for (uint32_t i = 0; s == TT_OK && i < m->total; i++)
        if (!filled[i]) s = tt_fail(TT_ERR_FORMAT, "%s: parameter %u is missing", name, i);
    free(filled);
    if (s != TT_OK) {
        free(params);
        tt_nn_model_release(m);
        return s;
    }
    if (info) {
        info->version = version;
        info->precision = prec;
        info->n_chunks = n;
        info->crc_ok = 1;
    }
    *params_out = params;
    return TT_OK;
}

tt_status tt_tnx_load(const char *path, tt_nn_model *m, float **params, tt_tnx_info *info)
{
    uint8_t *data;
    size_t size;
    tt_status s = tt_read_file(path, TT_TNX_MAX_FILE, &data, &size);
    if (s != TT_OK) return s;
    s = tt_tnx_decode(data, size, path, m, params, info);
    free(data);
    return s;
}
