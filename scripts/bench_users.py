"""Benchmark of the user administration at 100,000 users (USER-3 … USER-6); not a test.

    .venv/bin/python scripts/bench_users.py [--runs 15] [--import-rows 10000]
        [--sections list,export,import,million] [--json PATH]

Runs on the shared scale dataset (scripts/benchlib.py: its own database, one
tenant of 100,000 users with Japanese names, 21 organizations, a service
registration for two users in three). Measures, against baselines in the
same run:

1. ユーザ一覧 through the full Django stack (test client: middleware,
   session, scope, template). Page 1 against a raw psycopg baseline doing
   the same COUNT, the page, the two prefetch reads and a string render of
   the same columns; the last page, every sort and the searches against the
   portal's own page 1; the number of queries of a page with 1 user and with
   100,000;
2. 全ユーザ情報 CSV: wall time and peak Python memory growth of consuming
   the stream; baseline: COPY (SELECT …) TO STDOUT of the same columns;
3. a 10,000-row ユーザ一括追加 file: dry run + apply (users, login IDs,
   memberships, audit rows, setup mails into the outbox), counting password
   hashes; baseline: COPY into a temp table + one upsert into the user table
   + one INSERT … SELECT of the login IDs. Both run inside a transaction that
   is rolled back afterwards (the dataset stays as it was; neither side's
   COMMIT is timed);
4. ``million`` (issue 22): ユーザ一覧 page 1 of a tenant of 1,000,000 users
   (benchlib's million dataset, a database of its own, built on first use)
   in this same process: against the same raw psycopg floor on that
   database, and against page 1 of the 100,000-user tenant, measured in
   alternating rounds so that both see the same machine; and the number of
   queries of its page against a 1-user tenant's.
"""

from __future__ import annotations

import html
import io
import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

LIST_COLUMNS = (
    "u.id, u.email, u.role, u.is_representative, u.last_name, u.first_name, u.affiliation, "
    "u.status, u.login_condition"
)
# Issue 22's goals for rows measured relative to page 1: a ratio and an
# absolute ceiling in-process at 100,000 users.
RELATIVE_LIMIT = 2.0
ABSOLUTE_MS = 60
IMPORT_LIMIT = 8.0  # × COPY into the same tables
# Tables the rolled-back import writes to (vacuumed before and after).
MILLION_LIMIT = 1.2  # × page 1 at 100,000 users
ROUNDS = 3  # alternations of the million section's measurements
TOUCHED = ("accounts_user", "accounts_loginid", "accounts_organizationmembership", "accounts_accounttoken",
           "notifications_outboxmessage", "audit_auditentry")


def raw_list_page(cur, tenant_id: int, offset: int = 0) -> str:  # noqa: ANN001
    """The floor of ユーザ一覧 page 1, as a hand-written page on this schema
    would read it (as scripts/rawapp.py does): the total from the counter the
    schema's triggers keep (a raw app would not COUNT 100,000 rows either),
    then one query for the 100 rows with their 代表組織 and services, rendered
    into table rows with plain string formatting.

    Until issue 22's last step the floor ran COUNT(*) and two more reads, as
    the portal then did: ~5 ms at 100,000 users, against ~1.5 ms now."""
    total = cur.execute("SELECT users FROM accounts_tenantusercount WHERE tenant_id = %s", [tenant_id]).fetchone()[0]
    rows = cur.execute(
        f"SELECT {LIST_COLUMNS}, o.name, "  # noqa: S608 — LIST_COLUMNS is this script's constant
        "(SELECT array_agg(s.name || CASE WHEN r.link_error THEN '!' ELSE '' END ORDER BY s.display_order) "
        " FROM accounts_userserviceregistration r JOIN tenants_contract k ON k.id = r.contract_id "
        " JOIN tenants_service s ON s.id = k.service_id WHERE r.user_id = u.id) "
        "FROM accounts_user u "
        "LEFT JOIN accounts_organizationmembership m ON m.user_id = u.id AND m.is_primary "
        "LEFT JOIN accounts_organization o ON o.id = m.organization_id "
        "WHERE u.tenant_id = %s ORDER BY u.email LIMIT 100 OFFSET %s",
        [tenant_id, offset],
    ).fetchall()
    out = [f"<p>全 {total} 件</p><table>"]
    for uid, email, role, rep, last, first, aff, status, cond, org, services in rows:
        icons = "".join(
            f'<span title="{html.escape(name)}">{html.escape(name[:1])}</span>' for name in services or []
        )
        out.append(
            f'<tr><td><input type="checkbox" value="{uid}"></td><td><a href="/users/{uid}/">{html.escape(email)}</a>'
            f"{'管理者' if role == 'admin' else ''}{'代表管理者' if rep else ''}</td>"
            f"<td>{html.escape(last)} {html.escape(first)}</td><td>{html.escape(org or aff)}</td>"
            f"<td>{status}</td><td>{cond}</td><td>{icons}</td></tr>"
        )
    out.append("</table>")
    return "".join(out)


