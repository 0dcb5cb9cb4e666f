"""Login attempts (AUTH-5): one password hash per attempt, the same answer
for an unknown ID and a wrong password, failures counted toward the lock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from accounts.models import LoginFailureCounter, User
from accounts.services.lockout import register_login_failure
from accounts.services.user_lookup import user_by_login_id, user_scope
from audit.services import record


@dataclass(frozen=True)
class LoginOutcome:
    """The result of one login attempt. ``reason`` is "ok", "invalid"
    (unknown ID or wrong password: the page says the same for both),
    "suspended", "locked" or "pending"; the last three are only reported when
    the password was right, so they reveal nothing to someone guessing."""

    user: User | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.reason == "ok"


def _dummy_hash(password: str) -> None:
    # The same cost as a real check, so timing does not tell whether an ID
    # exists (AUTH-5: the first step never reveals it).
    User().set_password(password)


def authenticate_login(
    *,
    login_id: str,
    password: str,
    ip_address: str | None = None,
    now: datetime | None = None,
    staff_only: bool = False,
) -> LoginOutcome:
    """Check one login attempt with exactly one password hash, count a
    failure against the account, lock it at the threshold, and audit it.
    ``staff_only`` (Django admin's login): a customer's ID is treated as
    unknown, so failures there never count towards a customer's lock."""
    now = now or timezone.now()
    login_id = (login_id or "").strip().lower()
    # Before any scope: the one narrow path, one row (issue 20).
    user = user_by_login_id(login_id)
    if user is None or (staff_only and not user.is_staff):
        _dummy_hash(password)
        record(
            action="accounts.login.failed",
            data={"login_id": login_id[:127], "reason": "unknown_id" if user is None else "not_staff"},
            ip_address=ip_address,
        )
        return LoginOutcome(None, "invalid")
    # The rest reads and writes the account's own rows: in its scope.
    with user_scope(user):
        return _check_password(user=user, password=password, ip_address=ip_address, now=now)


def _check_password(*, user: User, password: str, ip_address: str | None, now: datetime) -> LoginOutcome:
    # One hash; a successful check may upgrade an outdated hash (Django's
    # setter), which is the only case with a second one.
    password_ok = user.check_password(password)
    if not password_ok:
        if user.status == User.Status.ACTIVE:
            register_login_failure(user=user, ip_address=ip_address, now=now)
        else:
            record(
                action="accounts.login.failed",
                target=user,
                data={"reason": "wrong_password", "status": user.status},
                ip_address=ip_address,
            )
        return LoginOutcome(None, "invalid")
    if not user.is_active or user.status == User.Status.SUSPENDED:
        reason = "suspended"
    elif user.status == User.Status.LOCKED:
        reason = "locked"
    elif user.status == User.Status.PENDING and not user.is_staff:
        reason = "pending"
    elif user.tenant_id is not None and not user.tenant.is_active:
        reason = "suspended"
    else:
        LoginFailureCounter.objects.filter(user_id=user.pk).delete()
        return LoginOutcome(user, "ok")
    record(
        action="accounts.login.refused",
        target=user,
        data={"reason": reason},
        ip_address=ip_address,
    )
    return LoginOutcome(None, reason)


def record_login(*, user: User, ip_address: str | None = None) -> None:
    record(action="accounts.login.succeeded", actor=user, target=user, ip_address=ip_address)


def record_logout(*, user: User, ip_address: str | None = None) -> None:
    record(action="accounts.logout", actor=user, target=user, ip_address=ip_address)
