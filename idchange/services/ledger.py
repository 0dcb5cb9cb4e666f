"""Every count change is a new ledger row plus the two caches (the line's
and the contract's plans total), written in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from idchange.models import ContractLine, IdChangeApplication, IdCountLedger
from tenants.bulk import among
from tenants.models import Contract


def ledger_row(
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


def append_ledger(row: IdCountLedger) -> IdCountLedger:
    """Save one row from ``ledger_row`` with its line's cached count."""
    row.save()
    row.line.save(update_fields=["id_count"])
    return row


def refresh_contract_caches(contract_ids: Iterable[int]) -> None:
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
    Contract.objects.filter(pk__in=among(contract_ids)).update(
        id_count=Coalesce(Subquery(plans_total), 0)
    )


def refresh_contract_cache(contract_id: int) -> None:
    refresh_contract_caches([contract_id])
