"""お問い合わせ for admins and users (manual ch. 14): HTTP glue around
``inquiries.services``; reads through ``inquiries.selectors``."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import TenantRequest, tenant_role_required
from accounts.services import mail_quota
from inquiries import attachments, selectors
from inquiries.attachments import INQUIRY_ATTACHMENT
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
from uploads import staging
from web import submission
from web.pagination import Paginator

PAGE_SIZE = 100


def _contact_email(request: TenantRequest) -> dict[str, str]:
    user = request.user
    return {"contact_email": user.mail_to}


def _trouble_service(request: TenantRequest, code: str) -> Service:
    """One of the tenant's services that take trouble inquiries; any other
    code is a 404 like a missing page."""
    for service in selectors.trouble_services(request.tenant):
        if service.code == code:
            return service
    raise Http404


def _visible_inquiry(request: TenantRequest, pk: int) -> Inquiry:
    """Another tenant's inquiry, or (for a ユーザ) one someone else filed,
    is a 404, indistinguishable from a missing one."""
    inquiries = selectors.visible_inquiries(request.tenant, request.user)
    return get_object_or_404(inquiries.select_related("service", "created_by"), pk=pk)


# --- よくあるご質問 -------------------------------------------------------------


@tenant_role_required()
@require_GET
def index(request: TenantRequest) -> HttpResponse:
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
            "has_trouble_services": bool(selectors.trouble_services(request.tenant)),
        },
    )


@tenant_role_required()
@require_GET
def faq_suggest(request: TenantRequest) -> HttpResponse:
    """FAQ entries matching the subject being typed (an HTML fragment the
    form's script puts beside it; the form works without it)."""
    entries = selectors.faq_suggestions(request.GET.get("q", "")[:100])
    return render(request, "inquiries/_faq_suggestions.html", {"entries": entries})


# --- （一般）お問い合わせ ---------------------------------------------------------


@tenant_role_required()
@require_http_methods(["GET", "POST"])
def general(request: TenantRequest) -> HttpResponse:
    """INQ-1: 入力 → 確認 → 完了 (web.submission); the input travels in
    hidden fields and is validated again at 完了."""
    step = submission.stage(request)
    if step == submission.DONE and (replayed := submission.replay(request)):
        return replayed
    if step == submission.INPUT:
        # 戻る: the input again, filled in, without error messages.
        posted = request.method == "POST"
        initial = initial_from(GeneralInquiryForm(), request.POST) if posted else _contact_email(request)
        return render(request, "inquiries/general_input.html", {"form": GeneralInquiryForm(initial=initial)})
    form = GeneralInquiryForm(request.POST)
    if not form.is_valid():
        return render(request, "inquiries/general_input.html", {"form": form})
    if step == submission.CONFIRM:
        if mail_quota.exhausted(user=request.user):
            form.add_error(None, mail_quota.QUOTA_MESSAGE)
            return render(request, "inquiries/general_input.html", {"form": form})
        return render(request, "inquiries/general_confirm.html", {"form": form})

    def change() -> str:
        submit_general_inquiry(
            tenant=request.tenant,
            user=request.user,
            **form.cleaned_data,
        )
        return reverse("inquiries:general_done")

    try:
        response = submission.complete(request, change, form=form)
    except mail_quota.MailQuotaExceeded as exc:  # nothing stored (issue 21)
        form.add_error(None, exc.message)
        response = None
    return response or render(request, "inquiries/general_confirm.html", {"form": form})


@tenant_role_required()
@require_GET
def general_done(request: TenantRequest) -> HttpResponse:
    return render(request, "inquiries/general_done.html")


# --- （障害）お問い合わせ ---------------------------------------------------------


@tenant_role_required()
@require_http_methods(["GET", "POST"])
def trouble_select(request: TenantRequest) -> HttpResponse:
    """「障害問い合わせ（入力）」: pick the target service (INQ-2)."""
    services = selectors.trouble_services(request.tenant)
    form = ServiceSelectForm(request.POST if request.method == "POST" else None, services=services)
    if request.method == "POST" and form.is_valid():
        return redirect("inquiries:trouble_form", code=form.cleaned_data["service"])
    return render(request, "inquiries/trouble_select.html", {"form": form, "services": services})


@tenant_role_required()
@require_http_methods(["GET", "POST"])
def trouble_form(request: TenantRequest, code: str) -> HttpResponse:
    """The service's own form (INQ-2): 入力 → 確認 → 完了 → 状況/履歴
    (web.submission).

    Files are checked and staged by the upload module as soon as they are
    chosen (uploads.staging); their keys travel in hidden fields, so 戻る and
    an input error keep them and 完了 attaches them. The rest of the input is
    validated again at 完了."""
    service = _trouble_service(request, code)
    specs = selectors.form_fields(service)
    step = submission.stage(request)
    if step == submission.DONE and (replayed := submission.replay(request)):
        return replayed
    tenant, user = request.tenant, request.user

    def input_page(form: TroubleInquiryForm, files_form: AttachmentsForm, staged: list) -> HttpResponse:
        context = {"service": service, "form": form, "files_form": files_form, "staged": staged}
        return render(request, "inquiries/trouble_input.html", context)

    if request.method == "GET":
        form = TroubleInquiryForm(initial=_contact_email(request), specs=specs)
        return input_page(form, AttachmentsForm(tenant=tenant, user=user), [])
    files_form = AttachmentsForm(request.POST, request.FILES, tenant=tenant, user=user)
    if step == submission.INPUT:
        # 戻る: the input again, filled in, without error messages, with the files.
        form = TroubleInquiryForm(initial=initial_from(TroubleInquiryForm(specs=specs), request.POST), specs=specs)
        files_form.is_valid()
        return input_page(form, AttachmentsForm(tenant=tenant, user=user), files_form.kept())
    form = TroubleInquiryForm(request.POST, specs=specs)
    valid = form.is_valid() & files_form.is_valid()
    staged = files_form.kept()
    if files_form.cleaned_data.get("files"):
        staged += staging.stage(tenant=tenant, uploads=files_form.cleaned_data["files"], policy=INQUIRY_ATTACHMENT, user=user)
    if not valid:
        return input_page(form, files_form, staged)
    confirm = {"service": service, "form": form, "staged": staged}
    if step == submission.CONFIRM:
        if mail_quota.exhausted(user=user):
            form.add_error(None, mail_quota.QUOTA_MESSAGE)
            return input_page(form, files_form, staged)
        return render(request, "inquiries/trouble_confirm.html", confirm)

    def change() -> str:
        submit_inquiry(
            tenant=tenant,
            user=user,
            service=service,
            subject=form.cleaned_data["subject"],
            contact_email=form.cleaned_data["contact_email"],
            answers=form.answers(),
            staged_files=[f.key for f in staged],
        )
        messages.success(request, _("お問い合わせを受け付けました。"))
        return reverse("inquiries:history_list", args=[service.code])

    try:
        response = submission.complete(request, change, form=form)
    except mail_quota.MailQuotaExceeded as exc:  # nothing stored (issue 21)
        form.add_error(None, exc.message)
        response = None
    except InquiryError as exc:
        messages.error(request, exc.message)
        return redirect("inquiries:trouble_select")
    return response or render(request, "inquiries/trouble_confirm.html", confirm)


# --- 状況/履歴 and the detail -----------------------------------------------------


@tenant_role_required()
@require_GET
def history(request: TenantRequest) -> HttpResponse:
    """（障害）お問い合わせ状況/履歴: pick the service first (manual 14.2.2)."""
    services = selectors.trouble_services(request.tenant)
    return render(request, "inquiries/history.html", {"services": services})


@tenant_role_required()
@require_GET
def history_list(request: TenantRequest, code: str) -> HttpResponse:
    """INQ-3: the service's inquiries, newest first, 100 a page, by status."""
    service = _trouble_service(request, code)
    services = selectors.trouble_services(request.tenant)
    filter_form = StatusFilterForm(request.GET or None)
    status = filter_form.cleaned_data["status"] if filter_form.is_valid() else ""
    rows = selectors.inquiry_list(request.tenant, request.user, service=service, status=status)
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
def detail(request: TenantRequest, pk: int) -> HttpResponse:
    """INQ-4: the inquiry on the left, the thread (newest first) on the right."""
    inquiry = _visible_inquiry(request, pk)
    return render(request, "inquiries/detail.html", detail_context(inquiry, MessageForm()))


@tenant_role_required()
@require_POST
def send_message(request: TenantRequest, pk: int) -> HttpResponse:
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
            user=request.user,
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
def resolve(request: TenantRequest, pk: int) -> HttpResponse:
    """INQ-6 ステータスを解決済みにする: 確認 (it cannot be undone) → 完了
    (web.submission: 戻る is the detail, a second 完了 the already-done page)."""
    step = submission.stage(request)
    if step == submission.DONE and (replayed := submission.replay(request)):
        return replayed
    inquiry = _visible_inquiry(request, pk)
    if inquiry.is_locked and request.method == "POST":
        messages.error(request, LOCKED)  # a crafted POST, refused like the hidden button
    if inquiry.is_locked or (step == submission.INPUT and request.method == "POST"):
        return redirect("inquiries:detail", pk=inquiry.pk)
    form = Form(request.POST or None)
    if step != submission.DONE or not form.is_valid():
        return render(request, "inquiries/resolve_confirm.html", {"inquiry": inquiry, "form": form})

    def change() -> str:
        resolve_inquiry(inquiry=inquiry, user=request.user)
        messages.success(request, _("ステータスを解決済みにしました。"))
        return reverse("inquiries:detail", args=[inquiry.pk])

    try:
        response = submission.complete(request, change, form=form)
    except InquiryError as exc:
        messages.error(request, exc.message)
        return redirect("inquiries:detail", pk=inquiry.pk)
    return response or render(request, "inquiries/resolve_confirm.html", {"inquiry": inquiry, "form": form})
