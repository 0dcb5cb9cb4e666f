"""Layout defects found walking every chapter (issue 23): user text never
widens the page, and the i badge is styled on every page."""

from __future__ import annotations

import pytest

from accounts.models import User
from bulletin.models import Article, Category
from tenants.scoping import operator_scope
from tests.e2e.conftest import login

ADMIN = "admin@demo.example.com"
PASSWORD = "DemoPass2026"
LONG = "長" * 3 + "A" * 160  # one unbroken run, as pasted URLs and codes are


def _page_width(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


@pytest.mark.parametrize("width", [1366, 390])
def test_long_unbroken_titles_do_not_widen_the_page(page, demo, width, screenshot):
    """Bulletin list and article with a 160-character unbroken title: the page
    stays as wide as the window (it grew to 1532–2320 px at 1366)."""
    with operator_scope():
        admin = User.objects.get(email=ADMIN)
        category = Category.objects.filter(tenant=admin.tenant).first()
        article = Article.objects.create(
            tenant=admin.tenant, category=category, title=LONG[:100], body=LONG * 3, author=admin
        )
    page.set_viewport_size({"width": width, "height": 900})
    login(page, ADMIN, PASSWORD)
    page.wait_for_url("**/home/")
    for url in ("/bulletin/", f"/bulletin/articles/{article.pk}/", "/bulletin/edit/"):
        page.goto(url)
        scroll, inner = _page_width(page)
        assert scroll <= inner, f"{url} at {width}px is {scroll}px wide"
    screenshot(f"layout-long-title-{width}")


def test_the_unread_badge_is_styled_outside_the_notice_pages(page, demo):
    """「i 4」 was plain text except on the notice pages (their stylesheet);
    the demo publishes a few items, so the admin's home has a badge."""
    login(page, ADMIN, PASSWORD)
    page.wait_for_url("**/home/")
    badge = page.locator(".menu-badge").first
    background = badge.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
