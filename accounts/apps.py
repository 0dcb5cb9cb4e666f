from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("アカウント")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate

        from accounts.services.user_lookup import install_functions, save_last_login

        # The narrow login path's functions (issue 20), after every migrate.
        post_migrate.connect(install_functions, dispatch_uid="accounts_user_lookup")
        # Django's own last_login update runs before the request has a scope:
        # ours writes it in the user's scope (row-level security).
        from django.contrib.auth.models import update_last_login

        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(save_last_login, dispatch_uid="portal_update_last_login")
