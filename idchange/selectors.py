"""Tenant-scoped reads for the ID-count screens."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from idchange import business_days, rules
from idchange.models import IN_FLIGHT, ContractLine, IdChangeApplication, OfflineReduction
from idchange.services.availability import is_id_change_contract
from idchange.services.errors import MESSAGES
from tenants.models import Contract, Tenant


def id_change_contracts(tenant: Tenant) -> QuerySet[Contract]:
    """The tenant's ID-count contracts with everything the list shows, in a
    constant number of queries (contracts, lines, in-flight, offline)."""
    return (
        tenant.contracts.filter(
            service__supports_id_change=True, service__kind__in=sorted(rules.SERVICES)
        )
        .select_related("service")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=ContractLine.objects.select_related("parent").order_by("display_order", "id"),
            ),
            Prefetch(
                "id_change_applications",
                queryset=IdChangeApplication.objects.filter(status__in=IN_FLIGHT),
                to_attr="in_flight_applications",
            ),
            Prefetch(
                "offline_reductions",
                queryset=OfflineReduction.objects.filter(status=OfflineReduction.Status.PENDING),
                to_attr="pending_offline_reductions",
            ),
        )
    )


def line_kinds(contract: Contract) -> list[str]:
    """The item kinds a customer may apply for on this contract."""
    items = {line.item for line in contract.lines.all() if line.is_editable}
    return sorted(items) or [ContractLine.Item.PLAN]


def allowed_targets(contract: Contract, *, now: datetime) -> list[str]:
    """変更希望月 choices offered now: the union over the contract's kinds
    (Microsoft 365 add-ons may still be ordered when plans are closed)."""
    overrides = business_days.overrides()
    annual = contract.term == Contract.Term.ANNUAL
    allowed: set[str] = set()
    for item in line_kinds(contract):
        allowed.update(
            rules.allowed_targets(
                service=contract.service.kind, item=item, annual=annual, at=now, overrides=overrides
            )
        )
    return [t for t in rules.TARGETS if t in allowed]


@dataclass
class ContractRow:
    contract: Contract
    lines: list[ContractLine]
    in_flight: IdChangeApplication | None
    can_apply: bool
    reason: str | Promise = ""
    targets: list[str] = field(default_factory=list)


def blocked_reason(contract: Contract, *, now: datetime) -> str | Promise:
    """Why 変更申込 is disabled (IDC-9), or "" when it is possible. Uses the
    list's prefetched attributes when present."""
    in_flight = getattr(contract, "in_flight_applications", None)
    if in_flight is None:
        in_flight = list(contract.id_change_applications.filter(status__in=IN_FLIGHT))
    offline = getattr(contract, "pending_offline_reductions", None)
    if offline is None:
        offline = list(contract.offline_reductions.filter(status=OfflineReduction.Status.PENDING))
    if in_flight:
        app = in_flight[0]
        if app.next_possible_at and app.status == IdChangeApplication.Status.PROCESSING:
            return _(
                "受付番号 %(number)s の処理が完了するまでお申し込みいただけません（%(when)s 頃の予定）。"
            ) % {
                "number": app.receipt_number,
                "when": f"{timezone.localtime(app.next_possible_at):%Y/%m/%d %H:%M}",
            }
        return _("受付番号 %(number)s の申込が%(status)sのため、お申し込みいただけません。") % {
            "number": app.receipt_number,
            "status": app.get_status_display(),
        }
    if offline:
        return MESSAGES[rules.E_LOCKED_OFFLINE_REDUCTION]
    if not is_id_change_contract(contract):
        return MESSAGES["E_NOT_SUPPORTED"]
    if not allowed_targets(contract, now=now):
        return MESSAGES[rules.E_OUTSIDE_ORDER_HOURS]
    return ""


def contract_rows(tenant: Tenant, *, now: datetime) -> list[ContractRow]:
    rows = []
    for contract in id_change_contracts(tenant):
        reason = blocked_reason(contract, now=now)
        in_flight = contract.in_flight_applications  # type: ignore[attr-defined]
        rows.append(
            ContractRow(
                contract=contract,
                lines=list(contract.lines.all()),
                in_flight=in_flight[0] if in_flight else None,
                can_apply=not reason,
                reason=reason,
            )
        )
    return rows
