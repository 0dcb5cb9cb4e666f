"""確認 (IDC-2): every changed line decided by ``rules.decide`` at ``now``,
plus the checks that need other rows (in flight, offline lock, all plans
to zero, option caps against the real plan counts) with the same E_* codes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from idchange import business_days, rules
from idchange.models import ContractLine
from idchange.services.availability import (
    contract_is_in_flight,
    contract_offline_pending,
    is_id_change_contract,
)
from idchange.services.errors import E_NOT_SUPPORTED, E_UNKNOWN_LINE, IdChangeError
from tenants.models import Contract


@dataclass(frozen=True)
class LinePreview:
    line: ContractLine
    delta: int
    decision: rules.Decision

    @property
    def count_before(self) -> int:
        return self.line.id_count

    @property
    def count_after(self) -> int:
        return self.line.id_count + self.delta

    @property
    def price_delta(self) -> int:
        return self.delta * self.line.unit_price


@dataclass(frozen=True)
class FollowPreview:
    """A Google Workspace add-on tool whose count follows the plan (IDC-12)."""

    line: ContractLine
    count_after: int


@dataclass(frozen=True)
class Preview:
    contract: Contract
    target: str
    lines: list[LinePreview]
    follows: list[FollowPreview] = field(default_factory=list)

    @property
    def price_delta(self) -> int:
        return sum(lp.price_delta for lp in self.lines)

    @property
    def converted_to_next_month(self) -> bool:
        return any(lp.decision.converted_to_next_month for lp in self.lines)

    @property
    def effective_month(self) -> date:
        return min(lp.decision.effective_month for lp in self.lines)  # type: ignore[type-var]

    @property
    def effective_at(self) -> datetime | None:
        instants = [lp.decision.effective_at for lp in self.lines if lp.decision.effective_at]
        return min(instants) if instants else None

    @property
    def window(self) -> tuple[datetime, datetime] | None:
        windows = [lp.decision.window for lp in self.lines if lp.decision.window]
        if not windows:
            return None
        return min(w[0] for w in windows), max(w[1] for w in windows)

    @property
    def withdrawable_until(self) -> datetime | None:
        # An application is withdrawn whole, so every line must allow it.
        limits = [lp.decision.withdrawable_until for lp in self.lines]
        if any(limit is None for limit in limits):
            return None
        return min(limits)  # type: ignore[type-var]

    @property
    def next_possible_at(self) -> datetime | None:
        instants = [lp.decision.next_application_possible_at for lp in self.lines]
        if any(i is None for i in instants):
            return None  # EMM: "once applied", known only then
        return max(instants)  # type: ignore[type-var]

    @property
    def next_due_at(self) -> datetime:
        return min(_line_due(lp.decision) for lp in self.lines)


def _line_due(decision: rules.Decision) -> datetime:
    if decision.effective_at is not None:
        return decision.effective_at
    assert decision.window is not None
    return decision.window[1]


def preview_id_change(
    *,
    contract: Contract,
    changes: Mapping[int, int],
    target: str,
    now: datetime,
    overrides: Mapping[date, bool] | None = None,
) -> Preview:
    """Decide every changed line at ``now``; raise the first failure.

    ``changes`` maps contract-line ids to deltas; zero deltas are ignored.
    """
    if not is_id_change_contract(contract):
        raise IdChangeError(E_NOT_SUPPORTED)
    if overrides is None:
        overrides = business_days.overrides()
    lines = list(contract.lines.all())
    by_id = {line.pk: line for line in lines}
    deltas = {int(k): v for k, v in changes.items() if v != 0}
    for line_id in deltas:
        line = by_id.get(line_id)
        if line is None or not line.is_editable:
            raise IdChangeError(E_UNKNOWN_LINE, line_id=line_id)
    if not deltas:
        raise IdChangeError(rules.E_DELTA_INVALID)

    in_flight = contract_is_in_flight(contract)
    offline_pending = contract_offline_pending(contract)
    after = {line.pk: line.id_count + deltas.get(line.pk, 0) for line in lines}
    plans_total_after = sum(
        after[line.pk] for line in lines if line.item == ContractLine.Item.PLAN
    )
    service = contract.service.kind
    annual = contract.term == Contract.Term.ANNUAL
    addons_alone = all(by_id[i].item == ContractLine.Item.ADDON for i in deltas)

    previews = []
    for line in lines:  # contract order: plans, options, add-ons as displayed
        if line.pk not in deltas:
            continue
        decision = rules.decide(
            service=service,
            item=line.item,
            annual=annual,
            nce=line.nce,
            current=line.id_count,
            delta=deltas[line.pk],
            target=target,
            at=now,
            overrides=overrides,
            in_flight=in_flight,
            offline_reduction_pending=offline_pending,
            plans_total_after=plans_total_after if service == "microsoft_365" else None,
            plan_count_after=after.get(line.parent_id) if line.parent_id else None,
            addons_alone=addons_alone,
        )
        if not decision.accepted:
            raise IdChangeError(decision.error or rules.E_DELTA_INVALID, line_id=line.pk)
        previews.append(LinePreview(line=line, delta=deltas[line.pk], decision=decision))

    # A plan reduced below an unchanged option's count breaks the same cap
    # (IDC-5: against the real plan counts, not only the lines in the form).
    for line in lines:
        if (
            line.item == ContractLine.Item.OPTION
            and not line.nce
            and line.parent_id is not None
            and line.parent_id in deltas
            and after[line.pk] > after[line.parent_id]
        ):
            raise IdChangeError(rules.E_OPTION_EXCEEDS_PLAN, line_id=line.parent_id)

    follows = []
    plan_after = [after[i] for i in deltas if by_id[i].item == ContractLine.Item.PLAN]
    if service == "google_workspace" and plan_after:
        follows = [
            FollowPreview(line=line, count_after=plan_after[0])
            for line in lines
            if line.follows_plan
        ]
    return Preview(contract=contract, target=target, lines=previews, follows=follows)
