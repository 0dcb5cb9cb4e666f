from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from tenants.scoping import operator_scope, tenant_scope


class TenantScopeMiddleware:
    """Runs each request inside the right scope (DESIGN.md, Tenancy).

    * A tenant user: the whole view, template rendering included, inside
      ``tenant_scope(user.tenant_id)``; ``request.tenant`` is set.
    * Staff in Django admin: ``operator_scope()``, explicitly.
    * Anyone else (anonymous, staff outside admin): no scope at all, so any
      read of tenant data fails closed.

    Streaming responses are consumed after this middleware returns, so their
    iterator re-enters the same scope.

    Under row-level security the request's scope costs one statement: it is
    not reset when the request ends but left for the next request's scope
    statement to overwrite; any other statement first resets it
    (tenants/rls.py, issue 22).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.tenant = None  # type: ignore[attr-defined]
        user = request.user
        if user.is_authenticated and user.tenant_id is not None:
            request.tenant = user.tenant  # type: ignore[attr-defined]
            with tenant_scope(user.tenant_id, request=True):
                response = self.get_response(request)
            return self._keep_scope_while_streaming(response, lambda: tenant_scope(user.tenant_id))
        if user.is_authenticated and user.is_staff and request.path.startswith("/admin/"):
            with operator_scope(request=True):
                response = self.get_response(request)
            return self._keep_scope_while_streaming(response, operator_scope)
        return self.get_response(request)

    @staticmethod
    def _keep_scope_while_streaming(response: HttpResponse, make_scope: Callable) -> HttpResponse:
        if isinstance(response, StreamingHttpResponse) and not response.is_async:
            content: Iterable[bytes] = response.streaming_content  # type: ignore[assignment]

            def scoped() -> Iterator[bytes]:
                with make_scope():
                    yield from content

            response.streaming_content = scoped()
        return response
