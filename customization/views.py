"""画面カスタマイズ設定 (ch. 10–12): the index, リンク集, サイトロゴ and
ログイン画面. Thin: validate, stage the image at 確認, call a service at 完了.
Every view is for the tenant's 管理者 (manual §5.1)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.permissions import tenant_role_required
from customization import images, selectors, services
from customization.forms import LinkForm, LoginPageForm, SiteLogoForm
from customization.models import LinkItem
from customization.policies import LINK_ICON, LOGIN_LOGO, SITE_LOGO
from customization.rules import RuleError, normalize_alias
from mail.links import absolute_url

ADMIN = "admin"
# Requests reach these views inside the tenant's scope with request.tenant set
# (TenantScopeMiddleware; tenant_role_required refuses those without one).


def _bound(request: HttpRequest) -> tuple:
    """The form's data and files: bound on POST even when empty."""
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _is_confirm(request: HttpRequest) -> bool:
    return request.POST.get("step") == "confirm" and "back" not in request.POST


def _show_errors(form: Form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _complete(
    request: HttpRequest, form: Form, change: Callable[[], object], message: str, to: str
) -> HttpResponse | None:
    """完了: run the service; its refusal goes onto the form (None: show it
    again), success is a message and a redirect."""
    try:
        change()
    except ValidationError as exc:
        _show_errors(form, exc)
        return None
    messages.success(request, message)
    return redirect(to)


def _stage(request: HttpRequest, form: Form, field: str, policy) -> str:  # noqa: ANN001
    """The staged key for the 確認 page: a newly chosen image wins over the
    one carried back from an earlier 確認."""
    upload = form.cleaned_data.get(field)
    if upload is None:
        return form.cleaned_data.get("staged_key", "")
    return images.stage(tenant=request.tenant, upload=upload, policy=policy, user=request.user)


def dedicated_login_url(alias: str) -> str:
    return absolute_url(f"/?{urlencode({'tenant_alias': alias})}")


@tenant_role_required(ADMIN)
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "customization/index.html")


# --- リンク集 ---------------------------------------------------------------


@tenant_role_required(ADMIN)
def links(request: HttpRequest) -> HttpResponse:
    return render(
        request, "customization/links.html", {"links": selectors.links(tenant=request.tenant)}
    )


@tenant_role_required(ADMIN)
def link_add(request: HttpRequest) -> HttpResponse:
    """LINK-1: 追加 → 確認 → 完了. Nothing but the staged image is stored
    before 完了."""
    form = LinkForm(*_bound(request))
    if request.method == "POST" and "back" not in request.POST and form.is_valid():
        data = form.cleaned_data
        if _is_confirm(request):
            done = _complete(
                request,
                form,
                lambda: services.add_link(
                    tenant=request.tenant,
                    actor=request.user,
                    title=data["title"],
                    url=data["url"],
                    icon_key=data["staged_key"],
                ),
                _("リンクを追加しました。"),
                "customization:links",
            )
            if done:
                return done
        else:
            key = _stage(request, form, "icon", LINK_ICON)
            return render(
                request,
                "customization/link_confirm.html",
                {
                    "form": form,
                    "staged_key": key,
                    "preview_url": images.staged_url(key) if key else None,
                },
            )
    key = form.data.get("staged_key", "") if form.is_bound else ""
    return render(
        request,
        "customization/link_add.html",
        {"form": form, "staged_key": key, "preview_url": images.staged_url(key) if key else None},
    )


@tenant_role_required(ADMIN)
def link_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """LINK-2: 削除, after a confirmation page."""
    link = get_object_or_404(
        LinkItem.objects.filter(tenant=request.tenant).select_related("icon"), pk=pk
    )
    if request.method == "POST":
        services.delete_link(link=link, actor=request.user)
        messages.success(request, _("リンクを削除しました。"))
        return redirect("customization:links")
    return render(request, "customization/link_delete.html", {"link": link})


# --- サイトロゴ -------------------------------------------------------------


