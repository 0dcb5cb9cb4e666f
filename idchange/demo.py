"""Demo lines for the demo tenant's ID-count contracts (called by seed_demo).

Idempotent: a line that exists (by name) is left alone, so re-running the
seed never changes counts the demo user has changed through applications.
"""

from __future__ import annotations

from django.utils import timezone

from idchange.models import ContractLine
from idchange.services.availability import is_id_change_contract
from idchange.services.lines import add_contract_line
from tenants.models import Tenant
from tenants.scoping import tenant_scope

# (service kind, name, item, count, unit price, nce, parent plan's name, follows plan)
DEMO_EXTRA_LINES = [
    ("microsoft_365", "Microsoft 365 E3", "plan", 0, 4500, False, None, False),
    ("microsoft_365", "Microsoft 365 Business Premium【新プログラム】", "plan", 5, 3298, True, None, False),
    ("microsoft_365", "Microsoft Teams Phone Standard", "option", 10, 1199, False, "Microsoft 365 Business Standard", False),
    ("microsoft_365", "Microsoft Defender for Office 365 (Plan 1)", "addon", 10, 299, False, None, False),
    ("google_workspace", "Google Workspace アーカイブ ユーザー", "addon", 50, 0, False, None, True),
]


def ensure_demo_lines(tenant: Tenant) -> None:
    now = timezone.now()
    with tenant_scope(tenant):
        for order, contract in enumerate(tenant.contracts.select_related("service")):
            if not is_id_change_contract(contract):
                continue
            existing = {line.name: line for line in contract.lines.all()}
            if not existing:  # a contract seeded before this app existed
                plan = add_contract_line(
                    contract=contract,
                    name=contract.plan or contract.service.name,
                    count=contract.id_count or 0,
                    unit_price=contract.unit_price or 0,
                    now=now,
                )
                existing[plan.name] = plan
            for kind, name, item, count, price, nce, parent, follows in DEMO_EXTRA_LINES:
                if kind != contract.service.kind or name in existing:
                    continue
                if follows:
                    plan_count = next(
                        (ln.id_count for ln in existing.values() if ln.item == ContractLine.Item.PLAN), count
                    )
                    count = plan_count
                existing[name] = add_contract_line(
                    contract=contract,
                    name=name,
                    item=item,
                    count=count,
                    unit_price=price,
                    nce=nce,
                    parent=existing.get(parent) if parent else None,
                    follows_plan=follows,
                    display_order=order * 10 + len(existing),
                    now=now,
                )
