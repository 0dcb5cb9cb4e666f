"""The English UI in a browser whose language is English (docs/i18n.md).

The shared ``page`` fixture is a Japanese browser (ja-JP); this test makes its
own context with locale="en-US", so Chromium sends Accept-Language: en-US and
LocaleMiddleware picks the English catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

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
