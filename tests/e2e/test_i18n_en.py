"""The English UI in a browser whose language is English (docs/i18n.md).

The shared ``page`` fixture is a Japanese browser (ja-JP); this test makes its
own context with locale="en-US", so Chromium sends Accept-Language: en-US and
LocaleMiddleware picks the English catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture
def en_page(browser, live_server) -> Iterator:
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_english_browser_logs_in_and_sees_english_admin_home(en_page, demo):
    """AUTH-5 and HOME-1 in English: labels, buttons and the global menu."""
    page = en_page
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert not JAPANESE.search(page.locator("main").inner_text())
    _shot(page, "i18n-en-login")

    page.get_by_label("User ID").fill("admin@demo.example.com")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Password").fill("DemoPass2026")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Home")).to_be_visible()
    nav = page.get_by_role("navigation", name="Global menu")
    expect(nav.get_by_text("Home", exact=True)).to_be_visible()
    expect(nav.get_by_text("Users", exact=True)).to_be_visible()
    expect(nav.get_by_text("Contract information")).to_be_visible()
    expect(page.get_by_text("Your contracted services")).to_be_visible()
    _shot(page, "i18n-en-admin-home")

    nav.get_by_text("Users", exact=True).click()
    nav.get_by_role("link", name="User list").click()
    expect(page.get_by_role("heading", name="User list")).to_be_visible()
    _shot(page, "i18n-en-user-list")


@pytest.fixture
def pinned(settings):
    """The ID-change clock of test_idchange_flow: Wednesday 2026-05-20 10:00 JST."""
    settings.IDCHANGE_NOW = datetime(2026, 5, 20, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


def test_english_id_count_change_request(en_page, demo, pinned):
    """IDC-1 in English: input, confirm and complete screens."""
    page = en_page
    page.goto("/")
    page.get_by_label("User ID").fill("admin@demo.example.com")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Password").fill("DemoPass2026")
    page.get_by_role("button", name="Log in").click()

    page.goto("/idchange/")
    expect(page.get_by_role("heading", name="ID count / change request")).to_be_visible()
    _shot(page, "i18n-en-idchange-list")
    page.get_by_role("region", name="Google Workspace").get_by_role("link", name="ID count change request").click()
    expect(page.get_by_role("heading", name="ID count change request (Input)")).to_be_visible()
    page.get_by_label("Change in ID count").fill("2")
    page.get_by_label("Next month").check()
    page.get_by_label("I agree to the terms of use").check()
    expect(page.locator("output.idc-after").first).to_contain_text("IDs after the change")
    _shot(page, "i18n-en-idchange-input")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="ID count change request (Confirm)")).to_be_visible()
    _shot(page, "i18n-en-idchange-confirm")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("heading", name="ID count change request complete")).to_be_visible()
    _shot(page, "i18n-en-idchange-done")