def framework_floor_ms(client, runs: int) -> list[float]:  # noqa: ANN001
    """The in-process framework floor: scripts/benchurls.py's page (the base
    layout for the logged-in user through every middleware, the session,
    auth, tenant scope and context processors), through the same client."""
    from django.test import override_settings

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    with override_settings(ROOT_URLCONF="benchurls"):
        from benchurls import FLOOR_PATH

        def get() -> None:
            response = client.get(FLOOR_PATH)
            assert response.status_code == 200, response.status_code

        return benchlib.timed(get, runs)


def count_queries(client, path: str) -> int:  # noqa: ANN001
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def bench_list(report: benchlib.Report, data: benchlib.Scale, runs: int) -> None:
    import psycopg
    from django.conf import settings
    from django.test import Client

    from accounts.models import User
    from tenants.scoping import operator_scope

    with operator_scope():
        admin = User.objects.get(pk=data.big_admin_id)
        small_admin = User.objects.get(tenant_id=data.small_tenant_ids[0], is_representative=True)
    client = Client()
    client.force_login(admin)

    def get(params: dict | None = None) -> None:
        response = client.get("/users/", params or {})
        assert response.status_code == 200, response.status_code

    db = settings.DATABASES["default"]
    conn = psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"]
    )
    with conn.cursor() as cur:
        raw = benchlib.timed(lambda: raw_list_page(cur, data.big_tenant_id), runs)
    conn.close()
    page1 = benchlib.timed(get, runs)
    report.add(f"ユーザ一覧 page 1 ({data.users:,} users)", page1, raw, goal="≤ 3× raw psycopg", limit=3.0)
    floor = framework_floor_ms(client, runs)
    report.add("ユーザ一覧 page 1 against the framework floor (base layout, same client)", page1, floor,
               goal="for reference: what any page costs in-process", met=None)
    base = benchlib.p50(page1)

    def relative(label: str, ms: list[float]) -> None:
        """A row measured against page 1 also has an absolute goal, so that
        a faster page 1 cannot turn it red by itself (issue 22)."""
        ratio = benchlib.p50(ms) / base
        report.add(label, ms, base, goal=f"≤ {RELATIVE_LIMIT:g}× portal page 1 and ≤ {ABSOLUTE_MS} ms",
                   ratio=ratio, met=ratio <= RELATIVE_LIMIT and benchlib.p50(ms) <= ABSOLUTE_MS)
    last_page = (data.users + 99) // 100
    cases = [
        (f"ユーザ一覧 last page ({last_page})", {"page": last_page}),
        ("ユーザ一覧 middle page (500)", {"page": 500}),
        ("ユーザ一覧 sort ユーザ ID desc", {"sort": "-email"}),
        ("ユーザ一覧 sort 姓名", {"sort": "name"}),
        ("ユーザ一覧 sort 姓名 desc", {"sort": "-name"}),
        ("ユーザ一覧 sort 所属", {"sort": "affiliation"}),
        ("ユーザ一覧 sort ステータス desc", {"sort": "-status"}),
        ("ユーザ一覧 sort ログイン条件", {"sort": "login_condition"}),
        ("ユーザ一覧 sort 姓名 desc, last page", {"sort": "-name", "page": last_page}),
    ]
    for label, params in cases:
        relative(label, benchlib.timed(lambda p=params: get(p), runs))
    searches = [
        ("ユーザ一覧 search ID q=0999", {"q": "0999"}),
        ("ユーザ一覧 search 姓 q=佐藤 (2 characters)", {"q": "佐藤"}),
        ("ユーザ一覧 search 姓 q=佐々木", {"q": "佐々木"}),
        ("ユーザ一覧 search 姓名 q=山田 花子", {"q": "山田 花子"}),
    ]
    for label, params in searches:
        relative(label, benchlib.timed(lambda p=params: get(p), runs))
    from tenants.models import Tenant
    from tenants.scoping import tenant_scope
    from users import selectors

    with tenant_scope(data.big_tenant_id):
        tenant = Tenant.objects.get(pk=data.big_tenant_id)
        for q in ("0999", "佐々木"):
            qs = selectors.user_search(tenant=tenant, filters={"q": q})
            plans = qs[:100].explain() + qs.order_by().explain()
            uses = plans.count("user_search_trgm") > 0 and "Seq Scan" not in plans
            if not uses:
                report.note(f"plans for q={q}:\n{plans}")
            report.add(f"ユーザ一覧 search q={q}: page and COUNT plans use the trigram index", None, None,
                       goal="EXPLAIN: user_search_trgm", met=uses)
    relative("ユーザ一覧 詳細検索 ステータス + 所属組織",
             benchlib.timed(lambda: get({"detail": "1", "status": "active",
                                         "organization": data.organization_ids[3]}), runs))
    small_client = Client()
    small_client.force_login(small_admin)
    # Warm both first: a cold cache (menu, links, badge) costs a first
    # request queries the steady state does not pay; both sides count warm.
    for c in (client, small_client):
        assert c.get("/users/").status_code == 200
    big = count_queries(client, "/users/")
    small = count_queries(small_client, "/users/")
    report.add(f"ユーザ一覧 queries per page: {small} (1 user) vs {big} ({data.users:,})", None, None,
               goal="constant", met=small == big)


