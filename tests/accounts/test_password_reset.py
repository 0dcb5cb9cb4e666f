"""Password reset by mail from the login page (AUTH-9; unlock by reset, AUTH-8)."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from accounts.models import User
from tests.accounts.auth_helpers import audit, link_from, login_two_steps, outbox
from tests.factories import TEST_PASSWORD, UserFactory

NOT_AVAILABLE = "ご指定のアカウント情報が取得できません。"
NEW = "Renewed2026"


def _request(client: Client, login_id: str):
    """Post the page and run what it queued (the worker's part, issue 21)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("accounts:password_reset"), {"login_id": login_id})


def _reset_link(client: Client, user: User) -> str:
    response = _request(client, user.email)
    assert response.url == reverse("accounts:password_reset_sent")
    return link_from(outbox("password_reset")[-1].body, "/password/reset/")


def test_login_page_links_to_the_reset_page(client, db):
    page = client.get(reverse("accounts:login"))
    assert reverse("accounts:password_reset") in page.text
    assert "パスワードをお忘れの方" in page.text


def test_reset_mail_goes_to_the_notification_address(
    client, tenant_a, django_capture_on_commit_callbacks, mailoutbox
):
    """AUTH-9: the mail goes to the notification address."""
    user = UserFactory(tenant=tenant_a, notification_email="inbox@elsewhere.example.com")
    with django_capture_on_commit_callbacks(execute=True):
        response = _request(client, user.email.upper())
    assert response.url == reverse("accounts:password_reset_sent")
    (message,) = outbox("password_reset")
    assert message.to == ["inbox@elsewhere.example.com"]
    assert mailoutbox[0].to == ["inbox@elsewhere.example.com"]
    assert audit("accounts.password_reset.requested")[0].object_id == str(user.pk)


def test_suspended_and_deleted_accounts_get_the_same_page_and_the_manuals_message_by_mail(client, tenant_a):
    """AUTH-9 with issue 21's deviation (docs/accounts.md): the page no longer
    says 『ご指定のアカウント情報が取得できません。』 (it told anyone which IDs
    exist); a suspended account's address gets it by mail, a deleted one
    nothing, and the page is the 送信しました page for both."""
    suspended = UserFactory(tenant=tenant_a, status=User.Status.SUSPENDED)
    for login_id in (suspended.email, "deleted@a.example.com"):
        response = _request(client, login_id)
        assert response.status_code == HTTPStatus.FOUND
        assert response.url == reverse("accounts:password_reset_sent")
    assert outbox("password_reset") == []
    (notice,) = outbox("account_unavailable")
    assert notice.to == [suspended.email] and NOT_AVAILABLE in notice.body
    _request(client, suspended.email)
    assert len(outbox("account_unavailable")) == 1  # at most one an hour


def test_reset_sets_a_new_password_and_unlocks(client, tenant_a, django_capture_on_commit_callbacks):
    """AUTH-9 and AUTH-8 (unlock by resetting the password); other sessions end."""
    user = UserFactory(tenant=tenant_a, status=User.Status.LOCKED)
    other = Client()
    other.force_login(user)
    link = _reset_link(client, user)
    response = client.get(link)
    assert response.url == reverse("accounts:password_reset_set")
    page = client.get(response.url)
    assert "パスワード再設定" in page.text and "パスワード（確認）" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(response.url, {"password1": NEW, "password2": NEW})
    assert done.url == reverse("accounts:password_reset_done")
    assert "ログインはこちら" in client.get(done.url).text
    user.refresh_from_db()
    assert user.status == User.Status.ACTIVE and user.check_password(NEW)
    assert audit("accounts.password_reset.completed")[0].object_id == str(user.pk)
    assert audit("accounts.user.unlocked")[0].data == {"reason": "password_reset"}
    assert login_two_steps(Client(), user.email, NEW).url == reverse("home")
    assert other.get(reverse("home")).status_code == HTTPStatus.FOUND  # ended
    # The link is single use.
    assert Client().get(link).status_code == HTTPStatus.GONE


def test_reset_applies_the_password_rules_and_history(client, bob):
    """AUTH-4 on reset: the current password is refused; the link stays usable."""
    link = _reset_link(client, bob)
    client.get(link)
    response = client.post(
        reverse("accounts:password_reset_set"), {"password1": TEST_PASSWORD, "password2": TEST_PASSWORD}
    )
    assert response.status_code == HTTPStatus.OK
    assert "過去 5 回以内に使用したパスワードは使用できません。" in response.text
    ok = client.post(reverse("accounts:password_reset_set"), {"password1": NEW, "password2": NEW})
    assert ok.url == reverse("accounts:password_reset_done")


def test_reset_link_expires_after_a_day(client, bob):
    start = timezone.now()
    with freeze_time(start):
        link = _reset_link(client, bob)
    with freeze_time(start + timedelta(hours=24, minutes=1)):
        response = Client().get(link)
    assert response.status_code == HTTPStatus.GONE
    assert "パスワード再設定メールを再送" in response.text


def test_pending_account_gets_a_fresh_setup_mail_instead(client, tenant_a):
    user = UserFactory(tenant=tenant_a, status=User.Status.PENDING, password=None)
    assert _request(client, user.email).url == reverse("accounts:password_reset_sent")
    assert outbox("password_reset") == []
    assert len(outbox("account_setup")) == 1


def test_reset_form_without_a_link_is_refused(client, db):
    assert client.get(reverse("accounts:password_reset_set")).status_code == HTTPStatus.GONE


def test_reset_requests_are_throttled(client, bob):
    """A second request within a minute sends nothing more; the page is the same."""
    first = _request(client, bob.email)
    second = _request(client, bob.email)
    assert first.url == second.url == reverse("accounts:password_reset_sent")
    assert len(outbox("password_reset")) == 1
