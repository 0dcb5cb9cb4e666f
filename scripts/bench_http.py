"""HTTP in production's posture, against two floors measured in the same run
(issue 22); not a test.

    DATABASE_URL=postgres://… REDIS_URL=redis://127.0.0.1:6379/N \\
        .venv/bin/python scripts/bench_http.py [--rounds 3] [--seconds 6] [--clients 4] [--workers 2] [--threads 1]

* **Servers.** Two gunicorn servers with the same configuration (``--workers``
  sync workers, ``--threads`` each; default: the machine's cores, 1 thread)
  on ``--port`` and ``--port``+1 (default 8710/8711):
  the portal (portal.wsgi with scripts/benchsettings.py: DEBUG off, persistent
  connections, the cache on Redis, row-level security on, connected as a
  plain role that is neither owner nor superuser, as in production) and the
  raw floor (scripts/rawapp.py, same role). Redis: ``BENCH_REDIS_URL`` or
  ``REDIS_URL`` (default db 0), keys under a prefix of the run's own. Before
  timing, both servers must show the 100,000 users and hold only connections
  of the plain role.
* **Pages.** The portal's admin home, ユーザ一覧 page 1 (100,000 users), the
  bulletin board and the inquiry list (a service's （障害）お問い合わせ, 150 rows),
  logged in as the 100,000-user tenant's admin; the **framework floor**
  (scripts/benchurls.py: the base layout only, through the same middleware,
  session, auth and context processors; reachable only under the bench
  settings); the **raw floor** of the home and of ユーザ一覧 (SQL written by
  hand inside BEGIN/COMMIT, the same HTML rendered with f-strings).
* **Load.** scripts/loadgen.py, a process of its own (``--clients`` threads,
  ``--seconds`` after a warm-up); its CPU per request is reported apart.
* **Rounds.** ``--rounds`` rounds, every target once per round, the order
  rotated each round; req/s per target per round, and the ratios of one
  round's pair; the rows give the median ratio over rounds and p50/p95 of
  every latency of the target.

Goals (issue 22): admin home ≥ 1/2 of the framework floor's req/s and its
p95 ≤ 2× its p50; ユーザ一覧 page 1 ≥ 1/3 of its raw floor's req/s.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

SCRIPTS = Path(__file__).resolve().parent
APP_ROLE = "portal_bench_app"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"  # keys under a prefix of the run's own
PORTAL_PAGES = {
    "admin home": "/home/",
    "ユーザ一覧 page 1": "/users/",
    "掲示板": "/bulletin/",
    "お問い合わせ一覧": "/inquiries/history/bpo_web/",
}
FRAMEWORK_FLOOR = "/bench/framework-floor/"
INQUIRIES = 150
ARTICLES = (3, 10)  # categories × articles each


def app_role_url(owner_url: str) -> str:
    """The plain role the servers connect as (as ``make smoke`` makes it):
    LOGIN, neither superuser nor BYPASSRLS, the application's privileges."""
    import psycopg

    with psycopg.connect(owner_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE]).fetchone():
            conn.execute(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE")
        conn.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}")
        conn.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}")
        role = conn.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [APP_ROLE]).fetchone()
        if role != (False, False):
            benchlib.fail(f"{APP_ROLE} must be neither superuser nor BYPASSRLS: {role}")
    parts = urlsplit(owner_url)
    return urlunsplit(parts._replace(netloc=f"{APP_ROLE}@{parts.hostname or '127.0.0.1'}:{parts.port or 5432}"))


def seed_pages(tenant_id: int, admin_id: int) -> None:
    """The bulletin board and the inquiry list of the big tenant get rows once."""
    from django.db import transaction
    from django.utils import timezone

    from bulletin.models import Article, Category
    from inquiries.models import Inquiry
    from tenants.models import Service
    from tenants.scoping import operator_scope

    with operator_scope(), transaction.atomic():
        if not Category.objects.filter(tenant_id=tenant_id).exists():
            categories, articles = ARTICLES
            for c in range(categories):
                cat = Category.objects.create(tenant_id=tenant_id, name=f"カテゴリ{c + 1}", position=c,
                                              is_default=c == 0)
                Article.objects.bulk_create(
                    Article(tenant_id=tenant_id, category=cat, title=f"お知らせ {c + 1}-{a + 1}",
                            body="本文です。" * 20, position=a, author_id=admin_id)
                    for a in range(articles)
                )
        if not Inquiry.objects.filter(tenant_id=tenant_id).exists():
            service = Service.objects.get(code="bpo_web")
            Inquiry.objects.bulk_create(
                Inquiry(tenant_id=tenant_id, service=service, subject=f"障害のお問い合わせ {i + 1}",
                        contact_email="admin@big.bench.example.com", created_by_id=admin_id,
                        status=("received", "answered", "resolved")[i % 3],
                        resolved_at=timezone.now() if i % 3 == 2 else None)
                for i in range(INQUIRIES)
            )


