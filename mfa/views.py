"""Two-step verification pages (issue 24): the login's second step, the
own settings (authenticator app, recovery codes) and enrolment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from audit.client import client_ip
from mfa.forms import CodeForm, PasswordForm, TotpConfirmForm
from mfa.models import TotpDevice
from mfa.services import recovery, totp
from mfa.services.factors import factors_of, required_from, today
from mfa.services.verification import Outcome, check_code
from mfa.session import ENROL, STATE, VERIFIED, VERIFY, mark_verified, state_of

SESSION_CODES = "mfa_new_recovery_codes"
SESSION_SECRET = "mfa_pending_totp_secret"


def _next(request: HttpRequest) -> str:
    return safe_next(request, request.POST.get("next") or request.GET.get("next") or "")


def safe_next(request: HttpRequest, candidate: str) -> str:
    """``candidate`` when it stays on this site, else the user's home."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("admin:index" if request.user.is_staff and request.user.tenant_id is None else "home")


@never_cache
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """After the password: the code from the app or a recovery code."""
    state = state_of(request)
    if state != VERIFY:
        return redirect("mfa:enrol" if state == ENROL else _next(request))
    user = request.user
    factors = factors_of(user)
    if not factors.any:
        # A staff session from before this feature, or factors reset meanwhile.
        request.session[STATE] = ENROL if required_from(user) is not None else VERIFIED
        return redirect("mfa:enrol" if request.session[STATE] == ENROL else _next(request))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        outcome = check_code(user=user, code=form.cleaned_data["code"], ip_address=client_ip(request))
        if outcome == Outcome.OK:
            mark_verified(request)
            return redirect(_next(request))
        if outcome == Outcome.LOCKED:
            logout(request)
            messages.error(
                request,
                _("確認コードの誤りが続いたため、アカウントがロックされました。パスワードを再設定するか、管理者さまにロックの解除を依頼してください。"),
            )
            return redirect("accounts:login")
        if outcome == Outcome.WAIT:
            status = 429
            form.add_error(None, _("短時間に多数のリクエストがありました。しばらく時間をおいてから再度お試しください。"))
        else:
            form.add_error("code", _("確認コードが正しくありません。"))
    return render(
        request,
        "mfa/verify.html",
        {"form": form, "factors": factors, "next": request.GET.get("next") or request.POST.get("next", "")},
        status=status,
    )


@never_cache
@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Choosing a factor: the page a user who must enrol is held on."""
    if state_of(request) == VERIFY:
        return redirect("mfa:verify")
    user = request.user
    when = required_from(user)
    return render(
        request,
        "mfa/enrol.html",
        {
            "factors": factors_of(user),
            "required": when is not None and when <= today(),
            "required_from": when if when is not None and when > today() else None,
        },
    )


@never_cache
@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "mfa/settings.html",
        {
            "factors": factors_of(user),
            "passkeys": list(user.webauthn_credentials.all()),
            "recovery_left": recovery.remaining(user),
            "recovery_total": user.recovery_codes.count(),
        },
    )


@never_cache
@login_required
def totp_enrol(request: HttpRequest) -> HttpResponse:
    """The QR code and the key as text; the first code confirms."""
    if state_of(request) == VERIFY:
        return redirect("mfa:verify")
    user = request.user
    if TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists():
        messages.info(request, _("認証アプリは登録済みです。"))
        return redirect("mfa:settings")
    secret = request.session.get(SESSION_SECRET)
    if not secret:
        secret = request.session[SESSION_SECRET] = totp.new_secret()
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp.confirm(user, secret, form.cleaned_data["code"]):
            request.session.pop(SESSION_SECRET, None)
            # Enrolling is using the factor: this session is verified from here.
            mark_verified(request)
            messages.success(request, _("認証アプリを登録しました。"))
            if not user.recovery_codes.exists():
                request.session[SESSION_CODES] = recovery.generate(user)
                return redirect("mfa:recovery_codes")
            return redirect("mfa:settings")
        form.add_error("code", _("確認コードが正しくありません。認証アプリに表示されている最新のコードを入力してください。"))
    uri = totp.provisioning_uri(secret, user)
    return render(
        request,
        "mfa/totp_enrol.html",
        {"form": form, "qr_svg": totp.qr_svg(uri), "secret": totp.formatted_secret(secret)},
    )


@never_cache
@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Shows a new set once (GET right after it was made); POST makes a new
    set, which voids the old one."""
    user = request.user
    if request.method == "POST":
        if state_of(request) != VERIFIED:
            return redirect("mfa:settings")
        if not factors_of(user).any:
            messages.error(request, _("リカバリーコードは、認証アプリまたはパスキーを登録してから発行できます。"))
            return redirect("mfa:settings")
        request.session[SESSION_CODES] = recovery.generate(user)
        return redirect("mfa:recovery_codes")
    codes = request.session.pop(SESSION_CODES, None)
    if not codes:
        return redirect("mfa:settings")
    return render(request, "mfa/recovery_codes.html", {"codes": codes})


@never_cache
@login_required
@require_POST
def totp_remove(request: HttpRequest) -> HttpResponse:
    """Removing the app asks for the password again (a borrowed session must
    not be enough to weaken the account)."""
    from accounts.services.reauth import Reauth, check_current_password

    form = PasswordForm(request.POST)
    if form.is_valid():
        result = check_current_password(
            user=request.user, password=form.cleaned_data["password"], ip_address=client_ip(request)
        )
        if result == Reauth.OK:
            totp.remove(request.user)
            messages.success(request, _("認証アプリを削除しました。"))
            return redirect("mfa:settings")
    messages.error(request, _("パスワードが正しくありません。削除していません。"))
    return redirect("mfa:settings")
