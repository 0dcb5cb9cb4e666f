"""Two-step login (AUTH-5): ユーザ ID → 次へ → パスワード → ログイン.

The first step never reveals whether an ID exists: it always moves on to the
password step, and a wrong ID and a wrong password fail the same way. Only
someone who typed the right password learns that the account is suspended,
locked or not yet set up. ``next`` (AUTH-6) is carried through both steps in
the session.

The login pages call the functions in ``LOGIN_PAGE_HOOKS`` for extra template
context, so the dedicated-URL variant (``/?tenant_alias=…``, ALIAS-*) can show
the tenant's logo (``login_logo_url``) without changing these views.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.forms import LoginIdForm, PasswordLoginForm
from accounts.services import login_throttle
from accounts.services.login import authenticate_login, record_login, record_logout
from audit.client import client_ip

SESSION_LOGIN_ID = "login_id"
SESSION_NEXT = "login_next"
SESSION_ALIAS = "login_tenant_alias"
BACKEND = "accounts.backends.PortalBackend"

LoginPageHook = Callable[[HttpRequest], dict[str, Any]]
LOGIN_PAGE_HOOKS: list[LoginPageHook] = []


def register_login_page_hook(hook: LoginPageHook) -> LoginPageHook:
    """Add context to both login pages (e.g. ``login_logo_url`` for a
    tenant's dedicated login URL). Call from an AppConfig.ready()."""
    if hook not in LOGIN_PAGE_HOOKS:
        LOGIN_PAGE_HOOKS.append(hook)
    return hook


def login_page_context(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {
        "login_logo_url": None,
        "login_tenant_alias": request.session.get(SESSION_ALIAS, ""),
    }
    for hook in LOGIN_PAGE_HOOKS:
        context.update(hook(request) or {})
    return context


REFUSALS = {
    "invalid": gettext_lazy("ユーザ ID またはパスワードが正しくありません。"),
    # AUTH-8 / FAQ: suspended or deleted accounts.
    "suspended": gettext_lazy("アカウントが利用できません。"),
    "locked": gettext_lazy(
        "ログインに連続して失敗したため、アカウントがロックされています。"
        "パスワードを再設定するか、管理者さまにロックの解除を依頼してください。"
    ),
    "pending": gettext_lazy(
        "初期設定が完了していません。開通通知メールまたは初期設定メールに記載の URL から初期設定を行ってください。"
    ),
}


def _safe_next(request: HttpRequest, candidate: str | None) -> str | None:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def too_many_requests(request: HttpRequest, template: str, form: Any, **context: Any) -> HttpResponse:
    """The self-service mail pages' answer to an IP over its limit (issue 15)."""
    form.add_error(
        None,
        _("短時間に多数のリクエストがありました。しばらく時間をおいてから再度お試しください。"),
    )
    return render(request, template, {"form": form, **context}, status=429)


@never_cache
def login_id_step(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_authenticated:
        return redirect(next_url or _home_for(request.user))
    alias = request.GET.get("tenant_alias")
    if alias is not None and request.session.get(SESSION_ALIAS) != alias[:32]:
        # Written only when it changes: sessions are saved only when modified
        # (issue 20), so a repeat visit of the dedicated URL writes nothing.
        request.session[SESSION_ALIAS] = alias[:32]
    form = LoginIdForm(request.POST or None, initial={"login_id": request.session.get(SESSION_LOGIN_ID, "")})
    if request.method == "POST" and form.is_valid():
        request.session[SESSION_LOGIN_ID] = form.cleaned_data["login_id"]
        request.session[SESSION_NEXT] = next_url or ""
        return redirect("accounts:login_password")
    return render(
        request,
        "accounts/login_id.html",
        {"form": form, "next": next_url or "", **login_page_context(request)},
    )


def _home_for(user: object) -> str:
    # Operators work in Django admin; they have no tenant home.
    if getattr(user, "tenant_id", None) is None:
        return "admin:index"
    return settings.LOGIN_REDIRECT_URL


@never_cache
def login_password_step(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_home_for(request.user))
    login_id = request.session.get(SESSION_LOGIN_ID)
    if not login_id:
        return redirect("accounts:login")
    form = PasswordLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        # Inside a delay (issue 21) the password is not even checked: the
        # attempt neither logs in nor counts towards the lock.
        if login_throttle.wait_seconds(scope=login_throttle.PORTAL, ip=ip, login_id=login_id):
            context = {"login_id": login_id, **login_page_context(request)}
            return too_many_requests(request, "accounts/login_password.html", form, **context)
        outcome = authenticate_login(login_id=login_id, password=form.cleaned_data["password"], ip_address=ip)
        if outcome.reason == "invalid":
            login_throttle.register_failure(scope=login_throttle.PORTAL, ip=ip, login_id=login_id)
        if outcome.ok and outcome.user is not None:
            login_throttle.register_success(scope=login_throttle.PORTAL, ip=ip, login_id=login_id)
            user = outcome.user
            next_url = _safe_next(request, request.session.get(SESSION_NEXT))
            login(request, user, backend=BACKEND)  # rotates the session key
            for key in (SESSION_NEXT, SESSION_ALIAS):
                request.session.pop(key, None)
            record_login(user=user, ip_address=client_ip(request))
            if user.must_change_password:
                # AUTH-11: the change screen comes before anything else.
                return redirect("accounts:password_change")
            return redirect(next_url or resolve_url(_home_for(user)))
        form.add_error(None, REFUSALS.get(outcome.reason, REFUSALS["invalid"]))
    return render(
        request,
        "accounts/login_password.html",
        {"form": form, "login_id": login_id, **login_page_context(request)},
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record_logout(user=request.user, ip_address=client_ip(request))
    logout(request)
    messages.info(request, _("ログアウトしました。"))
    return redirect("accounts:login")
