"""What every scripts/bench_*.py shares (not a test; see docs/performance.md).

* its own PostgreSQL database (``BENCH_DATABASE_URL``, default: the server of
  ``DATABASE_URL`` with ``_bench`` appended to the database name), created and
  migrated; when the migrations change (schema hash) it is dropped and rebuilt;
* the scale dataset (one tenant of 100,000 users with Japanese names,
  organizations and service registrations; 1,000 small tenants with an admin
  and 10 Google Workspace contracts each), written with COPY and kept between
  runs while the schema hash matches;
* the million dataset (issue 22), built only by the scripts that ask for it:
  one tenant of 1,000,000 users of the same shape, in a second database
  (``BENCH1M_DATABASE_URL``, default bench_url()'s name + ``1m``)
  so that the 100,000-user figures never depend on it; ``on_database`` runs
  a block of the same process against it;
* timing (p50/p95 in ms after a warm-up), rows of the ``--json`` protocol and
  the readable table.

Usage in a script::

    import benchlib
    args = benchlib.parser(__doc__).parse_args()
    benchlib.setup_django()              # database, migrations, django.setup()
    data = benchlib.scale_dataset()
    report = benchlib.Report("users")
    report.add("ユーザ一覧 page 1", portal_ms, baseline_p50_ms, goal="≤ 3× raw", limit=3.0)
    report.finish(args)                  # prints; writes the JSON rows with --json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from benchdb import admin_url, database_name, sibling_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATASET_VERSION = "2"  # bump when the scale dataset's shape changes
BIG_TENANT = "BENCHBIG"
SMALL_PREFIX = "BT"  # the 1,000 small tenants: BT000000 … BT000999
BIG_USERS = 100_000
SMALL_TENANTS = 1_000
CONTRACTS_PER_SMALL = 10  # one due application each in bench_idchange
MILLION_VERSION = "1"  # bump when the million dataset's shape changes
MILLION_TENANT = "BENCH1M"
MILLION_USERS = 1_000_000


def fail(message: str, code: int = 2) -> None:
    print(f"bench: {message}", file=sys.stderr)
    raise SystemExit(code)


_bench_url: str | None = None


def bench_url() -> str:
    """The benchmark's own database, never the one DATABASE_URL names.
    Derived once: setup_django() then points DATABASE_URL at it."""
    global _bench_url  # noqa: PLW0603
    if _bench_url is None:
        url = os.environ.get("BENCH_DATABASE_URL") or sibling_url("_bench", who="bench")
        if not urlsplit(url).scheme.startswith("postgres"):
            fail(f"PostgreSQL is required for the benchmarks; BENCH_DATABASE_URL is {url}")
        _bench_url = url
    return _bench_url


def million_url() -> str:
    """The million dataset's database, beside bench_url()'s (issue 22):
    its name with ``1m`` appended (``<DATABASE_URL name>_bench1m``)."""
    bench = urlsplit(bench_url())
    url = os.environ.get("BENCH1M_DATABASE_URL") or urlunsplit(bench._replace(path=bench.path + "1m"))
    if not urlsplit(url).scheme.startswith("postgres"):
        fail(f"PostgreSQL is required for the benchmarks; BENCH1M_DATABASE_URL is {url}")
    if database_name(url) == database_name(bench_url()):
        fail("the million dataset needs a database of its own, not bench_url()'s")
    return url


def check_server(url: str) -> None:
    import psycopg

    try:
        psycopg.connect(admin_url(url), connect_timeout=5).close()
    except psycopg.OperationalError as exc:
        fail(f"PostgreSQL server unreachable at {urlsplit(url).netloc}: {exc}".strip())


def schema_hash() -> str:
    """Hash of every migration file plus the dataset version: a cached
    dataset is reused only for the schema (and shape) it was built for."""
    h = hashlib.sha256(DATASET_VERSION.encode())
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        h.update(str(path.relative_to(ROOT)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _ensure_database(url: str, digest: str) -> None:
    """Create the database; drop and recreate it when its schema hash is stale."""
    import psycopg

    name = database_name(url)
    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            try:
                with psycopg.connect(url) as db:
                    row = db.execute("SELECT value FROM bench_meta WHERE key = 'schema'").fetchone()
            except psycopg.Error:
                row = None
            if row and row[0] == digest:
                return
            print(f"bench: schema changed, rebuilding database {name}", file=sys.stderr)
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("CREATE TABLE bench_meta (key text PRIMARY KEY, value text NOT NULL)")
        db.execute("INSERT INTO bench_meta VALUES ('schema', %s)", [digest])


def setup_django(*, eager: bool = False) -> str:
    """Own database, migrations, django.setup(). Tasks are queued to an
    in-memory broker unless ``eager`` (mail delivery is a worker's job in
    production and is not part of what a request or a job costs)."""
    url = bench_url()
    check_server(url)
    _ensure_database(url, schema_hash())
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    os.environ.pop("REDIS_URL", None)  # locmem cache and mail
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not eager:
        from portal.celery import app

        app.conf.task_always_eager = False
        app.conf.broker_url = "memory://"
    return url


# --- the scale dataset -------------------------------------------------------

LAST_NAMES = [
    ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"), ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"), ("小林", "コバヤシ"), ("加藤", "カトウ"),
    ("吉田", "ヨシダ"), ("山田", "ヤマダ"), ("佐々木", "ササキ"), ("山口", "ヤマグチ"), ("松本", "マツモト"),
    ("井上", "イノウエ"), ("木村", "キムラ"), ("林", "ハヤシ"), ("斎藤", "サイトウ"), ("清水", "シミズ"),
    ("山崎", "ヤマザキ"), ("森", "モリ"), ("池田", "イケダ"), ("橋本", "ハシモト"), ("阿部", "アベ"),
    ("石川", "イシカワ"), ("山下", "ヤマシタ"), ("中島", "ナカジマ"), ("石井", "イシイ"), ("小川", "オガワ"),
    ("前田", "マエダ"), ("岡田", "オカダ"), ("長谷川", "ハセガワ"), ("藤田", "フジタ"), ("後藤", "ゴトウ"),
    ("近藤", "コンドウ"), ("村上", "ムラカミ"), ("遠藤", "エンドウ"), ("青木", "アオキ"), ("坂本", "サカモト"),
    ("髙橋", "タカハシ"), ("山﨑", "ヤマザキ"), ("藤井", "フジイ"), ("西村", "ニシムラ"), ("福田", "フクダ"),
    ("太田", "オオタ"), ("三浦", "ミウラ"), ("岡本", "オカモト"), ("松田", "マツダ"), ("中川", "ナカガワ"),
]
FIRST_NAMES = [
    ("翔太", "ショウタ"), ("大輔", "ダイスケ"), ("健太", "ケンタ"), ("拓也", "タクヤ"), ("直樹", "ナオキ"),
    ("陽菜", "ヒナ"), ("結衣", "ユイ"), ("美咲", "ミサキ"), ("さくら", "サクラ"), ("愛", "アイ"),
    ("蓮", "レン"), ("悠真", "ユウマ"), ("湊", "ミナト"), ("大翔", "ヒロト"), ("陽翔", "ハルト"),
    ("葵", "アオイ"), ("凛", "リン"), ("芽依", "メイ"), ("結菜", "ユナ"), ("莉子", "リコ"),
    ("誠", "マコト"), ("浩二", "コウジ"), ("和子", "カズコ"), ("洋子", "ヨウコ"), ("恵子", "ケイコ"),
    ("隆", "タカシ"), ("修", "オサム"), ("健一", "ケンイチ"), ("裕子", "ユウコ"), ("智子", "トモコ"),
    ("亮", "リョウ"), ("翼", "ツバサ"), ("彩", "アヤ"), ("舞", "マイ"), ("優花", "ユウカ"),
    ("太郎", "タロウ"), ("花子", "ハナコ"), ("一郎", "イチロウ"), ("次郎", "ジロウ"), ("真由美", "マユミ"),
]
DEPARTMENTS = ["営業部", "開発部", "総務部", "経理部", "人事部"]
SECTIONS = ["第一課", "第二課", "第三課"]


def name_of(i: int) -> tuple[str, str, str, str]:
    """A deterministic, realistic (姓, 名, セイ, メイ) for user ``i``."""
    last = LAST_NAMES[(i * 7919) % len(LAST_NAMES)]
    first = FIRST_NAMES[(i * 104729 // 7) % len(FIRST_NAMES)]
    return last[0], first[0], last[1], first[1]


def big_email(i: int) -> str:
    return f"user{i:06d}@big.bench.example.com"


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """COPY rows into ``table`` on Django's connection (psycopg 3)."""
    from django.db import connection

    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


