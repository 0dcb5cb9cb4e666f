"""Fixtures for the ID-count change tests: contracts with their lines.

``contracts_a`` (tests/conftest.py) contracts get their plan line from the
post_save signal; the Microsoft 365 contract here gets the full set of line
kinds the manual describes.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from idchange.models import ContractLine
from idchange.services.lines import add_contract_line
from tenants.scoping import operator_scope, tenant_scope

JST = ZoneInfo("Asia/Tokyo")
# A plain Wednesday in the middle of May 2026 (no cutoff, no holiday).
WED_MAY_20 = datetime(2026, 5, 20, 10, 0, tzinfo=JST)


def jst(*args: int) -> datetime:
    return datetime(*args, tzinfo=JST)


@pytest.fixture
def now() -> datetime:
    return WED_MAY_20


@pytest.fixture
def gw(contracts_a):
    return contracts_a["google_workspace"]


@pytest.fixture
def emm(contracts_a):
    return contracts_a["emm"]


@pytest.fixture
def line_works(contracts_a):
    return contracts_a["line_works"]


def plan_line(contract) -> ContractLine:
    with operator_scope():
        return ContractLine.objects.get(contract=contract, item="plan")


@pytest.fixture
def m365(contracts_a, now):
    """Microsoft 365 with: plan E3 (10, from the signal), plan Business
    Basic not contracted (0), an option of E3 (4), a 【新プログラム】 plan (3)
    and an add-on (2)."""
    contract = contracts_a["microsoft_365"]
    with tenant_scope(contract.tenant_id):
        e3 = ContractLine.objects.get(contract=contract)
        e3.name = "Microsoft 365 E3"
        e3.save(update_fields=["name"])
        lines = {"e3": e3}
        lines["basic"] = add_contract_line(
            contract=contract, name="Business Basic", count=0, unit_price=900, display_order=1, now=now
        )
        lines["option"] = add_contract_line(
            contract=contract, name="Teams Phone", item="option", parent=e3, count=4,
            unit_price=1200, display_order=2, now=now,
        )
        lines["nce"] = add_contract_line(
            contract=contract, name="Business Premium【新プログラム】", nce=True, count=3,
            unit_price=3300, display_order=3, now=now,
        )
        lines["addon"] = add_contract_line(
            contract=contract, name="Defender アドオン", item="addon", count=2,
            unit_price=500, display_order=4, now=now,
        )
    contract.refresh_from_db()
    return contract, lines


@pytest.fixture(autouse=True)
def _fresh_business_day_cache():
    """The override cache outlives each test's rolled-back transaction."""
    from idchange import business_days

    business_days.clear_cache()
    yield
    business_days.clear_cache()
