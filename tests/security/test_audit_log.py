"""操作ログ for tenant admins (issue 15): the view checklist, search, 100 a
page at constant queries, CSV (BOM, formulas neutralised), IPs captured,
operators' reads listed."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import record
from tests.factories import ContractFactory

URL = "/audit-log/"


def _entries(tenant, actor, n, action="accounts.user.updated"):
    AuditEntry.objects.bulk_create(
        AuditEntry(
            tenant=tenant,
            actor=actor,
            actor_label=actor.email,
            action=action,
            object_label=f"対象{i}",
        )
        for i in range(n)
    )


def test_checklist(client, alice_client, bob_client, charlie, operator_client, tenant_a):
    assert reverse("auditlog:list") == URL
    assert client.get(URL).status_code == HTTPStatus.FOUND  # login required
    assert bob_client.get(URL).status_code == HTTPStatus.FORBIDDEN  # ユーザ
    assert operator_client.get(URL).status_code == HTTPStatus.NOT_FOUND  # no tenant
    assert alice_client.get(URL).status_code == HTTPStatus.OK
    assert alice_client.post(URL).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_only_the_own_tenants_entries(alice, alice_client, charlie):
    _entries(alice.tenant, alice, 2)
    _entries(charlie.tenant, charlie, 2)
    page = alice_client.get(URL).content.decode()
    assert "alice@a.example.com" in page and "charlie@b.example.com" not in page
    assert "ユーザ変更" in page  # the action in Japanese


def test_search_by_user_action_and_dates_keeps_input(alice, bob, alice_client):
    _entries(alice.tenant, alice, 3)
    _entries(alice.tenant, bob, 2, action="accounts.password.changed")
    old = AuditEntry(
        tenant=alice.tenant, actor=bob, actor_label=bob.email, action="accounts.password.changed"
    )
    old.save()
    AuditEntry._base_manager.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=40)
    )
    response = alice_client.get(URL, {"user": "bob@", "action": "accounts.password.changed"})
    assert response.context["page"].paginator.count == 3
    today = timezone.localdate()
    response = alice_client.get(
        URL, {"user": "bob@", "date_from": (today - timedelta(days=1)).isoformat()}
    )
    assert response.context["page"].paginator.count == 2
    bad = alice_client.get(
        URL,
        {
            "user": "bob@",
            "date_from": today.isoformat(),
            "date_to": (today - timedelta(days=2)).isoformat(),
        },
    )
    assert "期間（終了）は期間（開始）以降の日付を指定してください。" in bad.content.decode()
    assert 'value="bob@"' in bad.content.decode()


@pytest.mark.parametrize("n", [10, 250])
def test_100_a_page_at_constant_queries(alice, alice_client, n, django_assert_max_num_queries):
    _entries(alice.tenant, alice, n)
    alice_client.get(URL)  # warm the session
    with django_assert_max_num_queries(12):
        response = alice_client.get(URL, {"page": 2 if n > 100 else 1})
    assert len(response.context["rows"]) == min(100, n if n <= 100 else n - 100)


def test_csv_streams_with_bom_and_neutralised_formulas(alice, alice_client):
    record(action="accounts.user.updated", actor=alice, tenant=alice.tenant, data={})
    AuditEntry._base_manager.filter(tenant=alice.tenant).update(object_label="=HYPERLINK(1)")
    response = alice_client.get(reverse("auditlog:csv"))
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff日時,")
    assert "'=HYPERLINK(1)" in body and "ユーザ変更" in body


def test_issue21_csv_escapes_a_leading_apostrophe(alice, alice_client):
    """Issue 21 finding 7: the 操作ログ CSV uses the user CSV's round-tripping
    scheme: a label starting with an apostrophe is escaped too, so ``'=`` and
    a neutralised ``=`` cannot be confused."""
    record(action="accounts.user.updated", actor=alice, tenant=alice.tenant, data={})
    AuditEntry._base_manager.filter(tenant=alice.tenant).update(object_label="'=1")
    body = b"".join(alice_client.get(reverse("auditlog:csv")).streaming_content).decode("utf-8")
    assert ",''=1," in body


def test_the_client_ip_is_recorded(alice, tenant_a):
    client = Client(REMOTE_ADDR="198.51.100.77")
    client.force_login(alice)
    client.post(reverse("accounts:logout"))
    entry = AuditEntry._base_manager.filter(action="accounts.logout").latest("id")
    assert entry.ip_address == "198.51.100.77"
    page = Client(REMOTE_ADDR="198.51.100.78")
    page.force_login(alice)
    assert "198.51.100.77" in page.get(URL).content.decode()


def test_operators_reads_are_listed(alice_client, operator_client, tenant_a, services):
    contract = ContractFactory(tenant=tenant_a, service=services["emm"])
    assert (
        operator_client.get(
            reverse("admin:tenants_contract_change", args=[contract.pk])
        ).status_code
        == 200
    )
    page = alice_client.get(URL).content.decode()
    assert "運用者による閲覧" in page and "op@carrier.example.com" in page
