"""Benchmark of the month-boundary apply job (IDC-11); not a test.

    .venv/bin/python scripts/bench_idchange.py [--json PATH]

Runs on the shared scale dataset (scripts/benchlib.py): 1,000 tenants with 10
Google Workspace contracts each. Each run first retires earlier benchmark
applications, then gives every contract one application due now (10,000), and
times, in the same run:

1. the job as production runs it: beat's ``apply_due_changes`` (counts the
   due applications per tenant and dispatches batches of small tenants),
   then the dispatched tasks run in this process as a worker would (taken
   from the in-memory broker); the 完了 mails' delivery stays queued for the
   mail worker, which also renders their bodies from the values stored in
   the outbox rows (issue 22; not timed here, as delivery is not). Every
   application gets its ledger row, line count, applied mark, contract
   cache, status, audit entry and outbox row;
2. the job again at once (idempotence: nothing applied twice);
3. the floor, on a second identical set of applications: set-based SQL in
   one transaction doing the same writes — INSERT … SELECT of the ledger
   rows, UPDATE … FROM of the line counts, applied marks, contract caches and
   statuses, INSERT … SELECT of the audit rows and of the outbox rows (the
   mail text built in SQL, as long as the real one, which the floor still
   writes in full).
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

SET_BASED_SQL = [
    # ledger rows
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
    # line counts
    """
    UPDATE idchange_contractline cl SET id_count = cl.id_count + l.delta
    FROM idchange_idchangeapplicationline l
    JOIN idchange_idchangeapplication a ON a.id = l.application_id
    WHERE cl.id = l.contract_line_id AND a.status = 'pending' AND a.next_due_at <= %(now)s
      AND a.tenant_id = ANY(%(tenants)s)
    """,
    # applied marks
    """
    UPDATE idchange_idchangeapplicationline l SET applied_at = %(now)s
    FROM idchange_idchangeapplication a
    WHERE a.id = l.application_id AND a.status = 'pending' AND a.next_due_at <= %(now)s
      AND a.tenant_id = ANY(%(tenants)s)
    """,
    # contract caches
    """
    UPDATE tenants_contract c SET id_count = s.total
    FROM (SELECT cl.contract_id, sum(cl.id_count) AS total FROM idchange_contractline cl
          JOIN idchange_idchangeapplication a ON a.contract_id = cl.contract_id
          WHERE cl.item = 'plan' AND a.status = 'pending' AND a.next_due_at <= %(now)s
            AND a.tenant_id = ANY(%(tenants)s)
          GROUP BY cl.contract_id) s
    WHERE c.id = s.contract_id
    """,
    # audit rows
    """
    INSERT INTO audit_auditentry (tenant_id, actor_id, actor_label, action, object_type, object_id,
                                  object_label, data, created_at)
    SELECT a.tenant_id, NULL, '', 'idchange.application.applied', 'idchange.IdChangeApplication',
           a.id::text, a.receipt_number,
           jsonb_build_object('lines', (SELECT jsonb_object_agg(l.name, l.delta)
                                        FROM idchange_idchangeapplicationline l WHERE l.application_id = a.id)),
           now()
    FROM idchange_idchangeapplication a
    WHERE a.status = 'pending' AND a.next_due_at <= %(now)s AND a.tenant_id = ANY(%(tenants)s)
    """,
    # outbox rows: the real mail's text with this application's receipt number
    """
    INSERT INTO notifications_outboxmessage (tenant_id, template, "to", subject, body, html_body,
                                             from_email, status, attempts, last_error, created_at)
    SELECT a.tenant_id, %(template)s, jsonb_build_array(a.applicant_email), %(subject)s,
           replace(%(body)s, %(receipt)s, a.receipt_number), replace(%(html)s, %(receipt)s, a.receipt_number),
           %(sender)s, 'pending', 0, '', now()
    FROM idchange_idchangeapplication a
    WHERE a.status = 'pending' AND a.next_due_at <= %(now)s AND a.tenant_id = ANY(%(tenants)s)
    """,
    # statuses
    """
    UPDATE idchange_idchangeapplication SET status = 'processing', applied_at = %(now)s,
           next_due_at = NULL
    WHERE status = 'pending' AND next_due_at <= %(now)s AND tenant_id = ANY(%(tenants)s)
    """,
]


def retire(tenant_ids: list[int]) -> None:
    """Close earlier runs' applications, so every contract can take a new one."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute(
            "UPDATE idchange_idchangeapplication SET status = 'done', next_due_at = NULL "
            "WHERE tenant_id = ANY(%s) AND status IN ('pending', 'processing')", [tenant_ids],
        )


