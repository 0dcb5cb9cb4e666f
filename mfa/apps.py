from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MfaConfig(AppConfig):
    name = "mfa"
    verbose_name = _("2段階認証")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from mfa.session import on_password_login

        # Every login (the portal's two steps, Django admin's form, a test's
        # force_login) goes through django.contrib.auth.login(): the session
        # learns there whether a second factor is still owed.
        user_logged_in.connect(on_password_login, dispatch_uid="mfa.on_password_login")
