"""Real image files made in the tests (Pillow, plus a hand-made PNG for the
bomb), padded to exact byte sizes where a limit is the point."""

from __future__ import annotations

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "BMP": "image/bmp"}
EXTENSIONS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "BMP": "bmp"}


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (120, 40), color: str = "#0a7") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()


def png_of_exact_size(total: int, size: tuple[int, int] = (60, 10)) -> bytes:
    """A valid PNG of exactly ``total`` bytes: a small image plus a tEXt
    chunk before IEND that makes up the difference."""
    base = image_bytes("PNG", size)
    iend = base[-12:]
    body = base[:-12]
    overhead = 12 + len(b"Comment\x00")
    filler = total - len(base) - overhead
    assert filler >= 0, "target smaller than the bare image"
    data = b"Comment\x00" + b"x" * filler
    chunk = (
        struct.pack(">I", len(data))
        + b"tEXt"
        + data
        + struct.pack(">I", zlib.crc32(b"tEXt" + data))
    )
    out = body + chunk + iend
    assert len(out) == total
    return out


def png_bomb(width: int = 40_000, height: int = 40_000) -> bytes:
    """A tiny PNG claiming 1.6 gigapixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def upload(
    data: bytes, name: str, content_type: str = "application/octet-stream"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def image_upload(
    fmt: str = "PNG", size: tuple[int, int] = (120, 40), name: str | None = None
) -> SimpleUploadedFile:
    return upload(image_bytes(fmt, size), name or f"image.{EXTENSIONS[fmt]}", CONTENT_TYPES[fmt])