def bench_million(report: benchlib.Report, data: benchlib.Scale, runs: int) -> None:
    """Page 1 at 1,000,000 users, in the process that measured 100,000: the
    test client of each tenant talks to its own database through
    benchlib.on_database, in alternating rounds of ``runs`` requests."""
    import psycopg
    from django.conf import settings
    from django.test import Client

    from accounts.models import User
    from tenants.scoping import operator_scope

    url = benchlib.million_url()
    million = benchlib.million_dataset()
    with operator_scope():
        admin = User.objects.get(pk=data.big_admin_id)
        small_admin = User.objects.get(tenant_id=data.small_tenant_ids[0], is_representative=True)
    client, small_client = Client(), Client()
    client.force_login(admin)
    small_client.force_login(small_admin)
    big_client = Client()
    with benchlib.on_database(url), operator_scope():
        big_client.force_login(User.objects.get(pk=million.big_admin_id))

    def get(c: Client) -> None:
        response = c.get("/users/")
        assert response.status_code == 200, response.status_code

    db = settings.DATABASES["default"]
    conn = psycopg.connect(url)
    conn100k = psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"]
    )
    page_100k: list[float] = []
    page_1m: list[float] = []
    raw_1m: list[float] = []
    raw_100k: list[float] = []
    with conn.cursor() as cur, conn100k.cursor() as cur100k:
        for _ in range(ROUNDS):
            page_100k += benchlib.timed(lambda: get(client), runs)
            with benchlib.on_database(url):
                page_1m += benchlib.timed(lambda: get(big_client), runs)
            raw_1m += benchlib.timed(lambda: raw_list_page(cur, million.big_tenant_id), runs)
            raw_100k += benchlib.timed(lambda: raw_list_page(cur100k, data.big_tenant_id), runs)
    conn.close()
    conn100k.close()
    report.add(f"ユーザ一覧 page 1 ({million.users:,} users)", page_1m, raw_1m, goal="≤ 3× raw psycopg", limit=3.0)
    report.add(f"ユーザ一覧 page 1: {million.users:,} users against {data.users:,} (same run)", page_1m, page_100k,
               goal=f"≤ {MILLION_LIMIT:g}× the {data.users:,} page", limit=MILLION_LIMIT)
    report.note(
        f"million: raw floor p50 {benchlib.p50(raw_100k):.1f} ms at {data.users:,}, "
        f"{benchlib.p50(raw_1m):.1f} ms at {million.users:,}"
    )
    # Warm first, as in bench_list: both sides count the steady state.
    get(small_client)
    small = count_queries(small_client, "/users/")
    with benchlib.on_database(url):
        get(big_client)
        big = count_queries(big_client, "/users/")
    report.add(f"ユーザ一覧 queries per page: {small} (1 user) vs {big} ({million.users:,})", None, None,
               goal="constant", met=small == big)


