"""Notices in the browser (NOTIF-2, NOTIF-3, HOME-3): an admin narrows the
イーサエコノミー area to 北海道; an operator publishes, in Django admin, an
outage for 東京都 and one for 北海道; only the second reaches the tenant's
users (outbox rows) and shows unread in their i list; opening it clears the
mark."""

from __future__ import annotations

from playwright.sync_api import expect

from accounts.models import User
from mail.models import OutboxMessage
from portal.management.commands.seed_demo import DEMO_OPERATOR_TOTP_SECRET
from tenants.scoping import operator_scope
from tests.e2e.conftest import ARTIFACTS, enter_totp, login

TOKYO_TITLE = "東京都の回線障害"


def shot(page, name: str) -> None:
    """A screenshot of another browser context than the fixture's page."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

HOKKAIDO_TITLE = "北海道の回線障害"


def _narrow_to_hokkaido(page, screenshot) -> None:
    login(page, "admin@demo.example.com", "DemoPass2026")
    page.get_by_text("サービス", exact=True).click()
    page.get_by_role("link", name="メール通知サービス設定").click()
    expect(page.get_by_role("heading", name="メール通知サービス設定")).to_be_visible()
    screenshot("notices-areas-before")
    page.get_by_role("link", name="設定").click()
    expect(page.get_by_label("関東")).to_be_checked()  # the demo's area, shown by region
    page.get_by_label("関東").uncheck()  # the script unticks its seven prefectures
    expect(page.get_by_label("東京都")).not_to_be_checked()
    page.get_by_label("北海道", exact=True).check()
    screenshot("notices-area-edit")
    page.get_by_role("button", name="確認").click()
    expect(page.get_by_test_id("confirm-area")).to_have_text("北海道")
    screenshot("notices-area-confirm")
    page.get_by_role("button", name="完了").click()
    expect(page.get_by_text("対象エリアを設定しました。")).to_be_visible()
    screenshot("notices-area-done")
    page.get_by_role("link", name="メール通知サービス設定へ戻る").click()
    expect(page.get_by_test_id("area-ether_economy")).to_have_text("北海道")


def _publish_outage(page, *, title: str, prefecture: str, name: str) -> None:
    page.goto("/admin/notifications/notice/add/")
    page.locator("#id_kind").select_option(label="障害情報")
    page.locator("#id_title").fill(title)
    page.locator("#id_body").fill("現在、復旧作業を行っております。")
    page.locator("#id_service").select_option(label="イーサエコノミー")
    page.locator("#id_nationwide").uncheck()
    page.get_by_label(prefecture, exact=True).check()
    page.locator("input[name=_continue]").click()  # 保存して編集を続ける
    page.get_by_role("link", name="公開・訂正・復旧").click()
    expect(page.get_by_test_id("subject-initial")).to_contain_text(f"【障害情報】イーサエコノミー {title}")
    shot(page, f"notices-admin-publish-{name}")
    page.get_by_role("button", name="公開", exact=True).click()
    expect(page.get_by_text("公開しました")).to_be_visible()


def test_notif3_only_the_notice_for_the_tenants_area_reaches_its_users(browser, live_server, demo, screenshot, page):
    _narrow_to_hokkaido(page, screenshot)

    operator = browser.new_context(base_url=live_server.url, locale="ja-JP", viewport={"width": 1280, "height": 900})
    admin_page = operator.new_page()
    admin_page.goto("/admin/login/")
    admin_page.locator("#id_username").fill("operator@demo.example.com")
    admin_page.locator("#id_password").fill("DemoPass2026")
    admin_page.locator("input[type=submit]").click()
    enter_totp(admin_page, DEMO_OPERATOR_TOTP_SECRET)  # issue 24: operators always
    _publish_outage(admin_page, title=TOKYO_TITLE, prefecture="東京都", name="tokyo")
    expect(admin_page.get_by_text("対象テナント 0 社")).to_be_visible()
    _publish_outage(admin_page, title=HOKKAIDO_TITLE, prefecture="北海道", name="hokkaido")
    expect(admin_page.get_by_text("対象テナント 1 社")).to_be_visible()
    operator.close()

    with operator_scope():
        tenant_id = User.all_objects.get(email="user@demo.example.com").tenant_id
        subjects = set(
            OutboxMessage.objects.filter(tenant_id=tenant_id, template="notice", to=["user@demo.example.com"])
            .values_list("subject", flat=True)
        )
    assert f"【障害情報】イーサエコノミー {HOKKAIDO_TITLE}" in subjects
    assert not any(TOKYO_TITLE in s for s in subjects)

    user = browser.new_context(base_url=live_server.url, locale="ja-JP", viewport={"width": 1280, "height": 900})
    user_page = user.new_page()
    login(user_page, "user@demo.example.com", "DemoPass2026")
    info = user_page.get_by_role("link", name="i 3 件の未読")  # the two demo items and the outage
    expect(info).to_be_visible()
    info.click()
    expect(user_page.get_by_role("heading", name="インフォメーション一覧")).to_be_visible()
    row = user_page.get_by_role("row").filter(has_text=HOKKAIDO_TITLE)
    expect(row).to_contain_text("未読")
    expect(user_page.get_by_text(TOKYO_TITLE)).to_have_count(0)
    shot(user_page, "notices-user-info-unread")
    row.get_by_role("link").click()
    expect(user_page.get_by_role("heading", name=f"【障害情報】{HOKKAIDO_TITLE}")).to_be_visible()
    shot(user_page, "notices-user-info-detail")
    user_page.get_by_role("link", name="インフォメーション一覧へ戻る").click()
    row = user_page.get_by_role("row").filter(has_text=HOKKAIDO_TITLE)
    expect(row).not_to_contain_text("未読")
    expect(user_page.get_by_role("link", name="i 2 件の未読")).to_be_visible()
    shot(user_page, "notices-user-info-after")
    user.close()
