"""apply_id_change, apply_window_lines, mark_processing_finished and
withdraw_id_change (IDC-9, IDC-10, IDC-11, IDC-12)."""

from __future__ import annotations

import pytest

from audit.models import AuditEntry
from idchange.models import ContractLine, IdChangeApplication, IdCountLedger
from idchange.services.apply import apply_id_change, apply_window_lines
from idchange.services.errors import (
    E_NOT_DUE,
    E_NOT_PENDING,
    E_NOT_PROCESSING,
    E_NOT_WITHDRAWABLE,
    E_UNKNOWN_LINE,
    IdChangeError,
)
from idchange.services.lines import add_contract_line
from idchange.services.processing import mark_processing_finished
from idchange.services.submit import submit_id_change
from idchange.services.withdraw import withdraw_id_change
from mail.models import OutboxMessage
from tenants.scoping import operator_scope, tenant_scope
from tests.idchange.conftest import jst, plan_line

COMPLETED = "【My KDDI Biz 総合】サービス情報変更完了のお知らせ"


def _submit(contract, changes, target, user, now):
    with tenant_scope(contract.tenant_id):
        return submit_id_change(
            contract=contract, changes=changes, target=target, applicant=user, now=now
        )


def test_apply_appends_ledger_updates_cache_and_mails(gw, alice, now, django_capture_on_commit_callbacks, mailoutbox):
    """IDC-11: the count changes through a new ledger row; 処理中; 完了 mail; audit."""
    line = plan_line(gw)
    app = _submit(gw, {line.pk: 3}, "this_month", alice, now)
    with django_capture_on_commit_callbacks(execute=True), tenant_scope(gw.tenant_id):
        apply_id_change(application=app, now=now)

    with operator_scope():
        app.refresh_from_db()
        line.refresh_from_db()
        gw.refresh_from_db()
        latest = IdCountLedger.objects.filter(line=line).first()
        assert (latest.count, latest.delta, latest.reason, latest.application_id) == (13, 3, "application", app.pk)
        assert line.id_count == 13 and gw.id_count == 13
        assert app.status == IdChangeApplication.Status.PROCESSING
        assert app.applied_at == now
        assert AuditEntry.objects.filter(action="idchange.application.applied", object_id=str(app.pk)).exists()
        assert OutboxMessage.objects.filter(subject=COMPLETED).count() == 1
    # The receipt mail was committed outside the capture; only 完了 is sent here.
    assert [m.subject for m in mailoutbox] == [COMPLETED]
    assert mailoutbox[0].to == ["alice@a.example.com"]
    assert app.receipt_number in mailoutbox[0].body


def test_applying_twice_applies_nothing_twice(gw, alice, now):
    line = plan_line(gw)
    app = _submit(gw, {line.pk: 3}, "this_month", alice, now)
    with tenant_scope(gw.tenant_id):
        apply_id_change(application=app, now=now)
        with pytest.raises(IdChangeError) as exc:
            apply_id_change(application=app, now=now)
    assert exc.value.code == E_NOT_PENDING
    with operator_scope():
        assert IdCountLedger.objects.filter(line=line).count() == 2
        assert OutboxMessage.objects.filter(subject=COMPLETED).count() == 1


def test_next_month_change_is_not_applied_early(gw, alice, now):
    line = plan_line(gw)
    app = _submit(gw, {line.pk: -2}, "next_month", alice, now)
    with tenant_scope(gw.tenant_id), pytest.raises(IdChangeError) as exc:
        apply_id_change(application=app, now=jst(2026, 6, 1, 11, 59))
    assert exc.value.code == E_NOT_DUE
    with tenant_scope(gw.tenant_id):
        apply_id_change(application=app, now=jst(2026, 6, 1, 12, 0))
        line.refresh_from_db()
    assert line.id_count == 8


def test_gw_addon_tools_follow_the_plan(gw, alice, now):
    """IDC-12: applying the plan change also sets the add-on tool's count."""
    with tenant_scope(gw.tenant_id):
        tool = add_contract_line(
            contract=gw, name="Google Vault", item="addon", follows_plan=True, count=10, unit_price=0, now=now
        )
    line = plan_line(gw)
    app = _submit(gw, {line.pk: 4}, "this_month", alice, now)
    with tenant_scope(gw.tenant_id):
        apply_id_change(application=app, now=now)
        tool.refresh_from_db()
        assert tool.id_count == 14
        assert IdCountLedger.objects.filter(line=tool).first().reason == "follow_plan"
        gw.refresh_from_db()
    assert gw.id_count == 14  # the cache counts plans only


def test_follow_line_cannot_be_applied_for_directly(gw, alice, now):
    with tenant_scope(gw.tenant_id):
        tool = add_contract_line(
            contract=gw, name="Google Vault", item="addon", follows_plan=True, count=10, now=now
        )
    with pytest.raises(IdChangeError) as exc:
        _submit(gw, {tool.pk: 1}, "this_month", alice, now)
    assert exc.value.code == E_UNKNOWN_LINE


