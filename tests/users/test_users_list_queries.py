"""Issue 22: the ユーザ一覧 costs the same number of queries with 1 user and
with many, with the caches (session, i badge) warm and cold; 簡易検索 makes no
lookup for the 詳細検索 form's choices."""

from __future__ import annotations

from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

URL = reverse("users:list")


def queries(client: Client, params: dict | None = None) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL, params or {}).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def admin_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_issue22_constant_queries_at_one_and_many_users_warm_and_cold(tenant_a, tenant_b, alice):
    big_admin = UserFactory(tenant=tenant_b, email="admin@b.example.com", role=User.Role.ADMIN)
    User.objects.bulk_create(
        User(tenant=tenant_b, email=f"u{i:04d}@b.example.com", last_name="佐藤", password="!") for i in range(250)
    )
    cold = []
    for user in (alice, big_admin):  # 1 user / 251 users
        caches["default"].clear()
        cold.append(len(queries(admin_client(user))))
    warm = []
    for user in (alice, big_admin):
        client = admin_client(user)
        queries(client)
        warm.append(len(queries(client)))
    assert cold[0] == cold[1], cold
    assert warm[0] == warm[1], warm
    assert warm[0] < cold[0]  # the session stamp and the badge count, once


def test_issue22_simple_search_makes_no_lookup_for_the_detail_form(alice_client, alice):
    alice_client.get(URL)
    simple = queries(alice_client, {"q": "alice"})
    lookups = ('FROM "tenants_contract"', 'FROM "accounts_organization"')
    assert not [s for s in simple if any(t in s for t in lookups)]
    detail = queries(alice_client, {"q": "alice", "detail": "1"})
    assert len([s for s in detail if any(t in s for t in lookups)]) == 2
    assert len(detail) == len(simple) + 2
