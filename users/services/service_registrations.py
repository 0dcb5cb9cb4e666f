"""A user's registrations to the tenant's contracted services (SVC-1 … SVC-3)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User, UserServiceRegistration
from audit.services import record
from tenants.models import Contract
from users.services.errors import UserAdminError


def auto_value(*, user: User, contract: Contract, spec: dict[str, Any]) -> str:
    """The value of an automatically filled individual field (the manual's
    BPO-Web): derived from the user so it is stable and unique in the tenant."""
    return user.email


def service_values(*, user: User, contract: Contract, submitted: dict[str, Any]) -> dict[str, str]:
    """The stored values: auto fields computed, the rest as submitted and checked."""
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for spec in contract.service.user_fields or []:
        name = spec["name"]
        if spec.get("auto"):
            values[name] = auto_value(user=user, contract=contract, spec=spec)
            continue
        value = str(submitted.get(name, "")).strip()
        if spec.get("required") and not value:
            errors[name] = _("%(label)sを入力してください。") % {"label": spec.get("label", name)}
        elif len(value) > 255:
            errors[name] = _("%(label)sは 255 文字以内で入力してください。") % {"label": spec.get("label", name)}
        values[name] = value
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def register_service(
    *, user: User, contract: Contract, actor: User, values: dict[str, Any]
) -> UserServiceRegistration:
    """Register (or change) the user's registration to a contracted service."""
    if contract.tenant_id != user.tenant_id:
        raise UserAdminError(_("ご契約中のサービスではありません。"))
    clean = service_values(user=user, contract=contract, submitted=values)
    reg, created = UserServiceRegistration.objects.update_or_create(
        tenant_id=user.tenant_id, user=user, contract=contract, defaults={"values": clean, "link_error": False}
    )
    record(
        action="accounts.user.service_registered" if created else "accounts.user.service_changed",
        actor=actor,
        target=user,
        data={"contract": contract.number, "service": contract.service.code},
    )
    return reg


@transaction.atomic
def unregister_service(*, user: User, contract: Contract, actor: User) -> None:
    deleted, _n = UserServiceRegistration.objects.filter(
        tenant_id=user.tenant_id, user=user, contract=contract
    ).delete()
    if not deleted:
        raise UserAdminError(_("このサービスは登録されていません。"))
    record(
        action="accounts.user.service_removed",
        actor=actor,
        target=user,
        data={"contract": contract.number, "service": contract.service.code},
    )
