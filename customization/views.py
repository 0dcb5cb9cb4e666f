"""画面カスタマイズ設定 (ch. 10–12): the index, リンク集, サイトロゴ and
ログイン画面. Thin: validate, stage the image at 確認 (uploads.staging),
call a service at 完了 through the web kit's one-time token
(web.submission). Every view is for the tenant's 管理者 (manual §5.1)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.permissions import ROLE_ADMIN, tenant_role_required
from customization import images, selectors, services
from customization.forms import LinkForm, LoginPageForm, SiteLogoForm
from customization.models import LinkItem
from customization.policies import LINK_ICON, LOGIN_LOGO, SITE_LOGO
from customization.rules import RuleError, normalize_alias
from mail.links import absolute_url
from uploads import staging
from uploads.models import StoredFile
from uploads.policies import UploadPolicy
from web import submission

# Requests reach these views inside the tenant's scope with request.tenant set
# (TenantScopeMiddleware; tenant_role_required refuses those without one).


def _bound(request: HttpRequest) -> tuple:
    """The form's data and files: bound on POST even when empty."""
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _show_errors(form: Form, exc: ValidationError) -> None:
    """A service's refusal (keys are the form's field names) onto the form."""
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _image(request: HttpRequest, form: Form, field: str, policy: UploadPolicy) -> StoredFile | None:
    """The image for 確認 and 完了: a newly chosen one (staged now) wins
    over the one carried from an earlier 確認 (``staged_key``)."""
    upload = form.cleaned_data.get(field)
    if upload is not None:
        return staging.stage(tenant=request.tenant, uploads=[upload], policy=policy, user=request.user)[0]
    return _carried(form)


def _carried(form: Form) -> StoredFile | None:
    """The staged image posted back (戻る), when its key is a valid one."""
    if form.is_bound and not hasattr(form, "cleaned_data"):
        form.is_valid()
    carried = getattr(form, "cleaned_data", {}).get("staged_key") or []
    return carried[0] if carried else None


def _key(image: StoredFile | None) -> str:
    return str(image.key) if image else ""


def dedicated_login_url(alias: str) -> str:
    return absolute_url(f"/?{urlencode({'tenant_alias': alias})}")


@tenant_role_required(ROLE_ADMIN)
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "customization/index.html")


# --- リンク集 ---------------------------------------------------------------


@tenant_role_required(ROLE_ADMIN)
def links(request: HttpRequest) -> HttpResponse:
    return render(
        request, "customization/links.html", {"links": selectors.links(tenant=request.tenant)}
    )


@tenant_role_required(ROLE_ADMIN)
def link_add(request: HttpRequest) -> HttpResponse:
    """LINK-1: 追加 → 確認 → 完了. Nothing but the staged image is stored
    before 完了."""
    step = submission.stage(request)
    if step == submission.DONE and (replayed := submission.replay(request)):
        return replayed
    form = LinkForm(*_bound(request), tenant=request.tenant, user=request.user)
    if step != submission.INPUT and form.is_valid():
        data = form.cleaned_data
        icon = _image(request, form, "icon", LINK_ICON)
        confirm = {"form": form, "staged_key": _key(icon), "preview_url": images.file_url(icon) if icon else None}
        if step == submission.CONFIRM:
            return render(request, "customization/link_confirm.html", confirm)

        def change() -> str:
            services.add_link(
                tenant=request.tenant, actor=request.user, title=data["title"], url=data["url"], icon_key=_key(icon)
            )
            messages.success(request, _("リンクを追加しました。"))
            return reverse("customization:links")

        try:
            done = submission.complete(request, change, form=form)
        except ValidationError as exc:
            _show_errors(form, exc)  # refused by the service: the input again
        else:
            return done or render(request, "customization/link_confirm.html", confirm)
    icon = _carried(form) if form.is_bound else None
    return render(
        request,
        "customization/link_add.html",
        {"form": form, "staged_key": _key(icon), "preview_url": images.file_url(icon) if icon else None},
    )


@tenant_role_required(ROLE_ADMIN)
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