USER_COLUMNS = [
    "tenant_id", "email", "role", "status", "is_representative", "last_name", "first_name",
    "last_name_kana", "first_name_kana", "affiliation", "phone_number", "notification_email",
    "receive_news", "receive_maintenance", "receive_outage", "login_condition", "must_change_password",
    "is_staff", "is_active", "is_superuser", "date_joined", "password",
]


@dataclass(frozen=True)
class Scale:
    big_tenant_id: int
    big_admin_id: int
    small_tenant_ids: list[int]
    organization_ids: list[int]  # of the big tenant
    users: int  # in the big tenant, admin included


def _meta(key: str) -> str | None:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT value FROM bench_meta WHERE key = %s", [key])
        row = c.fetchone()
    return row[0] if row else None


def _set_meta(key: str, value: str) -> None:
    from django.db import connection

    with connection.cursor() as c:
        c.execute(
            "INSERT INTO bench_meta VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            [key, value],
        )


BENCH_PASSWORD = "BenchPass2026"  # noqa: S105 (a throwaway database)


def scale_dataset() -> Scale:
    """The shared dataset, built once per schema hash (about a minute)."""
    from tenants.models import Tenant
    from tenants.scoping import operator_scope

    if _meta("scale") != "built":
        t0 = time.perf_counter()
        _build_scale()
        from django.db import connection

        with connection.cursor() as c:  # the steady state autovacuum keeps (visibility map, statistics)
            c.execute("VACUUM ANALYZE")
        _set_meta("scale", "built")
        print(f"bench: built the scale dataset in {time.perf_counter() - t0:.0f}s", file=sys.stderr)
    from accounts.models import Organization, User

    with operator_scope():
        big = Tenant.objects.get(code=BIG_TENANT)
        admin = User.objects.get(tenant=big, is_representative=True)
        smalls = list(
            Tenant.objects.filter(code__startswith=SMALL_PREFIX).order_by("pk").values_list("pk", flat=True)
        )
        orgs = list(Organization.objects.filter(tenant=big).order_by("pk").values_list("pk", flat=True))
        users = User.objects.filter(tenant=big).count()
    return Scale(big.pk, admin.pk, smalls, orgs, users)


