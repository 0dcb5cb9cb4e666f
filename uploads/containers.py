"""Content checks for the non-image kinds: OLE2 (doc/xls/ppt), OOXML
(docx/xlsx/pptx), PDF and text. Each function takes the bytes and either
returns quietly or raises the ValidationError of ``errors``.

The OLE2 reader is ours (about forty lines, the header and directory only)
rather than the ``olefile`` package: we need the stream names and nothing
else, and one fewer dependency keeps the lock file of eight branches simple.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile

from uploads.errors import refuse
from uploads.policies import Kind

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
_FREE, _END_OF_CHAIN = 0xFFFFFFFF, 0xFFFFFFFE

# The stream that makes an OLE2 file a Word, Excel or PowerPoint document.
OLE_MAIN_STREAMS = {
    Kind.DOC: {"worddocument"},
    Kind.XLS: {"workbook", "book"},
    Kind.PPT: {"powerpoint document"},
}
# Storages that carry VBA macros.
OLE_MACRO_ENTRIES = {"macros", "_vba_project_cur", "vba"}

OOXML_MAIN = {
    Kind.DOCX: ("word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    Kind.XLSX: ("xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
    Kind.PPTX: ("ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"),
}
# Zip bombs: at most this much once unpacked, and no entry above this ratio.
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100
MAX_ENTRIES = 10_000
CONTENT_TYPE_ATTR = re.compile(rb'ContentType="([^"]+)"')

# Markers of a browser-active document (HTML, SVG, script) in the first KB.
ACTIVE_MARKERS = (b"<html", b"<script", b"<svg", b"<!doctype html", b"<iframe", b"<body", b"<object", b"<embed")
TEXT_ACTIVE_STARTS = ("<!doctype html", "<html", "<svg", "<script", "<?xml", "<iframe", "<body", "<head")


def has_active_marker(content: bytes) -> bool:
    head = content[:1024].lower()
    return any(marker in head for marker in ACTIVE_MARKERS)


# --- OLE2 compound files -------------------------------------------------------


def ole_entry_names(content: bytes) -> set[str]:
    """Names (lower-cased) of every storage and stream in the directory.

    Raises ValueError / struct.error / IndexError on anything malformed.
    """
    if not content.startswith(OLE_SIGNATURE) or len(content) < 512:
        raise ValueError("not OLE2")
    shift = struct.unpack_from("<H", content, 30)[0]
    if shift not in (9, 12):
        raise ValueError("bad sector size")
    sector = 1 << shift
    n_fat, first_dir = struct.unpack_from("<II", content, 44)
    first_difat, n_difat = struct.unpack_from("<II", content, 68)
    sector_count = len(content) >> shift

    def read_sector(sid: int) -> bytes:
        start = (sid + 1) << shift
        if start >= len(content):
            raise ValueError("sector out of range")
        return content[start : start + sector]

    fat_sids = [s for s in struct.unpack_from("<109I", content, 76) if s != _FREE]
    difat_sid = first_difat
    for _ in range(min(n_difat, sector_count)):
        if difat_sid in (_FREE, _END_OF_CHAIN):
            break
        entries = struct.unpack(f"<{sector // 4}I", read_sector(difat_sid))
        fat_sids += [s for s in entries[:-1] if s != _FREE]
        difat_sid = entries[-1]
    fat: list[int] = []
    for sid in fat_sids[:n_fat]:
        fat += struct.unpack(f"<{sector // 4}I", read_sector(sid))

    names: set[str] = set()
    sid, seen = first_dir, set()
    while sid != _END_OF_CHAIN:
        if sid in seen or sid >= len(fat):
            raise ValueError("broken directory chain")
        seen.add(sid)
        block = read_sector(sid)
        for offset in range(0, len(block), 128):
            name_len, entry_type = struct.unpack_from("<HB", block, offset + 64)
            if entry_type in (1, 2) and 2 <= name_len <= 64:
                names.add(block[offset : offset + name_len - 2].decode("utf-16-le").lower())
        sid = fat[sid]
    return names


def check_ole(content: bytes, kind: Kind, extension: str) -> None:
    try:
        names = ole_entry_names(content)
    except (ValueError, struct.error, IndexError, UnicodeDecodeError):
        raise refuse("corrupt", extension=extension) from None
    if names & OLE_MACRO_ENTRIES:
        raise refuse("macros")
    if not names & OLE_MAIN_STREAMS[kind]:
        raise refuse("mismatch", extension=extension)


# --- OOXML ---------------------------------------------------------------------


def check_ooxml(content: bytes, kind: Kind, extension: str) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise refuse("corrupt", extension=extension) from None
    total = sum(info.file_size for info in infos)
    if len(infos) > MAX_ENTRIES or total > MAX_UNCOMPRESSED:
        raise refuse("archive_bomb")
    for info in infos:
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise refuse("archive_bomb")
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names:
        raise refuse("mismatch", extension=extension)
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise refuse("macros")
    try:
        types_xml = archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, ValueError, OSError, RuntimeError):
        raise refuse("corrupt", extension=extension) from None
    # Read the declared types as plain attributes: no XML parser, so no entity tricks.
    types = {t.decode("ascii", "replace").lower() for t in CONTENT_TYPE_ATTR.findall(types_xml)}
    if any("macroenabled" in t or "vbaproject" in t for t in types):
        raise refuse("macros")
    folder, main_type = OOXML_MAIN[kind]
    if main_type not in types or not any(name.startswith(folder) for name in names):
        raise refuse("mismatch", extension=extension)


# --- PDF and text ----------------------------------------------------------------


def check_pdf(content: bytes, extension: str) -> None:
    if not content.startswith(b"%PDF-") or b"%%EOF" not in content[-1024:]:
        raise refuse("corrupt", extension=extension)


def decode_text(content: bytes) -> str:
    """UTF-8 (with or without BOM) or CP932; the charset name is returned with it."""
    if b"\x00" in content:
        raise refuse("text_binary")
    body = content.removeprefix(b"\xef\xbb\xbf")
    for encoding in ("utf-8", "cp932"):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise refuse("text_encoding")


def text_charset(content: bytes) -> str:
    try:
        content.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        return "Shift_JIS"
    return "utf-8"


def check_text(content: bytes) -> str:
    """Returns the charset for the stored content type."""
    text = decode_text(content)
    head = text[:1024].lstrip().lower()
    if head.startswith(TEXT_ACTIVE_STARTS):
        raise refuse("active_content")
    return text_charset(content)
