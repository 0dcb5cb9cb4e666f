from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import login


def test_demo_admin_logs_in_in_two_steps_and_sees_admin_home(page, demo, screenshot):
    """AUTH-5, HOME-1: the demo admin logs in in two steps and sees the admin menu."""
    page.goto("/")
    screenshot("login-step1")
    login(page, "admin@demo.example.com", "DemoPass2026")
    expect(page.get_by_role("heading", name="ホーム")).to_be_visible()
    nav = page.get_by_role("navigation", name="グローバルメニュー")
    expect(nav.get_by_text("ホーム")).to_be_visible()
    expect(page.get_by_text("Google Workspace").first).to_be_visible()
    screenshot("admin-home")


def test_wrong_password_stays_on_login(page, demo):
    """AUTH-5: a wrong password says so without revealing which part was wrong."""
    login(page, "admin@demo.example.com", "WrongPass999")
    expect(page.get_by_text("ユーザ ID またはパスワードが正しくありません。")).to_be_visible()
