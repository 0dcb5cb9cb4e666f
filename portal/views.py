from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

from accounts.permissions import TenantRequest, tenant_role_required
from customization.selectors import home_links


@tenant_role_required()
def home(request: TenantRequest) -> HttpResponse:
    """Admin and user home (HOME-1, HOME-2): the menu comes from the context
    processor; this page shows the contracted services and common links."""
    contracts = list(request.tenant.contracts.select_related("service").all())
    return render(
        request,
        "portal/home.html",
        {
            "contracts": contracts,
            "is_admin": request.user.is_tenant_admin,
            "billing_site_url": settings.BILLING_SITE_URL,
            "home_links": home_links(tenant=request.tenant),
        },
    )


# Error pages carry the manual's messages (AUTH-12).


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "errors/error.html",
        {"title": _("アクセスできません"), "message": _("このページを表示する権限がありません。")},
        status=403,
    )


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "errors/error.html",
        {"title": _("ページが見つかりません"), "message": _("データが取得できませんでした。")},
        status=404,
    )


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the context processors' database reads: the database
    # may be why we are here.
    return render(
        request,
        "errors/500.html",
        {"message": _("問題が発生しました。しばらくしてからご利用ください。")},
        status=500,
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(
        request,
        "errors/error.html",
        {
            "title": _("セッションの有効期限が切れました"),
            "message": _("アクセストークンが不正です。"),
            "show_login_link": True,
        },
        status=403,
    )
