"""Session lifetime and expiry notice (AUTH-7, issue 20) and the forced
password change (AUTH-11).

Both run after authentication and messages (they read ``request.user`` and
add messages). SessionExpiryMiddleware runs before TenantScopeMiddleware, so
a session it ends never enters a tenant scope.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _

# A browser-session cookie that says "this browser was logged in" (its value:
# when the absolute lifetime ends, epoch seconds). The session cookie itself
# carries Max-Age (the idle timeout), so after an expiry the browser no longer
# sends it and the server could not tell an expired visit from a first one;
# this marker can.
MARKER_COOKIE = "portal_logged_in"

# Session keys: when this login began and the person's last action (epoch
# seconds).
STARTED_AT = "_portal_session_started_at"
ACTIVE_AT = "_portal_session_active_at"

# Requests the page makes by itself (a progress poll, a badge refresh) send
# this header; they neither extend the idle timer nor save the session. A
# client that omits it only keeps its own session longer, never past the
# absolute lifetime; one that sends it only shortens its own.
BACKGROUND_HEADER = "X-Portal-Background"

# A user action renews the idle timer (and so writes the session) at most
# once per this many seconds (issue 22): a page view within the minute after
# the last renewal changes nothing and writes nothing. The 60-minute rule
# holds to the minute: the session ends between 59 and 60 minutes after the
# last action, never later. A shorter idle timeout renews at 1/60 of it.
# The countdown's ログインを継続する always renews (``renew``).
RENEW_AFTER_SECONDS = 60


def renew_after_seconds() -> int:
    return min(RENEW_AFTER_SECONDS, settings.SESSION_COOKIE_AGE // 60)


def is_background(request: HttpRequest) -> bool:
    return request.headers.get(BACKGROUND_HEADER) == "1"


class SessionExpiryMiddleware:
    """Ends a session after ``SESSION_COOKIE_AGE`` seconds without a user
    action (60 minutes) or ``SESSION_ABSOLUTE_SECONDS`` after the login
    (12 hours), whatever happened in between; only user actions (not
    background requests) renew the idle timer.

    A request that arrives logged out from a browser that was logged in (and
    did not log out) means the session ended: idle, the absolute lifetime, or
    the account's sessions were ended. The login page then says so."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        had_marker = bool(request.COOKIES.get(MARKER_COOKIE))
        ended = self._enforce_lifetime(request)
        expired = had_marker and not request.user.is_authenticated
        # A script's request (JSON) cannot show the notice: the marker stays
        # for the next page the person opens.
        wants_json = "application/json" in request.headers.get("Accept", "")
        if expired and not wants_json:
            if ended is None and _marker_deadline(request) <= _now():
                ended = "absolute"
            messages.warning(request, self._notice(ended))
        response = self.get_response(request)
        if request.user.is_authenticated:
            if STARTED_AT not in request.session:  # this request logged in
                self._touch(request, started=_now())
            # The marker carries the absolute end, so that after the store
            # dropped the session the notice can still say which limit ended it.
            deadline = str(request.session[STARTED_AT] + settings.SESSION_ABSOLUTE_SECONDS)
            if request.COOKIES.get(MARKER_COOKIE) != deadline:
                response.set_cookie(
                    MARKER_COOKIE,
                    deadline,
                    httponly=True,
                    samesite="Lax",
                    secure=settings.SESSION_COOKIE_SECURE,
                )
        elif had_marker and not wants_json:
            response.delete_cookie(MARKER_COOKIE, samesite="Lax")
        return response

    def _enforce_lifetime(self, request: HttpRequest) -> str | None:
        """"absolute" or "idle" when this request ended the session."""
        if not request.user.is_authenticated:
            return None
        session = request.session
        started = session.get(STARTED_AT)
        if started is None:
            return None  # logged in before the stamp existed: stamped after the view
        now = _now()
        if now - started >= settings.SESSION_ABSOLUTE_SECONDS:
            logout(request)
            return "absolute"
        # The session store expires idle sessions itself (its expiry date is
        # renewed only by user actions); this also covers stores that do not.
        if now - session.get(ACTIVE_AT, started) >= settings.SESSION_COOKIE_AGE:
            logout(request)
            return "idle"
        if not is_background(request) and now - session.get(ACTIVE_AT, started) >= renew_after_seconds():
            self._touch(request, started=started)
        return None

    @classmethod
    def renew(cls, request: HttpRequest) -> None:
        """Renew now, whenever the last renewal was: the person asked to stay."""
        started = request.session.get(STARTED_AT)
        cls._touch(request, started=_now() if started is None else started)

    @staticmethod
    def _touch(request: HttpRequest, *, started: int) -> None:
        """A user action: the idle timer starts again, capped by the absolute
        lifetime; the changed session is saved and its cookie re-sent."""
        now = _now()
        session = request.session
        session[STARTED_AT] = started
        session[ACTIVE_AT] = now
        left = settings.SESSION_ABSOLUTE_SECONDS - (now - started)
        # A point in time, not a number of seconds: between renewals the
        # countdown (get_expiry_age) then counts down from the last one.
        seconds = max(1, min(settings.SESSION_COOKIE_AGE, left))
        session.set_expiry(timezone.now() + timedelta(seconds=seconds))

    @staticmethod
    def _notice(ended: str | None) -> str:
        if ended == "absolute":
            hours = max(1, round(settings.SESSION_ABSOLUTE_SECONDS / 3600))
            return _(
                "ログインから %(hours)d 時間が経過したため、自動的にログアウトしました。再度ログインしてください。"
            ) % {"hours": hours}
        minutes = max(1, round(settings.SESSION_COOKIE_AGE / 60))
        return _(
            "%(minutes)d 分間操作がなかったため、自動的にログアウトしました。再度ログインしてください。"
        ) % {"minutes": minutes}


def _now() -> int:
    return int(timezone.now().timestamp())


def _marker_deadline(request: HttpRequest) -> float:
    try:
        return int(request.COOKIES.get(MARKER_COOKIE, ""))
    except ValueError:  # a marker from before issue 20 ("1")
        return float("inf")


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
