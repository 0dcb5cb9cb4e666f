"""Accessibility of the bulletin pages (BBS-1 … BBS-5) with axe-core, as
tests/e2e/test_accessibility.py does for the other chapters: no serious or
critical finding, no broken id reference."""

from __future__ import annotations

from playwright.sync_api import expect

from bulletin.models import Article, Category
from tests.e2e.conftest import login
from tests.e2e.test_accessibility import ADMIN, PASSWORD, USER, Findings, _pk, a11y_page  # noqa: F401


def test_bulletin_pages_have_no_serious_or_critical_axe_violations(a11y_page, demo):  # noqa: F811
    page = a11y_page
    found = Findings()
    login(page, ADMIN, PASSWORD)
    page.wait_for_url("**/home/")
    article = _pk(Article, title="健康診断の日程")
    events = _pk(Category, name="社内行事")
    for url, name in (
        ("/bulletin/", "社内向け掲示板 (admin)"),
        (f"/bulletin/articles/{article}/", "記事 with attachment"),
        ("/bulletin/edit/", "掲示板編集"),
        ("/bulletin/articles/add/", "記事追加"),
        ("/bulletin/categories/add/", "カテゴリ追加"),
        (f"/bulletin/categories/{events}/delete/", "カテゴリ削除"),
        (f"/bulletin/articles/{article}/delete/", "記事削除"),
    ):
        page.goto(url)
        found.check(page, name)

    page.goto("/bulletin/articles/add/")
    page.get_by_role("button", name="確認").click()  # empty: the errors as shown
    expect(page.get_by_text("タイトルを入力してください。")).to_be_visible()
    found.check(page, "記事追加 with errors")
    page.get_by_label("タイトル").fill("確認画面")
    page.get_by_label("本文").fill("本文")
    page.get_by_label("する", exact=True).check()
    page.get_by_role("button", name="確認").click()
    expect(page.get_by_role("heading", name="記事追加確認")).to_be_visible()
    found.check(page, "記事追加確認 with the mail")

    page.context.clear_cookies()
    login(page, USER, PASSWORD)
    page.wait_for_url("**/home/")
    page.goto("/bulletin/")
    found.check(page, "社内向け掲示板 (user)")
    assert found.blocking == 0, found.report()