def bench_export(report: benchlib.Report, data: benchlib.Scale) -> None:
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from tenants.scoping import operator_scope

    with operator_scope():
        admin = User.objects.get(pk=data.big_admin_id)
    client = Client()
    client.force_login(admin)

    def export() -> int:
        response = client.get("/users/download/all/")
        return sum(len(chunk) for chunk in response.streaming_content)

    def copy() -> int:
        buf = io.BytesIO()
        with connection.cursor() as c, c.cursor.copy(
            "COPY (SELECT u.email, u.last_name, u.first_name, u.last_name_kana, u.first_name_kana, "  # noqa: S608
            "u.affiliation, u.role, u.phone_number, u.notification_email, o.name FROM accounts_user u "
            "LEFT JOIN accounts_organizationmembership m ON m.user_id = u.id AND m.is_primary "
            "LEFT JOIN accounts_organization o ON o.id = m.organization_id "
            f"WHERE u.tenant_id = {int(data.big_tenant_id)} ORDER BY u.email) TO STDOUT WITH CSV"
        ) as cp:
            for chunk in cp:
                buf.write(chunk)
        return buf.tell()

    portal = benchlib.timed(export, 3, warm=1)
    floor = benchlib.timed(copy, 3, warm=1)
    report.add(f"CSV export {data.users:,} users", portal, floor, goal="≤ 15× COPY TO STDOUT", limit=15.0)
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    export()
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    growth = (peak - before) / 2**20
    report.add(f"CSV export peak memory growth {growth:.1f} MiB", None, None, goal="≤ 20 MiB", met=growth <= 20)


class _HashCounter:
    """Counts password hashes (``make_password`` with a real password and
    ``check_password``) while the import runs."""

    def __enter__(self) -> _HashCounter:
        from django.contrib.auth import hashers

        self.count = 0
        self._hashers = hashers
        self._get = hashers.get_hasher

        def counting(algorithm: str = "default"):  # noqa: ANN202
            hasher = self._get(algorithm)
            outer = self

            class Counted(type(hasher)):
                def encode(self, password, salt, *a, **kw):  # noqa: ANN001, ANN002, ANN003, ANN202
                    outer.count += 1
                    return super().encode(password, salt, *a, **kw)

            return Counted()

        hashers.get_hasher = counting
        return self

    def __exit__(self, *exc: object) -> None:
        self._hashers.get_hasher = self._get


