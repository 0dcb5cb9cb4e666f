"""Accounts in the browser: an operator opens a tenant in Django admin, its
admin registers from the opening mail's link, logs in in two steps and
changes the password (AUTH-1, AUTH-3, AUTH-5, AUTH-10); a wrong-password run
ends in lockout (AUTH-8); the idle countdown offers to stay (AUTH-7)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from accounts.models import User
from accounts.services.throttle import security_cache
from mail.models import OutboxMessage
from tenants.catalogue import ensure_catalogue
from tenants.scoping import operator_scope
from tests.e2e.conftest import give_operator_totp, login
from tests.factories import TEST_PASSWORD, TenantFactory, UserFactory

OPERATOR = "ops@carrier.example.com"
ADMIN = "rep@kaitsu.example.com"
FIRST = "Kaitsu2026!"
SECOND = "Kaitsu2027!"


def _setup_path() -> str:
    with operator_scope():
        message = OutboxMessage.objects.filter(template="opening_service").latest("created_at")
    match = re.search(r"https?://[^/\s]+(/setup/[^\s]+)", message.body)
    assert match, message.body
    return match.group(1)


def test_open_register_login_and_change_password(page, transactional_db, screenshot):
    ensure_catalogue()
    User.objects.create_superuser(OPERATOR, TEST_PASSWORD)
    secret = give_operator_totp(OPERATOR)

    # The operator logs in through the portal's two-step login (and the
    # second factor, issue 24) and opens a tenant.
    login(page, OPERATOR, TEST_PASSWORD, totp_secret=secret)
    page.goto("/admin/tenants/tenant/add/")
    page.get_by_label("会社名").fill("株式会社開通テスト")
    page.get_by_label("テナントコード").fill("T0424242")
    page.get_by_label("代表管理者 姓").fill("開通")
    page.get_by_label("代表管理者 名").fill("花子")
    page.get_by_label("代表管理者 メールアドレス").fill(ADMIN)
    page.get_by_label("開通通知メール").select_option("service")
    page.get_by_label("申込サービス").select_option(label="LINE WORKS with KDDI")
    screenshot("accounts-admin-open-tenant")
    page.get_by_role("button", name="開通").click()
    expect(page.get_by_text("開通通知メールを送信しました")).to_be_visible()
    page.context.clear_cookies()

    # The representative admin opens the link from the opening mail.
    page.goto(_setup_path())
    expect(page.get_by_role("heading", name="パスワード設定")).to_be_visible()
    page.locator("#id_password1").fill("short")
    page.locator("#id_password2").fill("short")
    page.get_by_role("button", name="次へ").click()
    expect(page.get_by_text("8 文字以上 100 文字以下")).to_be_visible()
    screenshot("accounts-setup-password-errors")
    page.locator("#id_password1").fill(FIRST)
    page.locator("#id_password2").fill(FIRST)
    page.get_by_role("button", name="次へ").click()

    expect(page.get_by_role("heading", name="通知先メールアドレス設定")).to_be_visible()
    expect(page.get_by_label("通知先メールアドレス")).to_have_value(ADMIN)
    screenshot("accounts-setup-email")
    page.get_by_role("button", name="確認").click()

    expect(page.get_by_role("heading", name="設定確認")).to_be_visible()
    screenshot("accounts-setup-confirm")
    page.get_by_role("button", name="完了").click()

    expect(page.get_by_role("heading", name="設定完了")).to_be_visible()
    screenshot("accounts-setup-done")
    page.get_by_role("link", name="ログインはこちら").click()

    # Two-step login; the ID is already filled in.
    expect(page.get_by_label("ユーザ ID")).to_have_value(ADMIN)
    screenshot("accounts-login-step1")
    page.get_by_role("button", name="次へ").click()
    page.get_by_label("パスワード").fill(FIRST)
    screenshot("accounts-login-step2")
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", name="ホーム")).to_be_visible()

    # Change the password from the login user menu.
    page.get_by_label("ログインユーザメニュー").click()
    page.get_by_role("link", name="パスワード変更").click()
    expect(page.get_by_role("heading", name="パスワード変更")).to_be_visible()
    page.get_by_label("現在のパスワード").fill(FIRST)
    page.locator("#id_password1").fill(SECOND)
    page.locator("#id_password2").fill(SECOND)
    screenshot("accounts-password-change")
    page.get_by_role("button", name="変更").click()
    expect(page.get_by_text("パスワードを変更しました。")).to_be_visible()
    screenshot("accounts-password-changed")

    # The notification address: a confirmation goes to the new address first.
    page.get_by_label("ログインユーザメニュー").click()
    page.get_by_role("link", name="通知先メールアドレス変更").click()
    page.get_by_label("新しい通知先メールアドレス").fill("rep.new@kaitsu.example.com")
    page.get_by_label("現在のパスワード").fill(SECOND)  # re-authentication (issue 21)
    page.get_by_role("button", name="確認メールを送信").click()
    expect(page.get_by_text("確認メールを送信しました")).to_be_visible()
    screenshot("accounts-notification-email")

    # Log out and back in with the new password.
    page.get_by_label("ログインユーザメニュー").click()
    page.get_by_role("button", name="ログアウト").click()
    login(page, ADMIN, SECOND)
    expect(page.get_by_role("heading", name="ホーム")).to_be_visible()


def test_wrong_passwords_lock_the_account(page, transactional_db, screenshot, settings):
    """AUTH-8: after LOGIN_FAILURE_LIMIT (10) failures the right password no longer works."""
    assert settings.LOGIN_FAILURE_LIMIT == 10
    tenant = TenantFactory()
    user = UserFactory(tenant=tenant, email="victim@lock.example.com")
    page.goto("/")
    page.get_by_label("ユーザ ID").fill(user.email)
    page.get_by_role("button", name="次へ").click()
    for _ in range(10):
        security_cache().clear()  # each attempt after its login delay (issue 21; tested on its own)
        page.get_by_label("パスワード").fill("Wrong12345")
        page.get_by_role("button", name="ログイン").click()
        expect(page.get_by_text("ユーザ ID またはパスワードが正しくありません。")).to_be_visible()
    security_cache().clear()
    page.get_by_label("パスワード").fill(TEST_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_text("アカウントがロックされています")).to_be_visible()
    screenshot("accounts-locked")
    user.refresh_from_db()
    assert user.status == User.Status.LOCKED


def test_idle_countdown_lets_the_person_stay(page, transactional_db, screenshot, settings):
    """AUTH-7: a few minutes before the timeout the countdown appears; staying renews."""
    settings.SESSION_COOKIE_AGE = 303  # the 5-minute warning shows after ~3 seconds
    user = UserFactory(tenant=TenantFactory(), email="idle@example.com")
    login(page, user.email, TEST_PASSWORD)
    timer = page.locator("#session-timer")
    expect(timer).to_be_visible(timeout=8_000)
    expect(timer).to_contain_text("自動的にログアウトします")
    screenshot("accounts-session-countdown")
    with page.expect_response("**/session/keepalive/") as keepalive:
        timer.get_by_role("button", name="ログインを継続する").click()
    assert keepalive.value.ok
    expect(timer).to_be_hidden()


def test_forgotten_password_reset_by_mail(page, transactional_db, screenshot):
    """AUTH-9: パスワードをお忘れの方 → mail to the notification address → new password → login."""
    user = UserFactory(
        tenant=TenantFactory(), email="forgot@example.com", notification_email="inbox@example.com"
    )
    page.goto("/")
    page.get_by_role("link", name="パスワードをお忘れの方").click()
    page.get_by_label("ユーザ ID").fill("deleted@example.com")
    page.get_by_role("button", name="送信").click()
    # Issue 21: an unknown ID gets the same page as a known one.
    expect(page.get_by_role("heading", name="パスワード再設定メールを送信しました")).to_be_visible()
    screenshot("accounts-reset-unknown-id")
    page.go_back()
    page.get_by_label("ユーザ ID").fill(user.email)
    page.get_by_role("button", name="送信").click()
    expect(page.get_by_role("heading", name="パスワード再設定メールを送信しました")).to_be_visible()
    with operator_scope():
        message = OutboxMessage.objects.get(template="password_reset")
    assert message.to == ["inbox@example.com"]
    link = re.search(r"https?://[^/\s]+(/password/reset/[^\s]+)", message.body).group(1)
    page.goto(link)
    page.locator("#id_password1").fill(SECOND)
    page.locator("#id_password2").fill(SECOND)
    screenshot("accounts-reset-new-password")
    page.get_by_role("button", name="完了").click()
    expect(page.get_by_role("heading", name="パスワード再設定完了")).to_be_visible()
    page.goto(link)
    expect(page.get_by_text("このリンクは有効期限が切れているか、すでに使用されています。")).to_be_visible()
    screenshot("accounts-reset-link-used")
    login(page, user.email, SECOND)
    expect(page.get_by_role("heading", name="ホーム")).to_be_visible()


def test_idle_timeout_returns_to_login_with_a_message(page, transactional_db, screenshot, settings):
    """AUTH-7 in a real browser: the session cookie expires, the countdown
    reloads at zero, and the login page says why."""
    user = UserFactory(tenant=TenantFactory(), email="sleepy@example.com")
    login(page, user.email, TEST_PASSWORD)
    settings.SESSION_COOKIE_AGE = 4  # from the next response on
    page.goto("/home/")
    expect(page.get_by_text("自動的にログアウトしました")).to_be_visible(timeout=15_000)
    expect(page.get_by_role("heading", name="ログイン")).to_be_visible()
    assert "next=/home/" in page.url
    screenshot("accounts-session-expired")
