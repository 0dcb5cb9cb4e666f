"""Keeps a session that still owes its second factor to the pages that settle
it (issue 24). Reads only the session (mfa/session.py): no query per page.

After the password, a user with a factor may open only the verification page
(and log out); a user who must enrol but has none only the enrolment pages.
Operators' sessions are held the same way, on every page including Django
admin and the staff console."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from mfa.session import ENROL, VERIFY, state_of

COMMON_ALLOWED = {"accounts:logout", "accounts:session_keepalive", "admin:logout", "admin:jsi18n"}
ALLOWED = {
    VERIFY: COMMON_ALLOWED | {"mfa:verify", "mfa:passkey_login_options", "mfa:passkey_login"},
    ENROL: COMMON_ALLOWED
    | {"mfa:enrol", "mfa:totp_enrol", "mfa:recovery_codes", "mfa:passkey_add_options", "mfa:passkey_add"},
}
TARGET = {VERIFY: "mfa:verify", ENROL: "mfa:enrol"}


class TwoStepMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            state = state_of(request)
            if state in TARGET and not self._allowed(request.path_info, state):
                url = reverse(TARGET[state])
                if request.method == "GET":
                    url += "?" + urlencode({"next": request.get_full_path()})
                return redirect(url)
        return self.get_response(request)

    @staticmethod
    def _allowed(path: str, state: str) -> bool:
        static_url = "/" + settings.STATIC_URL.lstrip("/")
        if path.startswith(static_url):
            return True
        try:
            match = resolve(path)
        except Resolver404:
            return True  # a 404 reveals nothing and changes nothing
        return match.view_name in ALLOWED[state]
