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


# ---------------------------------------------------------------------------
# Edge tests
# ---------------------------------------------------------------------------

# Cabinet Office list of 国民の祝日 for 2026-2027, typed in independently of the
# `holidays` package so the cutoff tests cross-check the calendar.
REFERENCE_HOLIDAYS = {
    date(2026, 1, 1), date(2026, 1, 12), date(2026, 2, 11), date(2026, 2, 23),
    date(2026, 3, 20), date(2026, 4, 29), date(2026, 5, 3), date(2026, 5, 4),
    date(2026, 5, 5), date(2026, 5, 6), date(2026, 7, 20), date(2026, 8, 11),
    date(2026, 9, 21), date(2026, 9, 22), date(2026, 9, 23), date(2026, 10, 12),
    date(2026, 11, 3), date(2026, 11, 23),
    date(2027, 1, 1), date(2027, 1, 11), date(2027, 2, 11), date(2027, 2, 23),
    date(2027, 3, 21), date(2027, 3, 22), date(2027, 4, 29), date(2027, 5, 3),
    date(2027, 5, 4), date(2027, 5, 5), date(2027, 7, 19), date(2027, 8, 11),
    date(2027, 9, 20), date(2027, 9, 23), date(2027, 10, 11), date(2027, 11, 3),
    date(2027, 11, 23),
}  # fmt: skip

MONTHS = [(y, m) for y in (2026, 2027) for m in range(1, 13)]


def reference_cutoff(year: int, month: int, n: int) -> datetime:
    """First of the month's last n business days, by brute force over the reference list."""
    d = date(year, month, 1)
    days = []
    while d.month == month:
        closure = (d.month, d.day) >= (12, 29) or (d.month, d.day) <= (1, 3)
        if d.weekday() < 5 and d not in REFERENCE_HOLIDAYS and not closure:
            days.append(d)
        d += timedelta(days=1)
    return datetime(days[-n].year, days[-n].month, days[-n].day, tzinfo=JST)


M365_OPTION = {**M365, "item": "option"}
M365_ADDON = {**M365, "item": "addon"}
LW = {**LW_ANNUAL, "annual": False}
MINUTE = timedelta(minutes=1)


def ok(
    line: dict[str, object], at: datetime, target: str = "this_month", **kw: object
) -> rules.Decision:
    kw = {"current": 10, "delta": 1, **kw}
    return decide(**line, target=target, at=at, **kw)  # type: ignore[arg-type]


def test_idc4_reference_cutoffs_match_manual_examples() -> None:
    assert reference_cutoff(2026, 5, 4) == jst(2026, 5, 26)  # manual: 5/26 (火)
    assert reference_cutoff(2026, 5, 2) == jst(2026, 5, 28)  # manual: 5/28 (木)
    assert reference_cutoff(2026, 12, 4) == jst(2026, 12, 23)
    assert reference_cutoff(2026, 10, 2) == jst(2026, 10, 29)


@pytest.mark.parametrize(("year", "month"), MONTHS)
def test_idc4_google_workspace_cutoff_every_month_2026_2027(year: int, month: int) -> None:
    """IDC-4: 当月 open until 23:59 the minute before the 4th-last business day, closed from it."""
    cutoff = reference_cutoff(year, month, 4)
    assert rules.cutoff_instant(rules.KIND_GOOGLE_WORKSPACE, year, month) == cutoff
    before = ok(GW, cutoff - MINUTE)
    assert before.accepted, before
    assert before.effective_at == cutoff - MINUTE
    assert ok(GW, cutoff).error == rules.E_THIS_MONTH_CLOSED
    # 翌月 stays open across the cutoff.
    assert ok(GW, cutoff, "next_month").accepted


@pytest.mark.parametrize(("year", "month"), MONTHS)
def test_idc6_line_works_cutoff_every_month_2026_2027(year: int, month: int) -> None:
    """IDC-6: LINE WORKS closes 当月 at the 2nd-last business day."""
    cutoff = reference_cutoff(year, month, 2)
    assert ok(LW, cutoff - MINUTE).accepted
    assert ok(LW_ANNUAL, cutoff - MINUTE).accepted
    assert ok(LW, cutoff).error == rules.E_THIS_MONTH_CLOSED
    assert ok(LW_ANNUAL, cutoff).error == rules.E_THIS_MONTH_CLOSED


