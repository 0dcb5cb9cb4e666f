from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomizationConfig(AppConfig):
    name = "customization"
    verbose_name = _("画面カスタマイズ設定")

    def ready(self) -> None:
        from customization.access import OPERATOR_PERMISSION, may_download
        from customization.policies import PURPOSE_PREFIX
        from uploads.access import register_download_rule

        register_download_rule(PURPOSE_PREFIX, may_download, operator_permission=OPERATOR_PERMISSION)
