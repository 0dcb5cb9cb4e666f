"""お問い合わせ for admins and users (manual ch. 14): HTTP glue around
``inquiries.services``; reads through ``inquiries.selectors``."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import tenant_role_required
from inquiries import attachments, selectors
from inquiries.forms import (
    AttachmentsForm,
    GeneralInquiryForm,
    MessageForm,
    ServiceSelectForm,
    StatusFilterForm,
    TroubleInquiryForm,
    initial_from,
)
from inquiries.models import Inquiry
from inquiries.retention import attachments_expire_at
from inquiries.services import (
    LOCKED,
    InquiryError,
    add_customer_message,
    resolve_inquiry,
    submit_general_inquiry,
    submit_inquiry,
)
from tenants.models import Service
from web.pagination import Paginator

PAGE_SIZE = 100


def _step(request: HttpRequest) -> str:
    return request.POST.get("step", "confirm") if request.method == "POST" else "input"


def _contact_email(request: HttpRequest) -> dict[str, str]:
    user = request.user
    return {"contact_email": user.notification_email or user.email}  # type: ignore[union-attr]


def _trouble_service(request: HttpRequest, code: str) -> Service:
    """One of the tenant's services that take trouble inquiries; any other
    code is a 404 like a missing page."""
    for service in selectors.trouble_services(request.tenant):  # type: ignore[attr-defined]
        if service.code == code:
            return service
    raise Http404


def _visible_inquiry(request: HttpRequest, pk: int) -> Inquiry:
    """Another tenant's inquiry, or (for a ユーザ) one someone else filed,
    is a 404, indistinguishable from a missing one."""
    inquiries = selectors.visible_inquiries(request.tenant, request.user)  # type: ignore[attr-defined]
    return get_object_or_404(inquiries.select_related("service", "created_by"), pk=pk)


# --- よくあるご質問 -------------------------------------------------------------


@tenant_role_required()
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The お問い合わせ menu opens on よくあるご質問 (INQ-9), the forms one click away."""
    query = request.GET.get("q", "").strip()[:100]
    categories = selectors.faq_categories(query)
    return render(
        request,
        "inquiries/index.html",
        {
            "categories": categories,
            "query": query,
            "hit_count": sum(len(c.matching_entries) for c in categories),
            "has_trouble_services": bool(selectors.trouble_services(request.tenant)),  # type: ignore[attr-defined]
        },
    )


@tenant_role_required()
@require_GET
def faq_suggest(request: HttpRequest) -> HttpResponse:
    """FAQ entries matching the subject being typed (an HTML fragment the
    form's script puts beside it; the form works without it)."""
    entries = selectors.faq_suggestions(request.GET.get("q", "")[:100])
    return render(request, "inquiries/_faq_suggestions.html", {"entries": entries})


# --- （一般）お問い合わせ ---------------------------------------------------------


@tenant_role_required()
@require_http_methods(["GET", "POST"])
def general(request: HttpRequest) -> HttpResponse:
    """INQ-1: 入力 → 確認 → 完了; the input travels in hidden fields."""
    step = _step(request)
    if step in ("input", "back"):
        # 戻る: the input again, filled in, without error messages.
        initial = initial_from(GeneralInquiryForm(), request.POST) if step == "back" else _contact_email(request)
        return render(request, "inquiries/general_input.html", {"form": GeneralInquiryForm(initial=initial)})
    form = GeneralInquiryForm(request.POST)
    if not form.is_valid():
        return render(request, "inquiries/general_input.html", {"form": form})
    if step != "submit":
        return render(request, "inquiries/general_confirm.html", {"form": form})
    submit_general_inquiry(
        tenant=request.tenant,  # type: ignore[attr-defined]
        user=request.user,  # type: ignore[arg-type]
        **form.cleaned_data,
    )
    return redirect("inquiries:general_done")


@tenant_role_required()
@require_GET
def general_done(request: HttpRequest) -> HttpResponse:
    return render(request, "inquiries/general_done.html")


# --- （障害）お問い合わせ ---------------------------------------------------------


@tenant_role_required()
@require_http_methods(["GET", "POST"])
def trouble_select(request: HttpRequest) -> HttpResponse:
    """「障害問い合わせ（入力）」: pick the target service (INQ-2)."""
    services = selectors.trouble_services(request.tenant)  # type: ignore[attr-defined]
    form = ServiceSelectForm(request.POST if request.method == "POST" else None, services=services)
    if request.method == "POST" and form.is_valid():
        return redirect("inquiries:trouble_form", code=form.cleaned_data["service"])
    return render(request, "inquiries/trouble_select.html", {"form": form, "services": services})


