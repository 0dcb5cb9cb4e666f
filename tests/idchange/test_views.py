"""The screens: ID 数確認/変更申込 list, 入力 → 確認 → 申込 → 完了, detail and
取下 (IDC-1, IDC-2, IDC-9, IDC-10), with the checklist for each view."""

from __future__ import annotations

import re
from http import HTTPStatus

import pytest
from django.urls import reverse
from freezegun import freeze_time

from audit.models import AuditEntry
from idchange.models import IdChangeApplication
from idchange.services.offline_reductions import register_offline_reduction
from idchange.services.submit import submit_id_change
from mail.models import OutboxMessage
from tenants.scoping import operator_scope, tenant_scope
from tests.factories import ContractFactory
from tests.idchange.conftest import jst, plan_line
from tests.web.flow import done_data, submit_through_confirm, token_for, token_from

NOW = "2026-05-20 10:00:00+09:00"


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time(NOW):
        yield


def _submit(contract, delta, target, user):
    from django.utils import timezone

    line = plan_line(contract)
    with tenant_scope(contract.tenant_id):
        return submit_id_change(
            contract=contract, changes={line.pk: delta}, target=target, applicant=user,
            now=timezone.now(),
        )


# -- list (IDC-1, IDC-9) ---------------------------------------------------------


def test_list_shows_every_id_count_contract(alice_client, contracts_a):
    resp = alice_client.get(reverse("idchange:list"))
    assert resp.status_code == HTTPStatus.OK
    body = resp.content.decode()
    for name in ("Google Workspace", "Microsoft 365 with KDDI", "LINE WORKS with KDDI", "KDDI EMM"):
        assert name in body
    assert body.count("ID 数変更申込</a>") == 4


def test_list_shows_in_flight_application_and_disables_the_button(alice_client, gw, alice):
    app = _submit(gw, -1, "next_month", alice)
    body = alice_client.get(reverse("idchange:list")).content.decode()
    assert app.receipt_number in body
    assert reverse("idchange:detail", args=[app.pk]) in body
    assert "処理待ち" in body
    assert reverse("idchange:withdraw", args=[app.pk]) in body
    assert "disabled" in body
    assert f"受付番号 {app.receipt_number} の申込が処理待ちのため" in body


def test_list_shows_renewal_date_for_annual(alice_client, line_works):
    line_works.term = "annual"
    line_works.renewal_base_date = "2026-04-01"
    line_works.save()
    body = alice_client.get(reverse("idchange:list")).content.decode()
    assert "更新基準日" in body and "2026/04/01" in body


def test_list_query_count_is_constant(alice_client, alice, tenant_a, services, django_assert_max_num_queries):
    for i in range(8):
        c = ContractFactory(tenant=tenant_a, service=services["google_workspace"], number=f"GW-{i}")
        if i % 2:
            _submit(c, 1, "next_month", alice)
    with django_assert_max_num_queries(12):
        resp = alice_client.get(reverse("idchange:list"))
    assert resp.content.decode().count("ID 数変更申込") >= 8


def test_list_requires_login(client):
    resp = client.get(reverse("idchange:list"))
    assert resp.status_code == HTTPStatus.FOUND
    assert reverse("accounts:login") in resp["Location"]


def test_list_requires_admin(bob_client):
    assert bob_client.get(reverse("idchange:list")).status_code == HTTPStatus.FORBIDDEN


# -- apply: 入力 → 確認 → 申込 → 完了 (IDC-2) ----------------------------------------


def _form(contract, delta, target="this_month", **extra):
    line = plan_line(contract)
    return {f"line_{line.pk}": str(delta), "target": target, "agree": "on", **extra}


def test_input_offers_only_allowed_months(alice_client, gw, settings):
    body = alice_client.get(reverse("idchange:apply", args=[gw.pk])).content.decode()
    assert 'value="next_month"' in body and 'value="this_month"' in body
    # Inside the last 4 business days (the session clock stays put, only the
    # ID-change clock moves: see idchange/clock.py).
    settings.IDCHANGE_NOW = jst(2026, 5, 26, 9, 0)
    body = alice_client.get(reverse("idchange:apply", args=[gw.pk])).content.decode()
    assert 'value="next_month"' in body and 'value="this_month"' not in body
    assert "翌月指定のみ" in body
    assert "利用規約に同意する" in body


def test_confirm_shows_delta_month_price_and_deadline(alice_client, gw):
    resp = alice_client.post(reverse("idchange:apply", args=[gw.pk]), _form(gw, -2, "next_month"))
    assert resp.status_code == HTTPStatus.OK
    body = resp.content.decode()
    assert "ID 数変更申込（確認）" in body
    assert "-2" in body and "翌月" in body and "2026年6月" in body
    assert "-2,000 円" in body
    assert "2026/06/01 12:00" in body  # effective instant and withdrawal deadline
    assert 'name="submission_token"' in body and "申込</button>" in body
    with operator_scope():
        assert IdChangeApplication.objects.count() == 0  # nothing stored yet


