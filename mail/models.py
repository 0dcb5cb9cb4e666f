"""The outbox (MAIL-1): one row per mail, the source of truth for delivery."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.scoping import TenantScopedManager


class ContextEncoder(json.JSONEncoder):
    """A mail's template values as JSON, datetimes and dates kept as such
    (a template filter such as ``jst`` needs the datetime back)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime):
            return {"$datetime": o.isoformat()}
        if isinstance(o, date):
            return {"$date": o.isoformat()}
        return super().default(o)


class ContextDecoder(json.JSONDecoder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, object_hook=self._typed, **kwargs)

    @staticmethod
    def _typed(obj: dict[str, Any]) -> Any:
        if len(obj) == 1:
            if "$datetime" in obj:
                return datetime.fromisoformat(obj["$datetime"])
            if "$date" in obj:
                return date.fromisoformat(obj["$date"])
        return obj


class OutboxMessage(models.Model):
    """One mail to send, written in the same transaction as its cause.

    The row is the source of truth: the Celery task only delivers what is
    here, and the sweep re-queues what a lost broker message left behind, so
    nothing is lost. ``tenant`` is NULL for platform mail (operators).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("送信待ち")
        SENDING = "sending", _("送信中")
        SENT = "sent", _("送信済")
        FAILED = "failed", _("送信失敗")

    tenant = models.ForeignKey(
        "tenants.Tenant",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbox_messages",
        verbose_name=_("テナント"),
    )
    template = models.CharField(_("テンプレート"), max_length=80)
    to = models.JSONField(_("宛先"), default=list)
    subject = models.CharField(_("件名"), max_length=255)
    body = models.TextField(_("本文"))
    html_body = models.TextField(_("HTML 本文"), blank=True)
    # A bulk send may leave the bodies to the worker (issue 22: the month
    # job's 10,000 完了 mails): the template's values are stored here, in
    # the same transaction as the cause, and ``mail.services.message_texts``
    # renders them at delivery; the rendered text is then kept in ``body``.
    # NULL: the body was rendered when the row was written.
    context = models.JSONField(
        _("本文の値"), null=True, blank=True, encoder=ContextEncoder, decoder=ContextDecoder
    )
    from_email = models.CharField(_("差出人"), max_length=254)
    status = models.CharField(
        _("状態"), max_length=10, choices=Status, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(_("試行回数"), default=0)
    last_error = models.TextField(_("最後のエラー"), blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    # A claim lease: a row stuck in "sending" past it (a crashed worker) is
    # handed out again by the sweep.
    claimed_until = models.DateTimeField(_("送信予約期限"), null=True, blank=True)
    sent_at = models.DateTimeField(_("送信日時"), null=True, blank=True)

    objects = TenantScopedManager()
    # PostgreSQL row-level security as on every tenant table (tenants/rls.py):
    # mail bodies hold names, addresses and links. The mail kit reads and
    # writes the rows in operator_scope(); a tenant scope sees its own only,
    # and rows with no tenant (operators' mail) none (issue 20).
    row_level_security = True

    class Meta:
        # The table keeps the name it had in notifications (issue 19 moved
        # the model with a state-only migration: no data was copied).
        db_table = "notifications_outboxmessage"
        verbose_name = _("送信メール")
        verbose_name_plural = _("送信メール")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(status__in=["pending", "sending"]),
                name="outbox_unsent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"
