/* crc32.c - CRC-32 (IEEE 802.3, reflected 0xEDB88320, as zlib and PNG) for file checksums. */
#include <stddef.h>
#include <stdint.h>

#include "core/tt_bytes.h"

static uint32_t crc_table[8][256];
static int crc_ready;

static void crc_init(void)
{
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[0][n] = c;
    }
    for (uint32_t n = 0; n < 256; n++)
        for (int t = 1; t < 8; t++)
            crc_table[t][n] = (crc_table[t - 1][n] >> 8) ^ crc_table[0][crc_table[t - 1][n] & 0xFF];
    crc_ready = 1; /* benign race: every thread computes identical tables */
}

uint32_t tt_crc32(uint32_t crc, const void *data, size_t size)
{
    if (!crc_ready) crc_init();
    const uint8_t *p = (const uint8_t *)data;
    uint32_t c = ~crc;
    while (size >= 8) { /* slicing-by-8 */
        uint32_t lo = c ^ tt_get_le32(p);
        uint32_t hi = tt_get_le32(p + 4);
        c = crc_table[7][lo & 0xFF] ^ crc_table[6][(lo >> 8) & 0xFF] ^ crc_table[5][(lo >> 16) & 0xFF] ^
            crc_table[4][lo >> 24] ^ crc_table[3][hi & 0xFF] ^ crc_table[2][(hi >> 8) & 0xFF] ^
            crc_table[1][(hi >> 16) & 0xFF] ^ crc_table[0][hi >> 24];
        p += 8;
        size -= 8;
    }
    while (size--) c = crc_table[0][(c ^ *p++) & 0xFF] ^ (c >> 8);
    return ~c;
}
