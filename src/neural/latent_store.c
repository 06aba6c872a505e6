/* latent_store.c - the latent section of a .tnx file: grids as fp16 or uint8 planes, raw, coded as PNG/JPEG through stb, or range-coded QAT levels. */
#include "neural/latent.h"
#include "image/tt_image_check.h"
#include "core/tt_bytes.h"
#include "neural/entropy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <stb_image.h>
#include <stb_image_write.h>

/* 3: the entropy codec codes each channel under a context model (src/neural/entropy_plane.c); 2: under one Laplace
 * per channel; 1: with tables built by libm's exp, which differs between C libraries in the last bit. Sections of
 * the other codecs are the same in all three and read as before. */
#define SECTION_VERSION 3
#define HEADER_BYTES 8
#define MAX_IMAGES 16

void tt_latent_store_opts_init(tt_latent_store_opts *o)
{
    o->codec = TT_LATENT_CODEC_RAW;
    o->pack = TT_LATENT_PACK_TILES;
    o->jpeg_quality = 85;
    o->png_level = 9;
    o->step = 0;
}

const char *tt_latent_codec_name(tt_latent_codec c)
{
    switch (c) {
    case TT_LATENT_CODEC_RAW: return "raw";
    case TT_LATENT_CODEC_PNG: return "png";
    case TT_LATENT_CODEC_JPEG: return "jpeg";
    case TT_LATENT_CODEC_ENTROPY: return "entropy";
    }
    return "?";
}

const char *tt_latent_pack_name(tt_latent_pack p)
{
    return p == TT_LATENT_PACK_RGB ? "rgb" : "tiles";
}

/* ---- fields appended to the section (tt_bytes has le32 only) --------------- */
static void bb_u8(tt_bytes *b, uint8_t v) { tt_bytes_put(b, &v, 1); }
static void bb_le16(tt_bytes *b, uint16_t v)
{
    uint8_t t[2];
    tt_put_le16(t, v);
    tt_bytes_put(b, t, 2);
}
static void bb_lef32(tt_bytes *b, float f)
{
    uint8_t t[4];
    tt_put_lef32(t, f);
    tt_bytes_put(b, t, 4);
}

/* ---- plane layout of coded images ------------------------------------------
 * Every grid is cut into tiles: one per channel (TILES, grey) or one per
 * group of three channels (RGB). Tiles are padded to the codec's block size
 * by edge replication so a JPEG block never mixes two channels, laid out
 * ceil(sqrt(n)) per row, and the grids are stacked top to bottom in one image.
 * Unused area is mid-grey (flat blocks cost JPEG almost nothing). The layout
 * follows from (grid layout, codec, pack) alone, so it is not stored. */
typedef struct {
    uint32_t comps;                       /* 1 grey, 3 RGB */
    uint32_t width, height;               /* canvas */
    uint32_t tile_w[TT_LATENT_MAX_GRIDS], tile_h[TT_LATENT_MAX_GRIDS], cols[TT_LATENT_MAX_GRIDS];
    uint32_t tiles[TT_LATENT_MAX_GRIDS], y0[TT_LATENT_MAX_GRIDS];
} plane_layout;

static uint32_t round_up(uint32_t v, uint32_t m) { return (v + m - 1) / m * m; }

static tt_status plane_layout_make(const tt_latent_layout *l, tt_latent_codec codec, tt_latent_pack pack,
                                   plane_layout *pl)
{
    memset(pl, 0, sizeof(*pl));
    pl->comps = pack == TT_LATENT_PACK_RGB ? 3 : 1;
    /* JPEG codes 8x8 blocks; stb subsamples chroma 2x2 below quality 90, so
     * RGB tiles align to 16. */
    uint32_t align = codec == TT_LATENT_CODEC_JPEG ? (pl->comps == 3 ? 16 : 8) : 1;
    uint64_t y = 0, width = 0;
    for (uint32_t g = 0; g < l->n_grids; g++) {
        pl->tile_w[g] = round_up(l->w[g], align);
        pl->tile_h[g] = round_up(l->h[g], align);
        pl->tiles[g] = (l->ch[g] + pl->comps - 1) / pl->comps;
        uint32_t cols = (uint32_t)ceil(sqrt((double)pl->tiles[g]));
        if (cols < 1) cols = 1;
        pl->cols[g] = cols;
        uint32_t rows = (pl->tiles[g] + cols - 1) / cols;
        pl->y0[g] = (uint32_t)y;
        y += (uint64_t)rows * pl->tile_h[g];
        uint64_t wg = (uint64_t)cols * pl->tile_w[g];
        if (wg > width) width = wg;
    }
    if (width > 65500 || y > 65500)
        return tt_fail(TT_ERR_LIMIT, "latent: grids too large for a %s image (%llux%llu)",
                       codec == TT_LATENT_CODEC_JPEG ? "JPEG" : "PNG",
                       (unsigned long long)width, (unsigned long long)y);
    pl->width = (uint32_t)width;
    pl->height = (uint32_t)y;
    return TT_OK;
}

