from __future__ import annotations

from typing import Any

from celery import Task

from tenants.scoping import tenant_scope


class TenantTask(Task):
    """Base for tasks that work on one tenant's data.

    Tasks take primary keys only; the first keyword argument ``tenant_id``
    puts the body inside that tenant's scope (pretix ``EventTask``), so a task
    for tenant A cannot read tenant B even by mistake.
    """

    abstract = True

    def __call__(self, *args: Any, tenant_id: int, **kwargs: Any) -> Any:
        with tenant_scope(tenant_id):
            return super().__call__(*args, tenant_id=tenant_id, **kwargs)
