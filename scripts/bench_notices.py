"""Benchmark of the notice fan-out (NOTIF-3); not a test.

    .venv/bin/python scripts/bench_notices.py [--tenants 1000] [--users 100] [--runs 3] [--json PATH]

Uses its own PostgreSQL database beside DATABASE_URL's (its name plus
``_ntf_bench``, or BENCH_DATABASE_URL); created and migrated if
missing). Builds N tenants contracting イーサエコノミー with M active users each
(COPY; kept between runs), then, per run:

* portal: one outage notice is published (the audience SELECT, a delivery
  row per tenant, the audit entry) and every tenant's delivery task runs
  in-process as a worker would run it (claim, read the users, render and
  bulk-insert their mails through ``send_mails``, queue the batches to an
  in-memory broker). Time from 公開 to the last mail row, divided by the
  number of mails.
* baseline: the same mails as one set-based ``INSERT … SELECT`` into the
  outbox table (constant subject and body, no rendering, no tasks).

Goal: at most 1 ms per mail enqueued (wall time). Each run also prints the
portal process's own CPU time per mail, which a busy shared machine does not
inflate the way it inflates wall time. With ``--json PATH`` it writes the
rows of the shared bench protocol (per-mail milliseconds).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchdb import sibling_url  # noqa: E402  (scripts/ is on sys.path)

BENCH_DB = os.environ.get("BENCH_DATABASE_URL") or sibling_url("_ntf_bench", who="bench_notices")
os.environ["DATABASE_URL"] = BENCH_DB
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ.pop("REDIS_URL", None)

PREFIX = "NB"
GOAL_MS_PER_MAIL = 1.0


def ensure_database() -> None:
    import psycopg

    name = BENCH_DB.rsplit("/", 1)[1]
    admin_url = BENCH_DB.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def copy_rows(table: str, columns: list[str], rows) -> None:  # noqa: ANN001
    from django.db import connection

    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def build(tenants: int, users: int):  # noqa: ANN201
    """The bench world, reused when it already has the requested size."""
    from django.db import connection
    from django.utils import timezone

    from tenants.catalogue import ensure_catalogue
    from tenants.models import Tenant

    ether = ensure_catalogue()["ether_economy"]
    existing = Tenant.objects.filter(code__startswith=PREFIX)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM accounts_user u JOIN tenants_tenant t ON t.id = u.tenant_id WHERE t.code LIKE %s",
            [PREFIX + "%"],
        )
        have_users = cursor.fetchone()[0]
    if existing.count() == tenants and have_users == tenants * users:
        return ether
    print(f"building {tenants:,} tenants × {users} users …", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE tenants_tenant, accounts_user, notifications_notice CASCADE")
    now = timezone.now()
    copy_rows(
        "tenants_tenant", ["name", "code", "is_active", "created_at"],
        ((f"ベンチ{i:04d}株式会社", f"{PREFIX}{i:06d}", True, now) for i in range(tenants)),
    )
    ids = list(Tenant.objects.filter(code__startswith=PREFIX).order_by("pk").values_list("pk", flat=True))
    copy_rows(
        "tenants_contract", ["tenant_id", "service_id", "number", "plan", "term", "created_at"],
        ((tid, ether.pk, f"EE-{tid}", "", "monthly", now) for tid in ids),
    )
    copy_rows(
        "accounts_user",
        ["tenant_id", "email", "role", "status", "is_representative", "last_name", "first_name",
         "last_name_kana", "first_name_kana", "affiliation", "phone_number", "notification_email",
         "receive_news", "receive_maintenance", "receive_outage", "login_condition", "must_change_password",
         "is_staff", "is_active", "is_superuser", "date_joined", "password"],
        (
            (tid, f"u{n:03d}@t{tid}.bench.example.com", "user", "active", False, "山田", "太郎", "ヤマダ",
             "タロウ", "", "", "", True, True, True, "tenant", False, False, True, False, now, "!bench")
            for tid in ids
            for n in range(users)
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return ether


def reset_outbox() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE notifications_outboxmessage, notifications_delivery, notifications_publication CASCADE")


def run_portal(ether, limit: int | None = None) -> tuple[float, int, float]:  # noqa: ANN001
    from django.db import connection

    from notifications import prefectures as prefs
    from notifications.models import Delivery, Notice, NoticeKind, Publication
    from notifications.services import notices
    from notifications.tasks import deliver_publication
    from tenants.scoping import operator_scope

    notice = Notice.objects.create(
        kind=NoticeKind.OUTAGE, service=ether, prefectures=prefs.BY_CODE["13"].bit,
        title="ベンチ障害", body="東京都で回線障害が発生しています。",
    )
    start, cpu = time.perf_counter(), time.process_time()
    publication = notices.publish(notice=notice, revision=Publication.Revision.INITIAL, actor=None)
    # The after-commit dispatch went to the in-memory broker; run each
    # tenant's task here, in-process, as a worker would.
    with operator_scope():
        pairs = list(Delivery.objects.filter(publication=publication).values_list("pk", "tenant_id")[:limit])
    for delivery_id, tenant_id in pairs:
        deliver_publication.apply(kwargs={"delivery_id": delivery_id, "tenant_id": tenant_id})
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM notifications_outboxmessage")
        mails = cursor.fetchone()[0]
    return elapsed, mails, cpu


BASELINE_SQL = """
INSERT INTO notifications_outboxmessage
    (tenant_id, template, "to", subject, body, html_body, from_email, status, attempts, last_error, created_at)
