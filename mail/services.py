"""The outbox, the one way to send mail: ``send_mail`` writes an outbox row in the
caller's transaction and queues its delivery after commit (MAIL-1).

Every chapter imports from here (``send_mail``, ``send_mails``, ``Mail``,
``render_mail``); the delivery side (claims, marks, the sweep's pick) is
what ``mail.tasks`` runs. The rows belong to many tenants (or none), and
PostgreSQL's row-level security guards them (``OutboxMessage``): both sides
touch them only in ``operator_scope()``, the one way out of a tenant scope
(tenants/scoping.py), which also sets the RLS bypass."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template import Context, Variable
from django.template.base import TextNode, VariableNode
from django.template.exceptions import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone, translation

from mail.links import base_url
from mail.models import OutboxMessage
from mail.queue import enqueue, enqueue_on_commit
from tenants.bulk import insert_rows
from tenants.scoping import operator_scope

MAIL_LANGUAGE = "ja"
# A row that failed transiently this many times is marked failed: a dead
# address behind a 4xx must not be retried for ever (1 try + 8 retries, as
# the single-mail task's MAX_RETRIES).
MAX_ATTEMPTS = 9


def retry_delay(attempts: int) -> timedelta:
    """The backoff after the ``attempts``-th failure: 30 s doubling, at most an hour."""
    return timedelta(seconds=min(30 * 2**attempts, 3600))


def claim_lease() -> timedelta:
    """How long a claim holds a row (``OUTBOX_CLAIM_LEASE``, 5 minutes): a
    dead worker's rows are taken over after it."""
    return settings.OUTBOX_CLAIM_LEASE


def stuck_after() -> timedelta:
    """A pending row older than this was never picked up (the broker was down
    or lost the task): the sweep queues it again (``OUTBOX_STUCK_AFTER``)."""
    return settings.OUTBOX_STUCK_AFTER


def base_context() -> dict[str, Any]:
    """What every mail may use: links and the product names, which are
    configuration, not code (AUTH-1)."""
    return {
        "portal_base_url": base_url(),
        "portal_name": settings.PORTAL_PRODUCT_NAME,
        "carrier_name": settings.PORTAL_CARRIER_NAME,
    }


@dataclass(frozen=True)
class MailTemplate:
    """The parts of ``templates/mail/<name>/``, loaded once: ``subject.txt`` and
    ``body.txt`` (plain text, never HTML-escaped: "Q&A" or "O'Neil" must arrive
    as typed) and an optional ``body.html`` (autoescaped)."""

    subject: Any
    body: Any
    html: Any | None
    # The plain variables the subject is made of, when it is nothing but
    # text and {{ name }}s (every subject here): a bulk send renders it once
    # per distinct value, not once per mail (issue 22). None: render always.
    subject_names: tuple[str, ...] | None = None

    @classmethod
    def load(cls, name: str) -> MailTemplate:
        try:
            html = get_template(f"mail/{name}/body.html")
        except TemplateDoesNotExist:
            html = None
        subject = get_template(f"mail/{name}/subject.txt")
        return cls(subject, get_template(f"mail/{name}/body.txt"), html, _plain_names(subject.template))

    def render(
        self, context: Mapping[str, Any], *, subjects: dict[tuple, str] | None = None
    ) -> tuple[str, str, str]:
        """(subject on one line, text body, HTML body or "") for one message.
        ``subjects``: a bulk send's memo of the subjects rendered so far.

        The mail templates are written in Japanese: they are rendered in
        Japanese even when an English UI request causes the mail, so that choice
        labels, dates and amounts inside them do not come out in English."""
        return self.render_all([context], subjects=subjects)[0]

    def render_all(
        self,
        contexts: Iterable[Mapping[str, Any]],
        *,
        common: Mapping[str, Any] | None = None,
        subjects: dict[tuple, str] | None = None,
    ) -> list[tuple[str, str, str]]:
        """``render`` for each of ``contexts`` (each over ``common``), as a
        bulk send needs it: the language is switched once and one template
        Context serves every mail, a layer pushed per mail (a mail's own
        values, and whatever its template sets, are gone before the next).
        That took a fifth off 10,000 完了 mails of the month job (issue 22)."""
        subjects = {} if subjects is None else subjects
        out = []
        with translation.override(MAIL_LANGUAGE):
            plain = Context(dict(common or {}), autoescape=False)
            for context in contexts:
                with plain.push(context):
                    subject = self._subject(plain, subjects)
                    # Plain text, not the SafeString a template returns: a page that
                    # shows the mail (the bulletin's 確認 preview) must escape it as
                    # any text, or a title with <b> renders bold (issue 23).
                    body = str.__str__(self.body.template.render(plain))
                html = self.html.render({**(common or {}), **context}) if self.html else ""
                out.append((subject, body, html))
        return out

    def subjects(self, contexts: Iterable[Mapping[str, Any]], *, common: Mapping[str, Any]) -> list[str]:
        """The subject alone of each of ``contexts`` (``render_all``'s)."""
        memo: dict[tuple, str] = {}
        with translation.override(MAIL_LANGUAGE):
            plain = Context(dict(common), autoescape=False)
            out = []
            for context in contexts:
                with plain.push(context):
                    out.append(self._subject(plain, memo))
        return out

    def _subject(self, plain: Context, memo: dict[tuple, str]) -> str:
        """The subject on one line, rendered once per distinct value of its
        variables when it is made of plain ones (``subject_names``)."""
        key = _subject_key(self.subject_names, plain)
        if key is not None and key in memo:
            return memo[key]
        subject = " ".join(self.subject.template.render(plain).split())
        if key is not None:
            memo[key] = subject
        return subject