/* Canvas pixel holding (g, c, x, y) with x, y clamped to the grid (padding). */
static size_t plane_at(const tt_latent_layout *l, const plane_layout *pl, uint32_t g, uint32_t c, uint32_t tx, uint32_t ty)
{
    uint32_t tile = c / pl->comps, comp = c % pl->comps;
    uint32_t px = (tile % pl->cols[g]) * pl->tile_w[g] + tx;
    uint32_t py = pl->y0[g] + (tile / pl->cols[g]) * pl->tile_h[g] + ty;
    (void)l;
    return ((size_t)py * pl->width + px) * pl->comps + comp;
}

/* uint8 code of every value: q on the 2^bits-1 levels, stretched to 0..255. */
static void quantize_codes(const tt_latent_layout *l, const float *grid, int bits, const float *mn, const float *mx,
                           uint8_t *codes /* [feature][y][x] */)
{
    float levels = (float)((1u << bits) - 1u);
    size_t k = 0;
    for (uint32_t g = 0; g < l->n_grids; g++) {
        uint32_t C = l->ch[g];
        size_t cells = (size_t)l->w[g] * l->h[g];
        for (uint32_t c = 0; c < C; c++) {
            uint32_t f = tt_latent_feature_index(l, g, c);
            float range = tt_latent_qat_range(mn[f], mx[f]);
            for (size_t i = 0; i < cells; i++) {
                float q = tt_latent_qat_level(grid[l->offset[g] + i * C + c], mn[f], range, levels);
                if (q < 0) q = 0;
                if (q > levels) q = levels;
                codes[k++] = (uint8_t)floorf(q * 255.0f / levels + 0.5f);
            }
        }
    }
}

static float code_to_value(uint8_t b, int bits, float mn, float mx)
{
    float levels = (float)((1u << bits) - 1u);
    float q = floorf((float)b * levels / 255.0f + 0.5f);
    return tt_latent_qat_value(q, mn, tt_latent_qat_range(mn, mx), levels); /* as the QAT forward */
}

static tt_status encode_image(const tt_latent_layout *l, const uint8_t *codes, const tt_latent_store_opts *o,
                              tt_bytes *img)
{
    plane_layout pl;
    tt_status s = plane_layout_make(l, o->codec, o->pack, &pl);
    if (s != TT_OK) return s;
    size_t n = (size_t)pl.width * pl.height * pl.comps;
    uint8_t *canvas = malloc(n);
    if (!canvas) return tt_fail(TT_ERR_NOMEM, "latent: out of memory");
    memset(canvas, 128, n);
    size_t k = 0;
    for (uint32_t g = 0; g < l->n_grids; g++) {
        uint32_t W = l->w[g], H = l->h[g];
        for (uint32_t c = 0; c < l->ch[g]; c++) {
            const uint8_t *plane = codes + k;
            for (uint32_t ty = 0; ty < pl.tile_h[g]; ty++)
                for (uint32_t tx = 0; tx < pl.tile_w[g]; tx++) {
                    uint32_t sx = tx < W ? tx : W - 1, sy = ty < H ? ty : H - 1;
                    canvas[plane_at(l, &pl, g, c, tx, ty)] = plane[(size_t)sy * W + sx];
                }
            k += (size_t)W * H;
        }
    }
    int ok;
    if (o->codec == TT_LATENT_CODEC_PNG) {
        int saved = stbi_write_png_compression_level;
        stbi_write_png_compression_level = o->png_level;
        ok = stbi_write_png_to_func(tt_bytes_stb_append, img, (int)pl.width, (int)pl.height, (int)pl.comps, canvas,
                                    (int)(pl.width * pl.comps));
        stbi_write_png_compression_level = saved;
    } else {
        ok = stbi_write_jpg_to_func(tt_bytes_stb_append, img, (int)pl.width, (int)pl.height, (int)pl.comps, canvas,
                                    o->jpeg_quality);
    }
    free(canvas);
    if (!ok || img->failed)
        return tt_fail(TT_ERR_NOMEM, "latent: stb_image_write could not code the latent planes");
    return TT_OK;
}

