"""Every page an admin and a user reach, on a phone (issue 23): at 390 px no
page is wider than the window (wide tables scroll inside their own box), and
axe finds nothing serious or critical, in Japanese and in English."""

from __future__ import annotations

import pytest

from bulletin.models import Article
from tests.e2e.conftest import login
from tests.e2e.test_accessibility import ADMIN, PASSWORD, USER, Findings, _pk

ADMIN_PAGES = [
    "/home/",
    "/users/",
    "/users/add/",
    "/users/organizations/",
    "/users/import/",
    "/contract/",
    "/idchange/",
    "/notices/areas/",
    "/notices/information/",
    "/notices/manuals/",
    "/customization/",
    "/customization/links/",
    "/customization/links/add/",
    "/customization/site-logo/",
    "/customization/login/",
    "/bulletin/",
    "/bulletin/edit/",
    "/bulletin/articles/add/",
    "/inquiries/",
    "/inquiries/general/",
    "/inquiries/trouble/",
    "/inquiries/history/",
    "/audit-log/",
    "/account/password/",
    "/account/notification-email/",
]
USER_PAGES = [
    "/home/",
    "/bulletin/",
    "/notices/information/",
    "/notices/manuals/",
    "/inquiries/",
    "/inquiries/general/",
    "/account/password/",
]

WIDTH = 390


def _walk(page, pages: list[str], found: Findings, label: str) -> list[str]:
    wide = []
    for url in pages:
        response = page.goto(url)
        if response is None or response.status >= 400:
            wide.append(f"{url}: HTTP {response.status if response else '?'}")
            continue
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > WIDTH:
            wide.append(f"{url}: {scroll}px")
        found.check(page, f"{label} {url}")
    return wide


@pytest.mark.parametrize("locale", ["ja-JP", "en-US"])
def test_every_page_fits_a_phone_and_passes_axe(browser, live_server, demo, locale):
    context = browser.new_context(
        base_url=live_server.url, locale=locale, viewport={"width": WIDTH, "height": 844}, bypass_csp=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    found = Findings()
    try:
        if locale == "ja-JP":
            login(page, ADMIN, PASSWORD)
        else:
            _login_en(page, ADMIN)
        page.wait_for_url("**/home/")
        article = _pk(Article, title="健康診断の日程")
        wide = _walk(page, [*ADMIN_PAGES, f"/bulletin/articles/{article}/"], found, "admin")
        context.clear_cookies()
        if locale == "ja-JP":
            login(page, USER, PASSWORD)
        else:
            _login_en(page, USER)
        page.wait_for_url("**/home/")
        wide += _walk(page, USER_PAGES, found, "user")
    finally:
        context.close()
    assert wide == [], "\n".join(wide)
    assert found.blocking == 0, found.report()


def _login_en(page, login_id: str) -> None:
    page.goto("/")
    page.get_by_label("User ID").fill(login_id)
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
