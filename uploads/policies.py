"""What a chapter may accept: the kinds of file and the limits, as data.

Each chapter declares its own ``UploadPolicy`` constants (BULLETIN_ATTACHMENT,
LINK_ICON, …) and passes them to the form fields and ``store_file``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _

KB = 1024
MB = 1024 * 1024


class Kind(StrEnum):
    PDF = "pdf"
    DOC = "doc"
    DOCX = "docx"
    XLS = "xls"
    XLSX = "xlsx"
    PPT = "ppt"
    PPTX = "pptx"
    TXT = "txt"
    CSV = "csv"
    JPEG = "jpeg"
    PNG = "png"
    GIF = "gif"
    BMP = "bmp"

    @property
    def label(self) -> str:
        return "JPEG" if self is Kind.JPEG else self.value.upper()

    @property
    def extensions(self) -> tuple[str, ...]:
        """Accepted name endings (compared case-insensitively); the first is the stored one."""
        return ("jpg", "jpeg") if self is Kind.JPEG else (self.value,)

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self]


CONTENT_TYPES: dict[Kind, str] = {
    Kind.PDF: "application/pdf",
    Kind.DOC: "application/msword",
    Kind.XLS: "application/vnd.ms-excel",
    Kind.PPT: "application/vnd.ms-powerpoint",
    Kind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    Kind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Kind.PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    Kind.TXT: "text/plain",
    Kind.CSV: "text/csv",
    Kind.JPEG: "image/jpeg",
    Kind.PNG: "image/png",
    Kind.GIF: "image/gif",
    Kind.BMP: "image/bmp",
}

IMAGE_KINDS = frozenset({Kind.JPEG, Kind.PNG, Kind.GIF, Kind.BMP})
OFFICE_KINDS = frozenset({Kind.DOC, Kind.DOCX, Kind.XLS, Kind.XLSX, Kind.PPT, Kind.PPTX})
TEXT_KINDS = frozenset({Kind.TXT, Kind.CSV})
DOCUMENT_KINDS = OFFICE_KINDS | TEXT_KINDS | {Kind.PDF}
ALL_KINDS = DOCUMENT_KINDS | IMAGE_KINDS

# 40 megapixels: any photo a phone takes, far below what would exhaust memory.
DEFAULT_MAX_PIXELS = 40_000_000


def kind_for_extension(extension: str) -> Kind | None:
    extension = extension.lower()
    return next((kind for kind in Kind if extension in kind.extensions), None)


def format_size(size: int) -> str:
    if size >= MB and size % MB == 0:
        return f"{size // MB} MB"
    if size >= MB:
        return f"{size / MB:.1f} MB"
    if size >= KB:
        return f"{size // KB} KB"
    return f"{size} B"


@dataclass(frozen=True)
class UploadPolicy:
    """Where a file is used (``purpose``, a dotted name such as
    ``bulletin.attachment``) and what is accepted there. ``public`` files are
    served without login (only the login-page logo needs that)."""

    purpose: str
    kinds: frozenset[Kind]
    max_bytes: int
    max_pixels: int = DEFAULT_MAX_PIXELS
    public: bool = False

    def __post_init__(self) -> None:
        if not self.kinds or not self.purpose or self.max_bytes <= 0:
            raise ValueError("An upload policy needs a purpose, kinds and a size limit.")
        if self.public and not self.kinds <= IMAGE_KINDS:
            # A public URL is for a logo in an <img>; documents stay behind login.
            raise ValueError("Only images can be public.")

    @property
    def sorted_kinds(self) -> list[Kind]:
        return [kind for kind in Kind if kind in self.kinds]

    def kinds_label(self) -> str:
        return ", ".join(kind.label for kind in self.sorted_kinds)

    def describe(self) -> str:
        """The limits as the page states them, e.g. 「PDF, PNG（各 3 MB まで）」."""
        return _("%(kinds)s（各 %(size)s まで）") % {
            "kinds": self.kinds_label(),
            "size": format_size(self.max_bytes),
        }

    @property
    def accept(self) -> str:
        """The file picker's ``accept`` attribute: a hint only, never a check."""
        return ",".join(f".{ext}" for kind in self.sorted_kinds for ext in kind.extensions)
