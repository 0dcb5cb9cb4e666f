"""Files kept between 確認 and 完了: the one stager every chapter uses (issue 19).

A browser cannot post a file input again, so a form's files are checked and
stored as *staged* ``StoredFile`` rows as soon as they arrive (at 確認, or
with an input error); the pages carry their keys in hidden inputs (or in
checkboxes on the input page, to drop one), and 完了 claims them in the
change's own transaction. Staged files never claimed are purged after a day
(``services.purge_staged_files``).

Keys come back from the browser, so they are user input: ``parse_keys``
accepts only the kit's own format (a UUID), and ``staged_files`` / ``claim``
only files still staged, of this tenant, this purpose and this uploader. The
form field ``uploads.fields.StagedFilesField`` turns every other key into a
Japanese form error, never a 500 (issue 21, finding 8).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tenants.models import Tenant
from uploads.models import StoredFile
from uploads.policies import UploadPolicy
from uploads.services import UploadError, attach_files, store_file
from uploads.validation import CheckedUpload

EXPIRED = _("添付ファイルの有効期限が切れました。もう一度選択してください。")
MALFORMED = _("添付ファイルの指定が正しくありません。もう一度選択してください。")


def stage(*, tenant: Tenant, uploads: Iterable[CheckedUpload], policy: UploadPolicy, user: Any) -> list[StoredFile]:
    """Keep checked files as staged until 完了 (or the purge)."""
    return [store_file(tenant=tenant, upload=u, policy=policy, user=user, staged=True) for u in uploads]


def parse_keys(values: Iterable[object]) -> list[uuid.UUID]:
    """Posted keys as UUIDs, in order, without repeats and blanks; ValueError
    when one is not the kit's format (a crafted ``Fuzz``)."""
    keys = []
    for value in values:
        text = str(value).strip()
        if not text:
            continue
        if len(text) > 36:  # uuid.UUID also takes braces and URNs; we write 36 characters
            raise ValueError(text)
        keys.append(uuid.UUID(text))
    return list(dict.fromkeys(keys))


def _uploader(user: Any) -> dict[str, Any]:
    return {"created_by": user} if getattr(user, "is_authenticated", False) else {"created_by__isnull": True}


def _still_staged(*, tenant: Tenant, keys: list[uuid.UUID], policy: UploadPolicy, user: Any):  # noqa: ANN202
    return StoredFile.objects.filter(
        tenant=tenant, key__in=keys, purpose=policy.purpose, attached=False, **_uploader(user)
    )


def staged_files(
    *, tenant: Tenant, keys: Iterable[uuid.UUID], policy: UploadPolicy, user: Any
) -> list[StoredFile]:
    """The uploader's still-staged files of ``keys``, in the order given; any
    other key (unknown, purged, attached, another tenant's, another user's,
    another purpose's) is left out."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return []
    found = {f.key: f for f in _still_staged(tenant=tenant, keys=keys, policy=policy, user=user)}
    return [found[k] for k in keys if k in found]


@transaction.atomic
def claim(
    *, tenant: Tenant, keys: Iterable[uuid.UUID], policy: UploadPolicy, user: Any
) -> list[StoredFile]:
    """At 完了, inside the change's transaction: the staged files become
    attached, in the order given. Every key must still be a staged file of
    this uploader (rows locked, so two 完了 cannot both claim one);
    otherwise ``UploadError`` and nothing is attached."""
    try:
        keys = parse_keys(keys)
    except ValueError:
        raise UploadError(MALFORMED) from None
    if not keys:
        return []
    locked = list(_still_staged(tenant=tenant, keys=keys, policy=policy, user=user).select_for_update())
    if len(locked) != len(keys):
        raise UploadError(EXPIRED)
    files = {f.key: f for f in attach_files(tenant=tenant, keys=keys, purpose=policy.purpose)}
    return [files[k] for k in keys]
