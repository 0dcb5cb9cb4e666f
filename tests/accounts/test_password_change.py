"""Login user menu: own password and notification address (AUTH-10); forced
change at first login (AUTH-11)."""

from __future__ import annotations

import re
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.services.passwords import set_password
from tests.accounts.auth_helpers import audit, link_from, login_two_steps, outbox
from tests.factories import TEST_PASSWORD
from tests.web.flow import done_data, submit_through_confirm, token_from

CHANGE = "accounts:password_change"
EMAIL = "accounts:notification_email_change"
NEW = "Changed2026"


def _address(address: str, password: str = TEST_PASSWORD) -> dict[str, str]:
    """The notification-address form: the new address and, since issue 21,
    the current password."""
    return {"notification_email": address, "current_password": password}


@pytest.mark.parametrize("name", [CHANGE, EMAIL])
def test_it_requires_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(reverse("accounts:login") + "?next=")


def test_user_menu_links_both_pages(bob_client):
    """AUTH-10: both entries appear in ログインユーザメニュー, also for a plain user."""
    page = bob_client.get(reverse("home")).text
    assert f'href="{reverse(CHANGE)}"' in page and "パスワード変更" in page
    assert f'href="{reverse(EMAIL)}"' in page and "通知先メールアドレス変更" in page


def test_change_own_password(bob, django_capture_on_commit_callbacks):
    """AUTH-10: current password required; this session stays, the others end."""
    mine, other = Client(), Client()
    for c in (mine, other):
        assert login_two_steps(c, bob.email, TEST_PASSWORD).status_code == HTTPStatus.FOUND
    page = mine.get(reverse(CHANGE))
    assert "現在のパスワード" in page.text and "新しいパスワード（確認）" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = mine.post(
            reverse(CHANGE), {"current_password": TEST_PASSWORD, "password1": NEW, "password2": NEW}
        )
    assert response.url == reverse("home")
    bob.refresh_from_db()
    assert bob.check_password(NEW)
    assert mine.get(reverse("home")).status_code == HTTPStatus.OK
    assert other.get(reverse("home")).status_code == HTTPStatus.FOUND
    assert audit("accounts.password.changed")[0].actor_id == bob.pk


def test_wrong_current_password_or_broken_rule_changes_nothing(bob_client, bob):
    response = bob_client.post(
        reverse(CHANGE), {"current_password": "Nope12345", "password1": NEW, "password2": NEW}
    )
    assert "現在のパスワードが正しくありません。" in response.text
    response = bob_client.post(
        reverse(CHANGE),
        {"current_password": TEST_PASSWORD, "password1": TEST_PASSWORD, "password2": TEST_PASSWORD},
    )
    assert "過去 5 回以内に使用したパスワードは使用できません。" in response.text
    bob.refresh_from_db()
    assert bob.check_password(TEST_PASSWORD)


def test_change_notification_address_is_confirmed_by_mail(
    bob_client, bob, django_capture_on_commit_callbacks, mailoutbox
):
    """AUTH-10: the change applies only once the new address confirms it."""
    with django_capture_on_commit_callbacks(execute=True):
        response = bob_client.post(reverse(EMAIL), _address("New@B.example.com"))
    assert response.url == reverse(EMAIL)
    page = bob_client.get(reverse(EMAIL))
    assert "確認メールを送信しました" in page.text and "new@b.example.com" in page.text
    bob.refresh_from_db()
    assert bob.notification_email == "bob@a.example.com"
    (message,) = outbox("notification_email_confirm")
    assert message.to == ["new@b.example.com"] and mailoutbox[0].to == ["new@b.example.com"]
    link = link_from(message.body, "/account/notification-email/")
    anonymous = Client()
    confirm = anonymous.get(link)
    assert confirm.status_code == HTTPStatus.OK and "完了" in confirm.text
    bob.refresh_from_db()
    assert bob.notification_email == "bob@a.example.com"  # GET alone changes nothing
    done = anonymous.post(link, done_data({}, token_from(confirm)), follow=True)
    assert "通知先メールアドレスを変更しました" in done.text and "new@b.example.com" in done.text
    bob.refresh_from_db()
    assert bob.notification_email == "new@b.example.com"
    assert audit("accounts.notification_email.changed")[0].data == {
        "old": "bob@a.example.com",
        "new": "new@b.example.com",
    }
    assert anonymous.post(link).status_code == HTTPStatus.GONE  # single use
    assert anonymous.get(link).status_code == HTTPStatus.GONE


