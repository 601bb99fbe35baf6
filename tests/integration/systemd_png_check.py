#!/usr/bin/env python3
"""systemd_png_check.py FILE WIDTH HEIGHT MIN_COLOURS

Checks that FILE is a PNG of WIDTH x HEIGHT whose pixels hold at least
MIN_COLOURS distinct colours: a screenshot of a desktop with a real window on
it (text, borders, anti-aliasing) has hundreds; an empty or black display has
one or two. Decodes 8-bit RGB/RGBA/grey PNGs with the standard library only.
"""
import struct
import sys
import zlib


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG (bad signature)")
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    if header is None:
        raise ValueError("no IHDR chunk")
    width, height, depth, colour_type, _, _, interlace = header
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(colour_type)
    if depth != 8 or channels is None or interlace != 0:
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour_type}, interlace {interlace}")
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b, c = prev[x], prev[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + ((a + b) >> 1)) & 255
            elif kind == 4:
                line[x] = (line[x] + paeth(a, b, c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, channels, rows


def main():
    path, want_w, want_h, min_colours = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    with open(path, "rb") as f:
        width, height, channels, rows = decode(f.read())
    if (width, height) != (want_w, want_h):
        print(f"{path}: {width}x{height}, expected {want_w}x{want_h}")
        return 1
    colours = set()
    for row in rows:
        colours.update(row[x:x + channels] for x in range(0, len(row), channels))
    print(f"{path}: {width}x{height}, {len(colours)} distinct colours")
    return 0 if len(colours) >= min_colours else 1


if __name__ == "__main__":
    sys.exit(main())
