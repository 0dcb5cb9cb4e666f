from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulletinConfig(AppConfig):
    name = "bulletin"
    verbose_name = _("社内向け掲示板")

    def ready(self) -> None:
        from bulletin import signals  # noqa: F401  (connects the receivers)
        from bulletin.policies import can_download_attachment
        from uploads.access import register_download_rule

        register_download_rule("bulletin.", can_download_attachment)

