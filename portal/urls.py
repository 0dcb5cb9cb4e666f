from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from portal import views
from users.urls import contract_urlpatterns

handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"

admin.site.site_header = _("ポータル 運用管理")
admin.site.site_title = _("ポータル 運用管理")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("home/", views.home, name="home"),
    path("users/", include("users.urls")),
    path("contract/", include((contract_urlpatterns, "contract"))),
    path("idchange/", include("idchange.urls")),
    path("audit-log/", include("accounts.urls_audit")),
    path("files/", include("uploads.urls")),
    path("bulletin/", include("bulletin.urls")),
    path("notices/", include("notifications.urls")),
    path("inquiries/", include("inquiries.urls")),
    path("staff/inquiries/", include("inquiries.urls_staff")),
    path("customization/", include("customization.urls")),
    path("scim/v2/", include("scim.urls_api")),
    path("scim-tokens/", include("scim.urls")),
    path("account/two-step/", include("mfa.urls")),
    path("", include("accounts.urls")),
]