def import_content(prefix: str, rows: int) -> bytes:
    from users import csv as user_csv

    lines = [",".join(user_csv.headers())]
    for i in range(rows):
        last, first, last_k, first_k = benchlib.name_of(i + 7)
        email = f"{prefix}{i:06d}@big.bench.example.com"
        lines.append(f"{email},{last},{first},{last_k},{first_k},経理部,ユーザ,0312345678,{email},本社/経理部/第一課")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def bench_import(report: benchlib.Report, data: benchlib.Scale, rows: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import User
    from tenants.models import Tenant
    from tenants.scoping import tenant_scope
    from users.services import user_imports

    content = import_content("imp", rows)
    user_imports.IMPORT_SYNC_MAX_ROWS = 10**9  # time the work itself, not the broker
    with tenant_scope(data.big_tenant_id):
        tenant = Tenant.objects.get(pk=data.big_tenant_id)
        admin = User.objects.get(pk=data.big_admin_id)
        with transaction.atomic(), _HashCounter() as hashes:
            dry_ms, upload = benchlib.once(lambda: user_imports.start_import(
                tenant=tenant, actor=admin, filename="bench.csv", content=content))
            assert upload.status == "valid", upload.errors[:3]
            apply_ms, upload = benchlib.once(lambda: user_imports.request_apply(upload=upload, actor=admin))
            assert upload.status == "done", upload.status
            transaction.set_rollback(True)

    now = timezone.now()

    def baseline() -> None:
        with connection.cursor() as c:
            cols = ", ".join(benchlib.USER_COLUMNS)
            c.execute(f"CREATE TEMP TABLE bench_import ON COMMIT DROP AS SELECT {cols} FROM accounts_user WITH NO DATA")  # noqa: S608
            with c.cursor.copy(f"COPY bench_import ({', '.join(benchlib.USER_COLUMNS)}) FROM STDIN") as cp:
                for i in range(rows):
                    last, first, last_k, first_k = benchlib.name_of(i + 7)
                    email = f"raw{i:06d}@big.bench.example.com"
                    cp.write_row((data.big_tenant_id, email, "user", "pending", False, last, first, last_k, first_k,
                                  "経理部", "0312345678", email, True, True, True, "tenant", False, False, True,
                                  False, now, "!raw"))
            updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in ("last_name", "first_name", "last_name_kana",
                                                                  "first_name_kana", "affiliation", "role",
                                                                  "phone_number", "notification_email"))
            c.execute(
                f"INSERT INTO accounts_user ({cols}) SELECT {cols} FROM bench_import "  # noqa: S608
                f"ON CONFLICT (tenant_id, email) DO UPDATE SET {updates}"
            )
            c.execute(
                "INSERT INTO accounts_loginid (login_id, user_id) SELECT u.email, u.id FROM accounts_user u "
                "JOIN bench_import b ON b.tenant_id = u.tenant_id AND b.email = u.email"
            )

    with transaction.atomic():
        floor_ms, _ = benchlib.once(baseline)
        transaction.set_rollback(True)
    report.add(f"CSV import {rows:,} rows: dry run + apply", dry_ms + apply_ms, floor_ms,
               goal=f"≤ {IMPORT_LIMIT:g}× COPY temp + upsert", limit=IMPORT_LIMIT)
    report.note(f"import: dry run {dry_ms:.0f} ms, apply {apply_ms:.0f} ms, COPY floor {floor_ms:.0f} ms")
    report.add(f"CSV import password hashes: {hashes.count}", None, None, goal="0", met=hashes.count == 0)


SECTIONS = ("list", "export", "import", "million")


def main() -> None:
    p = benchlib.parser(__doc__)
    p.add_argument("--import-rows", type=int, default=10_000)
    p.add_argument("--sections", default=",".join(SECTIONS), help="comma-separated subset")
    args = p.parse_args()
    sections = set(args.sections.split(","))
    if sections - set(SECTIONS):
        benchlib.fail(f"unknown sections {', '.join(sorted(sections - set(SECTIONS)))}; known: {', '.join(SECTIONS)}")
    benchlib.setup_django()
    data = benchlib.scale_dataset()
    benchlib.vacuum(*TOUCHED)  # whatever an earlier run left behind
    report = benchlib.Report(f"ユーザ管理 ({data.users:,} users in one tenant)")
    if "list" in sections:
        bench_list(report, data, args.runs)
    if "export" in sections:
        bench_export(report, data)
    if "import" in sections:
        bench_import(report, data, args.import_rows)
        benchlib.vacuum(*TOUCHED)  # its rolled-back rows
    if "million" in sections:
        bench_million(report, data, args.runs)
    else:
        print("bench_users: section million skipped (not in --sections): "
              "no 1,000,000-user rows in this run", flush=True)
    report.finish(args)


if __name__ == "__main__":
    main()
