"""Two-step login hardened (AUTH-5, AUTH-6, AUTH-8 messages, one hash per attempt)."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import User
from tests.accounts.auth_helpers import CountingMD5Hasher, audit, login_two_steps
from tests.factories import TEST_PASSWORD, UserFactory

COUNTING = ["tests.accounts.auth_helpers.CountingMD5Hasher"]


def test_bookmarked_url_comes_back_through_both_steps(client, alice):
    """AUTH-6: a bookmarked URL opened logged out leads through login and back to it."""
    bookmarked = reverse("accounts:notification_email_change") + "?x=1"
    response = client.get(bookmarked)
    assert response.status_code == HTTPStatus.FOUND
    login_page = client.get(response.url)
    assert login_page.status_code == HTTPStatus.OK
    assert 'name="next" value="' + bookmarked.replace("&", "&amp;") in login_page.text
    step1 = client.post(reverse("accounts:login"), {"login_id": alice.email, "next": bookmarked})
    assert step1.url == reverse("accounts:login_password")
    step2 = client.post(step1.url, {"password": TEST_PASSWORD})
    assert step2.status_code == HTTPStatus.FOUND and step2.url == bookmarked
    assert client.get(bookmarked).status_code == HTTPStatus.OK


def test_next_to_another_host_is_ignored(client, alice):
    """AUTH-6 without an open redirect."""
    response = login_two_steps(client, alice.email, TEST_PASSWORD, next_url="https://evil.example/")
    assert response.url == reverse("home")


def test_first_step_is_identical_for_known_and_unknown_ids(client, alice):
    """AUTH-5: the first step never reveals whether an ID exists."""
    known = client.post(reverse("accounts:login"), {"login_id": alice.email})
    unknown = Client().post(reverse("accounts:login"), {"login_id": "nobody@example.com"})
    assert known.status_code == unknown.status_code == HTTPStatus.FOUND
    assert known.url == unknown.url == reverse("accounts:login_password")


def test_login_rotates_the_session_key_and_records_it(client, alice):
    """AUTH-7 (rotation at login) and the audit entry of every login."""
    client.post(reverse("accounts:login"), {"login_id": alice.email})
    before = client.session.session_key
    client.post(reverse("accounts:login_password"), {"password": TEST_PASSWORD})
    assert client.session.session_key != before
    assert client.session["_auth_user_id"] == str(alice.pk)
    (entry,) = audit("accounts.login.succeeded")
    assert entry.actor_id == alice.pk and entry.tenant_id == alice.tenant_id


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (User.Status.SUSPENDED, "アカウントが利用できません。"),
        (User.Status.LOCKED, "アカウントがロックされています"),
        (User.Status.PENDING, "初期設定が完了していません"),
    ],
)
def test_right_password_on_unusable_account_says_why(client, tenant_a, status, message):
    """AUTH-8: suspended accounts get 『アカウントが利用できません。』."""
    user = UserFactory(tenant=tenant_a, status=status)
    response = login_two_steps(client, user.email, TEST_PASSWORD)
    assert response.status_code == HTTPStatus.OK
    assert message in response.text
    assert "_auth_user_id" not in client.session
    assert audit("accounts.login.refused")[0].data == {"reason": status}


def test_wrong_password_on_suspended_account_says_nothing_more(client, tenant_a):
    """Only someone who knows the password learns the status."""
    user = UserFactory(tenant=tenant_a, status=User.Status.SUSPENDED)
    response = login_two_steps(client, user.email, "Wrong12345")
    assert "ユーザ ID またはパスワードが正しくありません。" in response.text
    assert "アカウントが利用できません" not in response.text


def test_failures_are_audited_for_known_and_unknown_ids(client, alice):
    login_two_steps(client, alice.email, "Wrong12345")
    login_two_steps(Client(), "ghost@example.com", "Wrong12345")
    known, unknown = audit("accounts.login.failed")
    assert known.object_id == str(alice.pk) and known.data["failures"] == 1
    assert unknown.object_id == "" and unknown.data == {"login_id": "ghost@example.com", "reason": "unknown_id"}


@override_settings(PASSWORD_HASHERS=COUNTING)
@pytest.mark.parametrize("case", ["unknown_id", "wrong_password", "right_password", "suspended"])
def test_login_hashes_exactly_once_per_attempt(tenant_a, case):
    """AUTH-5: one password hash per attempt, whatever the outcome (no timing oracle)."""
    user = UserFactory(
        tenant=tenant_a,
        status=User.Status.SUSPENDED if case == "suspended" else User.Status.ACTIVE,
    )
    login_id = "nobody@example.com" if case == "unknown_id" else user.email
    password = "Wrong12345" if case == "wrong_password" else TEST_PASSWORD
    client = Client()
    client.post(reverse("accounts:login"), {"login_id": login_id})
    CountingMD5Hasher.calls = 0
    client.post(reverse("accounts:login_password"), {"password": password})
    assert CountingMD5Hasher.calls == 1


def test_operator_lands_in_django_admin(client, operator):
    response = login_two_steps(client, operator.email, TEST_PASSWORD)
    assert response.url == reverse("admin:index")


def test_password_step_without_first_step_goes_back(client, db):
    response = client.get(reverse("accounts:login_password"))
    assert response.url == reverse("accounts:login")


def test_login_pages_offer_password_reset_and_keep_the_logo_hook(client, alice):
    """AUTH-9 entry point; the logo hook for the dedicated-URL variant."""
    from accounts.views import login as login_views

    def hook(request):
        return {"login_logo_url": "/media/logo-hook.png"}

    login_views.register_login_page_hook(hook)
    try:
        page = client.get("/?tenant_alias=acme")
        assert reverse("accounts:password_reset") in page.text
        assert "/media/logo-hook.png" in page.text
        assert client.session["login_tenant_alias"] == "acme"
    finally:
        login_views.LOGIN_PAGE_HOOKS.remove(hook)


def test_logged_in_people_skip_the_login_page(alice_client, operator_client):
    assert alice_client.get("/").url == reverse("home")
    assert operator_client.get("/").url == reverse("admin:index")


def test_password_step_uses_a_constant_number_of_queries(client, alice, django_assert_max_num_queries):
    """One user read, one counter upsert or delete, the audit row, sessions."""
    client.post(reverse("accounts:login"), {"login_id": alice.email})
    with django_assert_max_num_queries(12):
        client.post(reverse("accounts:login_password"), {"password": "Wrong12345"})
    # + 2 (issue 24): the user's second factors and the tenant's policy.
    with django_assert_max_num_queries(19):
        response = client.post(reverse("accounts:login_password"), {"password": TEST_PASSWORD})
    assert response.status_code == HTTPStatus.FOUND
