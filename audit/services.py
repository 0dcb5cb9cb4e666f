from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import models

from audit import registry
from audit.context import client_ip
from audit.models import AuditEntry
from tenants.bulk import insert_rows
from tenants.scoping import row_scope


def _check(action: str, object_types: Iterable[str]) -> None:
    """Under the test settings an undeclared code fails the test that records
    it, so no code reaches the 操作ログ without a label (issue 19). In
    production an unknown code is written and shown as it is."""
    if settings.AUDIT_REQUIRE_REGISTERED_ACTIONS:
        registry.require(action=action, object_types=object_types)


def _actor_label(actor: Any, actor_obj: Any) -> str:
    """The user's ID, or what a non-user actor calls itself (``audit_label``:
    a SCIM token, issue 25), so the entry still says who it was."""
    return getattr(actor_obj, "email", "") or getattr(actor, "audit_label", "") or ""


def record(
    *,
    action: str,
    actor: Any = None,
    tenant: Any = None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEntry:
    """Write one audit entry in the caller's transaction.

    ``action`` is a dotted code such as ``accounts.user.created``, declared
    with its label in the app's ``audit_actions.py`` (``audit.registry``).
    The tenant defaults to the target's or the actor's tenant so callers
    rarely pass it.
    """
    _check(action, [target._meta.label] if target is not None else [])
    if tenant is None:
        tenant_id = getattr(target, "tenant_id", None) or getattr(actor, "tenant_id", None)
    else:
        tenant_id = tenant if isinstance(tenant, int) else tenant.pk
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    # Row-level security (issue 20): the entry is written in its own
    # tenant's scope — a failed login or a platform event (no tenant) comes
    # before any scope, or from a scope of another tenant.
    with row_scope(tenant_id):
        return AuditEntry.objects.create(
            tenant_id=tenant_id,
            actor=actor_obj,
            actor_label=_actor_label(actor, actor_obj),
            action=action,
            object_type=target._meta.label if target is not None else "",
            object_id=str(target.pk) if target is not None else "",
            object_label=str(target)[:254] if target is not None else "",
            data=data or {},
            ip_address=ip_address or client_ip.get(),
        )


def record_many(
    *,
    action: str,
    actor: Any,
    targets: Iterable[models.Model],
    data: Callable[[models.Model], dict[str, Any]] | None = None,
    tenant: Any = None,
) -> int:
    """One entry per target in a single INSERT, for bulk operations (an import
    of 10,000 users, the month-boundary apply job). Same fields as ``record``."""
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    tenant_default = tenant if isinstance(tenant, int) or tenant is None else tenant.pk
    actor_tenant = getattr(actor_obj, "tenant_id", None)
    actor_id = getattr(actor_obj, "pk", None)
    actor_label = _actor_label(actor, actor_obj)
    ip = client_ip.get()
    targets = list(targets)
    _check(action, {target._meta.label for target in targets})
    rows = [
        (
            tenant_default or getattr(target, "tenant_id", None) or actor_tenant,
            actor_id,
            actor_label,
            action,
            target._meta.label,
            str(target.pk),
            str(target)[:254],
            data(target) if data else {},
            ip,
        )
        for target in targets
    ]
    # As in record(): in the rows' tenant's scope; rows of several tenants
    # (the month job's batches) in one INSERT under the bypass, as the
    # platform writer the audit kit is. One set-based INSERT
    # (tenants/bulk.py): no AuditEntry instance per row.
    tenant_ids = {row[0] for row in rows}
    with row_scope(tenant_ids.pop() if len(tenant_ids) == 1 else None):
        insert_rows(
            AuditEntry,
            ("tenant_id", "actor_id", "actor_label", "action", "object_type", "object_id", "object_label", "data",
             "ip_address"),
            rows,
            returning=None,
        )
    return len(rows)
