"""Tenancy is sacred: every tenant model fails closed outside a scope, and its
structure stays shardable by tenant (DESIGN.md, Tenancy)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models

from tenants.models import Tenant
from tenants.scoping import ScopeError, current_tenant_id, operator_scope, tenant_scope

# Platform tables whose tenant FK is nullable, each with its reason.
NULLABLE_TENANT = {
    "accounts.User": "carrier operators are staff users of no tenant",
    "audit.AuditEntry": "platform events (catalogue edits) belong to no tenant",
    "mail.OutboxMessage": "operator mail belongs to no tenant",
}


def tenant_models() -> list[type[models.Model]]:
    """Every concrete model with a FK to Tenant: those hold tenant data."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy:  # the concrete model's table again (mfa's TwoStepUser)
            continue
        for field in model._meta.get_fields():
            if field.many_to_one and field.concrete and field.related_model is Tenant:
                found.append(model)
                break
    return found


def test_every_tenant_model_is_found():
    labels = {m._meta.label for m in tenant_models()}
    assert {"tenants.Contract", "accounts.User", "accounts.Organization"} <= labels


@pytest.mark.parametrize("model", tenant_models(), ids=lambda m: m._meta.label)
def test_fk_is_named_tenant_and_non_null_unless_platform(model):
    fks = [
        f
        for f in model._meta.get_fields()
        if f.many_to_one and f.concrete and f.related_model is Tenant
    ]
    assert [f.name for f in fks] == ["tenant"], "the tenant FK is named `tenant` (DESIGN.md)"
    if model._meta.label not in NULLABLE_TENANT:
        assert not fks[0].null, f"{model._meta.label}.tenant must be non-null"


@pytest.mark.parametrize("model", tenant_models(), ids=lambda m: m._meta.label)
def test_default_manager_is_scoped_and_fails_closed(db, model):
    manager = model._default_manager
    with pytest.raises(ScopeError):
        list(manager.all())
    with pytest.raises(ScopeError):
        manager.filter(pk=1).exists()
    with pytest.raises(ScopeError):
        manager.count()


@pytest.mark.parametrize("model", tenant_models(), ids=lambda m: m._meta.label)
def test_unique_constraints_include_tenant(model):
    """Sharding by tenant later (Citus) needs every unique to include it."""
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            assert "tenant" in constraint.fields, f"{model._meta.label}: {constraint.name}"
    for field in model._meta.local_fields:
        if field.unique and not field.primary_key:
            assert field.name in {"tenant"}, f"{model._meta.label}.{field.name} is unique alone"
    for together in model._meta.unique_together:
        assert "tenant" in together


@pytest.mark.parametrize("model", tenant_models(), ids=lambda m: m._meta.label)
def test_no_auto_m2m_or_generic_fk(model):
    for field in model._meta.get_fields():
        if field.many_to_many and field.concrete:
            assert not field.remote_field.through._meta.auto_created, (
                f"{model._meta.label}.{field.name}: use an explicit through model with a tenant FK"
            )
        assert not isinstance(field, GenericForeignKey)
    for m2m in model._meta.many_to_many:
        if m2m.name in {"groups", "user_permissions"} and model._meta.label == "accounts.User":
            continue  # Django's permission tables: used by operators only


def test_scope_filters_to_one_tenant(alice, charlie):
    from accounts.models import User

    with tenant_scope(alice.tenant):
        assert list(User.objects.values_list("email", flat=True)) == [alice.email]
        assert current_tenant_id() == alice.tenant_id
        # Going through another tenant's relation finds nothing either.
        assert not charlie.tenant.users.exists()
    with operator_scope():
        assert User.objects.count() == 2


def test_tenant_scope_refuses_none():
    with pytest.raises(ScopeError), tenant_scope(None):  # type: ignore[arg-type]
        pass
