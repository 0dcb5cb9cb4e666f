from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = _("テナント")

    def ready(self) -> None:
        from django.core.signals import request_finished
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from tenants import rls
        from tenants.rls import apply_row_level_security, install_reset_wrapper

        # Row-level security on every tenant table, after every migrate.
        post_migrate.connect(apply_row_level_security, dispatch_uid="tenants_rls")
        # A request's scope is left for the next one to overwrite (rls.py).
        connection_created.connect(install_reset_wrapper, dispatch_uid="tenants_rls_reset")
        request_finished.connect(rls.request_finished, dispatch_uid="tenants_rls_request_finished")