@pytest.mark.parametrize(("year", "month"), MONTHS)
@pytest.mark.parametrize("line", [M365, M365_OPTION], ids=["plan", "option"])
def test_idc5_m365_cutoff_every_month_2026_2027(
    line: dict[str, object], year: int, month: int
) -> None:
    """IDC-5: N=2 for plans/options; 23:59 before the cutoff is outside order hours."""
    cutoff = reference_cutoff(year, month, 2)
    assert rules.cutoff_instant(rules.KIND_M365_LICENSE, year, month) == cutoff
    # The minute before the cutoff is 23:59, outside 09:00-23:29, for both months.
    assert ok(line, cutoff - MINUTE).error == rules.E_OUTSIDE_ORDER_HOURS
    assert ok(line, cutoff - MINUTE, "next_month").error == rules.E_OUTSIDE_ORDER_HOURS
    # The last orderable 当月 minute is 23:29 the day before the cutoff.
    last_open = cutoff - timedelta(minutes=31)
    assert ok(line, last_open).accepted
    assert ok(line, cutoff).error == rules.E_THIS_MONTH_CLOSED
    # From the cutoff, 翌月 is accepted at any hour.
    nxt = ok(line, cutoff, "next_month")
    assert nxt.accepted
    assert nxt.effective_at is not None
    assert nxt.effective_at.day == 1
    assert nxt.effective_at.hour == 12


# --- Golden Week -----------------------------------------------------------


def test_idc4_golden_week_april_2026_cutoff() -> None:
    """April 2026 last 4 business days are 4/24, 4/27, 4/28, 4/30 (4/29 昭和の日)."""
    assert ok(GW, jst(2026, 4, 23, 23, 59)).accepted
    assert ok(GW, jst(2026, 4, 24)).error == rules.E_THIS_MONTH_CLOSED


def test_idc5_golden_week_april_2026_m365() -> None:
    assert ok(M365, jst(2026, 4, 27, 23, 29)).accepted
    assert ok(M365, jst(2026, 4, 28, 9)).error == rules.E_THIS_MONTH_CLOSED
    # 4/29 is a holiday but lies between the last two business days: 翌月 any hour.
    assert ok(M365, jst(2026, 4, 29, 3), "next_month").accepted


def test_idc7_golden_week_emm_windows() -> None:
    # April 2026 has 21 business days (4/29 昭和の日); the last 11 start 4/15.
    d = ok(EMM, jst(2026, 4, 14, 11, 59))
    assert not d.converted_to_next_month
    assert d.window == (jst(2026, 4, 14, 11, 59), end_of(2026, 4, 30))
    d = ok(EMM, jst(2026, 4, 14, 12))
    assert d.converted_to_next_month
    # May 2026 business days: 1, 7, 8, 11.. → 11th is 5/20.
    assert d.window == (jst(2026, 5, 1), end_of(2026, 5, 20))
    assert d.effective_month == date(2026, 5, 1)


def test_idc5_golden_week_addon_next_month_window() -> None:
    d = ok(M365_ADDON, jst(2026, 4, 10, 10), "next_month")
    assert d.window == (jst(2026, 5, 1), end_of(2026, 5, 12))
    assert not d.converted_to_next_month


def test_idc4_first_of_may_after_golden_week_noon_rule() -> None:
    assert ok(GW, jst(2026, 5, 1, 11, 59)).effective_at == jst(2026, 5, 1, 12)


# --- December closure ------------------------------------------------------


def test_idc4_december_2026_closure() -> None:
    assert ok(GW, jst(2026, 12, 22, 23, 59)).accepted
    assert ok(GW, jst(2026, 12, 23)).error == rules.E_THIS_MONTH_CLOSED
    assert ok(GW, jst(2026, 12, 31, 23, 59)).error == rules.E_THIS_MONTH_CLOSED
    d = ok(GW, jst(2026, 12, 31, 23, 59), "next_month")
    assert d.effective_at == jst(2027, 1, 1, 12)
    assert d.effective_month == date(2027, 1, 1)
    # 1/1-1/3 closed, so processing is expected on 1/4.
    assert d.next_application_possible_at == jst(2027, 1, 4, 12)


def test_idc5_december_2026_m365() -> None:
    assert ok(M365, jst(2026, 12, 24, 23, 29)).accepted
    assert ok(M365, jst(2026, 12, 25, 9)).error == rules.E_THIS_MONTH_CLOSED
    assert ok(M365, jst(2026, 12, 30, 3), "next_month").effective_at == jst(2027, 1, 1, 12)


def test_idc7_december_closure_emm_converts_to_january() -> None:
    d = ok(EMM, jst(2026, 12, 29, 10))
    assert d.receipt_date == date(2027, 1, 4)
    assert d.converted_to_next_month
    # January 2027: 4-8, 12-15 (1/11 成人の日), 18, 19 → 11th is 1/19.
    assert d.window == (jst(2027, 1, 1), end_of(2027, 1, 19))


