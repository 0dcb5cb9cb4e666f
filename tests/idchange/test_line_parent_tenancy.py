"""An option line's 対象プラン (parent) is a plan line of the same contract:
never another contract's, never another tenant's (tenancy; IDC-5 compares
option counts with the parent plan's)."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from idchange.models import ContractLine
from idchange.services.lines import add_contract_line
from tenants.scoping import operator_scope, tenant_scope
from tests.factories import ContractFactory


@pytest.fixture
def foreign_plan(tenant_b, services) -> ContractLine:
    contract = ContractFactory(tenant=tenant_b, service=services["microsoft_365"], number="B-m365")
    with operator_scope():
        return ContractLine.objects.get(contract=contract, item="plan")


def test_operator_cannot_give_an_option_another_tenants_plan(operator_client, m365, foreign_plan):
    contract, _lines = m365
    resp = operator_client.post(
        reverse("admin:idchange_contractline_add"),
        {"contract": contract.pk, "item": "option", "name": "Foreign option", "parent": foreign_plan.pk,
         "unit_price": 100, "display_order": 9, "initial_count": 1},
    )
    assert resp.status_code == HTTPStatus.OK
    with operator_scope():
        assert not ContractLine.objects.filter(name="Foreign option").exists()


def test_service_refuses_a_parent_of_another_contract(m365, gw, now):
    contract, _lines = m365
    with tenant_scope(contract.tenant_id):
        gw_plan = ContractLine.objects.get(contract=gw, item="plan")
        with pytest.raises(ValidationError):
            add_contract_line(contract=contract, name="Wrong option", item="option", parent=gw_plan, now=now)
        assert not ContractLine.objects.filter(name="Wrong option").exists()


def test_parent_must_be_a_plan(m365, now):
    contract, lines = m365
    with tenant_scope(contract.tenant_id), pytest.raises(ValidationError):
        add_contract_line(contract=contract, name="Option of option", item="option", parent=lines["option"], now=now)