@tenant_role_required(ROLE_ADMIN)
def site_logo(request: HttpRequest) -> HttpResponse:
    """LOGO-1, LOGO-3: image → プレビュー → 確認 (the header shows it) → 完了.
    A refused image changes nothing; the form says why."""
    step = submission.stage(request)
    if step == submission.DONE and (replayed := submission.replay(request)):
        return replayed
    form = SiteLogoForm(*_bound(request), tenant=request.tenant, user=request.user)
    if step != submission.INPUT and form.is_valid():
        logo = _image(request, form, "logo", SITE_LOGO)
        # 確認: the header itself shows the new logo (the manual's 左上).
        confirm = {"form": form, "staged_key": _key(logo), "site_logo_url": images.file_url(logo) if logo else None}
        if step == submission.CONFIRM:
            return render(request, "customization/site_logo_confirm.html", confirm)

        def change() -> str:
            services.set_site_logo(tenant=request.tenant, actor=request.user, logo_key=_key(logo))
            messages.success(request, _("サイトロゴを設定しました。"))
            return reverse("customization:site_logo")

        try:
            done = submission.complete(request, change, form=form)
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            return done or render(request, "customization/site_logo_confirm.html", confirm)
    return render(
        request,
        "customization/site_logo.html",
        {"form": form, "current_logo_url": selectors.site_logo_url(tenant=request.tenant)},
    )


@tenant_role_required(ROLE_ADMIN)
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


@tenant_role_required(ROLE_ADMIN)
def login_page(request: HttpRequest) -> HttpResponse:
    """ALIAS-1, ALIAS-2: する/しない, お客さま専用 URL, 独自の画像 → 確認 → 完了."""
    tenant = request.tenant
    step = submission.stage(request)
    if step == submission.DONE and (replayed := submission.replay(request)):
        return replayed
    branding = selectors.branding(tenant=tenant)
    current_logo = branding.login_logo if branding else None
    initial = {
        "use_alias": LoginPageForm.USE if tenant.login_alias else LoginPageForm.NO_USE,
        "alias": tenant.login_alias or "",
        "logo_choice": LoginPageForm.LOGO_CUSTOM if current_logo else LoginPageForm.LOGO_DEFAULT,
    }
    form = LoginPageForm(
        *_bound(request), initial=initial, tenant=tenant, user=request.user, has_logo=current_logo is not None
    )
    if step != submission.INPUT and form.is_valid():
        data = form.cleaned_data
        custom = data["logo_choice"] == LoginPageForm.LOGO_CUSTOM
        logo = _image(request, form, "logo", LOGIN_LOGO) if custom else None
        if logo:
            preview = images.file_url(logo)
        elif custom and current_logo:
            preview = images.file_url(current_logo, public=True)
        else:
            preview = None
        confirm = {
            "form": form,
            "staged_key": _key(logo),
            "preview_url": preview,
            "login_url": dedicated_login_url(data["alias"]) if data["alias"] else "",
        }
        if step == submission.CONFIRM:
            return render(request, "customization/login_page_confirm.html", confirm)

        def change() -> str:
            choice = (_key(logo) or services.KEEP) if custom else services.DEFAULT
            services.set_login_page(tenant=tenant, actor=request.user, alias=data["alias"] or None, logo=choice)
            messages.success(request, _("ログイン画面の設定を変更しました。"))
            return reverse("customization:login_page")

        try:
            done = submission.complete(request, change, form=form)
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            return done or render(request, "customization/login_page_confirm.html", confirm)
    # Back from 確認: the staged image stays chosen; else the current logo.
    back = _carried(form) if form.is_bound else None
    if back:
        preview = images.file_url(back)
    else:
        preview = images.file_url(current_logo, public=True) if current_logo else None
    return render(
        request,
        "customization/login_page.html",
        {
            "form": form,
            "staged_key": _key(back),
            "current_logo_url": preview,
            "login_url": dedicated_login_url(tenant.login_alias) if tenant.login_alias else "",
        },
    )


@tenant_role_required(ROLE_ADMIN)
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
