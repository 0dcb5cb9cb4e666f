"""Fixtures for notices (NOTIF-2, NOTIF-3) and the i list (HOME-3)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from notifications import prefectures as prefs
from notifications.models import AreaSetting, Notice, NoticeKind, Publication
from notifications.services import notices
from tests.factories import ContractFactory

HOKKAIDO = prefs.BY_CODE["01"].bit
TOKYO = prefs.BY_CODE["13"].bit
OKINAWA = prefs.BY_CODE["47"].bit


@pytest.fixture
def ether(services):
    """イーサエコノミー: the catalogue's area-capable service."""
    return services["ether_economy"]


@pytest.fixture
def ether_a(tenant_a, ether):
    return ContractFactory(tenant=tenant_a, service=ether, number="A-ETHER")


def set_area_row(tenant: Any, service: Any, mask: int) -> AreaSetting:
    return AreaSetting.objects.create(tenant=tenant, service=service, prefectures=mask)


@pytest.fixture
def make_notice(ether) -> Callable[..., Notice]:
    def make(kind: str = NoticeKind.OUTAGE, prefectures: int = prefs.NATIONWIDE, service: Any = ether, **fields: Any) -> Notice:
        targets = fields.pop("target_services", [])
        notice = Notice.objects.create(
            kind=kind,
            service=None if kind == NoticeKind.NEWS else service,
            prefectures=prefectures,
            title=fields.pop("title", f"{NoticeKind(kind).label}のテスト"),
            body=fields.pop("body", "本文です。"),
            **fields,
        )
        notice.target_services.set(targets)
        return notice

    return make


@pytest.fixture
def publish(django_capture_on_commit_callbacks, operator) -> Callable[..., Publication]:
    """Publish and run the fan-out the way production does: after commit,
    one eager TenantTask per tenant."""

    def run(notice: Notice, revision: str = Publication.Revision.INITIAL) -> Publication:
        with django_capture_on_commit_callbacks(execute=True):
            return notices.publish(notice=notice, revision=revision, actor=operator)

    return run
