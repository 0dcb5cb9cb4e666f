from __future__ import annotations

from typing import Any

from django.db import models

from audit.models import AuditEntry


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

    ``action`` is a dotted code such as ``accounts.user.created``. The tenant
    defaults to the target's or the actor's tenant so callers rarely pass it.
    """
    if tenant is None:
        tenant_id = getattr(target, "tenant_id", None) or getattr(actor, "tenant_id", None)
    else:
        tenant_id = tenant if isinstance(tenant, int) else tenant.pk
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        tenant_id=tenant_id,
        actor=actor_obj,
        actor_label=getattr(actor_obj, "email", "") or "",
        action=action,
        object_type=target._meta.label if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        object_label=str(target)[:254] if target is not None else "",
        data=data or {},
        ip_address=ip_address,
    )
