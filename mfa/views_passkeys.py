"""Passkey endpoints (issue 24): the pages' script (static/mfa/passkeys.js)
asks for options, runs the browser's WebAuthn ceremony and posts the result.
JSON in, JSON out; CSRF applies as to every POST."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.request import RawPostDataException
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from audit.client import client_ip
from mfa.services import passkeys
from mfa.services.verification import Outcome, register_wrong, succeeded, throttle_scope
from mfa.session import VERIFY, mark_verified, state_of

NAME_MAX = 50


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, RawPostDataException):  # not JSON (a form post: its body was read already)
        return {}
    return data if isinstance(data, dict) else {}


def _options(payload: str) -> HttpResponse:
    return HttpResponse(payload, content_type="application/json")


@never_cache
@login_required
@require_POST
def add_options(request: HttpRequest) -> HttpResponse:
    if state_of(request) == VERIFY:
        return JsonResponse({"error": _("先に2段階認証を完了してください。")}, status=403)
    return _options(passkeys.registration_options(request, request.user))


@never_cache
@login_required
@require_POST
def add(request: HttpRequest) -> HttpResponse:
    if state_of(request) == VERIFY:
        return JsonResponse({"error": _("先に2段階認証を完了してください。")}, status=403)
    data = _body(request)
    name = str(data.get("name") or "").strip()[:NAME_MAX] or _("パスキー")
    try:
        passkeys.register(request, request.user, name=name, credential=data.get("credential") or {})
    except passkeys.PasskeyError:
        return JsonResponse({"error": _("パスキーを登録できませんでした。もう一度お試しください。")}, status=400)
    # Registering a key is using it: this session is verified from here.
    mark_verified(request)
    messages.success(request, _("パスキー「%(name)s」を登録しました。") % {"name": name})
    return JsonResponse({"redirect": reverse("mfa:settings")})


@never_cache
@login_required
@require_POST
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    from accounts.services.reauth import Reauth, check_current_password

    if not passkeys.owns(request.user, pk):
        raise Http404
    result = check_current_password(
        user=request.user, password=request.POST.get("password", ""), ip_address=client_ip(request)
    )
    if result == Reauth.OK and passkeys.remove(request.user, pk):
        messages.success(request, _("パスキーを削除しました。"))
    else:
        messages.error(request, _("パスワードが正しくありません。削除していません。"))
    return redirect("mfa:settings")


@never_cache
@login_required
@require_POST
def login_options(request: HttpRequest) -> HttpResponse:
    if state_of(request) != VERIFY:
        return JsonResponse({"redirect": reverse("home")})
    return _options(passkeys.authentication_options(request, request.user))


@never_cache
@login_required
@require_POST
def login_with_passkey(request: HttpRequest) -> HttpResponse:
    """The login's second step with a passkey; failures count like wrong codes."""
    from accounts.services import login_throttle

    user = request.user
    ip = client_ip(request)
    if state_of(request) != VERIFY:
        return JsonResponse({"redirect": reverse("home")})
    if login_throttle.wait_seconds(scope=throttle_scope(user), ip=ip, login_id=user.email):
        return JsonResponse(
            {"error": _("短時間に多数のリクエストがありました。しばらく時間をおいてから再度お試しください。")},
            status=429,
        )
    data = _body(request)
    if passkeys.authenticate(request, user, credential=data.get("credential") or {}):
        succeeded(user=user, ip_address=ip, method="passkey")
        mark_verified(request)
        next_url = str(data.get("next") or "")
        from mfa.views import safe_next

        return JsonResponse({"redirect": safe_next(request, next_url)})
    if register_wrong(user=user, ip_address=ip) == Outcome.LOCKED:
        logout(request)
        return JsonResponse({"redirect": reverse("accounts:login")})
    return JsonResponse({"error": _("パスキーを確認できませんでした。もう一度お試しください。")}, status=400)
