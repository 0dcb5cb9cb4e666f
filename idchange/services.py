"""Every state change of ID-count applications (manual ch. 7).

Customers: ``preview_id_change`` (the 確認 screen), ``submit_id_change``,
``withdraw_id_change``. The worker and operators: ``apply_id_change``,
``apply_window_lines``, ``mark_processing_finished`` and the offline annual
reductions. Timing and count rules come from ``rules.decide``; the checks
that need other rows (in flight, offline lock, all plans to zero, option caps
against the real plan counts) are made here and raise the same E_* codes.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from audit.services import record, record_many
from idchange import business_days, rules
from idchange.models import (
    IN_FLIGHT,
    ContractLine,
    IdChangeApplication,
    IdChangeApplicationLine,
    IdCountLedger,
    OfflineReduction,
)
from notifications.services import Mail, send_mail, send_mails
from tenants.models import Contract

logger = logging.getLogger(__name__)

# Codes of our own, next to the rules' E_* codes.
E_NOT_SUPPORTED = "E_NOT_SUPPORTED"
E_NOT_PENDING = "E_NOT_PENDING"
E_NOT_DUE = "E_NOT_DUE"
E_NOT_WITHDRAWABLE = "E_NOT_WITHDRAWABLE"
E_NOT_PROCESSING = "E_NOT_PROCESSING"
E_UNKNOWN_LINE = "E_UNKNOWN_LINE"
E_OFFLINE_INVALID = "E_OFFLINE_INVALID"

MESSAGES: Mapping[str, Any] = {
    **rules.ERROR_MESSAGES,
    E_NOT_SUPPORTED: _("この契約は ID 数変更のお申し込みに対応していません。"),
    E_NOT_PENDING: _("この申込は処理待ちではありません。"),
    E_NOT_DUE: _("適用できる明細がありません（適用日時または適用期間の前です）。"),
    E_NOT_WITHDRAWABLE: _("この申込は取下できません（取下期限を過ぎたか、処理待ちではありません）。"),
    E_NOT_PROCESSING: _("この申込は処理中ではありません。"),
    E_UNKNOWN_LINE: _("選択されたプランはこの契約にありません。"),
    E_OFFLINE_INVALID: _("削減 ID 数が契約 ID 数を超えているか、対象の明細が不正です。"),
}

RECEIPT_MAIL = "idchange_received"
COMPLETED_MAIL = "idchange_completed"


class IdChangeError(Exception):
    """The one domain exception of this app; ``code`` is an E_* code and
    ``line_id`` the contract line it is about, when it is about one."""

    def __init__(self, code: str, *, line_id: int | None = None) -> None:
        self.code = code
        self.line_id = line_id
        self.message = MESSAGES.get(code, code)
        super().__init__(f"{code}: {self.message}")


# ---------------------------------------------------------------------------
# Preview (確認) and submission (申込)
# ---------------------------------------------------------------------------


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


def is_id_change_contract(contract: Contract) -> bool:
    return contract.service.supports_id_change and contract.service.kind in rules.SERVICES


def contract_is_in_flight(contract: Contract) -> bool:
    return IdChangeApplication.objects.filter(contract=contract, status__in=IN_FLIGHT).exists()


def contract_offline_pending(contract: Contract) -> bool:
    return OfflineReduction.objects.filter(
        contract=contract, status=OfflineReduction.Status.PENDING
    ).exists()


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


@transaction.atomic
def submit_id_change(
    *,
    contract: Contract,
    changes: Mapping[int, int],
    target: str,
    applicant: Any,
    now: datetime,
) -> IdChangeApplication:
    """申込 (IDC-2): lock the contract, decide again at ``now``, store, mail.

    The contract row lock serialises submissions of one contract; the
    partial unique constraint is the last line of defence behind it.
    """
    locked = (
        Contract.objects.select_for_update(of=("self",))
        .select_related("service")
        .get(pk=contract.pk)
    )
    preview = preview_id_change(contract=locked, changes=changes, target=target, now=now)
    application = IdChangeApplication(
        tenant_id=locked.tenant_id,
        contract=locked,
        receipt_number=f"tmp-{now:%H%M%S%f}",
        applicant=applicant,
        applicant_email=applicant.notification_email or applicant.email,
        target=target,
        effective_month=preview.effective_month,
        converted_to_next_month=preview.converted_to_next_month,
        status=IdChangeApplication.Status.PENDING,
        next_due_at=preview.next_due_at,
        effective_at=preview.effective_at,
        window_start=preview.window[0] if preview.window else None,
        window_end=preview.window[1] if preview.window else None,
        withdrawable_until=preview.withdrawable_until,
        next_possible_at=preview.next_possible_at,
        price_delta=preview.price_delta,
        created_at=now,
    )
    application.full_clean(exclude=["receipt_number"])
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as exc:  # the partial unique index: one in flight
        raise IdChangeError(rules.E_CHANGE_IN_FLIGHT) from exc
    # 受付番号: the date and the row id, so it is unique without a counter
    # table and readable on the phone.
    application.receipt_number = f"{now.astimezone(rules.JST):%y%m%d}{application.pk:07d}"
    application.save(update_fields=["receipt_number"])
    IdChangeApplicationLine.objects.bulk_create(
        [
            IdChangeApplicationLine(
                tenant_id=locked.tenant_id,
                application=application,
                contract_line=lp.line,
                item=lp.line.item,
                name=lp.line.name,
                count_before=lp.count_before,
                delta=lp.delta,
                unit_price=lp.line.unit_price,
                effective_month=lp.decision.effective_month,
                converted_to_next_month=lp.decision.converted_to_next_month,
                effective_at=lp.decision.effective_at,
                window_start=lp.decision.window[0] if lp.decision.window else None,
                window_end=lp.decision.window[1] if lp.decision.window else None,
            )
            for lp in preview.lines
        ]
    )
    record(
        action="idchange.application.submitted",
        actor=applicant,
        target=application,
        data={
            "contract": locked.number,
            "target": target,
            "lines": {lp.line.name: lp.delta for lp in preview.lines},
        },
    )
    send_mail(
        template=RECEIPT_MAIL,
        to=application.applicant_email,
        context=_mail_context(application, preview_lines=preview.lines, follows=preview.follows),
        tenant=locked.tenant_id,
    )
    return application


def _mail_context(
    application: IdChangeApplication,
    *,
    preview_lines: Iterable[LinePreview] | None = None,
    application_lines: Iterable[IdChangeApplicationLine] | None = None,
    follows: Iterable[FollowPreview] = (),
) -> dict[str, Any]:
    if preview_lines is not None:
        lines = [
            {"name": lp.line.name, "before": lp.count_before, "delta": lp.delta, "after": lp.count_after}
            for lp in preview_lines
        ]
    else:
        lines = [
            {"name": ln.name, "before": ln.count_before, "delta": ln.delta, "after": ln.count_after}
            for ln in (application_lines if application_lines is not None else application.lines.all())
        ]
    return {
        "application": application,
        "contract": application.contract,
        "service_name": application.contract.service.name,
        "lines": lines,
        "follows": [{"name": f.line.name, "after": f.count_after} for f in follows],
    }


# ---------------------------------------------------------------------------
# Withdrawal (取下, IDC-10)
# ---------------------------------------------------------------------------


@transaction.atomic
def withdraw_id_change(
    *, application: IdChangeApplication, actor: Any, now: datetime
) -> IdChangeApplication:
    app = IdChangeApplication.objects.select_for_update().get(pk=application.pk)
    if not app.can_withdraw(now) or app.lines.filter(applied_at__isnull=False).exists():
        raise IdChangeError(E_NOT_WITHDRAWABLE)
    app.status = IdChangeApplication.Status.WITHDRAWN
    app.withdrawn_at = now
    app.next_due_at = None
    app.save(update_fields=["status", "withdrawn_at", "next_due_at"])
    record(action="idchange.application.withdrawn", actor=actor, target=app)
    return app


# ---------------------------------------------------------------------------
# Applying (IDC-11) — the job, and operators for windowed lines
# ---------------------------------------------------------------------------


def _ledger_row(
    *,
    line: ContractLine,
    count: int,
    reason: str,
    effective_at: datetime,
    application: IdChangeApplication | None = None,
    actor: Any = None,
) -> IdCountLedger:
    """An unsaved ledger row taking ``line`` to ``count``; moves the line's
    cached count along (the caller saves both)."""
    row = IdCountLedger(
        tenant_id=line.tenant_id,
        line=line,
        count=count,
        delta=count - line.id_count,
        reason=reason,
        application=application,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        effective_at=effective_at,
    )
    line.id_count = count
    return row


def _append_ledger(
    *,
    line: ContractLine,
    count: int,
    reason: str,
    effective_at: datetime,
    application: IdChangeApplication | None = None,
    actor: Any = None,
) -> IdCountLedger:
    row = _ledger_row(
        line=line,
        count=count,
        reason=reason,
        effective_at=effective_at,
        application=application,
        actor=actor,
    )
    row.save()
    line.save(update_fields=["id_count"])
    return row


def _refresh_contract_caches(contract_ids: Iterable[int]) -> None:
    """``Contract.id_count`` = the plans' total: a cache written in the same
    transaction as the ledger rows, so list pages need no aggregation. One
    statement for any number of contracts."""
    plans_total = (
        ContractLine.objects.filter(contract_id=OuterRef("pk"), item=ContractLine.Item.PLAN)
        .order_by()
        .values("contract_id")
        .annotate(total=Sum("id_count"))
        .values("total")
    )
    Contract.objects.filter(pk__in=list(contract_ids)).update(
        id_count=Coalesce(Subquery(plans_total), 0)
    )


def _refresh_contract_cache(contract_id: int) -> None:
    _refresh_contract_caches([contract_id])


@dataclass
class ApplyOutcome:
    """What ``_apply_batch`` did with each application it was given."""

    applied: list[IdChangeApplication] = field(default_factory=list)  # whole: 処理中
    partial: list[IdChangeApplication] = field(default_factory=list)  # some lines still wait
    not_due: list[IdChangeApplication] = field(default_factory=list)
    # Failed the re-check; nothing of them was written.
    refused: dict[int, IdChangeError] = field(default_factory=dict)


def _is_due(line: IdChangeApplicationLine, now: datetime, open_windows: bool) -> bool:
    if line.effective_at is not None:
        return line.effective_at <= now
    if open_windows:  # an operator, inside the window
        return line.window_start is not None and line.window_start <= now
    return line.window_end is not None and line.window_end <= now


def _apply_batch(
    *, apps: list[IdChangeApplication], now: datetime, actor: Any, open_windows: bool
) -> ApplyOutcome:
    """Apply the due lines of ``apps`` (pending rows the caller holds locked,
    with ``contract__service`` selected) in a constant number of statements,
    whatever their number: the lines, the contract lines (locked), then one
    INSERT of ledger rows, one UPDATE each for line counts, applied marks,
    contract caches and statuses, one audit INSERT and one outbox INSERT.

    Every application is checked before anything is written. One that fails
    (a count that moved under it, e.g. an offline reduction reflected in
    between, would go below the floor) is left out and reported in
    ``refused``; the others go ahead.
    """
    outcome = ApplyOutcome()
    if not apps:
        return outcome
    lines_by_app: dict[int, list[IdChangeApplicationLine]] = defaultdict(list)
    for ln in IdChangeApplicationLine.objects.filter(application_id__in=[a.pk for a in apps]):
        lines_by_app[ln.application_id].append(ln)
    # Locked in id order, so two transactions never wait on each other in a circle.
    contract_lines = {
        cl.pk: cl
        for cl in ContractLine.objects.select_for_update()
        .filter(contract_id__in={a.contract_id for a in apps})
        .order_by("pk")
    }
    followers: dict[int, list[ContractLine]] = defaultdict(list)
    for cl in contract_lines.values():
        if cl.follows_plan:
            followers[cl.contract_id].append(cl)

    ledger: list[IdCountLedger] = []
    changed: dict[int, ContractLine] = {}
    applied_line_ids: list[int] = []
    due_by_app: dict[int, list[IdChangeApplicationLine]] = {}
    for app in apps:
        service = app.contract.service.kind
        pending = [ln for ln in lines_by_app[app.pk] if ln.applied_at is None]
        due = [ln for ln in pending if _is_due(ln, now, open_windows)]
        if not due:
            outcome.not_due.append(app)
            continue
        # Validate the whole application before writing any of it: the count
        # may have moved since submission; never store an impossible count.
        floor = 0 if service == "microsoft_365" else 1
        after = {ln.pk: contract_lines[ln.contract_line_id].id_count + ln.delta for ln in due}
        broken = next((ln for ln in due if after[ln.pk] < floor), None)
        if broken is not None:
            outcome.refused[app.pk] = IdChangeError(
                rules.E_RESULT_BELOW_ONE, line_id=broken.contract_line_id
            )
            continue
        for ln in due:
            cl = contract_lines[ln.contract_line_id]
            when = ln.effective_at or now
            new_count = after[ln.pk]
            ledger.append(
                _ledger_row(
                    line=cl,
                    count=new_count,
                    reason=IdCountLedger.Reason.APPLICATION,
                    effective_at=when,
                    application=app,
                    actor=actor,
                )
            )
            changed[cl.pk] = cl
            if cl.item == ContractLine.Item.PLAN and service == "google_workspace":
                for follower in followers[app.contract_id]:  # IDC-12
                    if follower.id_count != new_count:
                        ledger.append(
                            _ledger_row(
                                line=follower,
                                count=new_count,
                                reason=IdCountLedger.Reason.FOLLOW_PLAN,
                                effective_at=when,
                                application=app,
                                actor=actor,
                            )
                        )
                        changed[follower.pk] = follower
            ln.applied_at = now
            applied_line_ids.append(ln.pk)
        due_by_app[app.pk] = due
        app.hold_reason, app.held_at = "", None
        remaining = [ln for ln in pending if ln.applied_at is None]
        if remaining:
            app.next_due_at = min(ln.due_at for ln in remaining)  # type: ignore[type-var]
            outcome.partial.append(app)
        else:
            app.status = IdChangeApplication.Status.PROCESSING
            app.applied_at = now
            app.next_due_at = None
            outcome.applied.append(app)

    if not due_by_app:
        return outcome
    IdCountLedger.objects.bulk_create(ledger)
    ContractLine.objects.bulk_update(list(changed.values()), ["id_count"])
    IdChangeApplicationLine.objects.filter(pk__in=applied_line_ids).update(applied_at=now)
    _refresh_contract_caches({cl.contract_id for cl in changed.values()})
    if outcome.applied:
        IdChangeApplication.objects.filter(pk__in=[a.pk for a in outcome.applied]).update(
            status=IdChangeApplication.Status.PROCESSING,
            applied_at=now,
            next_due_at=None,
            hold_reason="",
            held_at=None,
        )
        record_many(
            action="idchange.application.applied",
            actor=actor,
            targets=outcome.applied,
            data=lambda app: {"lines": {ln.name: ln.delta for ln in lines_by_app[app.pk]}},
        )
        for tenant_id in {a.tenant_id for a in outcome.applied}:
            send_mails(
                template=COMPLETED_MAIL,
                mails=[
                    Mail(
                        to=app.applicant_email,
                        context=_mail_context(app, application_lines=lines_by_app[app.pk]),
                    )
                    for app in outcome.applied
                    if app.tenant_id == tenant_id
                ],
                tenant=tenant_id,
            )
    if outcome.partial:
        IdChangeApplication.objects.bulk_update(
            outcome.partial, ["next_due_at", "hold_reason", "held_at"]
        )
        record_many(
            action="idchange.application.partially_applied",
            actor=actor,
            targets=outcome.partial,
            data=lambda app: {"lines": [ln.name for ln in due_by_app[app.pk]]},
        )
    return outcome


def _apply_one(
    *, application: IdChangeApplication, now: datetime, actor: Any, open_windows: bool
) -> IdChangeApplication:
    """One application through the same code as the job: a batch of one,
    but errors are raised (for the operator's message) instead of held."""
    app = (
        IdChangeApplication.objects.select_for_update(of=("self",))
        .select_related("contract__service")
        .get(pk=application.pk)
    )
    if app.status != IdChangeApplication.Status.PENDING:
        raise IdChangeError(E_NOT_PENDING)
    outcome = _apply_batch(apps=[app], now=now, actor=actor, open_windows=open_windows)
    if app.pk in outcome.refused:
        raise outcome.refused[app.pk]
    if outcome.not_due:
        raise IdChangeError(E_NOT_DUE)
    return app


@transaction.atomic
def apply_id_change(
    *, application: IdChangeApplication, now: datetime, actor: Any = None
) -> IdChangeApplication:
    """Apply every line that is due at ``now`` (IDC-11).

    Immediate lines are due at their effective instant; EMM and add-on lines
    at their window's end at the latest (operators usually apply them earlier
    with ``apply_window_lines``). Raises ``E_NOT_PENDING`` when someone else
    already applied or withdrew it: the row lock makes a second run a no-op.
    An application the job put on hold is applied (and released) here once
    its re-check passes.
    """
    return _apply_one(application=application, now=now, actor=actor, open_windows=False)


@transaction.atomic
def apply_window_lines(
    *, application: IdChangeApplication, actor: Any, now: datetime
) -> IdChangeApplication:
    """Operator: the EMM / add-on work is done inside its window; apply now."""
    return _apply_one(application=application, now=now, actor=actor, open_windows=True)


@transaction.atomic
def mark_processing_finished(
    *, application: IdChangeApplication, actor: Any, now: datetime
) -> IdChangeApplication:
    """Operator: the carrier's internal processing is finished (IDC-9); the
    contract takes applications again."""
    app = IdChangeApplication.objects.select_for_update().get(pk=application.pk)
    if app.status != IdChangeApplication.Status.PROCESSING:
        raise IdChangeError(E_NOT_PROCESSING)
    app.status = IdChangeApplication.Status.DONE
    app.processed_at = now
    app.save(update_fields=["status", "processed_at"])
    record(action="idchange.application.processed", actor=actor, target=app)
    return app


# ---------------------------------------------------------------------------
# Offline annual reductions (through sales; operators)
# ---------------------------------------------------------------------------


@transaction.atomic
def register_offline_reduction(
    *, line: ContractLine, reduce_by: int, note: str = "", actor: Any, now: datetime
) -> OfflineReduction:
    """Operator: sales took an annual reduction; lock the contract until reflected."""
    Contract.objects.select_for_update().get(pk=line.contract_id)
    if reduce_by < 1 or reduce_by >= line.id_count:
        raise IdChangeError(E_OFFLINE_INVALID, line_id=line.pk)
    reduction = OfflineReduction(
        tenant_id=line.tenant_id,
        contract_id=line.contract_id,
        line=line,
        reduce_by=reduce_by,
        note=note,
        created_at=now,
    )
    reduction.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            reduction.save()
    except IntegrityError as exc:
        raise IdChangeError(rules.E_LOCKED_OFFLINE_REDUCTION) from exc
    record(
        action="idchange.offline_reduction.registered",
        actor=actor,
        target=reduction,
        tenant=line.tenant_id,
        data={"line": line.name, "reduce_by": reduce_by},
    )
    return reduction


@transaction.atomic
def reflect_offline_reduction(
    *, reduction: OfflineReduction, actor: Any, now: datetime
) -> OfflineReduction:
    """Operator: the reduction is in the systems; append the ledger row and
    free the contract."""
    red = OfflineReduction.objects.select_for_update().get(pk=reduction.pk)
    if red.status != OfflineReduction.Status.PENDING:
        raise IdChangeError(E_NOT_PENDING)
    line = ContractLine.objects.select_for_update().get(pk=red.line_id)
    new_count = line.id_count - red.reduce_by
    if new_count < 1:
        raise IdChangeError(rules.E_RESULT_BELOW_ONE, line_id=line.pk)
    _append_ledger(
        line=line,
        count=new_count,
        reason=IdCountLedger.Reason.OFFLINE_REDUCTION,
        effective_at=now,
        actor=actor,
    )
    _refresh_contract_cache(red.contract_id)
    red.status = OfflineReduction.Status.REFLECTED
    red.reflected_at = now
    red.save(update_fields=["status", "reflected_at"])
    record(action="idchange.offline_reduction.reflected", actor=actor, target=red, tenant=red.tenant_id)
    return red


@transaction.atomic
def cancel_offline_reduction(
    *, reduction: OfflineReduction, actor: Any, now: datetime
) -> OfflineReduction:
    red = OfflineReduction.objects.select_for_update().get(pk=reduction.pk)
    if red.status != OfflineReduction.Status.PENDING:
        raise IdChangeError(E_NOT_PENDING)
    red.status = OfflineReduction.Status.CANCELLED
    red.save(update_fields=["status"])
    record(action="idchange.offline_reduction.cancelled", actor=actor, target=red, tenant=red.tenant_id)
    return red


# ---------------------------------------------------------------------------
# Contract lines
# ---------------------------------------------------------------------------


@transaction.atomic
def add_contract_line(
    *,
    contract: Contract,
    name: str,
    item: str = ContractLine.Item.PLAN,
    count: int = 0,
    unit_price: int = 0,
    nce: bool = False,
    parent: ContractLine | None = None,
    follows_plan: bool = False,
    display_order: int = 0,
    now: datetime,
) -> ContractLine:
    """Create a line with its INITIAL ledger row (operators, the demo, and the
    signal that gives every new ID-count contract its plan line)."""
    line = ContractLine(
        tenant_id=contract.tenant_id,
        contract=contract,
        item=item,
        name=name,
        nce=nce,
        parent=parent,
        follows_plan=follows_plan,
        unit_price=unit_price,
        id_count=0,
        display_order=display_order,
    )
    line.full_clean(validate_constraints=False)
    line.save()
    _append_ledger(line=line, count=count, reason=IdCountLedger.Reason.INITIAL, effective_at=now)
    _refresh_contract_cache(contract.pk)
    return line


APPLY_CHUNK = 500  # applications per transaction in the job


def _claim_due(
    *, now: datetime, limit: int, exclude: Iterable[int] = (), only: int | None = None
) -> list[IdChangeApplication]:
    """The job's claim: lock due, pending, not held rows, skipping rows
    another worker holds. After that worker commits they are no longer
    pending, so a second worker or a second run never applies them again."""
    rows = IdChangeApplication.objects.select_for_update(skip_locked=True, of=("self",)).filter(
        status=IdChangeApplication.Status.PENDING, next_due_at__lte=now, hold_reason=""
    )
    if only is not None:
        rows = rows.filter(pk=only)
    return list(
        rows.exclude(pk__in=list(exclude))
        .select_related("contract__service")
        .order_by("next_due_at", "pk")[:limit]
    )


def _hold(apps: list[IdChangeApplication], refused: Mapping[int, IdChangeError], now: datetime) -> None:
    """Put applications that failed the re-check aside for an operator: still
    処理待ち (the contract stays locked), skipped by the job, audited."""
    held = [app for app in apps if app.pk in refused]
    for app in held:
        app.hold_reason = refused[app.pk].code
        app.held_at = now
        logger.warning("ID change %s held for an operator: %s", app.pk, app.hold_reason)
    IdChangeApplication.objects.bulk_update(held, ["hold_reason", "held_at"])
    record_many(
        action="idchange.application.held",
        actor=None,
        targets=held,
        data=lambda app: {"code": refused[app.pk].code, "line": refused[app.pk].line_id},
    )


def _apply_chunk(*, now: datetime, limit: int, exclude: set[int], only: int | None = None) -> tuple[list[int], int]:
    """Claim up to ``limit`` due applications and apply them in one
    transaction: all of the chunk is written, or none of it."""
    with transaction.atomic():
        apps = _claim_due(now=now, limit=limit, exclude=exclude, only=only)
        claimed = [a.pk for a in apps]
        outcome = _apply_batch(apps=apps, now=now, actor=None, open_windows=False)
        if outcome.refused:
            _hold(apps, outcome.refused, now)
    return claimed, len(outcome.applied) + len(outcome.partial)


def apply_due_applications(*, now: datetime, chunk_size: int = APPLY_CHUNK) -> int:
    """The job's work for one tenant (run inside its scope): apply every due
    application, ``chunk_size`` per transaction. Returns how many were applied.

    A chunk that fails unexpectedly (a database error, a bug) is rolled back
    whole and retried one application at a time, so one broken row costs
    only itself; it is logged and left for the next run.
    """
    applied = 0
    broken: set[int] = set()
    while True:
        claimed: list[int] = []
        try:
            claimed, count = _apply_chunk(now=now, limit=chunk_size, exclude=broken)
        except Exception:
            logger.exception("Applying a chunk of ID changes failed; retrying one by one")
            claimed = []
            for pk in _due_ids(now=now, exclude=broken, limit=chunk_size):
                try:
                    applied += _apply_chunk(now=now, limit=1, exclude=broken, only=pk)[1]
                except Exception:
                    logger.exception("Applying ID change %s failed", pk)
                    broken.add(pk)
            continue
        if not claimed:
            return applied
        applied += count


def _due_ids(*, now: datetime, exclude: set[int], limit: int) -> list[int]:
    return list(
        IdChangeApplication.objects.filter(
            status=IdChangeApplication.Status.PENDING, next_due_at__lte=now, hold_reason=""
        )
        .exclude(pk__in=list(exclude))
        .order_by("next_due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
