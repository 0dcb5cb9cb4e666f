from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from functools import wraps
from typing import Any

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

register = template.Library()


def _blank_for_none(format_value: Callable[[Any], str]) -> Callable[[Any], str]:
    """Every filter here shows nothing for a missing value."""

    @wraps(format_value)
    def wrapper(value: Any) -> str:
        return "" if value is None else format_value(value)

    return wrapper


@register.filter
@_blank_for_none
def yen(value: int) -> str:
    """1234 → "1,234 円"; ``signed_yen`` for changes."""
    return _("%(amount)s 円") % {"amount": f"{value:,}"}


@register.filter
@_blank_for_none
def signed_yen(value: int) -> str:
    return _("%(amount)s 円") % {"amount": f"{value:+,}"}


@register.filter
@_blank_for_none
def signed(value: int) -> str:
    return f"{value:+d}"


@register.filter
@_blank_for_none
def jst(value: datetime) -> str:
    """An instant in Japan time, e.g. 2026/06/01 12:00."""
    return f"{timezone.localtime(value):%Y/%m/%d %H:%M}"


@register.filter
@_blank_for_none
def jst_end(value: datetime) -> str:
    """The end of a window: 00:00 reads as 24:00 of the previous day, as the
    manual writes it (「5 営業日目の 24:00」)."""
    local = timezone.localtime(value)
    if local.time() == time(0):
        prev = local - timedelta(days=1)
        return f"{prev:%Y/%m/%d} 24:00"
    return f"{local:%Y/%m/%d %H:%M}"


@register.filter
@_blank_for_none
def month_label(value) -> str:  # noqa: ANN001 - a date
    # The locale's year-month format: "2026年7月" in Japanese, "July 2026" in English.
    return date_format(value, "YEAR_MONTH_FORMAT")
