"""The daily purge of finished security rows: tokens, failure counters and
sessions that no longer exist."""

from __future__ import annotations

from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import AccountToken, LoginFailureCounter, UserSession

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
