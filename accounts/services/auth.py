"""Account security services (manual ch. 2 and 13; AUTH-1 … AUTH-12).

Every state change of login, activation, passwords, lockout and sessions
lives here; views, Django admin, management commands and the user-management
screens call these functions. Each writes an audit entry and queues its mail
through the outbox in the caller's transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from importlib import import_module
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountToken, LoginFailureCounter, User, UserSession
from accounts.passwords import remember as remember_password
from audit.services import record, record_many
from notifications.services import Mail, send_mail, send_mails
from tenants.models import Tenant

JST = ZoneInfo("Asia/Tokyo")
# Password reset links are not covered by the manual; a day is the usual
# compromise between a slow mailbox and a leaked link.
DEFAULT_PASSWORD_RESET_HOURS = 24
# A notification address change is confirmed within the same time.
DEFAULT_EMAIL_CHANGE_HOURS = 24


class AccountError(Exception):
    """A state change of an account that the rules do not allow."""


# ---------------------------------------------------------------------------
# Tokens (AUTH-2, AUTH-9, AUTH-10)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def setup_link_expiry(sent_at: datetime) -> datetime:
    """AUTH-2: valid for 7 days counting the day of sending, in JST: a link
    sent on day D works through 23:59:59 JST of D+6."""
    days = int(getattr(settings, "ACTIVATION_LINK_DAYS", 7))
    sent_day = timezone.localtime(sent_at, JST).date()
    last_day = sent_day + timedelta(days=days - 1)
    return datetime.combine(last_day, time.max, tzinfo=JST)


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
    UPDATE revokes their older open tokens of this purpose, one INSERT per
    1,000 stores the new hashes. Returns the raw tokens in ``users`` order."""
    AccountToken.objects.filter(
        user_id__in=[u.pk for u in users], purpose=purpose, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    raws = [secrets.token_urlsafe(32) for _user in users]
    AccountToken.objects.bulk_create(
        [
            AccountToken(
                user=user,
                purpose=purpose,
                token_hash=hash_token(raw),
                new_email=new_email,
                created_at=now,
                expires_at=expires_at,
            )
            for user, raw in zip(users, raws, strict=True)
        ],
        batch_size=1000,
    )
    return raws


def find_valid_token(raw: str, *, purpose: str, now: datetime | None = None) -> AccountToken | None:
    """The open, unexpired token for ``raw`` (with its user), or None."""
    now = now or timezone.now()
    if not raw or len(raw) > 200:
        return None
    return (
        AccountToken.objects.select_related("user", "user__tenant")
        .filter(
            token_hash=hash_token(raw),
            purpose=purpose,
            used_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gte=now,
        )
        .first()
    )


def get_open_token(pk: int, *, purpose: str, now: datetime | None = None) -> AccountToken | None:
    """Re-read a token kept in the session between the steps of a flow."""
    now = now or timezone.now()
    return (
        AccountToken.objects.select_related("user", "user__tenant")
        .filter(
            pk=pk, purpose=purpose, used_at__isnull=True, revoked_at__isnull=True, expires_at__gte=now
        )
        .first()
    )


def recently_mailed(*, user: User, purpose: str, now: datetime | None = None) -> bool:
    """Whether a link of this purpose went out within the last minute. The
    self-service pages (a new setup link, password reset) then skip sending
    again but answer the same, so nobody can flood a mailbox."""
    now = now or timezone.now()
    seconds = int(getattr(settings, "ACCOUNT_MAIL_THROTTLE_SECONDS", 60))
    return AccountToken.objects.filter(
        user=user, purpose=purpose, created_at__gt=now - timedelta(seconds=seconds)
    ).exists()


def _consume_token(token: AccountToken, *, now: datetime) -> None:
    """Single use, race-safe: only one request can flip ``used_at``."""
    claimed = AccountToken.objects.filter(
        pk=token.pk, used_at__isnull=True, revoked_at__isnull=True, expires_at__gte=now
    ).update(used_at=now)
    if not claimed:
        raise AccountError("このリンクは無効です。")


def _absolute(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def setup_url(raw_token: str) -> str:
    return _absolute(reverse("accounts:setup", args=[raw_token]))


def _mail_context(user: User, **extra: Any) -> dict[str, Any]:
    return {
        "user": user,
        "tenant": user.tenant,
        "portal_name": settings.PORTAL_PRODUCT_NAME,
        "carrier_name": settings.PORTAL_CARRIER_NAME,
        "login_url": _absolute(reverse("accounts:login")),
        "sender": settings.DEFAULT_FROM_EMAIL,
        **extra,
    }


def _format_jst(value: datetime) -> str:
    local = timezone.localtime(value, JST)
    return f"{local:%Y年%m月%d日} {local:%H:%M}"


def _recipient(user: User) -> str:
    return user.notification_email or user.email


def issue_setup_link(*, user: User, now: datetime | None = None) -> tuple[str, datetime]:
    """A fresh setup link for the opening mail or the setup mail."""
    now = now or timezone.now()
    expires_at = setup_link_expiry(now)
    raw = issue_token(user=user, purpose=AccountToken.Purpose.SETUP, expires_at=expires_at, now=now)
    return setup_url(raw), expires_at


def _with_tenants(users: Iterable[User]) -> list[User]:
    """The users with ``tenant`` loaded in one query (mail contexts read it)."""
    users = list(users)
    missing = {u.tenant_id for u in users if u.tenant_id and not User.tenant.is_cached(u)}
    if missing:
        tenants = Tenant.objects.in_bulk(missing)
        for user in users:
            if user.tenant_id in tenants:
                user.tenant = tenants[user.tenant_id]
    return users


def _send_link_mails(
    *, template: str, users: list[User], raws: list[str], context: Callable[[User, str], dict[str, Any]]
) -> None:
    """One outbox INSERT per 500 mails per tenant, in the caller's transaction."""
    by_tenant: dict[int | None, list[Mail]] = {}
    for user, raw in zip(users, raws, strict=True):
        by_tenant.setdefault(user.tenant_id, []).append(
            Mail(to=_recipient(user), context=_mail_context(user, **context(user, raw)))
        )
    for tenant_id, mails in by_tenant.items():
        send_mails(template=template, mails=mails, tenant=tenant_id)


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
    users = _with_tenants(users)
    if any(u.status != User.Status.PENDING for u in users):
        raise AccountError("初期設定が完了しているユーザには初期設定メールを送信できません。")
    if not users:
        return 0
    now = now or timezone.now()
    expires_at = setup_link_expiry(now)
    raws = issue_tokens(users=users, purpose=AccountToken.Purpose.SETUP, expires_at=expires_at, now=now)
    expiry = _format_jst(expires_at)
    _send_link_mails(
        template="account_setup",
        users=users,
        raws=raws,
        context=lambda _user, raw: {"setup_url": setup_url(raw), "expires_at": expiry},
    )
    record_many(action="accounts.setup_mail.sent", actor=actor, targets=users)
    return len(users)


# ---------------------------------------------------------------------------
# Initial registration (AUTH-3)


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
    _consume_token(token, now=now)
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


# ---------------------------------------------------------------------------
# Passwords (AUTH-4, AUTH-9, AUTH-10, AUTH-11)


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
    # hash in the history (accounts.passwords.remember).
    user.save(update_fields=["password", "must_change_password"])
    by_self = actor is not None and getattr(actor, "pk", None) == user.pk
    record(
        action="accounts.password.changed" if by_self else "accounts.password.set",
        actor=actor,
        target=user,
        data={"force_change": force_change},
    )
    transaction.on_commit(lambda: end_sessions(user=user, except_session_key=keep_session_key))


def password_reset_expiry(now: datetime) -> datetime:
    hours = int(getattr(settings, "PASSWORD_RESET_LINK_HOURS", DEFAULT_PASSWORD_RESET_HOURS))
    return now + timedelta(hours=hours)


def can_receive_reset_mail(user: User) -> bool:
    """Suspended accounts get no reset link (AUTH-9)."""
    return user.is_active and user.status != User.Status.SUSPENDED


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
    users = _with_tenants(users)
    if not all(can_receive_reset_mail(u) for u in users):
        raise AccountError("ご指定のアカウント情報が取得できません。")
    now = now or timezone.now()
    send_setup_mails(users=[u for u in users if u.status == User.Status.PENDING], actor=actor, now=now)
    resettable = [u for u in users if u.status != User.Status.PENDING]
    if resettable:
        expires_at = password_reset_expiry(now)
        raws = issue_tokens(
            users=resettable, purpose=AccountToken.Purpose.PASSWORD_RESET, expires_at=expires_at, now=now
        )
        expiry = _format_jst(expires_at)
        _send_link_mails(
            template="password_reset",
            users=resettable,
            raws=raws,
            context=lambda _user, raw: {
                "reset_url": _absolute(reverse("accounts:password_reset_link", args=[raw])),
                "expires_at": expiry,
            },
        )
        record_many(action="accounts.password_reset.requested", actor=actor, targets=resettable)
    return len(users)


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
    _consume_token(token, now=now)
    was_locked = user.status == User.Status.LOCKED
    set_password(user=user, raw_password=raw_password, actor=user, now=now)
    record(action="accounts.password_reset.completed", actor=user, target=user)
    if was_locked:
        _unlock(user=user, actor=user, reason="password_reset")
    return user


# ---------------------------------------------------------------------------
# Notification address (AUTH-10)


@transaction.atomic
def request_notification_email_change(
    *, user: User, new_email: str, now: datetime | None = None
) -> None:
    """Send a confirmation link to the new address; the change applies only
    when that link is opened."""
    now = now or timezone.now()
    hours = int(getattr(settings, "EMAIL_CHANGE_LINK_HOURS", DEFAULT_EMAIL_CHANGE_HOURS))
    expires_at = now + timedelta(hours=hours)
    raw = issue_token(
        user=user,
        purpose=AccountToken.Purpose.EMAIL_CHANGE,
        expires_at=expires_at,
        now=now,
        new_email=new_email,
    )
    send_mail(
        template="notification_email_confirm",
        to=new_email,
        context=_mail_context(
            user,
            new_email=new_email,
            confirm_url=_absolute(reverse("accounts:notification_email_confirm", args=[raw])),
            expires_at=_format_jst(expires_at),
        ),
        tenant=user.tenant_id,
    )
    record(
        action="accounts.notification_email.change_requested",
        actor=user,
        target=user,
        data={"new_email": new_email},
    )


@transaction.atomic
def confirm_notification_email_change(*, token: AccountToken, now: datetime | None = None) -> User:
    now = now or timezone.now()
    _consume_token(token, now=now)
    user = User.all_objects.select_for_update().get(pk=token.user_id)
    old = user.notification_email
    user.notification_email = token.new_email
    user.save(update_fields=["notification_email"])
    record(
        action="accounts.notification_email.changed",
        actor=user,
        target=user,
        data={"old": old, "new": token.new_email},
    )
    return user


# ---------------------------------------------------------------------------
# Login, failures and lockout (AUTH-5, AUTH-8)


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
    *, login_id: str, password: str, ip_address: str | None = None, now: datetime | None = None
) -> LoginOutcome:
    """Check one login attempt with exactly one password hash, count a
    failure against the account, lock it at the threshold, and audit it."""
    now = now or timezone.now()
    login_id = (login_id or "").strip().lower()
    user = (
        User.all_objects.select_related("tenant").filter(email__iexact=login_id).first()
        if login_id
        else None
    )
    if user is None:
        _dummy_hash(password)
        record(
            action="accounts.login.failed",
            data={"login_id": login_id[:127], "reason": "unknown_id"},
            ip_address=ip_address,
        )
        return LoginOutcome(None, "invalid")
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
    *, user: User, ip_address: str | None = None, now: datetime | None = None
) -> int:
    now = now or timezone.now()
    failures = count_login_failure(user=user, now=now)
    record(
        action="accounts.login.failed",
        target=user,
        data={"reason": "wrong_password", "failures": failures},
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
    return failures


def _unlock(*, user: User, actor: Any, reason: str) -> None:
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
    _unlock(user=user, actor=actor, reason="admin")


def record_login(*, user: User, ip_address: str | None = None) -> None:
    record(action="accounts.login.succeeded", actor=user, target=user, ip_address=ip_address)


def record_logout(*, user: User, ip_address: str | None = None) -> None:
    record(action="accounts.logout", actor=user, target=user, ip_address=ip_address)


# ---------------------------------------------------------------------------
# Sessions (AUTH-7, AUTH-8)


def end_sessions(*, user: User, except_session_key: str | None = None) -> int:
    """End the user's sessions (all but ``except_session_key``); returns how
    many. Works with any session engine: each key is deleted through it."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    rows = UserSession.objects.filter(user_id=user.pk)
    if except_session_key:
        rows = rows.exclude(session_key=except_session_key)
    keys = list(rows.values_list("session_key", flat=True))
    for key in keys:
        store().delete(key)
    UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


# How long finished tokens are kept for support questions before the purge.
TOKEN_RETENTION = timedelta(days=30)


def purge_stale_security_rows(*, now: datetime | None = None) -> dict[str, int]:
    """Beat job (idempotent): delete tokens finished or expired more than
    TOKEN_RETENTION ago, failure counters whose window has passed, and
    UserSession rows whose session no longer exists in the store."""
    now = now or timezone.now()
    cutoff = now - TOKEN_RETENTION
    tokens, _ = AccountToken.objects.filter(
        models.Q(expires_at__lt=cutoff) | models.Q(used_at__lt=cutoff) | models.Q(revoked_at__lt=cutoff)
    ).delete()
    counters, _ = LoginFailureCounter.objects.filter(
        window_started_at__lt=now - settings.LOGIN_FAILURE_WINDOW
    ).delete()
    store = import_module(settings.SESSION_ENGINE).SessionStore
    idle = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    gone = [
        key
        for key in UserSession.objects.filter(created_at__lt=now - idle)
        .values_list("session_key", flat=True)
        .iterator(chunk_size=1000)
        if not store().exists(key)
    ]
    sessions, _ = UserSession.objects.filter(session_key__in=gone).delete()
    return {"tokens": tokens, "failure_counters": counters, "sessions": sessions}


def validate_new_password(*, user: User, raw_password: str) -> None:
    """AUTH-4 for forms that validate before the service runs (the first step
    of registration). Raises ValidationError."""
    validate_password(raw_password, user)


__all__ = [
    "AccountError",
    "LoginOutcome",
    "ValidationError",
    "authenticate_login",
    "complete_setup",
    "confirm_notification_email_change",
    "end_sessions",
    "find_valid_token",
    "get_open_token",
    "issue_setup_link",
    "record_login",
    "purge_stale_security_rows",
    "record_logout",
    "register_login_failure",
    "request_notification_email_change",
    "recently_mailed",
    "reset_password",
    "send_password_reset_mail",
    "send_setup_mail",
    "set_password",
    "setup_link_expiry",
    "unlock",
]
