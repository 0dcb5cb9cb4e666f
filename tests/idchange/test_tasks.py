"""The apply job (IDC-11): one task per tenant, each application claimed so
that running twice, or two workers at once, applies nothing twice."""

from __future__ import annotations

import threading

from django.db import connection

from idchange import services as idc_services
from idchange import tasks
from idchange.models import IdChangeApplication, IdCountLedger
from notifications.models import OutboxMessage
from tenants.models import Contract
from tenants.scoping import operator_scope, tenant_scope
from tests.factories import ContractFactory
from tests.idchange.conftest import jst, plan_line

COMPLETED = "【My KDDI Biz 総合】サービス情報変更完了のお知らせ"


def _submit(contract, delta, target, user, now):
    line = plan_line(contract)
    with tenant_scope(contract.tenant_id):
        return idc_services.submit_id_change(
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
                idc_services.submit_id_change(
                    contract=gw, changes={line.pk: 1}, target="next_month", applicant=alice, now=now
                )
            outcomes.append("ok")
        except idc_services.IdChangeError as exc:
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
