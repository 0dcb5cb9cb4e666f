"""アカウントロック (AUTH-8): failures counted race-safely per account, the
lock at the threshold, and lifting it (by an admin or a password reset)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import LoginFailureCounter, User
from accounts.services.errors import AccountError
from accounts.services.sessions import end_sessions
from audit.services import record
from mail.services import Mail, send_mails

_UPSERT_FAILURE = """
INSERT INTO {table} (user_id, failures, window_started_at) VALUES (%s, 1, %s)
ON CONFLICT (user_id) DO UPDATE SET
  failures = CASE WHEN {table}.window_started_at < %s THEN 1 ELSE {table}.failures + 1 END,
  window_started_at = CASE WHEN {table}.window_started_at < %s
    THEN excluded.window_started_at ELSE {table}.window_started_at END
RETURNING failures
"""


def count_login_failure(*, user: User, now: datetime) -> int:
    """One race-safe upsert: the failures of this account in the current
    window (which starts at the first failure and lasts
    settings.LOGIN_FAILURE_WINDOW). Concurrent failures each get their own
    number, so exactly one of them reaches the threshold."""
    table = connection.ops.quote_name(LoginFailureCounter._meta.db_table)
    window_start = now - settings.LOGIN_FAILURE_WINDOW
    with connection.cursor() as cursor:
        cursor.execute(
            _UPSERT_FAILURE.format(table=table), [user.pk, now, window_start, window_start]
        )
        return int(cursor.fetchone()[0])


@transaction.atomic
def register_login_failure(
    *,
    user: User,
    ip_address: str | None = None,
    now: datetime | None = None,
    reason: str = "wrong_password",
) -> int:
    """``reason``: "wrong_password", or "wrong_code" for a wrong second
    factor (issue 24), which counts towards the same lock."""
    now = now or timezone.now()
    failures = count_login_failure(user=user, now=now)
    record(
        action="accounts.login.failed",
        target=user,
        data={"reason": reason, "failures": failures},
        ip_address=ip_address,
    )
    if failures >= settings.LOGIN_FAILURE_LIMIT:
        locked = User.all_objects.filter(pk=user.pk, status=User.Status.ACTIVE).update(
            status=User.Status.LOCKED
        )
        if locked:
            user.status = User.Status.LOCKED
            record(
                action="accounts.user.locked",
                target=user,
                data={"failures": failures},
                ip_address=ip_address,
            )
            transaction.on_commit(lambda: end_sessions(user=user))
            _tell_locked(user=user, ip_address=ip_address, now=now)
    return failures


def _tell_locked(*, user: User, ip_address: str | None, now: datetime) -> None:
    """A lock someone else caused must not go unnoticed (issue 21): the
    account's owner and the tenant's other admins are mailed, with the time,
    the IP and the way out (a password reset unlocks it)."""
    from accounts.services.account_mail import mail_context, with_tenants
    from mail.dates import format_jst
    from mail.links import absolute_url

    [user] = with_tenants([user])
    admins = []
    if user.tenant_id is not None:
        admins = list(
            User.all_objects.filter(
                tenant_id=user.tenant_id, role=User.Role.ADMIN, status=User.Status.ACTIVE
            ).exclude(pk=user.pk)
        )
    context = mail_context(
        user,
        locked_at=format_jst(now),
        ip_address=ip_address or "-",
        reset_url=absolute_url(reverse("accounts:password_reset")),
    )
    mails = [Mail(to=user.mail_to, context={**context, "to_admin": False})]
    mails += [Mail(to=admin.mail_to, context={**context, "to_admin": True}) for admin in admins]
    send_mails(template="account_locked", mails=mails, tenant=user.tenant_id)


def lift_lock(*, user: User, actor: Any, reason: str) -> None:
    User.all_objects.filter(pk=user.pk, status=User.Status.LOCKED).update(
        status=User.Status.ACTIVE
    )
    user.status = User.Status.ACTIVE
    LoginFailureCounter.objects.filter(user_id=user.pk).delete()
    record(action="accounts.user.unlocked", actor=actor, target=user, data={"reason": reason})


@transaction.atomic
def unlock(*, user: User, actor: Any) -> None:
    """Lift アカウントロック (an admin's action, AUTH-8)."""
    current = User.all_objects.select_for_update().get(pk=user.pk)
    if current.status != User.Status.LOCKED:
        raise AccountError("アカウントロック中のユーザではありません。")
    lift_lock(user=user, actor=actor, reason="admin")
