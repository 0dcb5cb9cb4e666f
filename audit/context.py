"""The request's client IP for audit entries, without audit importing any
chapter: a middleware sets a context variable that ``record`` reads when the
caller passes no IP (issue 15, 操作ログ)."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

from audit.client import client_ip as request_client_ip

client_ip: ContextVar[str | None] = ContextVar("audit_client_ip", default=None)


class AuditContextMiddleware:
    """The client's address (audit/client.py: X-Forwarded-For only from the
    trusted proxies, PORTAL_TRUSTED_PROXY_HOPS) for every entry the request
    records."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_ip.set(request_client_ip(request))
        try:
            response = self.get_response(request)
            if request.method == "GET" and response.status_code == 200:
                _record_operator_read(request)
            return response
        finally:
            client_ip.reset(token)


def _record_operator_read(request: HttpRequest) -> None:
    """An operator opening one tenant's row in Django admin is listed in that
    tenant's 操作ログ (the tenant can see who at the carrier looked)."""
    user = getattr(request, "user", None)
    match = request.resolver_match
    if not (user and user.is_staff and match and match.namespace == "admin"):
        return
    object_id = match.kwargs.get("object_id")
    if not object_id or not (match.url_name or "").endswith("_change"):
        return
    from django.contrib import admin

    for model in admin.site._registry:
        if f"{model._meta.app_label}_{model._meta.model_name}_change" != match.url_name:
            continue
        if not any(f.name == "tenant" for f in model._meta.concrete_fields):
            return
        target = model._base_manager.filter(pk=object_id).first()
        if target is None or getattr(target, "tenant_id", None) is None:
            return
        from audit.services import record

        record(action="operator.viewed", actor=user, tenant=target.tenant_id, target=target)
        return
