#!/usr/bin/env python3
"""bench/png_trim.py IN.png OUT.png | --size FILE.png - trim a screenshot's empty bottom.

Headless Chromium screenshots the window, not the page, so bench/report_screenshots.sh uses a
tall window and this script cuts the rows at the bottom that are all the colour of the last
row (the page background), keeping a 24-pixel margin. Plain Python (zlib), 8-bit RGB/RGBA PNGs
as Chromium writes them; --size prints WIDTHxHEIGHT.
"""
import struct
import sys
import zlib


def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit(f"png_trim: {path}: not a PNG")
    position, chunks, header = 8, [], None
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace != 0:
        sys.exit(f"png_trim: {path}: only 8-bit RGB/RGBA non-interlaced PNGs")
    return width, height, colour, (3 if colour == 2 else 4), zlib.decompress(b"".join(chunks))


def unfilter(width, height, channels, raw):
    stride, rows, previous = width * channels, [], bytearray(width * channels)
    for index in range(height):
        start = index * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            corner = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                estimate = left + up - corner
                pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - corner)
                best = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[x] = (line[x] + best) & 0xFF
        rows.append(bytes(line))
        previous = line
    return rows


def write_png(path, width, colour, rows):
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", width, len(rows), 8, colour, 0, 0, 0)
    with open(path, "wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) +
                  chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--size":
        width, height, _, _, _ = read_png(sys.argv[2])
        print(f"{width}x{height}")
        return
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    width, height, colour, channels, raw = read_png(sys.argv[1])
    rows = unfilter(width, height, channels, raw)
    background = rows[-1]
    last = len(rows) - 1
    while last > 0 and rows[last] == background:
        last -= 1
    if last == len(rows) - 1:
        print(f"png_trim: {sys.argv[1]}: content reaches the bottom; use a taller window",
              file=sys.stderr)
    write_png(sys.argv[2], width, colour, rows[:min(len(rows), last + 25)])


if __name__ == "__main__":
    main()
