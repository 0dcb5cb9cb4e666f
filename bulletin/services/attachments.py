"""Attachments of articles, through the shared upload module (uploads/):
the module checks, stores, serves and deletes the files; this file only says
which files belong to which articles."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bulletin.models import Article, Attachment
from bulletin.policies import BULLETIN_ATTACHMENT, MAX_ATTACHMENTS
from bulletin.services.errors import BulletinError
from tenants.models import Tenant
from uploads.models import StoredFile
from uploads.services import UploadError, attach_files, delete_files, store_file
from uploads.validation import CheckedUpload

EXPIRED = gettext_lazy("添付ファイルの有効期限が切れました。もう一度選択してください。")


def stage_uploads(*, tenant: Tenant, user: object, uploads: Iterable[CheckedUpload]) -> list[StoredFile]:
    """At 確認 (or on an input error): keep checked files as staged, so the
    admin does not choose them again; they are attached at 完了 or purged."""
    return [
        store_file(tenant=tenant, upload=upload, policy=BULLETIN_ATTACHMENT, user=user, staged=True)
        for upload in uploads
    ]


def staged_files(*, tenant: Tenant, keys: Iterable[uuid.UUID]) -> list[StoredFile]:
    """The tenant's staged bulletin files of ``keys``, in the order given;
    keys that are unknown, attached or purged are left out."""
    keys = list(dict.fromkeys(keys))
    found = {
        f.key: f
        for f in StoredFile.objects.filter(
            tenant=tenant, key__in=keys, purpose=BULLETIN_ATTACHMENT.purpose, attached=False
        )
    }
    return [found[k] for k in keys if k in found]


def attach_to_article(*, article: Article, keys: list[uuid.UUID]) -> list[Attachment]:
    """At 完了, in the article's transaction: the staged files become its
    attachments. A key that is not a staged file of this tenant (purged after
    a day, already used, crafted) refuses the whole article."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return []
    if len(keys) > MAX_ATTACHMENTS:
        raise BulletinError(_("添付できるファイルは %(limit)s 個までです。") % {"limit": MAX_ATTACHMENTS})
    if len(staged_files(tenant=article.tenant, keys=keys)) != len(keys):
        raise BulletinError(str(EXPIRED))
    try:
        files = attach_files(tenant=article.tenant, keys=keys, purpose=BULLETIN_ATTACHMENT.purpose)
    except UploadError:
        raise BulletinError(str(EXPIRED)) from None
    order = {k: i for i, k in enumerate(keys)}
    return Attachment.objects.bulk_create(
        Attachment(tenant_id=article.tenant_id, article=article, file=f, position=order[f.key])
        for f in sorted(files, key=lambda f: order[f.key])
    )


def delete_attachment_files(*, articles: QuerySet[Article], actor: object = None) -> int:
    """Remove the stored files of ``articles`` (rows now, bytes after commit)
    before the articles go; their Attachment rows go with the files."""
    files = StoredFile.objects.filter(
        pk__in=Attachment.objects.filter(article__in=articles).values("file_id")
    )
    return delete_files(files=files, user=actor)
