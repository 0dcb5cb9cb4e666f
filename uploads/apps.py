from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UploadsConfig(AppConfig):
    name = "uploads"
    verbose_name = _("ファイル")

    def ready(self) -> None:
        from uploads import signals  # noqa: F401  (removes stored bytes when a row goes)
