"""PostgreSQL row-level security, the second wall (issue 15). Raw SQL as an
application role that is neither owner nor superuser (SET ROLE in the test)."""

from __future__ import annotations

import pytest
from celery import shared_task
from django.db import DatabaseError, connection, transaction
from django.test import override_settings

from tenants.rls import POLICY, tenant_tables
from tenants.scoping import operator_scope, tenant_scope
from tenants.tasks import TenantTask
from tests.factories import ContractFactory
from tests.rls import APP_ROLE, ensure_app_role

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def app_role(db):
    with connection.cursor() as cursor:
        return ensure_app_role(cursor)


def _as_app(sql: str, params=()):
    with connection.cursor() as c:
        c.execute(f"SET ROLE {APP_ROLE}")
        # On an error the caller's atomic() rolls back, SET ROLE with it.
        c.execute(sql, params)
        rows = c.fetchall() if c.description else None
        c.execute("RESET ROLE")
        return rows


def test_every_table_with_a_tenant_column_has_forced_rls_and_the_policy():
    """Issue 20's bar, read from the catalogue, not from the models: every
    table of the schema with a ``tenant_id`` column — users, audit entries
    and the outbox included, no exemptions — has RLS enabled and forced and
    the policy; and the models' list (what post_migrate applies) is the same."""
    with connection.cursor() as c:
        c.execute(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,"
            " EXISTS (SELECT 1 FROM pg_policies p WHERE p.schemaname = n.nspname"
            "   AND p.tablename = c.relname AND p.policyname = %s)"
            " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE a.attname = 'tenant_id' AND NOT a.attisdropped AND c.relkind IN ('r', 'p')"
            " AND n.nspname = current_schema()",
            [POLICY],
        )
        rows = {r[0]: r[1:] for r in c.fetchall()}
    assert {"accounts_user", "audit_auditentry", "notifications_outboxmessage", "tenants_contract"} <= set(rows)
    assert len(rows) >= 26
    assert {t: r for t, r in rows.items() if r != (True, True, True)} == {}
    assert set(tenant_tables()) == set(rows)


def test_raw_sql_without_the_setting_sees_nothing(app_role, tenant_a, tenant_b, services):
    ContractFactory(tenant=tenant_a, service=services["emm"])
    ContractFactory(tenant=tenant_b, service=services["emm"])
    assert _as_app("SELECT count(*) FROM tenants_contract")[0][0] == 0


@override_settings(PORTAL_ROW_LEVEL_SECURITY=True)
def test_under_tenant_a_only_as_rows_and_no_b_insert(app_role, tenant_a, tenant_b, services):
    a = ContractFactory(tenant=tenant_a, service=services["emm"])
    ContractFactory(tenant=tenant_b, service=services["emm"])
    with tenant_scope(tenant_a):
        assert _as_app("SELECT id FROM tenants_contract") == [(a.pk,)]
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            _as_app(
                "INSERT INTO tenants_contract (tenant_id, service_id, number, plan, term, id_count, unit_price,"
                " renewal_base_date, created_at) SELECT %s, service_id, 'X-1', plan, term, id_count,"
                " unit_price, renewal_base_date, now() FROM tenants_contract LIMIT 1",
                [tenant_b.pk],
            )
    with operator_scope():
        assert _as_app("SELECT count(*) FROM tenants_contract")[0][0] == 2
    # The scope ended: the (pooled) connection carries no tenant any more.
    assert _as_app("SELECT count(*) FROM tenants_contract")[0][0] == 0
    with connection.cursor() as c:
        c.execute(
            "SELECT current_setting('portal.tenant_id', true), current_setting('portal.bypass', true)"
        )
        assert c.fetchone() in (("", "off"), (None, None))


@shared_task(base=TenantTask)
def _tenants_a_task_sees(*, tenant_id: int) -> list[int]:
    """A tenant task whose body is raw SQL as the application role."""
    return [row[0] for row in _as_app("SELECT DISTINCT tenant_id FROM tenants_contract ORDER BY 1")]


@override_settings(PORTAL_ROW_LEVEL_SECURITY=True)
def test_a_celery_task_runs_under_its_tenant_only(app_role, tenant_a, tenant_b, services):
    """A TenantTask's SQL sees only its tenant's rows, and the worker's
    connection carries no tenant into the next task."""
    ContractFactory(tenant=tenant_a, service=services["emm"])
    ContractFactory(tenant=tenant_b, service=services["emm"])
    assert _tenants_a_task_sees.apply(kwargs={"tenant_id": tenant_b.pk}).get() == [tenant_b.pk]
    assert _tenants_a_task_sees.apply(kwargs={"tenant_id": tenant_a.pk}).get() == [tenant_a.pk]
    assert _as_app("SELECT count(*) FROM tenants_contract")[0][0] == 0  # after the tasks


@override_settings(PORTAL_ROW_LEVEL_SECURITY=True)
def test_issue20_outbox_rows_are_behind_the_wall(app_role, tenant_a, tenant_b, operator, alice, mailoutbox):  # noqa: F811
    """The outbox holds names, addresses and account links: a tenant scope
    sees its own rows only, operators' mail (no tenant) only the bypass; the
    mail kit still writes and delivers every kind as the application role."""
    from django.core.mail import mailers

    from mail.models import OutboxMessage
    from mail.services import claim_many, deliver_claimed, send_mail
    from mail.tasks import _is_transient
    from tests.rls import as_application

    CONTEXT = {"name": "有栖", "title": "メンテナンス"}  # noqa: N806
    assert "notifications_outboxmessage" in tenant_tables()
    with as_application():
        with tenant_scope(tenant_a):  # a request of tenant A mails A, B and an operator
            for tenant, to in ((tenant_a, alice.email), (tenant_b, "b@b.example.com"), (None, operator.email)):
                send_mail(template="test_notice", to=to, context=CONTEXT, tenant=tenant)
        # Before any scope (the pre-login flows): the write works too.
        send_mail(template="test_notice", to="x@a.example.com", context=CONTEXT, tenant=tenant_a)
    with tenant_scope(tenant_a):
        assert _as_app("SELECT count(*) FROM notifications_outboxmessage")[0][0] == 2
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            _as_app(
                "INSERT INTO notifications_outboxmessage (tenant_id, template, \"to\", subject, body, html_body,"
                " from_email, status, attempts, last_error, created_at)"
                " VALUES (NULL, 't', '[]', 's', 'b', '', 'f', 'pending', 0, '', now())"
            )
    with tenant_scope(tenant_b):
        assert _as_app("SELECT count(*) FROM notifications_outboxmessage")[0][0] == 1
    assert _as_app("SELECT count(*) FROM notifications_outboxmessage")[0][0] == 0
    with operator_scope():
        assert _as_app("SELECT count(*) FROM notifications_outboxmessage")[0][0] == 4
        ids = list(OutboxMessage.objects.values_list("pk", flat=True))
    # The sweep's side, as the application role: every row is found and sent.
    with as_application(), mailers.default as mail_connection:
        claimed = claim_many(ids)
        outcome = deliver_claimed(claimed, connection=mail_connection, is_transient=_is_transient)
    assert outcome == {"sent": 4, "failed": 0, "retrying": 0}
    assert len(mailoutbox) == 4
