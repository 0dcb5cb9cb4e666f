"""The outbox's object-type name for the 操作ログ (audit/registry.py). Mail
records no action of its own: its rows are the objects of other apps'
entries (an operator viewing an outbox row in Django admin)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTIONS: dict = {}

OBJECT_TYPES = {
    "mail.OutboxMessage": _("送信メール"),
}
