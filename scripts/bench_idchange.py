"""Benchmark of the ID-count apply job (IDC-11); not a test.

    .venv/bin/python scripts/bench_idchange.py [--tenants 1000] [--per-tenant 10]

Uses its own PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/portal_idc_bench; created and migrated if
missing, emptied of earlier bench rows). Builds N tenants × M Google Workspace
contracts, each with one application due now, then times in the same run:

1. the job as production runs it: ``apply_due_changes`` → one TenantTask per
   tenant (Celery eager here, so the dispatch overhead is in-process) →
   per chunk of up to 500 of the tenant's applications, one transaction:
   one claim (SELECT … FOR UPDATE SKIP LOCKED), the lines, the contract-line
   locks, then one INSERT of ledger rows, one UPDATE each for line counts,
   applied marks, contract caches and statuses, one audit INSERT and one
   outbox INSERT of the rendered 完了 mails;
2. the job a second time (idempotence: applies nothing);
2b. the job's own work as a Celery worker does it, on a second data set: the
   tenant tasks called directly, the 完了 mails' delivery only published for
   the mail worker (in production it is another process);
3. a set-based SQL baseline on a third, identical data set: one transaction
   of INSERT … SELECT into the ledger and UPDATE … FROM for the line counts,
   the contract caches and the statuses (no audit entries, no mail: the
   floor the database itself sets).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_idc_bench"
)
os.environ["DATABASE_URL"] = BENCH_DB
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ.pop("REDIS_URL", None)  # eager tasks, locmem cache and mail


def ensure_database() -> None:
    import psycopg

    name = BENCH_DB.rsplit("/", 1)[1]
    admin_url = BENCH_DB.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def build(prefix: str, tenants: int, per_tenant: int, now) -> list[int]:  # noqa: ANN001
    """Bulk-build the data set; returns the tenant ids."""
    from idchange.models import (
        ContractLine,
        IdChangeApplication,
        IdChangeApplicationLine,
        IdCountLedger,
    )
    from tenants.catalogue import ensure_catalogue
    from tenants.models import Contract, Tenant

    gw = ensure_catalogue()["google_workspace"]
    ts = Tenant.objects.bulk_create(
        [Tenant(name=f"ベンチ{prefix}{i}", code=f"{prefix}{i:06d}") for i in range(tenants)]
    )
    contracts = Contract.objects.bulk_create(
        [
            Contract(tenant=t, service=gw, number=f"{prefix}-{j}", plan="Business Standard",
                     id_count=10, unit_price=1600)
            for t in ts
            for j in range(per_tenant)
        ]
    )
    lines = ContractLine.objects.bulk_create(
        [
            ContractLine(tenant_id=c.tenant_id, contract=c, name="Business Standard",
                         id_count=10, unit_price=1600)
            for c in contracts
        ]
    )
    IdCountLedger.objects.bulk_create(
        [
            IdCountLedger(tenant_id=ln.tenant_id, line=ln, count=10, delta=10,
                          reason="initial", effective_at=now)
            for ln in lines
        ]
    )
    due = now - timedelta(minutes=1)
    apps = IdChangeApplication.objects.bulk_create(
        [
            IdChangeApplication(
                tenant_id=c.tenant_id, contract=c, receipt_number=f"{prefix}{k:08d}",
                applicant_email=f"admin{c.tenant_id}@bench.example.com",
                target="this_month", effective_month=now.date().replace(day=1),
                status="pending", next_due_at=due, effective_at=due,
                withdrawable_until=None, price_delta=3 * 1600, created_at=due,
            )
            for k, c in enumerate(contracts)
        ]
    )
    IdChangeApplicationLine.objects.bulk_create(
        [
            IdChangeApplicationLine(
                tenant_id=a.tenant_id, application=a, contract_line=ln, item="plan",
                name=ln.name, count_before=10, delta=3, unit_price=1600,
                effective_month=a.effective_month, effective_at=due,
            )
            for a, ln in zip(apps, lines, strict=True)
        ]
    )
    return [t.pk for t in ts]


SET_BASED_SQL = [
    # 1. one ledger row per due line
    """
    INSERT INTO idchange_idcountledger
        (tenant_id, line_id, count, delta, reason, application_id, effective_at, created_at)
    SELECT l.tenant_id, l.contract_line_id, cl.id_count + l.delta, l.delta, 'application',
           a.id, l.effective_at, now()
    FROM idchange_idchangeapplication a
    JOIN idchange_idchangeapplicationline l ON l.application_id = a.id
    JOIN idchange_contractline cl ON cl.id = l.contract_line_id
    WHERE a.status = 'pending' AND a.next_due_at <= %(now)s AND a.tenant_id = ANY(%(tenants)s)
    """,
    # 2. line counts
    """
    UPDATE idchange_contractline cl SET id_count = cl.id_count + l.delta
    FROM idchange_idchangeapplicationline l
    JOIN idchange_idchangeapplication a ON a.id = l.application_id
    WHERE cl.id = l.contract_line_id AND a.status = 'pending' AND a.next_due_at <= %(now)s
      AND a.tenant_id = ANY(%(tenants)s)
    """,
    # 3. line applied marks
    """
    UPDATE idchange_idchangeapplicationline l SET applied_at = %(now)s
    FROM idchange_idchangeapplication a
    WHERE a.id = l.application_id AND a.status = 'pending' AND a.next_due_at <= %(now)s
      AND a.tenant_id = ANY(%(tenants)s)
    """,
    # 4. contract caches
    """
    UPDATE tenants_contract c SET id_count = s.total
    FROM (SELECT cl.contract_id, sum(cl.id_count) AS total FROM idchange_contractline cl
          JOIN idchange_idchangeapplication a ON a.contract_id = cl.contract_id
          WHERE cl.item = 'plan' AND a.status = 'pending' AND a.next_due_at <= %(now)s
            AND a.tenant_id = ANY(%(tenants)s)
          GROUP BY cl.contract_id) s
    WHERE c.id = s.contract_id
    """,
    # 5. statuses
    """
    UPDATE idchange_idchangeapplication SET status = 'processing', applied_at = %(now)s,
           next_due_at = NULL
    WHERE status = 'pending' AND next_due_at <= %(now)s AND tenant_id = ANY(%(tenants)s)
    """,
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--per-tenant", type=int, default=10)
    args = parser.parse_args()

    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from idchange import tasks
    from idchange.models import IdChangeApplication, IdCountLedger
    from notifications.models import OutboxMessage
    from tenants.models import Tenant
    from tenants.scoping import operator_scope

    call_command("migrate", verbosity=0)
    total = args.tenants * args.per_tenant
    now = timezone.now()
    with operator_scope():
        Tenant.objects.filter(code__regex=r"^B[JSWP][0-9]{6}$").delete()
        t0 = time.perf_counter()
        with transaction.atomic():
            build("BJ", args.tenants, args.per_tenant, now)
        print(f"built {total} due applications across {args.tenants} tenants "
              f"in {time.perf_counter() - t0:.1f}s")

    t0 = time.perf_counter()
    dispatched = tasks.apply_due_changes(now=now.isoformat())
    job_s = time.perf_counter() - t0
    with operator_scope():
        applied = IdChangeApplication.objects.filter(
            tenant__code__startswith="BJ", status="processing"
        ).count()
        ledger = IdCountLedger.objects.filter(tenant__code__startswith="BJ", reason="application").count()
        mails = OutboxMessage.objects.filter(tenant__code__startswith="BJ").count()
    assert applied == total and ledger == total and mails == total, (applied, ledger, mails)
    print(f"job: {dispatched} tenant tasks, {applied} applied, {ledger} ledger rows, "
          f"{mails} mails in {job_s:.1f}s = {total / job_s:.0f} applications/s")

    t0 = time.perf_counter()
    again = tasks.apply_due_changes(now=now.isoformat())
    print(f"job again: {again} tenant tasks dispatched in {time.perf_counter() - t0:.2f}s "
          f"(nothing applied twice)")

    # 2b. The job's own work, as a worker runs it: the tenant tasks called
    # directly, the outbox deliveries only published (to the in-memory
    # broker) for the mail worker instead of being sent in-process.
    from portal.celery import app as celery_app

    with operator_scope(), transaction.atomic():
        build("BW", args.tenants, args.per_tenant, now)
    celery_app.conf.task_always_eager = False
    t0 = time.perf_counter()
    with operator_scope():
        due_tenants = list(
            IdChangeApplication.objects.filter(status="pending", next_due_at__lte=now)
            .order_by().values_list("tenant_id", flat=True).distinct()
        )
    for tenant_id in due_tenants:
        tasks.apply_due_changes_for_tenant(tenant_id=tenant_id, now=now.isoformat())
    worker_s = time.perf_counter() - t0
    celery_app.conf.task_always_eager = True
    with operator_scope():
        applied_w = IdChangeApplication.objects.filter(
            tenant__code__startswith="BW", status="processing"
        ).count()
    assert applied_w == total, applied_w
    print(f"job without in-process mail delivery: {applied_w} applied in {worker_s:.1f}s "
          f"= {total / worker_s:.0f} applications/s")

    with operator_scope(), transaction.atomic():
        tenant_ids = build("BS", args.tenants, args.per_tenant, now)
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        for sql in SET_BASED_SQL:
            cur.execute(sql, {"now": now, "tenants": tenant_ids})
    sql_s = time.perf_counter() - t0
    with operator_scope():
        done = IdChangeApplication.objects.filter(tenant__code__startswith="BS", status="processing").count()
    assert done == total, done
    print(f"set-based SQL baseline: {done} applied in {sql_s:.2f}s = {total / sql_s:.0f} applications/s")
    print(f"ratio job / baseline: {job_s / sql_s:.0f}x (with delivery), "
          f"{worker_s / sql_s:.0f}x (without)")


if __name__ == "__main__":
    main()
