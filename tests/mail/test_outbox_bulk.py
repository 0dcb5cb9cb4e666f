"""Bulk sends (MAIL-2): many rows in a few INSERTs, in the caller's
transaction, delivered in chunks after commit, none twice."""

from __future__ import annotations

import smtplib

import pytest
from django.db import transaction
from django.test import override_settings

from mail import services
from mail.models import OutboxMessage
from mail.services import Mail
from mail.tasks import deliver_outbox_batch
from tenants.scoping import operator_scope
from tests.mail.test_outbox import FlakyBackend


def rows() -> list[OutboxMessage]:
    with operator_scope():
        return list(OutboxMessage.objects.order_by("pk"))


def mails(n: int) -> list[Mail]:
    return [Mail(to=f"u{i}@example.com", context={"name": f"利用者{i}", "title": "お知らせ"}) for i in range(n)]


def test_bulk_send_writes_few_queries_and_sends_after_commit(
    tenant_a, django_capture_on_commit_callbacks, django_assert_max_num_queries, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with django_assert_max_num_queries(3):
            count = services.send_mails(template="test_notice", mails=mails(1200), tenant=tenant_a)
        assert count == 1200
        assert mailoutbox == []
    assert len(callbacks) == 3  # chunks of 500
    assert len(mailoutbox) == 1200
    assert mailoutbox[7].to == ["u7@example.com"] and "利用者7 様" in mailoutbox[7].body
    assert {r.status for r in rows()} == {OutboxMessage.Status.SENT}


def test_bulk_send_rolls_back_with_its_cause(transactional_db, tenant_a, mailoutbox):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.send_mails(template="test_notice", mails=mails(10), tenant=tenant_a)
        raise RuntimeError
    assert rows() == [] and mailoutbox == []


def test_batch_delivery_is_idempotent(tenant_a, mailoutbox):
    services.send_mails(template="test_notice", mails=mails(5), tenant=tenant_a)
    ids = [r.pk for r in rows()]
    assert deliver_outbox_batch.apply(args=[ids]).get()["sent"] == 5
    assert deliver_outbox_batch.apply(args=[ids]).get()["sent"] == 0
    assert len(mailoutbox) == 5


@override_settings(MAILERS={"default": {"BACKEND": "tests.mail.test_outbox.FlakyBackend"}})
def test_batch_delivery_sorts_failures(tenant_a, mailoutbox):
    FlakyBackend.calls, FlakyBackend.failures = 0, 1
    FlakyBackend.error = smtplib.SMTPRecipientsRefused({"u0@example.com": (550, b"no such user")})
    services.send_mails(template="test_notice", mails=mails(3), tenant=tenant_a)
    ids = [r.pk for r in rows()]
    result = deliver_outbox_batch.apply(args=[ids]).get()
    assert result == {"sent": 2, "failed": 1, "retrying": 0}
    assert [r.status for r in rows()] == ["failed", "sent", "sent"]


@override_settings(MAILERS={"default": {"BACKEND": "tests.mail.test_outbox.FlakyBackend"}})
def test_batch_transient_failure_waits_for_the_sweep(tenant_a, mailoutbox):
    FlakyBackend.calls, FlakyBackend.failures = 0, 1
    FlakyBackend.error = smtplib.SMTPServerDisconnected("gone")
    services.send_mails(template="test_notice", mails=mails(2), tenant=tenant_a)
    ids = [r.pk for r in rows()]
    assert deliver_outbox_batch.apply(args=[ids]).get() == {"sent": 1, "failed": 0, "retrying": 1}
    first = rows()[0]
    assert first.status == OutboxMessage.Status.PENDING and first.claimed_until is not None
