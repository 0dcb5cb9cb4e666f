"""Benchmark of the user administration at 100,000 users (USER-3 … USER-6); not a test.

    .venv/bin/python scripts/bench_users.py [--users 100000] [--import-rows 10000] [--runs 15]

Uses its own PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/portal_usr_bench; created and migrated if
missing; the bench tenant of an earlier run is deleted first). Builds one
tenant with N users (COPY), 20 organizations (every user has a 代表組織) and
a service registration for every third user, then measures in the same run,
each against a raw-SQL baseline doing the same database work:

1. ユーザ一覧 through the full Django stack (test client: middleware, session,
   scope, template) — p50/p95 of: the default page, a search, a sort by
   姓名 descending, the last page (deep OFFSET); baseline: the COUNT and the
   page SELECT (with the two prefetches) run on a bare cursor;
2. 全ユーザ情報 CSV: wall time and peak Python memory (tracemalloc) of
   consuming the StreamingHttpResponse; baseline: COPY (SELECT …) TO STDOUT;
3. a 10,000-row ユーザ一括追加／変更 file: dry run and apply (bulk_create,
   LoginId rows, audit rows, the setup mails as one bulk outbox write);
   baseline: COPY of the same rows into the user and login-id tables.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_usr_bench")
os.environ["DATABASE_URL"] = BENCH_DB
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ.pop("REDIS_URL", None)  # eager tasks, locmem cache and mail

CODE = "BENCHUSR"


def ensure_database() -> None:
    import psycopg

    name = BENCH_DB.rsplit("/", 1)[1]
    admin_url = BENCH_DB.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def copy_rows(table: str, columns: list[str], rows) -> None:  # noqa: ANN001
    from django.db import connection

    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3 cursor
        cols = ", ".join(columns)
        with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def build(n: int):  # noqa: ANN201
    from django.utils import timezone

    from accounts.models import (
        LoginId,
        Organization,
        OrganizationMembership,
        User,
        UserServiceRegistration,
    )
    from tenants.catalogue import ensure_catalogue
    from tenants.models import Contract, Tenant
    from tenants.scoping import operator_scope

    with operator_scope():
        old = Tenant.objects.filter(code=CODE).first()
        if old:
            ids = list(User.all_objects.filter(tenant=old).values_list("pk", flat=True))
            LoginId.objects.filter(user_id__in=ids).delete()
            old.delete()
    services = ensure_catalogue()
    tenant = Tenant.objects.create(name="ベンチ株式会社", code=CODE)
    contracts = [
        Contract.objects.create(tenant=tenant, service=services[c], number=f"B-{c}")
        for c in ("google_workspace", "microsoft_365", "bpo_web")
    ]
    admin = User.objects.create_user(
        "admin@bench.example.com", "BenchPass2026", tenant=tenant, role=User.Role.ADMIN,
        status=User.Status.ACTIVE, is_representative=True, last_name="管理", first_name="太郎",
    )
    orgs = [Organization.objects.create(tenant=tenant, name=f"部署{i:02d}") for i in range(20)]
    now = timezone.now()
    lasts = ["山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村"]
    kanas = ["ヤマダ", "サトウ", "スズキ", "タカハシ", "タナカ", "イトウ", "ワタナベ", "ナカムラ"]
    statuses = ["active"] * 7 + ["pending", "suspended", "locked"]
    t0 = time.perf_counter()
    copy_rows(
        "accounts_user",
        ["tenant_id", "email", "role", "status", "is_representative", "last_name", "first_name",
         "last_name_kana", "first_name_kana", "affiliation", "phone_number", "notification_email",
         "receive_news", "receive_maintenance", "receive_outage", "login_condition", "must_change_password",
         "is_staff", "is_active", "is_superuser", "date_joined", "password"],
        (
            (tenant.pk, f"user{i:06d}@bench.example.com", "admin" if i % 50 == 0 else "user",
             statuses[i % 10], False, lasts[i % 8], f"太郎{i % 1000}", kanas[i % 8], "タロウ",
             f"営業{i % 30}", "0312345678", f"user{i:06d}@bench.example.com",
             True, True, True, "tenant", False, False, True, False, now, "!bench")
            for i in range(n)
        ),
    )
    with operator_scope():
        users = list(User.objects.filter(tenant=tenant).exclude(pk=admin.pk).values_list("pk", "email"))
    copy_rows("accounts_loginid", ["login_id", "user_id"], ((email, pk) for pk, email in users))
    copy_rows(
        "accounts_organizationmembership", ["tenant_id", "user_id", "organization_id", "is_primary"],
        ((tenant.pk, pk, orgs[pk % 20].pk, True) for pk, _e in users),
    )
    copy_rows(
        "accounts_userserviceregistration",
        ["tenant_id", "user_id", "contract_id", "values", "link_error", "registered_at", "updated_at"],
        ((tenant.pk, pk, contracts[pk % 3].pk, "{}", pk % 97 == 0, now, now) for pk, _e in users if pk % 3 == 0),
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"built {n:,} users in {time.perf_counter() - t0:.1f}s")
    return tenant, admin, contracts, orgs, OrganizationMembership, UserServiceRegistration


def timed(fn, runs: int) -> list[float]:  # noqa: ANN001
    fn()  # warm
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def fmt(ms: list[float]) -> str:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return f"p50 {statistics.median(ms):7.1f} ms  p95 {p95:7.1f} ms"


def baseline_list(tenant_id: int, where: str, params: list, order: str, offset: int) -> None:
    """What the list page costs the database: count, the page, the two prefetches."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute(f"SELECT COUNT(*) FROM accounts_user WHERE tenant_id = %s {where}", [tenant_id, *params])  # noqa: S608
        c.execute(
            "SELECT id, email, last_name, first_name, affiliation, status, role, login_condition, "  # noqa: S608
            f"is_representative FROM accounts_user WHERE tenant_id = %s {where} ORDER BY {order} LIMIT 100 OFFSET %s",
            [tenant_id, *params, offset],
        )
        ids = [r[0] for r in c.fetchall()]
        c.execute(
            "SELECT r.user_id, s.name, r.link_error FROM accounts_userserviceregistration r "
            "JOIN tenants_contract k ON k.id = r.contract_id JOIN tenants_service s ON s.id = k.service_id "
            "WHERE r.tenant_id = %s AND r.user_id = ANY(%s)", [tenant_id, ids],
        )
        c.fetchall()
        c.execute(
            "SELECT m.user_id, o.name FROM accounts_organizationmembership m JOIN accounts_organization o "
            "ON o.id = m.organization_id WHERE m.tenant_id = %s AND m.is_primary AND m.user_id = ANY(%s)",
            [tenant_id, ids],
        )
        c.fetchall()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--sections", default="list,export,import", help="comma-separated subset")
    args = parser.parse_args()
    sections = set(args.sections.split(","))

    ensure_database()
    import django

    django.setup()
    # Mail delivery is a worker's job in production: queue it (in memory)
    # instead of sending 10,000 mails inside the timed apply.
    from portal.celery import app

    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.test import Client

    tenant, admin, contracts, orgs, *_ = build(args.users)
    client = Client()
    client.force_login(admin)
    total = args.users + 1
    last_page = (total + 99) // 100
    like = "%user0999%"
    cases = [
        ("default page (ID asc)", {}, "", [], "email", 0),
        ("search q=user0999", {"q": "user0999"}, "AND (UPPER(email::text) LIKE UPPER(%s) OR UPPER(last_name::text) LIKE UPPER(%s) "
         "OR UPPER(first_name::text) LIKE UPPER(%s) OR UPPER(last_name_kana::text) LIKE UPPER(%s) "
         "OR UPPER(first_name_kana::text) LIKE UPPER(%s))", [like] * 5, "email", 0),
        ("sort 姓名 desc", {"sort": "-name"}, "", [],
         "last_name_kana DESC, first_name_kana DESC, last_name DESC, first_name DESC, email DESC", 0),
        (f"deep page {last_page}", {"page": last_page}, "", [], "email", (last_page - 1) * 100),
        ("detail: status+org", {"detail": "1", "status": "active", "organization": orgs[3].pk}, "AND status = %s "
         "AND EXISTS (SELECT 1 FROM accounts_organizationmembership m WHERE m.user_id = accounts_user.id "
         "AND m.organization_id = %s)", ["active", orgs[3].pk], "email", 0),
    ]
    if "list" in sections:
        bench_list(client, tenant, cases, args.runs)
    if "export" in sections:
        bench_export(client, tenant)
    if "import" in sections:
        bench_import(tenant, admin, args.import_rows)