def _build_scale() -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from tenants.catalogue import ensure_catalogue
    from tenants.models import Contract, Tenant
    from tenants.scoping import operator_scope

    now = timezone.now()
    services = ensure_catalogue()
    with operator_scope(), transaction.atomic():
        _build_big_tenant(BIG_TENANT, "ベンチ大規模株式会社", BIG_USERS, services)
        gw = services["google_workspace"]
        smalls = Tenant.objects.bulk_create(
            [Tenant(name=f"ベンチ{i}株式会社", code=f"{SMALL_PREFIX}{i:06d}") for i in range(SMALL_TENANTS)]
        )
        copy_rows(
            "accounts_user", USER_COLUMNS,
            (
                (t.pk, f"admin@{t.code.lower()}.bench.example.com", "admin", "active", True, "管理", "花子",
                 "カンリ", "ハナコ", "", "", f"admin@{t.code.lower()}.bench.example.com", True, True, True,
                 "tenant", False, False, True, False, now, "!bench")
                for t in smalls
            ),
        )
        # CONTRACTS_PER_SMALL Google Workspace contracts each, with the plan
        # line and initial ledger row the post_save receiver would give them
        # (written in bulk here, so the receiver does not run).
        from idchange.models import ContractLine, IdCountLedger

        contracts = Contract.objects.bulk_create(
            [
                Contract(tenant=t, service=gw, number=f"{t.code}-GW{j}", plan="Business Standard",
                         id_count=10, unit_price=1600)
                for t in smalls
                for j in range(CONTRACTS_PER_SMALL)
            ]
        )
        lines = ContractLine.objects.bulk_create(
            [ContractLine(tenant_id=c.tenant_id, contract=c, name="Business Standard", id_count=10,
                          unit_price=1600) for c in contracts]
        )
        IdCountLedger.objects.bulk_create(
            [IdCountLedger(tenant_id=ln.tenant_id, line=ln, count=10, delta=10, reason="initial", effective_at=now)
             for ln in lines]
        )
        with connection.cursor() as c:
            c.execute("ANALYZE")


