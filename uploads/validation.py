"""check_upload: the one gate every uploaded file passes, by content not by name.

Order: size (before reading), extension against the policy, the content's
family by its magic bytes against the extension, HTML/script markers, then the
kind's own check (container structure, text decoding, image re-encoding).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.files.uploadedfile import UploadedFile

from uploads import containers
from uploads.errors import refuse
from uploads.images import reencode_image
from uploads.policies import (
    IMAGE_KINDS,
    TEXT_KINDS,
    Kind,
    UploadPolicy,
    format_size,
    kind_for_extension,
)

MAX_NAME_LENGTH = 120
MAX_SUFFIX_LENGTH = 16
# Control (NUL, CR, LF…), format (RTL override, zero-width…), lone surrogates
# (not storable as UTF-8) and the line/paragraph separators.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# "BM" alone would also start a text such as "BMW…": require a DIB header size too.
_BMP_HEADER_SIZES = {n.to_bytes(4, "little") for n in (12, 40, 52, 56, 64, 108, 124)}

# The content family each kind must show in its first bytes.
_FAMILY = {
    Kind.PDF: "pdf",
    Kind.DOC: "ole", Kind.XLS: "ole", Kind.PPT: "ole",
    Kind.DOCX: "zip", Kind.XLSX: "zip", Kind.PPTX: "zip",
    Kind.TXT: "text", Kind.CSV: "text",
    Kind.JPEG: "jpeg", Kind.PNG: "png", Kind.GIF: "gif", Kind.BMP: "bmp",
}  # fmt: skip


@dataclass(frozen=True)
class CheckedUpload:
    """A file that passed ``check_upload``; ``content`` is what gets stored
    (for images: the re-encoded bytes, without metadata)."""

    original_name: str
    kind: Kind
    content_type: str
    content: bytes
    width: int | None = None
    height: int | None = None

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def extension(self) -> str:
        return self.kind.extensions[0]


def clean_original_name(name: str) -> str:
    """The name for display only: no folders, no control, format or surrogate
    characters, never a dot-file, capped (keeping the extension; a cut never
    makes up an extension the name did not have)."""
    # Drop first, then compose: a dropped character between a letter and its
    # accent would otherwise leave the pair uncomposed.
    name = "".join(ch for ch in name or "" if unicodedata.category(ch) not in _DROPPED_CATEGORIES)
    name = unicodedata.normalize("NFC", name)
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    while name.startswith("."):
        name = name.lstrip(".").lstrip()
    name = name or "file"
    if len(name) > MAX_NAME_LENGTH:
        suffix = PurePosixPath(name).suffix
        if suffix and len(suffix) <= MAX_SUFFIX_LENGTH:
            name = name[: MAX_NAME_LENGTH - len(suffix)].rstrip() + suffix
        else:
            name = name[:MAX_NAME_LENGTH].rstrip()
            cut_suffix = PurePosixPath(name).suffix
            if cut_suffix:  # "….pdfzzz." cut to "….pdf": not an extension it had
                name = f"{name[: -len(cut_suffix)]}_{cut_suffix[1:]}"
    return name


def sniff_family(content: bytes) -> str:
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if content.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if content.startswith(b"BM") and content[14:18] in _BMP_HEADER_SIZES:
        return "bmp"
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(containers.OLE_SIGNATURE):
        return "ole"
    if content.startswith(containers.ZIP_SIGNATURE):
        return "zip"
    return "text"


def check_upload(file: UploadedFile, *, policy: UploadPolicy) -> CheckedUpload:
    """Validate one uploaded file against the policy; raises ValidationError
    (Japanese message naming the rule, with a ``code``)."""
    if file.size is not None and file.size > policy.max_bytes:
        raise refuse("too_large", limit=format_size(policy.max_bytes))
    original_name = clean_original_name(file.name or "")
    extension = PurePosixPath(original_name).suffix.lstrip(".").lower()
    kind = kind_for_extension(extension) if extension else None
    if kind is None or kind not in policy.kinds:
        raise refuse("kind_not_allowed", allowed=policy.kinds_label())

    file.seek(0)
    content = file.read(policy.max_bytes + 1)
    if len(content) > policy.max_bytes:
        raise refuse("too_large", limit=format_size(policy.max_bytes))
    if not content:
        raise refuse("empty")

    if sniff_family(content) != _FAMILY[kind]:
        raise refuse("mismatch", extension=extension)
    if kind not in TEXT_KINDS and containers.has_active_marker(content):
        raise refuse("active_content")

    content_type = kind.content_type
    width = height = None
    if kind in IMAGE_KINDS:
        content, width, height = reencode_image(content, kind, max_pixels=policy.max_pixels, extension=extension)
    elif kind in TEXT_KINDS:
        content_type = f"{content_type}; charset={containers.check_text(content)}"
    elif kind is Kind.PDF:
        containers.check_pdf(content, extension)
    elif _FAMILY[kind] == "ole":
        containers.check_ole(content, kind, extension)
    else:
        containers.check_ooxml(content, kind, extension)
    return CheckedUpload(
        original_name=original_name,
        kind=kind,
        content_type=content_type,
        content=content,
        width=width,
        height=height,
    )
