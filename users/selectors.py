"""Non-trivial reads of the user administration (USER-2 … USER-4, USER-9).

Every function takes the tenant and reads through it, so the result is the
tenant's rows even if a caller forgot the scope.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    StringAgg,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Cast, JSONArray, Upper

from accounts.models import (
    Organization,
    OrganizationMembership,
    TenantUserCount,
    User,
    UserServiceRegistration,
)
from mfa import selectors as mfa_selectors
from tenants.models import Tenant

# Sort keys of the list (USER-4): every column but 利用可能サービス. The user
# ID is always the last key so equal values keep a stable order across pages.
SORT_FIELDS: dict[str, tuple[str, ...]] = {
    "email": ("email",),
    # 姓名 sorts by reading (カナ) as Japanese lists do, then by the written name.
    "name": ("last_name_kana", "first_name_kana", "last_name", "first_name", "email"),
    "affiliation": ("affiliation", "email"),
    "status": ("status", "email"),
    "login_condition": ("login_condition", "email"),
}
DEFAULT_SORT = "email"
BIGRAM = 2  # the term length trigrams cannot narrow and bigrams can

# The columns the list's rows show (``.only()``: issue 22), with the tenant
# the row columns' subqueries correlate on (``with_list_columns``).
LIST_FIELDS = (
    "id",
    "tenant_id",
    "email",
    "role",
    "is_representative",
    "last_name",
    "first_name",
    "affiliation",
    "status",
    "login_condition",
)


@dataclass(frozen=True)
class OrgNode:
    org: Organization
    depth: int


def organization_tree(*, tenant: Tenant) -> list[OrgNode]:
    """The tenant's organizations depth-first, siblings in display order (one query)."""
    orgs = list(tenant.organizations.all())
    children: dict[int | None, list[Organization]] = {}
    for org in orgs:
        children.setdefault(org.parent_id, []).append(org)
    out: list[OrgNode] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for org in children.get(parent_id, []):
            out.append(OrgNode(org, depth))
            walk(org.pk, depth + 1)

    walk(None, 0)
    return out


def organization_paths(*, tenant: Tenant) -> dict[int, str]:
    """``{org_id: "本社/営業部"}``: the CSV names an organization by its path."""
    orgs = {o.pk: o for o in tenant.organizations.all()}

    def path(org: Organization) -> str:
        parts = [org.name]
        seen = {org.pk}
        while org.parent_id and org.parent_id in orgs and org.parent_id not in seen:
            org = orgs[org.parent_id]
            seen.add(org.pk)
            parts.append(org.name)
        return "/".join(reversed(parts))

    return {pk: path(o) for pk, o in orgs.items()}


def parse_sort(value: str | None) -> tuple[str, bool]:
    """``"-name"`` → ("name", descending). Unknown keys fall back to the default."""
    value = value or DEFAULT_SORT
    desc = value.startswith("-")
    key = value.lstrip("-")
    if key not in SORT_FIELDS:
        return DEFAULT_SORT, False
    return key, desc


# The columns of the bigram index of migration 0008, in its order.
BIGRAM_COLUMNS = ("last_name", "first_name", "last_name_kana", "first_name_kana", "email")


def _has_bigrams(*terms: str) -> Q:
    """On PostgreSQL, a condition the bigram index serves: the searched
    text contains every 2-character term. A pre-filter only: the exact
    ``LIKE`` arms still decide. Elsewhere, no condition."""
    if connection.vendor != "postgresql":
        return Q()
    from django.contrib.postgres.fields import ArrayField

    bigrams = Func(*[F(c) for c in BIGRAM_COLUMNS], function="portal_user_bigrams", output_field=ArrayField(TextField()))
    contains = bigrams.output_field.get_lookup("contains")
    return Q(contains(bigrams, [Upper(Value(t, output_field=TextField())) for t in terms]))


def search_condition(q: str) -> Q:
    """The 簡易検索 match: ID, 姓, 名 and カナ contain ``q`` (``UPPER(col) LIKE``,
    the expressions of the trigram index of migration 0005). Terms of two
    characters, which trigrams cannot narrow (佐藤, 山田 花子), are first
    narrowed by the bigram index of migration 0008 (issue 22)."""
    cond = Q(email__icontains=q) | Q(last_name__icontains=q) | Q(first_name__icontains=q)
    cond |= Q(last_name_kana__icontains=q) | Q(first_name_kana__icontains=q)
    if len(q) == BIGRAM:
        cond = _has_bigrams(q) & cond
    # "山田 太郎" / "山田太郎": the full name as shown in the list.
    parts = q.replace("\u3000", " ").split()
    if len(parts) == 2:
        full_name = Q(last_name__icontains=parts[0], first_name__icontains=parts[1])
        short = [p for p in parts if len(p) == BIGRAM]
        if short:  # one indexed conjunct is enough for this arm
            full_name = _has_bigrams(*short) & full_name
        cond |= full_name
    return cond