def test_idc5_december_closure_addon_converts_to_january() -> None:
    d = ok(M365_ADDON, jst(2026, 12, 30, 10))
    assert d.converted_to_next_month
    assert d.window == (jst(2027, 1, 1), end_of(2027, 1, 8))


def test_idc4_new_years_day_noon_rule_applies_on_a_holiday() -> None:
    d = ok(GW, jst(2027, 1, 1, 10))
    assert d.effective_at == jst(2027, 1, 1, 12)
    assert d.next_application_possible_at == jst(2027, 1, 4, 12)


# --- exact-minute boundaries ----------------------------------------------


@pytest.mark.parametrize(
    ("hh", "mm", "ss", "accepted"),
    [(8, 59, 59, False), (9, 0, 0, True), (23, 29, 0, True), (23, 29, 59, True),
     (23, 30, 0, False), (0, 0, 0, False)],
)  # fmt: skip
def test_idc5_m365_order_hours_boundaries(hh: int, mm: int, ss: int, accepted: bool) -> None:
    at = jst(2026, 5, 20, hh, mm).replace(second=ss)
    for target in ("this_month", "next_month"):
        d = ok(M365, at, target)
        assert d.accepted is accepted
        assert d.error == (None if accepted else rules.E_OUTSIDE_ORDER_HOURS)


def test_idc4_other_services_have_no_order_hours() -> None:
    for line in (GW, LW, EMM, M365_ADDON):
        assert ok(line, jst(2026, 5, 20, 3)).accepted
        assert ok(line, jst(2026, 5, 20, 23, 45)).accepted


@pytest.mark.parametrize(
    ("line", "hh", "mm", "effective"),
    [
        (GW, 0, 0, (12, 0)),
        (GW, 11, 59, (12, 0)),
        (GW, 12, 0, (12, 0)),
        (GW, 12, 1, (12, 1)),
        (LW, 11, 59, (12, 0)),
        (M365, 9, 0, (12, 0)),
        (M365, 11, 59, (12, 0)),
        (M365, 12, 0, (12, 0)),
        (M365, 12, 1, (12, 1)),
    ],
)
def test_idc4_idc5_first_of_month_noon_rule(
    line: dict[str, object], hh: int, mm: int, effective: tuple[int, int]
) -> None:
    d = ok(line, jst(2026, 6, 1, hh, mm))
    assert d.effective_at == jst(2026, 6, 1, *effective)
    assert d.withdrawable_until is None


def test_idc5_m365_first_of_month_before_nine_is_outside_hours() -> None:
    assert ok(M365, jst(2026, 6, 1, 8, 59)).error == rules.E_OUTSIDE_ORDER_HOURS


def test_idc4_noon_rule_only_on_the_first() -> None:
    assert ok(GW, jst(2026, 6, 2, 10)).effective_at == jst(2026, 6, 2, 10)


def test_idc7_emm_am_rule_boundaries() -> None:
    # Friday afternoon → Monday receipt.
    d = ok(EMM, jst(2026, 5, 15, 12))
    assert d.receipt_date == date(2026, 5, 18)
    d = ok(EMM, jst(2026, 5, 15, 11, 59))
    assert d.receipt_date == date(2026, 5, 15)
    # Saturday morning is not a business day → next business day.
    assert ok(EMM, jst(2026, 5, 16, 9)).receipt_date == date(2026, 5, 18)


def test_idc5_addon_has_no_am_rule() -> None:
    d = ok(M365_ADDON, jst(2026, 5, 14, 23, 59))
    assert d.receipt_date == date(2026, 5, 14)
    assert d.window == (jst(2026, 5, 14, 23, 59), end_of(2026, 5, 21))


# --- Microsoft 365 add-on windows -------------------------------------------


def test_idc5_addon_this_month_window_and_withdrawal() -> None:
    at = jst(2026, 5, 14, 15)
    d = ok(M365_ADDON, at)
    assert d.accepted and not d.converted_to_next_month
    assert d.window == (at, end_of(2026, 5, 21))
    assert d.withdrawable_until == end_of(2026, 5, 21)
    assert d.next_application_possible_at == end_of(2026, 5, 21)
    assert d.effective_at is None
    assert d.effective_month == date(2026, 5, 1)
    # Ordered together with plans/options: not withdrawable.
    assert ok(M365_ADDON, at, addons_alone=False).withdrawable_until is None


