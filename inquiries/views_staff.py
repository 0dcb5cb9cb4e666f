"""The operators' staff console for inquiries (INQ-8), under /staff/.

Operators are staff users with no tenant; the tenant middleware leaves them
outside any scope here, so every view enters ``operator_scope()`` explicitly
(and renders inside it, through ``operator_required``). Each page checks a
Django permission, not only ``is_staff`` (issue 21). Opening a tenant's
inquiry is an audit entry.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import OperatorRequest, operator_required
from inquiries import selectors
from inquiries.forms import MessageForm
from inquiries.models import GeneralInquiry, Inquiry
from inquiries.services import InquiryError, answer_inquiry, record_operator_access
from inquiries.staff_forms import GeneralSearchForm, StaffSearchForm
from inquiries.views import detail_context
from tenants.models import Service
from web.pagination import Paginator

PAGE_SIZE = 100


# Django permissions each page needs (issue 21): reading is view_inquiry,
# answering adds answer_inquiry; the group 問い合わせ対応 grants both.
VIEW = "inquiries.view_inquiry"
ANSWER = "inquiries.answer_inquiry"


@operator_required(VIEW)
@require_GET
def inquiry_list(request: OperatorRequest) -> HttpResponse:
    """Every tenant's （障害）お問い合わせ, searched by number, subject and
    tenant and filtered by service, status and age (issue 23)."""
    form = StaffSearchForm(
        request.GET or None, services=list(Service.objects.filter(supports_trouble_inquiry=True))
    )
    page = Paginator(selectors.staff_inquiries(**form.criteria()), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "inquiries/staff/list.html", {"form": form, "page": page, "tab": "trouble"})


@operator_required(VIEW)
@require_GET
def general_list(request: OperatorRequest) -> HttpResponse:
    """Every tenant's （一般）お問い合わせ (issue 23: not only in Django admin),
    with the same search and the same permission as the trouble inquiries."""
    form = GeneralSearchForm(request.GET or None)
    rows = selectors.staff_general_inquiries(**form.criteria())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "inquiries/staff/general_list.html", {"form": form, "page": page, "tab": "general"})


@operator_required(VIEW)
@require_GET
def general_detail(request: OperatorRequest, pk: int) -> HttpResponse:
    """One （一般）お問い合わせ. Opening it is in the tenant's audit trail, as
    opening a trouble inquiry is."""
    inquiry = get_object_or_404(GeneralInquiry.objects.select_related("tenant", "created_by"), pk=pk)
    record_operator_access(inquiry=inquiry, operator=request.user)
    return render(request, "inquiries/staff/general_detail.html", {"inquiry": inquiry, "tab": "general"})


@operator_required(VIEW, on_post=(ANSWER,))
@require_http_methods(["GET", "POST"])
def inquiry_detail(request: OperatorRequest, pk: int) -> HttpResponse:
    """One inquiry and its thread; POST 回答 answers it (回答済, mail to the
    contact address, INQ-5)."""
    inquiry = get_object_or_404(
        Inquiry.objects.select_related("tenant", "service", "created_by"), pk=pk
    )
    if request.method == "GET":
        record_operator_access(inquiry=inquiry, operator=request.user)
        context = detail_context(inquiry, MessageForm(), staff=True)
        context["read_only"] = not request.user.has_perm(ANSWER)  # no answer form without it
        return render(request, "inquiries/staff/detail.html", context)
    form = MessageForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "inquiries/staff/detail.html", detail_context(inquiry, form, staff=True), status=400)
    try:
        answer_inquiry(
            inquiry=inquiry,
            operator=request.user,
            body=form.cleaned_data["body"],
            files=form.cleaned_data.get("files") or [],
        )
    except InquiryError as exc:
        messages.error(request, exc.message)
        return redirect("inquiries_staff:detail", pk=inquiry.pk)
    messages.success(request, _("回答を送信しました。"))
    return redirect("inquiries_staff:detail", pk=inquiry.pk)
