"""The header at every width (issue 23): a menu label never wraps inside a
word, in Japanese or English, with the default logo or a 1:6 one (LOGO-1);
when the entries do not fit, they collapse behind a メニュー button that the
keyboard opens (aria-expanded), and the user menu and the i badge stay
reachable. Screenshots go to test-artifacts/header-*.png."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from accounts.models import User
from customization.models import Branding
from customization.selectors import site_logo_key
from tenants.scoping import operator_scope
from tests.e2e.conftest import ARTIFACTS, login

ADMIN = "admin@demo.example.com"
PASSWORD = "DemoPass2026"
WIDTHS = [320, 390, 768, 1280, 1366, 1920]

# Every label of the nav and the user menu's name: rendered on one line?
ONE_LINE = """() => [...document.querySelectorAll(
    '.global-nav > ul > li > a, .global-nav summary, .user-menu > summary, .nav-toggle')]
  .filter(el => el.offsetParent !== null)
  .map(el => {
    const style = getComputedStyle(el);
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.6;
    const text = el.getBoundingClientRect().height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    return {label: el.textContent.trim().replace(/\\s+/g, ' '), lines: Math.round(text / line)};
  })
  .filter(item => item.lines > 1)"""


def _use_default_logo() -> None:
    with operator_scope():
        tenant = User.objects.get(email=ADMIN).tenant
        Branding.objects.filter(tenant=tenant).update(site_logo=None)
    cache.delete(site_logo_key(tenant.pk))


@pytest.fixture(params=["ja", "en"])
def header_page(request, browser, live_server):
    locale = {"ja": "ja-JP", "en": "en-US"}[request.param]
    context = browser.new_context(base_url=live_server.url, locale=locale, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.language = request.param
    yield page
    context.close()


@pytest.mark.parametrize("logo", ["wide", "default"])
def test_menu_labels_never_wrap_inside_a_word_at_any_width(header_page, demo, logo):
    page = header_page
    if logo == "default":
        _use_default_logo()
    login(page, ADMIN, PASSWORD) if page.language == "ja" else _login_en(page)
    page.wait_for_url("**/home/")
    ARTIFACTS.mkdir(exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.wait_for_timeout(50)
        assert page.evaluate(ONE_LINE) == [], f"{width}px {page.language} {logo}"
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"{width}px {page.language} {logo}: page {scroll}px wide"
        assert page.locator(".user-menu > summary").is_visible()
        toggle = page.locator(".nav-toggle")
        if toggle.is_visible():
            # Collapsed: the badge is on the button, the keyboard opens it.
            assert toggle.locator(".menu-badge").count() == 1
            assert toggle.get_attribute("aria-expanded") == "false"
            assert not page.locator("#global-nav").is_visible()
            toggle.focus()
            page.keyboard.press("Enter")
            assert toggle.get_attribute("aria-expanded") == "true"
            assert page.locator("#global-nav .menu-badge").is_visible()
            assert page.evaluate(ONE_LINE) == []
            page.screenshot(path=str(ARTIFACTS / f"header-{page.language}-{logo}-{width}-open.png"))
            page.keyboard.press("Escape")
            assert toggle.get_attribute("aria-expanded") == "false"
        else:
            assert page.locator("#global-nav .menu-badge").is_visible()
        page.screenshot(path=str(ARTIFACTS / f"header-{page.language}-{logo}-{width}.png"))


def test_japanese_menu_is_on_one_row_from_1280_px_with_the_wide_logo(page, demo):
    """Collapsing is for narrow windows: an admin at 1280 px sees every entry."""
    login(page, ADMIN, PASSWORD)
    page.wait_for_url("**/home/")
    for width in (1280, 1366, 1920):
        page.set_viewport_size({"width": width, "height": 800})
        page.wait_for_timeout(50)
        assert not page.locator(".nav-toggle").is_visible(), width
        tops = page.evaluate("[...document.querySelectorAll('.global-nav > ul > li')].map(li => li.offsetTop)")
        assert len(set(tops)) == 1, f"{width}px: the menu is on {len(set(tops))} rows"


def test_a_focused_entry_stays_focused_when_the_window_narrows(page, demo):
    """Narrowing the window collapses the menu; the entry holding the keyboard
    focus must not be hidden under it (the browser would blur it and the next
    Enter would land on <body>): the collapsed menu opens instead. A full-page
    screenshot does this resize too (1x1 and back), which once broke the
    keyboard walk in test_accessibility."""
    login(page, ADMIN, PASSWORD)
    page.wait_for_url("**/home/")
    page.locator(".global-nav summary", has_text="ユーザ").click()
    page.get_by_role("link", name="ユーザ追加").focus()
    page.set_viewport_size({"width": 320, "height": 800})
    page.wait_for_timeout(100)  # the browser's focus fixup runs at the next frame
    toggle = page.locator(".nav-toggle")
    assert toggle.is_visible()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.activeElement.textContent.trim()") == "ユーザ追加"
    page.set_viewport_size({"width": 1280, "height": 800})
    page.wait_for_timeout(100)
    assert not toggle.is_visible()
    page.keyboard.press("Enter")
    page.wait_for_url("**/users/add/")


def test_the_menu_follows_its_width_when_no_window_resize_says_so(page, demo):
    """The room for the menu can change with no window resize (a scrollbar
    appearing or going as the page grows): the header's own width is watched.
    Once the English menu, which fits 1280 px with nothing to spare, stayed
    collapsed after a full-page screenshot's resize and its entries could not
    be clicked."""
    login(page, ADMIN, PASSWORD)
    page.wait_for_url("**/home/")
    toggle = page.locator(".nav-toggle")
    assert not toggle.is_visible()
    page.evaluate("document.querySelector('.site-header').style.width = '600px'")
    expect(toggle).to_be_visible()  # collapsed
    page.evaluate("document.querySelector('.site-header').style.width = ''")
    expect(toggle).to_be_hidden()
    expect(page.get_by_role("navigation", name="グローバルメニュー").get_by_text("ユーザ", exact=True)).to_be_visible()


def _login_en(page) -> None:
    page.goto("/")
    page.get_by_label("User ID").fill(ADMIN)
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