def _build_big_tenant(code: str, name: str, users: int, services: dict) -> None:
    """One tenant of ``users`` users (admin included): its representative
    admin, 本社 / 5 部 / 3 課 (21 organizations, members in the 課), three
    contracts, a service registration for two users in three; users written
    with COPY, the rest with INSERT … SELECT. The caller holds the
    transaction and the operator scope. The user-count trigger (accounts
    0007) fires for COPY too: one statement, one upsert of the counter."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from accounts.models import Organization, User
    from tenants.models import Contract, Tenant

    now = timezone.now()
    password = make_password(BENCH_PASSWORD)
    big = Tenant.objects.create(name=name, code=code)
    contracts = [
        Contract.objects.create(tenant=big, service=services[c], number=f"BIG-{c}")
        for c in ("google_workspace", "microsoft_365", "bpo_web")
    ]
    User.objects.create_user(
        "admin@big.bench.example.com", BENCH_PASSWORD, tenant=big, role=User.Role.ADMIN,
        status=User.Status.ACTIVE, is_representative=True, last_name="管理", first_name="太郎",
        last_name_kana="カンリ", first_name_kana="タロウ",
    )
    head = Organization.objects.create(tenant=big, name="本社")
    leaves = []
    for dept in DEPARTMENTS:
        d = Organization.objects.create(tenant=big, name=dept, parent=head)
        leaves += [Organization.objects.create(tenant=big, name=s, parent=d) for s in SECTIONS]
    statuses = ["active"] * 7 + ["pending", "suspended", "locked"]
    conditions = ["tenant"] * 8 + ["organization", "user"]

    def user_rows():  # noqa: ANN202
        for i in range(users - 1):
            last, first, last_k, first_k = name_of(i)
            yield (
                big.pk, big_email(i), "admin" if i % 500 == 0 else "user", statuses[i % 10], False,
                last, first, last_k, first_k, DEPARTMENTS[i % 5], f"03{i:08d}", big_email(i),
                True, True, True, conditions[i % 10], False, False, True, False, now,
                password if i < 100 else "!bench",
            )

    copy_rows("accounts_user", USER_COLUMNS, user_rows())
    with connection.cursor() as c:
        c.execute(
            "INSERT INTO accounts_loginid (login_id, user_id) SELECT email, id FROM accounts_user "
            "WHERE tenant_id = %s AND NOT is_representative", [big.pk],
        )
        c.execute(
            "INSERT INTO accounts_organizationmembership (tenant_id, user_id, organization_id, is_primary) "
            "SELECT %s, u.id, (%s::bigint[])[1 + u.id %% %s], true FROM accounts_user u "
            "WHERE u.tenant_id = %s AND NOT u.is_representative",
            [big.pk, [o.pk for o in leaves], len(leaves), big.pk],
        )
        c.execute(
            "INSERT INTO accounts_userserviceregistration "
            "(tenant_id, user_id, contract_id, values, link_error, registered_at, updated_at) "
            "SELECT %s, u.id, (%s::bigint[])[1 + u.id %% 3], '{}', u.id %% 97 = 0, now(), now() "
            "FROM accounts_user u WHERE u.tenant_id = %s AND u.id %% 3 <> 1",
            [big.pk, [k.pk for k in contracts], big.pk],
        )


# --- the million dataset (issue 22) ------------------------------------------

_worlds: dict[str, tuple[Any, Any, Any, dict]] = {}  # url → (connection, caches, content types)


@contextmanager
def on_database(url: str) -> Iterator[None]:
    """Run the block against another database in this process: Django's
    ``default`` connection (which the portal's code, the scope helpers and
    the test client all use) and the caches are swapped for ones of that
    database, then swapped back. Both connections stay open, so measurements
    can alternate between databases without reconnecting; the caches are
    per database because cached values (badge, sessions, counters) hold ids
    that mean different rows in each."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache
    from django.db import connections
    from django.db.utils import load_backend
    from environ import Env

    if url not in _worlds:
        settings_dict = {**connections["default"].settings_dict}
        parsed = Env.db_url_config(url)
        settings_dict.update({k: parsed[k] for k in ("NAME", "USER", "PASSWORD", "HOST", "PORT") if k in parsed})
        wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "default")
        name = database_name(url)
        _worlds[url] = (
            wrapper, LocMemCache(f"bench-{name}", {}), LocMemCache(f"bench-{name}-security", {}), {},
        )
    types = ContentType.objects  # its cache is keyed by alias, and both are "default"
    saved = (connections["default"], caches["default"], caches["security"], types._cache)
    connections["default"], caches["default"], caches["security"], types._cache = _worlds[url]
    try:
        yield
    finally:
        connections["default"], caches["default"], caches["security"], types._cache = saved


