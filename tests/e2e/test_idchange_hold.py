"""保留中 and the withdrawal mail in the browser (issue 9; IDC-1, IDC-10)."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from idchange.models import IdChangeApplication
from idchange.services.hold import hold_id_change
from mail.models import OutboxMessage
from tenants.scoping import operator_scope
from tests.e2e.conftest import login
from tests.e2e.test_idchange_flow import PINNED, _apply, _gw_section

NOTE = "ご契約者さまの確認書を担当営業へご提出ください。"
WITHDRAWN = "【My KDDI Biz 総合】サービス情報変更取下のお知らせ"


@pytest.fixture
def pinned(settings):
    settings.IDCHANGE_NOW = PINNED


def test_held_application_reads_as_held_with_the_note_then_withdrawal_is_mailed(page, demo, pinned, screenshot):
    login(page, "admin@demo.example.com", "DemoPass2026")
    receipt = _apply(page, screenshot, delta="-2", month="翌月", shot="")
    with operator_scope():
        application = IdChangeApplication.objects.get(receipt_number=receipt)
        hold_id_change(application=application, actor=None, now=timezone.now(), note=NOTE)

    page.goto("/idchange/")
    gw = _gw_section(page)
    expect(gw.get_by_text("保留中", exact=True)).to_be_visible()
    expect(gw.get_by_text(NOTE)).to_be_visible()
    screenshot("idchange-list-held")
    gw.get_by_role("link", name=receipt).click()
    expect(page.get_by_text("保留中", exact=True)).to_be_visible()
    screenshot("idchange-detail-held")

    page.get_by_role("link", name="取下").click()
    page.get_by_role("button", name="取下").click()
    expect(page.get_by_text(f"受付番号 {receipt} の申込を取下しました。")).to_be_visible()
    with operator_scope():
        bodies = list(OutboxMessage.objects.filter(subject=WITHDRAWN).values_list("body", flat=True))
    assert len(bodies) == 1 and receipt in bodies[0]
