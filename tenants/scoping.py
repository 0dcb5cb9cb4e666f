"""Tenant scoping, in one place.

Every tenant-owned model uses ``TenantScopedManager``: outside an active
tenant scope any read raises ``ScopeError`` (fail closed), inside one it is
filtered to that tenant. django-scopes provides the mechanism (as in pretix);
this module adds the two rules we want on top of it:

* a scope is always *one* tenant id, never ``None`` (django-scopes treats
  ``None`` as "no filter", which would turn a bug into a leak);
* leaving the scope is explicit and greppable: ``operator_scope()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.db import models
from django_scopes import ScopedManager, get_scope, scope, scopes_disabled
from django_scopes.exceptions import ScopeError

if TYPE_CHECKING:
    from tenants.models import Tenant

__all__ = [
    "ScopeError",
    "TenantOwnedModel",
    "TenantScopedManager",
    "current_tenant_id",
    "operator_scope",
    "row_scope",
    "tenant_scope",
]


def TenantScopedManager(manager_class: type[models.Manager] = models.Manager) -> models.Manager:  # noqa: N802
    """The default manager of every tenant-owned model."""
    return ScopedManager(_manager_class=manager_class, tenant="tenant")


@contextmanager
def tenant_scope(tenant: Tenant | int, *, request: bool = False) -> Iterator[None]:
    """Run the block with reads limited to one tenant. ``request=True`` (the
    middleware only): a request's outermost scope, whose database settings
    are left for the next request's scope statement to overwrite (rls.py)."""
    tenant_id = tenant if isinstance(tenant, int) or tenant is None else tenant.pk
    if not tenant_id:
        raise ScopeError("tenant_scope() needs a saved tenant, not None.")
    with scope(tenant=tenant_id), _database_scope(tenant_id=tenant_id, bypass=False, request=request):
        yield


@contextmanager
def operator_scope(*, request: bool = False) -> Iterator[None]:
    """Leave tenant scoping: only for operator code (Django admin, platform
    jobs that then dispatch per tenant). Every use is a place to review."""
    with scopes_disabled(), _database_scope(tenant_id=None, bypass=True, request=request):
        yield


@contextmanager
def row_scope(tenant_id: int | None) -> Iterator[None]:
    """The scope one tenant's row (``None``: a platform row, an operator) is
    read or written in by the platform kits that work before or across
    scopes (the audit writer, the login path): the current scope when it
    already covers the row (no statement), else ``tenant_scope`` or, for a
    row with no tenant, ``operator_scope`` (issue 20)."""
    current = get_scope()
    if not current.get("_enabled", True) or (tenant_id is not None and current_tenant_id() == tenant_id):
        yield
    elif tenant_id is not None:
        with tenant_scope(tenant_id):
            yield
    else:
        with operator_scope():
            yield


@contextmanager
def _database_scope(*, tenant_id: int | None, bypass: bool, request: bool = False) -> Iterator[None]:
    """The same scope for PostgreSQL row-level security (tenants/rls.py), when
    PORTAL_ROW_LEVEL_SECURITY is on; otherwise nothing (no query)."""
    from tenants import rls

    if not rls.enabled():
        yield
        return
    previous = rls.set_scope(tenant_id=tenant_id, bypass=bypass)
    try:
        yield
    finally:
        if request:
            rls.leave_for_next_request(previous)
        else:
            rls.restore(previous)


def current_tenant_id() -> int | None:
    value = get_scope().get("tenant")
    return value if isinstance(value, int) else None


class TenantOwnedModel(models.Model):
    """Base for every row a tenant owns.

    The FK is non-null, named ``tenant`` (DESIGN.md), and indexed; every
    unique constraint of a subclass must include it (tests enforce this).
    """

    tenant = models.ForeignKey(
        "tenants.Tenant",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="テナント",
    )

    objects = TenantScopedManager()

    class Meta:
        abstract = True
