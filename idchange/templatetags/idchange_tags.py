from __future__ import annotations

from datetime import datetime, time, timedelta

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def yen(value: int | None) -> str:
    """1234 → "1,234 円", with a sign for changes when asked via ``signed_yen``."""
    if value is None:
        return ""
    return f"{value:,} 円"


@register.filter
def signed_yen(value: int | None) -> str:
    if value is None:
        return ""
    return f"{value:+,} 円"


@register.filter
def signed(value: int | None) -> str:
    if value is None:
        return ""
    return f"{value:+d}"


@register.filter
def jst(value: datetime | None) -> str:
    """An instant in Japan time, e.g. 2026/06/01 12:00."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local:%Y/%m/%d %H:%M}"


@register.filter
def jst_end(value: datetime | None) -> str:
    """The end of a window: 00:00 reads as 24:00 of the previous day, as the
    manual writes it (「5 営業日目の 24:00」)."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    if local.time() == time(0):
        prev = local - timedelta(days=1)
        return f"{prev:%Y/%m/%d} 24:00"
    return f"{local:%Y/%m/%d %H:%M}"


@register.filter
def month_label(value) -> str:  # noqa: ANN001 - a date
    if value is None:
        return ""
    return f"{value.year}年{value.month}月"
