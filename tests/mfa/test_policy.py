"""A tenant's two-step verification policy (issue 24): the page (管理者, 確認
→ 完了, 操作ログ) and its effect before and after its date, for 管理者 only
and for everyone."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mfa.models import MfaPolicy
from mfa.session import ENROL, ENROL_FROM, STATE
from tenants.scoping import tenant_scope
from tests.accounts.auth_helpers import audit
from tests.mfa.helpers import give_totp, password_step
from tests.web.flow import confirm_then_complete

URL = reverse("mfa:policy")


def _policy(tenant, scope, days_from_today):
    with tenant_scope(tenant):
        return MfaPolicy.objects.create(
            tenant=tenant, scope=scope, enforce_from=timezone.localdate() + timedelta(days=days_from_today)
        )


# --- the page -------------------------------------------------------------


def test_admin_sets_the_policy_through_confirm(alice_client, tenant_a):
    day = (timezone.localdate() + timedelta(days=30)).isoformat()
    confirm, done = confirm_then_complete(alice_client, URL, {"scope": "everyone", "enforce_from": day})
    assert "全員必須" in confirm.text
    assert done.status_code == HTTPStatus.FOUND and done.url == reverse("mfa:policy_done")
    with tenant_scope(tenant_a):
        policy = MfaPolicy.objects.get(tenant=tenant_a)
    assert policy.scope == "everyone" and policy.enforce_from.isoformat() == day
    assert audit("mfa.policy.changed", tenant=tenant_a)
    assert alice_client.get(done.url).status_code == HTTPStatus.OK


def test_a_required_scope_needs_a_date(alice_client, tenant_a):
    response = alice_client.post(URL, {"scope": "admins", "enforce_from": ""})
    assert response.status_code == HTTPStatus.OK
    assert "必須にする日を入力してください。" in response.text
    with tenant_scope(tenant_a):
        assert not MfaPolicy.objects.exists()


def test_policy_page_requires_login(client):
    response = client.get(URL)
    assert response.status_code == HTTPStatus.FOUND and reverse("accounts:login") in response.url


def test_policy_page_is_for_admins(bob_client):
    assert bob_client.get(URL).status_code == HTTPStatus.FORBIDDEN


def test_policy_page_is_not_for_operators(operator_client):
    assert operator_client.get(URL).status_code == HTTPStatus.NOT_FOUND


def test_another_tenants_policy_is_untouched(alice_client, tenant_b):
    day = (timezone.localdate() + timedelta(days=3)).isoformat()
    confirm_then_complete(alice_client, URL, {"scope": "everyone", "enforce_from": day})
    with tenant_scope(tenant_b):
        assert not MfaPolicy.objects.filter(tenant=tenant_b).exists()


# --- its effect -----------------------------------------------------------


@pytest.mark.parametrize("scope", ["admins", "everyone"])
def test_before_the_date_users_are_reminded(tenant_a, alice, scope):
    _policy(tenant_a, scope, 7)
    client = Client()
    password_step(client, alice)
    home = client.get(reverse("home"))
    assert home.status_code == HTTPStatus.OK
    assert "から2段階認証が必須になります" in home.text
    assert client.session.get(STATE) is None and client.session[ENROL_FROM]


@pytest.mark.parametrize("scope", ["admins", "everyone"])
def test_from_the_date_an_admin_without_factor_must_enrol(tenant_a, alice, scope):
    _policy(tenant_a, scope, 0)
    client = Client()
    password_step(client, alice)
    assert client.session[STATE] == ENROL
    for url in (reverse("home"), reverse("users:list"), reverse("mfa:settings")):
        response = client.get(url)
        assert response.status_code == HTTPStatus.FOUND and response.url.startswith(reverse("mfa:enrol"))
    assert client.get(reverse("mfa:enrol")).status_code == HTTPStatus.OK
    assert client.get(reverse("mfa:totp_enrol")).status_code == HTTPStatus.OK


def test_admins_only_leaves_users_alone(tenant_a, bob):
    _policy(tenant_a, "admins", -1)
    client = Client()
    password_step(client, bob)
    assert client.session.get(STATE) is None
    home = client.get(reverse("home"))
    assert home.status_code == HTTPStatus.OK and "2段階認証が必須" not in home.text


def test_everyone_includes_users(tenant_a, bob):
    _policy(tenant_a, "everyone", -1)
    client = Client()
    password_step(client, bob)
    assert client.get(reverse("home")).url.startswith(reverse("mfa:enrol"))


def test_the_date_arriving_during_a_session_holds_it(tenant_a, bob, monkeypatch):
    _policy(tenant_a, "everyone", 1)
    client = Client()
    password_step(client, bob)
    assert client.get(reverse("home")).status_code == HTTPStatus.OK
    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr("mfa.services.factors.today", lambda: tomorrow)
    assert client.get(reverse("home")).url.startswith(reverse("mfa:enrol"))


def test_a_user_with_a_factor_is_asked_for_it_not_sent_to_enrol(tenant_a, bob):
    _policy(tenant_a, "everyone", -1)
    give_totp(bob)
    client = Client()
    password_step(client, bob)
    assert client.get(reverse("home")).url.startswith(reverse("mfa:verify"))


def test_another_tenants_policy_does_not_apply(tenant_b, bob):
    _policy(tenant_b, "everyone", -1)
    client = Client()
    password_step(client, bob)
    assert client.get(reverse("home")).status_code == HTTPStatus.OK
