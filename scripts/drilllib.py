"""What every scripts/drill_*.py shares (failure drills, docs/security.md).

A drill really starts processes and kills them:

* its own PostgreSQL database ``<DATABASE_URL's name>_drill_<name>``, created,
  migrated with ``manage.py migrate`` and dropped at the end (never the
  database DATABASE_URL names, so the test suite's is untouched);
* a private ``redis-server`` on ``DRILL_REDIS_PORT`` (6391), configured as
  production should be (AOF ``appendonly yes`` / ``appendfsync everysec``,
  ``maxmemory-policy noeviction``), killed with SIGKILL and restarted;
* real ``celery -A portal worker`` processes (prefork) on that broker, with
  scripts/drillsettings.py and the counting mail sink of scripts/drillmail.py,
  each in its own process group so a drill can SIGKILL one pool process or
  the whole worker (a crashed machine).

The drill process itself is Django on the same database and broker: it
creates the data, sends the mails and runs the sweep as beat would.

Usage::

    with drilllib.Drill("redis", mail_delay=0.005) as drill:
        worker = drill.worker("w1")
        ...
        drill.check("0 lost", lost == 0, f"lost {lost}")
    # exit status: drill.exit_code
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchdb import admin_url, database_name, sibling_url

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
REDIS_PORT = int(os.environ.get("DRILL_REDIS_PORT", "6391"))
CELERY = str(ROOT / ".venv" / "bin" / "celery")
SWEEP_EVERY = 2.0  # seconds: the drill's beat for sweep_outbox (production: a minute)


def fail(message: str, code: int = 2) -> None:
    print(f"drill: {message}", file=sys.stderr)
    raise SystemExit(code)


def drill_url(name: str) -> str:
    return sibling_url(f"_drill_{name}", who="drill")


def wait_until(predicate: Callable[[], Any], timeout: float, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


class Redis:
    """A private redis-server with production's durability settings."""

    def __init__(self, port: int, directory: Path) -> None:
        self.port = port
        self.directory = directory
        self.process: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if self._answers():
            fail(f"port {self.port} already answers: another drill or Redis is running there (DRILL_REDIS_PORT)")
        server = shutil.which("redis-server")
        if server is None:
            fail("redis-server is not installed (the drills start their own)")
        self.process = subprocess.Popen(  # noqa: S603 — our own fixed command line
            [
                server, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
                "--appendonly", "yes", "--appendfsync", "everysec", "--maxmemory-policy", "noeviction",
                "--save", "", "--logfile", str(self.directory / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        if not wait_until(self._answers, 10):
            fail("the drill's redis-server did not start (see its redis.log)")

    def _answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_timeout=0.5, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def kill(self) -> None:
        """SIGKILL: no shutdown save; what survives is what the AOF had."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def wipe(self) -> None:
        """Lose everything Redis held (a replacement machine without the AOF)."""
        for entry in self.directory.iterdir():
            if entry.name != "redis.log":
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()

    def client(self) -> Any:
        import redis

        return redis.Redis(port=self.port)


class Worker:
    """A real ``celery -A portal worker`` in its own process group."""

    def __init__(self, name: str, env: dict[str, str], logdir: Path, concurrency: int) -> None:
        self.name = name
        self.env = env
        self.log = logdir / f"worker-{name}.log"
        self.concurrency = concurrency
        self.process: subprocess.Popen | None = None

    def start(self) -> Worker:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 — our own fixed command line
                [
                    CELERY, "-A", "portal", "worker", "--pool", "prefork", "--concurrency", str(self.concurrency),
                    "--hostname", f"{self.name}@drill", "--without-gossip", "--without-mingle",
                    "--without-heartbeat", "--loglevel", "INFO",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if not wait_until(lambda: "ready." in self.text() or self.process.poll() is not None, 60, 0.1):
            fail(f"worker {self.name} did not get ready in 60 s; log: {self.log}")
        if self.process.poll() is not None:
            fail(f"worker {self.name} exited at start:\n{self.text()[-3000:]}")
        return self

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def pool_pids(self) -> list[int]:
        if self.process is None:
            return []
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [int(c) for c in children]

    def kill_pool_process(self, pid: int) -> None:
        """SIGKILL one pool process: the parent sees WorkerLostError and, with
        reject_on_worker_lost, requeues its task at once."""
        if pid not in self.pool_pids():
            fail(f"{pid} is not a pool process of worker {self.name}")
        os.kill(pid, signal.SIGKILL)

    def kill(self) -> None:
        """SIGKILL the whole worker, parent and pool (a crashed machine)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def stop(self) -> None:
        """Warm shutdown (SIGTERM), SIGKILL after 20 s."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(20)
        self.kill()

    def results(self, task: str) -> list[str]:
        """The return values the worker logged for ``task``."""
        pattern = re.compile(rf"Task {re.escape(task)}\[[^\]]+\] succeeded in [0-9.]+s: (.*)")
        return pattern.findall(self.text())


class Drill:
    """One drill: database, Redis, workers, Django in this process, figures."""

    def __init__(self, name: str, *, mail_delay: float = 0.0) -> None:
        self.name = name
        self.url = drill_url(name)
        self.tmp = Path(tempfile.mkdtemp(prefix=f"drill-{name}-"))
        self.mail_dir = self.tmp / "mail"
        self.mail_dir.mkdir()
        self.redis = Redis(REDIS_PORT, self.tmp / "redis")
        self.workers: list[Worker] = []
        self.failures: list[str] = []
        self.started = time.monotonic()
        self.env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "DJANGO_SETTINGS_MODULE": "drillsettings",
            "PYTHONPATH": os.pathsep.join([str(SCRIPTS), str(ROOT)]),
            "DRILL_BROKER_URL": self.redis.url,
            "DRILL_MAIL_DIR": str(self.mail_dir),
            "DRILL_MAIL_DELAY": str(mail_delay),
            "LOG_LEVEL": "INFO",
        }
        self.env.pop("REDIS_URL", None)  # never the shared Redis

    # --- set-up and tear-down ---------------------------------------------------

    def __enter__(self) -> Drill:
        print(f"== drill {self.name}: database {database_name(self.url)}, redis :{REDIS_PORT}, {self.tmp}", flush=True)
        # Stopped from outside (CI's timeout, the runner): still clean up.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        self._create_database()
        self.redis.start()
        os.environ.update({k: v for k, v in self.env.items() if k != "LOG_LEVEL"})
        os.environ.pop("REDIS_URL", None)
        os.environ["LOG_LEVEL"] = "ERROR"  # the drill's own output is its figures
        sys.path[:0] = [str(SCRIPTS), str(ROOT)]
        import django

        django.setup()
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        for worker in self.workers:
            worker.kill()
        self.redis.kill()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001, S110 — best effort before the DROP
            pass
        failed = exc_type is not None or bool(self.failures)
        if failed and os.environ.get("DRILL_KEEP") != "1":
            for worker in self.workers:
                print(f"--- {worker.log.name} (last lines)\n{worker.text()[-4000:]}", file=sys.stderr)
        self._drop_database()
        if os.environ.get("DRILL_KEEP") == "1":
            print(f"kept {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def _create_database(self) -> None:
        import psycopg

        name = database_name(self.url)
        with psycopg.connect(admin_url(self.url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        env = {**self.env, "DJANGO_SETTINGS_MODULE": "drillsettings", "LOG_LEVEL": "WARNING"}
        done = subprocess.run(  # noqa: S603 — our own manage.py
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT, env=env, capture_output=True, text=True, check=False,
        )
        if done.returncode:
            fail(f"migrate failed:\n{done.stdout}\n{done.stderr}")

    def _drop_database(self) -> None:
        if os.environ.get("DRILL_KEEP") == "1":
            return
        import psycopg

        with psycopg.connect(admin_url(self.url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database_name(self.url)}" WITH (FORCE)')

    # --- processes ------------------------------------------------------------

    def worker(self, name: str, *, concurrency: int = 2) -> Worker:
        worker = Worker(name, self.env, self.tmp, concurrency)
        self.workers.append(worker)
        return worker.start()

    # --- figures --------------------------------------------------------------

    def say(self, text: str) -> None:
        print(f"  [{time.monotonic() - self.started:5.1f}s] {text}", flush=True)

    def check(self, what: str, ok: bool, detail: str) -> None:
        print(f"  {'ok  ' if ok else 'FAIL'} {what}: {detail}", flush=True)
        if not ok:
            self.failures.append(f"{what}: {detail}")

    @property
    def exit_code(self) -> int:
        took = time.monotonic() - self.started
        verdict = "FAILED" if self.failures else "passed"
        print(f"== drill {self.name} {verdict} in {took:.0f}s", flush=True)
        return 1 if self.failures else 0


# --- mail ---------------------------------------------------------------------


def send_mails(count: int, *, tag: str) -> list[list[int]]:
    """``count`` mails through the outbox (one bulk send, as a notice fan-out
    does); returns the delivery batches' ids, in the chunks the tasks got."""
    from django.db import transaction

    from mail import services
    from mail.models import OutboxMessage
    from mail.services import BULK_CHUNK, Mail
    from tenants.scoping import operator_scope

    with operator_scope():
        before = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    context = {"name": "利用者", "title": f"訓練 {tag}"}
    with transaction.atomic():
        services.send_mails(
            template="test_notice", mails=[Mail(to=f"{tag}{i}@drill.example.com", context=context) for i in range(count)]
        )
    with operator_scope():
        ids = list(OutboxMessage.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True))
    return [ids[i : i + BULK_CHUNK] for i in range(0, len(ids), BULK_CHUNK)]


def statuses(ids: list[int]) -> dict[str, int]:
    from django.db.models import Count

    from mail.models import OutboxMessage
    from tenants.scoping import operator_scope

    with operator_scope():
        rows = OutboxMessage.objects.filter(pk__in=ids).values("status").annotate(n=Count("pk"))
        return {row["status"]: row["n"] for row in rows}


def in_flight(batches: list[list[int]]) -> int:
    """Batches with rows a worker has claimed and not finished (SENDING)."""
    from mail.models import OutboxMessage
    from tenants.scoping import operator_scope

    with operator_scope():
        sending = set(
            OutboxMessage.objects.filter(status=OutboxMessage.Status.SENDING).values_list("pk", flat=True)
        )
    return sum(1 for batch in batches if sending.intersection(batch))


def sweep_until_sent(drill: Drill, ids: list[int], timeout: float) -> bool:
    """Be beat: run the outbox sweep every SWEEP_EVERY seconds until every row
    is sent (or failed) or ``timeout`` passes."""
    from mail.tasks import sweep_outbox

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = {k: v for k, v in statuses(ids).items() if k not in ("sent", "failed")}
        if not left:
            return True
        sweep_outbox()
        time.sleep(SWEEP_EVERY)
    drill.say(f"rows not sent after {timeout:.0f}s: {statuses(ids)}")
    return False


def delivered(drill: Drill) -> Any:
    from drillmail import count

    return count(drill.mail_dir)


def mail_figures(drill: Drill, ids: list[int], *, killed_batches: int, label: str) -> None:
    """Print and check the mail figures of ``ids``: lost must be 0, duplicates
    at most one per in-flight batch that was killed."""
    counts = delivered(drill)
    expected = set(ids)
    got = {i: n for i, n in counts.items() if i in expected}
    lost = len(expected - set(got))
    duplicates = sum(n - 1 for n in got.values())
    rows = statuses(ids)
    drill.say(
        f"{label}: mails {len(ids)}, delivered {len(got)}, lost {lost}, duplicates {duplicates}, "
        f"in-flight batches killed {killed_batches}, rows {rows}"
    )
    drill.check(f"{label}: 0 lost", lost == 0, f"{lost} of {len(ids)} never delivered")
    drill.check(
        f"{label}: duplicates ≤ 1 per killed in-flight batch",
        duplicates <= killed_batches,
        f"{duplicates} duplicates, {killed_batches} killed batches",
    )
    drill.check(f"{label}: every row sent", rows == {"sent": len(ids)}, str(rows))
