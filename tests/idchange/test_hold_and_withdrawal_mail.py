"""Loose ends of the ID-count change (issue 9): an application held by an
operator shows as 保留中 to the customer (IDC-1 状況, IDC-10 詳細) with what
they must do; a withdrawal (IDC-10 取下) is confirmed by mail like a
submission, through the outbox."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from audit.models import AuditEntry
from idchange.models import IdChangeApplication
from idchange.services.errors import HELD_BY_OPERATOR, IdChangeError
from idchange.services.hold import hold_id_change
from idchange.services.submit import submit_id_change
from idchange.services.withdraw import withdraw_id_change
from mail.models import OutboxMessage
from tenants.scoping import operator_scope, tenant_scope
from tests.idchange.conftest import plan_line
from tests.web.flow import done_data, submit_through_confirm, token_for

NOTE = "ご契約者さまの確認書を担当営業へご提出ください。"


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time("2026-05-20 10:00:00+09:00"):
        yield


@pytest.fixture
def application(gw, alice) -> IdChangeApplication:
    """A 翌月 reduction: 処理待ち and withdrawable."""
    with tenant_scope(gw.tenant_id):
        return submit_id_change(
            contract=gw, changes={plan_line(gw).pk: -1}, target="next_month", applicant=alice, now=timezone.now()
        )


def test_idc1_held_application_shows_as_held_with_the_operators_note(alice_client, application, operator):
    with operator_scope():
        hold_id_change(application=application, actor=operator, now=timezone.now(), note=NOTE)
    listing = alice_client.get(reverse("idchange:list")).content.decode()
    detail = alice_client.get(reverse("idchange:detail", args=[application.pk])).content.decode()
    for body in (listing, detail):
        assert "idc-badge--held" in body and "保留中" in body
        assert NOTE in body
        assert "idc-badge--pending" not in body
    with operator_scope():
        held = IdChangeApplication.objects.get(pk=application.pk)
        assert (held.status, held.hold_reason, held.hold_note) == ("pending", HELD_BY_OPERATOR, NOTE)
        assert AuditEntry.objects.filter(action="idchange.application.held", object_id=str(held.pk)).exists()


def test_idc10_held_without_a_note_says_someone_is_checking(alice_client, application, operator):
    with operator_scope():
        hold_id_change(application=application, actor=operator, now=timezone.now())
    body = alice_client.get(reverse("idchange:detail", args=[application.pk])).content.decode()
    assert "保留中" in body and "担当者が内容を確認しています。" in body


def test_held_by_the_job_also_shows_as_held(alice_client, application):
    """The apply job's own hold (a re-check that failed) reads the same to the customer."""
    with operator_scope():
        IdChangeApplication.objects.filter(pk=application.pk).update(hold_reason="E_COUNT_CHANGED", held_at=timezone.now())
    body = alice_client.get(reverse("idchange:list")).content.decode()
    assert "保留中" in body and "担当者が内容を確認しています。" in body


def test_only_a_pending_application_can_be_held(application, operator, alice):
    with operator_scope():
        withdraw_id_change(application=application, actor=alice, now=timezone.now())
        with pytest.raises(IdChangeError):
            hold_id_change(application=application, actor=operator, now=timezone.now(), note=NOTE)


def test_operator_holds_from_django_admin_by_writing_the_note(operator_client, application):
    url = reverse("admin:idchange_idchangeapplication_change", args=[application.pk])
    form = operator_client.get(url).content.decode()
    assert 'name="hold_note"' in form
    response = operator_client.post(url, {"hold_note": NOTE, "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "1"})
    assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.OK)
    with operator_scope():
        held = IdChangeApplication.objects.get(pk=application.pk)
    assert held.is_held and held.hold_note == NOTE


def test_idc10_withdrawal_sends_a_confirmation_mail_like_the_receipt(
    alice_client, application, django_capture_on_commit_callbacks, mailoutbox
):
    url = reverse("idchange:withdraw", args=[application.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response, _posted = submit_through_confirm(alice_client, url)
    assert response.status_code == HTTPStatus.FOUND
    assert [m.subject for m in mailoutbox] == ["【My KDDI Biz 総合】サービス情報変更取下のお知らせ"]
    mail = mailoutbox[0]
    assert mail.to == [application.applicant_email]
    assert application.receipt_number in mail.body and "取り下げました" in mail.body
    assert "2026/05/20 10:00" in mail.body  # 取下日時
    with operator_scope():
        # Through the outbox: a stored row, sent after commit.
        row = OutboxMessage.objects.get(subject=mail.subject)
    assert row.status == "sent" and row.tenant_id == application.tenant_id


def test_refused_withdrawal_sends_no_mail(alice_client, gw, alice, django_capture_on_commit_callbacks, mailoutbox):
    with tenant_scope(gw.tenant_id):
        app = submit_id_change(
            contract=gw, changes={plan_line(gw).pk: 1}, target="this_month", applicant=alice, now=timezone.now()
        )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(reverse("idchange:withdraw", args=[app.pk]), done_data({}, token_for(alice)))
    assert response.status_code == HTTPStatus.FOUND  # back to the detail, 「取下できません」
    assert mailoutbox == []
