"""BBS-1, BBS-5 in the browser (issue 19): 記事追加 with メール通知 する →
確認 → 完了, then the browser's Back and 完了 again. One article, one mail per
registered user, and the 完了-already page linking to the first 完了's page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import User
from bulletin.models import Article
from mail.models import OutboxMessage
from tenants.scoping import operator_scope
from tests.e2e.conftest import login
from tests.factories import TEST_PASSWORD, TenantFactory, UserFactory
from tests.uploads.samples import PDF

ADMIN = "once-admin@e2e.example.com"
USER = "once-user@e2e.example.com"


@pytest.fixture
def once_tenant(transactional_db):
    tenant = TenantFactory(name="二重送信テスト株式会社")
    UserFactory(tenant=tenant, email=ADMIN, role=User.Role.ADMIN, is_representative=True, last_name="管理", first_name="一郎")
    UserFactory(tenant=tenant, email=USER, last_name="利用", first_name="花子")
    return tenant


def test_bbs1_back_and_complete_again_posts_once(page, live_server, once_tenant, screenshot):
    login(page, ADMIN, TEST_PASSWORD)
    page.goto("/bulletin/articles/add/")
    page.get_by_label("タイトル").fill("一度だけの記事")
    page.get_by_label("本文").fill("二度押しても一件です。")
    page.get_by_label("する", exact=True).check()
    page.locator("input[type=file][name=attachments]").set_input_files(
        files=[{"name": "要項.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="確認").click()
    expect(page.get_by_role("heading", name="記事追加確認")).to_be_visible()
    expect(page.get_by_role("heading", name="2 名に送信します")).to_be_visible()
    page.get_by_role("button", name="完了").click()
    expect(page.get_by_role("heading", name="記事追加完了")).to_be_visible()
    done_url = page.url

    # The browser's Back shows the 確認 page again; 完了 once more.
    page.go_back()
    expect(page.get_by_role("heading", name="記事追加確認")).to_be_visible()
    page.get_by_role("button", name="完了").click()
    expect(page.get_by_role("heading", name="この操作はすでに完了しています")).to_be_visible()
    expect(page.get_by_text("有効期限")).to_have_count(0)
    link = page.get_by_role("link", name="登録した内容を表示")
    expect(link).to_have_attribute("href", done_url.removeprefix(live_server.url))
    nav = page.get_by_role("navigation", name="グローバルメニュー")
    expect(nav.locator("[aria-current]")).to_have_text("社内向け掲示板")
    screenshot("bulletin-already-done")

    with operator_scope():
        articles = list(Article.objects.filter(tenant=once_tenant))
        assert [a.title for a in articles] == ["一度だけの記事"]
        mails = list(OutboxMessage.objects.filter(template="bulletin_article"))
    assert sorted(m.to[0] for m in mails) == [ADMIN, USER]
    assert {m.subject for m in mails} == {"【My KDDI Biz 総合】社内向け掲示板：一度だけの記事"}

    link.click()
    expect(page.get_by_role("heading", name="記事追加完了")).to_be_visible()
    page.get_by_role("link", name="記事を見る").click()
    expect(page.get_by_role("heading", name="一度だけの記事")).to_be_visible()
    expect(page.get_by_role("link", name="要項.pdf")).to_be_visible()
