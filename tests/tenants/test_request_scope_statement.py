"""Issue 22: under row-level security a request's scope costs one statement.
The middleware sets it and leaves it on the connection; the next request's
scope statement overwrites it, and any other statement first resets it, so
nothing outside a scope ever sees the last request's rows (tenants/rls.py).

Transactional (PostgreSQL only): inside a test's transaction the middleware
restores as before, since a rollback would bring a left scope back."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory
from tests.rls import as_application, ensure_app_role

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _scope_statements(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "set_config" in q["sql"]]


@override_settings(PORTAL_ROW_LEVEL_SECURITY=True)
def test_issue22_one_scope_statement_per_request_and_nothing_left_for_unscoped_code(client, tenant_a, tenant_b):
    with connection.cursor() as c:
        ensure_app_role(c)
    alice = UserFactory(tenant=tenant_a, email="alice@a.example.com")
    UserFactory(tenant=tenant_b, email="b@b.example.com")
    client.force_login(alice)
    with as_application(logged=False):
        for _ in range(2):  # the second request overwrites what the first left
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse("home")).status_code == 200
            statements = _scope_statements(queries)
            # One, though the session row is written after the scope (the
            # rest of the same request runs with its own tenant's settings).
            assert len(statements) == 1, statements
            assert any("django_session" in q["sql"] for q in queries.captured_queries)
            assert "portal.tenant_id" in statements[0]
        # Unscoped code after the request (a later anonymous request, a
        # middleware before the scope): its first statement pays the reset.
        with CaptureQueriesContext(connection) as queries, connection.cursor() as c:
            c.execute("SELECT count(*) FROM accounts_user")
            assert c.fetchone()[0] == 0
            c.execute("SELECT count(*) FROM accounts_user")
            assert c.fetchone()[0] == 0
        assert len(_scope_statements(queries)) == 1  # once, not before every statement
        with connection.cursor() as c:
            c.execute("SELECT current_setting('portal.tenant_id', true), current_setting('portal.bypass', true)")
            assert c.fetchone() == ("", "off")


@override_settings(PORTAL_ROW_LEVEL_SECURITY=True)
def test_issue22_an_anonymous_request_after_a_tenant_request_sees_no_tenant(client, tenant_a):
    with connection.cursor() as c:
        ensure_app_role(c)
    alice = UserFactory(tenant=tenant_a, email="alice@a.example.com")
    client.force_login(alice)
    with as_application(logged=False):
        assert client.get(reverse("home")).status_code == 200
        client.logout()
        # The login POST of an unknown ID reads nothing of tenant A and writes
        # its audit entry under the bypass; then no tenant is left.
        client.post(reverse("accounts:login"), {"login_id": "nobody@x.example.com"})
        with connection.cursor() as c:
            c.execute("SELECT count(*) FROM accounts_user")
            assert c.fetchone()[0] == 0
