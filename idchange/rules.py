"""ID-count change rules (manual ch. 7; IDC-3..IDC-9), as one pure function.

``decide()`` answers, for one contract line and one submission instant, whether
the change is accepted and when it takes effect. No database access: checks
that need other rows (in-flight lock, offline reduction, all plans to zero,
option cap) arrive as keyword arguments, so the service layer uses the same
codes. The contract is /work/shared/spec/IDCHANGE.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from idchange.calendar import (
    Overrides,
    business_day_on_or_after,
    last_business_days,
    next_business_day,
    nth_business_day_after,
    nth_business_day_of_month,
)

# ---------------------------------------------------------------------------
# Readings chosen where the manual is ambiguous. Change them here only.
# ---------------------------------------------------------------------------

JST: Final = ZoneInfo("Asia/Tokyo")

# Kinds of line; the timing rules depend on the kind, not on the service alone.
KIND_GOOGLE_WORKSPACE: Final = "google_workspace"
KIND_M365_LICENSE: Final = "m365_license"  # Microsoft 365 plans and options
KIND_M365_ADDON: Final = "m365_addon"
KIND_LINE_WORKS: Final = "line_works"
KIND_EMM: Final = "emm"

# N of "the month's last N business days" (cutoff) and of "within N business
# days" (windows). The manual gives 4 / 2 / 5 / 2 / 11.
CUTOFF_N: Final[Mapping[str, int]] = {
    KIND_GOOGLE_WORKSPACE: 4,
    KIND_M365_LICENSE: 2,
    KIND_M365_ADDON: 5,
    KIND_LINE_WORKS: 2,
    KIND_EMM: 11,
}

# Kinds that take effect at an instant (当月 now / 翌月 on the 1st at noon);
# the others are applied somewhere inside a window of business days.
IMMEDIATE_KINDS: Final = frozenset({KIND_GOOGLE_WORKSPACE, KIND_M365_LICENSE, KIND_LINE_WORKS})

# Microsoft 365 plans/options order hours, "9:00～23:29": 09:00:00 inclusive to
# 23:30:00 exclusive (a request at 23:29:59 is still 23:29).
ORDER_HOURS_START: Final = time(9, 0)
ORDER_HOURS_END_EXCLUSIVE: Final = time(23, 30)

# "毎月 1 日 0:00～12:00 までの受付け分は当日 12 時以降の適用": on the calendar 1st,
# a 当月 request before 12:00 takes effect at 12:00 that day. 翌月 requests take
# effect at 12:00 on the calendar 1st of next month, whatever weekday it is.
FIRST_OF_MONTH_EFFECTIVE_TIME: Final = time(12, 0)

# EMM "AM 受け付け分までが当日受け付け": before 12:00 on a business day counts as
# that day's receipt; from 12:00 it counts as the next business day's.
EMM_SAME_DAY_RECEIPT_BEFORE: Final = time(12, 0)

# "通常、申込翌営業日の午前中に KDDI 内部処理は完了": the next application is
# expected to be possible at 12:00 (end of the morning) of the next business day
# after the effective instant.
NEXT_APPLICATION_TIME: Final = time(12, 0)


def cutoff_instant(kind: str, year: int, month: int, *, overrides: Overrides = None) -> datetime:
    """00:00 of the first of the month's last N business days.

    A month with fewer than N business days (only through overrides) uses
    those it has; a month with none is closed from the 1st.
    """
    days = last_business_days(year, month, CUTOFF_N[kind], overrides=overrides)
    first = days[0] if days else date(year, month, 1)
    return datetime.combine(first, time(0), tzinfo=JST)


def receipt_date(kind: str, t: datetime, *, overrides: Overrides = None) -> date:
    """Receipt date ``r`` for the window kinds (``t`` in JST).

    EMM: ``t``'s date when a business day and before 12:00, else the next
    business day. Add-ons: ``t``'s date when a business day, else the next one
    (the manual states no time-of-day rule for add-ons).
    """
    d = t.date()
    if kind == KIND_EMM and t.time() >= EMM_SAME_DAY_RECEIPT_BEFORE:
        return next_business_day(d, overrides=overrides)
    return business_day_on_or_after(d, overrides=overrides)


def is_in_order_hours(t: datetime) -> bool:
    clock = t.time()
    return ORDER_HOURS_START <= clock < ORDER_HOURS_END_EXCLUSIVE


def next_application_after_effective(effective_at: datetime, *, overrides: Overrides) -> datetime:
    """Immediate kinds: 12:00 of the next business day after the effective date."""
    nbd = next_business_day(effective_at.date(), overrides=overrides)
    return datetime.combine(nbd, NEXT_APPLICATION_TIME, tzinfo=JST)


def next_application_after_window(window_end: datetime) -> datetime:
    """Add-ons: the window end.

    For 当月 this is exactly "24:00 of the 5th business day after r"; for
    翌月/converted requests the change is not processed before its window ends,
    and the window end is never earlier than r + 5 business days.
    """
    return window_end


# ---------------------------------------------------------------------------
# Codes and messages
# ---------------------------------------------------------------------------

E_DELTA_INVALID: Final = "E_DELTA_INVALID"
E_CHANGE_IN_FLIGHT: Final = "E_CHANGE_IN_FLIGHT"
E_LOCKED_OFFLINE_REDUCTION: Final = "E_LOCKED_OFFLINE_REDUCTION"
E_REDUCTION_NOT_SUPPORTED: Final = "E_REDUCTION_NOT_SUPPORTED"
E_ANNUAL_REDUCTION_OFFLINE_ONLY: Final = "E_ANNUAL_REDUCTION_OFFLINE_ONLY"
E_NCE_REDUCTION_OFFLINE_ONLY: Final = "E_NCE_REDUCTION_OFFLINE_ONLY"
E_RESULT_BELOW_ONE: Final = "E_RESULT_BELOW_ONE"
E_RESULT_NEGATIVE: Final = "E_RESULT_NEGATIVE"
E_ALL_PLANS_ZERO: Final = "E_ALL_PLANS_ZERO"
E_OPTION_EXCEEDS_PLAN: Final = "E_OPTION_EXCEEDS_PLAN"
E_THIS_MONTH_CLOSED: Final = "E_THIS_MONTH_CLOSED"
E_OUTSIDE_ORDER_HOURS: Final = "E_OUTSIDE_ORDER_HOURS"

ERROR_MESSAGES: Final = {
    E_DELTA_INVALID: _("増減 ID 数には 0 以外の整数を入力してください。"),
    E_CHANGE_IN_FLIGHT: _(
        "この契約には処理待ちまたは処理中の申込があります。処理完了後に再度お申し込みください。"
    ),
    E_LOCKED_OFFLINE_REDUCTION: _(
        "年契約の ID 数削減申込がシステムに反映されるまで、お申し込みいただけません。"
    ),
    E_REDUCTION_NOT_SUPPORTED: _("このサービスは ID 数の追加のみお申し込みいただけます。"),
    E_ANNUAL_REDUCTION_OFFLINE_ONLY: _(
        "年契約の ID 数削減は本サイトからお申し込みいただけません。KDDI 法人営業担当者までご連絡ください。"
    ),
    E_NCE_REDUCTION_OFFLINE_ONLY: _(
        "【新プログラム】のプラン・オプションの ID 削減は本サイトからお申し込みいただけません。"
        "営業担当者あるいは法人お客さまセンターまでお問い合わせください。"
    ),
    E_RESULT_BELOW_ONE: _("ID 数を 0 にする変更はできません。"),
    E_RESULT_NEGATIVE: _("変更後の ID 数が 0 未満になる変更はできません。"),
    E_ALL_PLANS_ZERO: _("すべてのプランの ID 数を 0 にする変更はできません。"),
    E_OPTION_EXCEEDS_PLAN: _(
        "オプションの契約数は適用されているプランの契約数以内にしてください。"
    ),
    E_THIS_MONTH_CLOSED: _(
        "当月最終営業日の締切を過ぎたため、翌月指定のみお申し込みいただけます。"
    ),
    E_OUTSIDE_ORDER_HOURS: _("お申し込みは 9:00～23:29 の間にお願いします。"),
}

SERVICES: Final = frozenset({"google_workspace", "microsoft_365", "line_works", "emm"})
ITEMS: Final = frozenset({"plan", "option", "addon"})
THIS_MONTH: Final = "this_month"
NEXT_MONTH: Final = "next_month"
TARGETS: Final = (THIS_MONTH, NEXT_MONTH)


@dataclass(frozen=True, slots=True)
class Decision:
    accepted: bool
    error: str | None = None
    converted_to_next_month: bool = False
    # Immediate kinds: when the new count applies. Window kinds: None.
    effective_at: datetime | None = None
    # Window kinds: (start, end) inside which the change is applied. Else None.
    window: tuple[datetime, datetime] | None = None
    withdrawable_until: datetime | None = None
    # None for EMM: the next application is possible "once applied".
    next_application_possible_at: datetime | None = None
    # 1st of the month the change counts for (当月, or 翌月 incl. conversions).
    effective_month: date | None = None
    # Receipt date r, for the window kinds only.
    receipt_date: date | None = None


def _reject(code: str) -> Decision:
    return Decision(accepted=False, error=code)


def kind_of(service: str, item: str) -> str:
    """Map (service, item) to a timing kind; unknown combinations are caller bugs."""
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}")
    if item not in ITEMS:
        raise ValueError(f"unknown item {item!r}")
    if service == "microsoft_365":
        return KIND_M365_ADDON if item == "addon" else KIND_M365_LICENSE
    if item != "plan":
        raise ValueError(f"{item!r} lines exist for Microsoft 365 only")
    return service  # google_workspace, line_works and emm are kinds of their own


def _first_of_next_month(d: date) -> date:
    return date(d.year + 1, 1, 1) if d.month == 12 else date(d.year, d.month + 1, 1)


def _end_of_day(d: date) -> datetime:
    """24:00 of ``d``, i.e. 00:00 of the following day."""
    return datetime.combine(d + timedelta(days=1), time(0), tzinfo=JST)


def _to_jst(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("`at` must be an aware datetime")
    return at.astimezone(JST)


def floor_error(service: str, after: int) -> str | None:
    """The floor a line's count keeps (step 4): Microsoft 365 lines 0, every
    other service 1. The apply job re-checks it against the counts of the day."""
    if service == "microsoft_365":
        return E_RESULT_NEGATIVE if after < 0 else None
    return E_RESULT_BELOW_ONE if after < 1 else None


def decide(
    *,
    service: str,
    item: str,
    annual: bool,
    nce: bool,
    current: int,
    delta: int,
    target: str,
    at: datetime,
    overrides: Overrides = None,
    in_flight: bool = False,
    offline_reduction_pending: bool = False,
    plans_total_after: int | None = None,
    plan_count_after: int | None = None,
    addons_alone: bool = True,
) -> Decision:
    """Decide one line's change; the first failing check wins (IDCHANGE.md order).

    ``addons_alone``: the application holds add-on lines only; an add-on is
    withdrawable only then (IDC-5).
    """
    kind = kind_of(service, item)
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}")
    t = _to_jst(at)

    # 1. delta: a non-zero int (bool is an int subclass, but never a count).
    if not isinstance(delta, int) or isinstance(delta, bool) or delta == 0:
        return _reject(E_DELTA_INVALID)

    # 2. locks from other rows.
    if in_flight:
        return _reject(E_CHANGE_IN_FLIGHT)
    if offline_reduction_pending:
        return _reject(E_LOCKED_OFFLINE_REDUCTION)

    # 3. reductions.
    if delta < 0:
        if service == "emm":
            return _reject(E_REDUCTION_NOT_SUPPORTED)
        if service in ("google_workspace", "line_works") and annual:
            return _reject(E_ANNUAL_REDUCTION_OFFLINE_ONLY)
        if service == "microsoft_365" and nce:
            return _reject(E_NCE_REDUCTION_OFFLINE_ONLY)
    # 4. floors and caps.
    after = current + delta
    code = floor_error(service, after)
    if code is not None:
        return _reject(code)
    if service == "microsoft_365":
        if plans_total_after is not None and plans_total_after < 1:
            return _reject(E_ALL_PLANS_ZERO)
        if item == "option" and not nce and plan_count_after is not None and after > plan_count_after:
            return _reject(E_OPTION_EXCEEDS_PLAN)

    this_month = date(t.year, t.month, 1)
    next_month = _first_of_next_month(this_month)
    cutoff = cutoff_instant(kind, t.year, t.month, overrides=overrides)

    if kind in IMMEDIATE_KINDS:
        # 5. 当月 closes at the cutoff.
        if target == THIS_MONTH and t >= cutoff:
            return _reject(E_THIS_MONTH_CLOSED)
        # 6. Microsoft 365 order hours, lifted for 翌月 from the cutoff on.
        if (
            kind == KIND_M365_LICENSE
            and not is_in_order_hours(t)
            and not (target == NEXT_MONTH and t >= cutoff)
        ):
            return _reject(E_OUTSIDE_ORDER_HOURS)
        return _immediate_outcome(t, target, this_month, next_month, overrides)

    return _window_outcome(kind, t, target, cutoff, this_month, next_month, overrides, addons_alone)


def _immediate_outcome(
    t: datetime, target: str, this_month: date, next_month: date, overrides: Overrides
) -> Decision:
    if target == THIS_MONTH:
        effective = t
        noon = datetime.combine(t.date(), FIRST_OF_MONTH_EFFECTIVE_TIME, tzinfo=JST)
        if t.day == 1 and t < noon:
            effective = noon
        # 当月 applies at once, so it can never be withdrawn.
        withdrawable = None
        month = this_month
    else:
        effective = datetime.combine(next_month, FIRST_OF_MONTH_EFFECTIVE_TIME, tzinfo=JST)
        withdrawable = effective
        month = next_month
    return Decision(
        accepted=True,
        effective_at=effective,
        withdrawable_until=withdrawable,
        next_application_possible_at=next_application_after_effective(
            effective, overrides=overrides
        ),
        effective_month=month,
    )


def _window_outcome(
    kind: str,
    t: datetime,
    target: str,
    cutoff: datetime,
    this_month: date,
    next_month: date,
    overrides: Overrides,
    addons_alone: bool,
) -> Decision:
    n = CUTOFF_N[kind]
    r = receipt_date(kind, t, overrides=overrides)
    # 当月 received within the month's last N business days (or already in the
    # next month) is handled as 翌月 rather than refused.
    converted = target == THIS_MONTH and (r >= cutoff.date() or r >= next_month)
    if target == THIS_MONTH and not converted:
        window = (t, _end_of_day(nth_business_day_after(r, n, overrides=overrides)))
        month = this_month
    else:
        start = datetime.combine(next_month, time(0), tzinfo=JST)
        last = nth_business_day_of_month(next_month.year, next_month.month, n, overrides=overrides)
        window = (start, _end_of_day(last))
        month = next_month

    if kind == KIND_EMM:
        withdrawable = window[1]
        next_possible = None  # "once applied": known only when the worker applies it
    else:
        withdrawable = window[1] if addons_alone else None
        next_possible = next_application_after_window(window[1])
    return Decision(
        accepted=True,
        converted_to_next_month=converted,
        window=window,
        withdrawable_until=withdrawable,
        next_application_possible_at=next_possible,
        effective_month=month,
        receipt_date=r,
    )


def allowed_targets(
    *, service: str, item: str, annual: bool, at: datetime, overrides: Overrides = None
) -> list[str]:
    """Which 変更希望月 the select may offer at ``at``.

    Uses ``decide`` with a harmless +1 so the select and the decision can never
    disagree. EMM and add-ons always offer 当月 (it may convert to 翌月).
    """
    allowed = []
    for target in TARGETS:
        decision = decide(
            service=service,
            item=item,
            annual=annual,
            nce=False,
            current=1,
            delta=1,
            target=target,
            at=at,
            overrides=overrides,
        )
        if decision.accepted:
            allowed.append(target)
    return allowed
