"""Real files built in the tests: images with Pillow, OOXML zips with
zipfile, a minimal OLE2 compound file, a PDF, UTF-8 / CP932 text."""

from __future__ import annotations

import io
import struct
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from uploads.policies import ALL_KINDS, MB, UploadPolicy

EVERYTHING = UploadPolicy(purpose="tests.everything", kinds=ALL_KINDS, max_bytes=3 * MB)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def image_bytes(fmt: str, size: tuple[int, int] = (8, 6), **save: object) -> bytes:
    out = io.BytesIO()
    mode = "RGB" if fmt in ("JPEG", "BMP") else "RGBA" if fmt == "PNG" else "P"
    Image.new(mode, size, color=1 if mode == "P" else (200, 30, 30)).save(out, format=fmt, **save)
    return out.getvalue()


def jpeg_with_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"  # Make
    exif[0x0131] = "GPS-ish secret"  # Software
    return image_bytes("JPEG", exif=exif.tobytes())


OOXML = {
    "docx": ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
    "pptx": ("ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"),
}


def ooxml_bytes(kind: str, *, main_type: str | None = None, extra: dict[str, bytes] | None = None,
                content_types: bool = True) -> bytes:
    part, default_type = OOXML[kind]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if content_types:
            archive.writestr(
                "[Content_Types].xml",
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                f'<Override PartName="/{part}" ContentType="{main_type or default_type}"/>'
                "</Types>",
            )
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr(part, '<?xml version="1.0"?><document/>')
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def ole_bytes(stream_name: str = "WordDocument", *, extra_storage: str | None = None) -> bytes:
    """A minimal valid OLE2 compound file (version 3, 512-byte sectors): one
    FAT sector, one directory sector, one 4096-byte stream in sectors 2–9."""
    end, free, fatsect = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, end, 0, end, 0)
    struct.pack_into("<109I", header, 76, 0, *([free] * 108))
    fat = [fatsect, end, *range(3, 10), end] + [free] * (128 - 10)

    def entry(name: str, kind: int, child: int = free, start: int = end, size: int = 0) -> bytes:
        raw = bytearray(128)
        encoded = (name + "\0").encode("utf-16-le")
        raw[: len(encoded)] = encoded
        struct.pack_into("<HBBIII", raw, 64, len(encoded), kind, 1, free, free, child)
        struct.pack_into("<IQ", raw, 116, start, size)
        return bytes(raw)

    entries = [entry("Root Entry", 5, child=1), entry(stream_name, 2, start=2, size=4096)]
    if extra_storage:
        entries.append(entry(extra_storage, 1))
    directory = b"".join(entries).ljust(512, b"\0")
    return bytes(header) + struct.pack("<128I", *fat) + directory + b"\x42" * 4096


def pdf_bytes(catalog: bytes = b"", *extra: bytes, page: bytes = b"", pad_to: int = 0, trailer: bytes = b"") -> bytes:
    """A well-formed PDF (a correct xref table and startxref) of one empty
    page: object 1 the catalog (``catalog`` added to its dictionary), 2 the
    page tree, 3 the page (``page`` added), then ``extra`` objects 4, 5, …
    ``pad_to`` pads with a comment line after the header to that size."""
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] " + page + b" >>",
        *extra,
    ]

    def build(padding: bytes) -> bytes:
        out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + padding)
        offsets = []
        for number, body in enumerate(bodies, start=1):
            offsets.append(len(out))
            out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
        out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
        out += b"trailer\n<< /Size %d /Root 1 0 R " % (len(bodies) + 1) + trailer + b">>\n"
        out += b"startxref\n%d\n%%%%EOF\n" % xref
        return bytes(out)

    plain = build(b"")
    if pad_to > len(plain):
        fill = pad_to - len(plain) - 2
        padded = build(b"%" + b"0" * fill + b"\n")
        plain = build(b"%" + b"0" * (fill - (len(padded) - pad_to)) + b"\n")  # startxref's digits
    return plain


PDF = pdf_bytes()


def valid_samples() -> dict[str, bytes]:
    """One real file per allowed kind, by file name."""
    return {
        "報告書.pdf": PDF,
        "report.doc": ole_bytes("WordDocument"),
        "book.xls": ole_bytes("Workbook"),
        "slides.ppt": ole_bytes("PowerPoint Document"),
        "report.docx": ooxml_bytes("docx"),
        "book.xlsx": ooxml_bytes("xlsx"),
        "slides.pptx": ooxml_bytes("pptx"),
        "メモ.txt": "お知らせです。\n".encode(),
        "bom.txt": "\ufeffBOM 付き".encode(),
        "sjis.csv": "氏名,部署\n山田,総務\n".encode("cp932"),
        "photo.jpg": image_bytes("JPEG"),
        "PHOTO.JPEG": image_bytes("JPEG"),
        "logo.PNG": image_bytes("PNG"),
        "icon.gif": image_bytes("GIF"),
        "scan.bmp": image_bytes("BMP"),
    }
