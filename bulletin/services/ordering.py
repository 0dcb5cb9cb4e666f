"""表示順 (BBS-4): drag and drop and the 上へ/下へ buttons both end in one
set-based UPDATE of the positions.

The client sends the complete new order of what it saw. It must be exactly
the current set (no row added, lost or borrowed from another category), else
the page was stale or the request crafted, and nothing is written.
"""

from __future__ import annotations

from typing import Literal

from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils.translation import gettext as _

from audit.services import record
from bulletin.models import Article, Category
from bulletin.services.errors import BulletinError
from tenants.models import Tenant

Direction = Literal["up", "down"]


def _apply_order(rows: QuerySet, ids: list[int]) -> bool:
    """Lock ``rows``, check ``ids`` is a permutation of them, and write every
    position in one UPDATE … SET position = CASE id … END. Returns False when
    the order was already that."""
    current = list(rows.select_for_update().order_by(*rows.model._meta.ordering).values_list("pk", flat=True))
    if len(ids) != len(set(ids)) or set(ids) != set(current):
        raise BulletinError(_("表示順を保存できませんでした。画面を再読み込みしてからやり直してください。"))
    if ids == current:
        return False
    rows.filter(pk__in=ids).update(
        position=Case(*(When(pk=pk, then=Value(i)) for i, pk in enumerate(ids)), output_field=IntegerField())
    )
    return True


def _moved(ids: list[int], pk: int, direction: Direction) -> list[int]:
    if pk not in ids:
        raise BulletinError(_("表示順を保存できませんでした。画面を再読み込みしてからやり直してください。"))
    i = ids.index(pk)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
    return ids


@transaction.atomic
def reorder_categories(*, tenant: Tenant, actor: object, ids: list[int]) -> None:
    if _apply_order(Category.objects.filter(tenant=tenant), ids):
        record(action="bulletin.category.reordered", actor=actor, tenant=tenant, data={"order": ids})


def _check_movable(category: Category) -> None:
    if category.is_default:
        raise BulletinError(_("お知らせカテゴリの記事は移動できません。"))


@transaction.atomic
def reorder_articles(*, category: Category, actor: object, ids: list[int]) -> None:
    """Articles move only within their category; お知らせ's never move."""
    _check_movable(category)
    if _apply_order(Article.objects.filter(tenant_id=category.tenant_id, category=category), ids):
        record(
            action="bulletin.article.reordered",
            actor=actor,
            target=category,
            data={"order": ids},
        )


@transaction.atomic
def move_category(*, category: Category, actor: object, direction: Direction) -> None:
    """上へ/下へ: one step, saved like a drag."""
    ids = list(Category.objects.filter(tenant_id=category.tenant_id).values_list("pk", flat=True))
    reorder_categories(tenant=category.tenant, actor=actor, ids=_moved(ids, category.pk, direction))


@transaction.atomic
def move_article(*, article: Article, actor: object, direction: Direction) -> None:
    _check_movable(article.category)
    ids = list(Article.objects.filter(category_id=article.category_id).values_list("pk", flat=True))
    reorder_articles(category=article.category, actor=actor, ids=_moved(ids, article.pk, direction))
