"""Tenancy rules for the idchange tables (DESIGN.md, Tenancy)."""

from __future__ import annotations

from django.apps import apps
from django.db import models

from tenants.scoping import TenantOwnedModel


def _tenant_models():
    return [m for m in apps.get_app_config("idchange").get_models() if issubclass(m, TenantOwnedModel)]


def test_every_tenant_table_has_a_tenant_fk_and_tenant_in_every_unique():
    tenant_models = _tenant_models()
    assert {m.__name__ for m in tenant_models} == {
        "ContractLine", "IdCountLedger", "IdChangeApplication", "IdChangeApplicationLine", "OfflineReduction",
    }
    for model in tenant_models:
        assert model._meta.get_field("tenant").null is False
        uniques = [c for c in model._meta.constraints if isinstance(c, models.UniqueConstraint)]
        assert any(c.fields == ("tenant", "id") for c in uniques), model
        for constraint in uniques:
            assert "tenant" in constraint.fields, (model, constraint.name)
        for field in model._meta.local_fields:
            assert not field.unique or field.primary_key, (model, field.name)
        assert not model._meta.local_many_to_many, model
