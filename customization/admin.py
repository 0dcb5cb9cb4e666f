"""Operators' side (ALIAS-4): remove a tenant's login image, site logo or a
link icon that breaks the image policy (当社にて画像の削除や利用停止などの
措置). Each removal goes through a service: audited, cache cleared, the
tenant falls back to the default image.

A removal is not one click (issue 23): the action first shows an
intermediate page, the Django-admin way (as its delete_selected does), that
lists the chosen tenants' images and asks for a reason; only its 削除する,
with a reason, removes them. The reason goes into each tenant's 操作ログ and
the mail to its admins."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from customization import services
from customization.forms import OperatorRemovalForm
from customization.models import Branding, LinkItem

CONFIRM_TEMPLATE = "admin/customization/remove_image.html"


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # The removals need their own permission, not just the list's view
    # permission (issue 21; group 画像審査).
    def has_remove_tenant_image_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("customization.remove_tenant_image")


def _remove_with_reason(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    rows: list[Any],
    *,
    action: str,
    title: Any,
    describe: Callable[[Any], str],
    remove: Callable[[Any, str], bool],
    done: Any,
) -> TemplateResponse | None:
    """The intermediate page of one removal action; on its confirmed POST
    with a reason, ``remove(row, reason)`` for each row and a message."""
    form = OperatorRemovalForm(request.POST if request.POST.get("post") == "yes" else None)
    if form.is_valid():
        removed = sum(1 for row in rows if remove(row, form.cleaned_data["reason"]))
        model_admin.message_user(request, done % {"n": removed}, messages.SUCCESS)
        return None  # back to the change list
    opts = model_admin.model._meta
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": opts,
        "form": form,
        "action": action,
        "items": [describe(row) for row in rows],
        "selected": [row.pk for row in rows],
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": model_admin.media,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, CONFIRM_TEMPLATE, context)


@admin.register(Branding)
class BrandingAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["tenant", "site_logo", "login_logo", "updated_at"]
    list_select_related = ["tenant", "site_logo", "login_logo"]
    search_fields = ["tenant__name", "tenant__code", "tenant__login_alias"]
    actions = ["remove_site_logo", "remove_login_logo"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("サイトロゴを削除してデフォルトに戻す"), permissions=["remove_tenant_image"])
    def remove_site_logo(self, request: HttpRequest, queryset: QuerySet[Branding]) -> TemplateResponse | None:
        return _remove_with_reason(
            self, request, [b for b in queryset.select_related("tenant") if b.site_logo_id],
            action="remove_site_logo",
            title=_("サイトロゴの削除"),
            describe=lambda b: str(b.tenant),
            remove=lambda b, reason: services.remove_site_logo(tenant=b.tenant, actor=request.user, reason=reason),
            done=_("サイトロゴを削除しました: %(n)d 件"),
        )

    @admin.action(description=_("ログイン画面の画像を削除してデフォルトに戻す"), permissions=["remove_tenant_image"])
    def remove_login_logo(self, request: HttpRequest, queryset: QuerySet[Branding]) -> TemplateResponse | None:
        return _remove_with_reason(
            self, request, [b for b in queryset.select_related("tenant") if b.login_logo_id],
            action="remove_login_logo",
            title=_("ログイン画面の画像の削除"),
            describe=lambda b: str(b.tenant),
            remove=lambda b, reason: services.remove_login_logo(tenant=b.tenant, actor=request.user, reason=reason),
            done=_("ログイン画面の画像を削除しました: %(n)d 件"),
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
    def remove_icon(self, request: HttpRequest, queryset: QuerySet[LinkItem]) -> TemplateResponse | None:
        return _remove_with_reason(
            self, request, [link for link in queryset.select_related("tenant") if link.icon_id],
            action="remove_icon",
            title=_("アイコン画像の削除"),
            describe=lambda link: f"{link.tenant} — {link.title}",
            remove=lambda link, reason: services.remove_link_icon(link=link, actor=request.user, reason=reason),
            done=_("アイコン画像を削除しました: %(n)d 件"),
        )
