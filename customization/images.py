"""Every touch of the shared upload module, in one place (uploads.*).

Screens stage the checked image at 確認 and carry its key
(uploads.staging, uploads.fields.StagedFilesField); the service claims it at
完了 (``claim_staged``); URLs come from the module's download views. No
content check, storage, stager or download view of our own lives here.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from customization.rules import RuleError
from tenants.models import Tenant
from uploads import staging
from uploads.models import StoredFile
from uploads.policies import UploadPolicy
from uploads.services import UploadError, delete_files

STAGED_EXPIRED = _("選択した画像の有効期限が切れました。もう一度画像を選択してください。")


def claim_staged(*, tenant: Tenant, key: str, policy: UploadPolicy, user: Any) -> StoredFile:
    """The image ``user`` staged under ``key``, attached. Only a still-staged
    file of this tenant, purpose and uploader qualifies: a malformed key, a
    key from another form, tenant or admin, or an already used file is
    refused like an expired one."""
    try:
        keys = staging.parse_keys([key])
        if keys:
            return staging.claim(tenant=tenant, keys=keys, policy=policy, user=user)[0]
    except (ValueError, UploadError):
        pass
    raise RuleError(STAGED_EXPIRED)


def discard(files: list[StoredFile | None]) -> None:
    """Remove replaced or deleted images (rows now, bytes after commit)."""
    files = [f for f in files if f is not None]
    if files:
        delete_files(files=files)


def file_url(stored: StoredFile, *, public: bool = False) -> str:
    return key_url(stored.key, public=public)


def key_url(key: object, *, public: bool = False) -> str:
    """The module's URL of a stored file's key (from our own rows, never
    from a request): public (no login) or tenant-checked."""
    return reverse("uploads:public" if public else "uploads:download", args=[key])
