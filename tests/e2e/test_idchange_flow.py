"""ID-count changes in the browser (IDC-1, IDC-2, IDC-9, IDC-10, IDC-11).

The ID-change clock is pinned with ``settings.IDCHANGE_NOW`` (idchange/clock.py)
to Wednesday 2026-05-20 10:00 JST, so the flow is the same whatever today's
date is; the rest of the process keeps the real clock, so the browser's
session cookie stays valid.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from idchange import tasks
from idchange.models import IdChangeApplication
from mail.models import OutboxMessage
from tenants.scoping import operator_scope
from tests.e2e.conftest import login

PINNED = datetime(2026, 5, 20, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
RECEIVED = "【My KDDI Biz 総合】サービス情報変更受付のお知らせ"
COMPLETED = "【My KDDI Biz 総合】サービス情報変更完了のお知らせ"


@pytest.fixture
def pinned(settings):
    settings.IDCHANGE_NOW = PINNED


def _gw_section(page):
    return page.get_by_role("region", name="Google Workspace")


def _apply(page, screenshot, *, delta: str, month: str, shot: str) -> str:
    page.goto("/idchange/")
    _gw_section(page).get_by_role("link", name="ID 数変更申込").click()
    expect(page.get_by_role("heading", name="ID 数変更申込（入力）")).to_be_visible()
    page.get_by_label("増減 ID 数").fill(delta)
    page.get_by_label(month).check()
    page.get_by_label("利用規約に同意する").check()
    if shot:
        screenshot(f"idchange-{shot}-input")
    page.get_by_role("button", name="確認").click()
    expect(page.get_by_role("heading", name="ID 数変更申込（確認）")).to_be_visible()
    if shot:
        screenshot(f"idchange-{shot}-confirm")
    page.get_by_role("button", name="申込").click()
    expect(page.get_by_role("heading", name="ID 数変更申込完了")).to_be_visible()
    if shot:
        screenshot(f"idchange-{shot}-done")
    with operator_scope():
        return IdChangeApplication.objects.latest("pk").receipt_number


def test_gw_next_month_reduction_then_withdraw_then_this_month_addition_applied(page, demo, pinned, screenshot):
    login(page, "admin@demo.example.com", "DemoPass2026")
    page.goto("/idchange/")
    expect(page.get_by_role("heading", name="ID 数確認/変更申込")).to_be_visible()
    screenshot("idchange-list")

    # 翌月 reduction: 処理待ち, withdrawable until 2026/06/01 12:00.
    receipt = _apply(page, screenshot, delta="-5", month="翌月", shot="reduction")
    expect(page.get_by_text(receipt)).to_be_visible()
    page.get_by_role("link", name="ID 数確認／変更申込画面に戻る").click()
    gw = _gw_section(page)
    expect(gw.get_by_role("link", name=receipt)).to_be_visible()
    expect(gw.get_by_text("処理待ち", exact=True)).to_be_visible()
    expect(gw.get_by_role("button", name="ID 数変更申込")).to_be_disabled()
    screenshot("idchange-list-pending")

    # 受付番号 opens the details; 取下 asks first, then withdraws.
    gw.get_by_role("link", name=receipt).click()
    expect(page.get_by_role("heading", name="申込内容")).to_be_visible()
    expect(page.get_by_text("2026/06/01 12:00").first).to_be_visible()
    screenshot("idchange-detail")
    page.get_by_role("link", name="取下").click()
    expect(page.get_by_role("heading", name="取下の確認")).to_be_visible()
    screenshot("idchange-withdraw-confirm")
    page.get_by_role("button", name="取下").click()
    expect(page.get_by_text(f"受付番号 {receipt} の申込を取下しました。")).to_be_visible()
    expect(_gw_section(page).get_by_text("申込中の変更はありません。")).to_be_visible()

    # 当月 addition: the job applies it at once (its effective instant is now).
    receipt2 = _apply(page, screenshot, delta="3", month="当月", shot="addition")
    assert tasks.apply_due_changes() == 1
    page.goto("/idchange/")
    gw = _gw_section(page)
    expect(gw.get_by_text("処理中", exact=True)).to_be_visible()
    # The plan, its add-on tool (IDC-12) and the plans' total all read 53.
    expect(gw.get_by_role("cell", name="53", exact=True)).to_have_count(3)
    screenshot("idchange-list-applied")

    with operator_scope():
        subjects = list(
            OutboxMessage.objects.filter(to=["admin@demo.example.com"]).values_list("subject", "body")
        )
    assert [s for s, _ in subjects].count(RECEIVED) == 2
    completed = [b for s, b in subjects if s == COMPLETED]
    assert len(completed) == 1 and receipt2 in completed[0]


def test_m365_input_lists_every_line(page, demo, pinned, screenshot):
    """IDC-5: Microsoft 365 applications hold several lines, incl. a plan not yet contracted."""
    login(page, "admin@demo.example.com", "DemoPass2026")
    page.goto("/idchange/")
    page.get_by_role("region", name="Microsoft 365 with KDDI").get_by_role("link", name="ID 数変更申込").click()
    expect(page.get_by_label("Microsoft 365 E3")).to_be_visible()
    page.get_by_label("Microsoft Teams Phone Standard").fill("25")
    page.get_by_label("当月").check()
    page.get_by_label("利用規約に同意する").check()
    page.get_by_role("button", name="確認").click()
    expect(page.get_by_text("オプションの契約数は適用されているプランの契約数以内にしてください。")).to_be_visible()
    screenshot("idchange-m365-option-cap")


def test_idc2_back_and_apply_again_applies_once(page, demo, pinned, screenshot):
    """IDC-2 with the web kit (issue 19): 戻る on 確認 keeps the input; after
    申込, the browser's Back and 申込 again apply nothing more and say so."""
    login(page, "admin@demo.example.com", "DemoPass2026")
    page.goto("/idchange/")
    _gw_section(page).get_by_role("link", name="ID 数変更申込").click()
    page.get_by_label("増減 ID 数").fill("2")
    page.get_by_label("翌月").check()
    page.get_by_label("利用規約に同意する").check()
    page.get_by_role("button", name="確認").click()
    page.get_by_role("button", name="戻る").click()
    expect(page.get_by_role("heading", name="ID 数変更申込（入力）")).to_be_visible()
    expect(page.get_by_label("増減 ID 数")).to_have_value("2")
    expect(page.get_by_label("翌月")).to_be_checked()
    page.get_by_role("button", name="確認").click()
    page.get_by_role("button", name="申込").click()
    expect(page.get_by_role("heading", name="ID 数変更申込完了")).to_be_visible()
    page.go_back()
    expect(page.get_by_role("heading", name="ID 数変更申込（確認）")).to_be_visible()
    page.get_by_role("button", name="申込").click()
    expect(page.get_by_role("heading", name="この操作はすでに完了しています")).to_be_visible()
    screenshot("idchange-apply-again")
    page.get_by_role("link", name="登録した内容を表示").click()
    expect(page.get_by_role("heading", name="ID 数変更申込完了")).to_be_visible()
    with operator_scope():
        assert IdChangeApplication.objects.count() == 1
        assert OutboxMessage.objects.filter(subject=RECEIVED).count() == 1
