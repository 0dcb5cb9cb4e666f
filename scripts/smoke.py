"""`make smoke` (issue 20): the portal as deployed, walked over HTTP.

Starts, with ``portal.settings.production``:

* gunicorn (2 workers) on a free loopback port, reached the way the proxy
  reaches it: every request carries ``X-Forwarded-Proto: https`` and an
  ``X-Forwarded-For``, believed because ``PORTAL_TRUSTED_PROXY_HOPS=1``;
* one Celery worker and Celery beat on its own Redis db;
* PostgreSQL: its own database beside ``DATABASE_URL`` (``…_smoke``),
  migrated and seeded (``seed_demo``) by the owner, then served to the three
  processes as a plain application role (no owner, no superuser, no
  BYPASSRLS) with ``PORTAL_ROW_LEVEL_SECURITY`` on — docs/security.md;
* uploads in S3 as production stores them (``STORAGE_BACKEND=s3``: private
  bucket, server-side encryption), served by moto's S3 server on a loopback
  port (a dev dependency: nothing outside the machine);
* mail through the .eml file backend into a temporary folder.

Then it logs in (two steps) as the demo admin, opens the home, files a
trouble inquiry with an attachment and downloads it back, posts a bulletin
article with mail on, and waits until the worker has delivered the mails
(.eml files, outbox rows sent). The demo operator then signs in with the
authenticator app and reaches Django admin (the key stored encrypted,
decrypted by gunicorn as the plain role). Beat must *do* its work, not only start: a
mail whose queued task the broker lost (an outbox row left pending for ten
minutes, seeded before the processes start) must be found by beat's
``sweep-outbox`` job (every 10 s here: ``OUTBOX_SWEEP_SECONDS``), run by the worker as the plain role under RLS, and
delivered. It prints each step; any failure stops everything and exits
non-zero with the processes' logs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal make smoke
    SMOKE_REDIS_URL=redis://127.0.0.1:6379/13 (default) — a db it flushes
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from email import policy
from email.parser import BytesParser
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

from benchdb import admin_url, database_name, sibling_url

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
APP_ROLE = "portal_smoke_app"
DEMO_ADMIN = "admin@demo.example.com"
DEMO_PASSWORD = "DemoPass2026"  # README "Demo accounts"
DEMO_OPERATOR = "operator@demo.example.com"
DEMO_OPERATOR_KEY = "PORTALDEMOOPERATOR2FA234"  # seed_demo's authenticator-app key for the operator
DEMO_TENANT = "デモ株式会社"
CLIENT_IP = "203.0.113.10"  # what the proxy says the client was
# The demo's mail backend: one .eml file per mail (DESIGN.md).
EML_BACKEND = "mail.backends.EmlFileBackend"
BUCKET = "portal-smoke-uploads"
REGION = "ap-northeast-1"
STARTED = time.monotonic()


class SmokeFailure(Exception):
    pass


def say(message: str) -> None:
    print(f"smoke [{time.monotonic() - STARTED:5.1f}s] {message}", flush=True)


def check(condition: Any, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


def wait_until(predicate: Any, timeout: float, what: str, interval: float = 0.25) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise SmokeFailure(f"timed out after {timeout:.0f} s waiting for {what}")


# --- the database and Redis ---------------------------------------------------------------


def prepare_database(owner_url: str) -> str:
    """A fresh database, and the plain role the processes connect as."""
    import psycopg

    name = database_name(owner_url)
    with psycopg.connect(admin_url(owner_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE]).fetchone():
            conn.execute(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE")
    parts = urlsplit(owner_url)
    host = parts.hostname or "127.0.0.1"
    netloc = f"{APP_ROLE}@{host}:{parts.port or 5432}"
    return urlunsplit(parts._replace(netloc=netloc))


def grant_application_role(owner_url: str) -> None:
    import psycopg

    with psycopg.connect(owner_url, autocommit=True) as conn:
        conn.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}")
        conn.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}")
        role = conn.execute(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [APP_ROLE]
        ).fetchone()
        check(role == (False, False), f"{APP_ROLE} must be neither superuser nor BYPASSRLS: {role}")
        forced = conn.execute(
            "SELECT count(*) FROM pg_class WHERE relrowsecurity AND relforcerowsecurity"
        ).fetchone()[0]
        check(forced > 0, "no table has row-level security forced: is the RLS migration in?")
        say(f"database: {APP_ROLE} (plain role) granted; RLS forced on {forced} tables")


def query(owner_url: str, sql: str, params: list[Any] | None = None) -> list[tuple]:
    import psycopg

    with psycopg.connect(owner_url, autocommit=True) as conn:
        return conn.execute(sql, params or []).fetchall()


def seed_lost_delivery(owner_url: str) -> str:
    """A demo tenant's mail whose task the broker lost: pending for ten
    minutes, never claimed. Only beat's sweep-outbox can find
    it, and only through operator_scope() under RLS (issue 20). Returns its
    subject."""
    subject = f"スモーク・取りこぼし {uuid.uuid4().hex[:8]}"
    query(
        owner_url,
        "INSERT INTO notifications_outboxmessage (tenant_id, template, \"to\", subject, body, html_body,"
        " from_email, status, attempts, last_error, created_at)"
        " SELECT id, 'smoke_lost', %s::jsonb, %s, 'スモークテスト: 取りこぼした配信の再送です。', '',"
        " 'noreply@portal.smoke.example', 'pending', 0, '', now() - interval '10 minutes'"
        " FROM tenants_tenant WHERE name = %s RETURNING id",
        ['["user@demo.example.com"]', subject, DEMO_TENANT],
    )
    say(f"seeded a lost delivery (outbox row pending for 10 minutes): {subject!r}")
    return subject


def start_bucket(endpoint: str) -> Any:
    """The private bucket, as the deployment creates it, on moto's server."""
    import boto3

    client = boto3.client("s3", endpoint_url=endpoint, region_name=REGION,
                          aws_access_key_id="smoke", aws_secret_access_key="smoke")

    def created() -> bool:
        with contextlib.suppress(Exception):
            client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
            return True
        return False

    wait_until(created, 30, "moto's S3 server")
    say(f"S3 stand-in (moto) on {endpoint}, private bucket {BUCKET}")
    return client


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


