"""NOTIF-3: who an outage, maintenance notice or piece of news reaches.

Exhaustive over kind × the user's receive setting × the tenant's area ×
the affected area × contract × user status: the SQL selection (the preview's
counts, the tenants that get a delivery, the users that get a mail) equals a
plain Python statement of the rule for every combination."""

from __future__ import annotations

import itertools

import pytest

from accounts.models import User
from notifications import prefectures as prefs
from notifications import selectors
from notifications.models import RECEIVE_FIELD, NoticeKind
from notifications.selectors import Audience
from tests.factories import ContractFactory, ServiceFactory, TenantFactory, UserFactory
from tests.notifications.conftest import HOKKAIDO, OKINAWA, TOKYO, set_area_row

TENANT_AREAS = {"default": None, "hokkaido": HOKKAIDO, "tokyo": TOKYO, "nationwide": prefs.NATIONWIDE}
AFFECTED = {"tokyo": TOKYO, "hokkaido+okinawa": HOKKAIDO | OKINAWA, "nationwide": prefs.NATIONWIDE}
STATUSES = [User.Status.ACTIVE, User.Status.PENDING, User.Status.SUSPENDED, User.Status.LOCKED]


@pytest.fixture
def world(ether):
    """A tenant per (area, contract), a user per (status, receive on/off), plus
    an inactive tenant that would otherwise match everything."""
    other = ServiceFactory(code="other_service")
    users = []
    cases = list(itertools.product(TENANT_AREAS.items(), [True, False], [True]))
    cases.append((("default", None), True, False))
    for (_name, area), contracted, active in cases:
        tenant = TenantFactory(is_active=active)
        ContractFactory(tenant=tenant, service=ether if contracted else other)
        if area is not None:
            set_area_row(tenant, ether, area)
        for status, receive in itertools.product(STATUSES, [True, False]):
            user = UserFactory(
                tenant=tenant,
                status=status,
                receive_news=receive,
                receive_maintenance=receive,
                receive_outage=receive,
            )
            users.append((user, area, contracted, active))
    return users


def expected(users, kind: str, affected: int, targets: tuple[int, ...], ether_id: int) -> set[int]:
    out = set()
    for user, area, contracted, active in users:
        if not active or user.status != User.Status.ACTIVE or not getattr(user, RECEIVE_FIELD[kind]):
            continue
        if kind == NoticeKind.NEWS:
            if targets and not contracted:
                continue
        else:
            if not contracted:
                continue
            nationwide = affected == prefs.NATIONWIDE or area is None or area == prefs.NATIONWIDE
            if not nationwide and not area & affected:
                continue
        out.add(user.pk)
    return out


@pytest.mark.parametrize("kind", [NoticeKind.MAINTENANCE, NoticeKind.OUTAGE])
@pytest.mark.parametrize("affected", AFFECTED.values(), ids=AFFECTED.keys())
def test_notice_audience_is_exactly_the_rule(world, ether, kind, affected):
    """NOTIF-3: contract × tenant area × affected area × status × receive setting."""
    audience = Audience(kind, ether.pk, affected)
    want = expected(world, kind, affected, (), ether.pk)
    got = set(selectors.audience_users(audience).values_list("pk", flat=True))
    assert got == want
    assert want  # every case reaches somebody and leaves somebody out
    reach = selectors.reach(audience)
    assert reach.users == len(want)
    assert reach.tenants == len({u.tenant_id for u, *_ in world if u.pk in want})


@pytest.mark.parametrize("targets", [False, True], ids=["all-tenants", "ether-tenants"])
def test_news_audience_is_every_receiving_user(world, ether, targets):
    """NOTIF-3: news goes to every active user whose news setting is on, of
    every tenant or of the tenants contracting the chosen services."""
    target_ids = (ether.pk,) if targets else ()
    audience = Audience(NoticeKind.NEWS, None, prefs.NATIONWIDE, target_ids)
    want = expected(world, NoticeKind.NEWS, prefs.NATIONWIDE, target_ids, ether.pk)
    assert set(selectors.audience_users(audience).values_list("pk", flat=True)) == want


def test_a_service_without_area_notices_ignores_areas(services, tenant_a, alice):
    """Areas belong to area-capable services only: a Google Workspace outage
    limited to 東京都 still reaches every contracting tenant."""
    gw = services["google_workspace"]
    ContractFactory(tenant=tenant_a, service=gw)
    set_area_row(tenant_a, gw, HOKKAIDO)  # stale data must not matter
    audience = Audience(NoticeKind.OUTAGE, gw.pk, TOKYO)
    assert list(selectors.audience_users(audience)) == [alice]


@pytest.mark.parametrize("kind", list(NoticeKind))
def test_each_kind_follows_its_own_receive_setting(kind, ether, ether_a, alice, bob):
    """NOTIF-1 reused: only the setting of the notice's kind counts."""
    for field in RECEIVE_FIELD.values():
        setattr(bob, field, field != RECEIVE_FIELD[kind])
    bob.save()
    audience = Audience(kind, None if kind == NoticeKind.NEWS else ether.pk, prefs.NATIONWIDE)
    assert list(selectors.audience_users(audience)) == [alice]
