/* cli_info.c - `tinytex info`: describes a BC7 texture, a .tnx model or an image file. */
#include "cli.h"
#include "cli_load.h"
#include "bc7/tt_bc7.h"
#include "formats/tt_formats.h"
#include "image/tt_image_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stb_image.h>

int cmd_info(int argc, char **argv)
{
    cli_common c;
    cli_common_init(&c);
    int json = 0;
    cli_option opts[4] = {
        {"json", 0, OPT_FLAG, &json, NULL, "print JSON on stdout", NULL, 0, 0},
        {"help", 'h', OPT_FLAG, &c.help, NULL, "show this help", NULL, 0, 0},
    };
    const char *pos[1];
    int npos = 0;
    int rc = cli_parse(argc, argv, opts, pos, 1, &npos);
    if (rc != EXIT_OK) return rc;
    if (c.help) {
        cli_print_help(stdout, "tinytex info FILE [--json]",
                       "Describes a .dds/.ktx2 BC7 texture (size, format, mip levels with their sizes, bytes and BC7 modes,\n"
                       "array layers and cube faces, alpha mode, supercompression), a .tnx model, or an image (format,\n"
                       "size, channels, bit depth; decoded first, so a truncated or corrupt file is an error).", opts);
        return EXIT_OK;
    }
    if (npos != 1) { cli_error("info needs one file (usage: tinytex info FILE)"); return EXIT_USAGE; }
    const char *path = pos[0];
    cli_file_kind kind = cli_sniff(path);
    if (kind == CLI_FILE_TNX) return cli_info_tnx(path, json);
    if (kind == CLI_FILE_DDS || kind == CLI_FILE_KTX2) {
        /* Every image the header promises is checked to be in the file; the first one's blocks are counted. */
        tt_texture t;
        tt_texture_shape shape;
        tt_status st = cli_texture_load_pick(path, &(tt_texture_pick){0, 0}, &t, &shape);
        if (st != TT_OK) return cli_fail_status(st);
        const int several = shape.layers * (uint64_t)shape.faces > 1;
        /* Mode histograms, whole texture and per level: the lowest set bit of byte 0 is the mode. */
        size_t nblocks = t.data_size / 16, modes[9] = {0}, lmodes[TT_MAX_LEVELS][9];
        memset(lmodes, 0, sizeof lmodes);
        for (uint32_t l = 0; l < t.level_count; l++)
            for (size_t i = t.levels[l].offset / 16; i < (t.levels[l].offset + t.levels[l].size) / 16; i++) {
                uint8_t b0 = t.data[16 * i];
                int mode = 8;
                for (int k = 0; k < 8; k++) if (b0 & (1u << k)) { mode = k; break; }
                modes[mode]++;
                lmodes[l][mode]++;
            }
        long long bytes = cli_file_size(path);
        const char *alpha_mode = t.premultiplied ? "premultiplied" : "straight";
        if (json) {
            cJSON *r = cli_report_new("info");
            cJSON_AddStringToObject(r, "file", path);
            cJSON_AddStringToObject(r, "container", kind == CLI_FILE_DDS ? "dds" : "ktx2");
            cJSON_AddStringToObject(r, "format", t.srgb ? "BC7_UNORM_SRGB" : "BC7_UNORM");
            cJSON_AddNumberToObject(r, "width", t.width);
            cJSON_AddNumberToObject(r, "height", t.height);
            cJSON_AddNumberToObject(r, "blocks", (double)nblocks);
            cJSON_AddNumberToObject(r, "file_bytes", (double)bytes);
            cJSON_AddNumberToObject(r, "mip_levels", t.level_count);
            cJSON_AddNumberToObject(r, "layers", shape.layers);
            cJSON_AddNumberToObject(r, "faces", shape.faces);
            if (several) cJSON_AddStringToObject(r, "blocks_of", "layer 0, face 0");
            cJSON_AddStringToObject(r, "alpha_mode", alpha_mode);
            cJSON_AddStringToObject(r, "supercompression", t.supercompression == 2 ? "zstd" : "none");
            cJSON *mh = cJSON_AddArrayToObject(r, "mode_blocks");
            for (int k = 0; k < 9; k++) cJSON_AddItemToArray(mh, cJSON_CreateNumber((double)modes[k]));
            cJSON *ls = cJSON_AddArrayToObject(r, "levels");
            for (uint32_t l = 0; l < t.level_count; l++) {
                cJSON *o = cJSON_CreateObject();
                cJSON_AddNumberToObject(o, "level", l);
                cJSON_AddNumberToObject(o, "width", t.levels[l].width);
                cJSON_AddNumberToObject(o, "height", t.levels[l].height);
                cJSON_AddNumberToObject(o, "bytes", (double)t.levels[l].size);
                cJSON *lm = cJSON_AddArrayToObject(o, "mode_blocks");
                for (int k = 0; k < 9; k++) cJSON_AddItemToArray(lm, cJSON_CreateNumber((double)lmodes[l][k]));
                cJSON_AddItemToArray(ls, o);
            }
            rc = cli_report_write("-", r);
            cJSON_Delete(r);
        } else {
            char images[96] = "";
            if (shape.faces == 6)
                snprintf(images, sizeof images, ", cube map: %u layer%s of 6 faces", shape.layers,
                         shape.layers == 1 ? "" : "s");
            else if (shape.layers > 1)
                snprintf(images, sizeof images, ", array of %u layers", shape.layers);
            printf("%s: %s, BC7%s, %ux%u, %u mip level%s%s, %zu blocks%s, %lld bytes%s%s\n  blocks per mode%s:", path,
                   kind == CLI_FILE_DDS ? "DDS (DX10)" : "KTX2", t.srgb ? " sRGB" : " UNORM", t.width, t.height,
                   t.level_count, t.level_count == 1 ? "" : "s", images, nblocks, several ? " an image" : "", bytes,
                   t.premultiplied ? ", premultiplied alpha" : "", t.supercompression == 2 ? ", Zstandard" : "",
                   several ? " (layer 0, face 0)" : "");
            for (int k = 0; k < 8; k++) if (modes[k]) printf(" mode %d: %zu", k, modes[k]);
            if (modes[8]) printf(" reserved: %zu", modes[8]);
            printf("\n");
            if (t.level_count > 1)
                for (uint32_t l = 0; l < t.level_count; l++) {
                    printf("  level %2u: %5ux%-5u %9zu bytes, modes:", l, t.levels[l].width, t.levels[l].height,
                           t.levels[l].size);
                    for (int k = 0; k < 8; k++)
                        if (lmodes[l][k]) printf(" %d: %zu", k, lmodes[l][k]);
                    if (lmodes[l][8]) printf(" reserved: %zu", lmodes[l][8]);
                    printf("\n");
                }
        }
        tt_texture_free(&t);
        return rc;
    }
    int w, h, comp;
    /* tt_read_file refuses directories, FIFOs and devices with a clear
     * message, and bounds the read. */
    uint8_t *bytes = NULL;
    size_t size = 0;
    tt_status st = tt_read_file(path, (size_t)1 << 31, &bytes, &size);
    if (st != TT_OK) return cli_fail_status(st);
    int ok = size <= 0x7fffffff && stbi_info_from_memory(bytes, (int)size, &w, &h, &comp);
    int is16 = ok && stbi_is_16_bit_from_memory(bytes, (int)size);
    int is_hdr = ok && stbi_is_hdr_from_memory(bytes, (int)size);
    const char *format = tt_image_format_name(bytes, size);
    if (!format) format = ok ? "TGA" : "unknown";
    /* What info describes it has decoded: a header can be whole in a file whose pixels are truncated or corrupt.
     * Images above the default decode limits are described from their header only, and say so. */
    tt_image_limits limits;
    tt_image_limits_init(&limits);
    int decoded = 0;
    tt_image_conversion conv;
    memset(&conv, 0, sizeof conv);
    if (!ok || ((uint64_t)w <= limits.max_dimension && (uint64_t)h <= limits.max_dimension &&
                (uint64_t)w * (uint64_t)h <= limits.max_pixels)) {
        tt_image img;
        st = tt_image_load_memory_report(bytes, size, path, &limits, &img, &conv);
        tt_image_free(&img);
        if (st != TT_OK) {
            free(bytes);
            return cli_fail_status(st);
        }
        decoded = 1;
    }
    free(bytes);
    if (!ok) return cli_fail_status(tt_fail(TT_ERR_FORMAT, "%s: not a supported image or texture (%s)", path, stbi_failure_reason()));
    int bits = is_hdr ? 32 : is16 ? 16 : 8;
    if (json) {
        cJSON *r = cli_report_new("info");
        cJSON_AddStringToObject(r, "file", path);
        cJSON_AddStringToObject(r, "format", format);
        cJSON_AddNumberToObject(r, "width", w);
        cJSON_AddNumberToObject(r, "height", h);
        cJSON_AddNumberToObject(r, "channels", comp);
        cJSON_AddNumberToObject(r, "bits", bits);
        cJSON_AddBoolToObject(r, "decoded", decoded);
        if (decoded && conv.source_bits == 32) {
            cJSON_AddNumberToObject(r, "hdr_min", conv.min);
            cJSON_AddNumberToObject(r, "hdr_max", conv.max);
            cJSON_AddNumberToObject(r, "hdr_values_outside_0_1", (double)(conv.clipped_below + conv.clipped_above));
        }
        rc = cli_report_write("-", r);
        cJSON_Delete(r);
    } else {
        char range[160] = "";
        if (decoded && conv.source_bits == 32)
            snprintf(range, sizeof range, ", values %g..%g (%llu of %llu R,G,B values outside [0, 1])",
                     (double)conv.min, (double)conv.max,
                     (unsigned long long)(conv.clipped_below + conv.clipped_above), (unsigned long long)conv.values);
        printf("%s: %s image, %dx%d, %d channel%s, %s%s%s\n", path, format, w, h, comp, comp == 1 ? "" : "s",
               is_hdr ? "32-bit float" : is16 ? "16-bit" : "8-bit", range,
               decoded ? "" : " (header only: not decoded, above the default decode limits)");
    }
    return rc;
}