@tenant_role_required()
@require_http_methods(["GET", "POST"])
def trouble_form(request: HttpRequest, code: str) -> HttpResponse:
    """The service's own form (INQ-2): 入力 → 確認 → 完了 → 状況/履歴.

    At 確認 the files are checked and staged by the upload module; their keys
    travel in hidden fields and 完了 keeps them. The rest of the input is
    validated again at 完了."""
    service = _trouble_service(request, code)
    specs = selectors.form_fields(service)
    step = _step(request)
    context = {"service": service}
    if step in ("input", "back"):
        blank = TroubleInquiryForm(specs=specs)
        initial = initial_from(blank, request.POST) if step == "back" else _contact_email(request)
        form = TroubleInquiryForm(initial=initial, specs=specs)
        return render(request, "inquiries/trouble_input.html", {**context, "form": form, "files_form": AttachmentsForm()})
    form = TroubleInquiryForm(request.POST, specs=specs)
    if step == "confirm":
        files_form = AttachmentsForm(request.POST, request.FILES)
        if not (form.is_valid() & files_form.is_valid()):
            return render(request, "inquiries/trouble_input.html", {**context, "form": form, "files_form": files_form})
        staged = attachments.stage(
            tenant=request.tenant,  # type: ignore[attr-defined]
            files=files_form.cleaned_data.get("files") or [],
            user=request.user,
        )
        return render(request, "inquiries/trouble_confirm.html", {**context, "form": form, "staged": staged})
    if not form.is_valid():
        return render(request, "inquiries/trouble_input.html", {**context, "form": form, "files_form": AttachmentsForm()})
    try:
        submit_inquiry(
            tenant=request.tenant,  # type: ignore[attr-defined]
            user=request.user,  # type: ignore[arg-type]
            service=service,
            subject=form.cleaned_data["subject"],
            contact_email=form.cleaned_data["contact_email"],
            answers=form.answers(),
            staged_files=request.POST.getlist("staged"),
        )
    except InquiryError as exc:
        messages.error(request, exc.message)
        return redirect("inquiries:trouble_select")
    messages.success(request, _("お問い合わせを受け付けました。"))
    return redirect("inquiries:history_list", code=service.code)


# --- 状況/履歴 and the detail -----------------------------------------------------


@tenant_role_required()
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    """（障害）お問い合わせ状況/履歴: pick the service first (manual 14.2.2)."""
    services = selectors.trouble_services(request.tenant)  # type: ignore[attr-defined]
    return render(request, "inquiries/history.html", {"services": services})


@tenant_role_required()
@require_GET
def history_list(request: HttpRequest, code: str) -> HttpResponse:
    """INQ-3: the service's inquiries, newest first, 100 a page, by status."""
    service = _trouble_service(request, code)
    services = selectors.trouble_services(request.tenant)  # type: ignore[attr-defined]
    filter_form = StatusFilterForm(request.GET or None)
    status = filter_form.cleaned_data["status"] if filter_form.is_valid() else ""
    rows = selectors.inquiry_list(request.tenant, request.user, service=service, status=status)  # type: ignore[attr-defined]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "inquiries/history_list.html",
        {
            "service": service,
            "services": services,
            "filter_form": filter_form,
            "page": page,
            "status_query": urlencode({"status": status}) if status else "",
        },
    )


def detail_context(inquiry: Inquiry, form: MessageForm, *, staff: bool = False) -> dict[str, object]:
    """What the detail page shows, for the customer and for the staff console."""
    return {
        "staff": staff,
        "inquiry": inquiry,
        "thread": attachments.with_files(selectors.thread(inquiry)),
        "inquiry_files": attachments.files_of_inquiry(inquiry),
        "form": form,
        "expire_at": attachments_expire_at(inquiry.resolved_at) if inquiry.resolved_at else None,
    }


@tenant_role_required()
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """INQ-4: the inquiry on the left, the thread (newest first) on the right."""
    inquiry = _visible_inquiry(request, pk)
    return render(request, "inquiries/detail.html", detail_context(inquiry, MessageForm()))


@tenant_role_required()
@require_POST
def send_message(request: HttpRequest, pk: int) -> HttpResponse:
    """INQ-4 送信: a message with optional attachments; back to 受付."""
    inquiry = _visible_inquiry(request, pk)
    form = MessageForm(request.POST, request.FILES)
    if inquiry.is_locked:
        messages.error(request, LOCKED)
        return redirect("inquiries:detail", pk=inquiry.pk)
    if not form.is_valid():
        return render(request, "inquiries/detail.html", detail_context(inquiry, form), status=400)
    try:
        add_customer_message(
            inquiry=inquiry,
            user=request.user,  # type: ignore[arg-type]
            body=form.cleaned_data["body"],
            files=form.cleaned_data.get("files") or [],
        )
    except InquiryError as exc:
        messages.error(request, exc.message)
        return redirect("inquiries:detail", pk=inquiry.pk)
    messages.success(request, _("メッセージを送信しました。"))
    return redirect("inquiries:detail", pk=inquiry.pk)


@tenant_role_required()
@require_http_methods(["GET", "POST"])
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """INQ-6 ステータスを解決済みにする: GET asks for confirmation (it cannot be
    undone), POST closes the inquiry."""
    inquiry = _visible_inquiry(request, pk)
    if request.method == "GET":
        if inquiry.is_locked:
            return redirect("inquiries:detail", pk=inquiry.pk)
        return render(request, "inquiries/resolve_confirm.html", {"inquiry": inquiry})
    try:
        resolve_inquiry(inquiry=inquiry, user=request.user)  # type: ignore[arg-type]
    except InquiryError as exc:
        messages.error(request, exc.message)
        return redirect("inquiries:detail", pk=inquiry.pk)
    messages.success(request, _("ステータスを解決済みにしました。"))
    return redirect("inquiries:detail", pk=inquiry.pk)
