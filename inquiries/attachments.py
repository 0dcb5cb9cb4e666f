"""The one place where お問い合わせ touches files (INQ-2, INQ-4, INQ-7).

Content checks, storage and the download view belong to the shared upload
module (``uploads``); this module says which policy applies, links stored
files to inquiries and messages, and registers who may download them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inquiries.models import Inquiry, InquiryAttachment, InquiryMessage
from uploads import staging
from uploads.fields import MultipleUploadField, StagedFilesField
from uploads.policies import MB, Kind, UploadPolicy
from uploads.services import UploadError, delete_files, store_file
from uploads.validation import CheckedUpload

# INQ-2: PDF, PNG, JPEG, GIF, BMP, TXT, CSV, XLSX, each at most 3 MB.
INQUIRY_ATTACHMENT = UploadPolicy(
    purpose="inquiries.attachment",
    kinds=frozenset({Kind.PDF, Kind.PNG, Kind.JPEG, Kind.GIF, Kind.BMP, Kind.TXT, Kind.CSV, Kind.XLSX}),
    max_bytes=3 * MB,
)
MAX_FILES = 5


class AttachmentError(Exception):
    """A staged file that can no longer be attached (expired, or not the sender's)."""


def form_field() -> forms.Field:
    return MultipleUploadField(
        policy=INQUIRY_ATTACHMENT, max_files=MAX_FILES, required=False, label=_("添付ファイル")
    )


def staged_field() -> forms.Field:
    """The keys of files staged at 確認, carried to 完了 and back to 入力."""
    return StagedFilesField(policy=INQUIRY_ATTACHMENT)


def _link(*, inquiry: Inquiry, message: InquiryMessage | None, files: Sequence[Any]) -> None:
    InquiryAttachment.objects.bulk_create(
        InquiryAttachment(tenant_id=inquiry.tenant_id, inquiry=inquiry, message=message, file=f) for f in files
    )


def keep_staged(*, inquiry: Inquiry, message: InquiryMessage | None, keys: Sequence[Any], user: Any) -> None:
    """完了: the files staged at 確認 become the inquiry's (uploads.staging).
    Only the sender's own staged files of this purpose qualify (a crafted
    key is refused)."""
    try:
        files = staging.claim(tenant=inquiry.tenant, keys=keys, policy=INQUIRY_ATTACHMENT, user=user)
    except UploadError as exc:
        raise AttachmentError(str(exc)) from exc
    _link(inquiry=inquiry, message=message, files=files)


def store(*, inquiry: Inquiry, message: InquiryMessage | None, files: Sequence[CheckedUpload], user: Any) -> None:
    """送信 / 回答: store the checked files, attached at once."""
    stored = [
        store_file(tenant=inquiry.tenant, upload=upload, policy=INQUIRY_ATTACHMENT, user=user)
        for upload in files
    ]
    _link(inquiry=inquiry, message=message, files=stored)


def files_of_inquiry(inquiry: Inquiry) -> list[InquiryAttachment]:
    """The files sent with the inquiry itself (not with a message)."""
    return list(inquiry.attachments.filter(message__isnull=True).select_related("file").order_by("pk"))


def with_files(messages: list[InquiryMessage]) -> list[InquiryMessage]:
    """Give each message its ``files`` in one query for the whole thread."""
    by_message: dict[int, list[InquiryAttachment]] = defaultdict(list)
    if messages:
        rows = InquiryAttachment.objects.filter(message__in=[m.pk for m in messages]).select_related("file")
        for row in rows.order_by("pk"):
            by_message[row.message_id].append(row)
    for message in messages:
        message.files = by_message[message.pk]  # type: ignore[attr-defined]
    return messages


def delete_for_inquiries(inquiries: Sequence[Inquiry]) -> list[InquiryAttachment]:
    """Delete every attachment of these inquiries (rows and bytes, through the
    upload module); returns the deleted rows for the audit trail."""
    rows = list(
        InquiryAttachment.objects.filter(inquiry__in=[i.pk for i in inquiries]).select_related("file")
    )
    delete_files(files=[row.file for row in rows])
    return rows


def audit_data(attachment: InquiryAttachment) -> dict[str, Any]:
    return {
        "inquiry": attachment.inquiry_id,
        "name": attachment.file.original_name,
        "size": attachment.file.size,
    }


def may_download(user: Any, stored_file: Any) -> bool:
    """Download rule for the tenant's members (registered in
    InquiriesConfig.ready, with the permission operators need): a customer
    may when they may see the inquiry (a ユーザ: the ones they filed; a 管理者:
    the tenant's); a staged file only its uploader (the 確認 page's links)."""
    if user.tenant_id != stored_file.tenant_id:
        return False
    links = InquiryAttachment.objects.filter(tenant_id=user.tenant_id, file=stored_file)
    if not links.exists():
        return not stored_file.attached and stored_file.created_by_id == user.pk
    if user.role == user.Role.ADMIN:
        return True
    return links.filter(Q(inquiry__created_by=user)).exists()
