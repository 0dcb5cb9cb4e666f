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


def id_count_refusal(*, contract: Contract, adding: int) -> str | None:
    """Why ``adding`` more registrations would exceed the contracted ID
    count (契約 ID 数, IDC-1), or None. No count on the contract: no limit."""
    if contract.id_count is None or adding <= 0:
        return None
    registered = UserServiceRegistration.objects.filter(tenant_id=contract.tenant_id, contract=contract).count()
    if registered + adding <= contract.id_count:
        return None
    return _(
        "契約 ID 数（%(count)d）を超えるため、%(service)sに登録できません（登録済 %(registered)d、追加 %(adding)d）。"
        "ID 数変更申込で ID 数を増やしてください。"
    ) % {"count": contract.id_count, "service": contract.service.name, "registered": registered, "adding": adding}


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
