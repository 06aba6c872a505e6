#!/usr/bin/env python3
"""make_test_data.py - writes the small image fixtures in tests/data used by tests/unit/test_image.c.

Standard library only (zlib + struct). Every pixel value below is restated by
hand in test_image.c; if you change one here, change it there too.
Run from anywhere: python3 tests/data/make_test_data.py
"""
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


# --------------------------------------------------------------------------- PNG
def chunk(kind, payload):
    body = kind + payload
    return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png(width, height, bit_depth, color_type, raw_rows, extra_chunks=b""):
    """raw_rows: list of already-packed scanline bytes (without filter byte)."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    raw = b"".join(b"\x00" + row for row in raw_rows)  # filter type 0 (None)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra_chunks +
            chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def rows8(pixels, width):
    flat = [bytes(c for px in pixels[i:i + width] for c in px) for i in range(0, len(pixels), width)]
    return flat


def rows16(pixels, width):
    return [b"".join(struct.pack(">" + "H" * len(px), *px) for px in pixels[i:i + width])
            for i in range(0, len(pixels), width)]


# rgb8.png: 3x2 RGB, 8-bit.
RGB8 = [(255, 0, 0), (0, 255, 0), (0, 0, 255),
        (10, 20, 30), (128, 64, 32), (255, 255, 255)]
write("rgb8.png", png(3, 2, 8, 2, rows8(RGB8, 3)))

# rgba8.png: 3x2 RGBA, 8-bit.
RGBA8 = [(255, 0, 0, 255), (0, 255, 0, 128), (0, 0, 255, 0),
         (1, 2, 3, 4), (200, 100, 50, 25), (255, 255, 255, 255)]
write("rgba8.png", png(3, 2, 8, 6, rows8(RGBA8, 3)))

# grey8.png: 4x3 greyscale, 8-bit, value = 20*(x + 4y).
GREY8 = [(20 * i,) for i in range(12)]
write("grey8.png", png(4, 3, 8, 0, rows8(GREY8, 4)))

# grey_alpha8.png: 2x2 grey + alpha, 8-bit.
GA8 = [(0, 255), (100, 0), (200, 50), (255, 128)]
write("grey_alpha8.png", png(2, 2, 8, 4, rows8(GA8, 2)))

# palette.png: 4x2, 2-bit palette of 4 colours, tRNS makes entry 2 half
# transparent and entry 3 fully transparent.
PALETTE = [(255, 0, 0), (0, 128, 255), (10, 200, 30), (40, 50, 60)]
TRNS = bytes([255, 255, 128, 0])
PAL_INDEX = [0, 1, 2, 3,
             3, 2, 1, 0]
pal_rows = []
for y in range(2):
    idx = PAL_INDEX[y * 4:(y + 1) * 4]
    pal_rows.append(bytes([(idx[0] << 6) | (idx[1] << 4) | (idx[2] << 2) | idx[3]]))
write("palette.png", png(4, 2, 2, 3, pal_rows,
                         chunk(b"PLTE", bytes(c for rgb in PALETTE for c in rgb)) + chunk(b"tRNS", TRNS)))

# rgb16.png: 2x2 RGB, 16-bit. Expected 8-bit value = round(v * 255 / 65535).
RGB16 = [(0x0000, 0x8000, 0xFFFF), (0x1234, 0x00FF, 0x0080),
         (0x7F7F, 0x8080, 0xFEFF), (0x0101, 0x0202, 0xABCD)]
write("rgb16.png", png(2, 2, 16, 2, rows16(RGB16, 2)))

# rgba16.png: 2x1 RGBA, 16-bit.
RGBA16 = [(0xFFFF, 0x0000, 0x4000, 0x8000), (0x0080, 0x017F, 0xC000, 0xFFFF)]
write("rgba16.png", png(2, 1, 16, 6, rows16(RGBA16, 2)))

# grey16.png: 3x1 grey, 16-bit.
GREY16 = [(0x0000,), (0x807F,), (0xFFFF,)]
write("grey16.png", png(3, 1, 16, 0, rows16(GREY16, 3)))

# truncated.png: rgb8.png cut in the middle of its IDAT chunk.
full = png(3, 2, 8, 2, rows8(RGB8, 3))
write("truncated.png", full[:len(full) - 12 - 8])

# huge_ihdr.png: a well-formed IHDR (valid CRC) claiming 100000 x 100000,
# followed by a tiny IDAT; a loader must refuse it before allocating.
ihdr = struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0)
write("huge_ihdr.png", b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
      chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(b"IEND", b""))

# Not images.
write("not_an_image.png", b"This is a text file that only pretends to be a PNG.\n")
write("empty.png", b"")
# corrupt.jpg: SOI, a JFIF APP0 segment, then garbage where SOF/SOS belong.
app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
write("corrupt.jpg", b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 +
      bytes((i * 37 + 11) & 0xFF for i in range(64)))


# --------------------------------------------------------------------------- GIF
def lzw_codes_without_table(indices, min_code_size):
    """Encodes each index as a literal, with a clear code before every one, so
    the code width never grows: valid LZW that any decoder must accept."""
    clear, eoi = 1 << min_code_size, (1 << min_code_size) + 1
    width = min_code_size + 1
    codes = []
    for i in indices:
        codes += [clear, i]
    codes.append(eoi)
    bits, nbits, out = 0, 0, bytearray()
    for c in codes:
        bits |= c << nbits
        nbits += width
        while nbits >= 8:
            out.append(bits & 0xFF)
            bits >>= 8
            nbits -= 8
    if nbits:
        out.append(bits & 0xFF)
    return bytes(out)


def gif_frame(w, h, indices, transparent_index=None):
    out = b""
    if transparent_index is not None:
        out += b"\x21\xf9\x04" + bytes([0x01]) + b"\x00\x00" + bytes([transparent_index]) + b"\x00"
    out += b"\x2c" + struct.pack("<HHHH", 0, 0, w, h) + b"\x00"
    data = lzw_codes_without_table(indices, 2)
    out += b"\x02"
    for i in range(0, len(data), 255):
        part = data[i:i + 255]
        out += bytes([len(part)]) + part
    return out + b"\x00"


# tiny.gif: 3x2, 4-colour global palette, index 3 transparent; a second frame
# (all index 1) follows and must be ignored.
GIF_PALETTE = [(0, 0, 0), (255, 255, 0), (0, 200, 100), (9, 9, 9)]
GIF_INDEX = [0, 1, 2,
             3, 2, 1]
gif = b"GIF89a" + struct.pack("<HH", 3, 2) + bytes([0xF1, 0, 0])
gif += bytes(c for rgb in GIF_PALETTE for c in rgb)
gif += gif_frame(3, 2, GIF_INDEX, transparent_index=3)
gif += gif_frame(3, 2, [1] * 6)
gif += b"\x3b"
write("tiny.gif", gif)

# --------------------------------------------------------------------------- HDR
# tiny.hdr: 2x1 Radiance RGBE, flat (widths < 8 are never run-length coded).
# Pixel 0 = (0.375, 1.0, 2.0): shared exponent 2 -> mantissas 24, 64, 128, E = 130.
# Pixel 1 = (0.25, 0.0, 0.75): exponent 0 -> mantissas 64, 0, 192, E = 128.
hdr = b"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 1 +X 2\n" + bytes([24, 64, 128, 130, 64, 0, 192, 128])
write("tiny.hdr", hdr)

# --------------------------------------------------------------------------- PNM / BMP
# tiny.ppm: 2x2 binary PPM.
PPM = [(1, 2, 3), (40, 50, 60), (70, 80, 90), (255, 254, 253)]
write("tiny.ppm", b"P6\n2 2\n255\n" + bytes(c for px in PPM for c in px))

# grey16.pgm: 2x1 binary PGM, maxval 65535 (16-bit big-endian samples).
write("grey16.pgm", b"P5\n2 1\n65535\n" + struct.pack(">HH", 0x0100, 0xFF00))

# tiny.bmp: 2x2 24-bit BMP (rows bottom-up, BGR, rows padded to 4 bytes).
BMP = [(255, 0, 0), (0, 255, 0),      # top row
       (0, 0, 255), (17, 34, 51)]     # bottom row
row_bytes = 2 * 3
pad = (4 - row_bytes % 4) % 4
pix = b""
for y in (1, 0):
    for x in range(2):
        r, g, b = BMP[y * 2 + x]
        pix += bytes([b, g, r])
    pix += b"\x00" * pad
info = struct.pack("<IiiHHIIiiII", 40, 2, 2, 1, 24, 0, len(pix), 2835, 2835, 0, 0)
header = b"BM" + struct.pack("<IHHI", 14 + len(info) + len(pix), 0, 0, 14 + len(info))
write("tiny.bmp", header + info + pix)

if __name__ == "__main__":
    total = sum(os.path.getsize(os.path.join(HERE, n)) for n in os.listdir(HERE))
    print("tests/data: %d files, %d bytes" % (len(os.listdir(HERE)), total))