# --- processes -----------------------------------------------------------------------------


class Process:
    def __init__(self, name: str, argv: list[str], env: dict[str, str], logdir: Path) -> None:
        self.name = name
        self.log = logdir / f"{name}.log"
        with self.log.open("wb") as out:
            self.popen = subprocess.Popen(  # noqa: S603 — our own fixed command line
                argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        say(f"started {name} (pid {self.popen.pid})")

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
        say(f"stopped {self.name} (exit {self.popen.returncode})")


def manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(  # noqa: S603 — our own fixed command line
        [str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SmokeFailure(f"manage.py {' '.join(args)} failed:\n{result.stdout[-2000:]}{result.stderr[-4000:]}")
    say(f"manage.py {' '.join(args)}: ok")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- an HTTP client that behaves like a browser behind the proxy ----------------------------


class FormParser(HTMLParser):
    """The page's forms: action, method, fields and submit buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower(),
                          "fields": [], "buttons": [], "selects": {}}
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        if tag == "button" and a.get("type", "submit") == "submit":
            self._form["buttons"].append({"name": a.get("name", ""), "value": a.get("value", ""), "label": ""})
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind == "submit":
                self._form["buttons"].append({"name": a.get("name", ""), "value": a.get("value", ""), "label": a.get("value", "")})
            elif a.get("name"):
                self._form["fields"].append({"name": a["name"], "type": kind, "value": a.get("value", ""),
                                             "checked": "checked" in a, "required": "required" in a})
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form["fields"].append({"name": a["name"], "type": "textarea", "value": "", "checked": False})
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form["selects"][a["name"]] = []
        elif tag == "option" and self._select:
            self._form["selects"][self._select].append((a.get("value", ""), "selected" in a))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._form is None:
            return
        if self._textarea:
            self._form["fields"][-1]["value"] += data
        elif self._form["buttons"] and self.lasttag == "button":
            self._form["buttons"][-1]["label"] += data.strip()


class Browser:
    """Cookies kept by hand: the portal's cookies are Secure, and this client
    speaks plain HTTP to gunicorn the way the TLS-terminating proxy does."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, method: str, path: str, *, data: bytes | None = None, content_type: str | None = None,
                proxy: bool = True) -> tuple[int, dict[str, str], str]:
        url = urljoin(self.base, path)
        headers = {"Accept-Language": "ja"}
        if proxy:
            headers |= {"X-Forwarded-Proto": "https", "X-Forwarded-For": CLIENT_IP}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            # CSRF over https checks the origin (the proxy keeps the Host).
            headers["Origin"] = "https://" + urlsplit(self.base).netloc
            headers["Referer"] = "https://" + urlsplit(self.base).netloc + path
        if content_type:
            headers["Content-Type"] = content_type
        req = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310 — loopback
        try:
            response = self.opener.open(req, timeout=30)
        except urllib.error.HTTPError as exc:
            response = exc
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "max-age=0" in header.lower() or value in ('""', ""):
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        body = response.read()
        return response.status, dict(response.headers.items()), body.decode("utf-8", "replace")

    def get(self, path: str, **kw: Any) -> tuple[int, dict[str, str], str]:
        return self.request("GET", path, **kw)

    def get_bytes(self, path: str) -> tuple[int, dict[str, str], bytes]:
        url = urljoin(self.base, path)
        headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": CLIENT_IP,
                   "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        response = self.opener.open(urllib.request.Request(url, headers=headers), timeout=30)  # noqa: S310
        return response.status, dict(response.headers.items()), response.read()

    def submit(self, page_path: str, page: str, button: str, values: dict[str, Any],
               files: dict[str, tuple[str, bytes, str]] | None = None) -> tuple[int, dict[str, str], str]:
        """Submit the page's form that has the button labelled ``button``:
        every field as the page has it, required blanks filled, ``values``
        on top — so hidden tokens of any 確認 protocol travel unchanged."""
        parser = FormParser()
        parser.feed(page)
        for form in parser.forms:
            chosen = next((b for b in form["buttons"] if b["label"] == button), None)
            if chosen is not None:
                break
        else:
            labels = [b["label"] for f in parser.forms for b in f["buttons"]]
            raise SmokeFailure(f"no form with a {button!r} button on {page_path} (buttons: {labels})")
        pairs = form_values(form, values)
        if chosen["name"]:
            pairs.append((chosen["name"], chosen["value"]))
        action = form["action"] or page_path
        if files:
            body, ctype = multipart(pairs, files)
            return self.request("POST", action, data=body, content_type=ctype)
        return self.request("POST", action, data=urlencode(pairs).encode(),
                            content_type="application/x-www-form-urlencoded")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


FILLERS = {"email": "smoke@demo.example.com", "datetime-local": "2026-12-01T09:30", "date": "2026-12-01",
           "number": "1", "tel": "0312345678", "url": "https://example.com/"}


def form_values(form: dict[str, Any], values: dict[str, Any]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    seen_groups: set[str] = set()
    for field in form["fields"]:
        name, kind = field["name"], field["type"]
        if name in values or kind == "file":
            continue
        if kind in {"checkbox", "radio"}:
            if field["checked"]:
                pairs.append((name, field["value"]))
                seen_groups.add(name)
            continue
        value = field["value"].strip() if kind == "textarea" else field["value"]
        if not value and kind != "hidden":
            value = FILLERS.get(kind, "スモークテスト")
        pairs.append((name, value))
    for field in form["fields"]:  # a group nobody checked: its first choice
        if field["type"] in {"checkbox", "radio"} and field["name"] not in seen_groups | set(values):
            pairs.append((field["name"], field["value"]))
            seen_groups.add(field["name"])
    for name, options in form["selects"].items():
        if name in values:
            continue
        chosen = [v for v, selected in options if selected] or [v for v, _ in options if v]
        if chosen:
            pairs.append((name, chosen[0]))
    for name, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((name, str(item)))
    return pairs


def multipart(pairs: list[tuple[str, str]], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = bytearray()
    for name, value in pairs:
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        out += value.encode() + b"\r\n"
    for name, (filename, content, ctype) in files.items():
        out += (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {ctype}\r\n\r\n").encode()
        out += content + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def errors_in(page: str) -> str:
    found = re.findall(r'class="[^"]*(?:errorlist|error|field-error)[^"]*"[^>]*>(.*?)</', page, re.S)
    return "; ".join(html.unescape(re.sub(r"<[^>]+>", "", f)).strip() for f in found)[:500]


def location(headers: dict[str, str]) -> str:
    return urlsplit(headers.get("Location", "")).path + (
        "?" + urlsplit(headers["Location"]).query if urlsplit(headers.get("Location", "")).query else ""
    )


# --- the walk ----------------------------------------------------------------------------------


def walk(browser: Browser, owner_url: str, mail_dir: Path, worker: Process, s3: Any) -> None:
    status, headers, _ = browser.get("/", proxy=False)
    check(status == 301 and headers.get("Location", "").startswith("https://"),
          f"plain http is not redirected to https: {status} {headers.get('Location')}")
    say("http without the proxy's header → 301 to https")

    status, _, page = browser.get("/")
    check(status == 200 and "ユーザ ID" in page, f"login page: {status}")
    status, headers, page = browser.submit("/", page, "次へ", {"login_id": DEMO_ADMIN})
    check(status == 302, f"login step 1: {status} {errors_in(page)}")
    step2 = location(headers)
    status, _, page = browser.get(step2)
    check(status == 200, f"login step 2 page: {status}")
    status, headers, page = browser.submit(step2, page, "ログイン", {"password": DEMO_PASSWORD})
    check(status == 302, f"login step 2: {status} {errors_in(page)}")
    home = location(headers)
    say(f"logged in as {DEMO_ADMIN} (ID, then password) → {home}")
    ip = query(owner_url, "SELECT ip_address::text FROM audit_auditentry WHERE action = 'accounts.login.succeeded' "
                          "ORDER BY id DESC LIMIT 1")
    check(ip and ip[0][0].split("/")[0] == CLIENT_IP, f"the login's audit entry has {ip}, not the proxy's client {CLIENT_IP}")
    say(f"audit entry of the login records the client {CLIENT_IP} (X-Forwarded-For, one trusted hop)")

    status, _, page = browser.get(home)
    check(status == 200 and "デモ株式会社" in page, f"home: {status}")
    say(f"home {home}: 200, デモ株式会社")

    # A trouble inquiry (INQ-2) with an attachment: 入力 → 確認 → 完了.
    form_path = "/inquiries/trouble/ether_economy/"
    subject = f"スモーク {uuid.uuid4().hex[:8]}"
    attachment = f"smoke attachment {uuid.uuid4().hex}\n".encode()
    status, _, page = browser.get(form_path)
    check(status == 200, f"trouble form: {status}")
    status, _, page = browser.submit(form_path, page, "確認", {"subject": subject},
                                     files={"files": ("smoke.txt", attachment, "text/plain")})
    check(status == 200 and "smoke.txt" in page, f"inquiry 確認: {status} {errors_in(page)}")
    status, headers, page = browser.submit(form_path, page, "完了", {})
    check(status == 302, f"inquiry 完了: {status} {errors_in(page)}")
    say(f"inquiry {subject!r} filed with smoke.txt (入力 → 確認 → 完了)")
    rows = query(owner_url, "SELECT f.key::text FROM inquiries_inquiry i JOIN inquiries_inquiryattachment a "
                            "ON a.inquiry_id = i.id JOIN uploads_storedfile f ON f.id = a.file_id WHERE i.subject = %s",
                 [subject])
    check(len(rows) == 1, f"the inquiry's attachment rows: {rows}")
    status, headers, content = browser.get_bytes(f"/files/{rows[0][0]}/")
    check(status == 200 and content == attachment and headers.get("Content-Disposition", "").startswith("attachment"),
          f"attachment download: {status}")
    name = query(owner_url, "SELECT name FROM uploads_storedfile WHERE key = %s", [rows[0][0]])[0][0]
    head = s3.head_object(Bucket=BUCKET, Key=name)
    check(head.get("ServerSideEncryption") == "AES256", f"the object {name} is not encrypted at rest: {head}")
    say(f"attachment in the bucket as {name} (AES256), downloaded back through the tenant-checked view")

    # A bulletin article with mail on (BBS-1): 記事追加 → 確認 → 完了.
    add_path = "/bulletin/articles/add/"
    title = f"スモーク記事 {uuid.uuid4().hex[:8]}"
    status, _, page = browser.get(add_path)
    check(status == 200, f"記事追加: {status}")
    status, _, page = browser.submit(add_path, page, "確認", {"title": title, "body": "スモークテストの記事です。", "notify": "yes"})
    check(status == 200 and title in page, f"article 確認: {status} {errors_in(page)}")
    status, headers, page = browser.submit(add_path, page, "完了", {})
    check(status == 302, f"article 完了: {status} {errors_in(page)}")
    say(f"article {title!r} posted with mail on")

    # The worker fans the notice out (BBS-5), then delivers: .eml files
    # appear, the outbox rows turn sent.
    def fanned_out() -> list[tuple]:
        return query(owner_url, "SELECT mail_count FROM bulletin_article WHERE title = %s "
                                "AND mail_done_at IS NOT NULL", [title])

    recipients = wait_until(fanned_out, 60, "the worker's fan-out of the article's notice")[0][0]
    check(recipients > 0, "the article's fan-out mailed nobody")
    say(f"the worker fanned the notice out to {recipients} registered users")

    def delivered() -> list[str]:
        subjects = []
        for path in mail_dir.glob("*.eml"):
            message = BytesParser(policy=policy.default).parse(path.open("rb"))
            subjects.append(str(message["Subject"]) + "\n" + message.get_body(("plain",)).get_content())
        return subjects

    def article_mails() -> list[str]:
        return [s for s in delivered() if title in s]

    wait_until(lambda: len(article_mails()) == recipients, 60, f"the article's {recipients} notice mails")
    wait_until(lambda: any(subject in s for s in delivered()), 60, "the inquiry's receipt mail")

    def outbox() -> dict[str, int]:
        return dict(query(owner_url, "SELECT status, count(*) FROM notifications_outboxmessage"
                                     " WHERE template <> 'smoke_lost' GROUP BY status"))

    wait_until(lambda: set(outbox()) == {"sent"}, 60, "every outbox row to be sent")
    say(f"mails delivered as .eml: {recipients} article notices, the inquiry's receipt; outbox {outbox()}")
    # Delivered by the worker, not in the web process (production is not eager).
    tasks = sorted(set(re.findall(r"Task ([\w.]+)\[[^\]]+\] succeeded", worker.text())))
    for task in ("bulletin.tasks.send_article_mails", "notifications.tasks.deliver_outbox_batch"):
        check(task in tasks, f"the worker did not run {task} (it ran: {tasks})")
    say(f"worker ran: {', '.join(tasks)}")


def operator_two_step(base: str, owner_url: str) -> None:
    """The demo operator signs in with the authenticator app (issue 24) and
    reaches Django admin: the key seeded by the owner is stored as a token
    (mfa/crypto.py), and gunicorn, as the plain role with production's
    SECRET_KEY, decrypts it to check the code."""
    import pyotp

    stored = query(owner_url, "SELECT t.secret FROM mfa_totpdevice t JOIN accounts_user u ON u.id = t.user_id "
                              "WHERE u.email = %s", [DEMO_OPERATOR])
    check(len(stored) == 1 and stored[0][0].startswith("gAAAAA") and DEMO_OPERATOR_KEY not in stored[0][0],
          f"the operator's authenticator key is not encrypted at rest: {stored}")
    browser = Browser(base)
    status, _, page = browser.get("/")
    status, headers, page = browser.submit("/", page, "次へ", {"login_id": DEMO_OPERATOR})
    step2 = location(headers)
    status, _, page = browser.get(step2)
    status, headers, page = browser.submit(step2, page, "ログイン", {"password": DEMO_PASSWORD})
    check(status == 302, f"operator login step 2: {status} {errors_in(page)}")
    path = location(headers)
    for _ in range(3):  # to the verification page, however many redirects lead there
        status, headers, page = browser.get(path)
        if status != 302:
            break
        path = location(headers)
    check(status == 200 and 'name="code"' in page, f"operator's two-step page {path}: {status}")
    status, headers, page = browser.submit(path, page, "確認", {"code": pyotp.TOTP(DEMO_OPERATOR_KEY).now()})
    check(status == 302, f"operator's code refused: {status} {errors_in(page)}")
    status, _, page = browser.get("/admin/")
    check(status == 200 and "logout" in page.lower(), f"Django admin after the code: {status}")
    say(f"{DEMO_OPERATOR} signed in with the authenticator app (key stored encrypted) → Django admin 200")


def beat_did_its_work(owner_url: str, mail_dir: Path, lost: str, worker: Process, beat: Process) -> None:
    """Beat sent sweep-outbox, the worker ran it as the plain role, it found
    the seeded row (not 0 of 1, issue 20) and the mail went out."""

    def swept() -> list[tuple]:
        return query(owner_url, "SELECT status FROM notifications_outboxmessage WHERE subject = %s"
                                " AND status = 'sent'", [lost])

    wait_until(swept, 90, "beat's sweep-outbox to find and deliver the lost mail")
    subjects = [str(BytesParser(policy=policy.default).parse(path.open("rb"))["Subject"])
                for path in mail_dir.glob("*.eml")]
    check(lost in subjects, f"no .eml for the lost mail {lost!r}")
    check("Sending due task sweep-outbox" in beat.text(), f"beat never sent sweep-outbox:\n{beat.text()[-2000:]}")
    found = re.findall(r"Task notifications\.tasks\.sweep_outbox\[[^\]]+\] succeeded in [\d.]+s: (\d+)", worker.text())
    check(any(int(n) >= 1 for n in found), f"no sweep-outbox run found the row (runs returned {found})")
    say(f"beat's sweep-outbox found the lost mail (runs returned {found}) and the worker delivered it")


def main() -> int:
    owner_url = sibling_url("_smoke", who="make smoke")
    redis_url = os.environ.get("SMOKE_REDIS_URL", "redis://127.0.0.1:6379/13")
    tmp = Path(tempfile.mkdtemp(prefix="portal-smoke-"))
    mail_dir, logs = tmp / "mail", tmp / "logs"
    for folder in (mail_dir, logs):
        folder.mkdir()
    port, s3_port = free_port(), free_port()
    base_env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}}
    env = base_env | {
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": owner_url,
        "REDIS_URL": redis_url,
        # Throttle counters beside the rest, under their key prefix: the
        # smoke keeps to the one Redis db it flushes.
        "SECURITY_CACHE_URL": redis_url,
        "PORTAL_BASE_URL": "https://portal.smoke.example",
        "PORTAL_TRUSTED_PROXY_HOPS": "1",
        "PORTAL_ROW_LEVEL_SECURITY": "True",
        "STORAGE_BACKEND": "s3",
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{s3_port}",
        "AWS_ACCESS_KEY_ID": "smoke",
        "AWS_SECRET_ACCESS_KEY": "smoke",
        "EMAIL_BACKEND": EML_BACKEND,
        "EMAIL_FILE_PATH": str(mail_dir),
        "LOG_LEVEL": "WARNING",
        # Beat's outbox sweep every 10 s instead of every minute, so its
        # seeded work is done within the walk (the smoke stays short).
        "OUTBOX_SWEEP_SECONDS": "10",
    }
    processes: list[Process] = []
    say(f"database {database_name(owner_url)}, Redis {redis_url}, gunicorn on 127.0.0.1:{port}, files in {tmp}")
    try:
        processes.append(Process("s3", [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(s3_port)], base_env, logs))
        s3 = start_bucket(f"http://127.0.0.1:{s3_port}")
        app_url = prepare_database(owner_url)
        flush_redis(redis_url)
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        grant_application_role(owner_url)
        lost = seed_lost_delivery(owner_url)
        app_env = env | {"DATABASE_URL": app_url}
        worker = Process("worker", [str(BIN / "celery"), "-A", "portal", "worker", "--pool", "prefork",
                                    "--concurrency", "2", "--hostname", "smoke@%h", "--without-gossip",
                                    "--without-mingle", "--without-heartbeat", "--loglevel", "INFO"], app_env, logs)
        processes.append(worker)
        processes.append(Process("beat", [str(BIN / "celery"), "-A", "portal", "beat", "--loglevel", "INFO",
                                          "--schedule", str(tmp / "beat-schedule")], app_env, logs))
        gunicorn = Process("gunicorn", [str(BIN / "gunicorn"), "portal.wsgi", "--bind", f"127.0.0.1:{port}",
                                        "--workers", "2", "--access-logfile", "-", "--forwarded-allow-ips", "127.0.0.1"],
                           app_env, logs)
        processes.append(gunicorn)
        browser = Browser(f"http://127.0.0.1:{port}")

        def answering() -> bool:
            for process in processes:
                check(process.alive(), f"{process.name} exited at start:\n{process.text()[-3000:]}")
            with contextlib.suppress(OSError):
                return browser.get("/")[0] == 200
            return False

        wait_until(answering, 60, "gunicorn to answer")
        wait_until(lambda: "ready." in worker.text(), 60, "the worker to be ready")
        say("gunicorn answers; worker ready; beat running")
        walk(browser, owner_url, mail_dir, worker, s3)
        operator_two_step(browser.base, owner_url)
        beat_did_its_work(owner_url, mail_dir, lost, worker, next(p for p in processes if p.name == "beat"))
        for process in processes:
            check(process.alive(), f"{process.name} died during the walk")
        beat = next(p for p in processes if p.name == "beat").text()
        check("beat: Starting" in beat, f"beat did not start:\n{beat[-2000:]}")
        errors = [line for p in processes for line in p.text().splitlines() if "Traceback" in line or " ERROR" in line]
        check(not errors, "errors in the logs:\n" + "\n".join(errors[:20]))
        say("no errors in the gunicorn, worker or beat logs")
    except Exception as failure:  # a check, or anything unexpected: report with the logs
        say(f"FAILED: {failure!r}" if not isinstance(failure, SmokeFailure) else f"FAILED: {failure}")
        for process in processes:
            print(f"--- {process.name} log (last 60 lines) ---\n" + "\n".join(process.text().splitlines()[-60:]))
        return 1
    finally:
        for process in reversed(processes):
            process.stop()
    shutil.rmtree(tmp, ignore_errors=True)  # kept after a failure, for its logs
    say(f"passed in {time.monotonic() - STARTED:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
