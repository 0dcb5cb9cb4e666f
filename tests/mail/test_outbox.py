"""The mail outbox (MAIL-1, PRE-1): written with its cause, sent after
commit by a Celery task, retried when transient, never lost."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from mail import services
from mail.models import OutboxMessage
from mail.tasks import deliver_outbox_message, sweep_outbox
from tenants.scoping import operator_scope

CONTEXT = {"name": "山田", "title": "メンテナンス"}


def outbox_rows() -> list[OutboxMessage]:
    with operator_scope():
        return list(OutboxMessage.objects.order_by("pk"))


@override_settings(DEFAULT_FROM_EMAIL="mail-bizportal@mail.example.com")
def test_mail_is_stored_and_sent_after_commit_from_the_one_sender(
    tenant_a, django_capture_on_commit_callbacks, mailoutbox
):
    """PRE-1, MAIL-1: one configurable sender; queued only after commit."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = services.send_mail(template="test_notice", to="a@example.com", context=CONTEXT, tenant=tenant_a)
        assert mailoutbox == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    assert len(mailoutbox) == 1
    sent = mailoutbox[0]
    assert sent.subject == "メンテナンス のお知らせ"
    assert "山田 様" in sent.body
    assert sent.from_email == "mail-bizportal@mail.example.com"
    assert sent.extra_headers["X-Portal-Outbox-Id"] == str(message.pk)
    [row] = outbox_rows()
    assert row.status == OutboxMessage.Status.SENT and row.sent_at is not None and row.attempts == 1


def test_rolled_back_cause_sends_nothing(transactional_db, tenant_a, mailoutbox):
    """MAIL-1: a mail is part of its cause's transaction."""
    with pytest.raises(RuntimeError), transaction.atomic():
        services.send_mail(template="test_notice", to="a@example.com", context=CONTEXT, tenant=tenant_a)
        raise RuntimeError("the cause failed")
    assert outbox_rows() == []
    assert mailoutbox == []


def test_delivery_is_idempotent(tenant_a, mailoutbox):
    message = services.send_mail(template="test_notice", to="a@example.com", context=CONTEXT)
    assert deliver_outbox_message.apply(args=[message.pk]).get() == "sent"
    assert deliver_outbox_message.apply(args=[message.pk]).get() == "skipped"
    assert len(mailoutbox) == 1


class FlakyBackend(BaseEmailBackend):
    """A mail backend that fails the first ``failures`` sends with ``error``."""

    failures = 0
    error: Exception = smtplib.SMTPServerDisconnected("gone")
    calls = 0

    def send_messages(self, messages):
        type(self).calls += 1
        if type(self).calls <= type(self).failures:
            raise type(self).error
        mail.outbox.extend(messages)
        return len(messages)


@override_settings(MAILERS={"default": {"BACKEND": "tests.mail.test_outbox.FlakyBackend"}})
def test_transient_failure_is_retried_until_sent(db, mailoutbox):
    """MAIL-1: a transient failure is retried with backoff."""
    FlakyBackend.calls, FlakyBackend.failures = 0, 2
    FlakyBackend.error = smtplib.SMTPServerDisconnected("gone")
    message = services.send_mail(template="test_notice", to="a@example.com", context=CONTEXT)
    result = deliver_outbox_message.apply(args=[message.pk])
    # Eager retries run inline; the third attempt succeeds.
    assert FlakyBackend.calls == 3
    assert result.get() == "sent"
    [row] = outbox_rows()
    assert row.status == OutboxMessage.Status.SENT
    assert len(mailoutbox) == 1


@override_settings(MAILERS={"default": {"BACKEND": "tests.mail.test_outbox.FlakyBackend"}})
def test_permanent_failure_is_not_retried(db, mailoutbox):
    FlakyBackend.calls, FlakyBackend.failures = 0, 99
    FlakyBackend.error = smtplib.SMTPRecipientsRefused({"a@example.com": (550, b"no such user")})
    message = services.send_mail(template="test_notice", to="a@example.com", context=CONTEXT)
    assert deliver_outbox_message.apply(args=[message.pk]).get() == "failed"
    assert FlakyBackend.calls == 1
    [row] = outbox_rows()
    assert row.status == OutboxMessage.Status.FAILED
    assert "550" in row.last_error


def test_sweep_sends_what_was_never_queued(db, mailoutbox):
    """A row whose queueing was lost is picked up by the beat sweep."""
    message = services.send_mail(template="test_notice", to="a@example.com", context=CONTEXT)
    # on_commit never ran (the test transaction is not committed): like a lost message.
    assert sweep_outbox.apply().get() == 0  # too young to be called stuck
    with operator_scope():
        OutboxMessage.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert sweep_outbox.apply().get() == 1
    assert len(mailoutbox) == 1
    assert sweep_outbox.apply().get() == 0


def test_sweep_reclaims_rows_of_a_crashed_worker(db, mailoutbox):
    message = services.send_mail(template="test_notice", to="a@example.com", context=CONTEXT)
    assert services.claim(message.pk) is not None  # a worker took it, then died
    assert services.claim(message.pk) is None  # nobody else may send it meanwhile
    later = timezone.now() + services.claim_lease() + timedelta(seconds=1)
    assert services.stuck_message_ids(now=later) == [message.pk]


def test_every_mail_gets_the_configured_product_names(db, settings):
    """AUTH-1, IDC-2: product names are configuration, available to every mail."""
    settings.PORTAL_PRODUCT_NAME = "Biz ポータル"
    settings.PORTAL_CARRIER_NAME = "ACME"
    from django.template.loader import render_to_string

    subject = render_to_string("mail/idchange_received/subject.txt", services.base_context())
    assert subject.strip() == "【Biz ポータル】サービス情報変更受付のお知らせ"
