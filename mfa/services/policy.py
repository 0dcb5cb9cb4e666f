"""A tenant's two-step verification policy (issue 24): who must use it
(管理者 only or everyone) and from which day."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from accounts.models import User
from audit.services import record
from mfa.models import MfaPolicy
from tenants.models import Tenant


def current_policy(tenant: Tenant) -> MfaPolicy:
    """The tenant's policy (an unsaved 求めない one when none was set)."""
    return MfaPolicy.objects.filter(tenant=tenant).first() or MfaPolicy(tenant=tenant)


@transaction.atomic
def set_policy(*, tenant: Tenant, actor: User, scope: str, enforce_from: date | None) -> MfaPolicy:
    if scope == MfaPolicy.Scope.NONE:
        enforce_from = None
    policy, _ = MfaPolicy.objects.update_or_create(
        tenant=tenant, defaults={"scope": scope, "enforce_from": enforce_from}
    )
    record(
        action="mfa.policy.changed",
        actor=actor,
        tenant=tenant,
        target=policy,
        data={"scope": scope, "enforce_from": enforce_from.isoformat() if enforce_from else None},
    )
    return policy
