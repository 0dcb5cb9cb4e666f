"""Benchmark of the bulletin notice mail fan-out (BBS-5, MAIL-2); not a test.

    .venv/bin/python scripts/bench_bulletin.py [--users 10000] [--runs 5] [--json PATH]

Uses its own PostgreSQL database beside DATABASE_URL's (its name plus
``_bbs_bench``, or BENCH_DATABASE_URL); created and migrated if
missing; the bench tenant of an earlier run is deleted first). Builds one
tenant with N registered users (COPY) plus a few suspended and pending ones,
then measures in the same run:

1. the fan-out as a worker runs it: every batch of ``send_batch`` (lock the
   article, read the next users, render and INSERT their outbox rows through
   ``send_mails``, move the cursor, commit), until all recipients have a row;
   delivery tasks go to an in-memory broker (queued, not sent) because
   sending is the outbox's own, separate job;
   baseline: one set-based INSERT … SELECT of the same outbox rows (the same
   subject and body for every recipient) from the user table;
2. the 完了 request of 記事追加 with メール通知 する through the full Django
   stack (test client): it must not grow with the recipients;
   baseline: a raw INSERT of the article row and its audit row.

With ``--json PATH`` it writes rows {"operation", "portal_p50_ms",
"portal_p95_ms", "baseline_p50_ms", "ratio", "goal", "met"} for ``make bench``.
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

BENCH_DB = os.environ.get("BENCH_DATABASE_URL") or sibling_url("_bbs_bench", who="bench_bulletin")
os.environ["DATABASE_URL"] = BENCH_DB
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ.pop("REDIS_URL", None)

CODE = "BENCHBBS"
GOAL_PER_MAIL_MS = 1.0
GOAL_REQUEST_MS = 200.0


def ensure_database() -> None:
    import psycopg

    name = BENCH_DB.rsplit("/", 1)[1]
    admin_url = BENCH_DB.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def build(n: int):  # noqa: ANN201
    from django.db import connection
    from django.utils import timezone

    from accounts.models import LoginId, User
    from tenants.models import Tenant
    from tenants.scoping import operator_scope

    with operator_scope():
        old = Tenant.objects.filter(code=CODE).first()
        if old:
            ids = list(User.all_objects.filter(tenant=old).values_list("pk", flat=True))
            LoginId.objects.filter(user_id__in=ids).delete()
            old.delete()
    tenant = Tenant.objects.create(name="ベンチ株式会社", code=CODE)
    admin = User.objects.create_user(
        "admin@bbs-bench.example.com", "BenchPass2026", tenant=tenant, role=User.Role.ADMIN,
        status=User.Status.ACTIVE, is_representative=True, last_name="管理", first_name="太郎",
    )
    now = timezone.now()
    # n - 1 registered users besides the admin, and 5 % not registered (never mailed).
    statuses = ["active"] * (n - 1) + ["suspended", "pending"] * (n // 40)
    with connection.cursor() as cursor, cursor.cursor.copy(
        "COPY accounts_user (tenant_id, email, role, status, is_representative, last_name, first_name, "
        "last_name_kana, first_name_kana, affiliation, phone_number, notification_email, receive_news, "
        "receive_maintenance, receive_outage, login_condition, must_change_password, is_staff, is_active, "
        "is_superuser, date_joined, password) FROM STDIN"
    ) as copy:
        for i, status in enumerate(statuses):
            copy.write_row((
                tenant.pk, f"u{i:06d}@bbs-bench.example.com", "user", status, False, "山田", "太郎",
                "ヤマダ", "タロウ", "", "", "" if i % 3 else f"n{i:06d}@bbs-bench.example.com",
                True, True, True, "tenant", False, False, True, False, now, "!bench",
            ))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return tenant, admin


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


def clear(tenant) -> None:  # noqa: ANN001
    from bulletin.models import Article
    from mail.models import OutboxMessage
    from tenants.scoping import operator_scope

    with operator_scope():
        OutboxMessage.objects.filter(tenant=tenant).delete()
        Article.objects.filter(tenant=tenant).delete()


def run_fanout(tenant, admin) -> tuple[float, int]:  # noqa: ANN001
    """Seconds for the whole fan-out of one article, and the mails written."""
    from bulletin.models import Article
    from bulletin.services import fanout
    from bulletin.services.categories import ensure_default_category
    from tenants.scoping import tenant_scope

    with tenant_scope(tenant):
        news = ensure_default_category(tenant=tenant)
        article = Article.objects.create(
            tenant=tenant, category=news, title="全社集会のお知らせ", author=admin, notify=True,
            body="来週月曜 10 時から本社で全社集会を行います。\n詳細: https://www.example.com/\n" * 5,
        )
        t = time.perf_counter()
        total = 0
        while True:
            sent = fanout.send_batch(article_id=article.pk)
            total += sent
            if sent < fanout.BATCH_SIZE:
                break
        return time.perf_counter() - t, total


def run_baseline(tenant) -> tuple[float, int]:  # noqa: ANN001
    from django.conf import settings
    from django.db import connection, transaction

    from bulletin.services.fanout import MAIL_TEMPLATE, mail_context
    from mail.services import render_mail

    subject, body, _html = render_mail(
        MAIL_TEMPLATE,
        mail_context(tenant_name=tenant.name, category_name="お知らせ", title="全社集会のお知らせ",
                     body="来週月曜 10 時から本社で全社集会を行います。\n詳細: https://www.example.com/\n" * 5),
    )
    t = time.perf_counter()
    with transaction.atomic(), connection.cursor() as c:
        c.execute(
            "INSERT INTO notifications_outboxmessage (tenant_id, template, \"to\", subject, body, html_body, "
            "from_email, status, attempts, last_error, created_at) "
            "SELECT %s, %s, jsonb_build_array(COALESCE(NULLIF(notification_email, ''), email)), %s, %s, '', %s, "
            "'pending', 0, '', now() FROM accounts_user WHERE tenant_id = %s AND status = 'active'",
            [tenant.pk, MAIL_TEMPLATE, subject, body, settings.DEFAULT_FROM_EMAIL, tenant.pk],
        )
        rows = c.rowcount
    return time.perf_counter() - t, rows


def run_request(client, tenant) -> float:  # noqa: ANN001
    from django.urls import reverse

    from bulletin.models import Category
    from tenants.scoping import operator_scope

    with operator_scope():
        news = Category.objects.get(tenant=tenant, is_default=True)
    from tests.web.flow import confirm_fields

    data = {"category": news.pk, "title": "全社集会", "body": "本文", "notify": "yes"}
    # 確認 first (not timed): 完了 carries its one-time token (web.submission).
    confirm = client.post(reverse("bulletin:article_add"), data)
    done = confirm_fields(confirm)
    t = time.perf_counter()
    response = client.post(reverse("bulletin:article_add"), done)
    elapsed = time.perf_counter() - t
    assert response.status_code == 302, response.status_code
    return elapsed


def run_request_baseline(tenant, admin) -> float:  # noqa: ANN001
    from django.db import connection, transaction

    from bulletin.models import Category
    from tenants.scoping import operator_scope

    with operator_scope():
        news = Category.objects.get(tenant=tenant, is_default=True)
    t = time.perf_counter()
    with transaction.atomic(), connection.cursor() as c:
        c.execute(
            "INSERT INTO bulletin_article (tenant_id, category_id, title, body, position, author_id, created_at, "
            "notify, mail_cursor, mail_count) VALUES (%s, %s, '全社集会', '本文', 0, %s, now(), true, 0, 0)",
            [tenant.pk, news.pk, admin.pk],
        )
        c.execute(
            "INSERT INTO audit_auditentry (tenant_id, actor_id, actor_label, action, object_type, object_id, "
            "object_label, data, created_at) VALUES (%s, %s, '', 'bulletin.article.created', '', '', '', '{}', now())",
            [tenant.pk, admin.pk],
        )
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", dest="json_path", default=None)
    args = parser.parse_args()

    ensure_database()
    import django

    django.setup()
    # Delivery is a worker's job: queue it in memory instead of sending in the timed part.
    from portal.celery import app

    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.test import Client

    tenant, admin = build(args.users)
    fan, base, per_mail, per_mail_base = [], [], [], []
    for _ in range(args.runs + 1):  # the first run warms up and is dropped
        clear(tenant)
        seconds, mails = run_fanout(tenant, admin)
        clear(tenant)
        base_seconds, base_rows = run_baseline(tenant)
        assert mails == base_rows == args.users, (mails, base_rows)
        fan.append(seconds * 1000)
        base.append(base_seconds * 1000)
        per_mail.append(seconds * 1000 / mails)
        per_mail_base.append(base_seconds * 1000 / base_rows)
    fan, base, per_mail, per_mail_base = fan[1:], base[1:], per_mail[1:], per_mail_base[1:]
    clear(tenant)

    client = Client()
    client.force_login(admin)
    request, request_base = [], []
    for _ in range(args.runs * 4 + 1):
        request.append(run_request(client, tenant) * 1000)
        request_base.append(run_request_baseline(tenant, admin) * 1000)
    request, request_base = request[1:], request_base[1:]
    clear(tenant)

    rows = [
        {
            "operation": f"bulletin fan-out to {args.users:,} users, per mail enqueued",
            "portal_p50_ms": round(statistics.median(per_mail), 4),
            "portal_p95_ms": round(pct(per_mail, 0.95), 4),
            "baseline_p50_ms": round(statistics.median(per_mail_base), 4),
            "ratio": round(statistics.median(per_mail) / statistics.median(per_mail_base), 1),
            "goal": f"<= {GOAL_PER_MAIL_MS} ms per mail",
            "met": statistics.median(per_mail) <= GOAL_PER_MAIL_MS,
        },
        {
            "operation": "記事追加 完了 request with メール通知 する (fan-out after commit)",
            "portal_p50_ms": round(statistics.median(request), 2),
            "portal_p95_ms": round(pct(request, 0.95), 2),
            "baseline_p50_ms": round(statistics.median(request_base), 2),
            "ratio": round(statistics.median(request) / statistics.median(request_base), 1),
            "goal": f"<= {GOAL_REQUEST_MS:.0f} ms whatever the recipients",
            "met": statistics.median(request) <= GOAL_REQUEST_MS,
        },
    ]
    print(f"users {args.users:,}, runs {args.runs}")
    print(f"fan-out total:  p50 {statistics.median(fan):8.1f} ms   baseline INSERT … SELECT p50 {statistics.median(base):8.1f} ms")
    for row in rows:
        print(
            f"{row['operation']}\n  portal p50 {row['portal_p50_ms']} ms  p95 {row['portal_p95_ms']} ms  "
            f"baseline p50 {row['baseline_p50_ms']} ms  ratio {row['ratio']}  goal {row['goal']}  met {row['met']}"
        )
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
