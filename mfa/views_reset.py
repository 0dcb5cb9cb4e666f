"""An admin resets another user's factors (issue 24: the phone and the
recovery codes are lost). The admin re-enters their own password; the user is
told by mail; the 代表管理者's factors are reset only by an operator (Django
admin), so no admin can strip the representative's protection."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import ROLE_ADMIN, TenantRequest, tenant_role_required
from accounts.services.reauth import Reauth, check_current_password
from audit.client import client_ip
from mfa.forms import PasswordForm
from mfa.services.factors import factors_of, reset_factors


@tenant_role_required(ROLE_ADMIN)
def reset(request: TenantRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User.objects.filter(tenant=request.tenant), pk=pk)
    if target.pk == request.user.pk or target.is_representative:
        raise PermissionDenied
    form = PasswordForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        result = check_current_password(
            user=request.user, password=form.cleaned_data["password"], ip_address=client_ip(request)
        )
        if result == Reauth.OK:
            if reset_factors(user=target, actor=request.user, by="admin"):
                messages.success(request, _("%(name)s さんの2段階認証をリセットしました。") % {"name": target.full_name})
            else:  # another tab or a resubmitted form got there first
                messages.info(
                    request, _("%(name)s さんの2段階認証は既にリセットされています。") % {"name": target.full_name}
                )
            return redirect("users:detail", pk=target.pk)
        if result == Reauth.WAIT:
            status = 429
            form.add_error(None, _("短時間に多数のリクエストがありました。しばらく時間をおいてから再度お試しください。"))
        else:
            form.add_error("password", _("パスワードが正しくありません。"))
    return render(
        request, "mfa/reset.html", {"form": form, "target": target, "factors": factors_of(target)}, status=status
    )
