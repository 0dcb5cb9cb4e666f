from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = _("テナント")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from tenants.rls import apply_row_level_security

        # Row-level security on every tenant table, after every migrate.
        post_migrate.connect(apply_row_level_security, dispatch_uid="tenants_rls")
