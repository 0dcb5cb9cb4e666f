from __future__ import annotations

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        # ALIAS-3: the login pages' logo hook, wired here at the top layer so
        # neither chapter imports the other's views.
        from accounts.views import login
        from customization.selectors import login_logo_url

        def dedicated_url_logo(request):  # noqa: ANN001, ANN202
            alias = request.GET.get("tenant_alias") or request.session.get(login.SESSION_ALIAS, "")
            return {"login_logo_url": login_logo_url(alias=alias)}

        login.register_login_page_hook(dedicated_url_logo)
