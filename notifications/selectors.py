"""Reads of the notices chapter: who a publication reaches (NOTIF-3), the
tenant's area settings (NOTIF-2), the i list and its unread count (HOME-3),
the manuals of the contracted services (HOME-4).

The audience is one SQL condition built here and used by the preview the
operator sees, by the publication (which tenants get a delivery row) and by
each tenant's fan-out (which users get a mail), so the three cannot drift.
It reads across tenants: operator code, built and evaluated in
``operator_scope()`` (Django admin runs in it). The tenant's own reads
(areas, manuals) run in the tenant's scope and filter by it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from accounts.models import User, UserServiceRegistration
from notifications import prefectures as prefs
from notifications.models import (
    RECEIVE_FIELD,
    AreaSetting,
    Delivery,
    InformationRead,
    NoticeKind,
    Publication,
    ServiceManual,
)
from tenants.models import Contract, Service, Tenant
from tenants.scoping import operator_scope


@dataclass(frozen=True)
class Audience:
    """What decides who a notice reaches: a Notice or a Publication."""

    kind: str
    service_id: int | None
    prefectures: int
    target_service_ids: tuple[int, ...] = ()

    @classmethod
    def of(cls, item: Any) -> Audience:
        targets = getattr(item, "target_service_ids", None)
        if targets is None:  # a Notice: its M2M (one query)
            targets = [s.pk for s in item.target_services.all()] if item.pk else []
        return cls(item.kind, item.service_id, item.prefectures, tuple(targets))


def _area_covers(audience: Audience) -> Q:
    """The tenant's area for the service covers an affected prefecture, or
    either side is 全国. No setting row means 全国 (the default). A service
    without area notices ignores areas altogether."""
    if audience.prefectures & prefs.NATIONWIDE == prefs.NATIONWIDE:
        return Q()
    with operator_scope():
        rows = AreaSetting.objects.filter(tenant=OuterRef("pk"), service_id=audience.service_id)
    hit = rows.annotate(hit=F("prefectures").bitand(audience.prefectures)).filter(hit__gt=0)
    covers = ~Exists(rows) | Exists(hit)
    area_capable = Service.objects.filter(pk=audience.service_id, supports_area_notices=True)
    return covers | ~Exists(area_capable)


def audience_tenants(audience: Audience) -> QuerySet[Tenant]:
    """Active tenants the publication reaches (before looking at users)."""
    with operator_scope():
        contracts = Contract.objects.filter(tenant=OuterRef("pk"))
    tenants = Tenant.objects.filter(is_active=True)
    if audience.kind == NoticeKind.NEWS:
        if audience.target_service_ids:
            tenants = tenants.filter(Exists(contracts.filter(service_id__in=audience.target_service_ids)))
        return tenants
    return tenants.filter(Exists(contracts.filter(service_id=audience.service_id)), _area_covers(audience))


def recipients_q(kind: str) -> Q:
    """A user mailed for a kind: 有効 and that kind's receive setting on (NOTIF-1)."""
    return Q(status=User.Status.ACTIVE, **{RECEIVE_FIELD[kind]: True})


def audience_users(audience: Audience) -> QuerySet[User]:
    return User.all_objects.filter(recipients_q(audience.kind), tenant__in=audience_tenants(audience))


@dataclass(frozen=True)
class Reach:
    tenants: int
    users: int


def reach(audience: Audience) -> Reach:
    """The numbers the operator sees before 公開: two COUNT queries."""
    with operator_scope():
        return Reach(audience_tenants(audience).count(), audience_users(audience).count())


def tenant_recipients(*, tenant_id: int, kind: str) -> QuerySet[User]:
    """The users of one tenant a delivery mails (inside the tenant's scope)."""
    return User.objects.filter(recipients_q(kind), tenant_id=tenant_id).order_by("pk")


# --- the tenant's area settings (NOTIF-2) ---------------------------------


@dataclass(frozen=True)
class AreaRow:
    service: Service
    prefectures: int
    is_default: bool

    @property
    def label(self) -> str:
        return prefs.describe(self.prefectures)


def area_services(tenant: Tenant) -> QuerySet[Service]:
    """The tenant's contracted services that take area notices."""
    return contracted_services(tenant).filter(supports_area_notices=True)


def area_of(tenant: Tenant, service: Service) -> int:
    """The tenant's area for one service; 全国 until an admin changes it."""
    setting = AreaSetting.objects.filter(tenant=tenant, service=service).first()
    return setting.prefectures if setting else prefs.NATIONWIDE


