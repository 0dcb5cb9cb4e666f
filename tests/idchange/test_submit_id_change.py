"""submit_id_change / preview_id_change: the service-layer checks (IDC-2,
IDC-3, IDC-5, IDC-9) with the rules' E_* codes."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from audit.models import AuditEntry
from idchange import rules
from idchange.models import IdChangeApplication, IdCountLedger
from idchange.services.apply import apply_id_change
from idchange.services.errors import E_UNKNOWN_LINE, IdChangeError
from idchange.services.ledger import append_ledger, ledger_row
from idchange.services.offline_reductions import (
    reflect_offline_reduction,
    register_offline_reduction,
)
from idchange.services.submit import submit_id_change
from mail.models import OutboxMessage
from tenants.scoping import operator_scope, tenant_scope
from tests.idchange.conftest import jst, plan_line


def _submit(contract, changes, target, user, now):
    with tenant_scope(contract.tenant_id):
        return submit_id_change(
            contract=contract, changes=changes, target=target, applicant=user, now=now
        )


def _counts():
    with operator_scope():
        return (
            IdChangeApplication.objects.count(),
            IdCountLedger.objects.count(),
            OutboxMessage.objects.count(),
            AuditEntry.objects.count(),
        )


def test_gw_next_month_reduction_is_stored_with_timing_mail_and_audit(gw, alice, now):
    """IDC-2, IDC-4: a next-month reduction is pending, withdrawable until
    12:00 on the 1st; the 受付 mail and the audit entry are written with it."""
    line = plan_line(gw)
    app = _submit(gw, {line.pk: -2}, "next_month", alice, now)

    assert app.status == IdChangeApplication.Status.PENDING
    assert app.effective_at == jst(2026, 6, 1, 12, 0)
    assert app.withdrawable_until == jst(2026, 6, 1, 12, 0)
    assert app.next_due_at == jst(2026, 6, 1, 12, 0)
    assert app.price_delta == -2000
    assert app.receipt_number.startswith("260520")
    with operator_scope():
        (ln,) = app.lines.all()
        assert (ln.count_before, ln.delta, ln.count_after) == (10, -2, 8)
        mail = OutboxMessage.objects.get()
        assert mail.subject == "【My KDDI Biz 総合】サービス情報変更受付のお知らせ"
        assert mail.to == ["alice@a.example.com"]
        assert app.receipt_number in mail.body
        entry = AuditEntry.objects.get(action="idchange.application.submitted")
        assert entry.actor == alice and entry.object_id == str(app.pk)
        # Nothing applied yet: the ledger still has only the initial row.
        assert IdCountLedger.objects.filter(line=line).count() == 1


def test_receipt_mail_is_delivered_after_commit(gw, alice, now, django_capture_on_commit_callbacks, mailoutbox):
    line = plan_line(gw)
    with django_capture_on_commit_callbacks(execute=True):
        app = _submit(gw, {line.pk: 3}, "this_month", alice, now)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == "【My KDDI Biz 総合】サービス情報変更受付のお知らせ"
    assert app.receipt_number in mailoutbox[0].body


def test_in_flight_application_blocks_the_next(gw, alice, now):
    """IDC-9: E_CHANGE_IN_FLIGHT, and nothing is written."""
    line = plan_line(gw)
    _submit(gw, {line.pk: 1}, "next_month", alice, now)
    before = _counts()
    with pytest.raises(IdChangeError) as exc:
        _submit(gw, {line.pk: 1}, "next_month", alice, now)
    assert exc.value.code == rules.E_CHANGE_IN_FLIGHT
    assert _counts() == before


def test_processing_application_still_blocks(gw, alice, now):
    line = plan_line(gw)
    app = _submit(gw, {line.pk: 1}, "this_month", alice, now)
    with tenant_scope(gw.tenant_id):
        apply_id_change(application=app, now=now)
    with pytest.raises(IdChangeError) as exc:
        _submit(gw, {line.pk: 1}, "this_month", alice, now)
    assert exc.value.code == rules.E_CHANGE_IN_FLIGHT


def test_database_refuses_two_in_flight_applications(gw, alice, now):
    """IDC-9: the partial unique constraint backs the row lock."""
    line = plan_line(gw)
    app = _submit(gw, {line.pk: 1}, "next_month", alice, now)
    with pytest.raises(IntegrityError), transaction.atomic():
        IdChangeApplication.objects.create(
            tenant_id=gw.tenant_id, contract=gw, receipt_number="X", applicant_email="x@example.com",
            target="next_month", effective_month=app.effective_month, status="processing",
        )


def test_offline_annual_reduction_locks_the_contract(line_works, alice, operator, now):
    """IDC-9: a pending offline reduction → E_LOCKED_OFFLINE_REDUCTION; reflecting
    it appends the ledger row and frees the contract."""
    line_works.term = "annual"
    line_works.renewal_base_date = jst(2026, 4, 1).date()
    line_works.save()
    line = plan_line(line_works)
    with operator_scope():
        red = register_offline_reduction(line=line, reduce_by=3, actor=operator, now=now)
    before = _counts()
    with pytest.raises(IdChangeError) as exc:
        _submit(line_works, {line.pk: 2}, "this_month", alice, now)
    assert exc.value.code == rules.E_LOCKED_OFFLINE_REDUCTION
    assert _counts() == before

    with operator_scope():
        reflect_offline_reduction(reduction=red, actor=operator, now=now)
        line.refresh_from_db()
        assert line.id_count == 7
        assert IdCountLedger.objects.filter(line=line).first().reason == "offline_reduction"
        line_works.refresh_from_db()
        assert line_works.id_count == 7
    app = _submit(line_works, {line.pk: 2}, "this_month", alice, now)
    assert app.status == "pending"


def test_annual_gw_reduction_is_offline_only(gw, alice, now):
    """IDC-3."""
    gw.term = "annual"
    gw.renewal_base_date = jst(2026, 4, 1).date()
    gw.save()
    line = plan_line(gw)
    with pytest.raises(IdChangeError) as exc:
        _submit(gw, {line.pk: -1}, "next_month", alice, now)
    assert exc.value.code == rules.E_ANNUAL_REDUCTION_OFFLINE_ONLY


def test_gw_cannot_reach_zero(gw, alice, now):
    """IDC-3: E_RESULT_BELOW_ONE, pointing at the line."""
    line = plan_line(gw)
    with pytest.raises(IdChangeError) as exc:
        _submit(gw, {line.pk: -10}, "next_month", alice, now)
    assert exc.value.code == rules.E_RESULT_BELOW_ONE
    assert exc.value.line_id == line.pk


def test_emm_reduction_refused_and_addition_gets_a_window(emm, alice):
    """IDC-3, IDC-7 (IDCHANGE.md examples 11 and 13)."""
    line = plan_line(emm)
    with pytest.raises(IdChangeError) as exc:
        _submit(emm, {line.pk: -1}, "this_month", alice, jst(2026, 5, 14, 10, 0))
    assert exc.value.code == rules.E_REDUCTION_NOT_SUPPORTED
    app = _submit(emm, {line.pk: 10}, "this_month", alice, jst(2026, 5, 14, 11, 59))
    assert (app.window_start, app.window_end) == (jst(2026, 5, 14, 11, 59), jst(2026, 5, 30, 0, 0))
    assert app.withdrawable_until == jst(2026, 5, 30, 0, 0)
    assert app.next_possible_at is None  # "once applied"


def test_this_month_after_cutoff_is_closed(gw, alice):
    """IDC-4 (the manual's own example)."""
    line = plan_line(gw)
    with pytest.raises(IdChangeError) as exc:
        _submit(gw, {line.pk: 2}, "this_month", alice, jst(2026, 5, 26, 0, 0))
    assert exc.value.code == rules.E_THIS_MONTH_CLOSED


def test_no_change_is_refused(gw, alice, now):
    line = plan_line(gw)
    with pytest.raises(IdChangeError) as exc:
        _submit(gw, {line.pk: 0}, "this_month", alice, now)
    assert exc.value.code == rules.E_DELTA_INVALID


def test_other_contracts_line_is_refused(gw, m365, alice, now):
    _contract, lines = m365
    with pytest.raises(IdChangeError) as exc:
        _submit(gw, {lines["e3"].pk: 1}, "this_month", alice, now)
    assert exc.value.code == E_UNKNOWN_LINE


# -- Microsoft 365 (IDC-5) ---------------------------------------------------


def test_m365_all_plans_to_zero_without_nce(m365, alice, now):
    """With the 【新プログラム】 plan at 0 too, taking E3 to 0 leaves no plan."""
    contract, lines = m365
    with operator_scope():
        nce = lines["nce"]
        append_ledger(ledger_row(line=nce, count=0, reason="operator", effective_at=now))
    with pytest.raises(IdChangeError) as exc:
        _submit(contract, {lines["e3"].pk: -10, lines["option"].pk: -4}, "next_month", alice, now)
    assert exc.value.code == rules.E_ALL_PLANS_ZERO


def test_m365_plan_to_zero_is_fine_while_another_plan_remains(m365, alice, now):
    contract, lines = m365
    app = _submit(contract, {lines["e3"].pk: -10, lines["option"].pk: -4}, "next_month", alice, now)
    assert app.status == "pending"


def test_m365_option_may_not_exceed_its_plan(m365, alice, now):
    contract, lines = m365
    with pytest.raises(IdChangeError) as exc:
        _submit(contract, {lines["option"].pk: 7}, "this_month", alice, now)
    assert exc.value.code == rules.E_OPTION_EXCEEDS_PLAN
    assert exc.value.line_id == lines["option"].pk


def test_m365_option_cap_uses_the_plan_count_after_the_same_application(m365, alice, now):
    contract, lines = m365
    app = _submit(contract, {lines["e3"].pk: 5, lines["option"].pk: 11}, "this_month", alice, now)
    assert app.price_delta == 5 * 1000 + 11 * 1200


def test_m365_plan_reduction_below_its_option_is_refused(m365, alice, now):
    """The cap holds against the real plan count, also when only the plan changes."""
    contract, lines = m365
    with pytest.raises(IdChangeError) as exc:
        _submit(contract, {lines["e3"].pk: -7}, "next_month", alice, now)
    assert exc.value.code == rules.E_OPTION_EXCEEDS_PLAN


def test_m365_nce_reduction_is_offline_only(m365, alice, now):
    contract, lines = m365
    with pytest.raises(IdChangeError) as exc:
        _submit(contract, {lines["nce"].pk: -1}, "next_month", alice, now)
    assert exc.value.code == rules.E_NCE_REDUCTION_OFFLINE_ONLY


def test_m365_uncontracted_plan_can_be_added_with_an_addon(m365, alice, now):
    """Manual 7.2: 未契約プランの ID 追加; add-ons take a window; a mixed
    application cannot be withdrawn."""
    contract, lines = m365
    app = _submit(contract, {lines["basic"].pk: 5, lines["addon"].pk: 1}, "this_month", alice, now)
    with operator_scope():
        by_name = {ln.name: ln for ln in app.lines.all()}
    assert by_name["Business Basic"].effective_at == now
    assert by_name["Defender アドオン"].window_start == now
    assert by_name["Defender アドオン"].window_end == jst(2026, 5, 28, 0, 0)
    assert app.withdrawable_until is None
    assert app.next_due_at == now


def test_m365_addons_alone_are_withdrawable(m365, alice, now):
    contract, lines = m365
    app = _submit(contract, {lines["addon"].pk: 1}, "this_month", alice, now)
    assert app.withdrawable_until == jst(2026, 5, 28, 0, 0)


def test_m365_outside_order_hours(m365, alice):
    contract, lines = m365
    with pytest.raises(IdChangeError) as exc:
        _submit(contract, {lines["e3"].pk: 1}, "this_month", alice, jst(2026, 5, 20, 23, 30))
    assert exc.value.code == rules.E_OUTSIDE_ORDER_HOURS
