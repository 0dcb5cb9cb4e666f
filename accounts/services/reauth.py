"""Re-authentication before an account-security change (issue 21, finding 2).

A borrowed session must not be enough to move the account's mail elsewhere:
the current password is asked again. A wrong one counts towards the portal
login's delays (``login_throttle``, per ID and per IP), so the form cannot be
used to guess the password faster than the login page; it does not count
towards the lock (AUTH-8), which would let whoever holds the session lock the
owner out.
"""

from __future__ import annotations

from enum import StrEnum

from accounts.models import User
from accounts.services import login_throttle


class Reauth(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    WAIT = "wait"  # inside the login delay: the password was not checked


def check_current_password(*, user: User, password: str, ip_address: str | None) -> Reauth:
    scope = login_throttle.PORTAL
    if login_throttle.wait_seconds(scope=scope, ip=ip_address, login_id=user.email):
        return Reauth.WAIT
    if user.check_password(password):
        return Reauth.OK
    login_throttle.register_failure(scope=scope, ip=ip_address, login_id=user.email)
    return Reauth.WRONG
