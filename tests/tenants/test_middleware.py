"""The middleware runs each request in the user's scope (DESIGN.md)."""

from __future__ import annotations

from http import HTTPStatus

from django.http import StreamingHttpResponse
from django.test import RequestFactory

from tenants.middleware import TenantScopeMiddleware
from tenants.scoping import current_tenant_id


def test_tenant_request_runs_inside_the_users_scope(alice):
    seen = {}

    def view(request):
        seen["tenant"] = current_tenant_id()
        return StreamingHttpResponse(iter([b"x"]))

    request = RequestFactory().get("/home/")
    request.user = alice
    response = TenantScopeMiddleware(view)(request)
    assert seen["tenant"] == alice.tenant_id
    assert request.tenant == alice.tenant

    # Streaming content is consumed after the middleware returned: still scoped.
    def body():
        yield str(current_tenant_id()).encode()

    def streaming_view(request):
        return StreamingHttpResponse(body())

    response = TenantScopeMiddleware(streaming_view)(request)
    assert b"".join(response.streaming_content) == str(alice.tenant_id).encode()


def test_anonymous_request_has_no_scope(db):
    from django.contrib.auth.models import AnonymousUser

    seen = {}

    def view(request):
        seen["tenant"] = current_tenant_id()
        from django.http import HttpResponse

        return HttpResponse()

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    TenantScopeMiddleware(view)(request)
    assert seen["tenant"] is None


def test_operator_can_use_django_admin_across_tenants(operator_client, alice, charlie):
    response = operator_client.get("/admin/accounts/user/")
    assert response.status_code == HTTPStatus.OK
    assert alice.email in response.text and charlie.email in response.text


def test_tenant_admin_cannot_enter_django_admin(alice_client):
    response = alice_client.get("/admin/accounts/user/")
    assert response.status_code == HTTPStatus.FOUND
    assert "/admin/login/" in response.url