def _plain_names(template: Any) -> tuple[str, ...] | None:
    """The variables of a template made only of text and ``{{ name }}``
    (no tag, no filter, no attribute lookup), or None."""
    names = []
    for node in template.nodelist:
        if isinstance(node, TextNode):
            continue
        if not isinstance(node, VariableNode):
            return None
        expression = node.filter_expression
        var = expression.var
        if expression.filters or not isinstance(var, Variable) or var.lookups is None or len(var.lookups) != 1:
            return None
        names.append(var.lookups[0])
    return tuple(names)


def _subject_key(names: tuple[str, ...] | None, context: Context | Mapping[str, Any]) -> tuple | None:
    """The memo key of a subject: the values of its variables, when they are
    plain values (a string, a number, None)."""
    if names is None:
        return None
    values = tuple(context.get(name) for name in names)
    if not all(v is None or type(v) in (str, int) for v in values):
        return None
    return values


def render_mail(template: str, context: Mapping[str, Any]) -> tuple[str, str, str]:
    """Render one mail of ``templates/mail/<template>/`` with the base context."""
    return MailTemplate.load(template).render({**base_context(), **context})


def _recipients(to: str | Iterable[str]) -> list[str]:
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        raise ValueError("a mail needs at least one recipient")
    return recipients


def _tenant_id(tenant: Any) -> int | None:
    return tenant if isinstance(tenant, int) or tenant is None else tenant.pk


@dataclass(frozen=True)
class Mail:
    """One message of a bulk send: its recipients and its template context."""

    to: str | Iterable[str]
    context: Mapping[str, Any]
    # The mail's own tenant, when one bulk send spans tenants (the apply job's
    # cross-tenant batches); None: the ``tenant`` given to send_mails.
    tenant: Any = None


BULK_CHUNK = 500  # rows per INSERT and per delivery task


def send_mails(
    *, template: str, mails: Iterable[Mail], tenant: Any = None, render_at_delivery: bool = False
) -> int:
    """Store many mails of one template in a few INSERTs (bulk imports, fan-out).

    Same guarantees as ``send_mail``: the rows are part of the caller's
    transaction and are queued after commit, in chunks, each chunk delivered
    by one task over one connection. Returns the number of rows written.

    ``render_at_delivery``: store each mail's context (JSON: strings,
    numbers, lists, dicts, datetimes, dates; no model instance) instead of
    its body, and let the worker render the body when it sends the row
    (``message_texts``). For a job writing thousands of mails in one
    transaction (the month apply job, issue 22): the body costs ~40 µs of
    template work a mail, which then runs in the mail worker, outside the
    cause's transaction. The subject is still rendered here (memoised): the
    admin's list and searches show it.
    """
    if render_at_delivery:
        return _send_mails_unrendered(template=template, mails=list(mails), tenant=tenant)
    parts = MailTemplate.load(template)
    sender = settings.DEFAULT_FROM_EMAIL
    mails = list(mails)
    # A fan-out passes one context object to every recipient (a notice reads
    # the same for all): render it once, not once per mail.
    distinct = [m.context for i, m in enumerate(mails) if i == 0 or m.context is not mails[i - 1].context]
    rendered = iter(parts.render_all(distinct, common=base_context()))
    rows = []
    for i, mail in enumerate(mails):
        if i == 0 or mail.context is not mails[i - 1].context:
            subject, body, html = next(rendered)
        rows.append(
            (_tenant_id(mail.tenant if mail.tenant is not None else tenant), template, _recipients(mail.to),
             subject, body, html, sender)
        )
    # One set-based INSERT per 5,000 rows (tenants/bulk.py), no model
    # instance per mail.
    with operator_scope():  # the rows may belong to other tenants, or none
        ids = insert_rows(
            OutboxMessage, ("tenant_id", "template", "to", "subject", "body", "html_body", "from_email"), rows
        )
    for chunk in _chunks(ids):
        transaction.on_commit(lambda chunk=chunk: queue_batch_delivery(chunk))
    return len(ids)