def million_dataset() -> Scale:
    """One tenant of 1,000,000 users in million_url()'s database, built on
    first use (a few minutes) and kept while the schema hash matches. Read
    it inside ``on_database(million_url())``; setup_django() first."""
    from django.core.management import call_command

    url = million_url()
    _ensure_database(url, f"{schema_hash()}-1m{MILLION_VERSION}")
    with on_database(url):
        call_command("migrate", verbosity=0)
        if _meta("scale") != "built":
            t0 = time.perf_counter()
            _build_million()
            from django.db import connection

            with connection.cursor() as c:
                c.execute("VACUUM ANALYZE")
            took = time.perf_counter() - t0
            _set_meta("scale", "built")
            _set_meta("build_seconds", f"{took:.0f}")
            print(f"bench: built the million dataset in {took:.0f}s", file=sys.stderr)
        return _big_tenant(MILLION_TENANT)


def _big_tenant(code: str) -> Scale:
    from accounts.models import Organization, TenantUserCount, User
    from tenants.models import Tenant
    from tenants.scoping import operator_scope

    with operator_scope():
        big = Tenant.objects.get(code=code)
        admin = User.objects.get(tenant=big, is_representative=True)
        orgs = list(Organization.objects.filter(tenant=big).order_by("pk").values_list("pk", flat=True))
        users = User.objects.filter(tenant=big).count()
        counter = TenantUserCount.objects.filter(tenant=big).values_list("users", flat=True).first()
    if counter != users:  # the triggers' counter is what the list shows as 全 N 件
        fail(f"tenant {code}: accounts_tenantusercount says {counter}, COUNT(*) {users}")
    return Scale(big.pk, admin.pk, [], orgs, users)


