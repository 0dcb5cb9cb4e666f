"""ID 数確認/変更申込 (manual ch. 7): HTTP glue around ``idchange.services``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.permissions import TenantRequest, tenant_role_required
from idchange import clock, selectors
from idchange.forms import IdChangeForm
from idchange.models import IdChangeApplication
from idchange.services.errors import IdChangeError
from idchange.services.preview import preview_id_change
from idchange.services.submit import submit_id_change
from idchange.services.withdraw import withdraw_id_change
from tenants.models import Contract
from web.submission import DONE, INPUT, complete, stage


def _get_contract(request: TenantRequest, pk: int) -> Contract:
    contract = get_object_or_404(
        selectors.id_change_contracts(request.tenant),
        pk=pk,
    )
    return contract


def _get_application(request: TenantRequest, pk: int) -> IdChangeApplication:
    return get_object_or_404(
        request.tenant.id_change_applications.select_related(
            "contract__service", "applicant"
        ),
        pk=pk,
    )


@tenant_role_required("admin")
def contract_list(request: TenantRequest) -> HttpResponse:
    """ID 数確認/変更申込 (IDC-1, IDC-9)."""
    now = clock.now()
    rows = selectors.contract_rows(request.tenant, now=now)
    return render(request, "idchange/list.html", {"rows": rows, "now": now})


@tenant_role_required("admin")
@require_http_methods(["GET", "POST"])
def apply(request: TenantRequest, pk: int) -> HttpResponse:
    """ID 数変更申込: 入力 → 確認 → 申込 (IDC-2), the web kit's flow. The
    確認 page carries the input in hidden fields; 申込 validates and decides
    everything again and consumes the 確認 page's token with the application,
    so Back + 申込 again applies once."""
    contract = _get_contract(request, pk)
    now = clock.now()
    current = stage(request)
    if current != DONE:
        # At 申込 the service decides again (an application in flight or an
        # offline reduction is its error too), after the token: a second 申込
        # with a used token answers 「すでに完了」, not "in flight".
        reason = selectors.blocked_reason(contract, now=now)
        if reason:
            messages.error(request, reason)
            return redirect("idchange:list")
    lines = list(contract.lines.all())
    targets = selectors.allowed_targets(contract, now=now)
    context: dict[str, Any] = {"contract": contract, "now": now, "all_lines": lines}
    if current == INPUT:
        # GET, or 戻る: the input again, filled in, without error messages.
        form = IdChangeForm(initial=request.POST.dict(), contract=contract, lines=lines, targets=targets)
        return render(request, "idchange/input.html", {**context, "form": form})
    form = IdChangeForm(request.POST, contract=contract, lines=lines, targets=targets)
    context["form"] = form
    if not form.is_valid():
        return render(request, "idchange/input.html", context)
    try:
        if current == DONE:
            done = complete(request, lambda: _submit(request, contract, form, now), form=form)
            if done is not None:
                return done
        preview = preview_id_change(
            contract=contract, changes=form.changes(), target=form.cleaned_data["target"], now=now
        )
    except IdChangeError as exc:
        form.add_service_error(exc.code, exc.message, exc.line_id)
        return render(request, "idchange/input.html", context)
    # 確認, or again after a 申込 without a valid token (the form says why).
    return render(request, "idchange/confirm.html", {**context, "preview": preview})


def _submit(request: TenantRequest, contract: Contract, form: IdChangeForm, now: datetime) -> str:
    application = submit_id_change(
        contract=contract,
        changes=form.changes(),
        target=form.cleaned_data["target"],
        applicant=request.user,
        now=now,
    )
    return reverse("idchange:done", args=[application.pk])


@tenant_role_required("admin")
def done(request: TenantRequest, pk: int) -> HttpResponse:
    """ID 数変更申込完了: the 受付番号 and the way back to the list."""
    application = _get_application(request, pk)
    return render(request, "idchange/done.html", {"application": application})


@tenant_role_required("admin")
def detail(request: TenantRequest, pk: int) -> HttpResponse:
    """The application behind a 受付番号 (IDC-10)."""
    application = _get_application(request, pk)
    now = clock.now()
    return render(
        request,
        "idchange/detail.html",
        {
            "application": application,
            "lines": list(application.lines.all()),
            "can_withdraw": application.can_withdraw(now),
            "now": now,
        },
    )


@tenant_role_required("admin")
@require_http_methods(["GET", "POST"])
def withdraw(request: TenantRequest, pk: int) -> HttpResponse:
    """取下の確認 → 取下 (IDC-10), the web kit's 確認 → 完了: a second 取下
    with the same 確認 page (Back, a double click) withdraws nothing and says
    it is already done, instead of 「取下できません」."""
    application = _get_application(request, pk)
    current = stage(request)
    if current == INPUT and request.method == "POST":  # 戻る
        return redirect("idchange:list")
    now = clock.now()
    stale = None
    if current == DONE:
        stale = forms.Form({})  # bound, so it can carry the kit's error
        try:
            done = complete(request, lambda: _withdraw(request, application, now), form=stale)
        except IdChangeError as exc:
            messages.error(request, exc.message)
            return redirect("idchange:detail", pk=application.pk)
        if done is not None:
            return done
    if not application.can_withdraw(now):
        raise Http404
    return render(
        request,
        "idchange/withdraw_confirm.html",
        {"application": application, "lines": list(application.lines.all()), "form": stale},
    )


def _withdraw(request: TenantRequest, application: IdChangeApplication, now: datetime) -> str:
    withdraw_id_change(application=application, actor=request.user, now=now)
    messages.success(
        request, _("受付番号 %(number)s の申込を取下しました。") % {"number": application.receipt_number}
    )
    return reverse("idchange:list")
