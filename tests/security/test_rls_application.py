"""The application under production's database posture (issue 15, row-level
security): ``PORTAL_ROW_LEVEL_SECURITY`` on and a role that is neither owner
nor superuser, as ``portal/settings/production.py`` and docs/security.md
prescribe.

The RLS tests beside this one prove the wall with raw SQL. These prove the
application stands behind it: a query that reads a tenant table outside a
tenant or operator scope (a middleware before the scope, a page of Django
admin, a beat job across tenants) sees no rows under RLS, so production would
show an empty page where the suite, connected as a superuser, shows data.
Every URL pattern of the demo tenant (its own ids) is requested twice, as
superuser without RLS and as the application role with RLS, by the tenant's
ユーザ, its 管理者 and the operator: the same status and the same page.
Proven to fail: with the scope's ``set_config`` disabled, 253 of 1,068 page
views differ.
"""

from __future__ import annotations

import difflib
import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tenants.models import Tenant
from tenants.scoping import operator_scope
from tests.factories import login_verified
from tests.rls import as_application
from tests.security.sweep import Candidates, probes_for, routes
from tests.security.test_row_level_security import app_role  # noqa: F401 - the fixture
from tests.security.world import tenant_models

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
DEMO_PASSWORD = "DemoPass2026"
# What differs between two renderings of the same page by design.
VOLATILE = [
    (
        re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'),
        'name="csrfmiddlewaretoken" value=""',
    ),
    (re.compile(r'nonce="[^"]+"'), 'nonce=""'),
    # A 確認 page's one-time token (web.submission) is fresh on every render, like CSRF.
    (re.compile(r'name="submission_token" value="[^"]+"'), 'name="submission_token" value=""'),
    (re.compile(r'data-session-expires="[^"]*"'), 'data-session-expires=""'),
    # The countdown counts down between renewals (at most one a minute, issue 22).
    (re.compile(r'data-expiry="[0-9]+"'), 'data-expiry=""'),
    # The authenticator-app enrolment draws a fresh key per session (issue 24).
    (re.compile(r'<div class="mfa-qr".*?</div>', re.S), '<div class="mfa-qr"></div>'),
    (re.compile(r'id="totp-secret">[A-Z2-7 ]+<'), 'id="totp-secret"><'),
]


def _normalised(response) -> str:
    if response.get("Content-Type", "").startswith("text/html"):
        text = response.content.decode()
        for pattern, replacement in VOLATILE:
            text = pattern.sub(replacement, text)
        return text
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())
    with operator_scope():
        tenant = Tenant.objects.get(code="T0000001")
        return {
            "tenant": tenant,
            "ユーザ": User.objects.get(email="user@demo.example.com"),
            "管理者": User.objects.get(email="admin@demo.example.com"),
            "operator": User.objects.get(email="operator@demo.example.com"),
        }


def test_the_two_step_login_works_as_the_application_role(app_role, demo):  # noqa: F811
    """AUTH-5 under RLS: the login steps read users and the tenant before any
    scope exists; they must still find them."""
    client = Client()
    with as_application():
        client.post(reverse("accounts:login"), {"login_id": "admin@demo.example.com"})
        response = client.post(reverse("accounts:login_password"), {"password": DEMO_PASSWORD})
        assert response.status_code == 302, response.content.decode()[:2000]
        home = client.get(response.url, follow=True)
    assert home.status_code == 200
    assert "デモ株式会社" in home.content.decode()


def test_every_page_is_the_same_under_row_level_security(app_role, demo, capsys):  # noqa: F811
    rows = {
        m: list(m._base_manager.filter(tenant=demo["tenant"]).order_by("pk")[:2])
        for m in tenant_models()
    }
    own = Candidates.of(None, rows)
    # Two sessions per role, one for each posture, so what a request leaves
    # in its session (a message, a remembered search) is the same on both.
    clients = {}
    for role in ("ユーザ", "管理者", "operator"):
        clients[role] = (
            Client(raise_request_exception=False),
            Client(raise_request_exception=False),
        )
        for client in clients[role]:
            login_verified(client, demo[role])
    compared = 0
    problems = []
    for route in routes():
        for url, _ in list(probes_for(route, own))[:2]:
            for role, (plain_client, guarded_client) in clients.items():
                plain = plain_client.get(url)
                with as_application():
                    guarded = guarded_client.get(url)
                compared += 1
                where = f"GET {url} as {role}"
                if guarded.status_code != plain.status_code:
                    problems.append(
                        f"{where}: {plain.status_code} without RLS, {guarded.status_code} with"
                    )
                elif guarded.status_code >= 500:
                    problems.append(f"{where}: {guarded.status_code}")
                elif (a := _normalised(plain)) != (b := _normalised(guarded)):
                    diff = difflib.unified_diff(a.splitlines(True), b.splitlines(True), n=0)
                    problems.append(
                        f"{where}: the page differs under RLS\n{''.join(list(diff)[2:12])}"
                    )
    with capsys.disabled():
        print(f"\nRLS posture: {compared} page views compared, {len(problems)} differ")
    assert compared >= 300
    assert not problems, "\n".join(problems[:40])


def test_the_month_job_applies_across_tenants_as_the_application_role(app_role, services):  # noqa: F811
    """IDC-11 under RLS: the beat job counts due applications across tenants
    (operator scope) and each dispatched task works inside its tenants' scope;
    every application is applied, as without RLS."""
    from idchange.models import IdChangeApplication
    from idchange.tasks import apply_due_changes
    from tests.idchange.conftest import WED_MAY_20
    from tests.idchange.test_job_batches import _due_in_new_tenants

    apps = _due_in_new_tenants(services, WED_MAY_20, 3, "RL")
    with as_application():
        assert apply_due_changes(now=WED_MAY_20.isoformat()) == 3  # tasks run eagerly here
    with operator_scope():
        statuses = set(
            IdChangeApplication.objects.filter(pk__in=[a.pk for a in apps]).values_list(
                "status", flat=True
            )
        )
    assert statuses == {IdChangeApplication.Status.PROCESSING}


# Every beat job finding and doing its seeded work under this posture:
# tests/security/test_beat_jobs_rls.py (issue 20).