def _send_mails_unrendered(*, template: str, mails: list[Mail], tenant: Any) -> int:
    sender = settings.DEFAULT_FROM_EMAIL
    subjects = MailTemplate.load(template).subjects([m.context for m in mails], common=base_context())
    rows = [
        (_tenant_id(mail.tenant if mail.tenant is not None else tenant), template, _recipients(mail.to),
         subject, "", "", dict(mail.context), sender)
        for mail, subject in zip(mails, subjects, strict=True)
    ]
    with operator_scope():  # the rows may belong to other tenants, or none
        ids = insert_rows(
            OutboxMessage,
            ("tenant_id", "template", "to", "subject", "body", "html_body", "context", "from_email"),
            rows,
        )
    for chunk in _chunks(ids):
        transaction.on_commit(lambda chunk=chunk: queue_batch_delivery(chunk))
    return len(ids)


def message_texts(message: OutboxMessage) -> tuple[str, str]:
    """(text body, HTML body or "") of a row: as stored, or rendered now from
    its template and stored context (``send_mails(render_at_delivery=True)``),
    with today's base context (links, product names) as any mail."""
    if message.context is None or message.body:
        return message.body, message.html_body
    _subject, body, html = render_mail(message.template, message.context)
    return body, html


def send_mail(
    *,
    template: str,
    to: str | Iterable[str],
    context: Mapping[str, Any] | None = None,
    tenant: Any = None,
) -> OutboxMessage:
    """Render and store one mail; it is delivered once the caller commits."""
    recipients = _recipients(to)
    subject, body, html = render_mail(template, context or {})
    # Written in operator_scope(): the caller may be outside any tenant scope
    # (a password reset before login) or mail someone of no tenant (operators).
    with operator_scope():
        message = OutboxMessage.objects.create(
            tenant_id=_tenant_id(tenant),
            template=template,
            to=recipients,
            subject=subject,
            body=body,
            html_body=html,
            from_email=settings.DEFAULT_FROM_EMAIL,
        )
    enqueue_on_commit(_tasks().deliver_outbox_message, message.pk)
    return message


def _tasks() -> Any:
    # mail.tasks imports this module; the tasks are looked up when queued.
    from mail import tasks

    return tasks


def _chunks(message_ids: list[int]) -> Iterator[list[int]]:
    """Chunks of ``BULK_CHUNK`` rows, each delivered by one task over one mail
    connection."""
    for start in range(0, len(message_ids), BULK_CHUNK):
        yield message_ids[start : start + BULK_CHUNK]


def queue_batches(message_ids: list[int]) -> None:
    """Hand rows to Celery now, a task per chunk (the sweep)."""
    for chunk in _chunks(message_ids):
        queue_batch_delivery(chunk)


def queue_batch_delivery(message_ids: list[int]) -> None:
    """One chunk to one task. If the broker is unreachable the rows stay
    pending and the sweep sends them later; the caller still succeeds."""
    enqueue(_tasks().deliver_outbox_batch, message_ids)


def claim_many(message_ids: list[int], *, now: Any = None) -> list[OutboxMessage]:
    """Take the claimable rows among ``message_ids`` in one transaction; rows
    another worker holds are skipped (SKIP LOCKED), not waited for. The rows
    come back with their lease (``claimed_until``) set."""
    now = now or timezone.now()
    until = now + claim_lease()
    claimable = Q(status=OutboxMessage.Status.PENDING) | Q(
        status=OutboxMessage.Status.SENDING, claimed_until__lt=now
    )
    rows = OutboxMessage.objects
    with operator_scope(), transaction.atomic():
        taken = list(
            rows.select_for_update(skip_locked=True)
            .filter(claimable, pk__in=message_ids)
            .order_by("pk")
        )
        rows.filter(pk__in=[m.pk for m in taken]).update(
            status=OutboxMessage.Status.SENDING, claimed_until=until
        )
    for message in taken:
        message.status, message.claimed_until = OutboxMessage.Status.SENDING, until
    return taken


def deliver_claimed(
    messages: list[OutboxMessage], *, connection: Any, is_transient: Any, now: Any = timezone.now
) -> dict[str, int]:
    """Send rows ``claim_many`` returned over one connection, recording each
    outcome as soon as it is known (issue 15, failure drills).

    * Each row is marked sent right after the ESP took it, not once for the
      batch: a worker killed mid-batch (SIGKILL, a crashed machine) leaves at
      most one row sent but not marked (the one in flight), so the rerun or the
      sweep sends at most one mail twice, not every mail the batch had sent.
    * Nothing is sent after the claim's lease ends (a slow ESP): from then on
      the sweep may hand the rows to another worker; the rest stay claimed and
      are re-queued when the lease has run out.

    A transient failure goes back to pending with a growing backoff
    (``retry_delay``; the sweep re-queues it when it has passed) until
    ``MAX_ATTEMPTS``; a permanent one, or the last attempt, is marked failed.
    """
    outcome = {"sent": 0, "failed": 0, "retrying": 0}
    for message in messages:
        if message.claimed_until is not None and now() >= message.claimed_until:
            break
        try:
            deliver(message, connection=connection)
        except Exception as exc:
            if is_transient(exc) and message.attempts + 1 < MAX_ATTEMPTS:
                mark_retry(message, repr(exc), retry_in=retry_delay(message.attempts))
                outcome["retrying"] += 1
            else:
                mark_failed(message, repr(exc))
                outcome["failed"] += 1
        else:
            mark_sent(message)
            outcome["sent"] += 1
    return outcome


