"""Security records of accounts: one-time tokens, password history, login
failure counters and the sessions each user holds.

These are small global tables keyed by user (like ``LoginId``): a token or a
session key must be found before any tenant scope exists (the person is not
logged in yet), and operators, who have no tenant, use them too. They are only
ever read through a user or a token hash, never listed per tenant.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountToken(models.Model):
    """A single-use link sent by mail: initial setup (AUTH-2), password
    reset (AUTH-9) or the confirmation of a new notification address
    (AUTH-10). Only a SHA-256 of the token is stored; the mail holds the raw
    token. Issuing a new token of a purpose revokes the older ones."""

    class Purpose(models.TextChoices):
        SETUP = "setup", _("初期設定")
        PASSWORD_RESET = "password_reset", _("パスワード再設定")
        EMAIL_CHANGE = "email_change", _("通知先メールアドレス変更")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="account_tokens",
        verbose_name=_("ユーザ"),
    )
    purpose = models.CharField(_("用途"), max_length=20, choices=Purpose)
    token_hash = models.CharField(_("トークンのハッシュ"), max_length=64, unique=True)
    # The new notification address awaiting confirmation (EMAIL_CHANGE only).
    new_email = models.EmailField(_("新しい通知先メールアドレス"), max_length=127, blank=True)
    created_at = models.DateTimeField(_("発行日時"))
    expires_at = models.DateTimeField(_("有効期限"))
    used_at = models.DateTimeField(_("使用日時"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("無効化日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("認証用リンク")
        verbose_name_plural = _("認証用リンク")
        indexes = [
            models.Index(
                fields=["user", "purpose"],
                condition=models.Q(used_at__isnull=True, revoked_at__isnull=True),
                name="accounttoken_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.user_id} {self.created_at:%Y-%m-%d}"


class PasswordHistory(models.Model):
    """The hashes of a user's passwords, newest first: AUTH-4 forbids the
    last N (settings.PASSWORD_HISTORY_COUNT). Older rows are pruned."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="password_history",
        verbose_name=_("ユーザ"),
    )
    password = models.CharField(_("パスワード（ハッシュ）"), max_length=128)
    created_at = models.DateTimeField(_("設定日時"))

    class Meta:
        verbose_name = _("パスワード履歴")
        verbose_name_plural = _("パスワード履歴")
        indexes = [models.Index(fields=["user", "-created_at"], name="passwordhistory_user")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class LoginFailureCounter(models.Model):
    """Failed logins of one account in the current window (AUTH-8).

    Updated by one race-safe upsert per failure (``accounts.services.lockout``);
    counted per account, never per IP, so one person's typos do not lock out
    colleagues behind the same proxy. Deleted on a successful login or unlock.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="login_failures",
        verbose_name=_("ユーザ"),
    )
    failures = models.PositiveIntegerField(_("失敗回数"), default=0)
    window_started_at = models.DateTimeField(_("集計開始日時"))

    class Meta:
        verbose_name = _("ログイン失敗回数")
        verbose_name_plural = _("ログイン失敗回数")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.failures}"


class UserSession(models.Model):
    """Which session keys a user holds, so that suspension and a password
    change can end that person's other sessions (AUTH-8) without scanning
    every session in the store."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sessions",
        verbose_name=_("ユーザ"),
    )
    session_key = models.CharField(_("セッションキー"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("ログイン日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("ログインセッション")
        verbose_name_plural = _("ログインセッション")

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


# Keep UserSession in step with Django's login/logout, whichever view logs the
# person in (the portal's two-step login, Django admin, the test client).
def _remember_session(sender: object, request: object, user: object, **kwargs: object) -> None:
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None)
    if key and getattr(user, "pk", None):
        # One statement; a key already recorded (a repeated signal) is ignored.
        UserSession.objects.bulk_create(
            [UserSession(session_key=key, user_id=user.pk)],  # type: ignore[attr-defined]
            ignore_conflicts=True,
        )


def _forget_session(sender: object, request: object, user: object, **kwargs: object) -> None:
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None)
    if key:
        UserSession.objects.filter(session_key=key).delete()


def _connect_signals() -> None:
    from django.contrib.auth.signals import user_logged_in, user_logged_out

    user_logged_in.connect(_remember_session, dispatch_uid="accounts.remember_session")
    user_logged_out.connect(_forget_session, dispatch_uid="accounts.forget_session")


_connect_signals()
