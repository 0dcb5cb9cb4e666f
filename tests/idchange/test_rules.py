"""decide(): the 13 worked examples of IDCHANGE.md (IDC-3..IDC-7)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from idchange import rules
from idchange.rules import decide

JST = ZoneInfo("Asia/Tokyo")


def jst(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=JST)


def end_of(y: int, m: int, d: int) -> datetime:
    """24:00 of the given day."""
    return jst(y, m, d) + timedelta(days=1)


GW = {"service": "google_workspace", "item": "plan", "annual": False, "nce": False}
GW_ANNUAL = {**GW, "annual": True}
M365 = {"service": "microsoft_365", "item": "plan", "annual": False, "nce": False}
M365_NCE = {**M365, "nce": True}
LW_ANNUAL = {"service": "line_works", "item": "plan", "annual": True, "nce": False}
EMM = {"service": "emm", "item": "plan", "annual": False, "nce": False}

# (id, line, at, target, current, delta, error, effective_at, window, withdrawable, converted)
EXAMPLES = [
    (1, GW, jst(2026, 5, 20, 10), "this_month", 10, 3, None, jst(2026, 5, 20, 10), None, None, False),
    (2, GW, jst(2026, 5, 26), "this_month", 10, 2, rules.E_THIS_MONTH_CLOSED, None, None, None, False),
    (3, GW, jst(2026, 6, 1, 0, 30), "this_month", 10, 1, None, jst(2026, 6, 1, 12), None, None, False),
    (4, GW_ANNUAL, jst(2026, 7, 10, 14), "this_month", 10, -1,
     rules.E_ANNUAL_REDUCTION_OFFLINE_ONLY, None, None, None, False),
    (5, GW, jst(2026, 12, 23, 9), "this_month", 10, 5, rules.E_THIS_MONTH_CLOSED, None, None, None, False),
    (6, GW, jst(2026, 12, 23, 9), "next_month", 10, 5, None, jst(2027, 1, 1, 12), None,
     jst(2027, 1, 1, 12), False),
    (7, M365, jst(2026, 4, 27, 23, 30), "this_month", 10, 2, rules.E_OUTSIDE_ORDER_HOURS,
     None, None, None, False),
    (8, M365, jst(2026, 4, 29, 3), "next_month", 10, 2, None, jst(2026, 5, 1, 12), None,
     jst(2026, 5, 1, 12), False),
    (9, M365_NCE, jst(2026, 11, 10, 10), "this_month", 10, -1, rules.E_NCE_REDUCTION_OFFLINE_ONLY,
     None, None, None, False),
    (10, LW_ANNUAL, jst(2026, 10, 29), "this_month", 10, 5, rules.E_THIS_MONTH_CLOSED,
     None, None, None, False),
    (11, EMM, jst(2026, 5, 14, 11, 59), "this_month", 10, 10, None, None,
     (jst(2026, 5, 14, 11, 59), end_of(2026, 5, 29)), end_of(2026, 5, 29), False),
    (12, EMM, jst(2026, 5, 14, 12), "this_month", 10, 10, None, None,
     (jst(2026, 6, 1), end_of(2026, 6, 15)), end_of(2026, 6, 15), True),
    (13, EMM, jst(2026, 5, 14, 10), "this_month", 10, -1, rules.E_REDUCTION_NOT_SUPPORTED,
     None, None, None, False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("line", "at", "target", "current", "delta", "error", "effective", "window", "withdrawable",
     "converted"),
    [pytest.param(*row[1:], id=f"example-{row[0]}") for row in EXAMPLES],
)  # fmt: skip
def test_idc4_to_idc7_idchange_examples(
    line: dict[str, object],
    at: datetime,
    target: str,
    current: int,
    delta: int,
    error: str | None,
    effective: datetime | None,
    window: tuple[datetime, datetime] | None,
    withdrawable: datetime | None,
    converted: bool,
) -> None:
    """IDC-4 (GW), IDC-5 (M365), IDC-6 (LINE WORKS), IDC-7 (EMM): the spec's table."""
    d = decide(**line, current=current, delta=delta, target=target, at=at)  # type: ignore[arg-type]
    assert d.error == error
    assert d.accepted is (error is None)
    assert d.effective_at == effective
    assert d.window == window
    assert d.withdrawable_until == withdrawable
    assert d.converted_to_next_month is converted


def test_idc4_example_1_details() -> None:
    d = decide(**GW, current=10, delta=3, target="this_month", at=jst(2026, 5, 20, 10))
    assert d.effective_month == date(2026, 5, 1)
    # Next application: 12:00 of the next business day after the effective instant.
    assert d.next_application_possible_at == jst(2026, 5, 21, 12)


def test_idc7_example_12_details() -> None:
    d = decide(**EMM, current=10, delta=10, target="this_month", at=jst(2026, 5, 14, 12))
    assert d.effective_month == date(2026, 6, 1)
    assert d.receipt_date == date(2026, 5, 15)
    assert d.next_application_possible_at is None
