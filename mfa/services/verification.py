"""The login's second step (issue 24): a code from the app or a recovery
code, checked under the same throttling and lock as the password (a wrong
code counts like a wrong password: the delay per ID and IP, then the lock)."""

from __future__ import annotations

from enum import StrEnum

from accounts.models import User
from accounts.services import login_throttle
from accounts.services.lockout import register_login_failure
from audit.services import record
from mfa.services import recovery, totp


class Outcome(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    WAIT = "wait"  # inside the login delay: the code was not checked
    LOCKED = "locked"  # this failure locked the account


def throttle_scope(user: User) -> str:
    # Operators log in to Django admin: its stricter counters.
    return login_throttle.ADMIN if user.is_staff else login_throttle.PORTAL


def check_code(*, user: User, code: str, ip_address: str | None, method: str = "") -> Outcome:
    scope = throttle_scope(user)
    if login_throttle.wait_seconds(scope=scope, ip=ip_address, login_id=user.email):
        return Outcome.WAIT
    code = (code or "").strip()
    if totp.verify(user, code):
        used = "totp"
    elif recovery.use(user, code):
        used = "recovery"
    else:
        return register_wrong(user=user, ip_address=ip_address)
    succeeded(user=user, ip_address=ip_address, method=used)
    return Outcome.OK


def register_wrong(*, user: User, ip_address: str | None) -> Outcome:
    login_throttle.register_failure(scope=throttle_scope(user), ip=ip_address, login_id=user.email)
    register_login_failure(user=user, ip_address=ip_address, reason="wrong_code")
    return Outcome.LOCKED if user.status == User.Status.LOCKED else Outcome.WRONG


def succeeded(*, user: User, ip_address: str | None, method: str) -> None:
    login_throttle.register_success(scope=throttle_scope(user), ip=ip_address, login_id=user.email)
    record(action="mfa.verify.succeeded", actor=user, target=user, data={"method": method}, ip_address=ip_address)
