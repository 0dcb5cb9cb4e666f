"""What the failure drills found in the outbox (issue 15, scripts/drill_worker.py
and scripts/drill_redis.py), proved at the service layer.

* A delivery batch killed mid-way (SIGKILL of its worker) used to mark its
  rows sent only at the end, so every mail it had already handed to the ESP
  was sent again after the lease: 154 duplicates for one killed batch in the
  drill. Each row is now marked as it goes: at most the one in flight is sent
  twice (MAIL-1, issue 15 "duplicates ≤ 1 per killed in-flight batch").
* A batch stops at the end of its claim lease, after which the sweep may hand
  its rows to another worker.
* The sweep queued the same oldest stuck rows again on every run while they
  waited in a backlog (414 redundant tasks after Redis lost 1,000 queued
  mails); a row it queues is now left to the queue for OUTBOX_STUCK_AFTER.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import timedelta

import pytest
from django.core.mail import EmailMessage, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.test import override_settings
from django.utils import timezone

from mail import services
from mail.models import OutboxMessage
from mail.services import Mail
from mail.tasks import _is_transient, deliver_outbox_batch
from tenants.scoping import operator_scope


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after it runs, no ``except Exception`` sees it."""


class DyingBackend(BaseEmailBackend):
    """An ESP that takes every message; the worker dies right after the ESP
    took message number ``die_after`` (sent, not yet recorded)."""

    taken: list[int] = []
    die_after: int | None = None

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            DyingBackend.taken.append(int(message.extra_headers["X-Portal-Outbox-Id"]))
            if len(DyingBackend.taken) == DyingBackend.die_after:
                raise WorkerKilled
        return len(email_messages)


def statuses(ids: list[int]) -> list[str]:
    with operator_scope():
        return list(OutboxMessage.objects.filter(pk__in=ids).order_by("pk").values_list("status", flat=True))


def send(count: int) -> list[int]:
    services.send_mails(
        template="test_notice",
        mails=[Mail(to=f"u{i}@example.com", context={"name": "利用者", "title": "停電"}) for i in range(count)],
    )
    with operator_scope():
        return list(OutboxMessage.objects.order_by("pk").values_list("pk", flat=True))


@override_settings(MAILERS={"default": {"BACKEND": "tests.mail.test_outbox_failures.DyingBackend"}})
def test_a_batch_killed_mid_way_sends_at_most_the_mail_in_flight_twice(db, django_capture_on_commit_callbacks):
    """Issue 15 failure drill, MAIL-1: the worker dies after the ESP took the
    4th of 10 mails. The 3 before are recorded as sent; the rerun (the task
    requeued by reject_on_worker_lost) leaves the leased rest alone; once the
    lease ends the sweep sends the 7 left, the 4th among them: 1 duplicate, 0 lost."""
    DyingBackend.taken, DyingBackend.die_after = [], 4
    with django_capture_on_commit_callbacks(execute=False):  # the batch task is run by hand below
        ids = send(10)
    with pytest.raises(WorkerKilled):
        deliver_outbox_batch(ids)
    assert statuses(ids) == ["sent"] * 3 + ["sending"] * 7

    assert deliver_outbox_batch(ids) == {"sent": 0, "failed": 0, "retrying": 0}  # the rerun: still leased

    later = timezone.now() + services.claim_lease() + timedelta(seconds=1)
    assert services.take_stuck(now=later) == ids[3:]
    DyingBackend.die_after = None
    messages = services.claim_many(ids, now=later)
    with mailers.default as connection:
        assert services.deliver_claimed(messages, connection=connection, is_transient=_is_transient) == {
            "sent": 7, "failed": 0, "retrying": 0,
        }
    assert statuses(ids) == ["sent"] * 10
    deliveries = Counter(DyingBackend.taken)
    assert set(deliveries) == set(ids)  # 0 lost
    assert {pk: n for pk, n in deliveries.items() if n > 1} == {ids[3]: 2}  # 1 duplicate: the one in flight


