"""Attachments of articles, through the shared upload module (uploads/):
the module checks, stores, serves and deletes the files; this file only says
which files belong to which articles."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from bulletin.models import Article, Attachment
from bulletin.policies import BULLETIN_ATTACHMENT, MAX_ATTACHMENTS
from bulletin.services.errors import BulletinError
from uploads import staging
from uploads.models import StoredFile
from uploads.services import UploadError, delete_files


def attach_to_article(*, article: Article, keys: list[uuid.UUID], user: object) -> list[Attachment]:
    """At 完了, in the article's transaction: the files ``user`` staged
    become its attachments (uploads.staging). A key that is not one of them
    (purged after a day, already used, crafted) refuses the whole article."""
    keys = list(dict.fromkeys(keys))
    if len(keys) > MAX_ATTACHMENTS:
        raise BulletinError(_("添付できるファイルは %(limit)s 個までです。") % {"limit": MAX_ATTACHMENTS})
    try:
        files = staging.claim(tenant=article.tenant, keys=keys, policy=BULLETIN_ATTACHMENT, user=user)
    except UploadError as exc:
        raise BulletinError(str(exc)) from None
    return Attachment.objects.bulk_create(
        Attachment(tenant_id=article.tenant_id, article=article, file=f, position=i) for i, f in enumerate(files)
    )


def delete_attachment_files(*, articles: QuerySet[Article], actor: object = None) -> int:
    """Remove the stored files of ``articles`` (rows now, bytes after commit)
    before the articles go; their Attachment rows go with the files."""
    files = StoredFile.objects.filter(
        pk__in=Attachment.objects.filter(article__in=articles).values("file_id")
    )
    return delete_files(files=files, user=actor)
