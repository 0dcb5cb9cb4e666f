"""Failure drill: the month-boundary apply job (IDC-11) run concurrently, and
its worker killed mid-transaction → every application applied exactly once.

    DATABASE_URL=postgres://… .venv/bin/python scripts/drill_month.py

1. Concurrent runs: 1,800 applications due (2 tenants of 600, 300 tenants of
   2; each application +3 IDs on its own contract), the dispatcher
   ``apply_due_changes`` queued 4 times at once (as if beat fired on two
   hosts twice) and run by 2 workers × 2 processes, so per-tenant tasks and
   cross-tenant batches claim the same rows at the same moment.
2. Worker killed: 3,000 applications of one tenant (its own task, 6 chunks of
   500, one transaction each); the whole worker SIGKILLed while a chunk's
   transaction is open, after at least one chunk committed; a new worker
   started and nothing dispatched again: the unacknowledged task comes back
   after the visibility timeout and applies the rest.

Checked for every application: one ledger row, its line and contract at
10 + 3 IDs, status 処理中, one 'applied' audit entry, one 完了 mail row, the
mails delivered (0 lost; duplicates ≤ 1 per killed in-flight delivery
batch), and the applied counts the tasks returned add up to the total.
"""

from __future__ import annotations

import ast
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import drilllib  # noqa: E402

APPLY_TASKS = ("idchange.tasks.apply_due_changes_for_tenant", "idchange.tasks.apply_due_changes_for_tenants")
START, DELTA = 10, 3


def make_due(prefix: str, sizes: list[int], now) -> list[int]:  # noqa: ANN001
    """One tenant per entry of ``sizes`` with that many Google Workspace
    contracts at 10 IDs, each with one application (+3) due now."""
    from django.db import transaction

    from idchange.models import (
        ContractLine,
        IdChangeApplication,
        IdChangeApplicationLine,
        IdCountLedger,
    )
    from tenants.catalogue import ensure_catalogue
    from tenants.models import Contract, Tenant
    from tenants.scoping import operator_scope

    due = now - timedelta(minutes=1)
    month = now.date().replace(day=1)
    with operator_scope(), transaction.atomic():
        gw = ensure_catalogue()["google_workspace"]
        tenants = Tenant.objects.bulk_create(
            [Tenant(name=f"訓練{prefix}{i}株式会社", code=f"{prefix}{i:06d}") for i in range(len(sizes))]
        )
        contracts = Contract.objects.bulk_create(
            [
                Contract(tenant=t, service=gw, number=f"{t.code}-{j}", plan="Business Standard",
                         id_count=START, unit_price=1600)
                for t, size in zip(tenants, sizes, strict=True)
                for j in range(size)
            ]
        )
        lines = ContractLine.objects.bulk_create(
            [ContractLine(tenant_id=c.tenant_id, contract=c, name="Business Standard", id_count=START,
                          unit_price=1600) for c in contracts]
        )
        IdCountLedger.objects.bulk_create(
            [IdCountLedger(tenant_id=ln.tenant_id, line=ln, count=START, delta=START, reason="initial",
                           effective_at=due) for ln in lines]
        )
        apps = IdChangeApplication.objects.bulk_create(
            [
                IdChangeApplication(
                    tenant_id=ln.tenant_id, contract=ln.contract, receipt_number=f"{prefix}{ln.pk:08d}",
                    applicant_email=f"a{ln.pk}@drill.example.com", target="this_month", effective_month=month,
                    status="pending", next_due_at=due, effective_at=due, price_delta=DELTA * 1600, created_at=due,
                )
                for ln in lines
            ]
        )
        IdChangeApplicationLine.objects.bulk_create(
            [
                IdChangeApplicationLine(
                    tenant_id=a.tenant_id, application=a, contract_line=ln, item="plan", name=ln.name,
                    count_before=START, delta=DELTA, unit_price=1600, effective_month=month, effective_at=due,
                )
                for a, ln in zip(apps, lines, strict=True)
            ]
        )
    return [a.pk for a in apps]


def due_left(app_ids: list[int]) -> int:
    from idchange.models import IdChangeApplication
    from tenants.scoping import operator_scope

    with operator_scope():
        return IdChangeApplication.objects.filter(pk__in=app_ids, status="pending").count()


def task_sum(*workers: drilllib.Worker) -> int:
    return sum(int(ast.literal_eval(r)) for w in workers for task in APPLY_TASKS for r in w.results(task))