def make_due(prefix: str, tenant_ids: list[int], now) -> int:  # noqa: ANN001
    """One application due now (+3 IDs) for every contract of the tenants."""
    from django.db import transaction

    from idchange.models import ContractLine, IdChangeApplication, IdChangeApplicationLine
    from tenants.scoping import operator_scope

    due = now - timedelta(minutes=1)
    run = f"{prefix}{now:%H%M%S}"  # receipt numbers stay unique across runs
    with operator_scope(), transaction.atomic():
        lines = list(ContractLine.objects.filter(tenant_id__in=tenant_ids).select_related("contract").order_by("pk"))
        apps = IdChangeApplication.objects.bulk_create(
            [
                IdChangeApplication(
                    tenant_id=ln.tenant_id, contract=ln.contract, receipt_number=f"{run}{ln.pk:07d}",
                    applicant_email=f"admin{ln.tenant_id}@bench.example.com", target="this_month",
                    effective_month=now.date().replace(day=1), status="pending", next_due_at=due,
                    effective_at=due, withdrawable_until=None, price_delta=3 * 1600, created_at=due,
                )
                for ln in lines
            ]
        )
        IdChangeApplicationLine.objects.bulk_create(
            [
                IdChangeApplicationLine(
                    tenant_id=a.tenant_id, application=a, contract_line=ln, item="plan", name=ln.name,
                    count_before=ln.id_count, delta=3, unit_price=1600, effective_month=a.effective_month,
                    effective_at=due,
                )
                for a, ln in zip(apps, lines, strict=True)
            ]
        )
    from django.db import connection

    with connection.cursor() as c:
        c.execute("ANALYZE idchange_idchangeapplication; ANALYZE idchange_idchangeapplicationline")
    return len(apps)


def main() -> None:
    args = benchlib.parser(__doc__).parse_args()
    benchlib.setup_django()
    data = benchlib.scale_dataset()
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from idchange import tasks
    from idchange.models import IdChangeApplication
    from idchange.services.mails import COMPLETED_MAIL
    from mail.models import OutboxMessage
    from mail.services import message_texts
    from tenants.scoping import operator_scope

    tenants = data.small_tenant_ids
    report = benchlib.Report(f"ID 数変更: the month job over {len(tenants):,} tenants")
    retire(tenants)
    now = timezone.now()
    total = make_due("BJ", tenants, now)
    benchlib.run_queued_tasks(lambda name: False)  # an empty queue to start with

    def job() -> dict[str, int]:
        tasks.apply_due_changes(now=now.isoformat())
        return benchlib.run_queued_tasks(lambda name: name.startswith("idchange."))

    job_ms, ran = benchlib.once(job)
    with operator_scope():
        applied = IdChangeApplication.objects.filter(tenant_id__in=tenants, status="processing").count()
        sample = OutboxMessage.objects.filter(tenant_id__in=tenants, template=COMPLETED_MAIL).order_by("-pk").first()
    assert applied == total, (applied, total)
    report.note(f"job: {total:,} applied, tasks {ran}")
    again_ms, again = benchlib.once(job)
    assert not any(k.startswith("idchange.apply_due_changes_for") for k in again), again

    # The floor, on a second identical set.
    retire(tenants)
    now = timezone.now()
    make_due("BS", tenants, now)
    with operator_scope():
        app = IdChangeApplication.objects.filter(tenant_id=sample.tenant_id, receipt_number__startswith="BJ",
                                                 applicant_email=sample.to[0]).order_by("-pk").first()
    # The real mail's text, as the worker renders it from the row's values.
    body, html = message_texts(sample)
    receipt = app.receipt_number if app and app.receipt_number in body else "\x00"
    params = {
        "now": now, "tenants": tenants, "template": COMPLETED_MAIL, "subject": sample.subject,
        "body": body, "html": html, "receipt": receipt, "sender": settings.DEFAULT_FROM_EMAIL,
    }

    def floor() -> None:
        with transaction.atomic(), connection.cursor() as cur:
            for sql in SET_BASED_SQL:
                cur.execute(sql, params)

    floor_ms, _ = benchlib.once(floor)
    with operator_scope():
        done = IdChangeApplication.objects.filter(tenant_id__in=tenants, status="processing").count()
    assert done == total, done
    report.add(f"month apply {total:,} due over {len(tenants):,} tenants", job_ms, floor_ms,
               goal="≤ 2.5× set-based SQL", limit=2.5)
    report.add("month apply again at once (nothing to do)", again_ms, None, goal="applies nothing", met=True)
    retire(tenants)
    report.finish(args)


if __name__ == "__main__":
    main()