def session_cookie(admin_id: int) -> str:
    from django.conf import settings
    from django.test import Client

    from accounts.models import User
    from tenants.scoping import operator_scope

    with operator_scope():
        admin = User.objects.get(pk=admin_id)
    client = Client()
    client.force_login(admin)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def start(app: str, port: int, args: object, env: dict[str, str]) -> subprocess.Popen:
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", port)) == 0:
            benchlib.fail(f"port {port} is taken (--port)")
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    proc = subprocess.Popen(  # noqa: S603 — our own server on localhost
        [gunicorn, app, "--workers", str(args.workers), "--threads", str(args.threads),
         "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "--chdir", str(benchlib.ROOT), "--pythonpath", str(SCRIPTS)],
        env=env,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    benchlib.fail(f"{app} did not start on port {port}")
    raise AssertionError


def load(port: int, path: str, cookie: str, args: object) -> dict:
    """One timed run of the load generator (its own process)."""
    out = subprocess.run(  # noqa: S603 — our own script
        [sys.executable, str(SCRIPTS / "loadgen.py"), str(port), path, "--cookie", cookie,
         "--clients", str(args.clients), "--seconds", str(args.seconds)],
        capture_output=True, text=True, timeout=args.seconds + 120, check=False,
    )
    try:
        result = json.loads(out.stdout)
    except ValueError:
        benchlib.fail(f"load generator failed on {path}: {out.stderr[-500:]}", 1)
    if result["errors"] or not result["requests"]:
        benchlib.fail(f"HTTP errors on {path}: {result['errors']}", 1)
    result["rps"] = result["requests"] / result["elapsed"]
    return result


def check_posture(owner_url: str, ports: tuple[int, int], cookie: str, users: int) -> str:
    """Before timing: both servers show the whole tenant on ユーザ一覧 (so RLS
    lets the plain role see its tenant, and nothing else is measured empty),
    and every connection they hold is the plain role's."""
    import http.client

    import psycopg

    for port in ports:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", "/users/", headers={"Cookie": cookie, "Host": "127.0.0.1"})
        body = conn.getresponse().read().decode()
        conn.close()
        if f"{users}" not in body.replace(",", ""):
            benchlib.fail(f"port {port}: ユーザ一覧 does not show {users} users")
    with psycopg.connect(owner_url) as db:
        roles = db.execute(
            "SELECT usename, count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend' GROUP BY usename"
        ).fetchall()
    if [r[0] for r in roles] != [APP_ROLE]:
        benchlib.fail(f"the servers' connections are not all {APP_ROLE}: {roles}")
    return f"servers connected as {APP_ROLE} ({roles[0][1]} connections), RLS on; ユーザ一覧 shows {users:,} users"


def main() -> None:
    p = benchlib.parser(__doc__)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seconds", type=float, default=6.0)
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--port", type=int, default=8710, help="the portal's port; the raw floor's is the next")
    args = p.parse_args()
    redis_url = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL") or DEFAULT_REDIS
    owner_url = benchlib.setup_django()
    data = benchlib.scale_dataset()
    seed_pages(data.big_tenant_id, data.big_admin_id)
    from django.conf import settings
    from django.db import connection

    cookie = session_cookie(data.big_admin_id)
    connection.close()  # the servers must see the session just written
    app_url = app_role_url(owner_url)
    env = {**os.environ, "DATABASE_URL": app_url, "DJANGO_SETTINGS_MODULE": "benchsettings",
           "BENCH_REDIS_URL": redis_url, "BENCH_CACHE_PREFIX": f"bench{os.getpid()}-{int(time.time())}",
           "RAWAPP_DATABASE_URL": app_url,
           "RAWAPP_SECRET_KEY": settings.SECRET_KEY, "RAWAPP_SESSION_COOKIE": settings.SESSION_COOKIE_NAME}
    env.pop("REDIS_URL", None)  # tasks stay in-process (none is queued by a GET)
    portal_port, raw_port = args.port, args.port + 1
    targets = {"framework floor": (portal_port, FRAMEWORK_FLOOR),
               **{label: (portal_port, path) for label, path in PORTAL_PAGES.items()},
               "raw floor: home": (raw_port, "/home/"), "raw floor: ユーザ一覧": (raw_port, "/users/")}
    results: dict[str, list[dict]] = {label: [] for label in targets}
    servers = [start("portal.wsgi:application", portal_port, args, env),
               start("rawapp:application", raw_port, args, env)]
    labels = list(targets)
    try:
        posture = check_posture(owner_url, (portal_port, raw_port), cookie, data.users)
        for r in range(args.rounds):
            order = labels[r % len(labels):] + labels[: r % len(labels)]
            for label in order:
                port, path = targets[label]
                got = load(port, path, cookie, args)
                results[label].append(got)
                print(f"  round {r + 1} {label}: {got['rps']:.0f} req/s, loadgen CPU "
                      f"{got['cpu'] * 1000 / got['requests']:.2f} ms/request", flush=True)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
    report = benchlib.Report(
        f"HTTP, production posture (Redis, RLS, plain role), gunicorn --workers {args.workers} "
        f"--threads {args.threads}, {args.clients} clients, {args.rounds} rounds × {args.seconds:.0f} s"
    )

    def rps(label: str) -> float:
        return statistics.median(x["rps"] for x in results[label])

    def latencies(label: str) -> list[float]:
        return [ms for x in results[label] for ms in x["latencies"]]

    def ratio(floor: str, page: str) -> float:
        """Median over rounds of floor req/s ÷ page req/s (pairs of one round)."""
        return statistics.median(f["rps"] / q["rps"] for f, q in zip(results[floor], results[page], strict=True))

    for label in ("framework floor", "raw floor: home", "raw floor: ユーザ一覧"):
        report.add(f"HTTP {label}: {rps(label):.0f} req/s", latencies(label), None, goal="a floor (reference)")
    home = latencies("admin home")
    home_ratio = ratio("framework floor", "admin home")
    report.add(
        f"HTTP admin home: {rps('admin home'):.0f} req/s vs framework floor {rps('framework floor'):.0f} req/s",
        home, latencies("framework floor"), ratio=home_ratio,
        goal="≥ 1/2 framework floor req/s (ratio = floor ÷ page ≤ 2), p95 ≤ 2× p50",
        met=home_ratio <= 2 and benchlib.p95(home) <= 2 * benchlib.p50(home),
    )
    report.add(
        f"HTTP admin home vs raw floor home: {rps('admin home'):.0f} vs {rps('raw floor: home'):.0f} req/s",
        home, latencies("raw floor: home"), ratio=ratio("raw floor: home", "admin home"),
        goal="for reference (ratio = raw ÷ page)",
    )
    list_ratio = ratio("raw floor: ユーザ一覧", "ユーザ一覧 page 1")
    report.add(
        f"HTTP ユーザ一覧 page 1: {rps('ユーザ一覧 page 1'):.0f} req/s vs raw floor {rps('raw floor: ユーザ一覧'):.0f} req/s",
        latencies("ユーザ一覧 page 1"), latencies("raw floor: ユーザ一覧"), ratio=list_ratio,
        goal="≥ 1/3 raw floor req/s (ratio = raw ÷ page ≤ 3)", met=list_ratio <= 3,
    )
    for label in ("掲示板", "お問い合わせ一覧"):
        report.add(
            f"HTTP {label}: {rps(label):.0f} req/s vs framework floor {rps('framework floor'):.0f} req/s",
            latencies(label), latencies("framework floor"), ratio=ratio("framework floor", label),
            goal="for reference (ratio = floor ÷ page)",
        )
    cpu = statistics.median(x["cpu"] * 1000 / x["requests"] for xs in results.values() for x in xs)
    report.note(posture)
    report.note(f"load generator (own process): median {cpu:.2f} ms CPU per request")
    report.finish(args)


if __name__ == "__main__":
    main()
