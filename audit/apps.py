from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("監査ログ")

    def ready(self) -> None:
        from audit import registry

        # Every app's audit_actions.py (labels of its action codes), as the
        # admin collects admin.py; audit itself names no chapter.
        registry.autodiscover()
