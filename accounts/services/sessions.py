"""Ending a user's sessions (AUTH-7, AUTH-8) through any session engine."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import import_module

from django.conf import settings

from accounts.models import User, UserSession


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


def end_sessions_of(*, user_ids: Iterable[int]) -> int:
    """``end_sessions`` for many users (bulk deletion) with one lookup."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(UserSession.objects.filter(user_id__in=list(user_ids)).values_list("session_key", flat=True))
    for key in keys:
        store().delete(key)
    UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)
