"""Offline annual reductions, taken through sales and entered by operators
(IDC-3, IDC-9)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from audit.services import record
from idchange import rules
from idchange.models import ContractLine, IdCountLedger, OfflineReduction
from idchange.services.errors import E_NOT_PENDING, E_OFFLINE_INVALID, IdChangeError
from idchange.services.ledger import append_ledger, ledger_row, refresh_contract_cache
from tenants.models import Contract


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
    append_ledger(
        ledger_row(
            line=line,
            count=new_count,
            reason=IdCountLedger.Reason.OFFLINE_REDUCTION,
            effective_at=now,
            actor=actor,
        )
    )
    refresh_contract_cache(red.contract_id)
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
