"""Password history (AUTH-4): the hook PasswordHistoryValidator calls."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password


def history_count() -> int:
    return int(getattr(settings, "PASSWORD_HISTORY_COUNT", 5))


def recent_hashes(user: Any) -> list[str]:
    """The hashes of the user's last N passwords, newest first. The current
    password counts as one of them even for accounts that predate the history
    (created by seed data or factories)."""
    from accounts.models import PasswordHistory

    n = history_count()
    if n <= 0:
        return []
    hashes = list(
        PasswordHistory.objects.filter(user_id=user.pk)
        .order_by("-created_at", "-pk")
        .values_list("password", flat=True)[:n]
    )
    current = user.password if user.has_usable_password() else None
    if current and current not in hashes:
        hashes = [current, *hashes][:n]
    return hashes


def used_recently(user: Any, password: str) -> bool:
    """Whether ``password`` is one of the user's last N passwords."""
    return any(check_password(password, encoded) for encoded in recent_hashes(user))


def remember(user: Any, *, now: Any = None) -> None:
    """Append the user's current hash to the history and keep only the last
    N. Called by PasswordHistoryValidator.password_changed, which Django runs
    after every save of a new password (services, Django admin, createsuperuser)."""
    from django.utils import timezone

    from accounts.models import PasswordHistory

    if not user.pk or not user.has_usable_password():
        return
    PasswordHistory.objects.create(user=user, password=user.password, created_at=now or timezone.now())
    keep = list(
        PasswordHistory.objects.filter(user_id=user.pk)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)[: max(history_count(), 1)]
    )
    PasswordHistory.objects.filter(user_id=user.pk).exclude(pk__in=keep).delete()