def claim(message_id: int, *, now: Any = None) -> OutboxMessage | None:
    """Atomically take a row for sending; None if someone else has it or it is done."""
    now = now or timezone.now()
    claimable = Q(status=OutboxMessage.Status.PENDING) | Q(
        status=OutboxMessage.Status.SENDING, claimed_until__lt=now
    )
    with operator_scope():
        updated = (
            OutboxMessage.objects.filter(claimable, pk=message_id)
            .update(status=OutboxMessage.Status.SENDING, claimed_until=now + claim_lease())
        )
        if not updated:
            return None
        return OutboxMessage.objects.get(pk=message_id)


def deliver(message: OutboxMessage, *, connection: Any = None) -> None:
    """Send through Django's mail backend (anymail in production). Raises on
    failure. A row stored unrendered is rendered first; ``mark_sent`` keeps
    the text that was sent."""
    if message.context is not None and not message.body:
        message.body, message.html_body = message_texts(message)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=message.from_email,
        to=message.to,
        headers={"X-Portal-Outbox-Id": str(message.pk)},
    )
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    if connection is None:
        email.send()
    else:
        connection.send_messages([email])


def _update(message: OutboxMessage, **values: Any) -> None:
    with operator_scope():
        OutboxMessage.objects.filter(pk=message.pk).update(**values)


def mark_sent(message: OutboxMessage) -> None:
    # A body rendered at delivery is kept with the row, as sent.
    rendered = {"body": message.body, "html_body": message.html_body} if message.context is not None else {}
    _update(
        message,
        status=OutboxMessage.Status.SENT,
        sent_at=timezone.now(),
        attempts=message.attempts + 1,
        claimed_until=None,
        last_error="",
        **rendered,
    )


def mark_retry(message: OutboxMessage, error: str, *, retry_in: timedelta) -> None:
    """Back to pending: the task's own retry sends it again; ``claimed_until``
    keeps the sweep from jumping the backoff."""
    _update(
        message,
        status=OutboxMessage.Status.PENDING,
        attempts=message.attempts + 1,
        claimed_until=timezone.now() + retry_in,
        last_error=error[:2000],
    )


def mark_failed(message: OutboxMessage, error: str) -> None:
    _update(
        message,
        status=OutboxMessage.Status.FAILED,
        attempts=message.attempts + 1,
        claimed_until=None,
        last_error=error[:2000],
    )


def _stuck(now: Any) -> Q:
    stuck = stuck_after()
    waiting_too_long = Q(status=OutboxMessage.Status.PENDING, created_at__lt=now - stuck) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now - stuck)
    )
    return waiting_too_long | Q(status=OutboxMessage.Status.SENDING, claimed_until__lt=now)


def stuck_message_ids(*, now: Any = None, limit: int = 500) -> list[int]:
    """Rows the broker lost: pending for a while, or claimed by a dead worker.
    A platform read across tenants, so it leaves the scope explicitly."""
    now = now or timezone.now()
    with operator_scope():
        return list(
            OutboxMessage.objects.filter(_stuck(now)).order_by("created_at", "pk").values_list("pk", flat=True)[:limit]
        )


def take_stuck(*, now: Any = None, limit: int = 500) -> list[int]:
    """The sweep's pick: the stuck rows, each stamped (pending, ``claimed_until``
    = now) in the same transaction, so the next sweeps leave it to the queue
    for ``OUTBOX_STUCK_AFTER`` rather than queueing the same oldest rows again
    every run while a backlog drains (issue 15 drills: after Redis lost 1,000
    queued mails, 414 redundant tasks in front of the next mails). Rows a
    worker is claiming right now are skipped (SKIP LOCKED)."""
    now = now or timezone.now()
    rows = OutboxMessage.objects
    with operator_scope(), transaction.atomic():
        ids = list(
            rows.select_for_update(skip_locked=True)
            .filter(_stuck(now))
            # pk breaks the ties: a bulk send's rows share one created_at
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        rows.filter(pk__in=ids).update(status=OutboxMessage.Status.PENDING, claimed_until=now)
    return ids
