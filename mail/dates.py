"""Dates and times as mail prints them: Japan time, whatever the server's
zone, because the mail templates are Japanese (MAIL_LANGUAGE)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

JST = ZoneInfo("Asia/Tokyo")


def format_jst(value: datetime) -> str:
    """2026年05月20日 14:30: the expiry of a link."""
    local = timezone.localtime(value, JST)
    return f"{local:%Y年%m月%d日} {local:%H:%M}"


def format_short(value: datetime | None) -> str:
    """2026/05/20 14:30, or "" for no value: the period of a notice."""
    return f"{timezone.localtime(value, JST):%Y/%m/%d %H:%M}" if value else ""
