"""How long inquiry attachments are kept (INQ-7): six calendar months after
the inquiry was resolved. A pure function, so the detail page, the audit
entry and the job all read the same date."""

from __future__ import annotations

import calendar
from datetime import datetime

from django.utils import timezone

RETENTION_MONTHS = 6


def add_months(moment: datetime, months: int) -> datetime:
    """The same day ``months`` later, clamped to the month's end (8/31 + 6
    months is 2/28 or 2/29)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def attachments_expire_at(resolved_at: datetime) -> datetime:
    # Months are counted on the customer's calendar (Asia/Tokyo), not UTC.
    return add_months(timezone.localtime(resolved_at), RETENTION_MONTHS)


def is_expired(resolved_at: datetime, now: datetime) -> bool:
    return attachments_expire_at(resolved_at) <= now


def candidates_resolved_before(now: datetime) -> datetime:
    """A database bound for the job: every inquiry whose attachments are due
    was resolved at or before this moment (on the last day of a month, later
    days of the earlier month clamp to it, so the bound widens to that
    month's end); the job then checks each with ``is_expired``."""
    now = timezone.localtime(now)
    bound = add_months(now, -RETENTION_MONTHS)
    if now.day == calendar.monthrange(now.year, now.month)[1]:
        bound = bound.replace(day=calendar.monthrange(bound.year, bound.month)[1], hour=23, minute=59)
    return bound