/* ---- entropy codec ------------------------------------------------------------
 * The "image" of the section: per feature its plane model (TT_EC_PLANE_PARAM_BYTES: centre, prediction weights,
 * alphabet, scales per context bucket; src/neural/entropy_plane.c), then one range-coded stream of every feature's
 * levels, feature by feature in raster order, each under its context model; a channel's context includes the
 * previous channel of its grid. */
typedef struct {
    int32_t *cur, *prev;          /* this feature's levels; the previous channel of the grid minus its centre */
    tt_ec_plane_tables *tables;
} plane_scratch;

static tt_status plane_scratch_init(plane_scratch *p, const tt_latent_layout *l)
{
    size_t most = 0;
    for (uint32_t g = 0; g < l->n_grids; g++)
        if ((size_t)l->w[g] * l->h[g] > most) most = (size_t)l->w[g] * l->h[g];
    p->cur = malloc(sizeof(int32_t) * (most ? most : 1));
    p->prev = malloc(sizeof(int32_t) * (most ? most : 1));
    p->tables = malloc(sizeof *p->tables);
    return p->cur && p->prev && p->tables ? TT_OK : tt_fail(TT_ERR_NOMEM, "latent: out of memory");
}

static void plane_scratch_free(plane_scratch *p)
{
    free(p->cur);
    free(p->prev);
    free(p->tables);
}

/* Keeps channel c of a grid as the context of channel c + 1. */
static void plane_keep(plane_scratch *p, const tt_ec_plane_params *par, size_t cells)
{
    for (size_t i = 0; i < cells; i++) p->prev[i] = p->cur[i] - par->center;
}

static tt_status encode_entropy(const tt_latent_layout *l, const float *grid, int bits, const float *mn,
                                const float *mx, tt_bytes *out)
{
    float levels = (float)((1u << bits) - 1u);
    plane_scratch ps;
    tt_status s = plane_scratch_init(&ps, l);
    size_t models_at = out->size;
    uint8_t zero[TT_EC_PLANE_PARAM_BYTES] = {0};
    for (uint32_t f = 0; f < l->features; f++) tt_bytes_put(out, zero, sizeof zero); /* filled in below */
    tt_ec_encoder e;
    tt_ec_encoder_init(&e);
    for (uint32_t g = 0; s == TT_OK && g < l->n_grids; g++)
        for (uint32_t c = 0; s == TT_OK && c < l->ch[g]; c++) {
            uint32_t f = tt_latent_feature_index(l, g, c);
            float range = tt_latent_qat_range(mn[f], mx[f]);
            size_t cells = (size_t)l->w[g] * l->h[g];
            for (size_t i = 0; i < cells; i++) {
                float q = tt_latent_qat_level(grid[l->offset[g] + i * l->ch[g] + c], mn[f], range, levels);
                ps.cur[i] = (int32_t)(q < 0 ? 0 : q > levels ? levels : q);
            }
            const int32_t *prev = c > 0 ? ps.prev : NULL;
            tt_ec_plane_params par;
            s = tt_ec_plane_fit(ps.cur, prev, l->w[g], l->h[g], &par);
            if (s == TT_OK) s = tt_ec_plane_tables_build(ps.tables, &par, "latent");
            if (s != TT_OK) break;
            if (!out->failed) tt_ec_plane_params_put(&par, out->data + models_at + (size_t)f * TT_EC_PLANE_PARAM_BYTES);
            tt_ec_plane_encode(&e, &par, ps.tables, ps.cur, prev, l->w[g], l->h[g]);
            plane_keep(&ps, &par, cells);
        }
    uint8_t *stream = NULL;
    size_t n = 0;
    if (s == TT_OK) s = tt_ec_encoder_finish(&e, &stream, &n);
    else tt_ec_encoder_release(&e);
    if (s == TT_OK) tt_bytes_put(out, stream, n);
    free(stream);
    plane_scratch_free(&ps);
    return s;
}

