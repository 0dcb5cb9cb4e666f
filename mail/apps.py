from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    """The outbox: every mail of every chapter (a shared kit, issue 19)."""

    name = "mail"
    verbose_name = _("送信メール")
