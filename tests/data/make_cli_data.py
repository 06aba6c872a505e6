#!/usr/bin/env python3
"""make_cli_data.py - writes the small PNG inputs used by tests/cli (odd sizes, grey, 16-bit, palette, alpha).

Pure Python (zlib + struct), so the files' content is defined here, not by tinytex.
Run from tests/data: python3 make_cli_data.py
"""
import math, struct, zlib

def png(path, w, h, color_type, bit_depth, rows, palette=None, extra=()):
    def chunk(t, d):
        c = struct.pack('>I', len(d)) + t + d
        return c + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
    # PNG filter 1 (Sub) on every row keeps the gradients small in zlib
    bpp = max(1, {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color_type] * bit_depth // 8)
    raw = b''.join(b'\x01' + bytes((r[i] - (r[i - bpp] if i >= bpp else 0)) & 255 for i in range(len(r))) for r in rows)
    data = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, bit_depth, color_type, 0, 0, 0))
    for t, d in extra:  # ancillary chunks before the image data, e.g. sRGB, gAMA
        data += chunk(t, d)
    if palette:
        data += chunk(b'PLTE', b''.join(bytes(p) for p in palette))
    data += chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b'')
    open(path, 'wb').write(data)

def rgb_pattern(x, y, w, h):
    # smooth gradients plus a few hard edges, so BC7 has real work to do
    r = int(255 * x / max(1, w - 1))
    g = int(255 * y / max(1, h - 1))
    b = (x * 3 + y * 5) & 255 if (x // 50) % 2 else 127 + int(100 * math.sin(y * 0.05))
    if (x // 37 + y // 29) % 2:
        r, g = g, r
    return (r, g, b)

for (w, h) in [(1, 1), (5, 3), (451, 300)]:
    rows = [bytes(c for x in range(w) for c in rgb_pattern(x, y, w, h)) for y in range(h)]
    png(f'cli_rgb_{w}x{h}.png', w, h, 2, 8, rows)

w, h = 37, 23
png('cli_grey8.png', w, h, 0, 8, [bytes((x * 7 + y * 3) & 255 for x in range(w)) for y in range(h)])
png('cli_grey16.png', w, h, 0, 16, [b''.join(struct.pack('>H', (x * 1771 + y * 997) & 0xffff) for x in range(w)) for y in range(h)])
png('cli_greyalpha.png', w, h, 4, 8, [bytes(v for x in range(w) for v in ((x * 7) & 255, (y * 11) & 255)) for y in range(h)])
pal = [(i * 16 % 256, 255 - i * 16 % 256, (i * 40) % 256) for i in range(16)]
png('cli_palette.png', w, h, 3, 8, [bytes((x + y) % 16 for x in range(w)) for y in range(h)], palette=pal)
png('cli_rgba16.png', w, h, 6, 16, [b''.join(struct.pack('>HHHH', x * 1700, y * 2800, 30000, 65535 - x * 1000) for x in range(w)) for y in range(h)])
png('cli_rgba_alpha.png', 64, 48, 6, 8, [bytes(v for x in range(64) for v in (*rgb_pattern(x, y, 64, 48), (x * 4) & 255)) for y in range(48)])

# A PNG whose IHDR claims 100000 x 100000 RGB pixels (valid signature and CRC), then junk: must be refused before allocation.
ihdr = b'IHDR' + struct.pack('>IIBBBBB', 100000, 100000, 8, 2, 0, 0, 0)
open('cli_huge_header.png', 'wb').write(b'\x89PNG\r\n\x1a\n' + struct.pack('>I', 13) + ihdr +
                                         struct.pack('>I', zlib.crc32(ihdr) & 0xffffffff) + bytes(200))

# A 16x16 RGB PNG that declares sRGB (rendering intent 0) and gAMA 1/2.2: `bc7 -v` names the chunks.
png('cli_srgb_chunks.png', 16, 16, 2, 8, [[(x * 16 + c * 40) & 255 for x in range(16) for c in range(3)] for y in range(16)],
    extra=((b'sRGB', b'\x00'), (b'gAMA', struct.pack('>I', 45455))))
