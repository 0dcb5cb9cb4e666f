"""The URLconf of scripts/benchsettings.py (bench_http.py only): the portal's
URLs plus the **framework floor**, a page that renders only the base layout
for the logged-in user. It goes through the same middleware, session, auth,
tenant scope and context processors (menu, badge) as every portal page, and
does nothing else: what any page of the portal costs at the least.

Not imported by the portal: no production or test settings can reach it."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from accounts.permissions import TenantRequest, tenant_role_required
from portal.urls import handler403, handler404, handler500
from portal.urls import urlpatterns as portal_urlpatterns

FLOOR_PATH = "/bench/framework-floor/"


@tenant_role_required()
def framework_floor(request: TenantRequest) -> HttpResponse:
    return render(request, "base.html", {})


urlpatterns = [path(FLOOR_PATH.strip("/") + "/", framework_floor, name="bench_framework_floor"), *portal_urlpatterns]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
