"""The board's cast: tenant A's お知らせ (made with the tenant) and a
category 社内行事 with three articles; tenant B's お知らせ with one."""

from __future__ import annotations

from typing import Any

import pytest

from audit.models import AuditEntry
from bulletin.models import Article, Category
from mail.models import OutboxMessage
from tenants.scoping import operator_scope


def default_category(tenant: Any) -> Category:
    with operator_scope():
        return Category.objects.get(tenant=tenant, is_default=True)


def make_article(category: Category, title: str, *, position: int = 0, body: str = "本文です。") -> Article:
    return Article.objects.create(
        tenant_id=category.tenant_id, category=category, title=title, body=body, position=position
    )


def titles(category: Category) -> list[str]:
    with operator_scope():
        return list(Article.objects.filter(category=category).values_list("title", flat=True))


def category_names(tenant: Any) -> list[str]:
    with operator_scope():
        return list(Category.objects.filter(tenant=tenant).values_list("name", flat=True))


def audit(action: str) -> list[AuditEntry]:
    with operator_scope():
        return list(AuditEntry.objects.filter(action=action).order_by("id"))


def outbox(template: str = "bulletin_article") -> list[OutboxMessage]:
    with operator_scope():
        return list(OutboxMessage.objects.filter(template=template).order_by("id"))


def article_count(tenant: Any) -> int:
    with operator_scope():
        return Article.objects.filter(tenant=tenant).count()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Stored attachments land in a folder of each test's own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def news_a(tenant_a) -> Category:
    return default_category(tenant_a)


@pytest.fixture
def events_a(tenant_a) -> Category:
    return Category.objects.create(tenant=tenant_a, name="社内行事", position=1)


@pytest.fixture
def events_articles(events_a) -> list[Article]:
    return [make_article(events_a, t, position=i) for i, t in enumerate(["運動会", "忘年会", "新年会"])]


@pytest.fixture
def news_b(tenant_b) -> Category:
    return default_category(tenant_b)


@pytest.fixture
def article_b(news_b) -> Article:
    return make_article(news_b, "B社のお知らせ")
