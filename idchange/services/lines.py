"""Contract lines: created with their INITIAL ledger row."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from idchange.models import ContractLine, IdCountLedger
from idchange.services.ledger import append_ledger, ledger_row, refresh_contract_cache
from tenants.models import Contract


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
    append_ledger(
        ledger_row(line=line, count=count, reason=IdCountLedger.Reason.INITIAL, effective_at=now)
    )
    refresh_contract_cache(contract.pk)
    return line
