"""`make bench`: run every scripts/bench_*.py, print one table, write it into
docs/performance.md (between the markers). Not a test; not part of make test.

    DATABASE_URL=postgres://… .venv/bin/python scripts/benchmarks.py [--only users,idchange] [--no-write]

Each script runs in its own process with ``--json <tmpfile>`` and writes rows
{"operation","portal_p50_ms","portal_p95_ms","baseline_p50_ms","ratio","goal","met"}
(scripts/benchlib.py). A script that fails is reported as a missed row and
makes the exit status non-zero; the others still run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdb  # noqa: E402
import benchlib  # noqa: E402

SCRIPTS = Path(__file__).resolve().parent
DOC = benchlib.ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
COMMAND = "make bench"


def machine() -> str:
    cores = os.cpu_count() or 0
    pg = ""
    try:
        import psycopg

        with psycopg.connect(benchdb.admin_url(benchlib.bench_url()), connect_timeout=5) as c:
            pg = c.execute("SHOW server_version").fetchone()[0].split()[0]
    except Exception:  # noqa: BLE001 — the header is informative only
        pg = "?"
    return f"{platform.node()}, {cores} cores, {platform.python_implementation()} {platform.python_version()}, PostgreSQL {pg}"


def run_script(path: Path, extra: list[str]) -> tuple[list[dict], float, int]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        out = Path(tmp.name)
    t0 = time.perf_counter()
    print(f"\n=== {path.name} ===", flush=True)
    # Our own scripts, found by the glob above, run with this interpreter.
    rc = subprocess.call([sys.executable, str(path), "--json", str(out), *extra], cwd=benchlib.ROOT)  # noqa: S603
    took = time.perf_counter() - t0
    rows: list[dict] = []
    if rc == 0:
        try:
            rows = json.loads(out.read_text() or "[]")
        except ValueError:
            rc = 1
    out.unlink(missing_ok=True)
    if rc != 0:
        rows.append(
            {"operation": f"{path.name} failed (exit {rc})", "portal_p50_ms": None, "portal_p95_ms": None,
             "baseline_p50_ms": None, "ratio": None, "goal": "runs", "met": False}
        )
    return rows, took, rc


def write_doc(text: str) -> None:
    doc = DOC.read_text() if DOC.exists() else f"# Performance\n\n{BEGIN}\n{END}\n"
    if BEGIN not in doc or END not in doc:
        doc += f"\n{BEGIN}\n{END}\n"
    head, rest = doc.split(BEGIN, 1)
    _old, tail = rest.split(END, 1)
    DOC.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--only", help="comma-separated script names (users → bench_users.py)")
    p.add_argument("--no-write", action="store_true", help="do not update docs/performance.md")
    args, extra = p.parse_known_args()
    url = benchlib.bench_url()  # exits with the reason unless PostgreSQL
    benchlib.check_server(url)
    scripts = sorted(SCRIPTS.glob("bench_*.py"))
    if args.only:
        wanted = {f"bench_{n.strip()}.py" for n in args.only.split(",")}
        scripts = [s for s in scripts if s.name in wanted]
    started = datetime.now(UTC)
    rows: list[dict] = []
    timings = []
    status = 0
    for script in scripts:
        got, took, rc = run_script(script, extra)
        rows += got
        timings.append(f"{script.name} {took:.0f} s")
        status = status or rc
    text = "\n".join(
        [
            f"Command: `{COMMAND}` — run {started:%Y-%m-%d %H:%M} UTC on {machine()}.",
            f"Scripts: {', '.join(timings)}.",
            "",
            benchlib.table(rows),
        ]
    )
    print("\n" + text)
    if not args.no_write:
        write_doc(text)
        print(f"\nwritten to {DOC.relative_to(benchlib.ROOT)}")
    missed = [r["operation"] for r in rows if r.get("met") is False]
    if missed:
        print(f"missed: {', '.join(missed)}")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
