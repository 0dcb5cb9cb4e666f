"""サービス → SCIM プロビジョニング (issue 25): the tenant's 管理者 create,
list and revoke the bearer tokens of their directory. Thin: the form, then
scim.tokens at 完了 through the web kit's one-time token (web.submission).

A token is shown once: 完了 keeps the raw value in the session only until
the next page (token_created) has shown it, then drops it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.permissions import ROLE_ADMIN, TenantRequest, tenant_role_required
from scim import selectors, tokens
from scim.forms import TokenForm
from web import submission

NEW_TOKEN_SESSION_KEY = "scim_new_token"


@tenant_role_required(ROLE_ADMIN)
def token_list(request: TenantRequest) -> HttpResponse:
    return render(
        request,
        "scim/token_list.html",
        {
            "tokens": selectors.tokens(tenant=request.tenant).select_related("created_by"),
            "endpoint": request.build_absolute_uri(reverse("scim:users")).removesuffix("Users"),
        },
    )


@tenant_role_required(ROLE_ADMIN)
def token_add(request: TenantRequest) -> HttpResponse:
    """入力 → 確認 → 完了; 完了 leads to the page that shows the token once."""
    step = submission.stage(request)
    if step == submission.DONE and (replayed := submission.replay(request)):
        return replayed
    form = TokenForm(request.POST if request.method == "POST" else None)
    if step != submission.INPUT and form.is_valid():
        if step == submission.CONFIRM:
            return render(request, "scim/token_confirm.html", {"form": form})
        data = form.cleaned_data

        def change() -> str:
            token, raw = tokens.create_token(
                tenant=request.tenant, actor=request.user, name=data["name"], send_setup_mail=data["send_setup_mail"]
            )
            request.session[NEW_TOKEN_SESSION_KEY] = {"id": token.pk, "raw": raw}
            return reverse("scim_tokens:created")

        return submission.complete(request, change, form=form) or render(
            request, "scim/token_confirm.html", {"form": form}
        )
    return render(request, "scim/token_add.html", {"form": form})


@tenant_role_required(ROLE_ADMIN)
def token_created(request: TenantRequest) -> HttpResponse:
    """完了: the raw token, this once (a reload no longer shows it)."""
    new = request.session.pop(NEW_TOKEN_SESSION_KEY, None)
    if not new:
        messages.info(request, _("トークンは作成時に一度だけ表示されます。"))
        return redirect("scim_tokens:list")
    token = get_object_or_404(selectors.tokens(tenant=request.tenant), pk=new["id"])
    response = render(request, "scim/token_created.html", {"token": token, "raw": new["raw"]})
    response["Cache-Control"] = "no-store"
    return response


@tenant_role_required(ROLE_ADMIN)
def token_revoke(request: TenantRequest, pk: int) -> HttpResponse:
    """失効, after a confirmation page; the directory's next call gets 401."""
    token = get_object_or_404(selectors.tokens(tenant=request.tenant), pk=pk, revoked_at__isnull=True)
    if request.method == "POST":
        tokens.revoke_token(token=token, actor=request.user)
        messages.success(request, _("トークン「%(name)s」を失効しました。") % {"name": token.name})
        return redirect("scim_tokens:list")
    return render(request, "scim/token_revoke.html", {"token": token})