static tt_status decode_entropy(const tt_latent_layout *l, const uint8_t *img, uint32_t len, int bits,
                                const float *mn, const float *mx, const char *name, float *grid)
{
    if (len / TT_EC_PLANE_PARAM_BYTES < l->features)
        return tt_fail(TT_ERR_FORMAT, "%s: entropy-coded latents truncated (channel models)", name);
    int32_t top = (int32_t)((1u << bits) - 1u);
    float levels = (float)top;
    plane_scratch ps;
    tt_status s = plane_scratch_init(&ps, l);
    size_t models = (size_t)l->features * TT_EC_PLANE_PARAM_BYTES;
    tt_ec_decoder d;
    if (s == TT_OK) s = tt_ec_decoder_init(&d, img + models, len - models, name);
    for (uint32_t g = 0; s == TT_OK && g < l->n_grids; g++)
        for (uint32_t c = 0; s == TT_OK && c < l->ch[g]; c++) {
            uint32_t f = tt_latent_feature_index(l, g, c);
            tt_ec_plane_params par;
            tt_ec_plane_params_get(img + (size_t)f * TT_EC_PLANE_PARAM_BYTES, &par);
            s = tt_ec_plane_tables_build(ps.tables, &par, name);
            const int32_t *prev = c > 0 ? ps.prev : NULL;
            if (s == TT_OK) s = tt_ec_plane_decode(&d, &par, ps.tables, ps.cur, prev, l->w[g], l->h[g], 0, top, name);
            if (s != TT_OK) break;
            float range = tt_latent_qat_range(mn[f], mx[f]);
            size_t cells = (size_t)l->w[g] * l->h[g];
            for (size_t i = 0; i < cells; i++)
                grid[l->offset[g] + i * l->ch[g] + c] = tt_latent_qat_value((float)ps.cur[i], mn[f], range, levels);
            plane_keep(&ps, &par, cells);
        }
    if (s == TT_OK) s = tt_ec_decoder_finish(&d, name);
    plane_scratch_free(&ps);
    return s;
}

