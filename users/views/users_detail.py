"""ユーザ詳細 with its tabs: 基本情報, サービス情報, 受信設定 (USER-7, SVC-1/2, NOTIF-1)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import TenantRequest, tenant_role_required
from users import selectors
from users.forms import ReceiveSettingForm, ServiceRegistrationForm, StatusForm, UserForm
from users.services import service_registrations, user_accounts, user_deletion, user_security
from users.services.errors import UserAdminError
from users.views.users import add_service_errors, list_url, summary
from web import submission


def _user(request: TenantRequest, pk: int) -> User:
    return get_object_or_404(request.tenant.users, pk=pk)


def _ctx(request: TenantRequest, user: User, tab: str, **extra: Any) -> dict[str, Any]:
    return {"subject": user, "tab": tab, "back_url": list_url(request), **extra}


@tenant_role_required("admin")
def user_detail(request: TenantRequest, pk: int) -> HttpResponse:
    user = _user(request, pk)
    memberships = list(user.memberships.select_related("organization").order_by("-is_primary", "organization__name"))
    return render(
        request,
        "users/detail.html",
        _ctx(
            request, user, "basic",
            memberships=memberships,
            deletion_refusal=user_deletion.deletion_refusal(user=user, actor=request.user),
        ),
    )


def _initial(user: User) -> dict[str, Any]:
    initial = {k: getattr(user, k) for k in user_accounts.PROFILE_FIELDS}
    memberships = list(user.memberships.all())
    initial["organizations"] = [m.organization_id for m in memberships]
    initial["primary_organization"] = next((m.organization_id for m in memberships if m.is_primary), None)
    return initial


@tenant_role_required("admin")
def user_edit(request: TenantRequest, pk: int) -> HttpResponse:
    """基本情報の変更 → 確認 → 完了."""
    step = submission.stage(request)
    if step == submission.DONE and (replayed := submission.replay(request)):
        return replayed
    user = _user(request, pk)
    form = UserForm(
        request.POST if request.method == "POST" else None,
        tenant=request.tenant,
        instance=user,
        initial=_initial(user),
        actor=request.user,
    )
    if step == submission.INPUT or not form.is_valid():
        return render(request, "users/edit.html", _ctx(request, user, "basic", form=form))
    if step == submission.DONE:
        try:
            response = submission.complete(request, lambda: _update(request, user, form), form=form)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return render(request, "users/edit.html", _ctx(request, user, "basic", form=form))
        except UserAdminError as exc:
            form.add_error(None, str(exc))
            return render(request, "users/edit.html", _ctx(request, user, "basic", form=form))
        if response is not None:
            return response
    return render(request, "users/edit_confirm.html", _ctx(request, user, "basic", form=form, summary=summary(form)))


def _update(request: TenantRequest, user: User, form: UserForm) -> str:
    user_accounts.update_user(user=user, actor=request.user, data=form.cleaned_data)
    messages.success(request, _("ユーザ情報を変更しました。"))
    return reverse("users:detail", args=[user.pk])


@tenant_role_required("admin")
def user_status(request: TenantRequest, pk: int) -> HttpResponse:
    """ステータス変更: 有効 / 一時停止."""
    user = _user(request, pk)
    initial_status = user.status if user.status in (User.Status.ACTIVE, User.Status.SUSPENDED) else None
    form = StatusForm(request.POST if request.method == "POST" else None, initial={"status": initial_status})
    if request.method == "POST" and form.is_valid():
        try:
            user_accounts.set_status(user=user, actor=request.user, status=form.cleaned_data["status"])
        except UserAdminError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("ステータスを変更しました。"))
            return redirect("users:detail", pk=user.pk)
    return render(request, "users/status.html", _ctx(request, user, "basic", form=form))


def _simple_action(request: TenantRequest, pk: int, action: Any, success: str) -> HttpResponse:
    user = _user(request, pk)
    try:
        action(user=user, actor=request.user)
    except UserAdminError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return redirect("users:detail", pk=user.pk)


@tenant_role_required("admin")
@require_POST
def user_unlock(request: TenantRequest, pk: int) -> HttpResponse:
    return _simple_action(request, pk, user_security.unlock_user, _("アカウントロックを解除しました。"))


@tenant_role_required("admin")
@require_POST
def user_password_reset(request: TenantRequest, pk: int) -> HttpResponse:
    return _simple_action(
        request, pk, user_security.send_password_reset, _("パスワード再設定メールを送信しました。")
    )


@tenant_role_required("admin")
@require_POST
def user_setup_mail(request: TenantRequest, pk: int) -> HttpResponse:
    return _simple_action(request, pk, user_security.resend_setup_mail, _("初期設定依頼メールを送信しました。"))


@tenant_role_required("admin")
def user_delete(request: TenantRequest, pk: int) -> HttpResponse:
    """ユーザ削除 with a confirmation; refused for oneself and the representative (USER-8)."""
    step = submission.stage(request)
    if step == submission.DONE and (replayed := submission.replay(request)):
        return replayed
    user = _user(request, pk)
    if step == submission.INPUT and request.method == "POST":  # 戻る
        return redirect("users:detail", pk=user.pk)
    refusal = user_deletion.deletion_refusal(user=user, actor=request.user)
    form = forms.Form(request.POST if step == submission.DONE else None)
    if step == submission.DONE and refusal is None:
        response = submission.complete(request, lambda: _delete(request, user), form=form)
        if response is not None:
            return response
    if step == submission.DONE and refusal:
        messages.error(request, refusal)
    return render(request, "users/delete_confirm.html", _ctx(request, user, "basic", refusal=refusal, form=form))


def _delete(request: TenantRequest, user: User) -> str:
    user_deletion.delete_users(tenant=request.tenant, actor=request.user, user_ids=[user.pk])
    messages.success(request, _("ユーザ %(id)s を削除しました。") % {"id": user.email})
    return list_url(request)


# --- サービス情報 (SVC-1, SVC-2) ------------------------------------------------


@tenant_role_required("admin")
def user_services_tab(request: TenantRequest, pk: int) -> HttpResponse:
    user = _user(request, pk)
    rows = selectors.service_rows(tenant=request.tenant, user=user)
    return render(request, "users/services.html", _ctx(request, user, "services", rows=rows))


def _contract(request: TenantRequest, contract_pk: int) -> Any:
    return get_object_or_404(request.tenant.contracts.select_related("service"), pk=contract_pk)


def _field_rows(user: User, contract: Any, form: ServiceRegistrationForm, values: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for spec in contract.service.user_fields or []:
        name = spec["name"]
        auto = bool(spec.get("auto"))
        value = service_registrations.auto_value(user=user, contract=contract, spec=spec) if auto else values.get(name, "")
        rows.append({"name": name, "label": spec.get("label", name), "required": bool(spec.get("required")),
                     "auto": auto, "value": value, "input_name": f"f_{name}",
                     "errors": form.errors.get(f"f_{name}", []) if form.is_bound else []})
    return rows


@tenant_role_required("admin")
def user_service_register(request: TenantRequest, pk: int, contract_pk: int) -> HttpResponse:
    """サービス登録（入力） → 確認 → 完了 → 登録済; the same screens change a registration."""
    step = submission.stage(request)
    if step == submission.DONE and (replayed := submission.replay(request)):
        return replayed
    user = _user(request, pk)
    contract = _contract(request, contract_pk)
    registration = user.service_registrations.filter(contract=contract).first()
    form = ServiceRegistrationForm(request.POST if request.method == "POST" else None, user=user, contract=contract)
    valid = request.method == "POST" and form.is_valid()
    values = form.submitted() if request.method == "POST" else (registration.values if registration else {})
    ctx = _ctx(request, user, "services", contract=contract, registration=registration, form=form)
    if step != submission.INPUT and valid:
        if step == submission.DONE:
            response = submission.complete(request, lambda: _register(request, user, contract, form), form=form)
            if response is not None:
                return response
        return render(request, "users/service_confirm.html", {**ctx, "rows": _field_rows(user, contract, form, values)})
    return render(request, "users/service_form.html", {**ctx, "rows": _field_rows(user, contract, form, values)})


def _register(request: TenantRequest, user: User, contract: Any, form: ServiceRegistrationForm) -> str:
    service_registrations.register_service(user=user, contract=contract, actor=request.user, values=form.submitted())
    messages.success(request, _("%(service)s を登録しました。") % {"service": contract.service.name})
    return reverse("users:services", args=[user.pk])


@tenant_role_required("admin")
def user_service_remove(request: TenantRequest, pk: int, contract_pk: int) -> HttpResponse:
    step = submission.stage(request)
    if step == submission.DONE and (replayed := submission.replay(request)):
        return replayed
    user = _user(request, pk)
    contract = _contract(request, contract_pk)
    if not user.service_registrations.filter(contract=contract).exists():
        raise Http404
    if step == submission.INPUT and request.method == "POST":  # 戻る
        return redirect("users:services", pk=user.pk)
    form = forms.Form(request.POST if step == submission.DONE else None)
    if step == submission.DONE:
        response = submission.complete(request, lambda: _unregister(request, user, contract), form=form)
        if response is not None:
            return response
    return render(request, "users/service_remove.html", _ctx(request, user, "services", contract=contract, form=form))


def _unregister(request: TenantRequest, user: User, contract: Any) -> str:
    service_registrations.unregister_service(user=user, contract=contract, actor=request.user)
    messages.success(request, _("%(service)s の登録を削除しました。") % {"service": contract.service.name})
    return reverse("users:services", args=[user.pk])


# --- 受信設定 (NOTIF-1) --------------------------------------------------------


@tenant_role_required("admin")
def user_receive(request: TenantRequest, pk: int) -> HttpResponse:
    user = _user(request, pk)
    rows = [
        {"kind": kind, "label": label, "value": getattr(user, field_name)}
        for kind, (field_name, label) in user_accounts.RECEIVE_SETTINGS.items()
    ]
    return render(request, "users/receive.html", _ctx(request, user, "receive", rows=rows))


@tenant_role_required("admin")
def user_receive_edit(request: TenantRequest, pk: int, kind: str) -> HttpResponse:
    """設定 → 受信する/受信しない → 完了."""
    user = _user(request, pk)
    if kind not in user_accounts.RECEIVE_SETTINGS:
        raise Http404
    field_name, label = user_accounts.RECEIVE_SETTINGS[kind]
    form = ReceiveSettingForm(request.POST if request.method == "POST" else None, initial={"value": "1" if getattr(user, field_name) else "0"})
    form.fields["value"].label = label
    if request.method == "POST" and form.is_valid():
        user_accounts.set_receive_setting(user=user, actor=request.user, kind=kind, receive=form.cleaned_data["value"])
        messages.success(request, _("%(label)sの受信設定を変更しました。") % {"label": label})
        return redirect("users:receive", pk=user.pk)
    return render(request, "users/receive_edit.html", _ctx(request, user, "receive", form=form, label=label))
