"""Organizations of a tenant (USER-9): add, rename/move, delete."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from audit.services import record
from tenants.models import Tenant


class OrganizationError(Exception):
    pass


def _check_parent(*, tenant: Tenant, organization: Organization | None, parent_id: int | None) -> None:
    if parent_id is None:
        return
    parents = dict(tenant.organizations.values_list("pk", "parent_id"))
    if parent_id not in parents:
        raise OrganizationError(_("上位組織が見つかりません。"))
    # Walking up from the new parent must not meet the organization itself.
    node: int | None = parent_id
    while node is not None and organization is not None:
        if node == organization.pk:
            raise OrganizationError(_("自身または配下の組織を上位組織にはできません。"))
        node = parents.get(node)


def _check_name(*, tenant: Tenant, name: str, parent_id: int | None, exclude: int | None = None) -> None:
    qs = tenant.organizations.filter(name=name, parent_id=parent_id)
    if exclude:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        raise OrganizationError(_("同じ上位組織の下に同じ名前の組織があります。"))


@transaction.atomic
def create_organization(*, tenant: Tenant, actor: User, name: str, parent_id: int | None) -> Organization:
    _check_parent(tenant=tenant, organization=None, parent_id=parent_id)
    _check_name(tenant=tenant, name=name, parent_id=parent_id)
    org = Organization(tenant=tenant, name=name, parent_id=parent_id)
    org.full_clean(validate_constraints=False)
    org.save()
    record(action="accounts.organization.created", actor=actor, target=org, data={"parent": parent_id})
    return org


@transaction.atomic
def update_organization(*, organization: Organization, actor: User, name: str, parent_id: int | None) -> Organization:
    tenant = organization.tenant
    _check_parent(tenant=tenant, organization=organization, parent_id=parent_id)
    _check_name(tenant=tenant, name=name, parent_id=parent_id, exclude=organization.pk)
    before = {"name": organization.name, "parent": organization.parent_id}
    organization.name = name
    organization.parent_id = parent_id
    organization.full_clean(validate_constraints=False)
    organization.save(update_fields=["name", "parent"])
    record(
        action="accounts.organization.updated", actor=actor, target=organization,
        data={"before": before, "after": {"name": name, "parent": parent_id}},
    )
    return organization


def deletion_refusal(*, organization: Organization) -> str | None:
    if organization.children.exists():
        return _("配下に組織がある組織は削除できません。先に配下の組織を削除してください。")
    return None


@transaction.atomic
def delete_organization(*, organization: Organization, actor: User) -> None:
    """Memberships go with it; a user whose 代表組織 it was gets another of
    their organizations as 代表組織 (one representative stays the rule)."""
    refusal = deletion_refusal(organization=organization)
    if refusal:
        raise OrganizationError(refusal)
    tenant = organization.tenant
    orphaned = list(
        organization.memberships.filter(is_primary=True).values_list("user_id", flat=True)
    )
    record(action="accounts.organization.deleted", actor=actor, target=organization)
    organization.delete()
    # Each orphaned user's oldest remaining membership becomes primary: one
    # read and one UPDATE for all of them, not two queries per user.
    first_ids: dict[int, int] = {}
    for user_id, pk in (
        tenant.organization_memberships.filter(user_id__in=orphaned).order_by("user_id", "pk").values_list("user_id", "pk")
    ):
        first_ids.setdefault(user_id, pk)
    if first_ids:
        tenant.organization_memberships.filter(pk__in=list(first_ids.values())).update(is_primary=True)


def member_counts(*, tenant: Tenant) -> dict[int, int]:
    return dict(
        tenant.organization_memberships.values("organization").annotate(n=Count("pk")).values_list("organization", "n")
    )