SELECT u.tenant_id, 'notice', jsonb_build_array(COALESCE(NULLIF(u.notification_email, ''), u.email)),
       %s, %s, '', %s, 'pending', 0, '', now()
FROM accounts_user u
JOIN tenants_tenant t ON t.id = u.tenant_id AND t.is_active
WHERE u.status = 'active' AND u.receive_outage
  AND EXISTS (SELECT 1 FROM tenants_contract c WHERE c.tenant_id = u.tenant_id AND c.service_id = %s)
"""


def run_baseline(ether) -> tuple[float, int]:  # noqa: ANN001
    from django.conf import settings
    from django.db import connection, transaction

    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(BASELINE_SQL, ["【障害情報】ベンチ障害", "東京都で回線障害が発生しています。", settings.DEFAULT_FROM_EMAIL, ether.pk])
        mails = cursor.rowcount
    return time.perf_counter() - start, mails


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", dest="json_path")
    args = parser.parse_args()

    ensure_database()
    import django

    django.setup()
    from portal.celery import app

    # Sending is the outbox workers' job: queue the batches in memory
    # instead of delivering 100,000 mails inside the timed fan-out.
    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import logging

    logging.getLogger("celery").setLevel(logging.WARNING)  # no line per task in the timing
    ether = build(args.tenants, args.users)
    expected = args.tenants * args.users
    portal_ms, baseline_ms = [], []
    reset_outbox()
    run_portal(ether, limit=2)  # warm-up: imports, template loading, plans
    for run in range(args.runs):
        reset_outbox()
        seconds, mails, cpu = run_portal(ether)
        assert mails == expected, (mails, expected)
        portal_ms.append(seconds * 1000 / mails)
        reset_outbox()
        base_seconds, base_mails = run_baseline(ether)
        assert base_mails == expected, (base_mails, expected)
        baseline_ms.append(base_seconds * 1000 / base_mails)
        print(
            f"run {run + 1}: portal {seconds:6.2f} s ({portal_ms[-1]:.3f} ms/mail; "
            f"of it Python CPU {cpu * 1000 / mails:.3f} ms/mail)  "
            f"baseline {base_seconds:6.2f} s ({baseline_ms[-1]:.4f} ms/mail)  [{mails:,} mails]",
            flush=True,
        )
    reset_outbox()
    p50, base50 = statistics.median(portal_ms), statistics.median(baseline_ms)
    row = {
        "operation": f"notice fan-out: enqueue one mail ({args.tenants:,} tenants × {args.users} users)",
        "portal_p50_ms": round(p50, 4),
        "portal_p95_ms": round(p95(portal_ms), 4),
        "baseline_p50_ms": round(base50, 4),
        "ratio": round(p50 / base50, 1),
        "goal": f"≤ {GOAL_MS_PER_MAIL} ms per mail enqueued",
        "met": p50 <= GOAL_MS_PER_MAIL,
    }
    print(
        f"\nper mail enqueued: portal p50 {p50:.3f} ms, p95 {row['portal_p95_ms']:.3f} ms; "
        f"INSERT … SELECT baseline p50 {base50:.4f} ms; ratio {row['ratio']}x; "
        f"goal ≤ {GOAL_MS_PER_MAIL} ms: {'met' if row['met'] else 'NOT met'}"
    )
    if args.json_path:
        Path(args.json_path).write_text(json.dumps([row], ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