def bench_list(client, tenant, cases, runs: int) -> None:  # noqa: ANN001
    print(f"\nユーザ一覧 ({runs} runs each; Django = full request; baseline = raw SQL only)")
    results = {}
    for label, params, where, sql_params, order, offset in cases:
        def django_run(params=params) -> None:
            response = client.get("/users/", params)
            assert response.status_code == 200, response.status_code

        def sql_run(where=where, sql_params=sql_params, order=order, offset=offset) -> None:
            baseline_list(tenant.pk, where, sql_params, order, offset)

        d, b = timed(django_run, runs), timed(sql_run, runs)
        results[label] = (d, b)
        print(f"  {label:24s} Django {fmt(d)}   | SQL {fmt(b)}")



def bench_export(client, tenant) -> None:  # noqa: ANN001
    print("\n全ユーザ情報 CSV")
    t = time.perf_counter()
    response = client.get("/users/download/all/")
    size = sum(len(chunk) for chunk in response.streaming_content)
    export_s = time.perf_counter() - t
    tracemalloc.start()
    response = client.get("/users/download/all/")
    for _chunk in response.streaming_content:
        pass
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    from django.db import connection

    t = time.perf_counter()
    with connection.cursor() as c:
        buf = io.BytesIO()
        with c.cursor.copy(
            "COPY (SELECT u.email, u.last_name, u.first_name, u.last_name_kana, u.first_name_kana, u.affiliation, "  # noqa: S608
            "u.role, u.phone_number, u.notification_email, o.name FROM accounts_user u LEFT JOIN "
            "accounts_organizationmembership m ON m.user_id = u.id AND m.is_primary LEFT JOIN accounts_organization o "
            f"ON o.id = m.organization_id WHERE u.tenant_id = {tenant.pk} ORDER BY u.email) TO STDOUT WITH CSV"
        ) as copy:
            for data in copy:
                buf.write(data)
    copy_s = time.perf_counter() - t
    print(f"  Django streaming: {export_s:6.2f} s for {size / 1e6:.1f} MB, peak Python memory {peak / 1e6:.1f} MB")
    print(f"  SQL COPY TO STDOUT baseline: {copy_s:6.2f} s ({buf.tell() / 1e6:.1f} MB)")



