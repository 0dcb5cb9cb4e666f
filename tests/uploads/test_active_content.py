"""Issue 21, finding 6: uploads without active content. Every file of the
active corpus (tests/uploads/active_corpus.py: PDFs that script, launch,
embed or act on their own; OOXML with a DTD or entity, a path leaving the
package, a nested archive, a lying size, bytes around the zip; text with
HTML or script anywhere) is refused with its code; look-alike plain text is
accepted; and the 204 MB content-types bomb is refused without being
inflated into memory."""

from __future__ import annotations

import io
import random
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError

from tests.uploads.active_corpus import ACTIVE_CORPUS, PLAIN_TEXTS, inflating_xlsx
from tests.uploads.samples import OOXML, upload
from uploads import containers
from uploads.policies import ALL_KINDS, MB, Kind, UploadPolicy
from uploads.validation import check_upload

POLICY = UploadPolicy(purpose="tests.active", kinds=ALL_KINDS, max_bytes=5 * MB)


def _code(name: str, content: bytes) -> str | None:
    try:
        check_upload(upload(name, content), policy=POLICY)
    except ValidationError as exc:
        return exc.code
    return None


@pytest.mark.parametrize("case", list(ACTIVE_CORPUS))
def test_issue21_active_content_is_refused(case):
    name, content, code = ACTIVE_CORPUS[case]
    assert _code(name, content) == code


@pytest.mark.parametrize("name", list(PLAIN_TEXTS))
def test_issue21_text_that_only_looks_like_markup_is_accepted(name):
    assert _code(name, PLAIN_TEXTS[name]) is None


def test_issue21_the_pdf_is_parsed_not_grepped():
    """The PDF check follows references into object streams the bytes do
    not show: /JavaScript inside a compressed object stream is found."""
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(
        DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("x")})
    )
    writer.compress_identical_objects()
    out = io.BytesIO()
    writer.write(out)
    content = out.getvalue()
    assert _code("a.pdf", content) == "active_content"
    plain = io.BytesIO()
    (clean := PdfWriter()).add_blank_page(100, 100)
    clean.write(plain)
    assert _code("a.pdf", plain.getvalue()) is None


def _peak(function) -> int:
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_issue21_the_content_types_bomb_is_refused_without_inflating_it():
    """The issue's .xlsx whose [Content_Types].xml unpacks to 204 MB: refused
    after at most MAX_CONTENT_TYPES bytes, in a few MB of memory (it used to
    be read whole: the server grew by 230 MB)."""
    content = inflating_xlsx()
    assert len(content) < POLICY.max_bytes
    peak = _peak(lambda: pytest.raises(ValidationError, containers.check_ooxml, content, Kind.XLSX, "xlsx"))
    assert _code("bomb.xlsx", content) == "archive_bomb"
    assert peak < 4 * MB, peak


def worst_accepted_xlsx() -> bytes:
    """About the largest .xlsx the checks accept within a 5 MB policy: one
    sheet of 60 MB (under MAX_XML_PART) at a ratio under MAX_RATIO."""
    part, main_type = OOXML["xlsx"]
    rng = random.Random(21)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Override PartName="/{part}" ContentType="{main_type}"/></Types>',
        )
        archive.writestr(part, "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as stream:
            stream.write(b"<worksheet><sheetData>")
            row = 0
            while row < 500_000:
                rows = "".join(
                    f'<row r="{r}"><c><v>{rng.randrange(10**4)}</v></c>' + "<c><v>0</v></c>" * 5 + "</row>"
                    for r in range(row, row + 1000)
                )
                stream.write(rows.encode())
                row += 1000
            stream.write(b"</sheetData></worksheet>")
    return out.getvalue()


def test_issue21_memory_peak_of_the_worst_accepted_upload():
    """The figure in docs/security.md: checking the worst accepted .xlsx
    holds one 64 KB chunk at a time, not the sheet."""
    content = worst_accepted_xlsx()
    assert len(content) <= POLICY.max_bytes
    info = zipfile.ZipFile(io.BytesIO(content)).getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size > 40 * MB
    peak = _peak(lambda: containers.check_ooxml(content, Kind.XLSX, "xlsx"))
    assert peak < 4 * MB, peak
