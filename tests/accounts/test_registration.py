"""Initial registration from the opening/setup mail (AUTH-2, AUTH-3)."""

from __future__ import annotations

from datetime import datetime, timedelta
from http import HTTPStatus
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from accounts.models import AccountToken, PasswordHistory, User
from accounts.services.registration import send_setup_mail
from tests.accounts.auth_helpers import audit, link_from, login_two_steps, outbox
from tests.factories import UserFactory
from tests.web.flow import done_data, submit_through_confirm, token_from

JST = ZoneInfo("Asia/Tokyo")
NEW_PASSWORD = "Start2026!"


@pytest.fixture
def pending(tenant_a) -> User:
    return UserFactory(
        tenant=tenant_a,
        email="new@a.example.com",
        status=User.Status.PENDING,
        notification_email="order@a.example.com",
        password=None,
    )


def _send(user: User, when: datetime | None = None) -> str:
    if when is None:
        send_setup_mail(user=user, actor=None)
    else:
        with freeze_time(when):
            send_setup_mail(user=user, actor=None)
    return link_from(outbox("account_setup")[-1].body, "/setup/")


def _register(client: Client, link: str, email: str | None = None) -> None:
    assert client.get(link).url == reverse("accounts:setup_password")
    client.post(reverse("accounts:setup_password"), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    page = client.get(reverse("accounts:setup_email"))
    data = {"notification_email": email or page.context["form"].initial["notification_email"]}
    client.post(reverse("accounts:setup_email"), data)
    submit_through_confirm(client, reverse("accounts:setup_confirm"))


def test_full_registration_flow_with_the_manuals_screens(client, pending):
    """AUTH-3: password + confirm → 次へ → 通知先メールアドレス (prefilled) → 確認 →
    設定確認 → 完了 → 設定完了 with ログインはこちら; status becomes 有効."""
    link = _send(pending)
    response = client.get(link)
    assert response.status_code == HTTPStatus.FOUND
    assert link not in response.url  # the token does not travel further

    page = client.get(response.url)
    assert "パスワード設定" in page.text and "パスワード（確認）" in page.text and "次へ" in page.text
    step1 = client.post(response.url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert step1.url == reverse("accounts:setup_email")
    assert NEW_PASSWORD not in str(dict(client.session))  # only a hash is kept

    page = client.get(step1.url)
    assert "通知先メールアドレス設定" in page.text and 'value="order@a.example.com"' in page.text
    assert "確認" in page.text
    step2 = client.post(step1.url, {"notification_email": "Me@A.example.com"})
    assert step2.url == reverse("accounts:setup_confirm")

    page = client.get(step2.url)
    assert "設定確認" in page.text and "me@a.example.com" in page.text and "完了" in page.text
    pending.refresh_from_db()
    assert pending.status == User.Status.PENDING  # nothing saved before 完了

    done = client.post(step2.url, done_data({}, token_from(page)))
    assert done.url == reverse("accounts:setup_done")
    page = client.get(done.url)
    assert "設定完了" in page.text and "ログインはこちら" in page.text
    assert f'href="{reverse("accounts:login")}"' in page.text

    pending.refresh_from_db()
    assert pending.status == User.Status.ACTIVE
    assert pending.notification_email == "me@a.example.com"
    assert pending.check_password(NEW_PASSWORD)
    assert PasswordHistory.objects.filter(user=pending).count() == 1
    assert audit("accounts.setup.completed")[0].actor_id == pending.pk
    # ログインはこちら leads to the login page with the ID filled in.
    assert 'value="new@a.example.com"' in client.get(reverse("accounts:login")).text
    assert login_two_steps(Client(), pending.email, NEW_PASSWORD).url == reverse("home")


def test_password_step_shows_each_broken_rule_and_keeps_nothing(client, pending):
    """AUTH-4 at registration: each broken rule has its own message."""
    client.get(_send(pending))
    response = client.post(
        reverse("accounts:setup_password"), {"password1": "ｐａｓｓ", "password2": "ｐａｓｓ"}
    )
    assert response.status_code == HTTPStatus.OK
    text = response.text
    assert "使用できない文字が含まれています" in text
    assert "英字と数字をそれぞれ 1 文字以上" in text
    assert "8 文字以上 100 文字以下" in text
    mismatch = client.post(
        reverse("accounts:setup_password"), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"}
    )
    assert "『パスワード』と『パスワード（確認）』が一致しません。" in mismatch.text
    assert "setup_password_hash" not in client.session


def test_bad_notification_address_is_refused_in_japanese(client, pending):
    client.get(_send(pending))
    client.post(reverse("accounts:setup_password"), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    response = client.post(reverse("accounts:setup_email"), {"notification_email": "not-an-address"})
    assert "通知先メールアドレスの形式が正しくありません。" in response.text
    assert 'value="not-an-address"' in response.text  # input kept


@pytest.mark.parametrize(
    ("opened", "valid"),
    [
        (datetime(2026, 3, 8, 23, 59, 59, tzinfo=JST), True),  # D+6, last second
        (datetime(2026, 3, 9, 0, 0, 0, tzinfo=JST), False),  # D+7
    ],
)
def test_link_is_valid_for_seven_days_counting_the_sending_day(client, pending, opened, valid):
    """AUTH-2: sent on day D (JST), valid through 23:59:59 JST of D+6."""
    link = _send(pending, when=datetime(2026, 3, 2, 18, 0, tzinfo=JST))
    with freeze_time(opened):
        response = client.get(link)
    expected = "accounts:setup_password" if valid else "accounts:setup_invalid"
    assert response.url == reverse(expected)


def test_link_expiring_mid_flow_stops_at_completion(client, pending):
    """AUTH-2: the limit holds on 完了 too, not only when the link is opened."""
    link = _send(pending, when=datetime(2026, 3, 2, 18, 0, tzinfo=JST))
    with freeze_time(datetime(2026, 3, 8, 23, 59, tzinfo=JST)):
        client.get(link)
        client.post(reverse("accounts:setup_password"), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
        client.post(reverse("accounts:setup_email"), {"notification_email": "x@a.example.com"})
        page = client.get(reverse("accounts:setup_confirm"))
    with freeze_time(datetime(2026, 3, 9, 0, 1, tzinfo=JST)):
        response = client.post(reverse("accounts:setup_confirm"), done_data({}, token_from(page)))
    assert response.url == reverse("accounts:setup_invalid")
    pending.refresh_from_db()
    assert pending.status == User.Status.PENDING


def test_link_is_single_use(client, pending):
    """AUTH-2: a used link shows the invalid page."""
    link = _send(pending)
    _register(client, link)
    other = Client()
    response = other.get(link)
    assert response.url == reverse("accounts:setup_invalid")
    page = other.get(response.url)
    assert "このリンクは有効期限が切れているか、すでに使用されています。" in page.text
    assert AccountToken.objects.get(user=pending).used_at is not None


def test_a_new_link_invalidates_the_older_one(client, pending):
    """AUTH-2: a new link invalidates older ones."""
    old = _send(pending)
    new = _send(pending)
    assert client.get(old).url == reverse("accounts:setup_invalid")
    assert client.get(new).url == reverse("accounts:setup_password")


def test_invalid_page_resends_without_revealing_whether_the_id_exists(
    client, pending, alice, django_capture_on_commit_callbacks, mailoutbox
):
    """AUTH-2: ask for a new link; the answer is the same for every ID."""
    old = _send(pending, when=timezone.now() - timedelta(minutes=2))
    url = reverse("accounts:setup_invalid")
    pages = []
    with django_capture_on_commit_callbacks(execute=True):
        for login_id in (pending.email, "nobody@a.example.com", alice.email):
            response = client.post(url, {"login_id": login_id})
            assert response.status_code == HTTPStatus.OK
            pages.append(response.text)
    assert pages[0] == pages[1] == pages[2]
    mails = outbox("account_setup")
    assert len(mails) == 2  # the first send plus one resend, only for the pending user
    assert mails[-1].to == ["order@a.example.com"]
    assert client.get(old).url == url
    assert [m.to for m in mailoutbox] == [["order@a.example.com"]]


def test_unknown_token_and_steps_without_a_link_go_to_the_invalid_page(client, db):
    assert client.get(reverse("accounts:setup", args=["x" * 43])).url == reverse("accounts:setup_invalid")
    for name in ("accounts:setup_password", "accounts:setup_email", "accounts:setup_confirm"):
        assert client.get(reverse(name)).url == reverse("accounts:setup_invalid")


def test_opening_mail_link_registers_the_representative_admin(client, services):
    """AUTH-1 → AUTH-3: the link in the opening mail works the same way."""
    from accounts.services.onboarding import open_tenant

    tenant = open_tenant(
        name="株式会社開通", code="T0004242", admin_email="rep@kaitsu.example.com",
        admin_last_name="開通", admin_first_name="太郎", variant="portal", actor=None,
    )
    link = link_from(outbox("opening_portal")[0].body, "/setup/")
    _register(client, link)
    admin = User.all_objects.get(tenant=tenant)
    assert admin.status == User.Status.ACTIVE and admin.notification_email == "rep@kaitsu.example.com"




def test_resend_is_throttled_but_answers_the_same(client, pending, django_capture_on_commit_callbacks):
    """No mailbox flooding: a second request within a minute sends nothing."""
    url = reverse("accounts:setup_invalid")
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {"login_id": pending.email})
        second = client.post(url, {"login_id": pending.email})
    assert first.text == second.text
    assert len(outbox("account_setup")) == 1


def test_empty_password_fields_are_named_in_the_message(client, pending):
    client.get(_send(pending))
    response = client.post(reverse("accounts:setup_password"), {"password1": "", "password2": ""})
    assert "パスワードを入力してください。" in response.text
    assert "パスワード（確認）を入力してください。" in response.text


def _to_confirm(client: Client, pending: User, email: str = "me@a.example.com"):
    client.get(_send(pending))
    client.post(reverse("accounts:setup_password"), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    client.post(reverse("accounts:setup_email"), {"notification_email": email})
    return client.get(reverse("accounts:setup_confirm"))


def test_auth3_back_and_complete_again_sets_up_once(client, pending, django_capture_on_commit_callbacks):
    """AUTH-3 (issue 19): 完了 pressed again on the same 設定確認 page (Back, a
    double click): one setup, one audit entry, no second mail, and
    「この操作はすでに完了しています」 linking to 設定完了 instead of the
    used-link page."""
    page = _to_confirm(client, pending)
    mails = len(outbox("account_setup"))
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("accounts:setup_confirm"), done_data({}, token_from(page)))
        second = client.post(reverse("accounts:setup_confirm"), done_data({}, token_from(page)))
    assert first.url == reverse("accounts:setup_done")
    assert second.status_code == HTTPStatus.OK
    assert "この操作はすでに完了しています" in second.text
    assert f'href="{reverse("accounts:setup_done")}"' in second.text
    assert len(audit("accounts.setup.completed")) == 1
    assert len(outbox("account_setup")) == mails
    assert PasswordHistory.objects.filter(user=pending).count() == 1


def test_auth3_back_from_confirm_keeps_the_address(client, pending):
    _to_confirm(client, pending, email="kept@a.example.com")
    back = client.post(reverse("accounts:setup_confirm"), {"back": "1"})
    assert back.url == reverse("accounts:setup_email")
    assert 'value="kept@a.example.com"' in client.get(back.url).text


def test_auth3_complete_without_a_token_shows_confirm_again(client, pending):
    _to_confirm(client, pending)
    response = client.post(reverse("accounts:setup_confirm"), {"stage": "done"})
    assert response.status_code == HTTPStatus.OK
    assert "設定確認" in response.text and "もう一度「完了」を押してください" in response.text
    pending.refresh_from_db()
    assert pending.status == User.Status.PENDING
    assert audit("accounts.setup.completed") == []
