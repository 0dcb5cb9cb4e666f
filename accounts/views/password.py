"""Passwords and the notification address.

* Reset by mail from the login page (AUTH-9): ユーザ ID → mail to the
  notification address → link → new password → 完了.
* From the login user menu (AUTH-10): change the own password (current one
  required) and the own notification address (confirmed by a mail to the new
  address). A forced change at first login (AUTH-11) lands on the same screen.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.forms import (
    LoginIdRequestForm,
    NewPasswordForm,
    NotificationEmailChangeForm,
    PasswordChangeForm,
)
from accounts.models import AccountToken
from accounts.services.errors import AccountError
from accounts.services.mail_quota import MailQuotaExceeded
from accounts.services.notification_email import (
    confirm_notification_email_change,
    request_notification_email_change,
)
from accounts.services.passwords import reset_password, set_password
from accounts.services.self_service import MailRequest, queue_mail_request
from accounts.services.throttle import address_throttled, ip_throttled
from accounts.services.tokens import find_valid_token, get_open_token
from accounts.views.login import SESSION_LOGIN_ID, too_many_requests
from audit.client import client_ip
from web.submission import DONE, INPUT, complete, stage

SESSION_RESET_TOKEN = "password_reset_token_id"
SESSION_NEW_EMAIL = "notification_email_confirmed"


@never_cache
def password_reset_request(request: HttpRequest) -> HttpResponse:
    """Every well-formed ID gets the same answer — the 送信しました page —
    after the same work: the counters and one queued task (issue 21). The
    manual's 『ご指定のアカウント情報が取得できません。』 for a deleted or
    suspended account told anyone which IDs exist; a suspended account's
    mailbox is told instead (docs/accounts.md, "Deviations")."""
    initial = {"login_id": request.session.get(SESSION_LOGIN_ID, "")}
    form = LoginIdRequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and ip_throttled(client_ip(request)):
        return too_many_requests(request, "accounts/password_reset_request.html", form)
    if request.method == "POST" and form.is_valid():
        # Past the per-address cap nothing is queued; the answer is the same.
        if not address_throttled(form.cleaned_data["login_id"]):
            queue_mail_request(kind=MailRequest.PASSWORD_RESET, login_id=form.cleaned_data["login_id"])
        return redirect("accounts:password_reset_sent")
    return render(request, "accounts/password_reset_request.html", {"form": form})


@never_cache
def password_reset_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_sent.html")


@never_cache
@require_http_methods(["GET", "HEAD"])
def password_reset_link(request: HttpRequest, token: str) -> HttpResponse:
    found = find_valid_token(token, purpose=AccountToken.Purpose.PASSWORD_RESET)
    request.session.pop(SESSION_RESET_TOKEN, None)
    if found is None:
        return render(request, "accounts/password_reset_invalid.html", status=410)
    request.session[SESSION_RESET_TOKEN] = found.pk
    return redirect("accounts:password_reset_set")


@never_cache
def password_reset_set(request: HttpRequest) -> HttpResponse:
    token_id = request.session.get(SESSION_RESET_TOKEN)
    token = (
        get_open_token(token_id, purpose=AccountToken.Purpose.PASSWORD_RESET)
        if token_id
        else None
    )
    if token is None:
        return render(request, "accounts/password_reset_invalid.html", status=410)
    form = NewPasswordForm(request.POST or None, user=token.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = reset_password(token=token, raw_password=form.cleaned_data["password1"])
        except ValidationError as exc:
            form.add_error("password1", exc)
        except AccountError:
            request.session.pop(SESSION_RESET_TOKEN, None)
            return render(request, "accounts/password_reset_invalid.html", status=410)
        else:
            request.session.pop(SESSION_RESET_TOKEN, None)
            request.session[SESSION_LOGIN_ID] = user.email
            return redirect("accounts:password_reset_done")
    return render(request, "accounts/password_reset_set.html", {"form": form, "account": token.user})


@never_cache
def password_reset_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_done.html")


@never_cache
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    user = request.user
    forced = bool(getattr(user, "must_change_password", False))
    form = PasswordChangeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            set_password(
                user=user,
                raw_password=form.cleaned_data["password1"],
                actor=user,
                keep_session_key=request.session.session_key,
            )
        except ValidationError as exc:
            form.add_error("password1", exc)
        else:
            # Keeps this session valid; the others end (AUTH-8).
            update_session_auth_hash(request, user)
            messages.success(request, _("パスワードを変更しました。"))
            return redirect("home" if user.tenant_id else "admin:index")
    return render(request, "accounts/password_change.html", {"form": form, "forced": forced})


@never_cache
@login_required
def notification_email_change(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = NotificationEmailChangeForm(request.POST or None, user=user, ip_address=client_ip(request))
    if request.method == "POST" and form.is_valid():
        try:
            request_notification_email_change(
                user=user, new_email=form.cleaned_data["notification_email"], ip_address=client_ip(request)
            )
        except MailQuotaExceeded as exc:
            form.add_error(None, exc.message)
            return _notification_email_page(request, form)
        messages.success(
            request,
            _("%(email)s 宛てに確認メールを送信しました。メールに記載の URL にアクセスすると変更が完了します。")
            % {"email": form.cleaned_data["notification_email"]},
        )
        return redirect("accounts:notification_email_change")
    return _notification_email_page(request, form)


def _notification_email_page(request: HttpRequest, form: NotificationEmailChangeForm) -> HttpResponse:
    user = request.user
    pending = (
        AccountToken.objects.filter(
            user=user,
            purpose=AccountToken.Purpose.EMAIL_CHANGE,
            used_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gte=timezone.now(),
        )
        .order_by("-created_at")
        .first()
    )
    return render(
        request,
        "accounts/notification_email_change.html",
        {"form": form, "pending": pending},
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def notification_email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Opening the link is enough: it could only reach the new address. A
    GET shows the 確認 page; the change happens at its 完了 (POST, so that
    mail scanners that prefetch links do not confirm on the person's
    behalf), which consumes the page's one-time token with the change: a
    second 完了 says 「すでに完了」, not 「リンクが無効です」."""
    current = stage(request)
    if current == INPUT and request.method == "POST":  # 戻る: where the address was typed
        return redirect("accounts:notification_email_change")
    stale = None
    if current == DONE:
        stale = forms.Form({})  # bound, so it can carry the kit's error
        try:
            done = complete(request, lambda: _confirm_email(request, token), form=stale)
        except AccountError:
            return render(request, "accounts/notification_email_invalid.html", status=410)
        if done is not None:
            return done
    found = find_valid_token(token, purpose=AccountToken.Purpose.EMAIL_CHANGE)
    if found is None:
        return render(request, "accounts/notification_email_invalid.html", status=410)
    return render(request, "accounts/notification_email_confirm.html", {"token": found, "form": stale})


def _confirm_email(request: HttpRequest, raw_token: str) -> str:
    found = find_valid_token(raw_token, purpose=AccountToken.Purpose.EMAIL_CHANGE)
    if found is None:
        raise AccountError("invalid link")
    confirm_notification_email_change(token=found, ip_address=client_ip(request))
    request.session[SESSION_NEW_EMAIL] = found.new_email
    return reverse("accounts:notification_email_done")


@never_cache
@require_http_methods(["GET", "HEAD"])
def notification_email_done(request: HttpRequest) -> HttpResponse:
    """The address this browser just confirmed (kept in its session, so the
    「すでに完了」 page of a second 完了 links here too)."""
    new_email = request.session.get(SESSION_NEW_EMAIL)
    if not new_email:
        return redirect("accounts:notification_email_change")
    return render(request, "accounts/notification_email_done.html", {"new_email": new_email})
