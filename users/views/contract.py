"""契約情報 (manual ch. 4): CONTRACT-1 and the representative change of CONTRACT-2."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import TenantRequest, tenant_role_required
from audit.client import client_ip
from users import selectors
from users.forms import CurrentPasswordForm, RepresentativeForm
from users.services.contract import ContractError, change_representative
from web import submission


@tenant_role_required("admin")
def contract(request: TenantRequest) -> HttpResponse:
    tenant = request.tenant
    contracts = tenant.contracts.select_related("service").order_by(
        "service__display_order", "number"
    )
    admins = selectors.other_admins(tenant=tenant, exclude=None)
    return render(
        request,
        "contract/contract.html",
        {
            "contracts": contracts,
            "representative": next((a for a in admins if a.is_representative), None),
            "can_change": len(admins) >= 2,
        },
    )


@tenant_role_required("admin")
def representative_change(request: TenantRequest) -> HttpResponse:
    """変更 → 変更後の管理者 → 確認 → 完了 → back to 契約情報 with a message.

    With fewer than two admins there is nobody to choose: the page offers to
    go to ユーザ追加 (the manual's dialog, as a page that works without JS)."""
    step = submission.stage(request)
    if step == submission.DONE and (replayed := submission.replay(request)):
        return replayed
    tenant = request.tenant
    current = selectors.representative(tenant=tenant)
    candidates = selectors.other_admins(tenant=tenant, exclude=current)
    if not candidates:
        return render(request, "contract/representative_none.html", {"representative": current})
    form = RepresentativeForm(request.POST if request.method == "POST" else None, candidates=candidates)
    reauth = CurrentPasswordForm(
        request.POST if step == submission.DONE else None, user=request.user, ip_address=client_ip(request)
    )
    if step != submission.INPUT and form.is_valid():
        new_admin = form.cleaned_data["new_admin"]
        # The password is asked on 確認 and checked before anything changes.
        if step == submission.DONE and reauth.is_valid():
            try:
                response = submission.complete(request, lambda: _change(request, new_admin), form=form)
            except ContractError as exc:
                form.add_error(None, str(exc))
                return render(request, "contract/representative_change.html", {"form": form, "representative": current})
            if response is not None:
                return response
        return render(
            request, "contract/representative_confirm.html",
            {"form": form, "reauth": reauth, "new_admin": new_admin, "representative": current},
        )
    return render(request, "contract/representative_change.html", {"form": form, "representative": current})


def _change(request: TenantRequest, new_admin: User) -> str:
    change_representative(tenant=request.tenant, new_admin=new_admin, actor=request.user)
    messages.success(
        request,
        _("代表管理者を %(name)s（%(id)s）に変更しました。") % {"name": new_admin.full_name, "id": new_admin.email},
    )
    return reverse("contract:detail")