tt_status tt_latent_store(const tt_latent_layout *l, const float *grid, int qat_bits,
                          const tt_latent_store_opts *o, uint8_t **out, size_t *out_size)
{
    *out = NULL;
    *out_size = 0;
    if (qat_bits < 0 || qat_bits > 8)
        return tt_fail(TT_ERR_INVALID_ARG, "latent: --qat-bits must be 0..8");
    if (o->codec == TT_LATENT_CODEC_JPEG && (o->jpeg_quality < 1 || o->jpeg_quality > 100))
        return tt_fail(TT_ERR_INVALID_ARG, "latent: --jpeg-quality must be 1..100");
    int bits = qat_bits;
    if (bits == 0 && o->codec != TT_LATENT_CODEC_RAW) bits = 8; /* images hold 8-bit codes */
    if ((unsigned)o->codec > TT_LATENT_CODEC_LAST) return tt_fail(TT_ERR_INVALID_ARG, "latent: unknown codec %d", (int)o->codec);
    tt_latent_pack pack = o->codec == TT_LATENT_CODEC_RAW || o->codec == TT_LATENT_CODEC_ENTROPY ? TT_LATENT_PACK_TILES
                                                                                                : o->pack;

    tt_bytes b = {0};
    bb_u8(&b, SECTION_VERSION);
    bb_u8(&b, (uint8_t)o->codec);
    bb_u8(&b, (uint8_t)pack);
    bb_u8(&b, (uint8_t)bits);
    bb_le16(&b, (uint16_t)l->features);
    bb_le16(&b, 0);
    tt_status s = TT_OK;
    if (bits == 0) {
        /* fp16 planes [feature][y][x] */
        tt_bytes_put_le32(&b, 1);
        tt_bytes_put_le32(&b, l->total * 2u);
        for (uint32_t g = 0; g < l->n_grids; g++)
            for (uint32_t c = 0; c < l->ch[g]; c++)
                for (size_t i = 0; i < (size_t)l->w[g] * l->h[g]; i++)
                    bb_le16(&b, tt_f32_to_f16(grid[l->offset[g] + i * l->ch[g] + c]));
    } else {
        float mn[TT_LATENT_MAX_FEATURES], mx[TT_LATENT_MAX_FEATURES];
        if (o->step > 0) {
            float lo, range;
            tt_latent_step_window(bits, o->step, &lo, &range);
            for (uint32_t f = 0; f < l->features; f++) { mn[f] = lo; mx[f] = lo + range; }
        } else {
            tt_latent_channel_minmax(l, grid, mn, mx);
        }
        for (uint32_t f = 0; f < l->features; f++) {
            bb_lef32(&b, mn[f]);
            bb_lef32(&b, mx[f]);
        }
        uint8_t *codes = malloc(l->total);
        if (!codes) { free(b.data); return tt_fail(TT_ERR_NOMEM, "latent: out of memory"); }
        quantize_codes(l, grid, bits, mn, mx, codes);
        tt_bytes_put_le32(&b, 1);
        if (o->codec == TT_LATENT_CODEC_RAW) {
            tt_bytes_put_le32(&b, l->total);
            tt_bytes_put(&b, codes, l->total);
        } else if (o->codec == TT_LATENT_CODEC_ENTROPY) {
            tt_bytes img = {0};
            s = encode_entropy(l, grid, bits, mn, mx, &img);
            if (s == TT_OK && img.failed) s = tt_fail(TT_ERR_NOMEM, "latent: out of memory");
            if (s == TT_OK && img.size > UINT32_MAX) s = tt_fail(TT_ERR_LIMIT, "latent: coded grids too large");
            if (s == TT_OK) {
                tt_bytes_put_le32(&b, (uint32_t)img.size);
                tt_bytes_put(&b, img.data, img.size);
            }
            free(img.data);
        } else {
            tt_bytes img = {0};
            tt_latent_store_opts o2 = *o;
            o2.pack = pack;
            s = encode_image(l, codes, &o2, &img);
            if (s == TT_OK) {
                tt_bytes_put_le32(&b, (uint32_t)img.size);
                tt_bytes_put(&b, img.data, img.size);
            }
            free(img.data);
        }
        free(codes);
    }
    if (s == TT_OK && b.failed) s = tt_fail(TT_ERR_NOMEM, "latent: out of memory");
    if (s != TT_OK) { free(b.data); return s; }
    *out = b.data;
    *out_size = b.size;
    return TT_OK;
}

