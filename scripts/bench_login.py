"""Benchmark of a login attempt with the production hasher (AUTH-5); not a test.

    .venv/bin/python scripts/bench_login.py [--runs 9] [--json PATH]

A login attempt must cost the same whether the ID is unknown, the password
wrong or right, so timing reveals nothing: each costs about one password
hash. Measured in the same run against the raw baseline, one
``check_password`` with the same PBKDF2 hasher; goal: every case within
1.2 x the baseline (p50).

Uses its own PostgreSQL database beside DATABASE_URL's (its name plus
``_login_bench``, or BENCH_DATABASE_URL); created and migrated
if missing); rounds are interleaved and repeated because the machine is
shared.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from benchdb import ensure_database, sibling_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = os.environ.get("BENCH_DATABASE_URL") or sibling_url("_login_bench", who="bench_login")
os.environ["DATABASE_URL"] = BENCH_DB
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
os.environ.pop("REDIS_URL", None)  # eager tasks, locmem cache and mail
# Wrong passwords are counted: without this the account would lock mid-run.
os.environ["LOGIN_FAILURE_LIMIT"] = "1000000"

CODE = "BENCHLGN"
PASSWORD = "BenchPass2026"
GOAL = 1.2


def build_user():  # noqa: ANN201
    from accounts.models import LoginId, User
    from tenants.models import Tenant
    from tenants.scoping import operator_scope

    with operator_scope():
        Tenant.objects.filter(code=CODE).delete()
        LoginId.objects.filter(login_id="bench@login.example.com").delete()
        tenant = Tenant.objects.create(name="ベンチ株式会社", code=CODE)
        user = User(
            tenant=tenant,
            email="bench@login.example.com",
            role=User.Role.USER,
            status=User.Status.ACTIVE,
            last_name="計測",
            first_name="太郎",
        )
        user.set_password(PASSWORD)
        user.save()
        LoginId.objects.create(login_id=user.email, user=user)
    return user


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--json", metavar="PATH", help="write the rows as JSON (make bench)")
    args = parser.parse_args()

    ensure_database(BENCH_DB)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # The production hasher: the whole point is the cost of one real hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    call_command("migrate", verbosity=0)

    from django.contrib.auth.hashers import check_password

    from accounts.services.login import authenticate_login

    user = build_user()
    encoded = user.password
    cases: dict[str, Callable[[], object]] = {
        "login: unknown ID": lambda: authenticate_login(login_id="nobody@login.example.com", password=PASSWORD),
        "login: wrong password": lambda: authenticate_login(login_id=user.email, password="Wrong12345"),
        "login: right password": lambda: authenticate_login(login_id=user.email, password=PASSWORD),
        "baseline": lambda: check_password(PASSWORD, encoded),
    }
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for run in cases.values():  # warm-up: connections, imports, caches
        run()
    for _ in range(args.runs):
        for name, run in cases.items():
            start = time.perf_counter()
            run()
            samples[name].append((time.perf_counter() - start) * 1000)

    base_p50 = statistics.median(samples.pop("baseline"))
    rows = []
    for name, values in samples.items():
        p50 = statistics.median(values)
        ratio = p50 / base_p50
        rows.append(
            {
                "operation": name,
                "portal_p50_ms": round(p50, 1),
                "portal_p95_ms": round(percentile(values, 0.95), 1),
                "baseline_p50_ms": round(base_p50, 1),
                "ratio": round(ratio, 2),
                "goal": GOAL,
                "met": ratio <= GOAL,
            }
        )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")
        return
    print(f"\nログイン ({args.runs} interleaved rounds; baseline = one check_password, p50 {base_p50:.0f} ms)")
    for row in rows:
        print(
            f"  {row['operation']:24s} p50 {row['portal_p50_ms']:6.0f} ms  p95 {row['portal_p95_ms']:6.0f} ms"
            f"  ratio {row['ratio']:.2f}  goal <= {GOAL}  {'met' if row['met'] else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
