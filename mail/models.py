"""The outbox (MAIL-1): one row per mail, the source of truth for delivery."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.scoping import TenantScopedManager


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
