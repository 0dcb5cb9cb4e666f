"""Session expiry notice (AUTH-7) and the forced password change (AUTH-11).

Both run after authentication and messages (they read ``request.user`` and
add messages); they are listed after TenantScopeMiddleware in settings.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

# A browser-session cookie that says "this browser was logged in". The
# session cookie itself carries Max-Age (the idle timeout), so after an
# expiry the browser no longer sends it and the server could not tell an
# expired visit from a first one; this marker can.
MARKER_COOKIE = "portal_logged_in"


class SessionExpiryMiddleware:
    """A request that arrives logged out from a browser that was logged in
    (and did not log out) means the session ended: 60 idle minutes, or the
    account's sessions were ended. The login page then says so."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        had_marker = bool(request.COOKIES.get(MARKER_COOKIE))
        expired = had_marker and not request.user.is_authenticated
        if expired and "application/json" not in request.headers.get("Accept", ""):
            minutes = max(1, round(settings.SESSION_COOKIE_AGE / 60))
            messages.warning(
                request,
                _(
                    "%(minutes)d 分間操作がなかったため、自動的にログアウトしました。再度ログインしてください。"
                )
                % {"minutes": minutes},
            )
        response = self.get_response(request)
        if request.user.is_authenticated:
            if not had_marker:
                response.set_cookie(
                    MARKER_COOKIE,
                    "1",
                    httponly=True,
                    samesite="Lax",
                    secure=settings.SESSION_COOKIE_SECURE,
                )
        elif had_marker:
            response.delete_cookie(MARKER_COOKIE, samesite="Lax")
        return response


# What a user who must change the password may still open.
FORCED_CHANGE_ALLOWED = {
    "accounts:password_change",
    "accounts:logout",
    "accounts:session_keepalive",
}


class ForcePasswordChangeMiddleware:
    """AUTH-11: a user whose password an admin set with 初回ログイン時に
    パスワードを強制的に変更させる sees the change screen before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        forced = user.is_authenticated and getattr(user, "must_change_password", False)
        if forced and not self._allowed(request.path_info):
            return redirect("accounts:password_change")
        return self.get_response(request)

    @staticmethod
    def _allowed(path: str) -> bool:
        static_url = "/" + settings.STATIC_URL.lstrip("/")
        if path.startswith(static_url):
            return True
        try:
            match = resolve(path)
        except Resolver404:
            return True  # a 404 reveals nothing and changes nothing
        return match.view_name in FORCED_CHANGE_ALLOWED
