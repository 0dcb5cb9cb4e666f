"""Content checks for the non-image kinds: OLE2 (doc/xls/ppt), OOXML
(docx/xlsx/pptx), PDF and text. Each function takes the bytes and either
returns quietly or raises the ValidationError of ``errors``.

The OLE2 reader is ours (about forty lines, the header and directory only)
rather than the ``olefile`` package: we need the stream names and nothing
else, and one fewer dependency keeps the lock file of eight branches simple.
PDFs are parsed with ``pypdf`` (issue 21): active content hides behind name
escapes (``/J#61vaScript``), compressed object streams and indirect
references that no regular expression on raw bytes follows.

No active content (issue 21, finding 6): a PDF with script, launch, embedded
files or automatic actions; an OOXML package with a DTD or entity, a path
leaving the package, a nested archive, or bytes after its central directory;
a text file with HTML or script anywhere. OOXML parts are streamed in chunks
and their sizes counted as they inflate, so no part is ever held whole.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import PurePosixPath

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from uploads.errors import refuse
from uploads.policies import KB, MB, Kind

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
# Zip bombs: at most this much once unpacked (counted while inflating, never
# taken from the headers), and no entry above this ratio.
MAX_UNCOMPRESSED = 200 * MB
MAX_RATIO = 100
MAX_ENTRIES = 10_000
# Read at most this much of any XML part: the largest sheet of a workbook
# that fits the largest document policy (5 MB zipped) is well below it. The
# content-types part is a short list: a few KB in every real file.
MAX_XML_PART = 64 * MB
MAX_CONTENT_TYPES = 256 * KB
CHUNK = 64 * KB
CONTENT_TYPE_ATTR = re.compile(rb'ContentType="([^"]+)"')
# A DTD is where entities (billion laughs, external files) are declared.
XML_DECLARATION = re.compile(rb"<!(?:doctype|entity|attlist|element)", re.IGNORECASE)
XML_SUFFIXES = (".xml", ".rels", ".vml")
# A package inside the package (nested zip, gzip, 7z, RAR, CAB, an embedded
# Office file): its content is not checked here, so it is refused.
ARCHIVE_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06", b"\x1f\x8b", b"7z\xbc\xaf\x27\x1c", b"Rar!", b"MSCF")
END_OF_CENTRAL_DIRECTORY = b"PK\x05\x06"

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


def _unsafe_entry_name(name: str) -> bool:
    """A path that would leave the folder it is unpacked into."""
    path = name.replace("\\", "/")
    return path.startswith("/") or re.match(r"^[A-Za-z]:", path) is not None or ".." in path.split("/")


def _ends_with_central_directory(content: bytes) -> bool:
    """The file ends with the end-of-central-directory record and no comment:
    nothing (an HTML page, a second archive) hides after it."""
    end = content[-22:]
    return len(content) >= 22 and end.startswith(END_OF_CENTRAL_DIRECTORY) and end[20:22] == b"\0\0"


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK):
            yield chunk


def check_ooxml(content: bytes, kind: Kind, extension: str) -> None:
    if not _ends_with_central_directory(content):
        raise refuse("corrupt", extension=extension)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise refuse("corrupt", extension=extension) from None
    if len(infos) > MAX_ENTRIES:
        raise refuse("archive_bomb")
    names = [info.filename for info in infos]
    # Bytes before the first entry, or two entries of one name (readers
    # disagree on which one counts): not a package Office wrote.
    if len(set(names)) != len(names) or min((i.header_offset for i in infos), default=0) != 0:
        raise refuse("corrupt", extension=extension)
    if any(_unsafe_entry_name(name) for name in names):
        raise refuse("archive_path")
    if "[Content_Types].xml" not in names:
        raise refuse("mismatch", extension=extension)
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise refuse("macros")
    try:
        types_xml = _stream_entries(archive, infos)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError, RuntimeError, NotImplementedError):
        # A CRC or size that does not match what inflated, an encrypted entry…
        raise refuse("corrupt", extension=extension) from None
    # Read the declared types as plain attributes: no XML parser, so no entity tricks.
    types = {t.decode("ascii", "replace").lower() for t in CONTENT_TYPE_ATTR.findall(types_xml)}
    if any("macroenabled" in t or "vbaproject" in t for t in types):
        raise refuse("macros")
    folder, main_type = OOXML_MAIN[kind]
    if main_type not in types or not any(name.startswith(folder) for name in names):
        raise refuse("mismatch", extension=extension)


def _stream_entries(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> bytes:
    """Inflate every entry in chunks, counting the bytes as they come (the
    headers' sizes may lie), and look at what each holds; returns the
    content-types part (at most MAX_CONTENT_TYPES bytes)."""
    total = 0
    types_xml = b""
    for info in infos:
        if info.is_dir():
            continue
        is_types = info.filename == "[Content_Types].xml"
        is_xml = is_types or PurePosixPath(info.filename).suffix.lower() in XML_SUFFIXES
        limit = MAX_CONTENT_TYPES if is_types else MAX_XML_PART if is_xml else MAX_UNCOMPRESSED
        size, tail = 0, b""
        for chunk in _chunks(archive, info):
            if size == 0:
                if chunk.startswith(ARCHIVE_SIGNATURES) or PurePosixPath(info.filename).suffix.lower() in (
                    ".zip", ".jar", ".gz", ".7z", ".rar", ".cab",
                ):
                    raise refuse("nested_archive")
                is_xml = is_xml or chunk.lstrip().startswith(b"<")
                if is_xml and not is_types:
                    limit = MAX_XML_PART
            size += len(chunk)
            total += len(chunk)
            if size > limit or total > MAX_UNCOMPRESSED or (
                size > MB and size > MAX_RATIO * max(info.compress_size, 1)
            ):
                raise refuse("archive_bomb")
            if is_xml:
                # UTF-16/32 XML would hide a DTD from the scan: Office writes UTF-8.
                if b"\0" in chunk:
                    raise refuse("xml_dtd")
                window = tail + chunk
                if XML_DECLARATION.search(window):
                    raise refuse("xml_dtd")
                tail = window[-32:]
            if is_types:
                types_xml += chunk
    return types_xml


# --- PDF and text ----------------------------------------------------------------


# Keys that make a PDF do something by itself: run JavaScript (/JS, the
# /JavaScript name tree), start a program (/Launch), carry files
# (/EmbeddedFile(s)), or act on open, close, page view or focus (/AA).
PDF_ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/AA"})
# Actions that run or fetch something; /GoTo and /URI (a link the reader
# asks about) are what ordinary documents use.
PDF_ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/ImportData", "/Rendition", "/RichMediaExecute", "/GoToE", "/SubmitForm"})
# A bound on the walk: a 50 MB manual has far fewer objects.
MAX_PDF_OBJECTS = 500_000


def _pdf_is_active(reader: PdfReader) -> bool:
    """Walk every object reachable from the trailer (the document the reader
    shows) and look for active keys and actions."""
    seen: set[tuple[int, int]] = set()
    stack: list[object] = [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen:
                continue
            seen.add(ref)
            if len(seen) > MAX_PDF_OBJECTS:
                raise ValueError("too many objects")
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):  # streams too: their dictionaries
            keys = {str(k) for k in obj}
            if keys & PDF_ACTIVE_KEYS:
                return True
            action = dict.get(obj, NameObject("/S"))
            if isinstance(action, IndirectObject):
                action = action.get_object()
            if str(action) in PDF_ACTIVE_ACTIONS:
                return True
            if str(dict.get(obj, NameObject("/Type"), "")) == "/EmbeddedFile":
                return True
            stack.extend(dict.values(obj))
        elif isinstance(obj, ArrayObject):
            stack.extend(list.__iter__(obj))
    return False


def check_pdf(content: bytes, extension: str) -> None:
    if not content.startswith(b"%PDF-") or b"%%EOF" not in content[-1024:]:
        raise refuse("corrupt", extension=extension)
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValueError("encrypted with a password")
        active = _pdf_is_active(reader)
    except Exception:  # noqa: BLE001 -- hostile input: any parser failure is "corrupt"
        raise refuse("corrupt", extension=extension) from None
    if active:
        raise refuse("active_content")


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


# HTML anywhere in a text file (issue 21): a browser or a preview that
# sniffs, or a person who saves it as .html, would run it. A tag is "<" or
# "</" then a letter, as browsers read it ("a < b" is text). Tags of elements
# that run, load or redirect; any tag with an event handler (an unknown
# element runs one too); script URLs; comments, doctypes and XML.
_HTML_ELEMENTS = (
    "script|iframe|frame|frameset|object|embed|applet|svg|math|html|head|body|meta|link|style|base"
    "|form|input|button|textarea|select|img|image|video|audio|source|track|picture|a|area|map"
    "|details|marquee|template|noscript|xml|xss|portal|isindex|bgsound|layer|ilayer|div|span|table"
)
TEXT_ACTIVE = re.compile(
    rf"</?(?:{_HTML_ELEMENTS})(?=[\s/>])"
    r"|<[a-z][^<>]*\son[a-z]+\s*="
    r"|(?:javascript|vbscript|livescript)\s*:"
    r"|data\s*:\s*text/html"
    r"|<!--|<!doctype|<\?xml",
    re.IGNORECASE,
)


def check_text(content: bytes) -> str:
    """Returns the charset for the stored content type."""
    text = decode_text(content)
    head = text[:1024].lstrip().lower()
    if head.startswith(TEXT_ACTIVE_STARTS) or TEXT_ACTIVE.search(text):
        raise refuse("active_content")
    return text_charset(content)
