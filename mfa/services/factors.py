"""What factors a user has, whether the user must have one, and resetting
them (an admin for a user of the tenant, an operator for the 代表管理者)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from audit.services import record
from mfa.models import MfaPolicy, RecoveryCode, TotpDevice, WebAuthnCredential
from mfa.services.notify import tell_factor_changed
from tenants.scoping import tenant_scope


@dataclass(frozen=True)
class Factors:
    totp: bool
    passkeys: int

    @property
    def any(self) -> bool:
        return self.totp or self.passkeys > 0


_FACTORS_SQL = (
    "SELECT EXISTS (SELECT 1 FROM {totp} WHERE user_id = %s AND confirmed_at IS NOT NULL),"
    " (SELECT count(*) FROM {passkey} WHERE user_id = %s)"
)


def factors_of(user: User) -> Factors:
    """One query (the login runs it once; no page runs it per request)."""
    sql = _FACTORS_SQL.format(
        totp=connection.ops.quote_name(TotpDevice._meta.db_table),
        passkey=connection.ops.quote_name(WebAuthnCredential._meta.db_table),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, user.pk])
        totp, passkeys = cursor.fetchone()
    return Factors(totp=bool(totp), passkeys=int(passkeys))


def is_operator_account(user: User) -> bool:
    """Staff accounts: Django admin and the staff console always require a
    factor (issue 24: no exemption, no switch)."""
    return bool(user.is_staff)


def policy_of(tenant_id: int) -> MfaPolicy | None:
    with tenant_scope(tenant_id):
        return MfaPolicy.objects.filter(tenant_id=tenant_id).first()


def required_from(user: User) -> date | None:
    """The day from which ``user`` must have a factor (None: never).
    Operators: always (``date.min``)."""
    if is_operator_account(user):
        return date.min
    if user.tenant_id is None:
        return None
    policy = policy_of(user.tenant_id)
    if policy is None or policy.scope == MfaPolicy.Scope.NONE or policy.enforce_from is None:
        return None
    if policy.scope == MfaPolicy.Scope.ADMINS and user.role != User.Role.ADMIN:
        return None
    return policy.enforce_from


def today() -> date:
    return timezone.localdate()


@transaction.atomic
def reset_factors(*, user: User, actor: User, by: str) -> bool:
    """Remove every factor and recovery code of ``user`` (the person lost
    the phone and the codes). ``by``: "admin" or "operator", for the mail.
    False when there was nothing to remove (a second tab, a resubmitted
    form): then nothing is logged and the user is not mailed twice."""
    removed = 0
    for model in (TotpDevice, WebAuthnCredential, RecoveryCode):
        removed += model.objects.filter(user=user).delete()[0]
    if not removed:
        return False
    record(action="mfa.factors.reset", actor=actor, target=user)
    tell_factor_changed(user=user, kind="reset", detail=by)
    return True
