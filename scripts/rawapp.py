"""The raw floor for bench_http.py (not a bench script itself): a plain WSGI
app serving the admin home and ユーザ一覧 page 1 with SQL written by hand —
not replayed from the portal, so a query the portal drops is not dropped
from the floor too. Per request, as a real application would:

* the session cookie → the session row (Django's signed session data is
  verified with the secret key: ``django.core.signing`` alone, no settings,
  no framework) → the user and its tenant;
* the page's reads inside BEGIN … COMMIT, the tenant's RLS setting made
  transaction-local in the same round trip as the first read;
* the HTML of the page rendered with string formatting, every value
  escaped: the header with the user's name and a fixed menu, and the same
  table the portal shows (contracts; 100 users with 代表組織, status and
  service icons, the total — from the trigger-kept counter, as the portal
  reads it — and the page range).

It connects as the same plain role (RLS on) as the portal: ``RAWAPP_DATABASE_URL``.

    RAWAPP_DATABASE_URL=… RAWAPP_SECRET_KEY=… gunicorn -w 2 rawapp:application
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from html import escape
from typing import Any

import psycopg
from django.core import signing
from django.core.signing import JSONSerializer

SECRET = os.environ["RAWAPP_SECRET_KEY"]
COOKIE = os.environ.get("RAWAPP_SESSION_COOKIE", "sessionid")
PAGE = 100
MENU = ["ホーム", "ユーザ管理", "ID数変更", "掲示板", "お知らせ", "お問い合わせ", "操作ログ", "カスタマイズ"]
STATUS = {"active": "利用中", "pending": "未登録", "suspended": "利用停止", "locked": "ロック"}
CONDITION = {"tenant": "テナント", "organization": "組織", "user": "ユーザ"}
_conn: psycopg.Connection | None = None


def _connection() -> psycopg.Connection:
    global _conn  # noqa: PLW0603 — one connection per worker process, as Django keeps one
    if _conn is None or _conn.closed:
        _conn = psycopg.connect(os.environ["RAWAPP_DATABASE_URL"])
    return _conn


def _session_user(cur: psycopg.Cursor, environ: dict[str, Any]) -> tuple | None:
    cookies = dict(
        part.strip().split("=", 1) for part in environ.get("HTTP_COOKIE", "").split(";") if "=" in part
    )
    key = cookies.get(COOKIE)
    if not key:
        return None
    row = cur.execute(
        "SELECT session_data FROM django_session WHERE session_key = %s AND expire_date > now()", [key]
    ).fetchone()
    if row is None:
        return None
    data = signing.loads(
        row[0], key=SECRET, salt="django.contrib.sessions.SessionStore", serializer=JSONSerializer,
        fallback_keys=[],
    )
    return cur.execute(
        "SELECT u.id, u.tenant_id, u.email, u.last_name, u.first_name, t.name, "
        "set_config('portal.tenant_id', u.tenant_id::text, true) "
        # The portal's narrow path to the session's user under RLS (accounts/services/user_lookup.py).
        "FROM portal_user_by_pk(%s) u JOIN tenants_tenant t ON t.id = u.tenant_id WHERE u.is_active",
        [int(data["_auth_user_id"])],
    ).fetchone()


def _layout(user: tuple, title: str, main: list[str]) -> str:
    menu = "".join(f'<li><a href="/{i}/">{escape(label)}</a></li>' for i, label in enumerate(MENU))
    return (
        f"<!doctype html><html lang=ja><head><meta charset=utf-8><title>{escape(title)} | ビジネスポータル</title>"
        f'<link rel=stylesheet href="/static/css/portal.css"></head><body><header><nav><ul>{menu}</ul></nav>'
        f"<span>{escape(user[3])} {escape(user[4])}</span><span>{escape(user[5])}</span><span>{escape(user[2])}</span>"
        f"</header><main><h1>{escape(title)}</h1>{''.join(main)}</main></body></html>"
    )


def home(cur: psycopg.Cursor, user: tuple) -> str:
    rows = cur.execute(
        "SELECT s.name, c.number, c.plan, c.id_count FROM tenants_contract c "
        "JOIN tenants_service s ON s.id = c.service_id WHERE c.tenant_id = %s ORDER BY s.display_order, c.number",
        [user[1]],
    ).fetchall()
    body = ["<table><tr><th>サービス</th><th>契約番号</th><th>プラン</th><th>ID数</th></tr>"]
    body += [f"<tr><td>{escape(s)}</td><td>{escape(n)}</td><td>{escape(p)}</td><td>{c or ''}</td></tr>"
             for s, n, p, c in rows]
    body.append("</table>")
    return _layout(user, "ホーム", body)


def user_list(cur: psycopg.Cursor, user: tuple) -> str:
    tenant = user[1]
    # The tenant's total from the counter the schema keeps (accounts 0007), as
    # the portal reads it: a hand-written app on this schema would not count
    # 100,000 rows under RLS on every page either (issue 22: with COUNT(*)
    # here the floor was slower than the portal).
    total = cur.execute("SELECT users FROM accounts_tenantusercount WHERE tenant_id = %s", [tenant]).fetchone()[0]
    rows = cur.execute(
        "SELECT u.id, u.email, u.role, u.is_representative, u.last_name, u.first_name, u.affiliation, "
        "u.status, u.login_condition, o.name, "
        "(SELECT array_agg(s.name || CASE WHEN r.link_error THEN '!' ELSE '' END ORDER BY s.display_order) "
        " FROM accounts_userserviceregistration r JOIN tenants_contract c ON c.id = r.contract_id "
        " JOIN tenants_service s ON s.id = c.service_id WHERE r.user_id = u.id) "
        "FROM accounts_user u "
        "LEFT JOIN accounts_organizationmembership m ON m.user_id = u.id AND m.is_primary "
        "LEFT JOIN accounts_organization o ON o.id = m.organization_id "
        "WHERE u.tenant_id = %s ORDER BY u.email LIMIT %s",
        [tenant, PAGE],
    ).fetchall()
    body = [f"<p>全 {total:,} 件中 1〜{min(PAGE, total)} 件</p><table><tr><th></th><th>ユーザ ID</th><th>姓名</th>"
            "<th>所属</th><th>ステータス</th><th>ログイン条件</th><th>利用可能サービス</th></tr>"]
    for pk, email, role, rep, last, first, affiliation, status, condition, org, services in rows:
        icons = "".join(
            f'<span class="service-icon" title="{escape(s)}">{escape(s[:1])}</span>' for s in services or []
        )
        body.append(
            f'<tr><td><input type=checkbox name=selected value="{pk}"></td>'
            f'<td><a href="/users/{pk}/">{escape(email)}</a>{" 管理者" if role == "admin" else ""}'
            f'{" 代表者" if rep else ""}</td><td>{escape(last)} {escape(first)}</td>'
            f"<td>{escape(org or affiliation)}</td><td>{STATUS.get(status, status)}</td>"
            f"<td>{CONDITION.get(condition, condition)}</td><td>{icons}</td></tr>"
        )
    body.append("</table>")
    return _layout(user, "ユーザ一覧", body)


PAGES = {"/home/": home, "/users/": user_list}


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    page = PAGES.get(environ.get("PATH_INFO", ""))
    if page is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    conn = _connection()
    with conn.transaction(), conn.cursor() as cur:  # BEGIN … COMMIT
        user = _session_user(cur, environ)
        html = page(cur, user) if user else None
    if html is None:
        start_response("302 Found", [("Location", "/login/")])
        return [b""]
    body = html.encode()
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]
