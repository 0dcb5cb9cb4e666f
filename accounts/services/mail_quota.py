"""Hourly quotas on the mail a logged-in user can make the portal send
(issue 21, finding 1): お問い合わせ (each sends a receipt and a notice to the
centre) and notification-address confirmations (one mail to a typed
address). Without them a session could turn the portal into a mailer.

Two fixed-window counters in ``security_cache()``, per user and per tenant
(``MAIL_QUOTA_PER_USER`` and ``MAIL_QUOTA_PER_TENANT`` an hour; operators
have no tenant counter). A refused request is not counted, so a person who
hits the quota gets their budget back at the next hour, not later. The
counters are not part of the caller's transaction: a submission that fails
after ``charge`` (a refused attachment) still used one unit.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.services.throttle import WINDOW_SECONDS, security_cache

DEFAULT_PER_USER = 10
DEFAULT_PER_TENANT = 100

QUOTA_MESSAGE = _(
    "1 時間あたりにメールが送信される操作の上限に達しました。しばらく時間をおいてから、もう一度お試しください。"
)


class MailQuotaExceeded(Exception):
    """Past the hourly quota: nothing was stored or sent; ``message`` is for the form."""

    def __init__(self) -> None:
        super().__init__("mail quota exceeded")
        self.message = QUOTA_MESSAGE


def limits() -> tuple[int, int]:
    return (
        int(getattr(settings, "MAIL_QUOTA_PER_USER", DEFAULT_PER_USER)),
        int(getattr(settings, "MAIL_QUOTA_PER_TENANT", DEFAULT_PER_TENANT)),
    )


def _keys(user: Any) -> list[tuple[str, int]]:
    per_user, per_tenant = limits()
    window = int(time.time() // WINDOW_SECONDS)

    def key(kind: str, value: object) -> str:
        digest = hashlib.sha256(str(value).encode()).hexdigest()[:32]
        return f"throttle:mailquota:{kind}:{digest}:{window}"

    keys = [(key("user", user.pk), per_user)]
    if user.tenant_id is not None:
        keys.append((key("tenant", user.tenant_id), per_tenant))
    return keys


def _incr(key: str) -> int:
    cache = security_cache()
    cache.add(key, 0, timeout=WINDOW_SECONDS + 60)
    try:
        return int(cache.incr(key))
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS + 60)
        return 1


def exhausted(*, user: Any) -> bool:
    """Whether the next ``charge`` would be refused (counts nothing): lets a
    form say so at 確認 instead of after the person read it through."""
    cache = security_cache()
    return any(int(cache.get(key) or 0) >= limit for key, limit in _keys(user))


def charge(*, user: Any) -> None:
    """Count one mail-sending action of ``user``; raise ``MailQuotaExceeded``
    (counting nothing) when the user's or the tenant's hour is used up."""
    taken: list[str] = []
    for key, limit in _keys(user):
        taken.append(key)
        if _incr(key) > limit:
            cache = security_cache()
            for done in taken:
                with contextlib.suppress(ValueError):  # evicted meanwhile
                    cache.decr(done)
            raise MailQuotaExceeded
