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


@pytest.mark.postgres
@override_settings(PORTAL_ROW_LEVEL_SECURITY=True, LOGIN_FAILURE_LIMIT=2)
def test_every_pre_tenant_path_works_as_the_application_role(app_role, client, tenant_a, alice, operator):
    """Issue 20: the self-service mail worker, the reset link, the setup
    link, the lockout and the two-step login (a tenant's user and an
    operator), all as the plain role with RLS on and no scope to start from."""
    from accounts.models import User
    from accounts.services.login import authenticate_login
    from accounts.services.self_service import MailRequest, answer_mail_request
    from tests.accounts.auth_helpers import audit, link_from, login_two_steps, outbox

    pending = UserFactory(tenant=tenant_a, email="new@a.example.com", status=User.Status.PENDING)
    locked_soon = UserFactory(tenant=tenant_a, email="soon@a.example.com")
    with as_application():
        assert answer_mail_request(kind=MailRequest.PASSWORD_RESET, login_id=alice.email.upper()) == "reset"
        assert answer_mail_request(kind=MailRequest.PASSWORD_RESET, login_id=operator.email) == "reset"
        assert answer_mail_request(kind=MailRequest.SETUP_LINK, login_id=pending.email) == "setup"
        assert answer_mail_request(kind=MailRequest.PASSWORD_RESET, login_id="nobody@x.example.com") == "unknown"
        for _ in range(2):
            assert authenticate_login(login_id=locked_soon.email, password="wrong-1").reason == "invalid"
        assert authenticate_login(login_id="nobody@x.example.com", password="x").reason == "invalid"
    locked_soon.refresh_from_db()
    assert locked_soon.status == User.Status.LOCKED
    assert [e.tenant_id for e in audit("accounts.user.locked")] == [tenant_a.pk]
    assert [e.tenant_id for e in audit("accounts.login.failed", data__reason="unknown_id")] == [None]

    new_password = "Renewed2026"
    with as_application():
        # The operator's reset link, through the views.
        link = link_from([m for m in outbox("password_reset") if m.to == [operator.mail_to]][0].body, "/password/reset/")
        response = client.get(link)
        page = client.get(response.url)
        assert page.status_code == 200
        response = client.post(response.url, {"password1": new_password, "password2": new_password})
        assert response.status_code == 302, response.content.decode()[:500]
        # The setup link of a pending user opens its first step.
        setup = link_from(outbox("account_setup")[-1].body, "/setup/")
        response = client.get(setup)
        assert client.get(response.url).status_code == 200
    operator.refresh_from_db()
    assert operator.check_password(new_password)
    with as_application():
        for login_id, password in ((alice.email, "x"), (operator.email, new_password)):
            fresh = type(client)()
            response = login_two_steps(fresh, login_id, password)
            if login_id == operator.email:
                assert response.status_code == 302
                assert fresh.session.get("_auth_user_id") == str(operator.pk)
    operator.refresh_from_db()
    assert operator.last_login is not None


@pytest.mark.postgres
@override_settings(PORTAL_ROW_LEVEL_SECURITY=True)
def test_createsuperuser_works_as_the_application_role(app_role):
    """README: operators get accounts with ``manage.py createsuperuser``,
    which runs outside any scope; the new operator's row has no tenant."""
    from accounts.models import User

    with as_application():
        operator = User.objects.create_superuser("op2@carrier.example.com", "Operator2026")
        assert user_by_login_id("op2@carrier.example.com").pk == operator.pk
    with operator_scope():
        assert User.objects.get(pk=operator.pk).tenant_id is None
