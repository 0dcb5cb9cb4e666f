"""Who may open what (manual §5.1, HOME-5): enforced on every URL."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from accounts.models import User
from tenants.models import Tenant


class TenantRequest(HttpRequest):
    """A request inside a tenant scope, as TenantScopeMiddleware leaves it
    (here, not in portal: every chapter's views use it, and chapters import
    nothing from portal)."""

    user: User
    tenant: Tenant


ROLE_ADMIN = "admin"
ROLE_MEMBER = "member"


def tenant_role_required(role: str = ROLE_MEMBER) -> Callable:
    """Login required; the user must belong to a tenant (operators have none:
    404 like any missing page); ``role="admin"`` additionally needs 管理者
    (else 403)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if getattr(request, "tenant", None) is None:
                raise Http404
            if role == ROLE_ADMIN and request.user.role != User.Role.ADMIN:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class TenantRoleRequiredMixin:
    """Class-based views: set ``required_role``; wraps ``as_view()``."""

    required_role: str = ROLE_MEMBER

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Callable[..., HttpResponse]:
        view = super().as_view(**initkwargs)  # type: ignore[misc]
        return tenant_role_required(cls.required_role)(view)
