"""Business-day calendar for ID-count changes (manual ch. 7, IDC-8).

A business day is Monday–Friday, not a Japanese public holiday (振替休日 and
国民の休日 included) and not in the year-end closure 12/29–1/3. An optional
``overrides`` mapping {date: bool} sits on top of everything (True = forced
open, False = forced closed); the Django layer loads it from an
operator-editable table, this module only consumes it.

Pure: no Django imports, no I/O, so the rules can be tested exhaustively.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date, timedelta

import holidays

Overrides = Mapping[date, bool] | None

# Year-end closure, as (month, day) inclusive ranges. Kept outside the holiday
# object because it is a company closure, not a public holiday.
YEAR_END_CLOSURE_START = (12, 29)
YEAR_END_CLOSURE_END = (1, 3)

_ONE_DAY = timedelta(days=1)


@functools.lru_cache(maxsize=256)
def jp_holidays(year: int) -> holidays.HolidayBase:
    """Japanese public holidays of one year; building them is slow, so cache per year."""
    return holidays.country_holidays("JP", years=year)


def is_year_end_closure(d: date) -> bool:
    md = (d.month, d.day)
    return md >= YEAR_END_CLOSURE_START or md <= YEAR_END_CLOSURE_END


def is_business_day(d: date, *, overrides: Overrides = None) -> bool:
    """True when ``d`` is a business day; an override for ``d`` wins over every rule."""
    if overrides:
        forced = overrides.get(d)
        if forced is not None:
            return bool(forced)
    if d.weekday() >= 5:
        return False
    if is_year_end_closure(d):
        return False
    return d not in jp_holidays(d.year)


def next_business_day(d: date, *, overrides: Overrides = None) -> date:
    """The first business day strictly after ``d``."""
    d += _ONE_DAY
    while not is_business_day(d, overrides=overrides):
        d += _ONE_DAY
    return d


def business_day_on_or_after(d: date, *, overrides: Overrides = None) -> date:
    """``d`` itself when it is a business day, else the next one."""
    if is_business_day(d, overrides=overrides):
        return d
    return next_business_day(d, overrides=overrides)


def _month_days(year: int, month: int) -> list[date]:
    first = date(year, month, 1)
    nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return [first + timedelta(days=i) for i in range((nxt - first).days)]


def business_days_of_month(year: int, month: int, *, overrides: Overrides = None) -> list[date]:
    """All business days of the month, in order."""
    return [d for d in _month_days(year, month) if is_business_day(d, overrides=overrides)]


def last_business_days(year: int, month: int, n: int, *, overrides: Overrides = None) -> list[date]:
    """The month's last ``n`` business days in chronological order.

    Fewer are returned when the month has fewer than ``n`` business days
    (only possible through overrides).
    """
    if n < 1:
        raise ValueError("n must be >= 1")
    return business_days_of_month(year, month, overrides=overrides)[-n:]


def nth_business_day_after(d: date, n: int, *, overrides: Overrides = None) -> date:
    """The ``n``-th business day after ``d``; day 1 is the first business day after ``d``."""
    if n < 1:
        raise ValueError("n must be >= 1")
    for _ in range(n):
        d = next_business_day(d, overrides=overrides)
    return d


def nth_business_day_of_month(
    year: int, month: int, n: int, *, overrides: Overrides = None
) -> date:
    """The month's ``n``-th business day (1-based).

    Counted from the 1st onwards, so a month with fewer than ``n`` business
    days (only possible through overrides) spills into the next month rather
    than failing: a window still ends somewhere.
    """
    return nth_business_day_after(date(year, month, 1) - _ONE_DAY, n, overrides=overrides)
