"""契約情報: the one changeable item, the representative admin (CONTRACT-2).

A tenant-admin page like ユーザ管理, so it lives in accounts (the ground floor,
tenants, imports no app above it)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import record
from tenants.models import Tenant


class ContractError(Exception):
    pass


@transaction.atomic
def change_representative(*, tenant: Tenant, new_admin: User, actor: User) -> User:
    """Make ``new_admin`` the 代表管理者 in one transaction.

    The database allows one representative per tenant (a partial unique
    index), so the old flag is cleared before the new one is set; both rows
    are locked so two admins changing it at once cannot both win."""
    users = list(
        tenant.users.select_for_update().filter(Q(is_representative=True) | Q(pk=new_admin.pk))
    )
    new = next((u for u in users if u.pk == new_admin.pk), None)
    if new is None or new.role != User.Role.ADMIN:
        raise ContractError(_("代表管理者には管理者権限を持つユーザを指定してください。"))
    if new.status == User.Status.SUSPENDED:
        # The representative may not be suspended (USER-7): nor may a
        # suspended admin become it.
        raise ContractError(_("一時停止中のユーザは代表管理者にできません。"))
    if new.is_representative:
        raise ContractError(_("このユーザはすでに代表管理者です。"))
    old = next((u for u in users if u.is_representative), None)
    if old is not None:
        tenant.users.filter(pk=old.pk).update(is_representative=False)
    tenant.users.filter(pk=new.pk).update(is_representative=True)
    record(
        action="tenants.representative.changed",
        actor=actor,
        tenant=tenant,
        target=new,
        data={"from": old.email if old else None, "to": new.email},
    )
    return new
