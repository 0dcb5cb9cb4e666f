"""The raw WSGI floor for bench_http.py (not a bench script itself): for each
path it runs the very SQL statements the portal ran for that page (captured
once by bench_http.py, parameters inlined) on a plain psycopg connection
and renders the rows into HTML with string formatting. No framework, no ORM,
no template engine: what serving the page costs at the least.

    RAWAPP_DATABASE_URL=… RAWAPP_STATEMENTS=/tmp/statements.json gunicorn -w 2 rawapp:application
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Callable, Iterable
from typing import Any

import psycopg

_STATEMENTS: dict[str, list[str]] = json.loads(open(os.environ["RAWAPP_STATEMENTS"]).read())  # noqa: SIM115, PTH123
_conn: psycopg.Connection | None = None


def _connection() -> psycopg.Connection:
    global _conn  # noqa: PLW0603 — one connection per worker process, as Django keeps one
    if _conn is None or _conn.closed:
        _conn = psycopg.connect(os.environ["RAWAPP_DATABASE_URL"], autocommit=True)
    return _conn


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    statements = _STATEMENTS.get(environ.get("PATH_INFO", ""))
    if statements is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    out = ["<!doctype html><html lang=ja><body><table>"]
    with _connection().cursor() as cur:
        for sql in statements:
            cur.execute(sql.encode())
            if cur.description:
                for row in cur.fetchall():
                    out.append("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>")
    out.append("</table></body></html>")
    body = "".join(out).encode()
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]
