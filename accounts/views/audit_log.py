"""操作ログ (issue 15): admin only, the tenant's own entries."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.audit_log import CSV_HEADERS, PAGE_SIZE, AuditSearchForm, csv_values, search
from accounts.permissions import TenantRequest, tenant_role_required
from audit.registry import action_label
from web.csv import csv_download
from web.pagination import Paginator


def _filters(request: TenantRequest) -> tuple[AuditSearchForm, dict]:
    form = AuditSearchForm(request.GET or None)
    return form, (form.cleaned_data if form.is_valid() else {})


@require_GET
@tenant_role_required("admin")
def audit_log(request: TenantRequest) -> HttpResponse:
    form, filters = _filters(request)
    entries = (
        search(tenant_id=request.tenant.pk, filters=filters)
        if not form.errors
        else search(tenant_id=request.tenant.pk, filters={}).none()
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(e, action_label(e.action)) for e in page.object_list]
    return render(request, "accounts/audit_log.html", {"form": form, "page": page, "rows": rows})


@require_GET
@tenant_role_required("admin")
def audit_log_csv(request: TenantRequest) -> HttpResponse:
    form, filters = _filters(request)
    if form.errors:
        return audit_log(request)
    entries = search(tenant_id=request.tenant.pk, filters=filters)
    return csv_download(CSV_HEADERS, csv_values(entries), name="audit_log")
