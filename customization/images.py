"""Every touch of the shared upload module, in one place (uploads.*).

Screens stage the checked image at 確認 (``stage``) and the service claims it
at 完了 (``claim_staged``); URLs come from the module's download views. No
content check, storage or download view of our own lives here.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from customization.rules import RuleError
from tenants.models import Tenant
from uploads.models import StoredFile
from uploads.policies import UploadPolicy
from uploads.services import attach_files, delete_files, store_file
from uploads.validation import CheckedUpload

STAGED_EXPIRED = _("選択した画像の有効期限が切れました。もう一度画像を選択してください。")


def stage(*, tenant: Tenant, upload: CheckedUpload, policy: UploadPolicy, user: Any) -> str:
    """Store a checked image as staged (between 確認 and 完了); returns its key."""
    return str(store_file(tenant=tenant, upload=upload, policy=policy, user=user, staged=True).key)


def claim_staged(*, tenant: Tenant, key: str, policy: UploadPolicy) -> StoredFile:
    """The staged file behind ``key``, attached. Only a still-staged file of
    this tenant and this purpose qualifies: a key from another form, another
    tenant or an already used file is refused like an expired one."""
    stored = (
        StoredFile.objects.filter(
            tenant=tenant, key=key, purpose=policy.purpose, attached=False
        ).first()
        if _is_uuid(key)
        else None
    )
    if stored is None:
        raise RuleError(STAGED_EXPIRED)
    return attach_files(tenant=tenant, keys=[stored.key], purpose=policy.purpose)[0]


def discard(files: list[StoredFile | None]) -> None:
    """Remove replaced or deleted images (rows now, bytes after commit)."""
    files = [f for f in files if f is not None]
    if files:
        delete_files(files=files)


def file_url(stored: StoredFile, *, public: bool = False) -> str:
    return key_url(stored.key, public=public)


def key_url(key: object, *, public: bool = False) -> str:
    """The module's URL of a file: public (no login) or tenant-checked."""
    return reverse("uploads:public" if public else "uploads:download", args=[key])


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def staged_url(key: str) -> str:
    """The 確認 page's preview of a staged image (tenant-checked download)."""
    return key_url(key)
