"""Every state change of stored files: store (staged or attached), attach at
完了, delete (rows and bytes), purge stale staged files."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from audit.services import record, record_many
from tenants.models import Tenant
from tenants.scoping import operator_scope, tenant_scope
from uploads.models import StoredFile
from uploads.policies import UploadPolicy
from uploads.validation import CheckedUpload

STAGED_LIFETIME = timedelta(days=1)
PURGE_BATCH = 500


class UploadError(Exception):
    """A domain error the view turns into a form error."""


def storage_name(*, tenant_id: int, purpose: str, key: uuid.UUID, extension: str) -> str:
    folder = re.sub(r"[^a-z0-9_.-]", "_", purpose.lower())
    return f"t/{tenant_id}/{folder}/{key}.{extension}"


@transaction.atomic
def store_file(
    *,
    tenant: Tenant,
    upload: CheckedUpload,
    policy: UploadPolicy,
    user: Any = None,
    staged: bool = False,
) -> StoredFile:
    """Save the checked bytes under a server-made name and record the row.

    ``staged=True`` at 確認 (the row waits for ``attach_files`` at 完了 and is
    purged after a day otherwise)."""
    if upload.kind not in policy.kinds:
        raise UploadError(_("ファイルの形式が許可されていません"))
    key = uuid.uuid4()
    name = default_storage.save(
        storage_name(tenant_id=tenant.pk, purpose=policy.purpose, key=key, extension=upload.extension),
        ContentFile(upload.content),
    )
    stored = StoredFile.objects.create(
        tenant=tenant,
        key=key,
        purpose=policy.purpose,
        name=name,
        original_name=upload.original_name,
        content_type=upload.content_type,
        size=upload.size,
        width=upload.width,
        height=upload.height,
        public=policy.public,
        attached=not staged,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    if getattr(user, "is_authenticated", False):
        record(action="uploads.file.stored", actor=user, tenant=tenant, target=stored,
               data={"purpose": stored.purpose, "size": stored.size})
    return stored


@transaction.atomic
def attach_files(
    *, tenant: Tenant, keys: Iterable[uuid.UUID | str], purpose: str | None = None
) -> list[StoredFile]:
    """Mark staged files as attached (at 完了). Every key must be a file of
    this tenant (and purpose, when given); a purged or foreign key is an error."""
    wanted = {uuid.UUID(str(k)) for k in keys}
    if not wanted:
        return []
    with tenant_scope(tenant):
        files = StoredFile.objects.filter(tenant=tenant, key__in=wanted)
        if purpose is not None:
            files = files.filter(purpose=purpose)
        found = list(files.select_for_update())
        if {f.key for f in found} != wanted:
            raise UploadError(_("添付ファイルの有効期限が切れました。もう一度選択してください"))
        StoredFile.objects.filter(pk__in=[f.pk for f in found], attached=False).update(attached=True)
    for f in found:
        f.attached = True
    return found


@transaction.atomic
def delete_files(*, files: Iterable[StoredFile], user: Any = None) -> int:
    """Delete rows in one query; the bytes go after commit (uploads.signals)."""
    targets = list(files)
    if not targets:
        return 0
    if getattr(user, "is_authenticated", False):
        record_many(action="uploads.file.deleted", actor=user, targets=targets,
                    data=lambda f: {"purpose": f.purpose, "name": f.original_name})
    by_tenant: dict[int, list[int]] = defaultdict(list)
    for f in targets:
        by_tenant[f.tenant_id].append(f.pk)
    deleted = 0
    for tenant_id, pks in by_tenant.items():
        with tenant_scope(tenant_id):
            deleted += StoredFile.objects.filter(pk__in=pks).delete()[1].get(StoredFile._meta.label, 0)
    return deleted


def purge_staged_files(*, now: datetime, batch_size: int = PURGE_BATCH) -> int:
    """Delete staged files left for more than a day (a 確認 never confirmed).
    Batched, each batch its own transaction; rerunning finds nothing left."""
    purged = 0
    cutoff = now - STAGED_LIFETIME
    with operator_scope():
        while True:
            with transaction.atomic():
                batch = list(
                    StoredFile.objects.filter(attached=False, created_at__lt=cutoff)
                    .order_by("pk")
                    .select_for_update(skip_locked=True)
                    .values_list("pk", flat=True)[:batch_size]
                )
                if not batch:
                    return purged
                StoredFile.objects.filter(pk__in=batch, attached=False).delete()
            purged += len(batch)