/* Validates the fixed part; returns the offset of the image list. */
static tt_status parse_header(const uint8_t *data, size_t size, const char *name, tt_latent_section_info *info,
                              uint32_t *features, size_t *images_at)
{
    if (size < HEADER_BYTES)
        return tt_fail(TT_ERR_FORMAT, "%s: latent section truncated (%zu bytes)", name, size);
    if (data[0] < 1 || data[0] > SECTION_VERSION)
        return tt_fail(TT_ERR_UNSUPPORTED, "%s: latent section version %u (this build reads 1 to %d)", name, data[0],
                       SECTION_VERSION);
    if (data[0] < SECTION_VERSION && data[1] == TT_LATENT_CODEC_ENTROPY)
        return tt_fail(TT_ERR_UNSUPPORTED, "%s: entropy-coded latents of an earlier tinytex (section version %u, "
                                           "coded without the context model); encode the image again", name, data[0]);
    if (data[1] > TT_LATENT_CODEC_LAST)
        return tt_fail(TT_ERR_FORMAT, "%s: unknown latent codec %u", name, data[1]);
    if (data[2] > TT_LATENT_PACK_RGB)
        return tt_fail(TT_ERR_FORMAT, "%s: unknown latent packing %u", name, data[2]);
    if (data[3] > 8)
        return tt_fail(TT_ERR_FORMAT, "%s: latent bits %u out of range", name, data[3]);
    if (data[3] == 0 && data[1] != TT_LATENT_CODEC_RAW)
        return tt_fail(TT_ERR_FORMAT, "%s: fp16 latents can only be stored raw", name);
    info->codec = (tt_latent_codec)data[1];
    info->pack = (tt_latent_pack)data[2];
    info->bits = data[3];
    *features = data[4] | (uint32_t)data[5] << 8;
    size_t at = HEADER_BYTES;
    if (info->bits > 0) {
        if ((size - at) / 8 < *features)
            return tt_fail(TT_ERR_FORMAT, "%s: latent section truncated (channel ranges)", name);
        at += (size_t)*features * 8;
    }
    if (size - at < 4)
        return tt_fail(TT_ERR_FORMAT, "%s: latent section truncated (image count)", name);
    uint32_t n = tt_get_le32(data + at);
    if (n == 0 || n > MAX_IMAGES)
        return tt_fail(TT_ERR_FORMAT, "%s: latent section has %u images", name, n);
    info->n_images = n;
    info->image_bytes = 0;
    size_t p = at + 4;
    for (uint32_t i = 0; i < n; i++) {
        if (size - p < 4)
            return tt_fail(TT_ERR_FORMAT, "%s: latent section truncated (image %u)", name, i);
        uint32_t len = tt_get_le32(data + p);
        p += 4;
        if (size - p < len)
            return tt_fail(TT_ERR_FORMAT, "%s: latent image %u claims %u bytes, %zu left", name, i, len, size - p);
        p += len;
        info->image_bytes += len;
    }
    if (p != size)
        return tt_fail(TT_ERR_FORMAT, "%s: %zu stray bytes after the latent images", name, size - p);
    *images_at = at;
    return TT_OK;
}

tt_status tt_latent_section_describe(const uint8_t *data, size_t size, const char *name, tt_latent_section_info *out)
{
    uint32_t features = 0;
    size_t at = 0;
    return parse_header(data, size, name, out, &features, &at);
}

