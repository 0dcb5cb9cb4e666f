"""Initial registration (AUTH-2, AUTH-3): the link from the opening or setup
mail → パスワード設定 → 次へ → 通知先メールアドレス設定 → 確認 → 設定確認 →
完了 → 設定完了 → ログインはこちら.

The token is checked once when the link is opened and kept (by id) in the
session for the following steps, so it does not travel in later URLs; it is
used up only at 完了. The chosen password is kept in the session as a hash,
never in clear.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.forms import LoginIdRequestForm, NewPasswordForm, NotificationEmailForm
from accounts.models import AccountToken, User
from accounts.services.errors import AccountError
from accounts.services.registration import complete_setup
from accounts.services.self_service import MailRequest, queue_mail_request
from accounts.services.throttle import address_throttled, ip_throttled
from accounts.services.tokens import find_valid_token, get_open_token
from accounts.views.login import SESSION_LOGIN_ID, too_many_requests
from audit.client import client_ip
from web.submission import DONE, INPUT, complete, stage

SESSION_TOKEN = "setup_token_id"
SESSION_PASSWORD = "setup_password_hash"
SESSION_EMAIL = "setup_notification_email"


def _open_token(request: HttpRequest) -> AccountToken | None:
    token_id = request.session.get(SESSION_TOKEN)
    if not token_id:
        return None
    return get_open_token(token_id, purpose=AccountToken.Purpose.SETUP)


def _clear(request: HttpRequest) -> None:
    for key in (SESSION_TOKEN, SESSION_PASSWORD, SESSION_EMAIL):
        request.session.pop(key, None)


@never_cache
@require_http_methods(["GET", "HEAD"])
def setup_link(request: HttpRequest, token: str) -> HttpResponse:
    found = find_valid_token(token, purpose=AccountToken.Purpose.SETUP)
    if found is None or found.user.status != User.Status.PENDING:
        _clear(request)
        return redirect("accounts:setup_invalid")
    _clear(request)
    request.session[SESSION_TOKEN] = found.pk
    return redirect("accounts:setup_password")


@never_cache
def setup_password(request: HttpRequest) -> HttpResponse:
    token = _open_token(request)
    if token is None:
        return redirect("accounts:setup_invalid")
    form = NewPasswordForm(request.POST or None, user=token.user)
    if request.method == "POST" and form.is_valid():
        request.session[SESSION_PASSWORD] = make_password(form.cleaned_data["password1"])
        return redirect("accounts:setup_email")
    return render(request, "accounts/setup_password.html", {"form": form, "account": token.user})


@never_cache
def setup_email(request: HttpRequest) -> HttpResponse:
    token = _open_token(request)
    if token is None:
        return redirect("accounts:setup_invalid")
    if not request.session.get(SESSION_PASSWORD):
        return redirect("accounts:setup_password")
    initial = {"notification_email": request.session.get(SESSION_EMAIL) or token.user.notification_email}
    form = NotificationEmailForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        request.session[SESSION_EMAIL] = form.cleaned_data["notification_email"]
        return redirect("accounts:setup_confirm")
    return render(request, "accounts/setup_email.html", {"form": form, "account": token.user})


class _Restart(Exception):
    """The setup session lost a step or its link is no longer valid: the
    page to go to instead."""

    def __init__(self, url_name: str) -> None:
        super().__init__(url_name)
        self.url_name = url_name


def _setup_state(request: HttpRequest) -> tuple[AccountToken, str, str]:
    """The open link and the two earlier steps' input, or _Restart."""
    token = _open_token(request)
    if token is None:
        raise _Restart("accounts:setup_invalid")
    password_hash = request.session.get(SESSION_PASSWORD)
    email = request.session.get(SESSION_EMAIL)
    if not password_hash:
        raise _Restart("accounts:setup_password")
    if not email:
        raise _Restart("accounts:setup_email")
    return token, password_hash, email


def _complete(request: HttpRequest) -> str:
    token, password_hash, email = _setup_state(request)
    try:
        user = complete_setup(token=token, password_hash=password_hash, notification_email=email)
    except AccountError:
        _clear(request)
        raise _Restart("accounts:setup_invalid") from None
    _clear(request)
    request.session[SESSION_LOGIN_ID] = user.email
    return reverse("accounts:setup_done")


@never_cache
def setup_confirm(request: HttpRequest) -> HttpResponse:
    """設定確認 → 完了, the web kit's 確認 → 完了: 完了 consumes the page's
    token with the setup, so Back + 完了 again says 「すでに完了」 instead of
    「このリンクは…すでに使用されています」."""
    current = stage(request)
    if current == INPUT and request.method == "POST":  # 戻る: the address, as typed
        return redirect("accounts:setup_email")
    stale = None
    try:
        if current == DONE:
            stale = forms.Form({})  # bound, so it can carry the kit's error
            done = complete(request, lambda: _complete(request), form=stale)
            if done is not None:
                return done
        token, _password_hash, email = _setup_state(request)
    except _Restart as restart:
        return redirect(restart.url_name)
    return render(
        request,
        "accounts/setup_confirm.html",
        {"account": token.user, "notification_email": email, "form": stale},
    )


@never_cache
def setup_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/setup_done.html")


@never_cache
def setup_invalid(request: HttpRequest) -> HttpResponse:
    """An expired, used or unknown link (AUTH-2). The person may ask for a new
    one; the answer is the same whether or not the ID exists."""
    form = LoginIdRequestForm(request.POST or None)
    if request.method == "POST" and ip_throttled(client_ip(request)):
        return too_many_requests(request, "accounts/setup_invalid.html", form, message="")
    if request.method == "POST" and form.is_valid():
        # The same work for every ID (issue 21): the counters, one task.
        if not address_throttled(form.cleaned_data["login_id"]):  # past it: same answer, no mail
            queue_mail_request(kind=MailRequest.SETUP_LINK, login_id=form.cleaned_data["login_id"])
        return render(request, "accounts/setup_resent.html")
    return render(
        request,
        "accounts/setup_invalid.html",
        {"form": form, "message": _("このリンクは有効期限が切れているか、すでに使用されています。")},
    )