def test_idc5_addon_last_five_business_days_convert() -> None:
    # May 2026 last 5 business days: 5/25-5/29.
    d = ok(M365_ADDON, jst(2026, 5, 22, 23, 59))
    assert not d.converted_to_next_month
    assert d.window == (jst(2026, 5, 22, 23, 59), end_of(2026, 5, 29))
    d = ok(M365_ADDON, jst(2026, 5, 23, 10))  # Saturday → r = 5/25
    assert d.converted_to_next_month
    assert d.window == (jst(2026, 6, 1), end_of(2026, 6, 5))
    assert d.effective_month == date(2026, 6, 1)


def test_idc5_addon_reduction_and_floor() -> None:
    assert ok(M365_ADDON, jst(2026, 5, 14, 10), delta=-10).accepted
    assert ok(M365_ADDON, jst(2026, 5, 14, 10), delta=-11).error == rules.E_RESULT_NEGATIVE


# --- EMM --------------------------------------------------------------------


def test_idc7_emm_next_month_window() -> None:
    d = ok(EMM, jst(2026, 5, 14, 10), "next_month")
    assert not d.converted_to_next_month
    assert d.window == (jst(2026, 6, 1), end_of(2026, 6, 15))
    assert d.withdrawable_until == end_of(2026, 6, 15)
    assert d.next_application_possible_at is None


def test_idc7_emm_month_end_weekend_receipt_in_next_month_converts() -> None:
    # 2026-05-31 is a Sunday: r = 6/1 is already in the next month.
    d = ok(EMM, jst(2026, 5, 31, 9))
    assert d.converted_to_next_month
    assert d.receipt_date == date(2026, 6, 1)
    assert d.window == (jst(2026, 6, 1), end_of(2026, 6, 15))


def test_idc3_emm_additions_only() -> None:
    assert ok(EMM, jst(2026, 5, 14, 10), delta=1).accepted
    assert ok(EMM, jst(2026, 5, 14, 10), delta=-1).error == rules.E_REDUCTION_NOT_SUPPORTED


# --- withdrawable_until per kind ---------------------------------------------


@pytest.mark.parametrize("line", [GW, LW, M365, M365_OPTION], ids=["gw", "lw", "m365", "option"])
def test_idc4_to_idc6_withdrawable_immediate_kinds(line: dict[str, object]) -> None:
    at = jst(2026, 5, 20, 10)
    assert ok(line, at).withdrawable_until is None
    nxt = ok(line, at, "next_month")
    assert nxt.withdrawable_until == nxt.effective_at == jst(2026, 6, 1, 12)
    assert nxt.window is None
    assert nxt.effective_month == date(2026, 6, 1)
    assert nxt.next_application_possible_at == jst(2026, 6, 2, 12)


def test_idc5_idc7_withdrawable_window_kinds() -> None:
    at = jst(2026, 5, 14, 10)
    emm = ok(EMM, at)
    assert emm.window is not None and emm.withdrawable_until == emm.window[1]
    addon = ok(M365_ADDON, at)
    assert addon.window is not None and addon.withdrawable_until == addon.window[1]


# --- floors, caps, order of checks -------------------------------------------


def test_idc5_option_cap() -> None:
    at = jst(2026, 5, 20, 10)
    assert ok(M365_OPTION, at, current=5, delta=3, plan_count_after=8).accepted
    d = ok(M365_OPTION, at, current=5, delta=3, plan_count_after=7)
    assert d.error == rules.E_OPTION_EXCEEDS_PLAN
    # 【新プログラム】 options are not capped.
    assert ok({**M365_OPTION, "nce": True}, at, current=5, delta=3, plan_count_after=7).accepted
    # Plans are never capped by plan_count_after.
    assert ok(M365, at, current=5, delta=3, plan_count_after=7).accepted


def test_idc3_all_plans_zero() -> None:
    at = jst(2026, 5, 20, 10)
    d = ok(M365, at, current=2, delta=-2, plans_total_after=0)
    assert d.error == rules.E_ALL_PLANS_ZERO
    # One plan to 0 is fine while others remain.
    assert ok(M365, at, current=2, delta=-2, plans_total_after=3).accepted
    assert ok(M365, at, current=2, delta=-2).accepted
    assert ok(M365, at, current=1, delta=-2).error == rules.E_RESULT_NEGATIVE


def test_idc3_google_workspace_and_line_works_keep_one() -> None:
    at = jst(2026, 5, 20, 10)
    assert ok(GW, at, current=2, delta=-2).error == rules.E_RESULT_BELOW_ONE
    assert ok(GW, at, current=2, delta=-1).accepted
    assert ok(LW, at, current=2, delta=-2).error == rules.E_RESULT_BELOW_ONE
    assert ok(LW_ANNUAL, at, current=2, delta=-1).error == rules.E_ANNUAL_REDUCTION_OFFLINE_ONLY


