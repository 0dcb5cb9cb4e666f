"""The header's global menu by role (HOME-1, HOME-2).

Entries name URL patterns; an entry whose pattern does not exist (a chapter
not built yet) is left out rather than shown as a dead link.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from customization.selectors import site_logo_url
from notifications.selectors import cached_unread_count


@dataclass(frozen=True)
class MenuItem:
    label: str | Promise
    url_name: str
    admin_only: bool = False
    children: tuple[MenuItem, ...] = field(default_factory=tuple)
    # Dotted path of ``predicate(request) -> bool`` deciding whether a user
    # (not an admin: admins see every entry) gets this entry on this page.
    visible: str | None = None


# The i entry (HOME-3) carries the user's unread count.
INFORMATION_URL_NAME = "notifications:information"

# The group labels carry a "menu" context: in English they are plurals
# ("Users", "Services") while the same words elsewhere are singular.
GLOBAL_MENU: tuple[MenuItem, ...] = (
    MenuItem(_("ホーム"), "home"),
    MenuItem(
        pgettext_lazy("menu", "ユーザ"),
        "users:list",
        admin_only=True,
        children=(
            MenuItem(_("ユーザ一覧"), "users:list", admin_only=True),
            MenuItem(_("ユーザ追加"), "users:add", admin_only=True),
            MenuItem(_("組織"), "users:organizations", admin_only=True),
        ),
    ),
    MenuItem(
        pgettext_lazy("menu", "サービス"),
        "idchange:list",
        admin_only=True,
        children=(
            MenuItem(_("ID 数確認/変更申込"), "idchange:list", admin_only=True),
            MenuItem(_("メール通知サービス設定"), "notifications:areas", admin_only=True),
            MenuItem(_("画面カスタマイズ設定"), "customization:index", admin_only=True),
            MenuItem(_("SCIM プロビジョニング"), "scim_tokens:list", admin_only=True),
            MenuItem(_("2段階認証ポリシー"), "mfa:policy", admin_only=True),
        ),
    ),
    MenuItem(_("社内向け掲示板"), "bulletin:index", visible="bulletin.selectors.menu_visible"),
    MenuItem(_("契約情報"), "contract:detail", admin_only=True),
    MenuItem(_("お問い合わせ"), "inquiries:index"),
    MenuItem(_("i"), INFORMATION_URL_NAME),
    MenuItem(_("操作ログ"), "auditlog:list", admin_only=True),
)


USER_MENU: tuple[MenuItem, ...] = (
    MenuItem(_("パスワード変更"), "accounts:password_change"),
    MenuItem(_("通知先メールアドレス変更"), "accounts:notification_email_change"),
    MenuItem(_("2段階認証"), "mfa:settings"),
)


@cache
def _url(url_name: str, prefix: str, urlconf: str | None) -> str | None:
    """A menu entry's URL, reversed once per process (issue 22: 21 reverse()
    calls on every page); keyed by what reverse() depends on."""
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def _resolve(item: MenuItem, is_admin: bool, path: str, request: HttpRequest | None = None) -> dict[str, Any] | None:
    if item.admin_only and not is_admin:
        return None
    if item.visible and not is_admin and not import_string(item.visible)(request):
        return None
    url = _url(item.url_name, get_script_prefix(), get_urlconf())
    if url is None:
        return None
    children = [c for c in (_resolve(ch, is_admin, path, request) for ch in item.children) if c]
    if item.children and not children:
        return None
    active = path.startswith(url) if url != "/" else path == "/"
    active = active or any(c["active"] for c in children)
    return {"label": item.label, "url": url, "children": children, "active": active, "url_name": item.url_name}


def portal(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "tenant", None) is None:
        return {"global_menu": [], "user_menu": [], "portal_name": settings.PORTAL_PRODUCT_NAME}
    is_admin = user.is_tenant_admin
    menu = [m for m in (_resolve(i, is_admin, request.path, request) for i in GLOBAL_MENU) if m]
    user_menu = [m for m in (_resolve(i, is_admin, request.path) for i in USER_MENU) if m]
    for entry in menu:
        if entry["url_name"] == INFORMATION_URL_NAME:
            entry["badge"] = cached_unread_count(user)  # cached per user (issue 22)
    return {
        "global_menu": menu,
        "user_menu": user_menu,
        "tenant": request.tenant,
        "portal_name": settings.PORTAL_PRODUCT_NAME,
        # LOGO-1: the header's logo slot (one cache lookup per page).
        "site_logo_url": site_logo_url(tenant=request.tenant),
    }