def area_rows(tenant: Tenant) -> list[AreaRow]:
    """Each area-capable contracted service with its setting (two queries)."""
    settings = {
        s.service_id: s.prefectures
        for s in AreaSetting.objects.filter(tenant=tenant)
    }
    return [
        AreaRow(service, settings.get(service.pk, prefs.NATIONWIDE), service.pk not in settings)
        for service in area_services(tenant)
    ]


# --- the i list (HOME-3) ---------------------------------------------------


def information(user: User) -> QuerySet[Publication]:
    """Publications that reached the user's tenant, newest first; ``is_read``
    annotated. Who is reached is frozen at publication time (the delivery
    row: contract and area). The user's receive settings decide mail only:
    a user who turns 障害情報 mail off still sees outages here (issue 23)."""
    delivered = Delivery.objects.filter(tenant_id=user.tenant_id, publication=OuterRef("pk"))
    read = InformationRead.objects.filter(
        tenant_id=user.tenant_id, user=user, publication=OuterRef("pk")
    )
    return (
        Publication.objects.filter(Exists(delivered))
        .annotate(is_read=Exists(read))
        .select_related("service")
        .order_by("-published_at", "-pk")
    )


def unread_count(user: User) -> int:
    """The number on the i menu entry: one COUNT query."""
    return information(user).filter(is_read=False).count()


# The badge on every page, cached per user (issue 22: its COUNT was 1.7 ms of
# every request). The entry remembers the two versions it was counted under;
# a publication (any tenant: publishing is rare) or the user's own read
# replaces a version with a new unique token, so the next page of any of the
# user's tabs, or of any user a publication reached, counts again. The cache
# is the shared one (Redis in production), so every web process agrees.
PUBLISHED_VERSION_KEY = "notifications:unread:published"
UNREAD_TTL_SECONDS = 60 * 60  # a bound on staleness should a bump be lost


def _user_version_key(user_id: int) -> str:
    return f"notifications:unread:read:{user_id}"


def _badge_key(user_id: int) -> str:
    return f"notifications:unread:count:{user_id}"


def cached_unread_count(user: User) -> int:
    """``unread_count`` through the cache: one cache round trip on a hit."""
    keys = (PUBLISHED_VERSION_KEY, _user_version_key(user.pk), _badge_key(user.pk))
    found = cache.get_many(keys)
    versions = (found.get(keys[0]), found.get(keys[1]))
    entry = found.get(keys[2])
    if entry is not None and tuple(entry[:2]) == versions:
        return entry[2]
    count = unread_count(user)  # counted after the versions were read: a bump in between recounts next time
    cache.set(keys[2], (*versions, count), UNREAD_TTL_SECONDS)
    return count


def _bump(key: str) -> None:
    cache.set(key, uuid.uuid4().hex, None)


def _bump_now_and_on_commit(key: str) -> None:
    """Now, for this request (and the tests' transactions, which never
    commit), and after the commit: a page that counted between the two with
    the rows not yet visible stored the first token, so it counts again."""
    _bump(key)
    transaction.on_commit(lambda: _bump(key))


def unread_changed_for_everyone() -> None:
    """A publication reached tenants: every badge counts again."""
    _bump_now_and_on_commit(PUBLISHED_VERSION_KEY)


def unread_changed_for(user_id: int) -> None:
    """The user read an item: their badge counts again (in every tab)."""
    _bump_now_and_on_commit(_user_version_key(user_id))


# --- マニュアル (HOME-4) -----------------------------------------------------


def contracted_services(tenant: Tenant) -> QuerySet[Service]:
    contracted = Contract.objects.filter(tenant=tenant, service=OuterRef("pk"))
    return Service.objects.filter(Exists(contracted))


def manual_services(user: User) -> QuerySet[Service]:
    """Whose manuals a person may read (HOME-4, manual §5.1 マニュアル ○ ○):
    a 管理者 those of every contracted service, a ユーザ those of the
    services registered to them (issue 23: users got 403)."""
    services = contracted_services(user.tenant)
    if user.is_tenant_admin:
        return services
    registered = UserServiceRegistration.objects.filter(
        tenant_id=user.tenant_id, user=user, contract__service=OuterRef("pk")
    )
    return services.filter(Exists(registered))


def manual_files(user: User) -> QuerySet[ServiceManual]:
    """Manual PDFs the user may download."""
    return ServiceManual.objects.exclude(file="").filter(service__in=manual_services(user))


def contracted_manuals(user: User) -> list[tuple[Service, list[ServiceManual]]]:
    """The manuals the user may read, by service (two queries)."""
    services = list(manual_services(user))
    by_service: dict[int, list[ServiceManual]] = {s.pk: [] for s in services}
    for manual in ServiceManual.objects.filter(service__in=services):
        by_service[manual.service_id].append(manual)
    return [(s, by_service[s.pk]) for s in services]
