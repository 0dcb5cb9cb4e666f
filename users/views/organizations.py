"""組織 (USER-9): the tenant's organization tree, maintained by its admin."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Organization
from accounts.permissions import TenantRequest, tenant_role_required
from users import selectors
from users.forms import OrganizationForm
from users.services import organizations as org_services
from web import submission


@tenant_role_required("admin")
def organization_list(request: TenantRequest) -> HttpResponse:
    """The tree, indented, with the add form under it."""
    form = OrganizationForm(request.POST if request.method == "POST" else None, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        try:
            org = org_services.create_organization(
                tenant=request.tenant, actor=request.user,
                name=form.cleaned_data["name"], parent_id=form.cleaned_data["parent"],
            )
        except (ValidationError, org_services.OrganizationError) as exc:
            form.add_error("name", exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("組織「%(name)s」を追加しました。") % {"name": org.name})
            return redirect("users:organizations")
    tree = selectors.organization_tree(tenant=request.tenant)
    counts = org_services.member_counts(tenant=request.tenant)
    rows = [(node, counts.get(node.org.pk, 0)) for node in tree]
    return render(request, "users/organizations.html", {"form": form, "tree": rows})


@tenant_role_required("admin")
def organization_edit(request: TenantRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(request.tenant.organizations, pk=pk)
    form = OrganizationForm(
        request.POST if request.method == "POST" else None, tenant=request.tenant, initial={"name": org.name, "parent": org.parent_id}
    )
    if request.method == "POST" and form.is_valid():
        try:
            org_services.update_organization(
                organization=org, actor=request.user,
                name=form.cleaned_data["name"], parent_id=form.cleaned_data["parent"],
            )
        except (ValidationError, org_services.OrganizationError) as exc:
            form.add_error(None, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("組織を変更しました。"))
            return redirect("users:organizations")
    return render(request, "users/organization_edit.html", {"form": form, "org": org})


@tenant_role_required("admin")
def organization_delete(request: TenantRequest, pk: int) -> HttpResponse:
    """組織の削除: the confirmation, then 削除 once per token."""
    step = submission.stage(request)
    if step == submission.DONE and (replayed := submission.replay(request)):
        return replayed
    org = get_object_or_404(request.tenant.organizations, pk=pk)
    if step == submission.INPUT and request.method == "POST":  # 戻る
        return redirect("users:organizations")
    refusal = org_services.deletion_refusal(organization=org)
    form = forms.Form(request.POST if step == submission.DONE else None)
    if step == submission.DONE and refusal is None:
        response = submission.complete(request, lambda: _delete(request, org), form=form)
        if response is not None:
            return response
    members = org.memberships.count()
    return render(
        request, "users/organization_delete.html", {"org": org, "refusal": refusal, "members": members, "form": form}
    )


def _delete(request: TenantRequest, org: Organization) -> str:
    org_services.delete_organization(organization=org, actor=request.user)
    messages.success(request, _("組織「%(name)s」を削除しました。") % {"name": org.name})
    return reverse("users:organizations")
