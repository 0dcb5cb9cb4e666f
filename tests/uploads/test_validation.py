"""The shared upload module (issue 10; BBS-1 attachments, INQ attachments,
LOGO-1 logos): every allowed kind accepted by its content, every refusal by
rule with a code and a Japanese message naming it."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from tests.uploads.samples import (
    EVERYTHING,
    PDF,
    image_bytes,
    jpeg_with_exif,
    ole_bytes,
    ooxml_bytes,
    upload,
    valid_samples,
)
from uploads.policies import IMAGE_KINDS, MB, Kind, UploadPolicy
from uploads.validation import check_upload, clean_original_name

PDF_ONLY = UploadPolicy(purpose="tests.pdf", kinds=frozenset({Kind.PDF, Kind.PNG}), max_bytes=3 * MB)


def refused(name: str, content: bytes, policy: UploadPolicy = EVERYTHING) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        check_upload(upload(name, content), policy=policy)
    return info.value


@pytest.mark.parametrize("name", list(valid_samples()))
def test_every_allowed_kind_is_accepted_by_content(name):
    content = valid_samples()[name]
    checked = check_upload(upload(name, content), policy=EVERYTHING)
    assert checked.original_name == name
    assert name.lower().rsplit(".", 1)[1] in checked.kind.extensions
    assert "html" not in checked.content_type
    if checked.kind in IMAGE_KINDS:
        assert (checked.width, checked.height) == (8, 6)
    else:
        assert checked.content == content


def test_text_content_type_names_the_charset():
    assert check_upload(upload("a.csv", "名前\n".encode("cp932")), policy=EVERYTHING).content_type == (
        "text/csv; charset=Shift_JIS"
    )
    assert check_upload(upload("a.txt", b"plain"), policy=EVERYTHING).content_type == "text/plain; charset=utf-8"


def test_kind_outside_the_policy_is_refused_with_the_allowed_list():
    error = refused("memo.txt", b"hello", PDF_ONLY)
    assert error.code == "kind_not_allowed"
    assert error.messages == ["ファイルの形式が許可されていません（許可: PDF, PNG）"]


def test_svg_is_never_an_allowed_image():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert refused("logo.svg", svg).code == "kind_not_allowed"
    assert refused("logo.png", svg).code == "mismatch"
    assert refused("logo.txt", b"  " + svg).code == "active_content"


@pytest.mark.parametrize(
    "content",
    [b"<!DOCTYPE html><p>hi", b"\n  <html><body>x", b"<script>alert(1)</script>", b'<?xml version="1.0"?><svg/>'],
)
def test_html_named_txt_is_refused(content):
    error = refused("note.txt", content)
    assert error.code == "active_content"
    assert error.messages == ["HTML やスクリプトを含むファイルはアップロードできません"]


def test_zip_named_xlsx_without_content_types_is_refused():
    error = refused("book.xlsx", ooxml_bytes("xlsx", content_types=False))
    assert error.code == "mismatch"
    assert error.messages == ["ファイルの内容が拡張子（.xlsx）と一致しません"]


def test_plain_zip_named_xlsx_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert refused("book.xlsx", out.getvalue()).code == "mismatch"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("book.xlsx", ooxml_bytes("docx")),  # a real docx behind .xlsx
        ("report.doc", ole_bytes("Workbook")),  # a real xls behind .doc
        ("photo.png", image_bytes("JPEG")),  # a real JPEG behind .png
        ("report.pdf", image_bytes("PNG")),
        ("memo.txt", PDF),
        ("data.csv", image_bytes("GIF")),
    ],
)
def test_another_allowed_kind_behind_the_extension_is_refused(name, content):
    assert refused(name, content).code == "mismatch"


def test_macro_enabled_office_files_are_refused():
    macro_type = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    assert refused("book.xlsx", ooxml_bytes("xlsx", main_type=macro_type)).code == "macros"
    assert refused("doc.docx", ooxml_bytes("docx", extra={"word/vbaProject.bin": b"x"})).code == "macros"
    assert refused("report.doc", ole_bytes("WordDocument", extra_storage="Macros")).code == "macros"


def test_zip_bomb_is_refused():
    bomb = ooxml_bytes("xlsx", extra={"xl/huge.xml": b"0" * (30 * MB)})
    assert len(bomb) < 3 * MB
    error = refused("book.xlsx", bomb)
    assert error.code == "archive_bomb"


def test_broken_ole_is_refused():
    assert refused("report.doc", ole_bytes()[:600]).code == "corrupt"


def test_polyglot_html_in_a_pdf_is_refused():
    assert refused("report.pdf", b"%PDF-1.4\n<html><script>alert(1)</script>\n%%EOF").code == "active_content"


def test_pdf_without_eof_is_refused():
    assert refused("report.pdf", b"%PDF-1.4\n1 0 obj\n").code == "corrupt"


def test_gif_that_is_also_html_is_refused():
    assert refused("icon.gif", b"GIF89a<html><script>alert(1)</script>").code == "active_content"


def test_zip_appended_to_a_png_is_removed_by_re_encoding():
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w") as archive:
        archive.writestr("evil.html", "<b>x</b>")
    checked = check_upload(upload("logo.png", image_bytes("PNG") + payload.getvalue()), policy=EVERYTHING)
    assert b"PK\x03\x04" not in checked.content
    assert b"evil.html" not in checked.content
    assert Image.open(io.BytesIO(checked.content)).format == "PNG"


def test_exif_is_stripped_by_re_encoding():
    original = jpeg_with_exif()
    assert b"SecretCamera" in original
    checked = check_upload(upload("photo.jpg", original), policy=EVERYTHING)
    assert b"SecretCamera" not in checked.content
    assert not Image.open(io.BytesIO(checked.content)).getexif()


def test_animated_gif_keeps_the_first_frame():
    out = io.BytesIO()
    frames = [Image.new("P", (4, 4), color=c) for c in (1, 2, 3)]
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:])
    checked = check_upload(upload("anim.gif", out.getvalue()), policy=EVERYTHING)
    assert getattr(Image.open(io.BytesIO(checked.content)), "n_frames", 1) == 1


def test_decompression_bomb_is_refused():
    bomb = image_bytes("PNG", size=(20000, 20000))
    assert len(bomb) < 3 * MB
    error = refused("bomb.png", bomb)
    assert error.code == "too_many_pixels"
    assert error.messages[0].startswith("画像の画素数が多すぎます")


def test_pixel_limit_is_per_policy():
    small = UploadPolicy(purpose="tests.icon", kinds=IMAGE_KINDS, max_bytes=MB, max_pixels=100)
    assert check_upload(upload("a.png", image_bytes("PNG", size=(10, 10))), policy=small).width == 10
    assert refused("a.png", image_bytes("PNG", size=(10, 11)), small).code == "too_many_pixels"


def test_truncated_image_is_refused():
    whole = image_bytes("PNG", size=(64, 64))
    assert refused("cut.png", whole[: len(whole) // 2]).code == "image_broken"


def test_size_limit_exact_is_accepted_and_one_byte_more_refused():
    policy = UploadPolicy(purpose="tests.text", kinds=frozenset({Kind.TXT}), max_bytes=1000)
    assert check_upload(upload("a.txt", b"a" * 1000), policy=policy).size == 1000
    error = refused("a.txt", b"a" * 1001, policy)
    assert error.code == "too_large"
    assert error.messages == ["ファイルサイズが上限（1000 B）を超えています"]
    mb_policy = UploadPolicy(purpose="tests.mb", kinds=frozenset({Kind.TXT}), max_bytes=3 * MB)
    assert refused("a.txt", b"a" * (3 * MB + 1), mb_policy).messages == ["ファイルサイズが上限（3 MB）を超えています"]


def test_text_with_nul_or_undecodable_bytes_is_refused():
    assert refused("a.txt", b"abc\x00def").code == "text_binary"
    assert refused("a.csv", b"\xff\xfe\xfa\x80\x81").code == "text_encoding"


def test_empty_file_is_refused():
    assert refused("a.txt", b"").code == "empty"


def test_every_refusal_has_an_english_translation():
    from django.utils import translation

    with translation.override("en"):
        error = refused("a.exe", b"MZ")
        assert error.messages[0].startswith("This type of file is not allowed")


def test_original_name_is_cleaned_for_display():
    assert clean_original_name("../../etc/passwd.txt") == "passwd.txt"
    assert clean_original_name("C:\\Users\\x\\報告\x00書\u202e.pdf") == "報告書.pdf"
    long = clean_original_name("あ" * 300 + ".pdf")
    assert len(long) == 120 and long.endswith(".pdf")


def test_original_name_cleaning_found_by_the_property_tests():
    """tests/security/test_filename_properties.py found these."""
    # A cut to 120 never makes up an extension: "….pdfzzz." has none.
    cut = clean_original_name("a" * 116 + ".pdfzzz.")
    assert len(cut) <= 120 and not cut.endswith(".pdf") and cut == "a" * 116 + "_pdf"
    # Nor leaves whitespace at the cut, nor a dot-file behind a space.
    assert clean_original_name("a" * 119 + " b") == "a" * 119
    assert clean_original_name(". .hidden.pdf") == "hidden.pdf"
    # A lone surrogate (not storable as UTF-8) is dropped; an accent split
    # from its letter by a control character is composed again.
    assert clean_original_name("\ud800報告.pdf") == "報告.pdf"
    assert clean_original_name("A\x1f\u0300.pdf") == "\u00c0.pdf"


def test_policy_describes_its_limits():
    assert PDF_ONLY.describe() == "PDF, PNG（各 3 MB まで）"
    assert PDF_ONLY.accept == ".pdf,.png"
    with pytest.raises(ValueError):
        UploadPolicy(purpose="x", kinds=frozenset({Kind.PDF}), max_bytes=MB, public=True)
