"""Activation and initial registration (manual ch. 2; AUTH-2, AUTH-3).

The 初期設定依頼 mail with its 7-day link, for one user or many (a CSV
import), and the completion of the setup."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountToken, User
from accounts.passwords import remember as remember_password
from accounts.services.account_mail import (
    mail_links,
    with_tenants,
)
from accounts.services.errors import AccountError
from accounts.services.tokens import consume_token, issue_token
from accounts.services.user_lookup import in_token_users_scope
from audit.services import record
from mail.dates import JST
from mail.links import absolute_url


def setup_link_expiry(sent_at: datetime) -> datetime:
    """AUTH-2: valid for 7 days counting the day of sending, in JST: a link
    sent on day D works through 23:59:59 JST of D+6."""
    days = int(getattr(settings, "ACTIVATION_LINK_DAYS", 7))
    sent_day = timezone.localtime(sent_at, JST).date()
    last_day = sent_day + timedelta(days=days - 1)
    return datetime.combine(last_day, time.max, tzinfo=JST)


def setup_url(raw_token: str) -> str:
    return absolute_url(reverse("accounts:setup", args=[raw_token]))


_TOKEN_MARK = "0token0"  # of the token's alphabet (URL-safe base64): reverse() keeps it as is


def setup_url_maker() -> Callable[[str], str]:
    """``setup_url`` for many tokens with one ``reverse()``: the URL around
    a marker, split once (a 10,000-row import reversed once per row)."""
    before, after = setup_url(_TOKEN_MARK).split(_TOKEN_MARK)
    return lambda raw_token: f"{before}{raw_token}{after}"


def issue_setup_link(*, user: User, now: datetime | None = None) -> tuple[str, datetime]:
    """A fresh setup link for the opening mail or the setup mail."""
    now = now or timezone.now()
    expires_at = setup_link_expiry(now)
    raw = issue_token(user=user, purpose=AccountToken.Purpose.SETUP, expires_at=expires_at, now=now)
    return setup_url(raw), expires_at


@transaction.atomic
def send_setup_mail(*, user: User, actor: Any, now: datetime | None = None) -> None:
    """Issue a fresh activation link (older ones stop working) and send the
    初期設定依頼 mail to the user's notification address (AUTH-2)."""
    send_setup_mails(users=[user], actor=actor, now=now)


@transaction.atomic
def send_setup_mails(*, users: Iterable[User], actor: Any, now: datetime | None = None) -> int:
    """``send_setup_mail`` for many users (a CSV import of 10,000) in a
    constant number of queries: tokens, outbox rows and audit entries are bulk
    writes in the caller's transaction (a rollback sends nothing). Refused as a
    whole if one of them has finished the setup. Returns how many were sent."""
    users = with_tenants(users)
    if any(u.status != User.Status.PENDING for u in users):
        raise AccountError("初期設定が完了しているユーザには初期設定メールを送信できません。")
    if not users:
        return 0
    now = now or timezone.now()
    url = setup_url_maker()
    mail_links(
        users=users,
        purpose=AccountToken.Purpose.SETUP,
        expires_at=setup_link_expiry(now),
        now=now,
        template="account_setup",
        link=lambda raw: {"setup_url": url(raw)},
        action="accounts.setup_mail.sent",
        actor=actor,
    )
    return len(users)


@in_token_users_scope
@transaction.atomic
def complete_setup(
    *,
    token: AccountToken,
    password_hash: str,
    notification_email: str,
    now: datetime | None = None,
) -> User:
    """Finish initial registration: the password chosen in step one (already
    validated and hashed, so the raw password never sits in the session), the
    notification address of step two; status becomes 有効."""
    now = now or timezone.now()
    consume_token(token, now=now)
    user = User.all_objects.select_for_update().get(pk=token.user_id)
    if user.status != User.Status.PENDING:
        raise AccountError("初期設定はすでに完了しています。")
    user.password = password_hash
    user.notification_email = notification_email
    user.status = User.Status.ACTIVE
    user.must_change_password = False
    user.save(update_fields=["password", "notification_email", "status", "must_change_password"])
    # The hash was made in step one, so Django's password_changed hook does
    # not run here: record the history explicitly.
    remember_password(user, now=now)
    record(action="accounts.setup.completed", actor=user, target=user)
    return user
