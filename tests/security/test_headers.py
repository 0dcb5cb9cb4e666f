"""Headers on every response, and GET never changes state (issue 15).

The walk covers every URL pattern (as in the isolation sweep) with the
requester's own ids, as anonymous, a ユーザ and a 管理者, so a page added
later is checked the day it lands.
"""

from __future__ import annotations

import importlib
import re
import sys

import pytest
from django.test import Client, override_settings

from tests.factories import login_verified
from tests.security.sweep import Candidates, probes_for, routes
from tests.security.world import build_world

SCRIPT = re.compile(rb"<script\b([^>]*)>", re.IGNORECASE)


@pytest.fixture
def world(db):
    return build_world()


def _csp_directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def _walk(world, role_names=("anonymous", "ユーザ", "管理者")):
    """(role, url, response) for every route, with the attacker tenant's own ids."""
    own = Candidates.of(world, world.rows_of(world.attacker))
    clients = {}
    for role in role_names:  # all logged in before the first request
        clients[role] = Client(raise_request_exception=False)
        if world.roles[role] is not None:
            login_verified(clients[role], world.roles[role])
    for role, client in clients.items():
        for route in routes():
            for url, _ in list(probes_for(route, own))[:1]:
                yield role, route, url, client.get(url)


def test_every_response_carries_the_security_headers(world):
    """CSP with nonce scripts, object-src/base-uri/frame-ancestors 'none',
    nosniff, Referrer-Policy and COOP on every page of every role."""
    seen = 0
    problems = []
    for role, _route, url, response in _walk(world):
        seen += 1
        where = f"GET {url} as {role} ({response.status_code})"
        csp = response.get("Content-Security-Policy", "")
        d = _csp_directives(csp)
        if (
            d.get("object-src") != ["'none'"]
            or d.get("base-uri") != ["'none'"]
            or d.get("frame-ancestors") != ["'none'"]
        ):
            problems.append(f"{where}: CSP {csp!r}")
        script_src = d.get("script-src", [])
        # Only this origin's files and nonce-carrying inline scripts (the
        # nonce is in the header whenever a template used one).
        if not script_src or any(s != "'self'" and not s.startswith("'nonce-") for s in script_src):
            problems.append(f"{where}: script-src {script_src}")
        if response.get("X-Content-Type-Options") != "nosniff":
            problems.append(f"{where}: no nosniff")
        if response.get("Referrer-Policy") not in (
            "same-origin",
            "strict-origin-when-cross-origin",
            "no-referrer",
        ):
            problems.append(f"{where}: Referrer-Policy {response.get('Referrer-Policy')!r}")
        if response.get("Cross-Origin-Opener-Policy") != "same-origin":
            problems.append(f"{where}: COOP {response.get('Cross-Origin-Opener-Policy')!r}")
        if not response.streaming and response.get("Content-Type", "").startswith("text/html"):
            nonces = {s[len("'nonce-") : -1] for s in script_src if s.startswith("'nonce-")}
            for attrs in SCRIPT.findall(response.content):
                external = re.search(rb'src="/static/', attrs)
                nonce = re.search(rb'nonce="([^"]+)"', attrs)
                if not external and not (nonce and nonce.group(1).decode() in nonces):
                    problems.append(f"{where}: inline script without the nonce: {attrs[:80]!r}")
    assert seen > 100
    assert not problems, "\n".join(problems[:40])


def test_get_never_changes_a_tenant_row(world):
    """State-changing URLs refuse GET: a GET of every URL by the tenant's own
    管理者, with its own ids, leaves every row of the tenant as it was."""
    tenant = world.attacker
    walk = _walk(world, ("ユーザ", "管理者"))
    changed = []
    before = None
    for role, route, url, _response in walk:
        after = _without_audit(world.snapshot(tenant))
        if before is None:  # the first GET ran before the first snapshot
            before = after
            continue
        if after != before:
            diff = [k for k in before if before[k] != after.get(k)]
            changed.append(f"GET {url} as {role} ({route.name}) changed {diff}")
            before = after
    assert not changed, "\n".join(changed)


def _without_audit(snapshot: dict[str, str]) -> dict[str, str]:
    # Audited reads (a CSV export says who downloaded what) write an audit
    # row by design; that is the record of the read, not a state change.
    return {k: v for k, v in snapshot.items() if k != "audit.AuditEntry"}


def _production_settings(monkeypatch) -> object:
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.setenv("DATABASE_URL", "postgres://u@localhost/db")
    # Required since issue 20 (tests/portal/test_production_settings.py).
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("PORTAL_BASE_URL", "https://portal.example.com")
    monkeypatch.setenv("STORAGE_BACKEND", "s3")
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "portal-uploads")
    sys.modules.pop("portal.settings.production", None)
    return importlib.import_module("portal.settings.production")


def test_production_sends_hsts_and_redirects_to_https(world, monkeypatch):
    prod = _production_settings(monkeypatch)
    names = [n for n in dir(prod) if n.startswith("SECURE_") or n.endswith("_COOKIE_SECURE")]
    with override_settings(**{n: getattr(prod, n) for n in names}):
        client = Client()
        plain = client.get("/")
        assert plain.status_code == 301 and plain["Location"].startswith("https://")
        secure = client.get("/", secure=True)
        assert secure.status_code == 200
        hsts = secure["Strict-Transport-Security"]
        assert "max-age=31536000" in hsts and "includeSubDomains" in hsts and "preload" in hsts
        assert secure["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in secure["Content-Security-Policy"]
        assert secure.cookies["csrftoken"]["secure"]
