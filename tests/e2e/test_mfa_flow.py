"""Two-step verification in a real browser (issue 24): an authenticator app
enrolled from the key on the page and used at the next login; a passkey
enrolled and used through Chromium's virtual authenticator (the DevTools
protocol's WebAuthn domain); a tenant policy that sends a user without a
factor to enrolment; axe on every new page."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pyotp
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, enter_totp, login
from tests.e2e.test_accessibility import BLOCKING, _axe

USER = "user@demo.example.com"
SATO = "sato@demo.example.com"
ADMIN = "admin@demo.example.com"
TANAKA = "tanaka@demo.example.com"
PASSWORD = "DemoPass2026"


@pytest.fixture
def mfa_page(browser, live_server) -> Iterator:
    # bypass_csp: axe is injected as an inline script (test_accessibility.py).
    context = browser.new_context(
        base_url=live_server.url, locale="ja-JP", viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _no_serious(page) -> None:
    serious = [v for v in _axe(page) if v["impact"] in BLOCKING]
    assert not serious, serious


def _logout(page) -> None:
    page.context.clear_cookies()


def test_authenticator_app_enrolment_and_login(mfa_page, demo):
    page = mfa_page
    login(page, USER, PASSWORD)
    page.goto("/account/two-step/")
    _no_serious(page)
    page.get_by_role("link", name="認証アプリを登録する").click()
    expect(page.get_by_role("heading", name="認証アプリの登録")).to_be_visible()
    expect(page.locator(".mfa-qr svg")).to_be_visible()
    _no_serious(page)
    _shot(page, "mfa-totp-enrol")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("確認コード（6 桁）").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="登録").click()
    expect(page.get_by_role("heading", name="リカバリーコード")).to_be_visible()
    assert page.locator("#recovery-codes li").count() == 10
    _no_serious(page)
    _shot(page, "mfa-recovery-codes")

    _logout(page)
    login(page, USER, PASSWORD)
    expect(page.get_by_role("heading", name="2段階認証")).to_be_visible()
    _no_serious(page)
    _shot(page, "mfa-verify")
    # The enrolment used this 30-second step's code: the app's next one
    # (accepted within ±1 step) is what a person would type after it.
    page.get_by_label("確認コード").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="確認").click()
    expect(page).to_have_url(re.compile(r"/home/$"))


def test_passkey_enrolment_and_login_with_a_virtual_authenticator(mfa_page, demo):
    page = mfa_page
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    login(page, SATO, PASSWORD)
    page.goto("/account/two-step/")
    page.get_by_label("パスキーの名前").fill("会社のノート PC")
    page.get_by_role("button", name="パスキーを登録する").click()
    expect(page.get_by_text("パスキー「会社のノート PC」を登録しました。")).to_be_visible()
    expect(page.get_by_role("cell", name="会社のノート PC", exact=True)).to_be_visible()
    _no_serious(page)
    _shot(page, "mfa-settings-passkey")

    _logout(page)
    login(page, SATO, PASSWORD)
    expect(page.get_by_role("button", name="パスキーで確認")).to_be_visible()
    page.get_by_role("button", name="パスキーで確認").click()
    expect(page).to_have_url(re.compile(r"/home/$"))


def test_policy_sends_a_user_without_a_factor_to_enrolment(mfa_page, demo):
    page = mfa_page
    login(page, ADMIN, PASSWORD)
    page.goto("/account/two-step/policy/")
    _no_serious(page)
    page.get_by_label("全員必須").check()
    page.get_by_label("必須にする日").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="確認").click()
    expect(page.get_by_text("全員必須")).to_be_visible()
    _no_serious(page)
    page.get_by_role("button", name="完了").click()
    expect(page.get_by_text("2段階認証ポリシーを設定しました。")).to_be_visible()
    _shot(page, "mfa-policy-done")

    _logout(page)
    login(page, TANAKA, PASSWORD)
    expect(page).to_have_url(re.compile(r"/account/two-step/enrol/"))
    expect(page.get_by_text("ご利用を続けるには2段階認証の設定が必要です。")).to_be_visible()
    _no_serious(page)
    _shot(page, "mfa-enrol-required")
    page.goto("/home/")
    expect(page).to_have_url(re.compile(r"/account/two-step/enrol/"))


def test_operator_logs_in_to_django_admin_with_the_demo_key(mfa_page, demo):
    from portal.management.commands.seed_demo import DEMO_OPERATOR_TOTP_SECRET

    page = mfa_page
    page.goto("/admin/login/")
    page.locator("#id_username").fill("operator@demo.example.com")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page.get_by_role("heading", name="2段階認証")).to_be_visible()
    enter_totp(page, DEMO_OPERATOR_TOTP_SECRET)
    expect(page).to_have_url(re.compile(r"/admin/$"))