tt_status tt_latent_load(const tt_latent_layout *l, const uint8_t *data, size_t size, const char *name, float *grid)
{
    tt_latent_section_info info;
    memset(&info, 0, sizeof info);
    uint32_t features = 0;
    size_t at = 0;
    tt_status s = parse_header(data, size, name, &info, &features, &at);
    if (s != TT_OK) return s;
    if (features != l->features)
        return tt_fail(TT_ERR_FORMAT, "%s: latent section has %u channels, the model %u", name, features, l->features);
    if (info.n_images != 1)
        return tt_fail(TT_ERR_FORMAT, "%s: latent section has %u images, expected 1", name, info.n_images);
    float mn[TT_LATENT_MAX_FEATURES] = {0}, mx[TT_LATENT_MAX_FEATURES] = {0};
    if (info.bits > 0)
        for (uint32_t f = 0; f < features; f++) {
            mn[f] = tt_get_lef32(data + HEADER_BYTES + 8 * f);
            mx[f] = tt_get_lef32(data + HEADER_BYTES + 8 * f + 4);
            if (!isfinite(mn[f]) || !isfinite(mx[f]) || mx[f] < mn[f])
                return tt_fail(TT_ERR_FORMAT, "%s: latent channel %u has a bad range", name, f);
        }
    const uint8_t *img = data + at + 8;
    uint32_t len = tt_get_le32(data + at + 4);

    if (info.bits == 0) {
        if (len != (uint64_t)l->total * 2)
            return tt_fail(TT_ERR_FORMAT, "%s: fp16 latents hold %u bytes, expected %llu", name, len,
                           (unsigned long long)l->total * 2);
        size_t k = 0;
        for (uint32_t g = 0; g < l->n_grids; g++)
            for (uint32_t c = 0; c < l->ch[g]; c++)
                for (size_t i = 0; i < (size_t)l->w[g] * l->h[g]; i++, k++) {
                    float v = tt_f16_to_f32((uint16_t)(img[2 * k] | img[2 * k + 1] << 8));
                    if (!isfinite(v))
                        return tt_fail(TT_ERR_FORMAT, "%s: latent value %zu is not finite", name, k);
                    grid[l->offset[g] + i * l->ch[g] + c] = v;
                }
        return TT_OK;
    }

    if (info.codec == TT_LATENT_CODEC_RAW) {
        if (len != l->total)
            return tt_fail(TT_ERR_FORMAT, "%s: uint8 latents hold %u bytes, expected %u", name, len, l->total);
        size_t k = 0;
        for (uint32_t g = 0; g < l->n_grids; g++)
            for (uint32_t c = 0; c < l->ch[g]; c++) {
                uint32_t f = tt_latent_feature_index(l, g, c);
                for (size_t i = 0; i < (size_t)l->w[g] * l->h[g]; i++, k++)
                    grid[l->offset[g] + i * l->ch[g] + c] = code_to_value(img[k], info.bits, mn[f], mx[f]);
            }
        return TT_OK;
    }

    if (info.codec == TT_LATENT_CODEC_ENTROPY) return decode_entropy(l, img, len, info.bits, mn, mx, name, grid);

    plane_layout pl;
    s = plane_layout_make(l, info.codec, info.pack, &pl);
    if (s != TT_OK) return s;
    int iw, ih, ic;
    /* stb sizes buffers from PNG chunk lengths before checking the data is
     * there: validate the chunk structure first (a hostile plane must not
     * make us allocate gigabytes). */
    if (info.codec == TT_LATENT_CODEC_PNG) {
        s = tt_png_check_chunks(img, len, name);
        if (s != TT_OK) return s;
    }
    if (!stbi_info_from_memory(img, (int)len, &iw, &ih, &ic))
        return tt_fail(TT_ERR_FORMAT, "%s: latent image is not readable (%s)", name, stbi_failure_reason());
    if ((uint32_t)iw != pl.width || (uint32_t)ih != pl.height)
        return tt_fail(TT_ERR_FORMAT, "%s: latent image is %dx%d, the model needs %ux%u", name, iw, ih, pl.width, pl.height);
    uint8_t *canvas = stbi_load_from_memory(img, (int)len, &iw, &ih, &ic, (int)pl.comps);
    if (!canvas)
        return tt_fail(TT_ERR_FORMAT, "%s: latent image does not decode (%s)", name, stbi_failure_reason());
    for (uint32_t g = 0; g < l->n_grids; g++)
        for (uint32_t c = 0; c < l->ch[g]; c++) {
            uint32_t f = tt_latent_feature_index(l, g, c);
            for (uint32_t y = 0; y < l->h[g]; y++)
                for (uint32_t x = 0; x < l->w[g]; x++)
                    grid[l->offset[g] + ((size_t)y * l->w[g] + x) * l->ch[g] + c] =
                        code_to_value(canvas[plane_at(l, &pl, g, c, x, y)], info.bits, mn[f], mx[f]);
        }
    stbi_image_free(canvas);
    return TT_OK;
}

tt_status tt_latent_preview(const tt_latent_layout *l, const float *grid, uint32_t min_size, tt_image *out)
{
    uint32_t W = l->w[0], H = l->h[0], C = l->ch[0];
    uint32_t f = 1;
    while (W * f < min_size && f < 64) f++;
    tt_status s = tt_image_alloc(out, W * f, H * f);
    if (s != TT_OK) return s;
    float mn[TT_LATENT_MAX_FEATURES], mx[TT_LATENT_MAX_FEATURES];
    tt_latent_channel_minmax(l, grid, mn, mx);
    for (uint32_t y = 0; y < H * f; y++)
        for (uint32_t x = 0; x < W * f; x++) {
            uint8_t *px = out->rgba + ((size_t)y * W * f + x) * 4;
            const float *cell = grid + ((size_t)(y / f) * W + x / f) * C;
            for (uint32_t k = 0; k < 3; k++) {
                float v = 0.5f;
                if (k < C) {
                    float r = mx[k] - mn[k];
                    v = r > TT_LATENT_MIN_RANGE ? (cell[k] - mn[k]) / r : 0.5f;
                }
                px[k] = (uint8_t)floorf(v * 255.0f + 0.5f);
            }
            px[3] = 255;
        }
    return TT_OK;
}
