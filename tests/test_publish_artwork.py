"""The default artwork: a valid square RGB PNG the directories accept, and what the generator draws."""

from __future__ import annotations

import struct
import zlib

import numpy as np

from pipeline.publish.artwork import DEFAULT_ARTWORK, check_artwork, draw_default, image_size, png_bytes


def _decode_png(data: bytes) -> np.ndarray:
    """Decode an 8-bit RGB PNG (any of the five row filters) with numpy and zlib only."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])[0]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert (depth, colour, interlace) == (8, 2, 0)  # 8-bit RGB, not interlaced
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(height, width * 3 + 1)
    if (raw[:, 0] == 2).all():  # every row "Up": the image is the running sum of the rows
        return (np.cumsum(raw[:, 1:].astype(np.int64), axis=0) % 256).astype(np.uint8).reshape(height, width, 3)
    out = np.zeros((height, width * 3), np.int32)
    for y in range(height):
        kind, row = raw[y, 0], raw[y, 1:].astype(np.int32)
        prev = out[y - 1] if y else np.zeros(width * 3, np.int32)
        if kind == 0:
            out[y] = row
        elif kind == 2:
            out[y] = (row + prev) % 256
        else:
            raise AssertionError(f"filter {kind} not expected from our writer")
    return out.reshape(height, width, 3).astype(np.uint8)


def test_default_artwork_is_accepted_by_directories() -> None:
    assert image_size(DEFAULT_ARTWORK) == ("png", 1400, 1400)
    assert check_artwork(DEFAULT_ARTWORK) == []
    assert DEFAULT_ARTWORK.stat().st_size < 512 * 1024  # Apple recommends small files


def test_committed_artwork_is_what_the_generator_draws() -> None:
    committed = _decode_png(DEFAULT_ARTWORK.read_bytes())
    drawn = draw_default()
    # Floating-point rounding may differ by one level between machines, never more.
    assert np.abs(committed.astype(int) - drawn.astype(int)).max() <= 1
    # Not a blank: a gradient, the ring and the amber waveform are there.
    assert committed[0, 0].tolist() != committed[-1, -1].tolist() and committed.std() > 20
    assert ((committed[..., 0] > 240) & (committed[..., 1] > 160) & (committed[..., 2] < 100)).sum() > 10_000


def test_png_writer_round_trips() -> None:
    pixels = np.random.default_rng(1).integers(0, 256, (37, 53, 3), dtype=np.uint8)
    assert np.array_equal(_decode_png(png_bytes(pixels)), pixels)


def test_check_artwork_names_the_problem(tmp_path) -> None:
    path = tmp_path / "small.png"
    path.write_bytes(png_bytes(np.zeros((300, 200, 3), np.uint8)))
    problems = check_artwork(path)
    assert any("square" in p for p in problems) and any("1400 to 3000" in p for p in problems)
    (tmp_path / "not.png").write_bytes(b"GIF89a....")
    assert "PNG or JPEG" in check_artwork(tmp_path / "not.png")[0]
    jpeg = tmp_path / "a.jpg"  # a minimal JPEG header: SOI, APP0, SOF0 with 1500x1500
    jpeg.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
                     b"\xff\xc0\x00\x11\x08\x05\xdc\x05\xdc\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01")
    assert image_size(jpeg) == ("jpeg", 1500, 1500)
    assert check_artwork(jpeg) == []