@tenant_role_required(ADMIN)
def site_logo(request: HttpRequest) -> HttpResponse:
    """LOGO-1, LOGO-3: image → プレビュー → 確認 (the header shows it) → 完了.
    A refused image changes nothing; the form says why."""
    form = SiteLogoForm(*_bound(request))
    if request.method == "POST" and "back" not in request.POST and form.is_valid():
        if _is_confirm(request):
            done = _complete(
                request,
                form,
                lambda: services.set_site_logo(
                    tenant=request.tenant,
                    actor=request.user,
                    logo_key=form.cleaned_data["staged_key"],
                ),
                _("サイトロゴを設定しました。"),
                "customization:site_logo",
            )
            if done:
                return done
        else:
            key = _stage(request, form, "logo", SITE_LOGO)
            # 確認: the header itself shows the new logo (the manual's 左上).
            return render(
                request,
                "customization/site_logo_confirm.html",
                {"form": form, "staged_key": key, "site_logo_url": images.staged_url(key)},
            )
    return render(
        request,
        "customization/site_logo.html",
        {"form": form, "current_logo_url": selectors.site_logo_url(tenant=request.tenant)},
    )


@tenant_role_required(ADMIN)
def site_logo_reset(request: HttpRequest) -> HttpResponse:
    """LOGO-2: デフォルト画像へ設定, after a confirmation page (the custom
    logo is deleted)."""
    if request.method == "POST":
        services.reset_site_logo(tenant=request.tenant, actor=request.user)
        messages.success(request, _("サイトロゴをデフォルト画像に戻しました。"))
        return redirect("customization:site_logo")
    return render(
        request,
        "customization/site_logo_reset.html",
        {"current_logo_url": selectors.site_logo_url(tenant=request.tenant)},
    )


# --- ログイン画面 (専用ログイン URL) ------------------------------------------


@tenant_role_required(ADMIN)
def login_page(request: HttpRequest) -> HttpResponse:
    """ALIAS-1, ALIAS-2: する/しない, お客さま専用 URL, 独自の画像 → 確認 → 完了."""
    tenant = request.tenant
    branding = selectors.branding(tenant=tenant)
    current_logo = branding.login_logo if branding else None
    initial = {
        "use_alias": LoginPageForm.USE if tenant.login_alias else LoginPageForm.NO_USE,
        "alias": tenant.login_alias or "",
        "logo_choice": LoginPageForm.LOGO_CUSTOM if current_logo else LoginPageForm.LOGO_DEFAULT,
    }
    form = LoginPageForm(
        *_bound(request),
        initial=initial,
        tenant=tenant,
        has_logo=current_logo is not None,
    )
    if request.method == "POST" and "back" not in request.POST and form.is_valid():
        data = form.cleaned_data
        if _is_confirm(request):
            if data["logo_choice"] == LoginPageForm.LOGO_DEFAULT:
                logo = services.DEFAULT
            else:
                logo = data["staged_key"] or services.KEEP
            done = _complete(
                request,
                form,
                lambda: services.set_login_page(
                    tenant=tenant, actor=request.user, alias=data["alias"] or None, logo=logo
                ),
                _("ログイン画面の設定を変更しました。"),
                "customization:login_page",
            )
            if done:
                return done
        else:
            key = (
                _stage(request, form, "logo", LOGIN_LOGO)
                if data["logo_choice"] == LoginPageForm.LOGO_CUSTOM
                else ""
            )
            if key:
                preview = images.staged_url(key)
            elif data["logo_choice"] == LoginPageForm.LOGO_CUSTOM and current_logo:
                preview = images.file_url(current_logo, public=True)
            else:
                preview = None
            return render(
                request,
                "customization/login_page_confirm.html",
                {
                    "form": form,
                    "staged_key": key,
                    "preview_url": preview,
                    "login_url": dedicated_login_url(data["alias"]) if data["alias"] else "",
                },
            )
    # Back from 確認: the staged image stays chosen; else the current logo.
    back_key = form.data.get("staged_key", "") if form.is_bound else ""
    if back_key:
        preview = images.staged_url(back_key)
    else:
        preview = images.file_url(current_logo, public=True) if current_logo else None
    return render(
        request,
        "customization/login_page.html",
        {
            "form": form,
            "current_logo_url": preview,
            "login_url": dedicated_login_url(tenant.login_alias) if tenant.login_alias else "",
        },
    )


@tenant_role_required(ADMIN)
@require_GET
def alias_check(request: HttpRequest) -> JsonResponse:
    """ALIAS-1 as typed: {"ok": bool, "message": str} for the alias in ?alias=."""
    try:
        alias = normalize_alias(request.GET.get("alias", ""))
    except RuleError as exc:
        return JsonResponse({"ok": False, "message": str(exc.message)})
    if selectors.alias_taken(alias=alias, tenant=request.tenant):
        return JsonResponse({"ok": False, "message": str(services.ALIAS_TAKEN)})
    return JsonResponse(
        {
            "ok": True,
            "message": _("このお客さま専用 URL は利用できます。"),
            "url": dedicated_login_url(alias),
        }
    )
