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


def test_every_tenant_table_has_forced_rls_and_the_policy():
    tables = tenant_tables()
    assert "tenants_contract" in tables and len(tables) >= 6
    with connection.cursor() as c:
        c.execute(
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = ANY(%s)",
            [tables],
        )
        rows = {r[0]: r[1:] for r in c.fetchall()}
        c.execute("SELECT tablename FROM pg_policies WHERE policyname = %s", [POLICY])
        with_policy = {r[0] for r in c.fetchall()}
    assert set(rows) == set(tables)
    assert all(r == (True, True) for r in rows.values()), rows
    assert with_policy >= set(tables)


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