def user_search(*, tenant: Tenant, filters: dict[str, Any], sort: str | None = None) -> QuerySet[User]:
    """The filtered, sorted users of the list; pages slice it (USER-2 … USER-4)."""
    qs = tenant.users.all()
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(search_condition(q))
    if filters.get("organization"):
        qs = qs.filter(
            Exists(
                OrganizationMembership.objects.filter(
                    tenant=tenant, user=OuterRef("pk"), organization_id=filters["organization"]
                )
            )
        )
    for name in ("role", "status", "login_condition"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    if filters.get("two_step"):
        qs = mfa_selectors.filter_two_step(qs, filters["two_step"])  # issue 24
    if filters.get("service"):
        registered = Exists(
            UserServiceRegistration.objects.filter(tenant=tenant, user=OuterRef("pk"), contract_id=filters["service"])
        )
        state = filters.get("service_state") or "registered"
        qs = qs.filter(registered if state == "registered" else ~registered)
    key, desc = parse_sort(sort)
    order = [f"-{f}" if desc else f for f in SORT_FIELDS[key]]
    return qs.order_by(*order)


def user_total(*, tenant: Tenant) -> int:
    """All of the tenant's users, for the unfiltered list (issue 22): one
    primary-key read of the counter the database's triggers keep exact
    (accounts/migrations/0007), so it costs the same at 10 or 1,000,000
    users. Where there are no triggers (SQLite) or no row yet, COUNT(*)."""
    if connection.vendor == "postgresql":
        total = TenantUserCount.objects.filter(tenant=tenant).values_list("users", flat=True).first()
        if total is not None:
            return total
    return tenant.users.count()


def with_list_columns(qs: QuerySet[User]) -> QuerySet[User]:
    """What a row of the list shows beside the user's own columns, as
    columns of the page's one query (issue 22): ``two_step_totp`` and
    ``two_step_passkeys`` (issue 24), ``primary_org_name`` (the 代表組織) and
    ``service_marks_json`` (the registrations, ``service_marks`` reads it).

    Subqueries rather than prefetches: two round trips less a page, and no
    model instances for two strings. The paginator reads deep pages through
    a deferred join, so they are computed for the page's rows only.

    Unlike ``mfa.selectors.two_step_columns`` these are built per query:
    the tenant-owned models' managers put the current tenant scope into the
    subqueries when they are built, so they cannot be kept across requests."""
    primary_org = OrganizationMembership.objects.filter(
        tenant_id=OuterRef("tenant_id"), user=OuterRef("pk"), is_primary=True
    ).values("organization__name")[:1]
    # One JSON array per registration, [display order, contract, name, link
    # error], joined with commas: JSON so that no service name can break the
    # list; ordered in Python, as SQLite cannot order inside an aggregate.
    marks = (
        UserServiceRegistration.objects.filter(tenant_id=OuterRef("tenant_id"), user=OuterRef("pk"))
        .values("user")
        .annotate(
            marks=StringAgg(
                Cast(
                    JSONArray("contract__service__display_order", "contract_id", "contract__service__name", "link_error"),
                    TextField(),
                ),
                delimiter=Value(","),
            )
        )
        .values("marks")
    )
    return qs.annotate(
        **mfa_selectors.two_step_columns(), primary_org_name=Subquery(primary_org), service_marks_json=Subquery(marks)
    )


def service_marks(user: User) -> list[tuple[str, bool]]:
    """(service name, link error) of a user read through ``with_list_columns``."""
    marks = getattr(user, "service_marks_json", None)
    if not marks:
        return []
    return [(name, bool(error)) for _order, _contract, name, error in sorted(json.loads(f"[{marks}]"))]


EXPORT_FIELDS = (
    "email",
    "last_name",
    "first_name",
    "last_name_kana",
    "first_name_kana",
    "affiliation",
    "role",
    "phone_number",
    "notification_email",
)


def iter_users_for_export(
    *, tenant: Tenant, user_ids: list[int] | None = None, chunk_size: int = 2000
) -> Iterator[dict[str, Any]]:
    """Users in ユーザ ID order as plain dicts with their 代表組織 path.

    One query: the 代表組織 is a subquery column and the rows are tuples
    read through a server-side cursor in chunks, so memory stays flat and no
    model instance is built per user."""
    paths = organization_paths(tenant=tenant)
    primary = OrganizationMembership.objects.filter(
        tenant=tenant, user=OuterRef("pk"), is_primary=True
    ).values("organization_id")[:1]
    qs = mfa_selectors.with_two_step_status(tenant.users.order_by("email").annotate(primary_org=Subquery(primary)))
    if user_ids is not None:
        qs = qs.filter(pk__in=user_ids)
    columns = (*EXPORT_FIELDS, "primary_org", "two_step_totp", "two_step_passkeys")
    for row in qs.values_list(*columns).iterator(chunk_size=chunk_size):
        values = dict(zip(EXPORT_FIELDS, row, strict=False))
        values["organization"] = paths.get(row[-3], "") if row[-3] else ""
        values["two_step"] = mfa_selectors.status_label(totp=row[-2], passkeys=row[-1])
        yield values


def other_admins(*, tenant: Tenant, exclude: User | None) -> list[User]:
    qs = tenant.users.filter(role=User.Role.ADMIN).order_by("email")
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return list(qs)


def representative(*, tenant: Tenant) -> User | None:
    return tenant.users.filter(is_representative=True).first()


def service_rows(*, tenant: Tenant, user: User) -> list[dict[str, Any]]:
    """SVC-1: each contracted service with the user's registration (or None)."""
    regs = {r.contract_id: r for r in user.service_registrations.filter(tenant=tenant)}
    return [
        {"contract": c, "service": c.service, "registration": regs.get(c.pk)}
        for c in tenant.contracts.select_related("service").order_by("service__display_order", "number")
    ]


def registered_users(*, tenant: Tenant) -> QuerySet[User]:
    """The manual's 登録ユーザ: the tenant's 有効 users (not 未設定, 一時停止 or
    locked), in id order so that a fan-out can walk them in batches."""
    return tenant.users.filter(status=User.Status.ACTIVE).order_by("pk")