def test_submit_creates_application_mails_and_shows_receipt(alice_client, gw, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        resp, _posted = submit_through_confirm(alice_client, reverse("idchange:apply", args=[gw.pk]), _form(gw, 3))
    with operator_scope():
        app = IdChangeApplication.objects.get()
    assert resp.status_code == HTTPStatus.FOUND
    assert resp["Location"] == reverse("idchange:done", args=[app.pk])
    done = alice_client.get(resp["Location"]).content.decode()
    assert app.receipt_number in done and "ID 数確認／変更申込画面に戻る" in done
    assert [m.subject for m in mailoutbox] == ["【My KDDI Biz 総合】サービス情報変更受付のお知らせ"]


def test_back_returns_to_input_with_values(alice_client, gw):
    body = alice_client.post(
        reverse("idchange:apply", args=[gw.pk]), _form(gw, 7, "next_month", back="1")
    ).content.decode()
    assert "ID 数変更申込（入力）" in body and 'value="7"' in body
    assert re.search(r'value="next_month"[^>]* checked', body) and re.search(r'name="agree"[^>]* checked', body)
    assert "field__error" not in body


@pytest.mark.parametrize(
    ("data_delta", "target", "agree", "message"),
    [
        ("0", "this_month", "on", "増減 ID 数には 0 以外の整数を入力してください。"),
        ("abc", "this_month", "on", "増減 ID 数は半角数字で入力してください"),
        ("-10", "next_month", "on", "ID 数を 0 にする変更はできません。"),
        ("2", "this_month", "", "利用規約に同意してください。"),
        ("2", "", "on", "変更希望月を選択してください。"),
    ],
)
def test_bad_input_says_why_in_japanese_and_stores_nothing(alice_client, gw, data_delta, target, agree, message):
    data = _form(gw, data_delta, target, stage="done")  # 完了 validates again
    data["agree"] = agree
    resp = alice_client.post(reverse("idchange:apply", args=[gw.pk]), data)
    assert resp.status_code == HTTPStatus.OK
    body = resp.content.decode()
    assert message in body
    assert f'value="{data_delta}"' in body or data_delta == "abc"
    with operator_scope():
        assert IdChangeApplication.objects.count() == 0
        assert OutboxMessage.objects.count() == 0


def test_this_month_after_cutoff_error_on_submit(alice_client, gw, settings):
    """The month list was built earlier; 申込 checks again at its own instant."""
    url = reverse("idchange:apply", args=[gw.pk])
    confirm = alice_client.post(url, _form(gw, 2))
    settings.IDCHANGE_NOW = jst(2026, 5, 26, 0, 0)
    resp = alice_client.post(url, done_data(_form(gw, 2), token_from(confirm)))
    assert "選択された変更希望月は現在お申し込みいただけません。" in resp.content.decode()
    with operator_scope():
        assert IdChangeApplication.objects.count() == 0


def test_m365_form_has_a_field_per_line_and_reports_option_cap(alice_client, m365):
    contract, lines = m365
    body = alice_client.get(reverse("idchange:apply", args=[contract.pk])).content.decode()
    for key in ("e3", "basic", "option", "nce", "addon"):
        assert f'name="line_{lines[key].pk}"' in body
    resp = alice_client.post(
        reverse("idchange:apply", args=[contract.pk]),
        {f"line_{lines['option'].pk}": "7", "target": "this_month", "agree": "on"},
    )
    assert "オプションの契約数は適用されているプランの契約数以内にしてください。" in resp.content.decode()


def test_apply_when_in_flight_redirects_with_reason(alice_client, gw, alice):
    _submit(gw, -1, "next_month", alice)
    resp = alice_client.get(reverse("idchange:apply", args=[gw.pk]), follow=True)
    assert "処理待ちのため" in resp.content.decode()


def test_apply_checks_tenant(charlie_client, gw):
    assert charlie_client.get(reverse("idchange:apply", args=[gw.pk])).status_code == HTTPStatus.NOT_FOUND


def test_apply_requires_admin(bob_client, gw):
    assert bob_client.get(reverse("idchange:apply", args=[gw.pk])).status_code == HTTPStatus.FORBIDDEN


def test_apply_requires_login(client, gw):
    assert client.get(reverse("idchange:apply", args=[gw.pk])).status_code == HTTPStatus.FOUND


def test_apply_rejects_other_methods(alice_client, gw):
    assert alice_client.put(reverse("idchange:apply", args=[gw.pk])).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_non_id_change_contract_is_404(alice_client, tenant_a):
    other = ContractFactory(tenant=tenant_a)
    assert alice_client.get(reverse("idchange:apply", args=[other.pk])).status_code == HTTPStatus.NOT_FOUND


# -- detail and withdrawal (IDC-10) -------------------------------------------------


def test_detail_shows_the_application(alice_client, gw, alice):
    app = _submit(gw, -1, "next_month", alice)
    body = alice_client.get(reverse("idchange:detail", args=[app.pk])).content.decode()
    assert app.receipt_number in body and "処理待ち" in body and "取下" in body


def test_detail_checks_tenant_and_role(charlie_client, bob_client, client, gw, alice):
    app = _submit(gw, -1, "next_month", alice)
    url = reverse("idchange:detail", args=[app.pk])
    assert charlie_client.get(url).status_code == HTTPStatus.NOT_FOUND
    assert bob_client.get(url).status_code == HTTPStatus.FORBIDDEN
    assert client.get(url).status_code == HTTPStatus.FOUND


def test_withdraw_confirms_then_withdraws(alice_client, gw, alice):
    app = _submit(gw, -1, "next_month", alice)
    url = reverse("idchange:withdraw", args=[app.pk])
    confirm = alice_client.get(url).content.decode()
    assert "取下の確認" in confirm and 'method="post"' in confirm
    resp, _posted = submit_through_confirm(alice_client, url)
    assert resp.status_code == HTTPStatus.FOUND and resp["Location"] == reverse("idchange:list")
    app.refresh_from_db()
    assert app.status == "withdrawn"


def test_withdraw_this_month_is_refused(alice_client, gw, alice):
    app = _submit(gw, 1, "this_month", alice)
    url = reverse("idchange:withdraw", args=[app.pk])
    assert alice_client.get(url).status_code == HTTPStatus.NOT_FOUND
    # A 取下 posted anyway (a page opened before the change took effect).
    resp = alice_client.post(url, done_data({}, token_for(alice)), follow=True)
    assert "取下できません" in resp.content.decode()
    app.refresh_from_db()
    assert app.status == "pending"


def test_withdraw_checks_tenant_role_login_and_method(charlie_client, bob_client, client, alice_client, gw, alice):
    app = _submit(gw, -1, "next_month", alice)
    url = reverse("idchange:withdraw", args=[app.pk])
    assert charlie_client.post(url).status_code == HTTPStatus.NOT_FOUND
    assert bob_client.post(url).status_code == HTTPStatus.FORBIDDEN
    assert client.post(url).status_code == HTTPStatus.FOUND
    assert alice_client.put(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    app.refresh_from_db()
    assert app.status == "pending"


def test_list_disables_the_button_while_an_offline_reduction_is_pending(alice_client, line_works, operator):
    """IDC-9: 年契約の削減 through sales locks the contract until reflected."""
    from django.utils import timezone

    with operator_scope():
        register_offline_reduction(
            line=plan_line(line_works), reduce_by=2, actor=operator, now=timezone.now()
        )
    body = alice_client.get(reverse("idchange:list")).content.decode()
    assert "年契約の ID 数削減申込がシステムに反映されるまで、お申し込みいただけません。" in body
    resp = alice_client.get(reverse("idchange:apply", args=[line_works.pk]))
    assert resp.status_code == HTTPStatus.FOUND


def test_confirm_says_when_emm_this_month_counts_as_next_month(alice_client, emm, settings):
    """IDC-7: from 12:00 the receipt is the next business day; inside the last
    11 business days 当月 is accepted as 翌月 and the 確認 screen says so."""
    settings.IDCHANGE_NOW = jst(2026, 5, 14, 12, 0)
    resp = alice_client.post(reverse("idchange:apply", args=[emm.pk]), _form(emm, 10, "this_month"))
    body = resp.content.decode()
    assert "このお申し込みは翌月指定の扱いとなります。" in body
    assert "2026/06/01 00:00〜2026/06/15 24:00 の間に適用" in body


def test_confirm_for_mixed_m365_shows_each_lines_timing(alice_client, m365):
    contract, lines = m365
    resp = alice_client.post(
        reverse("idchange:apply", args=[contract.pk]),
        {f"line_{lines['basic'].pk}": "5", f"line_{lines['addon'].pk}": "1", "target": "this_month", "agree": "on"},
    )
    body = resp.content.decode()
    assert "2026/05/20 10:00 以降に適用" in body
    assert "2026/05/20 10:00〜2026/05/27 24:00 の間に適用" in body
    assert "このお申し込みは取下できません。" in body
    assert "+5,000 円" in body  # 5 × 900 + 1 × 500


# -- the web kit's 確認 → 完了: a 申込 / 取下 never runs twice (IDC-2, IDC-10, issue 19) --


def _counts(tenant_id: int, action: str) -> tuple[int, int, int]:
    with operator_scope():
        return (
            IdChangeApplication.objects.filter(tenant_id=tenant_id).count(),
            OutboxMessage.objects.filter(tenant_id=tenant_id).count(),
            AuditEntry.objects.filter(tenant_id=tenant_id, action=action).count(),
        )


def test_idc2_back_and_apply_again_applies_once(alice_client, gw, django_capture_on_commit_callbacks, mailoutbox):
    """IDC-2: Back from 完了 and 申込 again with the same 確認 page: one
    application, one 受付 mail, one audit entry, and 「この操作はすでに完了して
    います」 linking to the first application's 完了 page."""
    url = reverse("idchange:apply", args=[gw.pk])
    with django_capture_on_commit_callbacks(execute=True):
        first, posted = submit_through_confirm(alice_client, url, _form(gw, 3, "next_month"))
        second = alice_client.post(url, posted)
    assert first.status_code == HTTPStatus.FOUND
    assert second.status_code == HTTPStatus.OK
    assert "この操作はすでに完了しています" in second.text
    assert f'href="{first["Location"]}"' in second.text
    assert _counts(gw.tenant_id, "idchange.application.submitted") == (1, 1, 1)
    assert len(mailoutbox) == 1


def test_idc2_apply_without_a_token_shows_confirm_again_and_applies_nothing(alice_client, gw):
    url = reverse("idchange:apply", args=[gw.pk])
    resp = alice_client.post(url, _form(gw, 3, "next_month", stage="done"))
    assert resp.status_code == HTTPStatus.OK
    assert "ID 数変更申込（確認）" in resp.text and "もう一度「完了」を押してください" in resp.text
    assert _counts(gw.tenant_id, "idchange.application.submitted") == (0, 0, 0)
    again = alice_client.post(url, done_data(_form(gw, 3, "next_month"), token_from(resp)))
    assert again.status_code == HTTPStatus.FOUND
    assert _counts(gw.tenant_id, "idchange.application.submitted") == (1, 1, 1)


def test_idc2_a_refused_apply_leaves_the_token_usable(alice_client, gw, settings):
    """A domain error at 申込 rolls the token back with it: corrected, the
    same 確認 page's token still applies."""
    url = reverse("idchange:apply", args=[gw.pk])
    token = token_from(alice_client.post(url, _form(gw, 2, "next_month")))
    bad = alice_client.post(url, done_data(_form(gw, -10, "next_month"), token))
    assert "ID 数を 0 にする変更はできません。" in bad.text
    assert alice_client.post(url, done_data(_form(gw, 2, "next_month"), token)).status_code == HTTPStatus.FOUND
    assert _counts(gw.tenant_id, "idchange.application.submitted")[0] == 1


def test_idc10_withdraw_twice_withdraws_once(alice_client, gw, alice, django_capture_on_commit_callbacks):
    """IDC-10: 取下 pressed twice (Back, a double click): one withdrawal, one
    取下 mail, one audit entry, then 「すでに完了」 instead of 「取下できません」."""
    app = _submit(gw, -1, "next_month", alice)
    url = reverse("idchange:withdraw", args=[app.pk])
    with operator_scope():
        mails_before = OutboxMessage.objects.filter(tenant_id=gw.tenant_id).count()
    with django_capture_on_commit_callbacks(execute=True):
        first, posted = submit_through_confirm(alice_client, url)
        second = alice_client.post(url, posted)
    assert first["Location"] == reverse("idchange:list")
    assert "この操作はすでに完了しています" in second.text
    assert f'href="{reverse("idchange:list")}"' in second.text
    app.refresh_from_db()
    assert app.status == "withdrawn"
    counts = _counts(gw.tenant_id, "idchange.application.withdrawn")
    assert counts[1:] == (mails_before + 1, 1)


def test_idc10_withdraw_without_a_token_confirms_again(alice_client, gw, alice):
    app = _submit(gw, -1, "next_month", alice)
    url = reverse("idchange:withdraw", args=[app.pk])
    resp = alice_client.post(url, {"stage": "done"})
    assert resp.status_code == HTTPStatus.OK
    assert "取下の確認" in resp.text and "もう一度「完了」を押してください" in resp.text
    app.refresh_from_db()
    assert app.status == "pending"
    assert alice_client.post(url, {"back": "1"})["Location"] == reverse("idchange:list")
