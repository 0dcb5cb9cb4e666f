"""Issue 22: the 完了 mail's body is rendered by the mail worker from the
values stored in its outbox row (written with the application's change, in
the same transaction), and reads exactly as when it was rendered from the
model objects inside the transaction."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from idchange.models import IdChangeApplication
from idchange.services.apply import apply_id_change
from idchange.services.mails import COMPLETED_MAIL, completed_mail_values, mail_context
from idchange.services.submit import submit_id_change
from mail.admin import OutboxMessageAdmin
from mail.models import ContextDecoder, ContextEncoder, OutboxMessage
from mail.services import message_texts, render_mail
from tenants.scoping import operator_scope, tenant_scope
from tests.idchange.conftest import plan_line

COMPLETED = "【My KDDI Biz 総合】サービス情報変更完了のお知らせ"


def _applied(contract, user, now, delta=3):
    line = plan_line(contract)
    with tenant_scope(contract.tenant_id):
        app = submit_id_change(contract=contract, changes={line.pk: delta}, target="this_month", applicant=user, now=now)
        apply_id_change(application=app, now=now)
    with operator_scope():
        app = IdChangeApplication.objects.select_related("contract__service").get(pk=app.pk)
        lines = list(app.lines.all())
    return app, lines


def test_the_row_holds_the_values_and_the_worker_renders_the_same_mail(
    gw, alice, now, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        app, lines = _applied(gw, alice, now)
    with operator_scope():
        row = OutboxMessage.objects.get(template=COMPLETED_MAIL)
    # Stored unrendered, with the subject (the admin's list shows it).
    assert (row.subject, row.body, row.html_body) == (COMPLETED, "", "")
    assert row.context["application"]["applied_at"] == now  # a datetime again, for |jst
    expected = render_mail(COMPLETED_MAIL, mail_context(app, application_lines=lines))
    assert message_texts(row) == expected[1:]
    assert completed_mail_values(app, lines)["lines"] == mail_context(app, application_lines=lines)["lines"]

    for callback in callbacks:  # the queued delivery, as the worker runs it
        callback()
    completed = [m for m in mailoutbox if m.subject == COMPLETED]  # the 受付 mail went too
    assert [m.body for m in completed] == [expected[1]]
    assert app.receipt_number in completed[0].body
    with operator_scope():
        row.refresh_from_db()
    # Kept as sent; a second delivery of the row sends nothing (the claim).
    assert row.status == OutboxMessage.Status.SENT and row.body == expected[1]
    from mail import tasks

    assert tasks.deliver_outbox_batch([row.pk]) == {"sent": 0, "failed": 0, "retrying": 0}
    assert len([m for m in mailoutbox if m.subject == COMPLETED]) == 1


def test_datetimes_and_dates_come_back_as_such():
    at = datetime(2026, 6, 1, 23, 59, 30, 123456, tzinfo=ZoneInfo("Asia/Tokyo"))
    values = {"a": {"at": at, "day": date(2026, 6, 1), "n": 3, "s": "$datetime"}, "l": [at]}
    text = json.dumps(values, cls=ContextEncoder)
    assert json.loads(text, cls=ContextDecoder) == values


def test_the_admin_shows_the_body_rendered_before_delivery(gw, alice, now, rf):
    _applied(gw, alice, now)
    with operator_scope():
        row = OutboxMessage.objects.get(template=COMPLETED_MAIL)
    admin = OutboxMessageAdmin(OutboxMessage, None)
    assert "受付番号" in admin.redacted_body(row)
    assert "context" not in admin.readonly_fields
