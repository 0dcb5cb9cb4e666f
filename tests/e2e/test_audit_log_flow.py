"""操作ログ walk (issue 15): an admin finds their own login in the log via the
global menu, narrows it by action, and downloads the CSV. The 操作 filter
offers every chapter's actions, grouped by app (issue 19)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import login


def test_audit_log_walk(page, demo, screenshot):
    login(page, "admin@demo.example.com", "DemoPass2026")
    page.get_by_role("link", name="操作ログ").first.click()
    expect(page.get_by_role("heading", name="操作ログ")).to_be_visible()
    expect(page.get_by_role("cell", name="ログイン", exact=True).first).to_be_visible()
    screenshot("audit-log")
    action = page.get_by_label("操作", exact=True)
    expect(action.locator("optgroup[label='社内向け掲示板'] option", has_text="記事追加")).to_have_count(1)
    expect(action.locator("optgroup[label='画面カスタマイズ設定'] option", has_text="サイトロゴ設定")).to_have_count(1)
    page.get_by_label("操作", exact=True).select_option(label="ログイン")
    page.get_by_label("操作者 ID").fill("admin@demo")
    page.get_by_role("button", name="検索").click()
    expect(page.get_by_label("操作者 ID")).to_have_value("admin@demo")
    expect(page.get_by_role("cell", name="admin@demo.example.com").first).to_be_visible()
    screenshot("audit-log-search")
    with page.expect_download() as download:
        page.get_by_role("button", name="CSV ダウンロード").click()
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert content.startswith("日時,操作者 ID,操作") and "ログイン" in content
