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


def _scope_statements(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "set_config" in q["sql"]]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
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


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
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


@pytest.mark.parametrize(
    ("sql", "free"),
    [
        ('SELECT "django_session"."session_data" FROM "django_session" WHERE ("django_session"."session_key" = %s)', True),
        ('UPDATE "django_session" SET "session_data" = %s, "expire_date" = %s WHERE "django_session"."session_key" = %s', True),
        ('INSERT INTO "django_session" ("session_key", "session_data", "expire_date") VALUES (%s, %s, %s)', True),
        ('DELETE FROM "django_session" WHERE "django_session"."session_key" IN (%s, %s)', True),
        ('SELECT * FROM "django_session", accounts_user', False),
        ('SELECT * FROM "django_session" s, accounts_user', False),
        ('SELECT * FROM "django_session" JOIN accounts_user ON true', False),
        ('SELECT * FROM accounts_user WHERE email IN (SELECT session_key FROM "django_session")', False),
        ('SELECT "accounts_user"."id" FROM "django_session"', False),
        ("SELECT count(*) FROM accounts_user", False),
    ],
)
def test_only_the_session_stores_own_statements_skip_the_reset(sql, free):
    """The next request loads its session before its scope: those statements
    (a table with no tenant) need no reset; nothing that names another does."""
    from tenants.rls import _scope_free

    assert _scope_free(sql) is free