def test_a_batch_sends_nothing_after_its_lease(db, mailoutbox, django_capture_on_commit_callbacks):
    """A slow ESP: once the claim's lease has run out the sweep may give the
    rows to another worker, so the batch stops; the rest stay claimed."""
    with django_capture_on_commit_callbacks(execute=False):
        ids = send(3)
    messages = services.claim_many(ids)
    clock = iter([timezone.now(), messages[0].claimed_until])
    with mailers.default as connection:
        outcome = services.deliver_claimed(
            messages, connection=connection, is_transient=_is_transient, now=lambda: next(clock)
        )
    assert outcome == {"sent": 1, "failed": 0, "retrying": 0}
    assert len(mailoutbox) == 1
    assert statuses(ids) == ["sent", "sending", "sending"]


def test_the_sweep_queues_a_stuck_row_once_per_stuck_period(db, django_capture_on_commit_callbacks):
    """Issue 15 drill (Redis lost its queue): the sweep runs every minute and
    a backlog may take longer to drain; a row it queued is not queued again
    (in front of newer mail) until OUTBOX_STUCK_AFTER has passed once more."""
    with django_capture_on_commit_callbacks(execute=False):
        ids = send(2)  # the broker lost both tasks
    now = timezone.now() + services.stuck_after() + timedelta(seconds=1)
    assert services.take_stuck(now=now) == ids
    assert services.take_stuck(now=now + timedelta(seconds=59)) == []  # the next minute: still queued
    assert services.take_stuck(now=now + services.stuck_after() + timedelta(seconds=1)) == ids
    assert statuses(ids) == ["pending", "pending"]



@override_settings(MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}})
def test_sweep_requeues_stuck_rows_in_batches(db, mailoutbox, monkeypatch):
    """Issue 15 drills: after Redis lost its data the sweep sent one task per
    row, 500 a minute (10,000 lost mails: 20 minutes). It now queues batches
    of BULK_CHUNK, up to SWEEP_LIMIT a run, each over one connection."""
    from mail import services as outbox
    from mail.tasks import sweep_outbox

    monkeypatch.setattr(outbox, "BULK_CHUNK", 2)
    queued: list[list[int]] = []
    real = outbox.queue_batch_delivery
    monkeypatch.setattr(outbox, "queue_batch_delivery", lambda ids: (queued.append(list(ids)), real(ids)))
    ids = send(5)
    with operator_scope():
        OutboxMessage.objects.filter(pk__in=ids).update(created_at=timezone.now() - timedelta(minutes=5))
    assert sweep_outbox.apply().get() == 5
    assert queued == [ids[0:2], ids[2:4], ids[4:5]]
    assert statuses(ids) == [OutboxMessage.Status.SENT] * 5
    assert len(mailoutbox) == 5


class AlwaysBusyBackend(BaseEmailBackend):
    """An ESP that answers 421 (try again later) to everything."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        import smtplib

        raise smtplib.SMTPResponseException(421, b"busy")


@override_settings(MAILERS={"default": {"BACKEND": f"{__name__}.AlwaysBusyBackend"}})
def test_batch_retries_back_off_and_end_in_failed(db):
    """MAIL-1: a transient failure in a batch is retried with a growing backoff,
    and after MAX_ATTEMPTS it is marked failed instead of retried for ever."""
    [pk] = send(1)
    delays = []
    for attempt in range(services.MAX_ATTEMPTS):
        with operator_scope():
            OutboxMessage.objects.filter(pk=pk).update(claimed_until=None)  # the backoff has passed
        before = timezone.now()
        outcome = deliver_outbox_batch.apply(args=[[pk]]).get()
        with operator_scope():
            row = OutboxMessage.objects.get(pk=pk)
        assert row.attempts == attempt + 1
        if attempt + 1 < services.MAX_ATTEMPTS:
            assert outcome["retrying"] == 1 and row.status == OutboxMessage.Status.PENDING
            delays.append((row.claimed_until - before).total_seconds())
        else:
            assert outcome["failed"] == 1 and row.status == OutboxMessage.Status.FAILED
    assert delays == sorted(delays) and delays[0] >= 29 and delays[-1] <= 3601
    assert "421" in row.last_error
