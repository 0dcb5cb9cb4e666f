"""`make drill`: run the failure drills (issue 15, docs/security.md "Failure
drills"), each a script that starts and kills real processes:

* ``drill_redis.py``: Redis killed and restarted while 1,000 mails are pending
  and while a worker delivers them;
* ``drill_worker.py``: a worker killed mid-task (one pool process; the whole
  worker) while it delivers an outbox batch;
* ``drill_month.py``: the month job run concurrently, and its worker killed
  inside a chunk's transaction.

    DATABASE_URL=postgres://… .venv/bin/python scripts/drills.py [--only redis,month]

Each drill has its own database (``<DATABASE_URL's name>_drill_<name>``) and
its own redis-server; they run in two lanes at once, on ports
``DRILL_REDIS_PORTS`` (6391,6392), so the whole run takes a few minutes.
Exit status: non-zero when a drill failed (lost mail, duplicates beyond the
bound, an application not applied exactly once).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent
LANES = [["redis", "month"], ["worker"]]
RUNNING: list[subprocess.Popen] = []


def stop_drills(*_: object) -> None:
    """SIGTERM (CI's timeout): each drill cleans up its processes and database."""
    for process in RUNNING:
        if process.poll() is None:
            process.terminate()
    sys.exit(143)


def run_lane(names: list[str], port: str, results: dict[str, tuple[int, float]], lock: threading.Lock) -> None:
    for name in names:
        t0 = time.monotonic()
        with subprocess.Popen(  # noqa: S603 — our own scripts, with this interpreter
            [sys.executable, str(SCRIPTS / f"drill_{name}.py")],
            env={**os.environ, "DRILL_REDIS_PORT": port},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ) as process:
            RUNNING.append(process)
            out, err = process.communicate()
        took = time.monotonic() - t0
        with lock:
            results[name] = (process.returncode, took)
            print(out, end="", flush=True)
            if process.returncode:
                print(err[-6000:], end="", file=sys.stderr, flush=True)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--only", help="comma-separated drills: redis, worker, month")
    args = p.parse_args()
    wanted = set(args.only.split(",")) if args.only else {n for lane in LANES for n in lane}
    unknown = wanted - {n for lane in LANES for n in lane}
    if unknown:
        p.error(f"unknown drills: {', '.join(sorted(unknown))}")
    ports = os.environ.get("DRILL_REDIS_PORTS", "6391,6392").split(",")
    lanes = [[n for n in lane if n in wanted] for lane in LANES]
    lanes = [lane for lane in lanes if lane]
    if len(ports) < len(lanes):  # one port: one lane
        lanes = [[n for lane in lanes for n in lane]]
    signal.signal(signal.SIGTERM, stop_drills)
    results: dict[str, tuple[int, float]] = {}
    lock = threading.Lock()
    t0 = time.monotonic()
    threads = [
        threading.Thread(target=run_lane, args=(lane, port, results, lock)) for lane, port in zip(lanes, ports, strict=False)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"\n== failure drills in {time.monotonic() - t0:.0f}s")
    for name in [n for lane in LANES for n in lane if n in results]:
        code, took = results[name]
        print(f"  {name:7} {'passed' if code == 0 else f'FAILED (exit {code})'} in {took:.0f}s")
    return 0 if results and all(code == 0 for code, _ in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
