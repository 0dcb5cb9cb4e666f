"""Absolute links in mail, built one way (issue 19): mail is read outside the
portal, so every link starts with ``PORTAL_BASE_URL``, never with the host a
request happened to come in on."""

from __future__ import annotations

from django.conf import settings


def base_url() -> str:
    """``PORTAL_BASE_URL`` without a trailing slash."""
    return settings.PORTAL_BASE_URL.rstrip("/")


def absolute_url(path: str) -> str:
    """``path`` (from ``reverse``) as a link a mail can carry."""
    return base_url() + path
