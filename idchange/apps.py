from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdchangeConfig(AppConfig):
    name = "idchange"
    verbose_name = _("ID 数変更")

    def ready(self) -> None:
        from idchange import signals  # noqa: F401  (connects the receivers)
