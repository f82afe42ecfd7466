"""Show artwork: pick the show's own file or briefcast's default, check it, and make the default.

Podcast directories want a square RGB JPEG or PNG of 1400-3000 px. The default ``pipeline/assets/artwork.png``
is drawn by this module with numpy and written as a PNG with zlib (no image library, no font files):
regenerate it with ``python -m pipeline.publish.artwork``.
"""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

from pipeline.config import PACKAGE_DIR, Config
from pipeline.files import atomic_write_bytes

DEFAULT_ARTWORK = PACKAGE_DIR / "assets" / "artwork.png"
SIZE = 1400


# -- choosing and checking ----------------------------------------------------------------------------------


def artwork_source(config: Config) -> Path:
    """The show's artwork (``show.artwork`` relative to the show's folder) if it exists, else the default."""
    own = Path(config.show.artwork)
    own = own if own.is_absolute() else Path(config.root) / own
    return own if own.is_file() else DEFAULT_ARTWORK


def artwork_name(config: Config) -> str:
    """The artwork's file name inside ``episodes/`` (what the feed and pages point to)."""
    suffix = artwork_source(config).suffix.lower()
    return "artwork" + (suffix if suffix in (".png", ".jpg", ".jpeg") else ".png")


def image_size(path: Path) -> tuple[str, int, int] | None:
    """(format, width, height) of a PNG or JPEG, read from its header; None when it is neither."""
    data = Path(path).read_bytes()
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return "png", width, height
    if data[:2] == b"\xff\xd8":
        pos = 2
        while pos + 9 < len(data):
            if data[pos] != 0xFF:
                pos += 1
                continue
            marker = data[pos + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
                pos += 1 if marker == 0xFF else 2
                continue
            length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
                return "jpeg", width, height
            pos += 2 + length
    return None


def check_artwork(path: Path) -> list[str]:
    """Problems podcast directories would reject the artwork for (empty when it is fine)."""
    info = image_size(path)
    if info is None:
        return [f"{path}: artwork must be a PNG or JPEG image"]
    kind, width, height = info
    problems = []
    if width != height:
        problems.append(f"{path}: artwork is {width}x{height}; directories want a square image")
    if not (min(width, height) >= 1400 and max(width, height) <= 3000):
        problems.append(f"{path}: artwork is {width}x{height}; directories want 1400 to 3000 px a side")
    return problems


def install_artwork(config: Config) -> tuple[str, list[str]]:
    """Copy the chosen artwork into ``episodes/`` (where it is served); returns its name and any warnings."""
    source = artwork_source(config)
    notes = check_artwork(source)
    if source == DEFAULT_ARTWORK and Path(config.show.artwork).name:
        notes.insert(0, f"show.artwork {config.show.artwork!r} not found in {config.root}; using briefcast's default")
    target = Path(config.episodes_dir) / artwork_name(config)
    data = source.read_bytes()
    if not target.is_file() or target.read_bytes() != data:  # unchanged bytes: leave the file (and its mtime)
        atomic_write_bytes(target, data)
        os.chmod(target, 0o644)  # served by a web server: must be readable by others
    return target.name, notes


# -- the default artwork --------------------------------------------------------------------------------------

# 5x7 capitals for the wordmark; '#' is ink.
_GLYPHS = {
    "B": ["####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."],
    "R": ["####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"],
    "I": ["#####", "..#..", "..#..", "..#..", "..#..", "..#..", "#####"],
    "E": ["#####", "#....", "#....", "####.", "#....", "#....", "#####"],
    "F": ["#####", "#....", "#....", "####.", "#....", "#....", "#...."],
    "C": [".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."],
    "A": [".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
    "S": [".####", "#....", "#....", ".###.", "....#", "....#", "####."],
    "T": ["#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."],
}


def draw_default(size: int = SIZE):  # -> numpy array (size, size, 3) uint8
    """Gradient, a ring, a waveform and the word BRIEFCAST: recognisable at 55 px and at 3000."""
    import numpy as np

    s = size / 1400  # everything is designed at 1400 px and scaled
    y, x = np.mgrid[0:size, 0:size].astype(np.float32)
    t = (x + y) / (2 * (size - 1))
    top, bottom = np.array([27, 20, 70], np.float32), np.array([8, 110, 122], np.float32)
    image = top[None, None, :] * (1 - t[..., None]) + bottom[None, None, :] * t[..., None]

    def paint(alpha, color) -> None:
        nonlocal image
        a = np.clip(alpha, 0, 1)[..., None]
        image = image * (1 - a) + np.array(color, np.float32)[None, None, :] * a

    # A ring, anti-aliased by distance to its centre line.
    cx, cy, radius, width = 700 * s, 560 * s, 380 * s, 26 * s
    distance = np.hypot(x - cx, y - cy)
    paint(width / 2 - np.abs(distance - radius) + 0.5, (255, 255, 255))
    paint(0.12 * np.clip(radius - 40 * s - distance + 0.5, 0, 1), (255, 255, 255))  # a faint disc inside

    # Waveform bars with round caps across the ring.
    bars = 13
    bar_w, gap = 28 * s, 18 * s
    left = cx - (bars * bar_w + (bars - 1) * gap) / 2
    for i in range(bars):
        height = (60 + 260 * abs(np.sin(i * 0.9 + 0.4)) * np.sin(np.pi * (i + 0.5) / bars)) * s
        bx = left + i * (bar_w + gap) + bar_w / 2
        half = max(height / 2 - bar_w / 2, 0)
        dy = np.maximum(np.abs(y - cy) - half, 0)
        paint(bar_w / 2 - np.hypot(x - bx, dy) + 0.5, (255, 181, 71))

    # The wordmark, blocky on purpose.
    word, cell, spacing = "BRIEFCAST", int(round(22 * s)), int(round(22 * s))
    glyph_w = 5 * cell
    total = len(word) * glyph_w + (len(word) - 1) * spacing
    x0, y0 = int((size - total) / 2), int(1080 * s)
    ink = np.zeros((size, size), np.float32)
    for k, letter in enumerate(word):
        for row, line in enumerate(_GLYPHS[letter]):
            for col, mark in enumerate(line):
                if mark == "#":
                    gx = x0 + k * (glyph_w + spacing) + col * cell
                    gy = y0 + row * cell
                    ink[gy : gy + cell, gx : gx + cell] = 1.0
    paint(ink, (255, 255, 255))
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def png_bytes(pixels) -> bytes:
    """An 8-bit RGB PNG of an (h, w, 3) uint8 array; rows use the Up filter, which suits gradients."""
    import numpy as np

    height, width, _ = pixels.shape
    rows = pixels.reshape(height, width * 3).astype(np.int16)
    up = (rows - np.vstack([np.zeros((1, width * 3), np.int16), rows[:-1]])) % 256
    raw = np.hstack([np.full((height, 1), 2, np.int16), up]).astype(np.uint8).tobytes()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def write_default(path: Path = DEFAULT_ARTWORK, size: int = SIZE) -> Path:
    """Draw the default artwork and write it to ``path``."""
    atomic_write_bytes(path, png_bytes(draw_default(size)))
    return path


if __name__ == "__main__":
    written = write_default()
    print(f"{written} ({written.stat().st_size:,} bytes)")
