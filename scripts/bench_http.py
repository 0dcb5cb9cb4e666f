"""HTTP under 4 concurrent clients (issue 14); not a test.

    .venv/bin/python scripts/bench_http.py [--seconds 8] [--clients 4] [--json PATH]

Starts two gunicorn servers on 127.0.0.1 with the same number of sync
workers (``--workers``, default: the machine's cores): the portal
(portal.wsgi with scripts/benchsettings.py: DEBUG off, connections kept
as in production, the benchmark database) and the raw floor
(scripts/rawapp.py: the same SQL statements the portal ran for the page,
on psycopg, rendered with string formatting). For the admin home and
ユーザ一覧 page 1 of the 100,000-user tenant, ``--clients`` threads with
http.client each send requests for ``--seconds`` after a warm-up (bounded:
at most 2,000 requests per client). Reports req/s and latency p50/p95 side
by side; goal: the portal serves at least 1/3 of the raw req/s.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

PATHS = {"admin home": "/home/", "ユーザ一覧 page 1": "/users/"}
MAX_PER_CLIENT = 2000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(app: str, port: int, workers: int, env: dict[str, str]) -> subprocess.Popen:
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    proc = subprocess.Popen(  # noqa: S603 — our own server on localhost
        [gunicorn, app, "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "--chdir", str(benchlib.ROOT), "--pythonpath", str(Path(__file__).resolve().parent)],
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


def load(port: int, path: str, cookie: str, clients: int, seconds: float) -> tuple[float, list[float]]:
    """(req/s, latencies ms) of ``clients`` threads hitting ``path``."""
    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[str] = []

    def client(timed: bool, stop_at: float, limit: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        for _ in range(limit):
            if time.perf_counter() >= stop_at:
                break
            t = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(f"{path}: {response.status}")
                break
            mine.append((time.perf_counter() - t) * 1000)
        conn.close()
        if timed:
            with lock:
                latencies.extend(mine)

    def run(timed: bool, duration: float, limit: int) -> float:
        stop_at = time.perf_counter() + duration
        threads = [threading.Thread(target=client, args=(timed, stop_at, limit)) for _ in range(clients)]
        t0 = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        return time.perf_counter() - t0

    run(False, 2.0, 10)  # warm-up: connections, caches, worker imports
    elapsed = run(True, seconds, MAX_PER_CLIENT)
    if errors:
        benchlib.fail(f"HTTP errors: {errors[:3]}", 1)
    return len(latencies) / elapsed, latencies


def main() -> None:
    p = benchlib.parser(__doc__)
    p.add_argument("--seconds", type=float, default=8.0)
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = p.parse_args()
    url = benchlib.setup_django()
    data = benchlib.scale_dataset()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from tenants.scoping import operator_scope

    with operator_scope():
        admin = User.objects.get(pk=data.big_admin_id)
    client = Client()
    client.force_login(admin)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    statements: dict[str, list[str]] = {}
    for path in PATHS.values():
        client.get(path)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        statements[path] = [q["sql"] for q in ctx.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")]
    # The server processes must see the session just written.
    connection.close()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as tmp:
        json.dump(statements, tmp)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "benchsettings",
           "RAWAPP_DATABASE_URL": url, "RAWAPP_STATEMENTS": tmp.name}
    env.pop("REDIS_URL", None)
    report = benchlib.Report(f"HTTP, {args.clients} concurrent clients, gunicorn -w {args.workers}")
    portal_port, raw_port = free_port(), free_port()
    servers = [start("portal.wsgi:application", portal_port, args.workers, env),
               start("rawapp:application", raw_port, args.workers, env)]
    try:
        for label, path in PATHS.items():
            portal_rps, portal_ms = load(portal_port, path, cookie, args.clients, args.seconds)
            raw_rps, raw_ms = load(raw_port, path, cookie, args.clients, args.seconds)
            report.add(
                f"HTTP {label}: portal {portal_rps:.0f} req/s vs raw {raw_rps:.0f} req/s",
                portal_ms, raw_ms, goal="portal ≥ 1/3 raw req/s (ratio = raw ÷ portal req/s ≤ 3)",
                ratio=raw_rps / portal_rps, met=portal_rps * 3 >= raw_rps,
            )
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
        Path(tmp.name).unlink(missing_ok=True)
    report.finish(args)


if __name__ == "__main__":
    main()