def verify(drill: drilllib.Drill, app_ids: list[int], *, label: str, returned: int) -> None:
    """Applied once: every trace of an application exists exactly once."""
    from django.db.models import Count

    from audit.models import AuditEntry
    from idchange.models import ContractLine, IdChangeApplication, IdCountLedger
    from idchange.services.mails import COMPLETED_MAIL
    from mail.models import OutboxMessage
    from tenants.models import Contract
    from tenants.scoping import operator_scope

    n = len(app_ids)
    with operator_scope():
        apps = IdChangeApplication.objects.filter(pk__in=app_ids)
        processing = apps.filter(status="processing").count()
        contract_ids = list(apps.values_list("contract_id", flat=True))
        emails = [[e] for e in apps.values_list("applicant_email", flat=True)]
        ledger = dict(
            IdCountLedger.objects.filter(application_id__in=app_ids, reason="application")
            .values("application_id").annotate(n=Count("pk")).values_list("application_id", "n")
        )
        wrong_lines = ContractLine.objects.filter(contract_id__in=contract_ids).exclude(id_count=START + DELTA).count()
        wrong_contracts = Contract.objects.filter(pk__in=contract_ids).exclude(id_count=START + DELTA).count()
        audit = dict(
            AuditEntry.objects.filter(action="idchange.application.applied", object_id__in=[str(i) for i in app_ids])
            .values("object_id").annotate(n=Count("pk")).values_list("object_id", "n")
        )
        mails = list(
            OutboxMessage.objects.filter(template=COMPLETED_MAIL, to__in=emails).values_list("pk", flat=True)
        )
    ledger_dupes = sum(v - 1 for v in ledger.values())
    audit_dupes = sum(v - 1 for v in audit.values())
    summed = returned
    drill.say(
        f"{label}: applications {n}, applied {processing}, ledger rows {sum(ledger.values())} "
        f"(duplicates {ledger_dupes}, missing {n - len(ledger)}), lines ≠ {START + DELTA}: {wrong_lines}, "
        f"contracts ≠ {START + DELTA}: {wrong_contracts}, audit 'applied' {sum(audit.values())}, "
        f"完了 mail rows {len(mails)}, applied counts returned by the tasks {summed}"
    )
    once = (
        processing == n and len(ledger) == n and ledger_dupes == 0 and wrong_lines == 0 and wrong_contracts == 0
        and len(audit) == n and audit_dupes == 0 and len(mails) == n
    )
    drill.check(f"{label}: applied once", once, f"{processing}/{n} applied, {ledger_dupes} double ledger rows")
    drill.check(f"{label}: tasks' applied counts add up", summed == n, f"{summed} returned for {n}")
    drill.check(f"{label}: 完了 mails delivered", drilllib.sweep_until_sent(drill, mails, 60), "all sent")
    # The kills hit apply tasks, never a delivery batch (one pool process, busy).
    drilllib.mail_figures(drill, mails, killed_batches=0, label=f"{label} 完了 mails")


def open_transactions(drill: drilllib.Drill) -> int:
    """Backends of the drill database inside a transaction that has written
    (or locked) something: a chunk being applied."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
        )
        return cursor.fetchone()[0]


def main() -> int:
    from django.utils import timezone

    with drilllib.Drill("month") as drill:
        from idchange import tasks

        # 1. the job run concurrently.
        now = timezone.now()
        app_ids = make_due("DC", [600, 600] + [2] * 300, now)
        workers = [drill.worker("w1"), drill.worker("w2")]
        drill.say(f"round 1: {len(app_ids)} applications due in 302 tenants; the job dispatched 4 times at once")
        for _ in range(4):
            tasks.apply_due_changes.delay(now=now.isoformat())
        rounds = 1
        while not drilllib.wait_until(lambda: due_left(app_ids) == 0, 30, 0.2) and rounds < 4:
            tasks.apply_due_changes.delay(now=now.isoformat())  # the next minute's beat
            rounds += 1
        drilllib.wait_until(lambda: task_sum(*workers) >= len(app_ids), 20, 0.2)
        time.sleep(1)  # the last duplicate tasks finish (they find nothing)
        returns = [int(ast.literal_eval(r)) for w in workers for t in APPLY_TASKS for r in w.results(t)]
        drill.say(f"round 1: dispatches {4 + rounds - 1}; apply tasks run {len(returns)}: "
                  f"{sum(1 for r in returns if r)} applied rows, {sum(1 for r in returns if not r)} "
                  f"found them all taken by the others")
        verify(drill, app_ids, label="round 1 (concurrent runs)", returned=task_sum(*workers))
        for worker in workers:
            worker.stop()

        # 2. the worker killed mid-transaction.
        now = timezone.now()
        app_ids = make_due("DK", [3000], now)
        first = drill.worker("w3", concurrency=1)
        tasks.apply_due_changes.delay(now=now.isoformat())
        applied = drilllib.wait_until(
            lambda: (len(app_ids) - due_left(app_ids) >= 500 and open_transactions(drill) > 0), 60, 0.01
        )
        first.kill()
        before = len(app_ids) - due_left(app_ids)
        drill.say(f"round 2: worker SIGKILLed inside a chunk's transaction with {before} of {len(app_ids)} applied"
                  + ("" if applied else " (no open chunk seen: killed anyway)"))
        drill.check("round 2: killed mid-job", 0 < before < len(app_ids), f"{before} applied before the kill")
        drill.check("round 2: the open chunk rolled back whole", before % 500 == 0, f"{before} applied")
        t0 = time.monotonic()
        second = drill.worker("w4", concurrency=1)
        done = drilllib.wait_until(lambda: due_left(app_ids) == 0, 90, 0.2)
        drill.say(f"round 2: the redelivered task finished the job {time.monotonic() - t0:.1f}s after the new "
                  f"worker started (visibility timeout 15 s here)")
        drill.check("round 2: rerun without a new dispatch", bool(done), f"{due_left(app_ids)} still due")
        drilllib.wait_until(lambda: task_sum(first, second) >= len(app_ids) - before, 10, 0.2)
        # The killed task never returned; the count it had committed is in `before`.
        verify(drill, app_ids, label="round 2 (worker killed)", returned=task_sum(first, second) + before)
        second.stop()
    return drill.exit_code


if __name__ == "__main__":
    sys.exit(main())
