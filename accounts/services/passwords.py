"""Passwords (AUTH-4, AUTH-9, AUTH-11): setting one under the policy, the
reset mail (for one user or a selection) and the reset by link."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountToken, User
from accounts.services.account_mail import mail_links, with_tenants
from accounts.services.errors import AccountError
from accounts.services.lockout import lift_lock
from accounts.services.registration import send_setup_mails
from accounts.services.sessions import end_sessions
from accounts.services.tokens import consume_token
from accounts.services.user_lookup import in_token_users_scope, user_scope
from audit.services import record
from mail.links import absolute_url

# Password reset links are not covered by the manual; a day is the usual
# compromise between a slow mailbox and a leaked link.
DEFAULT_PASSWORD_RESET_HOURS = 24


@transaction.atomic
def set_password(
    *,
    user: User,
    raw_password: str,
    actor: Any,
    force_change: bool = False,
    keep_session_key: str | None = None,
    now: datetime | None = None,
) -> None:
    """Set a password under the AUTH-4 validators (history included).

    Raises ``django.core.exceptions.ValidationError`` with one message per
    broken rule. Records the hash in the history and ends the user's other
    sessions (all of them, unless ``keep_session_key`` names the caller's own).
    ``force_change`` marks an admin-set password to be changed at the next
    login (AUTH-11). ``now`` is accepted for symmetry with the other
    services; the history stamps the time of the save.
    """
    validate_password(raw_password, user)
    user.set_password(raw_password)
    user.must_change_password = force_change
    # Saving runs the validators' password_changed hook, which records the
    # hash in the history (accounts.passwords.remember). In the user's scope:
    # an operator's own row is behind the bypass (issue 20).
    with user_scope(user):
        user.save(update_fields=["password", "must_change_password"])
    by_self = actor is not None and getattr(actor, "pk", None) == user.pk
    record(
        action="accounts.password.changed" if by_self else "accounts.password.set",
        actor=actor,
        target=user,
        data={"force_change": force_change},
    )
    transaction.on_commit(lambda: end_sessions(user=user, except_session_key=keep_session_key))


def validate_new_password(*, user: User, raw_password: str) -> None:
    """AUTH-4 for forms that validate before the service runs (the first step
    of registration). Raises ValidationError."""
    validate_password(raw_password, user)


def password_reset_expiry(now: datetime) -> datetime:
    hours = int(getattr(settings, "PASSWORD_RESET_LINK_HOURS", DEFAULT_PASSWORD_RESET_HOURS))
    return now + timedelta(hours=hours)


def can_receive_reset_mail(user: User) -> bool:
    """Suspended accounts get no reset link (AUTH-9); nor do the users of a
    deactivated tenant, who could not log in with it (AUTH-8)."""
    tenant_active = user.tenant_id is None or user.tenant.is_active
    return user.is_active and user.status != User.Status.SUSPENDED and tenant_active


@transaction.atomic
def send_password_reset_mail(*, user: User, actor: Any = None, now: datetime | None = None) -> None:
    """Send a password reset link to the notification address (AUTH-9).

    Refused for suspended accounts (the page then says
    『ご指定のアカウント情報が取得できません。』). A user who never finished
    initial registration gets a fresh setup mail instead, since there is no
    password to reset yet.
    """
    send_password_reset_mails(users=[user], actor=actor, now=now)


@transaction.atomic
def send_password_reset_mails(*, users: Iterable[User], actor: Any = None, now: datetime | None = None) -> int:
    """``send_password_reset_mail`` for many users (選択ユーザのパスワードリセット)
    in a constant number of queries. Refused as a whole if one of them is
    suspended: callers skip those first (``can_receive_reset_mail``)."""
    users = with_tenants(users)
    if not all(can_receive_reset_mail(u) for u in users):
        raise AccountError("ご指定のアカウント情報が取得できません。")
    now = now or timezone.now()
    send_setup_mails(users=[u for u in users if u.status == User.Status.PENDING], actor=actor, now=now)
    resettable = [u for u in users if u.status != User.Status.PENDING]
    if resettable:
        mail_links(
            users=resettable,
            purpose=AccountToken.Purpose.PASSWORD_RESET,
            expires_at=password_reset_expiry(now),
            now=now,
            template="password_reset",
            link=lambda raw: {"reset_url": absolute_url(reverse("accounts:password_reset_link", args=[raw]))},
            action="accounts.password_reset.requested",
            actor=actor,
        )
    return len(users)


@in_token_users_scope
@transaction.atomic
def reset_password(
    *, token: AccountToken, raw_password: str, now: datetime | None = None
) -> User:
    """Complete a reset by mail: validate, set, use up the link, and unlock a
    locked account (AUTH-8: unlocking by resetting the password)."""
    now = now or timezone.now()
    user = User.all_objects.select_for_update().get(pk=token.user_id)
    if user.status == User.Status.SUSPENDED:
        raise AccountError("ご指定のアカウント情報が取得できません。")
    # A rejected password raises out of this atomic block, which also undoes
    # the use of the link: the person can try again with the same mail.
    consume_token(token, now=now)
    was_locked = user.status == User.Status.LOCKED
    set_password(user=user, raw_password=raw_password, actor=user, now=now)
    record(action="accounts.password_reset.completed", actor=user, target=user)
    if was_locked:
        lift_lock(user=user, actor=user, reason="password_reset")
    return user
