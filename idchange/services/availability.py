"""Whether a contract takes ID-count applications, and what blocks one (IDC-9)."""

from __future__ import annotations

from idchange import rules
from idchange.models import IN_FLIGHT, IdChangeApplication, OfflineReduction
from tenants.models import Contract


def is_id_change_contract(contract: Contract) -> bool:
    return contract.service.supports_id_change and contract.service.kind in rules.SERVICES


def contract_is_in_flight(contract: Contract) -> bool:
    return IdChangeApplication.objects.filter(contract=contract, status__in=IN_FLIGHT).exists()


def contract_offline_pending(contract: Contract) -> bool:
    return OfflineReduction.objects.filter(
        contract=contract, status=OfflineReduction.Status.PENDING
    ).exists()