def test_auth10_confirming_the_address_twice_changes_once(
    bob_client, bob, django_capture_on_commit_callbacks
):
    """AUTH-10 (issue 19): 完了 pressed twice on the same 確認 page: one
    change, one audit entry, no more mail, and 「この操作はすでに完了しています」
    linking to the 完了 page instead of 「リンクが無効です」."""
    with django_capture_on_commit_callbacks(execute=True):
        bob_client.post(reverse(EMAIL), _address("twice@b.example.com"))
    link = link_from(outbox("notification_email_confirm")[0].body, "/account/notification-email/")
    anonymous = Client()
    with django_capture_on_commit_callbacks(execute=True):
        first, posted = submit_through_confirm(anonymous, link)
        second = anonymous.post(link, posted)
    assert first.url == reverse("accounts:notification_email_done")
    assert second.status_code == HTTPStatus.OK
    assert "この操作はすでに完了しています" in second.text
    assert f'href="{first.url}"' in second.text
    assert "twice@b.example.com" in anonymous.get(first.url).text
    bob.refresh_from_db()
    assert bob.notification_email == "twice@b.example.com"
    assert len(audit("accounts.notification_email.changed")) == 1
    assert len(outbox("notification_email_confirm")) == 1


def test_auth10_confirm_without_a_token_or_with_back_changes_nothing(
    bob_client, bob, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        bob_client.post(reverse(EMAIL), _address("later@b.example.com"))
    link = link_from(outbox("notification_email_confirm")[0].body, "/account/notification-email/")
    response = bob_client.post(link, {"stage": "done"})
    assert response.status_code == HTTPStatus.OK
    assert "もう一度「完了」を押してください" in response.text and 'name="submission_token"' in response.text
    assert bob_client.post(link, {"back": "1"}).url == reverse(EMAIL)
    bob.refresh_from_db()
    assert bob.notification_email == "bob@a.example.com"
    assert audit("accounts.notification_email.changed") == []


def test_bad_notification_address_is_refused(bob_client, bob):
    response = bob_client.post(reverse(EMAIL), _address("nope"))
    assert "通知先メールアドレスの形式が正しくありません。" in response.text
    response = bob_client.post(reverse(EMAIL), _address(bob.notification_email))
    assert "現在の通知先メールアドレスと同じです。" in response.text
    assert outbox("notification_email_confirm") == []


def test_issue21_a_session_without_the_password_cannot_change_the_address(
    bob_client, bob, django_capture_on_commit_callbacks
):
    """Issue 21, finding 2 (the takeover path): a borrowed session alone can
    no longer move the notification address, which the password reset
    follows. Without or with a wrong current password: a Japanese form error,
    no confirmation mail, no pending change, nothing in the 操作ログ."""
    page = bob_client.get(reverse(EMAIL)).text
    assert "現在のパスワード" in page and 'autocomplete="current-password"' in page
    with django_capture_on_commit_callbacks(execute=True):
        missing = bob_client.post(reverse(EMAIL), {"notification_email": "thief@evil.example"})
        wrong = bob_client.post(reverse(EMAIL), _address("thief@evil.example", "Guess12345"))
    assert "現在のパスワードを入力してください。" in missing.text
    assert "現在のパスワードが正しくありません。" in wrong.text
    assert outbox("notification_email_confirm") == []
    assert audit("accounts.notification_email.change_requested") == []
    bob.refresh_from_db()
    assert bob.notification_email == "bob@a.example.com"


def test_issue21_wrong_passwords_on_the_address_form_meet_the_login_delay(bob_client, bob):
    """Issue 21: guessing the password through this form is slowed down like
    the login (the same per-ID counters): past the free failures even the
    right password is refused for a while, without being checked."""
    for _ in range(3):
        bob_client.post(reverse(EMAIL), _address("thief@evil.example", "Guess12345"))
    response = bob_client.post(reverse(EMAIL), _address("thief@evil.example", "Guess12345"))
    assert "現在のパスワードが正しくありません。" in response.text
    response = bob_client.post(reverse(EMAIL), _address("thief@evil.example"))
    assert "しばらく時間をおいてからお試しください" in response.text
    assert outbox("notification_email_confirm") == []
    bob.refresh_from_db()
    assert bob.status == User.Status.ACTIVE  # the form never locks the owner out


def test_issue21_the_old_address_is_told_and_the_change_is_logged(
    bob_client, bob, django_capture_on_commit_callbacks
):
    """Issue 21, finding 2: when the change is confirmed, the OLD address
    gets a notice with the time (JST), the confirming IP, the new address and
    how to report it; request and change are both in the 操作ログ with IPs."""
    with django_capture_on_commit_callbacks(execute=True):
        bob_client.post(reverse(EMAIL), _address("new@b.example.com"), REMOTE_ADDR="198.51.100.7")
    (requested,) = audit("accounts.notification_email.change_requested")
    assert requested.actor_id == bob.pk and requested.data == {"new_email": "new@b.example.com"}
    assert requested.ip_address == "198.51.100.7"
    link = link_from(outbox("notification_email_confirm")[0].body, "/account/notification-email/")
    with django_capture_on_commit_callbacks(execute=True):
        submit_through_confirm(Client(REMOTE_ADDR="203.0.113.9"), link)
    (notice,) = outbox("notification_email_changed")
    assert notice.to == ["bob@a.example.com"]
    assert "通知先メールアドレスが変更されました" in notice.subject
    assert "new@b.example.com" in notice.body and "203.0.113.9" in notice.body
    assert re.search(r"【日時】\d{4}年\d{2}月\d{2}日 \d{2}:\d{2}（日本時間）", notice.body)
    assert "管理者さま" in notice.body and reverse("inquiries:index") in notice.body
    (changed,) = audit("accounts.notification_email.changed")
    assert changed.ip_address == "203.0.113.9"
    assert changed.data == {"old": "bob@a.example.com", "new": "new@b.example.com"}


def test_forced_change_comes_before_anything_else(bob, alice):
    """AUTH-11: an admin-set password with force change → the change screen first."""
    set_password(user=bob, raw_password="AdminSet2026", actor=alice, force_change=True)
    client = Client()
    response = login_two_steps(client, bob.email, "AdminSet2026", next_url=reverse("home"))
    assert response.url == reverse(CHANGE)
    for path in (reverse("home"), reverse(EMAIL), "/admin/"):
        assert client.get(path).url == reverse(CHANGE)
    page = client.get(reverse(CHANGE))
    assert "パスワードを変更してください" in page.text
    client.post(
        reverse(CHANGE), {"current_password": "AdminSet2026", "password1": NEW, "password2": NEW}
    )
    bob.refresh_from_db()
    assert not bob.must_change_password
    assert client.get(reverse("home")).status_code == HTTPStatus.OK


def test_forced_change_still_allows_logout(bob, alice):
    set_password(user=bob, raw_password="AdminSet2026", actor=alice, force_change=True)
    client = Client()
    login_two_steps(client, bob.email, "AdminSet2026")
    assert client.post(reverse("accounts:logout")).url == reverse("accounts:login")
    assert User.all_objects.get(pk=bob.pk).must_change_password


def test_operators_change_their_password_too(operator_client, operator):
    """Operators have no tenant home: the page works and links nowhere broken."""
    page = operator_client.get(reverse(CHANGE))
    assert page.status_code == HTTPStatus.OK
    assert "キャンセル" not in page.text
    response = operator_client.post(
        reverse(CHANGE), {"current_password": TEST_PASSWORD, "password1": NEW, "password2": NEW}
    )
    assert response.url == reverse("admin:index")
