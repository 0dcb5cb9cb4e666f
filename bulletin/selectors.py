"""Reads of the board: constant query counts whatever its size."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from bulletin.models import Article, Attachment, Category
from tenants.models import Tenant
from uploads.models import StoredFile
from users.selectors import registered_users


@dataclass(frozen=True)
class BoardCategory:
    category: Category
    articles: list[Article]


def board(*, tenant: Tenant) -> list[BoardCategory]:
    """Every category in stored order, each with its articles in stored
    order (BBS-1, BBS-4): two queries."""
    articles = Article.objects.filter(tenant=tenant).only(
        "pk", "tenant_id", "category_id", "title", "position", "created_at"
    )
    categories = tenant.bulletin_categories.prefetch_related(Prefetch("articles", queryset=articles))
    return [BoardCategory(c, list(c.articles.all())) for c in categories]


def article_files(*, article: Article) -> list[StoredFile]:
    """The article's attachments' files, in their order (one query)."""
    return [a.file for a in Attachment.objects.filter(article=article).select_related("file")]


def categories(*, tenant: Tenant) -> QuerySet[Category]:
    return tenant.bulletin_categories.all()


def board_has_articles(*, tenant: Tenant) -> bool:
    return tenant.bulletin_articles.exists()


def menu_visible(request: object) -> bool:
    """HOME-2: users see 社内向け掲示板 only while the board has an article
    (one EXISTS per page); the global menu asks only for non-admins."""
    tenant = getattr(request, "tenant", None)
    return tenant is not None and board_has_articles(tenant=tenant)


def notice_recipients(*, tenant: Tenant) -> QuerySet[User]:
    """Who gets an article's notice mail (BBS-5): every registered user.
    The 確認 page counts this same query; the fan-out walks it."""
    return registered_users(tenant=tenant)
