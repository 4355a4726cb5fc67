#!/usr/bin/env python3
"""Draws images/icon.png (128x128): a page of notes with a link arrow, on a rounded blue square.
Pure Python (zlib + struct), 4x supersampled for smooth edges. Run: python3 scripts/make-icon.py"""
import struct, zlib, math, os

SIZE, SS = 128, 4
N = SIZE * SS

def rounded_rect(x, y, x0, y0, x1, y1, r):
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r and x0 <= x <= x1 and y0 <= y <= y1

def mix(a, b, t):
    return tuple(a[i] + (b[i] - a[i]) * t for i in range(4))

TOP, BOTTOM = (37, 99, 235, 255), (30, 58, 138, 255)
PAGE, FOLD, LINE = (255, 255, 255, 255), (191, 219, 254, 255), (148, 163, 184, 255)
ACCENT, WHITE = (249, 115, 22, 255), (255, 255, 255, 255)

def pixel(x, y):
    """Color at a point of the 128-unit canvas."""
    c = (0, 0, 0, 0)
    if rounded_rect(x, y, 4, 4, 124, 124, 22):
        c = mix(TOP, BOTTOM, y / 128)
    # The page, with its top-right corner folded.
    if 28 <= x <= 84 and 20 <= y <= 104 and not (x > 68 and y < 20 + (x - 68)):
        c = PAGE
        if x > 68 and y < 36 and y >= 20 + (x - 68):
            c = FOLD
        # Lines of text.
        for ly, lx1 in ((48, 74), (60, 70), (72, 62), (84, 54)):
            if 38 <= x <= lx1 and ly - 2.5 <= y <= ly + 2.5:
                c = LINE
    # The navigation link: an orange disc with a white arrow, over the page's corner.
    dx, dy = x - 88, y - 88
    if dx * dx + dy * dy <= 24 * 24:
        c = ACCENT
        if dx * dx + dy * dy >= 21 * 21:
            c = WHITE
        if -12 <= dx <= 2 and -3.5 <= dy <= 3.5:
            c = WHITE
        if 0 <= dx <= 13 and abs(dy) <= 13 - dx:
            c = WHITE
    return c

rows = []
for py in range(SIZE):
    row = bytearray([0])
    for px in range(SIZE):
        acc = [0.0] * 4
        for sy in range(SS):
            for sx in range(SS):
                r, g, b, a = pixel(px + (sx + 0.5) / SS, py + (sy + 0.5) / SS)
                acc[0] += r * a; acc[1] += g * a; acc[2] += b * a; acc[3] += a
        a = acc[3] / (SS * SS)
        rgb = [int(round(acc[i] / acc[3])) if acc[3] else 0 for i in range(3)]
        row += bytes(rgb + [int(round(a))])
    rows.append(bytes(row))

def chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xFFFFFFFF)

png = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', SIZE, SIZE, 8, 6, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(b''.join(rows), 9)) + chunk(b'IEND', b'')
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'images', 'icon.png')
with open(out, 'wb') as f:
    f.write(png)
print(f'{out}: {len(png)} bytes')
