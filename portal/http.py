from __future__ import annotations

from django.http import HttpRequest

from accounts.models import User
from tenants.models import Tenant


class TenantRequest(HttpRequest):
    """A request inside a tenant scope, as TenantScopeMiddleware leaves it."""

    user: User
    tenant: Tenant
