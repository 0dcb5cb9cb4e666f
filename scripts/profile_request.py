"""Where one request's time goes, in-process (issue 22); not a test, not a
bench row.

    DATABASE_URL=postgres://… .venv/bin/python scripts/profile_request.py [--runs 60] [--rls] [PATH …]

On the benchmark's scale dataset (scripts/benchlib.py: the 100,000-user
tenant), as its administrator, through the test client (every middleware,
the session, auth, the tenant scope), each PATH (default: the admin home
and ユーザ一覧 page 1) is requested ``--runs`` times after a warm-up, and each
request's wall time is split by timers around the parts, not by a profiler
(whose overhead distorts exactly the small calls that matter here):

* **SQL**: every statement, through a database execute wrapper (the round
  trip and the server's work, as the client waits for it);
* **template**: Django template rendering (``Template.render`` of the
  backend: the page and the base layout with its menu);
* **rows**: the user list's Python row renderer (``users.list_rows.render_rows``),
  when the page has one;
* **the rest**: everything else in Python — the middleware, session and
  auth, the view, building and compiling the ORM's queries and turning rows
  into objects.

``--rls``: the production posture for the database, as bench_http.py runs
it: row-level security on and the plain application role (created as
bench_http.py creates it).

A query run while a template or the rows render counts as SQL only. Prints
the median of each part (medians need not add up to the median total). Run it on two checkouts (``git worktree``)
to compare before and after; docs/performance.md gives the figures.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

DEFAULT_PATHS = ["/home/", "/users/"]


class Timer:
    """Seconds spent inside the wrapped callables during one request."""

    def __init__(self) -> None:
        self.spent = 0.0
        self.depth = 0

    def wrap(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            # Only the outermost call counts: a template includes templates.
            self.depth += 1
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.depth -= 1
                if self.depth == 0:
                    self.spent += time.perf_counter() - start

        return timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=DEFAULT_PATHS)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--rls", action="store_true", help="row-level security on, as the plain role")
    args = parser.parse_args()
    owner_url = benchlib.setup_django()
    data = benchlib.scale_dataset()

    from django.conf import settings
    from django.db import connection
    from django.template.backends import django as django_backend
    from django.test import Client

    from accounts.models import User
    from tenants.scoping import operator_scope

    with operator_scope():
        admin = User.objects.get(pk=data.big_admin_id)
    client = Client()
    client.force_login(admin)
    if args.rls:
        from bench_http import app_role_url

        app_role_url(owner_url)  # the role, as bench_http.py makes it
        connection.close()
        connection.settings_dict["USER"] = "portal_bench_app"
        settings.PORTAL_ROW_LEVEL_SECURITY = True

    sql, template, rows = Timer(), Timer(), Timer()
    django_backend.Template.render = template.wrap(django_backend.Template.render)
    try:  # the view calls list_rows.render_rows through the module
        from users import list_rows

        list_rows.render_rows = rows.wrap(list_rows.render_rows)
    except ImportError:
        pass  # a checkout without the Python row renderer: rows are template time
    statements = [0]

    def on_sql(execute: Callable[..., Any], sql_text: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql_text, params, many, context)
        finally:
            took = time.perf_counter() - start
            sql.spent += took
            statements[0] += 1
            for part in (template, rows):  # a query run while rendering is SQL, not rendering
                if part.depth:
                    part.spent -= took

    posture = "RLS on, plain role" if args.rls else "test settings (owner role, RLS off, LocMem cache)"
    print(f"{data.users:,} users; {args.runs} requests each after 5 warm-ups; {posture}; median ms")
    print("| page | total | SQL (statements) | template | rows | the rest |\n|---|---:|---:|---:|---:|---:|")
    for path in args.paths:
        for _ in range(5):
            assert client.get(path).status_code == 200, path
        parts: dict[str, list[float]] = {k: [] for k in ("total", "sql", "template", "rows", "rest", "n")}
        with connection.execute_wrapper(on_sql):
            for _ in range(args.runs):
                sql.spent = template.spent = rows.spent = 0.0
                statements[0] = 0
                start = time.perf_counter()
                response = client.get(path)
                total = time.perf_counter() - start
                assert response.status_code == 200, (path, response.status_code)
                for key, value in (("total", total), ("sql", sql.spent), ("template", template.spent),
                                   ("rows", rows.spent)):
                    parts[key].append(value * 1000)
                parts["rest"].append((total - sql.spent - template.spent - rows.spent) * 1000)
                parts["n"].append(statements[0])
        med = {k: statistics.median(v) for k, v in parts.items()}
        rest = med["rest"]
        print(f"| {path} | {med['total']:.1f} | {med['sql']:.1f} ({med['n']:.0f}) | {med['template']:.1f} | "
              f"{med['rows']:.1f} | {rest:.1f} |")


if __name__ == "__main__":
    main()
