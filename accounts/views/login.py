"""Two-step login (AUTH-5): ユーザ ID → 次へ → パスワード → ログイン.

The first step never reveals whether an ID exists: it always moves on to the
password step, and a wrong ID and a wrong password fail the same way.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.forms import LoginIdForm, PasswordLoginForm
from audit.services import record

SESSION_LOGIN_ID = "login_id"
SESSION_NEXT = "login_next"


def _safe_next(request: HttpRequest, candidate: str | None) -> str | None:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


@never_cache
def login_id_step(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = LoginIdForm(request.POST or None, initial={"login_id": request.session.get(SESSION_LOGIN_ID, "")})
    if request.method == "POST" and form.is_valid():
        request.session[SESSION_LOGIN_ID] = form.cleaned_data["login_id"]
        request.session[SESSION_NEXT] = next_url or ""
        return redirect("accounts:login_password")
    return render(request, "accounts/login_id.html", {"form": form, "next": next_url or ""})


@never_cache
def login_password_step(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    login_id = request.session.get(SESSION_LOGIN_ID)
    if not login_id:
        return redirect("accounts:login")
    form = PasswordLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=login_id, password=form.cleaned_data["password"])
        if user is not None:
            next_url = _safe_next(request, request.session.get(SESSION_NEXT))
            login(request, user)  # rotates the session key
            record(action="accounts.login.succeeded", actor=user, target=user)
            return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
        form.add_error(None, _("ユーザ ID またはパスワードが正しくありません。"))
    return render(request, "accounts/login_password.html", {"form": form, "login_id": login_id})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("ログアウトしました。"))
    return redirect("accounts:login")
