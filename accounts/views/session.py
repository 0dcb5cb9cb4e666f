"""Staying logged in (AUTH-7): the countdown of static/js/session.js calls
this endpoint only when the person chooses ログインを継続する (延長). Like
every user action it renews the 60-minute idle timeout
(accounts.middleware.SessionExpiryMiddleware), never past the absolute
lifetime (issue 20); this one does nothing else. Without JavaScript the same
button is a plain form POST."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.middleware import SessionExpiryMiddleware


@never_cache
@require_POST
def session_keepalive(request: HttpRequest) -> HttpResponse:
    wants_json = "application/json" in request.headers.get("Accept", "")
    if not request.user.is_authenticated:
        if wants_json:
            # AUTH-12: the FAQ's text for a feature that failed because the
            # session had already expired.
            return JsonResponse({"message": _("一部の機能を取得できませんでした。")}, status=401)
        return redirect("accounts:login")
    SessionExpiryMiddleware.renew(request)  # even within the minute of the last renewal (issue 22)
    if wants_json:
        return JsonResponse({"remaining": request.session.get_expiry_age()})
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    return redirect(next_url or "home")