def _build_million() -> None:
    """Like the big tenant of the scale dataset, ten times larger, alone in
    its database. The secondary indexes and the foreign keys of the four
    bulk-written tables are dropped for the load and created again from
    their own definitions afterwards: one sorted build per index instead of
    a million insertions (the GIN trigram and bigram indexes above all), and
    one validating join per foreign key instead of a queued check per row
    (about 105 s here, a minute of it the bigram index's function over
    every row; 139 s with everything in place, 117 s with only the indexes
    dropped; the indexes come out smaller too). Primary keys
    and unique constraints stay, so duplicates fail during the load; a
    dangling reference fails when its foreign key is added back."""
    from django.db import connection, transaction

    from tenants.catalogue import ensure_catalogue
    from tenants.scoping import operator_scope

    tables = ["accounts_user", "accounts_loginid", "accounts_organizationmembership",
              "accounts_userserviceregistration"]
    services = ensure_catalogue()
    with operator_scope(), transaction.atomic(), connection.cursor() as c:
        c.execute("SET LOCAL maintenance_work_mem = '256MB'")
        c.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "JOIN pg_class x ON x.relname = i.indexname AND x.relnamespace = to_regnamespace(i.schemaname) "
            "WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.oid)",
            [tables],
        )
        indexes = c.fetchall()
        c.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY conrelid, conname",
            [tables],
        )
        foreign_keys = c.fetchall()
        for table, name, _definition in foreign_keys:
            c.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            c.execute(f'DROP INDEX "{name}"')
        t0 = time.perf_counter()
        _build_big_tenant(MILLION_TENANT, "ベンチ百万株式会社", MILLION_USERS, services)
        t1 = time.perf_counter()
        # An index cannot be created on a table with queued trigger events:
        # run the checks of the (deferred) foreign keys that stayed, those of
        # the tenant's own rows written through the ORM.
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for _name, definition in indexes:
            c.execute(definition)
        t2 = time.perf_counter()
        for table, name, definition in foreign_keys:
            c.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        t3 = time.perf_counter()
    print(f"bench: million dataset: rows {t1 - t0:.0f}s, {len(indexes)} indexes {t2 - t1:.0f}s, "
          f"{len(foreign_keys)} foreign keys {t3 - t2:.0f}s", file=sys.stderr)


def vacuum(*tables: str) -> None:
    """VACUUM ANALYZE: the steady state autovacuum keeps. Benchmarks that
    roll back their writes leave dead rows behind (10,000 per import run),
    which would slow the next run's index scans and skew its plans."""
    from django.db import connection

    with connection.cursor() as c:
        for table in tables:
            c.execute(f"VACUUM ANALYZE {table}")


# --- timing and the JSON protocol ---------------------------------------------


def timed(fn: Callable[[], Any], runs: int, warm: int = 2) -> list[float]:
    """Milliseconds of ``runs`` calls after ``warm`` untimed ones."""
    for _ in range(warm):
        fn()
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def once(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    result = fn()
    return (time.perf_counter() - t) * 1000, result


def p50(ms: Sequence[float]) -> float:
    return statistics.median(ms)


def p95(ms: Sequence[float]) -> float:
    s = sorted(ms)
    return s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]


def parser(doc: str | None) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--json", metavar="PATH", help="write the result rows (the make bench protocol) to PATH")
    p.add_argument("--runs", type=int, default=15, help="timed repetitions per case (after a warm-up)")
    return p


@dataclass
class Row:
    operation: str
    portal_p50_ms: float | None
    portal_p95_ms: float | None
    baseline_p50_ms: float | None
    ratio: float | None
    goal: str
    met: bool | None


