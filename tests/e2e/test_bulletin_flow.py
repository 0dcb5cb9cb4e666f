"""The bulletin board in the browser (BBS-1 … BBS-5, HOME-2).

An admin adds a category and articles (the first with メール通知 する and a
PDF attached); a user sees the menu entry appear, reads the article and
downloads the attachment; the admin reorders by
dragging and with the keyboard; the user sees the new order; the outbox holds
one mail per registered user.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import User
from mail.models import OutboxMessage
from tenants.scoping import operator_scope
from tests.e2e.conftest import ARTIFACTS, login
from tests.factories import TEST_PASSWORD, TenantFactory, UserFactory
from tests.uploads.samples import PDF

ADMIN = "board-admin@e2e.example.com"
USER = "board-user@e2e.example.com"


@pytest.fixture
def board_tenant(transactional_db):
    tenant = TenantFactory(name="掲示板テスト株式会社")
    UserFactory(tenant=tenant, email=ADMIN, role=User.Role.ADMIN, is_representative=True, last_name="管理", first_name="一郎")
    UserFactory(tenant=tenant, email=USER, last_name="利用", first_name="花子")
    UserFactory(tenant=tenant, email="suspended@e2e.example.com", status=User.Status.SUSPENDED)
    UserFactory(tenant=tenant, email="pending@e2e.example.com", status=User.Status.PENDING)
    UserFactory(tenant=TenantFactory(), email="other-tenant@e2e.example.com")
    return tenant


def _menu(page):
    return page.get_by_role("navigation", name="グローバルメニュー")


def _add_article(
    page, screenshot, *, category: str, title: str, body: str, mail: bool, shot: str = "", attachment: str = ""
) -> None:
    page.goto("/bulletin/")
    page.get_by_role("link", name="記事追加").click()
    expect(page.get_by_role("heading", name="記事追加")).to_be_visible()
    page.get_by_label("カテゴリ").select_option(label=category)
    page.get_by_label("タイトル").fill(title)
    page.get_by_label("本文").fill(body)
    page.get_by_label("する" if mail else "しない", exact=True).check()
    if attachment:
        page.locator("input[type=file][name=attachments]").set_input_files(
            files=[{"name": attachment, "mimeType": "application/pdf", "buffer": PDF}]
        )
    if shot:
        screenshot(f"bulletin-{shot}-input")
    page.get_by_role("button", name="確認").click()
    expect(page.get_by_role("heading", name="記事追加確認")).to_be_visible()
    if attachment:
        expect(page.get_by_role("link", name=attachment)).to_be_visible()
    if mail:
        expect(page.get_by_role("heading", name="2 名に送信します")).to_be_visible()
        expect(page.get_by_text(f"【My KDDI Biz 総合】社内向け掲示板：{title}")).to_be_visible()
    if shot:
        screenshot(f"bulletin-{shot}-confirm")
    page.get_by_role("button", name="完了").click()
    expect(page.get_by_role("heading", name="記事追加完了")).to_be_visible()
    if shot:
        screenshot(f"bulletin-{shot}-done")


def _shoot(page, name: str) -> None:
    """A screenshot of the second (user's) browser context."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _titles(page, selector: str) -> list[str]:
    return [t.strip() for t in page.locator(selector).all_inner_texts()]


def _drag(page, source, target) -> None:
    """SortableJS (fallback mode) follows the mouse: press, move in steps, release."""
    box_s, box_t = source.bounding_box(), target.bounding_box()
    page.mouse.move(box_s["x"] + box_s["width"] / 2, box_s["y"] + box_s["height"] / 2)
    page.mouse.down()
    steps = 12
    for i in range(1, steps + 1):
        y = box_s["y"] + (box_t["y"] + box_t["height"] * 0.8 - box_s["y"]) * i / steps
        page.mouse.move(box_t["x"] + box_t["width"] / 2, y)
        page.wait_for_timeout(30)
    page.mouse.up()


def test_bulletin_flow(browser, live_server, page, board_tenant, screenshot):
    # The user first: no article yet, so no 社内向け掲示板 in the menu (HOME-2).
    user_context = browser.new_context(base_url=live_server.url, locale="ja-JP", viewport={"width": 1280, "height": 900})
    user_page = user_context.new_page()
    login(user_page, USER, TEST_PASSWORD)
    expect(_menu(user_page).get_by_role("link", name="ホーム")).to_be_visible()
    expect(_menu(user_page).get_by_role("link", name="社内向け掲示板")).to_have_count(0)

    # The admin always has it; カテゴリ追加 with ＋ rows → 確認 → 完了 (BBS-2).
    login(page, ADMIN, TEST_PASSWORD)
    _menu(page).get_by_role("link", name="社内向け掲示板").click()
    expect(page.get_by_role("heading", name="社内向け掲示板")).to_be_visible()
    screenshot("bulletin-empty-board")
    page.get_by_role("link", name="カテゴリ追加").click()
    page.locator("input[name=form-0-name]").fill("社内行事")
    page.get_by_role("button", name="入力欄を追加").click()
    expect(page.locator("input[name=form-1-name]")).to_be_focused()
    page.locator("input[name=form-1-name]").fill("総務")
    screenshot("bulletin-category-add")
    page.get_by_role("button", name="確認").click()
    expect(page.get_by_role("heading", name="カテゴリ追加確認")).to_be_visible()
    page.get_by_role("button", name="完了").click()
    expect(page.get_by_role("heading", name="カテゴリ追加完了")).to_be_visible()

    # 記事追加 with メール通知 する (BBS-1, BBS-5), then two more without.
    _add_article(
        page, screenshot, category="社内行事", title="秋の運動会",
        body="10 月 12 日に開催します。\n詳細は https://www.example.com/sports をご覧ください。", mail=True, shot="article",
        attachment="運動会要項.pdf",
    )
    page.get_by_role("link", name="記事を見る").click()
    expect(page.get_by_role("heading", name="秋の運動会")).to_be_visible()
    expect(page.get_by_role("link", name="https://www.example.com/sports")).to_have_attribute("rel", "noopener noreferrer")
    _add_article(page, screenshot, category="社内行事", title="忘年会のご案内", body="12 月 20 日です。", mail=False)
    _add_article(page, screenshot, category="社内行事", title="新年会のご案内", body="1 月 10 日です。", mail=False)

    # The user now sees the entry and reads the article.
    user_page.goto("/home/")
    _menu(user_page).get_by_role("link", name="社内向け掲示板").click()
    expect(user_page.get_by_role("link", name="記事追加")).to_have_count(0)
    _shoot(user_page, "bulletin-user-board")
    user_page.get_by_role("link", name="秋の運動会").click()
    expect(user_page.get_by_text("10 月 12 日に開催します。")).to_be_visible()
    with user_page.expect_download() as download:
        user_page.get_by_role("link", name="運動会要項.pdf").click()
    assert download.value.suggested_filename == "運動会要項.pdf"
    with open(download.value.path(), "rb") as fh:
        assert fh.read() == PDF
    _shoot(user_page, "bulletin-user-article")

    # 編集: drag a category and an article, then the keyboard (BBS-4).
    page.goto("/bulletin/edit/")
    expect(page.get_by_role("heading", name="掲示板編集")).to_be_visible()
    assert _titles(page, ".edit-category h2") == ["お知らせ", "社内行事", "総務"]
    events = page.locator(".edit-category", has=page.get_by_role("heading", name="社内行事"))
    assert _titles(page, ".edit-category:nth-child(2) .edit-articles .edit-row__title") == ["新年会のご案内", "忘年会のご案内", "秋の運動会"]
    screenshot("bulletin-edit-before")

    soumu = page.locator(".edit-category", has=page.get_by_role("heading", name="総務"))
    news = page.locator(".edit-category", has=page.get_by_role("heading", name="お知らせ"))
    with page.expect_response("**/bulletin/categories/order/") as saved:
        _drag(page, soumu.locator(".edit-row--category .drag-handle"), news.locator(".edit-row--category"))
    assert saved.value.ok
    expect(page.get_by_role("status").filter(has_text="表示順を保存しました。")).to_be_visible()
    rows = events.locator(".edit-articles > li")
    with page.expect_response("**/order/") as saved:
        _drag(page, rows.nth(2).locator(".drag-handle"), rows.nth(0))
    assert saved.value.ok
    screenshot("bulletin-edit-dragged")
    page.reload()
    assert _titles(page, ".edit-category h2") == ["総務", "お知らせ", "社内行事"]
    events = page.locator(".edit-category", has=page.get_by_role("heading", name="社内行事"))
    assert _titles(page, ".edit-category:nth-child(3) .edit-articles .edit-row__title") == ["秋の運動会", "新年会のご案内", "忘年会のご案内"]

    # Keyboard: focus 「忘年会のご案内」を上へ and press Enter. The row moves in
    # place (no reload), focus stays on its button and the move is announced
    # (issue 23); the order is saved.
    page.evaluate("window.notReloaded = true")
    up = page.get_by_role("button", name="「忘年会のご案内」を上へ")
    up.focus()
    with page.expect_response("**/order/") as saved:
        page.keyboard.press("Enter")
    assert saved.value.ok
    expect(page.get_by_role("status")).to_have_text("「忘年会のご案内」を上へ移動しました。")
    expect(page.locator(".edit-category:nth-child(3) .edit-articles .edit-row__title").nth(1)).to_have_text("忘年会のご案内")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "「忘年会のご案内」を上へ"
    page.get_by_role("button", name="「総務」を下へ").focus()
    with page.expect_response("**/categories/order/"):
        page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("「総務」を下へ移動しました。")
    assert _titles(page, ".edit-category h2") == ["お知らせ", "総務", "社内行事"]
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "「総務」を下へ"
    assert page.evaluate("window.notReloaded") is True
    screenshot("bulletin-edit-keyboard")
    page.reload()
    assert _titles(page, ".edit-category h2") == ["お知らせ", "総務", "社内行事"]
    assert _titles(page, ".edit-category:nth-child(3) .edit-articles .edit-row__title")[1] == "忘年会のご案内"

    # The user sees the new order.
    user_page.goto("/bulletin/")
    assert _titles(user_page, ".board-category__title") == ["お知らせ", "総務", "社内行事"]
    assert _titles(user_page, ".board-category:nth-child(3) .board-articles a") == ["秋の運動会", "忘年会のご案内", "新年会のご案内"]
    _shoot(user_page, "bulletin-user-reordered")

    # One mail per registered user: the admin and the user; not the suspended,
    # the pending, nor the other tenant's user.
    with operator_scope():
        mails = list(OutboxMessage.objects.filter(template="bulletin_article"))
    assert sorted(m.to[0] for m in mails) == [ADMIN, USER]
    assert {m.subject for m in mails} == {"【My KDDI Biz 総合】社内向け掲示板：秋の運動会"}
    user_context.close()