def test_emm_window_is_applied_by_operator_inside_the_window(emm, alice, operator):
    """IDC-7, IDC-11: the job leaves a window line until its end; an operator
    applies it inside the window; the job would apply it at the end."""
    line = plan_line(emm)
    t = jst(2026, 5, 14, 11, 0)
    app = _submit(emm, {line.pk: 5}, "this_month", alice, t)
    with tenant_scope(emm.tenant_id), pytest.raises(IdChangeError) as exc:
        apply_id_change(application=app, now=jst(2026, 5, 20, 10, 0))
    assert exc.value.code == E_NOT_DUE
    with operator_scope():
        apply_window_lines(application=app, actor=operator, now=jst(2026, 5, 20, 10, 0))
        line.refresh_from_db()
        app.refresh_from_db()
        assert line.id_count == 15
        assert app.status == "processing"
        assert IdCountLedger.objects.filter(line=line).first().actor == operator


def test_emm_window_is_applied_by_the_job_at_its_end(emm, alice):
    line = plan_line(emm)
    app = _submit(emm, {line.pk: 5}, "this_month", alice, jst(2026, 5, 14, 11, 0))
    assert app.next_due_at == jst(2026, 5, 30, 0, 0)
    with tenant_scope(emm.tenant_id):
        apply_id_change(application=app, now=jst(2026, 5, 30, 0, 0))
        line.refresh_from_db()
    assert line.id_count == 15


def test_mixed_m365_application_applies_plans_first_then_addons(m365, alice, operator, now):
    contract, lines = m365
    app = _submit(contract, {lines["e3"].pk: 2, lines["addon"].pk: 1}, "this_month", alice, now)
    with tenant_scope(contract.tenant_id):
        apply_id_change(application=app, now=now)
        app.refresh_from_db()
        lines["e3"].refresh_from_db()
        lines["addon"].refresh_from_db()
    assert app.status == "pending"  # the add-on still waits in its window
    assert app.next_due_at == jst(2026, 5, 28, 0, 0)
    assert (lines["e3"].id_count, lines["addon"].id_count) == (12, 2)
    with operator_scope():
        apply_window_lines(application=app, actor=operator, now=jst(2026, 5, 21, 9, 0))
        app.refresh_from_db()
        lines["addon"].refresh_from_db()
        assert OutboxMessage.objects.filter(subject=COMPLETED).count() == 1
    assert app.status == "processing" and lines["addon"].id_count == 3


def test_mark_processing_finished_frees_the_contract(gw, alice, operator, now):
    """IDC-9: after 処理中 → 完了 the next application is possible."""
    line = plan_line(gw)
    app = _submit(gw, {line.pk: 1}, "this_month", alice, now)
    with operator_scope():
        with pytest.raises(IdChangeError) as exc:
            mark_processing_finished(application=app, actor=operator, now=now)
        assert exc.value.code == E_NOT_PROCESSING
        apply_id_change(application=app, now=now)
        mark_processing_finished(application=app, actor=operator, now=now)
        app.refresh_from_db()
        assert app.status == "done"
        assert AuditEntry.objects.filter(action="idchange.application.processed").exists()
    again = _submit(gw, {line.pk: 1}, "this_month", alice, now)
    assert again.status == "pending"


# -- withdrawal (IDC-10) -------------------------------------------------------


def test_withdraw_next_month_before_deadline(gw, alice, now):
    line = plan_line(gw)
    app = _submit(gw, {line.pk: -2}, "next_month", alice, now)
    with tenant_scope(gw.tenant_id):
        withdraw_id_change(application=app, actor=alice, now=jst(2026, 6, 1, 11, 59))
        app.refresh_from_db()
        assert app.status == "withdrawn" and app.next_due_at is None
        assert AuditEntry.objects.filter(action="idchange.application.withdrawn").exists()
    # The contract is free at once.
    assert _submit(gw, {line.pk: 1}, "this_month", alice, now).status == "pending"


def test_withdraw_after_deadline_is_refused(gw, alice, now):
    line = plan_line(gw)
    app = _submit(gw, {line.pk: -2}, "next_month", alice, now)
    with tenant_scope(gw.tenant_id), pytest.raises(IdChangeError) as exc:
        withdraw_id_change(application=app, actor=alice, now=jst(2026, 6, 1, 12, 0))
    assert exc.value.code == E_NOT_WITHDRAWABLE
    app.refresh_from_db()
    assert app.status == "pending"


def test_this_month_change_cannot_be_withdrawn(gw, alice, now):
    line = plan_line(gw)
    app = _submit(gw, {line.pk: 2}, "this_month", alice, now)
    with tenant_scope(gw.tenant_id), pytest.raises(IdChangeError):
        withdraw_id_change(application=app, actor=alice, now=now)


def test_withdrawn_application_is_never_applied(gw, alice, now):
    line = plan_line(gw)
    app = _submit(gw, {line.pk: -2}, "next_month", alice, now)
    with tenant_scope(gw.tenant_id):
        withdraw_id_change(application=app, actor=alice, now=now)
        with pytest.raises(IdChangeError):
            apply_id_change(application=app, now=jst(2026, 6, 2, 0, 0))
        assert ContractLine.objects.get(pk=line.pk).id_count == 10


def test_history_blocks_deleting_a_line_but_not_the_whole_tenant(gw, alice, now):
    """Ledger rows keep their line (RESTRICT); closing a tenant still cascades."""
    from django.db import transaction
    from django.db.models import RestrictedError

    line = plan_line(gw)
    app = _submit(gw, {line.pk: 1}, "this_month", alice, now)
    with tenant_scope(gw.tenant_id):
        apply_id_change(application=app, now=now)
    with operator_scope():
        with pytest.raises(RestrictedError), transaction.atomic():
            ContractLine.objects.get(pk=line.pk).delete()
        gw.tenant.delete()
        assert not IdCountLedger.objects.exists()
