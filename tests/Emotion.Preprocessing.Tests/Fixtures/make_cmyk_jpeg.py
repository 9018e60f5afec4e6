#!/usr/bin/python3
"""Writes cmyk.jpg, a 16x8 CMYK JPEG (left half C=0 M=200 Y=255 K=0, right half K=100), and cmyk_expected.txt with
the RGB that Pillow decodes for the centre of each half. Run once with Debian's /usr/bin/python3 (Pillow 9.4):
    /usr/bin/python3 make_cmyk_jpeg.py
"""
import os
from PIL import Image

here = os.path.dirname(os.path.abspath(__file__))
img = Image.new("CMYK", (16, 8))
for y in range(8):
    for x in range(16):
        img.putpixel((x, y), (0, 200, 255, 0) if x < 8 else (0, 0, 0, 100))
path = os.path.join(here, "cmyk.jpg")
img.save(path, quality=95)
back = Image.open(path)
assert back.mode == "CMYK", back.mode
rgb = back.convert("RGB")
with open(os.path.join(here, "cmyk_expected.txt"), "w") as f:
    for x in (4, 12):
        f.write("%d,%d,%d,%d,%d\n" % ((x, 4) + rgb.getpixel((x, 4))))
