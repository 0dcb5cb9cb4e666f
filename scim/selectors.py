"""Reads of SCIM provisioning (issue 25): users and groups as SCIM sees
them, filtered and paged, each in a constant number of queries."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery

from accounts.models import OrganizationMembership, User, UserServiceRegistration
from scim.errors import ScimError
from scim.filters import Comparison, parse_filter
from scim.models import ScimToken, ScimUser
from tenants.models import Contract, Tenant

MAX_COUNT = 200  # ServiceProviderConfig filter.maxResults


def tokens(*, tenant: Tenant) -> QuerySet[ScimToken]:
    return ScimToken.objects.filter(tenant=tenant).order_by("revoked_at", "-created_at", "-id")


def users(*, tenant: Tenant) -> QuerySet[User]:
    """The tenant's users with what their SCIM form needs, in one query."""
    return (
        User.objects.filter(tenant=tenant)
        .annotate(
            scim_external_id=Subquery(
                ScimUser.objects.filter(tenant=tenant, user=OuterRef("pk")).values("external_id")[:1]
            ),
            scim_department=Subquery(
                OrganizationMembership.objects.filter(tenant=tenant, user=OuterRef("pk"), is_primary=True).values(
                    "organization__name"
                )[:1]
            ),
        )
        .order_by("pk")
    )


def _user_q(c: Comparison, *, tenant: Tenant) -> Q:
    if c.op not in ("eq", "pr"):
        raise ScimError(400, "invalidFilter", f"Operator {c.op!r} is not supported on {c.attr!r}.")
    value = c.value if isinstance(c.value, str) else str(c.value)
    if c.attr == "username":
        return ~Q(email="") if c.op == "pr" else Q(email=value.lower())  # stored lowered (USER-1)
    if c.attr == "externalid":
        ext = ScimUser.objects.filter(tenant=tenant).exclude(external_id="")
        if c.op == "eq":
            ext = ext.filter(external_id=value)
        return Q(pk__in=ext.values("user_id"))
    if c.attr in ("emails.value", "emails"):
        if c.op == "pr":
            return Q()
        return Q(notification_email__iexact=value) | (Q(notification_email="") & Q(email=value.lower()))
    if c.attr == "id":
        return Q(pk=int(value)) if value.isdigit() else Q(pk__in=[])
    if c.attr == "active" and c.op == "eq":
        return ~Q(status=User.Status.SUSPENDED) if c.value is True else Q(status=User.Status.SUSPENDED)
    if c.attr in ("name.familyname", "name.givenname") and c.op == "eq":
        return Q(**{"last_name" if c.attr.endswith("familyname") else "first_name": value})
    raise ScimError(400, "invalidFilter", f"Filtering on {c.attr!r} is not supported.")


def filter_users(*, tenant: Tenant, filter_text: str | None) -> QuerySet[User]:
    qs = users(tenant=tenant)
    for c in parse_filter(filter_text) if filter_text else []:
        qs = qs.filter(_user_q(c, tenant=tenant))
    return qs


def user(*, tenant: Tenant, pk: str) -> User | None:
    if not pk.isdigit():
        return None
    return users(tenant=tenant).filter(pk=int(pk)).first()


def contracts(*, tenant: Tenant) -> QuerySet[Contract]:
    """The groups: one per contracted service (SVC-1)."""
    return Contract.objects.filter(tenant=tenant).select_related("service").order_by("pk")


def _group_q(c: Comparison) -> Q:
    value = c.value if isinstance(c.value, str) else str(c.value)
    if c.op != "eq":
        raise ScimError(400, "invalidFilter", f"Operator {c.op!r} is not supported on {c.attr!r}.")
    if c.attr == "displayname":
        return Q(service__name__iexact=value)
    if c.attr == "externalid":
        return Q(number=value)
    if c.attr == "id":
        return Q(pk=int(value)) if value.isdigit() else Q(pk__in=[])
    if c.attr == "members.value":
        return Q(user_registrations__user_id=int(value)) if value.isdigit() else Q(pk__in=[])
    raise ScimError(400, "invalidFilter", f"Filtering on {c.attr!r} is not supported.")


def filter_groups(*, tenant: Tenant, filter_text: str | None) -> QuerySet[Contract]:
    qs = contracts(tenant=tenant)
    for c in parse_filter(filter_text) if filter_text else []:
        qs = qs.filter(_group_q(c))
    return qs


def group(*, tenant: Tenant, pk: str) -> Contract | None:
    if not pk.isdigit():
        return None
    return contracts(tenant=tenant).filter(pk=int(pk)).first()


def members(*, tenant: Tenant, contract_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The members of the given groups, in one query."""
    result: dict[int, list[dict[str, Any]]] = {pk: [] for pk in contract_ids}
    rows = (
        UserServiceRegistration.objects.filter(tenant=tenant, contract_id__in=contract_ids)
        .order_by("contract_id", "user_id")
        .values_list("contract_id", "user_id", "user__email")
    )
    for contract_id, user_id, email in rows:
        result[contract_id].append({"value": str(user_id), "display": email, "$ref": None})
    return result
