"""Operators' side (ALIAS-4): remove a tenant's login image, site logo or a
link icon that breaks the image policy (当社にて画像の削除や利用停止などの
措置). Each removal goes through a service: audited, cache cleared, the
tenant falls back to the default image."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from customization import services
from customization.models import Branding, LinkItem


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # The removals need their own permission, not just the list's view
    # permission (issue 21; group 画像審査).
    def has_remove_tenant_image_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("customization.remove_tenant_image")


@admin.register(Branding)
class BrandingAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["tenant", "site_logo", "login_logo", "updated_at"]
    list_select_related = ["tenant", "site_logo", "login_logo"]
    search_fields = ["tenant__name", "tenant__code", "tenant__login_alias"]
    actions = ["remove_site_logo", "remove_login_logo"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("サイトロゴを削除してデフォルトに戻す"), permissions=["remove_tenant_image"])
    def remove_site_logo(self, request: HttpRequest, queryset: QuerySet[Branding]) -> None:
        rows = [b for b in queryset.select_related("tenant") if b.site_logo_id]
        for branding in rows:
            services.reset_site_logo(tenant=branding.tenant, actor=request.user, by_operator=True)
        self.message_user(
            request, _("サイトロゴを削除しました: %(n)d 件") % {"n": len(rows)}, messages.SUCCESS
        )

    @admin.action(description=_("ログイン画面の画像を削除してデフォルトに戻す"), permissions=["remove_tenant_image"])
    def remove_login_logo(self, request: HttpRequest, queryset: QuerySet[Branding]) -> None:
        rows = [b for b in queryset.select_related("tenant") if b.login_logo_id]
        for branding in rows:
            services.remove_login_logo(tenant=branding.tenant, actor=request.user)
        self.message_user(
            request,
            _("ログイン画面の画像を削除しました: %(n)d 件") % {"n": len(rows)},
            messages.SUCCESS,
        )


@admin.register(LinkItem)
class LinkItemAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["title", "tenant", "url", "icon", "created_at"]
    list_select_related = ["tenant", "icon"]
    search_fields = ["title", "url", "tenant__name", "tenant__code"]
    actions = ["remove_icon"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("アイコン画像を削除して NoImage に戻す"), permissions=["remove_tenant_image"])
    def remove_icon(self, request: HttpRequest, queryset: QuerySet[LinkItem]) -> None:
        rows = [link for link in queryset if link.icon_id]
        for link in rows:
            services.remove_link_icon(link=link, actor=request.user)
        self.message_user(
            request, _("アイコン画像を削除しました: %(n)d 件") % {"n": len(rows)}, messages.SUCCESS
        )
