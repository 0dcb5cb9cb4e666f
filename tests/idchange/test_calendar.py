"""Business-day calendar (IDC-8) checks from IDCHANGE.md plus overrides."""

from __future__ import annotations

from datetime import date

import pytest

from idchange.calendar import (
    business_day_on_or_after,
    business_days_of_month,
    is_business_day,
    is_year_end_closure,
    last_business_days,
    next_business_day,
    nth_business_day_after,
    nth_business_day_of_month,
)


def test_idc8_last_business_day_of_2026_is_dec_28() -> None:
    assert business_days_of_month(2026, 12)[-1] == date(2026, 12, 28)
    assert last_business_days(2026, 12, 1) == [date(2026, 12, 28)]


def test_idc8_first_business_day_of_2027_is_jan_4() -> None:
    assert business_days_of_month(2027, 1)[0] == date(2027, 1, 4)
    assert next_business_day(date(2026, 12, 28)) == date(2027, 1, 4)


@pytest.mark.parametrize(
    "d",
    [
        date(2026, 5, 6),  # 振替休日 for 5/3 (Sun)
        date(2026, 9, 22),  # 国民の休日 between 敬老の日 and 秋分の日
        date(2027, 3, 22),  # 振替休日 for 春分の日 3/21 (Sun)
        date(2026, 1, 12),  # 成人の日
        date(2026, 4, 29),  # 昭和の日
    ],
)
def test_idc8_public_holidays_are_closed(d: date) -> None:
    assert d.weekday() < 5
    assert not is_business_day(d)


@pytest.mark.parametrize(
    "d",
    [
        date(2026, 12, 29),
        date(2026, 12, 30),
        date(2026, 12, 31),
        date(2027, 1, 1),
        date(2027, 1, 2),
        date(2027, 1, 3),
        date(2025, 12, 29),
        date(2030, 1, 2),
    ],
)
def test_idc8_year_end_closure(d: date) -> None:
    assert is_year_end_closure(d)
    assert not is_business_day(d)


def test_idc8_closure_edges_are_open_when_weekdays() -> None:
    # 2025-12-26 (Fri) and 2030-01-04 (Fri) sit just outside the closure.
    assert is_business_day(date(2025, 12, 26))
    assert is_business_day(date(2030, 1, 4))
    assert not is_year_end_closure(date(2026, 12, 28))
    assert not is_year_end_closure(date(2027, 1, 4))


def test_idc8_weekends_are_closed() -> None:
    assert not is_business_day(date(2026, 5, 30))  # Sat
    assert not is_business_day(date(2026, 5, 31))  # Sun
    assert is_business_day(date(2026, 5, 29))  # Fri


def test_idc8_golden_week_2026() -> None:
    assert business_days_of_month(2026, 5)[:3] == [
        date(2026, 5, 1),
        date(2026, 5, 7),
        date(2026, 5, 8),
    ]
    assert next_business_day(date(2026, 4, 30)) == date(2026, 5, 1)
    assert next_business_day(date(2026, 5, 1)) == date(2026, 5, 7)


def test_idc8_overrides_force_open_and_closed() -> None:
    sat = date(2026, 5, 30)
    holiday = date(2026, 5, 6)
    closure = date(2026, 12, 30)
    weekday = date(2026, 5, 20)
    overrides = {sat: True, holiday: True, closure: True, weekday: False}
    assert is_business_day(sat, overrides=overrides)
    assert is_business_day(holiday, overrides=overrides)
    assert is_business_day(closure, overrides=overrides)
    assert not is_business_day(weekday, overrides=overrides)
    # Days without an entry follow the normal rules.
    assert is_business_day(date(2026, 5, 21), overrides=overrides)
    assert next_business_day(date(2026, 5, 19), overrides=overrides) == date(2026, 5, 21)
    assert last_business_days(2026, 12, 1, overrides=overrides) == [closure]


def test_idc8_overrides_none_and_empty_are_equivalent() -> None:
    d = date(2026, 5, 6)
    assert is_business_day(d, overrides=None) == is_business_day(d, overrides={}) is False


def test_idc8_business_days_of_may_2026() -> None:
    days = [d.day for d in business_days_of_month(2026, 5)]
    assert days == [1, 7, 8, 11, 12, 13, 14, 15, 18, 19, 20, 21, 22, 25, 26, 27, 28, 29]


def test_idc8_last_business_days_in_order() -> None:
    assert last_business_days(2026, 5, 4) == [
        date(2026, 5, 26),
        date(2026, 5, 27),
        date(2026, 5, 28),
        date(2026, 5, 29),
    ]
    assert last_business_days(2026, 4, 2) == [date(2026, 4, 28), date(2026, 4, 30)]
    with pytest.raises(ValueError):
        last_business_days(2026, 4, 0)


def test_idc8_nth_business_day_after_counts_from_next_day() -> None:
    assert nth_business_day_after(date(2026, 5, 14), 1) == date(2026, 5, 15)
    assert nth_business_day_after(date(2026, 5, 14), 11) == date(2026, 5, 29)
    # Starting on a non-business day: day 1 is still the next business day.
    assert nth_business_day_after(date(2026, 5, 2), 1) == date(2026, 5, 7)
    assert nth_business_day_after(date(2026, 12, 25), 2) == date(2027, 1, 4)
    with pytest.raises(ValueError):
        nth_business_day_after(date(2026, 5, 14), 0)


def test_idc8_nth_business_day_of_month() -> None:
    assert nth_business_day_of_month(2026, 6, 11) == date(2026, 6, 15)
    assert nth_business_day_of_month(2026, 5, 5) == date(2026, 5, 12)
    assert nth_business_day_of_month(2027, 1, 1) == date(2027, 1, 4)
    assert nth_business_day_of_month(2027, 1, 11) == date(2027, 1, 19)
    # 1st is a business day → it is day 1.
    assert nth_business_day_of_month(2026, 6, 1) == date(2026, 6, 1)


def test_idc8_nth_business_day_of_month_spills_over_when_overridden_closed() -> None:
    closed = {d: False for d in business_days_of_month(2026, 6)[1:]}
    assert nth_business_day_of_month(2026, 6, 2, overrides=closed) == date(2026, 7, 1)


def test_idc8_business_day_on_or_after() -> None:
    assert business_day_on_or_after(date(2026, 5, 14)) == date(2026, 5, 14)
    assert business_day_on_or_after(date(2026, 5, 3)) == date(2026, 5, 7)
