"""Uploads with active content (issue 21, finding 6): each case is a file a
chapter's policy would otherwise take (the right extension, a well-formed
container), carrying something that runs, reaches out or explodes. Every one
must be refused with the code named here. Built in code, small and
deterministic; the 204 MB content-types bomb is built by ``inflating_xlsx``
when a test needs it."""

from __future__ import annotations

import gzip
import io
import random
import zipfile

from tests.uploads.samples import OOXML, ooxml_bytes, pdf_bytes

MB = 1024 * 1024

DTD = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    + b']><sheetData>&lol9;</sheetData>'
)


def _with_entry(kind: str, name: str, data: bytes, **kwargs) -> bytes:
    return ooxml_bytes(kind, extra={name: data}, **kwargs)


def _raw_zip(entries: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return out.getvalue()


def _lying_size() -> bytes:
    """sheet1.xml's headers say 10 bytes; it inflates to 3 MB."""
    content = ooxml_bytes("xlsx", extra={"xl/worksheets/sheet1.xml": b"<a>" + b" " * (3 * MB) + b"</a>"})
    archive = zipfile.ZipFile(io.BytesIO(content))
    info = archive.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(content)
    # The uncompressed size: at offset 22 of the local header, 24 of the central one.
    data[info.header_offset + 22 : info.header_offset + 26] = (10).to_bytes(4, "little")
    position = 0
    while (position := bytes(data).find(b"PK\x01\x02", position + 1)) >= 0:
        name_length = int.from_bytes(data[position + 28 : position + 30], "little")
        if bytes(data[position + 46 : position + 46 + name_length]) == b"xl/worksheets/sheet1.xml":
            data[position + 24 : position + 28] = (10).to_bytes(4, "little")
    return bytes(data)


# Past the first KB, where the generic HTML-marker check does not look.
_PADDED_DOCX = ooxml_bytes("docx", extra={"word/media/image1.bin": random.Random(21).randbytes(2048)})


def _pdf_stream_javascript() -> bytes:
    # /JS given as an indirect stream and the action reached through /Names.
    return pdf_bytes(
        b"/Names << /JavaScript 4 0 R >>",
        b"<< /Names [(x) 5 0 R] >>",
        b"<< /S /JavaScript /JS 6 0 R >>",
        b"<< /Length 9 >>\nstream\napp.alert\nendstream",
    )


ACTIVE_CORPUS: dict[str, tuple[str, bytes, str]] = {
    # --- PDF -------------------------------------------------------------------------------
    "pdf-openaction-javascript": (
        "invoice.pdf", pdf_bytes(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"), "active_content"),
    "pdf-openaction-launch": (
        "invoice.pdf", pdf_bytes(b"/OpenAction << /S /Launch /F (cmd.exe) >>"), "active_content"),
    "pdf-names-javascript": ("invoice.pdf", _pdf_stream_javascript(), "active_content"),
    "pdf-escaped-name": (  # /J#61vaScript is /JavaScript to every reader
        "invoice.pdf", pdf_bytes(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>"), "active_content"),
    "pdf-page-aa": ("invoice.pdf", pdf_bytes(page=b"/AA << /O << /S /JavaScript /JS (1) >> >>"), "active_content"),
    "pdf-embedded-file": (
        "invoice.pdf",
        pdf_bytes(b"/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >>",
                  b"<< /Type /Filespec /F (a.exe) /EF << /F 5 0 R >> >>",
                  b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream"),
        "active_content",
    ),
    "pdf-annotation-launch": (
        "invoice.pdf",
        pdf_bytes(b"", b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /Launch /F (x.sh) >> >>",
                  page=b"/Annots [4 0 R]"),
        "active_content",
    ),
    # --- OOXML ------------------------------------------------------------------------------
    "docx-doctype": ("report.docx", _with_entry("docx", "word/styles.xml", DTD), "xml_dtd"),
    "xlsx-billion-laughs": ("book.xlsx", _with_entry("xlsx", "xl/worksheets/sheet1.xml", LAUGHS), "xml_dtd"),
    "xlsx-entity-in-rels": (
        "book.xlsx", _with_entry("xlsx", "xl/_rels/workbook.xml.rels", b'<!ENTITY x SYSTEM "http://evil/">'), "xml_dtd"),
    "docx-utf16-xml": (
        "report.docx", _with_entry("docx", "word/styles.xml", DTD.decode().encode("utf-16")), "xml_dtd"),
    "docx-dotdot-entry": ("report.docx", _with_entry("docx", "../../x.sh", b"#!/bin/sh\n"), "archive_path"),
    "docx-absolute-entry": ("report.docx", _with_entry("docx", "/tmp/x.sh", b"#!/bin/sh\n"), "archive_path"),
    "docx-backslash-entry": ("report.docx", _with_entry("docx", "..\\..\\x.bat", b"@echo\n"), "archive_path"),
    "xlsx-nested-zip": ("book.xlsx", _with_entry("xlsx", "xl/media/inner.bin", _raw_zip([("a.txt", b"x")])), "nested_archive"),
    "xlsx-nested-gzip": ("book.xlsx", _with_entry("xlsx", "xl/media/x.bin", gzip.compress(b"x")), "nested_archive"),
    "xlsx-lying-size": ("book.xlsx", _lying_size(), "corrupt"),
    "docx-html-after-central-directory": (
        "report.docx", _PADDED_DOCX + b"<html><script>alert(1)</script></html>", "corrupt"),
    "docx-data-before-first-entry": ("report.docx", b"PK\x03\x04" + b"\0" * 26 + ooxml_bytes("docx"), "corrupt"),
    "xlsx-inflated-sheet": (  # 5 MB of one byte: over the ratio once 1 MB has inflated
        "book.xlsx", _with_entry("xlsx", "xl/worksheets/sheet2.xml", b"<a>" + b"0" * (5 * MB) + b"</a>"), "archive_bomb"),
    # --- text -------------------------------------------------------------------------------
    "txt-img-onerror": ("memo.txt", "お知らせ\n\n本文です。<img src=x onerror=alert(1)>\n".encode(), "active_content"),
    "txt-meta-refresh": (
        "memo.txt",
        ("一行目\n" * 50 + '<meta http-equiv="refresh" content="0;url=https://evil/">').encode(),
        "active_content",
    ),
    "txt-javascript-anchor": ("memo.txt", "見てください: <a href='javascript:alert(1)'>ここ</a>\n".encode(), "active_content"),
    "txt-script-late": ("memo.txt", ("x" * 5000 + "\n<script>alert(1)</script>").encode(), "active_content"),
    "txt-custom-element-handler": ("memo.txt", b"a\n<x-y onmouseover=alert(1)>b</x-y>", "active_content"),
    "csv-script-cell": ("list.csv", "氏名,部署\n山田,<script>alert(1)</script>\n".encode("cp932"), "active_content"),
    "csv-svg-onload": ("list.csv", '氏名,部署\n山田,"<svg/onload=alert(1)>"\n'.encode(), "active_content"),
}
# Text that looks a little like markup but is not: accepted.
PLAIN_TEXTS = {
    "comparison.txt": "金額 < 1000 かつ a<b の場合, 3 <= x\n".encode(),
    "email.txt": "連絡先: <yamada@example.com>\n".encode(),
    "arrows.csv": "項目,値\n矢印,<-->\n".encode(),
}


def inflating_xlsx(target: int = 204 * MB) -> bytes:
    """An .xlsx whose [Content_Types].xml inflates to ``target`` bytes (the
    issue's 2.6 MB file unpacked to 204 MB), written in chunks."""
    part, main_type = OOXML["xlsx"]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open("[Content_Types].xml", "w", force_zip64=True) as stream:
            head = (
                '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                f'<Override PartName="/{part}" ContentType="{main_type}"/>'
            ).encode()
            stream.write(head)
            filler = b"<!-- -->" * (MB // 8)
            written = len(head)
            while written < target - 8:
                piece = filler[: min(len(filler), target - 8 - written)]
                stream.write(piece)
                written += len(piece)
            stream.write(b"</Types>")
        archive.writestr(part, '<?xml version="1.0"?><workbook/>')
    return out.getvalue()