@pytest.mark.parametrize("delta", [0, True, False, 1.5, "2", None])
def test_idc3_delta_must_be_nonzero_int(delta: object) -> None:
    assert ok(GW, jst(2026, 5, 20, 10), delta=delta).error == rules.E_DELTA_INVALID


def test_idc9_decision_order() -> None:
    closed = jst(2026, 5, 26, 3)  # after the GW cutoff, outside M365 hours
    assert ok(GW, closed, delta=0, in_flight=True).error == rules.E_DELTA_INVALID
    assert ok(GW, closed, in_flight=True, offline_reduction_pending=True).error == (
        rules.E_CHANGE_IN_FLIGHT
    )
    assert ok(GW, closed, offline_reduction_pending=True).error == rules.E_LOCKED_OFFLINE_REDUCTION
    assert ok(EMM, closed, delta=-1).error == rules.E_REDUCTION_NOT_SUPPORTED
    assert ok(GW_ANNUAL, closed, delta=-1).error == rules.E_ANNUAL_REDUCTION_OFFLINE_ONLY
    assert ok(GW, closed, current=1, delta=-1).error == rules.E_RESULT_BELOW_ONE
    assert ok(GW, closed).error == rules.E_THIS_MONTH_CLOSED
    # Closed month is reported before order hours.
    assert ok(M365, jst(2026, 5, 28, 3)).error == rules.E_THIS_MONTH_CLOSED


# --- API details ------------------------------------------------------------


def test_at_is_converted_to_tokyo() -> None:
    utc = ZoneInfo("UTC")
    # 2026-05-25 15:00 UTC is 2026-05-26 00:00 JST, the GW cutoff.
    assert ok(GW, datetime(2026, 5, 25, 14, 59, tzinfo=utc)).accepted
    assert ok(GW, datetime(2026, 5, 25, 15, 0, tzinfo=utc)).error == rules.E_THIS_MONTH_CLOSED
    d = ok(GW, datetime(2026, 5, 20, 1, 0, tzinfo=utc))
    assert d.effective_at is not None and d.effective_at.tzinfo == JST


def test_invalid_arguments_raise() -> None:
    with pytest.raises(ValueError):
        ok(GW, datetime(2026, 5, 20, 10))  # naive
    with pytest.raises(ValueError):
        ok({**GW, "item": "option"}, jst(2026, 5, 20, 10))
    with pytest.raises(ValueError):
        ok({**GW, "service": "slack"}, jst(2026, 5, 20, 10))
    with pytest.raises(ValueError):
        ok(GW, jst(2026, 5, 20, 10), "last_month")


def test_decision_is_frozen() -> None:
    d = ok(GW, jst(2026, 5, 20, 10))
    with pytest.raises(AttributeError):
        d.accepted = False  # type: ignore[misc]


def test_idc8_overrides_move_the_cutoff() -> None:
    overrides = {date(2026, 5, 29): False}  # last Friday of May closed by the operator
    assert ok(GW, jst(2026, 5, 25, 10)).accepted
    d = ok(GW, jst(2026, 5, 25, 10), overrides=overrides)
    assert d.error == rules.E_THIS_MONTH_CLOSED


def test_every_code_has_a_message() -> None:
    codes = {v for k, v in vars(rules).items() if k.startswith("E_")}
    assert len(codes) == 12
    assert set(rules.ERROR_MESSAGES) == codes


@pytest.mark.parametrize(
    ("line", "at", "expected"),
    [
        (GW, jst(2026, 5, 25, 23, 59), ["this_month", "next_month"]),
        (GW, jst(2026, 5, 26), ["next_month"]),
        (M365, jst(2026, 5, 20, 10), ["this_month", "next_month"]),
        (M365, jst(2026, 5, 20, 8, 59), []),
        (M365, jst(2026, 5, 28, 3), ["next_month"]),
        (LW, jst(2026, 5, 28), ["next_month"]),
        (EMM, jst(2026, 5, 28, 15), ["this_month", "next_month"]),
        (M365_ADDON, jst(2026, 5, 30, 3), ["this_month", "next_month"]),
    ],
)
def test_idc2_allowed_targets(line: dict[str, object], at: datetime, expected: list[str]) -> None:
    kw = {k: v for k, v in line.items() if k != "nce"}
    assert rules.allowed_targets(**kw, at=at) == expected  # type: ignore[arg-type]
