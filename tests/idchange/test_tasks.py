"""The apply job (IDC-11): one task per tenant, each application claimed so
that running twice, or two workers at once, applies nothing twice."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEntry
from idchange import tasks
from idchange.models import ContractLine, IdChangeApplication, IdCountLedger
from idchange.services.apply import apply_id_change
from idchange.services.errors import IdChangeError
from idchange.services.job import apply_due_applications
from idchange.services.ledger import append_ledger, ledger_row
from idchange.services.submit import submit_id_change
from mail.models import OutboxMessage
from tenants.models import Contract
from tenants.scoping import operator_scope, tenant_scope
from tests.factories import ContractFactory
from tests.idchange.conftest import jst, plan_line

COMPLETED = "【My KDDI Biz 総合】サービス情報変更完了のお知らせ"


def _submit(contract, delta, target, user, now):
    line = plan_line(contract)
    with tenant_scope(contract.tenant_id):
        return submit_id_change(
            contract=contract, changes={line.pk: delta}, target=target, applicant=user, now=now
        )


def test_job_applies_due_applications_of_every_tenant_once(gw, alice, charlie, services, now):
    other = ContractFactory(tenant=charlie.tenant, service=services["google_workspace"], number="B-GW")
    due_a = _submit(gw, 2, "this_month", alice, now)
    due_b = _submit(other, 5, "this_month", charlie, now)
    later = _submit(ContractFactory(tenant=alice.tenant, service=services["line_works"], number="A-LW2"),
                    -1, "next_month", alice, now)

    assert tasks.apply_due_changes(now=now.isoformat()) == 2
    assert tasks.apply_due_changes(now=now.isoformat()) == 0  # nothing left: a no-op

    with operator_scope():
        statuses = dict(IdChangeApplication.objects.values_list("pk", "status"))
        assert statuses == {due_a.pk: "processing", due_b.pk: "processing", later.pk: "pending"}
        assert Contract.objects.get(pk=gw.pk).id_count == 12
        assert Contract.objects.get(pk=other.pk).id_count == 15
        assert OutboxMessage.objects.filter(subject=COMPLETED).count() == 2

    # At 12:00 on the 1st the next-month reduction becomes due.
    assert tasks.apply_due_changes(now=jst(2026, 6, 1, 12, 0).isoformat()) == 1
    with operator_scope():
        assert IdChangeApplication.objects.get(pk=later.pk).status == "processing"


@pytest.mark.postgres
def test_two_workers_at_once_apply_each_change_once(transactional_db, tenant_a, alice, services, now):
    """Two threads, two database connections, the same tenant task at the
    same moment: every line gets exactly one new ledger row and one mail."""
    contracts = [
        ContractFactory(tenant=tenant_a, service=services["google_workspace"], number=f"GW-{i}")
        for i in range(20)
    ]
    for contract in contracts:
        _submit(contract, 1, "this_month", alice, now)

    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(
                tasks.apply_due_changes_for_tenant(tenant_id=tenant_a.pk, now=now.isoformat())
            )
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    assert not errors
    assert sum(results) == 20
    with operator_scope():
        assert IdCountLedger.objects.filter(reason="application").count() == 20
        assert OutboxMessage.objects.filter(subject=COMPLETED).count() == 20
        assert set(IdChangeApplication.objects.values_list("status", flat=True)) == {"processing"}
        assert set(Contract.objects.filter(pk__in=[c.pk for c in contracts]).values_list("id_count", flat=True)) == {11}


@pytest.mark.postgres
def test_double_submit_at_once_creates_one_application(transactional_db, gw, alice, now):
    """IDC-9: two submissions of the same contract at the same moment (two
    connections): the contract row lock lets one in, the other gets
    E_CHANGE_IN_FLIGHT."""
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    line = plan_line(gw)

    def submit() -> None:
        try:
            barrier.wait()
            with tenant_scope(gw.tenant_id):
                submit_id_change(
                    contract=gw, changes={line.pk: 1}, target="next_month", applicant=alice, now=now
                )
            outcomes.append("ok")
        except IdChangeError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["E_CHANGE_IN_FLIGHT", "ok"]
    with operator_scope():
        assert IdChangeApplication.objects.filter(contract=gw).count() == 1


def _due_applications(tenant, user, services, now, count, prefix):
    contracts = [
        ContractFactory(tenant=tenant, service=services["google_workspace"], number=f"{prefix}-{i}")
        for i in range(count)
    ]
    return [_submit(contract, 1, "this_month", user, now) for contract in contracts]


def test_tenant_task_runs_a_constant_number_of_queries(tenant_a, alice, services, now):
    """IDC-11: the per-tenant task works set-wise: the same number of
    statements for 5 and for 50 due applications."""
    counts = []
    for count, prefix in ((5, "Q5"), (50, "Q50")):
        _due_applications(tenant_a, alice, services, now, count, prefix)
        with CaptureQueriesContext(connection) as ctx:
            assert tasks.apply_due_changes_for_tenant(tenant_id=tenant_a.pk, now=now.isoformat()) == count
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    # SAVEPOINT (the test's transaction; BEGIN in production), the claim, the
    # application lines, the contract-line locks, INSERT ledger, UPDATE line
    # counts, UPDATE applied marks, UPDATE contract caches, UPDATE statuses,
    # INSERT audit, INSERT outbox, RELEASE (COMMIT).
    assert counts[1] <= 12, counts
    with operator_scope():
        assert IdCountLedger.objects.filter(reason="application").count() == 55
        assert OutboxMessage.objects.filter(subject=COMPLETED).count() == 55
        assert AuditEntry.objects.filter(action="idchange.application.applied").count() == 55


def test_chunks_apply_everything(tenant_a, alice, services, now):
    apps = _due_applications(tenant_a, alice, services, now, 5, "CH")
    with tenant_scope(tenant_a.pk):
        assert apply_due_applications(now=now, chunk_size=2) == 5
    with operator_scope():
        assert set(
            IdChangeApplication.objects.filter(pk__in=[a.pk for a in apps]).values_list("status", flat=True)
        ) == {"processing"}


def test_application_failing_its_recheck_is_held_and_the_others_are_applied(
    tenant_a, alice, operator, services, now
):
    """A count moved under a pending reduction (an operator's correction):
    the job applies the tenant's other applications, puts this one on hold
    (still 処理待ち, audited, skipped by later runs); an operator's 適用
    applies and releases it once the count allows it."""
    first, bad, last = _due_applications(tenant_a, alice, services, now, 3, "H")
    line = plan_line(bad.contract)
    with tenant_scope(tenant_a.pk):
        # Replace the +1 with a -5 reduction, then let the count drop to 3 under it.
        IdChangeApplication.objects.filter(pk=bad.pk).delete()
    bad = _submit(bad.contract, -5, "this_month", alice, now)
    with tenant_scope(tenant_a.pk):
        append_ledger(ledger_row(line=line, count=3, reason="operator", effective_at=now))

    assert tasks.apply_due_changes(now=now.isoformat()) == 1
    with operator_scope():
        statuses = dict(IdChangeApplication.objects.filter(tenant=tenant_a).values_list("pk", "status"))
        assert statuses == {first.pk: "processing", bad.pk: "pending", last.pk: "processing"}
        bad.refresh_from_db()
        assert bad.hold_reason == "E_RESULT_BELOW_ONE" and bad.held_at == now
        assert IdCountLedger.objects.filter(application=bad).count() == 0
        assert AuditEntry.objects.filter(action="idchange.application.held", object_id=str(bad.pk)).count() == 1

    # Later runs skip it (no tenant dispatched, no second audit entry).
    assert tasks.apply_due_changes(now=now.isoformat()) == 0
    with operator_scope():
        assert AuditEntry.objects.filter(action="idchange.application.held").count() == 1
        with pytest.raises(IdChangeError) as exc:
            apply_id_change(application=bad, actor=operator, now=now)
        assert exc.value.code == "E_RESULT_BELOW_ONE"
        append_ledger(ledger_row(line=line, count=10, reason="operator", effective_at=now))
        apply_id_change(application=bad, actor=operator, now=now)
        bad.refresh_from_db()
        assert (bad.status, bad.hold_reason, bad.held_at) == ("processing", "", None)
        assert ContractLine.objects.get(pk=line.pk).id_count == 5


def test_a_chunk_that_fails_is_rolled_back_whole_then_retried_one_by_one(tenant_a, alice, services, now):
    """A crash inside a chunk (here a real IntegrityError: a stray ledger row
    already claims one application's change) leaves none of the chunk
    written; the job then applies the others one at a time and leaves the
    broken one pending."""
    from django.db import IntegrityError

    from idchange.services.job import _apply_chunk

    apps = _due_applications(tenant_a, alice, services, now, 4, "X")
    broken = apps[2]
    line = plan_line(broken.contract)
    with tenant_scope(tenant_a.pk):
        IdCountLedger.objects.create(
            tenant_id=tenant_a.pk, line=line, count=10, delta=0, reason="operator",
            application=broken, effective_at=now,
        )
        with pytest.raises(IntegrityError):
            _apply_chunk(now=now, limit=10, exclude=set())
    with operator_scope():
        assert IdCountLedger.objects.filter(reason="application").count() == 0
        assert set(IdChangeApplication.objects.filter(tenant=tenant_a).values_list("status", flat=True)) == {"pending"}
        assert OutboxMessage.objects.filter(subject=COMPLETED).count() == 0
        assert AuditEntry.objects.filter(action="idchange.application.applied").count() == 0

    with tenant_scope(tenant_a.pk):
        assert apply_due_applications(now=now) == 3
    with operator_scope():
        statuses = dict(IdChangeApplication.objects.filter(tenant=tenant_a).values_list("pk", "status"))
        assert statuses == {a.pk: ("pending" if a == broken else "processing") for a in apps}
        assert OutboxMessage.objects.filter(subject=COMPLETED).count() == 3