class Report:
    """Rows of one script: printed as a table, written as JSON with --json."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.rows: list[Row] = []
        self.notes: list[str] = []

    def add(
        self,
        operation: str,
        portal_ms: Sequence[float] | float | None,
        baseline_ms: Sequence[float] | float | None,
        *,
        goal: str,
        limit: float | None = None,
        met: bool | None = None,
        ratio: float | None = None,
    ) -> Row:
        """``portal_ms``/``baseline_ms``: a list of samples or one figure.
        ``limit``: the goal as a maximum ratio portal p50 ÷ baseline p50."""
        pp50 = pp95 = bp50 = None
        if portal_ms is not None:
            samples = [portal_ms] if isinstance(portal_ms, int | float) else list(portal_ms)
            pp50, pp95 = p50(samples), p95(samples)
        if baseline_ms is not None:
            samples = [baseline_ms] if isinstance(baseline_ms, int | float) else list(baseline_ms)
            bp50 = p50(samples)
        if ratio is None and pp50 is not None and bp50:
            ratio = pp50 / bp50
        if met is None and limit is not None and ratio is not None:
            met = ratio <= limit
        row = Row(operation, _r(pp50), _r(pp95), _r(bp50), _r(ratio, 2), goal, met)
        self.rows.append(row)
        print(f"  {format_row(row)}", flush=True)
        return row

    def note(self, text: str) -> None:
        self.notes.append(text)
        print(f"  · {text}", flush=True)

    def finish(self, args: argparse.Namespace) -> None:
        print()
        print(table([r.__dict__ for r in self.rows], title=self.title))
        if args.json:
            Path(args.json).write_text(json.dumps([r.__dict__ for r in self.rows], ensure_ascii=False, indent=1))


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def format_row(row: Row) -> str:
    ratio = "—" if row.ratio is None else f"{row.ratio:.2f}×"
    met = {True: "met", False: "MISSED", None: "—"}[row.met]
    return (
        f"{row.operation}: portal p50 {_ms(row.portal_p50_ms)} ms / p95 {_ms(row.portal_p95_ms)} ms, "
        f"baseline p50 {_ms(row.baseline_p50_ms)} ms, {ratio} (goal {row.goal}: {met})"
    )


def table(rows: list[dict[str, Any]], title: str = "") -> str:
    """The Markdown table of result rows (also what docs/performance.md shows)."""
    head = "| operation | portal p50 ms | portal p95 ms | baseline p50 ms | ratio | goal | met |"
    lines = ([f"{title}", ""] if title else []) + [head, "|---|---:|---:|---:|---:|---|---|"]
    for r in rows:
        ratio = "—" if r.get("ratio") is None else f"{r['ratio']:.2f}×"
        met = {True: "met", False: "**missed**", None: "—"}[r.get("met")]
        lines.append(
            f"| {r['operation']} | {_ms(r.get('portal_p50_ms'))} | {_ms(r.get('portal_p95_ms'))} | "
            f"{_ms(r.get('baseline_p50_ms'))} | {ratio} | {r['goal']} | {met} |"
        )
    return "\n".join(lines)


# --- background work ----------------------------------------------------------


def run_queued_tasks(accept: Callable[[str], bool]) -> dict[str, int]:
    """Be the worker: take every message the code under test published to
    the in-memory broker (setup_django's default) and run the tasks whose
    name ``accept``s, in this process; the others (e.g. mail delivery, a
    separate worker's job in production) are dropped. Returns counts by name."""
    from portal.celery import app

    ran: dict[str, int] = {}
    with app.connection_for_read() as conn:
        queue = conn.SimpleQueue(app.conf.task_default_queue, no_ack=True)
        try:
            while True:
                try:
                    message = queue.get(block=False)
                except queue.Empty:
                    break
                name = message.headers["task"]
                args, kwargs, _embed = message.decode()
                if accept(name):
                    app.tasks[name](*args, **kwargs)
                    ran[name] = ran.get(name, 0) + 1
                else:
                    ran[f"dropped {name}"] = ran.get(f"dropped {name}", 0) + 1
        finally:
            queue.close()
    return ran