def bench_import(tenant, admin, rows: int) -> None:  # noqa: ANN001
    from django.db import connection

    print(f"\nユーザ一括追加／変更: {rows:,} new rows")
    from accounts.services import user_imports
    from accounts.users import csv as user_csv
    from tenants.scoping import tenant_scope

    header = ",".join(user_csv.headers())
    lines = [header] + [
        f"imp{i:06d}@bench.example.com,山田,花子,ヤマダ,ハナコ,経理,ユーザ,0312345678,imp{i:06d}@bench.example.com,部署01"
        for i in range(rows)
    ]
    content = ("\r\n".join(lines) + "\r\n").encode("utf-8")
    user_imports.IMPORT_SYNC_MAX_ROWS = 10**9  # time the work itself, not the broker
    with tenant_scope(tenant):
        t = time.perf_counter()
        upload = user_imports.start_import(tenant=tenant, actor=admin, filename="bench.csv", content=content)
        dry_s = time.perf_counter() - t
        assert upload.status == "valid", upload.errors[:3]
        t = time.perf_counter()
        upload = user_imports.request_apply(upload=upload, actor=admin)
        apply_s = time.perf_counter() - t
        assert upload.status == "done"
    from django.utils import timezone

    now = timezone.now()
    t = time.perf_counter()
    from django.db import transaction

    with transaction.atomic():
        copy_rows(
            "accounts_user",
            ["tenant_id", "email", "role", "status", "is_representative", "last_name", "first_name",
             "last_name_kana", "first_name_kana", "affiliation", "phone_number", "notification_email",
             "receive_news", "receive_maintenance", "receive_outage", "login_condition", "must_change_password",
             "is_staff", "is_active", "is_superuser", "date_joined", "password"],
            ((tenant.pk, f"raw{i:06d}@bench.example.com", "user", "pending", False, "山田", "花子", "ヤマダ",
              "ハナコ", "経理", "0312345678", f"raw{i:06d}@bench.example.com", True, True, True, "tenant", False,
              False, True, False, now, "!raw") for i in range(rows)),
        )
        with connection.cursor() as c:
            c.execute(
                "INSERT INTO accounts_loginid (login_id, user_id) SELECT email, id FROM accounts_user "
                "WHERE tenant_id = %s AND email LIKE 'raw%%'", [tenant.pk],
            )
    raw_s = time.perf_counter() - t
    print(f"  dry run (validate every row): {dry_s:6.2f} s")
    print(f"  apply (users, login IDs, memberships, audit, {rows:,} setup mails): {apply_s:6.2f} s")
    print(f"  SQL COPY baseline (users + login IDs only): {raw_s:6.2f} s")


if __name__ == "__main__":
    main()
