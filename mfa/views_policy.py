"""The tenant's two-step verification policy page (issue 24; サービス menu,
管理者 only): 入力 → 確認 → 完了 through web.submission."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.permissions import ROLE_ADMIN, TenantRequest, tenant_role_required
from mfa.forms import PolicyForm
from mfa.models import MfaPolicy
from mfa.services.policy import current_policy, set_policy
from web import submission


@tenant_role_required(ROLE_ADMIN)
def policy(request: TenantRequest) -> HttpResponse:
    current = current_policy(request.tenant)
    step = submission.stage(request)
    if step == submission.DONE and (replayed := submission.replay(request)):
        return replayed
    initial = {"scope": current.scope, "enforce_from": current.enforce_from}
    form = PolicyForm(request.POST if request.method == "POST" else None, initial=initial)
    if step != submission.INPUT and form.is_valid():
        scope_label = dict(MfaPolicy.Scope.choices)[form.cleaned_data["scope"]]
        confirm = {"form": form, "scope_label": scope_label}
        if step == submission.CONFIRM:
            return render(request, "mfa/policy_confirm.html", confirm)

        def change() -> str:
            set_policy(
                tenant=request.tenant,
                actor=request.user,
                scope=form.cleaned_data["scope"],
                enforce_from=form.cleaned_data["enforce_from"],
            )
            messages.success(request, _("2段階認証ポリシーを設定しました。"))
            return reverse("mfa:policy_done")

        return submission.complete(request, change, form=form) or render(
            request, "mfa/policy_confirm.html", confirm
        )
    return render(request, "mfa/policy.html", {"form": form, "current": current})


@tenant_role_required(ROLE_ADMIN)
def policy_done(request: TenantRequest) -> HttpResponse:
    return render(request, "mfa/policy_done.html", {"current": current_policy(request.tenant)})
