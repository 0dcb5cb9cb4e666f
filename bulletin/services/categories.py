"""カテゴリ追加 and カテゴリ削除 (BBS-2, BBS-3)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from audit.services import record, record_many
from bulletin.models import DEFAULT_CATEGORY_NAME, Article, Category
from bulletin.services.attachments import delete_attachment_files
from bulletin.services.errors import BulletinError
from tenants.models import Tenant
from tenants.scoping import tenant_scope


def ensure_default_category(*, tenant: Tenant) -> Category:
    """お知らせ of ``tenant``, created if missing (the tenant's creation and
    the migration normally did it already)."""
    with tenant_scope(tenant):
        found = Category.objects.filter(tenant=tenant, is_default=True).first()
        if found:
            return found
        try:
            with transaction.atomic():
                return Category.objects.create(
                    tenant=tenant, name=DEFAULT_CATEGORY_NAME, is_default=True, position=0
                )
        except IntegrityError:  # created a moment ago by someone else
            return Category.objects.get(tenant=tenant, is_default=True)


def normalize_name(name: str) -> str:
    return " ".join(name.split())


@transaction.atomic
def add_categories(*, tenant: Tenant, actor: object, names: list[str]) -> list[Category]:
    """Append the new categories after the existing ones, in the order typed.
    A name already on the board (or typed twice) refuses the whole list."""
    names = [normalize_name(n) for n in names]
    if not names or not all(names):
        raise BulletinError(_("カテゴリ名を入力してください。"))
    if len(set(names)) != len(names):
        raise BulletinError(_("同じカテゴリ名が複数入力されています。"))
    # Lock the board's categories: two admins adding at once get distinct positions.
    existing = list(Category.objects.select_for_update().filter(tenant=tenant).values_list("name", flat=True))
    taken = sorted(set(names) & set(existing))
    if taken:
        raise BulletinError(_("カテゴリ「%(name)s」は既にあります。") % {"name": taken[0]})
    start = (Category.objects.filter(tenant=tenant).aggregate(m=Max("position"))["m"] or 0) + 1
    created = Category.objects.bulk_create(
        Category(tenant=tenant, name=name, position=start + i) for i, name in enumerate(names)
    )
    record_many(action="bulletin.category.created", actor=actor, targets=created, tenant=tenant)
    return created


@transaction.atomic
def delete_category(*, category: Category, actor: object) -> int:
    """カテゴリ削除: the category and every article in it, with their
    attachments' stored files. Returns the number of articles deleted."""
    if category.is_default:
        raise BulletinError(_("お知らせカテゴリは削除できません。"))
    category = Category.objects.select_for_update().get(pk=category.pk)
    articles = Article.objects.filter(category=category)
    count = articles.count()
    delete_attachment_files(articles=articles, actor=actor)
    record(
        action="bulletin.category.deleted",
        actor=actor,
        target=category,
        data={"name": category.name, "articles": count},
    )
    category.delete()
    return count
