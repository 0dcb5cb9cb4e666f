"""Applying due lines (IDC-11, IDC-12): the set-wise core shared by the job
(a chunk of applications) and by operators (a batch of one)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction

from audit.services import record_many
from idchange import rules
from idchange.models import (
    ContractLine,
    IdChangeApplication,
    IdChangeApplicationLine,
    IdCountLedger,
)
from idchange.services.errors import E_NOT_DUE, E_NOT_PENDING, IdChangeError
from idchange.services.ledger import refresh_contract_caches
from idchange.services.mails import COMPLETED_MAIL, completed_mail_values
from mail.services import Mail, send_mails
from tenants.bulk import among, insert_rows, update_rows

# The ledger rows of a batch, as tuples for one set-based INSERT (issue 22).
LEDGER_FIELDS = ("tenant_id", "line_id", "count", "delta", "reason", "application_id", "actor_id", "effective_at")


@dataclass(slots=True)
class _Line:
    """An application line as apply_batch reads it (the checks, the audit
    data, the 完了 mail's context): a row, not a model instance — a month
    boundary's run reads 10,000 of them (issue 22). ``count_after`` and
    ``due_at`` are the model's properties."""

    pk: int
    application_id: int
    contract_line_id: int
    name: str
    count_before: int
    delta: int
    effective_at: datetime | None
    window_start: datetime | None
    window_end: datetime | None
    applied_at: datetime | None

    @property
    def count_after(self) -> int:
        return self.count_before + self.delta

    @property
    def due_at(self) -> datetime | None:
        return self.effective_at or self.window_end


LINE_FIELDS = tuple(_Line.__dataclass_fields__)


@dataclass(slots=True)
class _ContractLine:
    """A contract line as apply_batch reads and moves it (locked), a row."""

    pk: int
    tenant_id: int
    contract_id: int
    item: str
    follows_plan: bool
    id_count: int


CONTRACT_LINE_FIELDS = tuple(_ContractLine.__dataclass_fields__)


@dataclass
class ApplyOutcome:
    """What ``apply_batch`` did with each application it was given."""

    applied: list[IdChangeApplication] = field(default_factory=list)  # whole: 処理中
    partial: list[IdChangeApplication] = field(default_factory=list)  # some lines still wait
    not_due: list[IdChangeApplication] = field(default_factory=list)
    # Failed the re-check; nothing of them was written.
    refused: dict[int, IdChangeError] = field(default_factory=dict)


def _is_due(line: _Line, now: datetime, open_windows: bool) -> bool:
    if line.effective_at is not None:
        return line.effective_at <= now
    if open_windows:  # an operator, inside the window
        return line.window_start is not None and line.window_start <= now
    return line.window_end is not None and line.window_end <= now


def apply_batch(
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
    lines_by_app: dict[int, list[_Line]] = defaultdict(list)
    for row in IdChangeApplicationLine.objects.filter(application_id__in=among(a.pk for a in apps)).values_list(
        *LINE_FIELDS
    ):
        ln = _Line(*row)
        lines_by_app[ln.application_id].append(ln)
    # Locked in id order, so two transactions never wait on each other in a circle.
    contract_lines = {
        row[0]: _ContractLine(*row)
        for row in ContractLine.objects.select_for_update()
        .filter(contract_id__in=among({a.contract_id for a in apps}))
        .order_by("pk")
        .values_list(*CONTRACT_LINE_FIELDS)
    }
    followers: dict[int, list[_ContractLine]] = defaultdict(list)
    for cl in contract_lines.values():
        if cl.follows_plan:
            followers[cl.contract_id].append(cl)

    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    ledger: list[tuple] = []
    changed: dict[int, _ContractLine] = {}
    applied_line_ids: list[int] = []
    due_by_app: dict[int, list[_Line]] = {}
    for app in apps:
        service = app.contract.service.kind
        pending = [ln for ln in lines_by_app[app.pk] if ln.applied_at is None]
        due = [ln for ln in pending if _is_due(ln, now, open_windows)]
        if not due:
            outcome.not_due.append(app)
            continue
        # Validate the whole application before writing any of it: the count
        # may have moved since submission; never store an impossible count.
        after = {ln.pk: contract_lines[ln.contract_line_id].id_count + ln.delta for ln in due}
        errors = ((ln, rules.floor_error(service, after[ln.pk])) for ln in due)
        broken = next(((ln, code) for ln, code in errors if code is not None), None)
        if broken is not None:
            outcome.refused[app.pk] = IdChangeError(broken[1], line_id=broken[0].contract_line_id)
            continue
        for ln in due:
            cl = contract_lines[ln.contract_line_id]
            new_count = after[ln.pk]
            targets = [(cl, IdCountLedger.Reason.APPLICATION)]
            if cl.item == ContractLine.Item.PLAN and service == "google_workspace":  # IDC-12
                targets += [
                    (follower, IdCountLedger.Reason.FOLLOW_PLAN)
                    for follower in followers[app.contract_id]
                    if follower.id_count != new_count
                ]
            for line, reason in targets:
                # ledger_row's values as a tuple (set-based INSERT below);
                # the line's count moves along for the next application.
                ledger.append(
                    (line.tenant_id, line.pk, new_count, new_count - line.id_count, reason, app.pk, actor_id,
                     ln.effective_at or now)
                )
                line.id_count = new_count
                changed[line.pk] = line
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
    insert_rows(IdCountLedger, LEDGER_FIELDS, ledger, returning=None)
    # A line's count is its latest ledger row, the one just written (the
    # lines are locked, so the count carried along above is that row's): one
    # UPDATE … FROM unnest, rather than bulk_update's CASE of one branch per
    # line (issue 14) or a subquery per line into the ledger (issue 22).
    update_rows(ContractLine, ("id_count",), [(pk, line.id_count) for pk, line in changed.items()])
    IdChangeApplicationLine.objects.filter(pk__in=among(applied_line_ids)).update(applied_at=now)
    refresh_contract_caches({cl.contract_id for cl in changed.values()})
    if outcome.applied:
        IdChangeApplication.objects.filter(pk__in=among(a.pk for a in outcome.applied)).update(
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
        # One INSERT for the whole chunk, even when it spans tenants (the
        # job's cross-tenant batches): each mail carries its own tenant. The
        # bodies are the mail worker's to render (issue 22: 10,000 of them
        # were a quarter of the job's time inside its transaction); the row,
        # with its values, is written here, with its cause.
        send_mails(
            template=COMPLETED_MAIL,
            mails=[
                Mail(
                    to=app.applicant_email,
                    context=completed_mail_values(app, lines_by_app[app.pk]),
                    tenant=app.tenant_id,
                )
                for app in outcome.applied
            ],
            render_at_delivery=True,
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
    outcome = apply_batch(apps=[app], now=now, actor=actor, open_windows=open_windows)
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
