"""What an article may carry (BBS-1; manual 9.1 「office ファイルや画像ファイル」).

Office documents (Word, Excel, PowerPoint, old and new formats) and images,
as the manual says, plus PDF: 「や」 lists examples rather than a closed set,
and PDF is how most notices are distributed. Not text/CSV: the board's body
is the text. 5 MB a file and 5 files an article (25 MB at most): enough for
a slide deck or a scanned form, small enough that one article never strains
the storage; the mail never carries the files, only a link to the board.
"""

from __future__ import annotations

from typing import Any

from uploads.models import StoredFile
from uploads.policies import IMAGE_KINDS, MB, OFFICE_KINDS, Kind, UploadPolicy

MAX_ATTACHMENTS = 5

BULLETIN_ATTACHMENT = UploadPolicy(
    purpose="bulletin.attachment",
    kinds=OFFICE_KINDS | IMAGE_KINDS | {Kind.PDF},
    max_bytes=5 * MB,
)


def can_download_attachment(user: Any, stored_file: StoredFile) -> bool:
    """Any member of the tenant may download an article's attachment (BBS-5);
    a file still staged between 確認 and 完了 only its uploader (the 確認
    preview). Operators (no tenant) never: the board is the tenant's own, so
    the registration names no operator permission (uploads answers 404)."""
    tenant_id = getattr(user, "tenant_id", None)
    if tenant_id is None or tenant_id != stored_file.tenant_id:
        return False
    return stored_file.attached or stored_file.created_by_id == user.pk
