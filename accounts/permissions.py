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
from tenants.scoping import operator_scope


class TenantRequest(HttpRequest):
    """A request inside a tenant scope, as TenantScopeMiddleware leaves it
    (here, not in portal: every chapter's views use it, and chapters import
    nothing from portal)."""

    user: User
    tenant: Tenant


class OperatorRequest(HttpRequest):
    """A request of a carrier operator, as ``operator_required`` admits it:
    a staff user of no tenant, the view running inside ``operator_scope()``."""

    user: User


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


def is_operator(user: Any) -> bool:
    """The carrier's staff: a staff account outside every tenant."""
    return bool(getattr(user, "is_staff", False)) and getattr(user, "tenant_id", None) is None


def operator_required(*permissions: str, on_post: tuple[str, ...] = ()) -> Callable:
    """Operators' pages outside Django admin (the staff console): login
    required; a customer's account, or a staff account lacking one of
    ``permissions`` (plus ``on_post`` for a POST), gets 403 (issue 21: being
    staff alone is no longer enough; the groups that grant them are in
    docs/security.md). Superusers hold every permission. The view runs
    inside ``operator_scope()``, since an operator's work spans tenants."""
    if not permissions:
        raise ValueError("An operator page names the permission it needs.")

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            needed = permissions + (on_post if request.method == "POST" else ())
            if not is_operator(request.user) or not request.user.has_perms(needed):
                raise PermissionDenied
            with operator_scope():
                return view(request, *args, **kwargs)

        return wrapped

    return decorator
