"""Property tests of the upload module's file names (issue 15): the name kept
for display (``uploads.validation.clean_original_name``) and the
Content-Disposition of downloads (``uploads.views.content_disposition``).

Hypothesis generates any text (surrogates, NUL, CR/LF, RTL override,
zero-width and combining marks, path separators, ``..``, names far over the
limit); the properties: the kept name has no folder, no control or format
character, stays within the limit, is never a dot-file, is stable when
cleaned again, and never gains or changes an extension; the header is one
well-formed ASCII line whose ``filename*`` (RFC 5987) gives back the name.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.uploads.samples import PDF
from uploads.access import register_download_rule, unregister_download_rule
from uploads.policies import ALL_KINDS, MB, Kind, UploadPolicy, kind_for_extension
from uploads.services import store_file
from uploads.validation import MAX_NAME_LENGTH, check_upload, clean_original_name
from uploads.views import content_disposition

# Any code point, surrogates included, with the awkward ones made likely.
AWKWARD = st.sampled_from(
    ["/", "\\", "..", ".", "\0", "\r", "\n", "\r\n", "\t", "\u202e", "\u200f", "\u200b", "\ufeff",
     "\u2028", "\u3000", " ", '"', ";", "%", "'", "\u0301", "\ud800", "\x7f", "\x85", "日本語", "ｱ"]
)  # fmt: skip
ANY_NAME = st.lists(st.text(max_size=40) | AWKWARD, max_size=12).map("".join) | st.text(
    min_size=100, max_size=400
)
EXTENSIONS = sorted(ext for kind in Kind for ext in kind.extensions)
EXTENSION = st.sampled_from(EXTENSIONS).flatmap(
    lambda ext: st.sampled_from([ext, ext.upper(), ext.capitalize()])
)
FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}
ATTR_CHAR = r"[A-Za-z0-9!#$&+\-.^_`|~]"
HEADER = re.compile(
    rf"(attachment|inline); filename=\"([A-Za-z0-9._-]+)\"; filename\*=UTF-8''((?:{ATTR_CHAR}|%[0-9A-F]{{2}})+)"
)
POLICY = UploadPolicy(purpose="security.names", kinds=ALL_KINDS, max_bytes=MB)


def _suffix(name: str) -> str:
    return PurePosixPath(name).suffix.lower() if "/" not in name else ""


@settings(max_examples=600)
@given(ANY_NAME)
@example("../../etc/passwd")
@example("..\\..\\windows\\system32\\cmd.exe")
@example("invoice\u202efdp.exe")
@example("a\r\nContent-Type: text/html\r\n\r\n.pdf")
@example("\0.pdf")
@example("..")
@example("x" * 1000 + ".pdf")
def test_kept_name_is_one_plain_component_within_the_limit(name):
    kept = clean_original_name(name)
    assert kept and len(kept) <= MAX_NAME_LENGTH
    assert "/" not in kept and "\\" not in kept
    assert not kept.startswith(".")  # never "." / ".." / a dot-file
    assert kept == kept.strip()
    assert not {unicodedata.category(ch) for ch in kept} & FORBIDDEN_CATEGORIES
    assert unicodedata.is_normalized("NFC", kept)
    assert clean_original_name(kept) == kept  # stable: cleaning again changes nothing


@settings(max_examples=400)
@given(ANY_NAME, EXTENSION)
@example("x" * 300, "pdf")
@example("a/", "pdf")
@example("evil\u202e", "png")
def test_the_extension_is_kept_or_the_file_has_none(stem, ext):
    """The policy is applied to the kept name's extension: it is the one the
    browser sent, or none at all (then the file is refused), never another."""
    kept = clean_original_name(f"{stem}.{ext}")
    assert kind_for_extension(_suffix(kept).lstrip(".")) in (kind_for_extension(ext), None)
    last = re.split(r"[/\\]", stem)[-1]
    if any(ch.isalnum() for ch in last):  # a real stem: the extension survives as sent
        assert kept.endswith(f".{ext}")


@settings(max_examples=300)
@given(
    st.integers(min_value=90, max_value=140),
    st.sampled_from(["a", "日", "a b"]),
    EXTENSION,
    st.sampled_from([".", "zzz.", "x.", " .", ".\u202e", "\u200b."]),
)
def test_cutting_a_long_name_never_makes_up_an_extension(length, unit, ext, tail):
    """A name without an extension stays without one when cut to the limit,
    wherever the cut falls (e.g. ``aaa….pdfzzz.`` must not become ``aaa….pdf``)."""
    name = (unit * length)[:length] + f".{ext}{tail}"
    kept = clean_original_name(name)
    raw_kind = kind_for_extension(_suffix(name.rstrip(" \u200b\u202e")).lstrip("."))
    assert kind_for_extension(_suffix(kept).lstrip(".")) in (raw_kind, None)
    assert raw_kind is None  # the tails leave no extension


def _check_header(value: str, name: str) -> None:
    assert value.isascii() and value.isprintable()  # no CR, LF, NUL, nothing to fold
    match = HEADER.fullmatch(value)
    assert match, value
    assert unquote(match.group(3), errors="strict") == name  # RFC 5987: the exact name back
    fallback = match.group(2)
    assert not fallback.startswith(".")
    response = HttpResponse()
    response["Content-Disposition"] = value  # Django's own header checks pass
    assert response["Content-Disposition"] == value


@settings(max_examples=600)
@given(ANY_NAME, st.sampled_from(["attachment", "inline"]))
@example('日本.日"', "attachment")
@example("報告書.pdf", "attachment")
@example("a\r\nSet-Cookie: x=1.pdf", "inline")
def test_download_header_is_well_formed_for_any_kept_name(name, disposition):
    kept = clean_original_name(name)
    value = content_disposition(disposition, kept)
    assert value.startswith(f"{disposition}; ")
    _check_header(value, kept)
    fallback_suffix = _suffix(HEADER.fullmatch(value).group(2))
    if _suffix(kept).isascii() and re.fullmatch(r"\.[a-z0-9]+", _suffix(kept)):
        assert fallback_suffix == _suffix(kept)  # the fallback keeps a plain extension


@settings(max_examples=300)
@given(ANY_NAME)
@example("a\r\nX-Injected: 1")
@example("\ud800.pdf")
def test_download_header_is_safe_even_for_a_raw_name(name):
    """Names reach the header only through clean_original_name; the header
    is safe on its own all the same (a row written by other code)."""
    value = content_disposition("attachment", name)
    assert value.isascii() and value.isprintable()
    assert HEADER.fullmatch(value) or not name, value
    response = HttpResponse()
    response["Content-Disposition"] = value
    assert response["Content-Disposition"] == value


@pytest.fixture
def names_rule():
    register_download_rule(POLICY.purpose, lambda user, f: user.tenant_id == f.tenant_id)
    yield
    unregister_download_rule(POLICY.purpose)


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=ANY_NAME)
@example(name="../../報告\u202efdp.exe\r\n.pdf")
def test_a_stored_file_under_any_name_downloads_with_its_kept_name(
    name, tenant_a, alice, client, names_rule, settings, tmp_path
):
    """End to end: checked, stored under a server-made name, downloaded."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # A stem the kept name keeps (the test above covers the rest). Django's
    # UploadedFile takes the base name and caps it at 255 first, as for a
    # request, cutting the stem's end: the name is cut here so the "x" stays
    # (a random run cut it, leaving "…\\.pdf", rightly refused as a dot-file
    # once the folder before the backslash is dropped).
    upload = SimpleUploadedFile(f"{name[:250]}x.pdf", PDF)
    kept = clean_original_name(upload.name)
    checked = check_upload(upload, policy=POLICY)
    assert checked.original_name == kept
    stored = store_file(tenant=tenant_a, upload=checked, policy=POLICY, user=alice)
    assert re.fullmatch(rf"t/{tenant_a.pk}/security.names/[0-9a-f-]{{36}}\.pdf", stored.name)
    assert stored.original_name == kept
    client.force_login(alice)
    response = client.get(reverse("uploads:download", args=[stored.key]))
    assert response.status_code == 200
    _check_header(response["Content-Disposition"], kept)
