"""記事追加 and 記事削除 (BBS-1, BBS-3)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Min
from django.utils.translation import gettext as _

from audit.services import record
from bulletin.models import Article, Category
from bulletin.services.attachments import attach_to_article, delete_attachment_files
from bulletin.services.errors import BulletinError
from tenants.models import Tenant


@transaction.atomic
def create_article(
    *,
    tenant: Tenant,
    actor: object,
    category: Category,
    title: str,
    body: str,
    notify: bool,
    attachment_keys: Sequence[uuid.UUID] = (),
) -> Article:
    """The new article goes to the top of its category (so お知らせ, whose
    articles never move, stays newest first). With ``notify`` the notice mail
    to every registered user is fanned out after commit (BBS-5)."""
    if category.tenant_id != tenant.pk:
        raise BulletinError(_("カテゴリを選択してください。"))
    # Lock the category row: two articles added at once get distinct positions,
    # and a concurrent カテゴリ削除 cannot leave an orphan.
    category = Category.objects.select_for_update().get(pk=category.pk)
    top = Article.objects.filter(category=category).aggregate(m=Min("position"))["m"]
    article = Article(
        tenant=tenant,
        category=category,
        title=title.strip(),
        body=body,
        notify=notify,
        author=actor if getattr(actor, "is_authenticated", False) else None,
        position=(top - 1) if top is not None else 0,
    )
    article.full_clean(exclude=["author"])
    article.save()
    attachments = attach_to_article(article=article, keys=list(attachment_keys), user=actor)
    record(
        action="bulletin.article.created",
        actor=actor,
        target=article,
        data={"category": category.name, "notify": notify, "attachments": len(attachments)},
    )
    if notify:
        from bulletin.services.fanout import queue_fanout

        queue_fanout(article=article)
    return article


@transaction.atomic
def delete_article(*, article: Article, actor: object) -> None:
    """記事削除, with the attachments' stored files (through the upload module)."""
    articles = Article.objects.filter(pk=article.pk)
    delete_attachment_files(articles=articles, actor=actor)
    record(
        action="bulletin.article.deleted",
        actor=actor,
        target=article,
        data={"title": article.title, "category": article.category.name},
    )
    articles.delete()
