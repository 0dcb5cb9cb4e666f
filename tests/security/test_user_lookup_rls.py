"""Issue 20: users and audit entries behind row-level security, and the one
narrow path that reads a user before any tenant is known
(accounts.services.user_lookup; docs/security.md). PostgreSQL only, as the
plain application role (tests/rls.py)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import override_settings

from accounts.services.user_lookup import BY_LOGIN_ID, BY_PK, user_by_login_id, user_by_pk
from audit.models import AuditEntry
from audit.services import record
from tenants.scoping import operator_scope, tenant_scope
from tests.factories import UserFactory
from tests.rls import APP_ROLE, as_application, ensure_app_role

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def app_role(db):
    with connection.cursor() as cursor:
        return ensure_app_role(cursor)


def _count(table: str) -> int:
    with connection.cursor() as c:
        c.execute(f"SET ROLE {APP_ROLE}")
        c.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (a test's table name)
        n = c.fetchone()[0]
        c.execute("RESET ROLE")
    return n


def _bypass() -> str | None:
    with connection.cursor() as c:
        c.execute("SELECT current_setting('portal.bypass', true)")
        return c.fetchone()[0]


@pytest.mark.postgres
@override_settings(PORTAL_ROW_LEVEL_SECURITY=True)
def test_users_are_behind_the_wall_operators_only_under_the_bypass(app_role, tenant_a, tenant_b, alice, operator):
    UserFactory(tenant=tenant_b, email="b1@b.example.com")
    assert _count("accounts_user") == 0  # no scope: no user at all
    with tenant_scope(tenant_a):
        assert _count("accounts_user") == 1  # alice; not B's, not the operator
    with tenant_scope(tenant_b):
        assert _count("accounts_user") == 1
    with operator_scope():
        assert _count("accounts_user") == 3


@pytest.mark.postgres
@override_settings(PORTAL_ROW_LEVEL_SECURITY=True)
def test_audit_entries_are_behind_the_wall_platform_events_only_under_the_bypass(
    app_role, tenant_a, tenant_b, alice, operator
):
    with as_application():
        # Written as the application role before any scope (a failed login,
        # a platform event) and from another tenant's scope: record() writes
        # each entry in its own tenant's scope.
        record(action="accounts.login.failed", data={"reason": "unknown_id"})
        record(action="accounts.login.succeeded", actor=alice, target=alice)
        with tenant_scope(tenant_b):
            record(action="accounts.logout", actor=alice, target=alice)
            with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
                AuditEntry.objects.create(tenant_id=tenant_a.pk, action="accounts.logout")  # not through record()
    assert _count("audit_auditentry") == 0
    with tenant_scope(tenant_a):
        assert _count("audit_auditentry") == 2
    with tenant_scope(tenant_b):
        assert _count("audit_auditentry") == 0
    with operator_scope():
        assert _count("audit_auditentry") == 3


@pytest.mark.postgres
@override_settings(PORTAL_ROW_LEVEL_SECURITY=True)
def test_the_narrow_path_returns_one_user_with_its_tenant_and_leaves_no_bypass(
    app_role, tenant_a, alice, bob, operator, django_assert_num_queries
):
    with as_application(logged=False):
        with django_assert_num_queries(1):
            found = user_by_login_id("  ALICE@a.example.com ")
            assert found.tenant.name == tenant_a.name  # loaded with it, no second query
        assert found.pk == alice.pk and found.get_username() == alice.email
        assert found.password == alice.password and found.status == alice.status
        by_pk = user_by_pk(bob.pk)
        assert (by_pk.pk, by_pk.tenant_id) == (bob.pk, tenant_a.pk)
        # Operators come the same way (no tenant); the bypass does not outlive it.
        op = user_by_login_id(operator.email)
        assert (op.pk, op.tenant_id, op.tenant) == (operator.pk, None, None)
        assert user_by_pk(operator.pk).pk == operator.pk
        assert _bypass() in ("", "off", None)
        assert user_by_login_id("nobody@a.example.com") is None
        assert user_by_login_id("") is None
        assert user_by_pk(10**12) is None
        assert user_by_pk("not a number") is None
        # Everything else still sees no user outside a scope.
        with connection.cursor() as c:
            c.execute("SELECT count(*) FROM accounts_user")
            assert c.fetchone()[0] == 0


@pytest.mark.postgres
def test_the_functions_are_security_definer_with_a_fixed_search_path_and_one_row(db):
    with connection.cursor() as c:
        c.execute(
            "SELECT proname, prosecdef, proconfig, proretset, pg_get_userbyid(proowner)"
            " FROM pg_proc WHERE proname = ANY(%s)",
            [[BY_LOGIN_ID, BY_PK]],
        )
        rows = {r[0]: r[1:] for r in c.fetchall()}
    assert set(rows) == {BY_LOGIN_ID, BY_PK}
    for secdef, config, _retset, _owner in rows.values():
        assert secdef is True
        assert "search_path=pg_catalog, pg_temp" in config
        assert "portal.bypass=on" in config


def test_without_row_level_security_the_path_is_a_plain_orm_lookup(tenant_a, alice, django_assert_num_queries):
    """SQLite and PORTAL_ROW_LEVEL_SECURITY off: the same answers, one query."""
    with django_assert_num_queries(1):
        found = user_by_login_id("alice@a.example.com")
        assert found.tenant.pk == tenant_a.pk
    assert user_by_pk(alice.pk).pk == alice.pk
    assert user_by_login_id("nobody@a.example.com") is None
