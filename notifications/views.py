"""メール通知サービス設定 (NOTIF-2), the i list (HOME-3) and マニュアル
(HOME-4): HTTP glue around ``notifications.services`` and ``selectors``."""

from __future__ import annotations

import os
from typing import Any

from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.permissions import TenantRequest, tenant_role_required
from notifications import prefectures as prefs
from notifications import selectors
from notifications.forms import REGION_MASKS, AreaForm
from notifications.services.areas import AreaError, set_area
from notifications.services.information import mark_read
from tenants.models import Service
from web.pagination import Paginator
from web.submission import DONE, INPUT, complete, stage

INFORMATION_PER_PAGE = 20


def _area_service(request: TenantRequest, service_id: int) -> Service:
    """A contracted, area-capable service of the tenant; else 404."""
    return get_object_or_404(selectors.area_services(request.tenant), pk=service_id)


def _current_mask(request: TenantRequest, service: Service) -> int:
    return selectors.area_of(request.tenant, service)


def _regions(mask: int) -> list[dict[str, Any]]:
    """The boxes as the template draws them, ticked from ``mask``."""
    return [
        {
            "key": region.key,
            "label": region.label,
            "prefectures": [{"code": p.code, "name": p.name, "checked": bool(mask & p.bit)} for p in region.prefectures],
        }
        for region in prefs.REGIONS
    ]


def _posted_mask(form: AreaForm) -> int:
    """What the (possibly invalid) form had ticked, to redraw it as typed."""
    codes = [c for c in form.data.getlist("prefectures") if c in prefs.BY_CODE]
    mask = prefs.to_mask(codes)
    for key in form.data.getlist("regions"):
        mask |= REGION_MASKS.get(key, 0)
    if form.data.get("nationwide"):
        mask = prefs.NATIONWIDE
    return mask


@tenant_role_required("admin")
def areas(request: TenantRequest) -> HttpResponse:
    """メール通知サービス設定: each area-capable service and its current area."""
    rows = selectors.area_rows(request.tenant)
    return render(request, "notifications/areas.html", {"rows": rows})


def _edit_context(service: Service, mask: int, form: AreaForm | None = None) -> dict[str, Any]:
    return {"service": service, "form": form, "regions": _regions(mask)}


@tenant_role_required("admin")
@require_http_methods(["GET", "POST"])
def area_edit(request: TenantRequest, service_id: int) -> HttpResponse:
    """設定 → tick → 確認 → 完了 (NOTIF-2), the web kit's flow. The 確認
    page carries the choice in hidden fields; 完了 validates it again and
    consumes the page's token with the change."""
    service = _area_service(request, service_id)
    current = stage(request)
    if request.method == "GET":
        return render(request, "notifications/area_edit.html", _edit_context(service, _current_mask(request, service)))
    form = AreaForm(request.POST)
    if current == INPUT:  # 戻る: the boxes as ticked, without error messages
        return render(request, "notifications/area_edit.html", _edit_context(service, _posted_mask(form)))
    if not form.is_valid():
        return render(request, "notifications/area_edit.html", _edit_context(service, _posted_mask(form), form))
    mask = form.cleaned_data["mask"]
    if current == DONE:
        try:
            done = complete(request, lambda: _set_area(request, service, mask), form=form)
        except AreaError as exc:
            form.add_error(None, str(exc))
            return render(request, "notifications/area_edit.html", _edit_context(service, mask, form))
        if done is not None:
            return done
    # 確認, or again after a 完了 without a valid token (the form says why).
    return render(
        request,
        "notifications/area_confirm.html",
        {"service": service, "area_label": prefs.describe(mask), "codes": prefs.codes(mask), "form": form},
    )


def _set_area(request: TenantRequest, service: Service, mask: int) -> str:
    set_area(tenant=request.tenant, service=service, prefectures=mask, actor=request.user)
    return reverse("notifications:area_done", args=[service.pk])


@tenant_role_required("admin")
def area_done(request: TenantRequest, service_id: int) -> HttpResponse:
    service = _area_service(request, service_id)
    mask = _current_mask(request, service)
    return render(request, "notifications/area_done.html", {"service": service, "area_label": prefs.describe(mask)})


@tenant_role_required()
def information(request: TenantRequest) -> HttpResponse:
    """i: the notices and news that reached the user, newest first (HOME-3)."""
    page = Paginator(selectors.information(request.user), INFORMATION_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notifications/information.html", {"page": page})


@tenant_role_required()
def information_detail(request: TenantRequest, pk: int) -> HttpResponse:
    """One item; opening it marks it read for this user."""
    publication = get_object_or_404(selectors.information(request.user), pk=pk)
    if not publication.is_read:
        mark_read(user=request.user, publication=publication)
    return render(request, "notifications/information_detail.html", {"item": publication})


@tenant_role_required()
def manuals(request: TenantRequest) -> HttpResponse:
    """マニュアル (HOME-4): an admin's of every contracted service, a user's
    of the services registered to them."""
    groups = selectors.contracted_manuals(request.user)
    return render(request, "notifications/manuals.html", {"groups": groups})


@tenant_role_required()
def manual_file(request: TenantRequest, pk: int) -> HttpResponse:
    """A manual's PDF, only for someone who may read that service's manuals."""
    manual = get_object_or_404(selectors.manual_files(request.user), pk=pk)
    name = f"{manual.title}{os.path.splitext(manual.file.name)[1] or '.pdf'}"
    response = FileResponse(manual.file.open("rb"), as_attachment=True, filename=name, content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response

