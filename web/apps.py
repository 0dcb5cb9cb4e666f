from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The web kit: what every chapter's pages share (the 入力 → 確認 → 完了
    flow, and later permissions, pager and CSV writer). A shared kit below the
    chapters: it imports only tenants, audit and Django."""

    name = "web"
    verbose_name = _("画面共通")
