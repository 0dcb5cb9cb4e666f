"""The apply job batches small tenants (IDC-11, issue 14): a month boundary
with a few due changes in each of many tenants is applied a chunk at a time
across tenants (one claim, one statement set, one commit per chunk), not one
task and one transaction per tenant. Idempotence, SKIP LOCKED claiming, the
ledger, audit and outbox writes are those of the per-tenant path."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEntry
from idchange import tasks
from idchange.models import IdChangeApplication, IdCountLedger
from idchange.services.submit import submit_id_change
from mail.models import OutboxMessage
from tenants.scoping import operator_scope, tenant_scope
from tests.factories import ContractFactory, TenantFactory, UserFactory
from tests.idchange.conftest import plan_line

COMPLETED = "【My KDDI Biz 総合】サービス情報変更完了のお知らせ"


def _due_in_new_tenants(services, now, count, prefix):
    """``count`` tenants with one due Google Workspace change each."""
    apps = []
    for i in range(count):
        tenant = TenantFactory(code=f"{prefix}{i:05d}")
        admin = UserFactory(tenant=tenant, email=f"admin@{prefix.lower()}{i}.example.com", role="admin")
        contract = ContractFactory(tenant=tenant, service=services["google_workspace"], number=f"{prefix}-{i}")
        line = plan_line(contract)
        with tenant_scope(tenant.pk):
            apps.append(submit_id_change(contract=contract, changes={line.pk: 1}, target="this_month",
                                         applicant=admin, now=now))
    return apps


def test_batch_tenants_packs_small_tenants_and_keeps_big_ones_apart():
    own, batches = tasks.batch_tenants([(1, 3), (2, 600), (3, 400), (4, 200), (5, 1)], 500)
    assert own == [2]
    assert batches == [[1, 3], [4, 5]]  # 403 applications, then 201
    assert tasks.batch_tenants([], 500) == ([], [])


def test_idc11_job_applies_many_small_tenants_in_one_statement_set(services, now):
    """The same number of statements for 3 tenants and for 30: each row
    written (ledger, audit, outbox) belongs to its application's tenant."""
    counts = []
    apps = []
    for count, prefix in ((3, "SA"), (30, "SB")):
        batch = _due_in_new_tenants(services, now, count, prefix)
        apps += batch
        with CaptureQueriesContext(connection) as ctx:
            applied = tasks.apply_due_changes_for_tenants(
                tenant_ids=[a.tenant_id for a in batch], now=now.isoformat()
            )
        assert applied == count
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 12, counts  # the per-tenant task's statement set
    with operator_scope():
        for app in apps:
            app.refresh_from_db()
            assert app.status == "processing"
            ledger = IdCountLedger.objects.get(application=app)
            assert ledger.tenant_id == app.tenant_id
            audit = AuditEntry.objects.get(action="idchange.application.applied", object_id=str(app.pk))
            assert audit.tenant_id == app.tenant_id
        completed = OutboxMessage.objects.filter(subject=COMPLETED)
        assert completed.count() == len(apps)
        sent_to = {m.to[0]: m.tenant_id for m in completed}
        assert sent_to == {app.applicant_email: app.tenant_id for app in apps}


def test_idc11_dispatcher_batches_and_runs_once(services, now):
    """Beat's dispatcher covers every tenant, a second run finds nothing, and
    a batch only claims the tenants it was given."""
    apps = _due_in_new_tenants(services, now, 4, "SC")
    others = _due_in_new_tenants(services, now, 1, "SD")
    assert tasks.apply_due_changes_for_tenants(tenant_ids=[a.tenant_id for a in apps[:2]],
                                               now=now.isoformat()) == 2
    with operator_scope():
        assert IdChangeApplication.objects.get(pk=apps[2].pk).status == "pending"
    assert tasks.apply_due_changes(now=now.isoformat()) == 3
    assert tasks.apply_due_changes(now=now.isoformat()) == 0
    with operator_scope():
        assert {a.status for a in IdChangeApplication.objects.filter(pk__in=[a.pk for a in apps + others])} == {
            "processing"
        }
        assert IdCountLedger.objects.filter(reason="application").count() == 5


def test_the_claim_gives_each_application_its_service_and_the_mail_its_name(services, now):
    """The claim reads the service's kind and name in its statement (issue 22):
    the kind decides IDC-12 and the floor, the name goes into the 完了 mail."""
    from django.db import transaction

    from idchange.services.job import _claim_due

    apps = _due_in_new_tenants(services, now, 2, "SV")
    gw = services["google_workspace"]
    assert gw.kind != gw.name
    with operator_scope(), transaction.atomic():
        claimed = _claim_due(now=now, limit=10, tenant_ids=[a.tenant_id for a in apps])
        assert {(a.contract.service_id, a.contract.service.kind, a.contract.service.name) for a in claimed} == {
            (gw.pk, gw.kind, gw.name)
        }
    tasks.apply_due_changes_for_tenants(tenant_ids=[a.tenant_id for a in apps], now=now.isoformat())
    with operator_scope():
        assert {m.context["service_name"] for m in OutboxMessage.objects.filter(subject=COMPLETED)} == {gw.name}
