"""Single-use links of the account flows (AUTH-2, AUTH-9, AUTH-10).

Only the SHA-256 of a token is stored; the raw token travels in the mail.
A new link of a purpose revokes the user's older open ones.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import AccountToken, User
from accounts.services.errors import AccountError
from accounts.services.user_lookup import user_by_pk
from tenants import rls
from tenants.bulk import insert_rows


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(
    *,
    user: User,
    purpose: str,
    expires_at: datetime,
    now: datetime,
    new_email: str = "",
) -> str:
    """Create a token, revoking the user's older open ones of this purpose
    (a new link invalidates older ones). Returns the raw token for the mail."""
    return issue_tokens(users=[user], purpose=purpose, expires_at=expires_at, now=now, new_email=new_email)[0]


def issue_tokens(
    *,
    users: Sequence[User],
    purpose: str,
    expires_at: datetime,
    now: datetime,
    new_email: str = "",
) -> list[str]:
    """``issue_token`` for many users in a constant number of queries: one
    UPDATE revokes their older open tokens of this purpose, one set-based INSERT per
    5,000 (tenants/bulk.py) stores the new hashes. Returns the raw tokens in ``users`` order."""
    AccountToken.objects.filter(
        user_id__in=[u.pk for u in users], purpose=purpose, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    raws = [secrets.token_urlsafe(32) for _user in users]
    insert_rows(
        AccountToken,
        ("user_id", "purpose", "token_hash", "new_email", "created_at", "expires_at"),
        [(user.pk, purpose, hash_token(raw), new_email, now, expires_at) for user, raw in zip(users, raws, strict=True)],
        returning=None,
    )
    return raws


def find_valid_token(raw: str, *, purpose: str, now: datetime | None = None) -> AccountToken | None:
    """The open, unexpired token for ``raw`` (with its user), or None."""
    now = now or timezone.now()
    if not raw or len(raw) > 200:
        return None
    return _with_user(
        AccountToken.objects.filter(
            token_hash=hash_token(raw),
            purpose=purpose,
            used_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gte=now,
        )
    )


def get_open_token(pk: int, *, purpose: str, now: datetime | None = None) -> AccountToken | None:
    """Re-read a token kept in the session between the steps of a flow."""
    now = now or timezone.now()
    return _with_user(
        AccountToken.objects.filter(
            pk=pk, purpose=purpose, used_at__isnull=True, revoked_at__isnull=True, expires_at__gte=now
        )
    )


def _with_user(tokens: QuerySet[AccountToken]) -> AccountToken | None:
    """The token with its user and tenant. A link is opened before any scope
    exists, so under row-level security the user comes through the narrow
    path (accounts.services.user_lookup; issue 20), not a join."""
    if not rls.enabled():
        return tokens.select_related("user", "user__tenant").first()
    token = tokens.first()
    user = user_by_pk(token.user_id) if token is not None else None
    if token is None or user is None:
        return None
    AccountToken._meta.get_field("user").set_cached_value(token, user)
    return token


def recently_mailed(*, user: User, purpose: str, now: datetime | None = None) -> bool:
    """Whether a link of this purpose went out within the last minute. The
    self-service pages (a new setup link, password reset) then skip sending
    again but answer the same, so nobody can flood a mailbox."""
    now = now or timezone.now()
    seconds = int(getattr(settings, "ACCOUNT_MAIL_THROTTLE_SECONDS", 60))
    return AccountToken.objects.filter(
        user=user, purpose=purpose, created_at__gt=now - timedelta(seconds=seconds)
    ).exists()


def consume_token(token: AccountToken, *, now: datetime) -> None:
    """Single use, race-safe: only one request can flip ``used_at``."""
    claimed = AccountToken.objects.filter(
        pk=token.pk, used_at__isnull=True, revoked_at__isnull=True, expires_at__gte=now
    ).update(used_at=now)
    if not claimed:
        raise AccountError("このリンクは無効です。")
