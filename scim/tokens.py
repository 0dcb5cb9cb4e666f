"""SCIM bearer tokens (issue 25): issued, looked up, revoked.

A raw token reads ``scim_<tenant id>_<43 random characters>``. Naming the
tenant lets the lookup run inside that tenant's scope (and its row-level
security), keyed by (tenant, SHA-256 of the token): no way out of the scope is
needed to authenticate a request that carries no session. A forged tenant
number only finds nothing. The random part is 32 bytes from ``secrets``, so
SHA-256 is enough (nothing to stretch against a 2^256 search)."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import record
from scim.models import ScimToken
from tenants.models import Tenant
from tenants.scoping import tenant_scope

_RAW = re.compile(r"^scim_([1-9][0-9]{0,18})_([A-Za-z0-9_-]{43})$")
# last_used_at is written at most this often: not one UPDATE per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class TokenActor:
    """The actor of a SCIM change in the user directory's services and the
    audit log. ``pk`` is None so it never equals a user's (the services'
    "the logged-in user cannot …" checks do not apply to a directory)."""

    token_id: int
    tenant_id: int
    name: str
    pk: None = None
    is_authenticated: bool = False

    @property
    def audit_label(self) -> str:
        return f"SCIM: {self.name}"


def actor_of(token: ScimToken) -> TokenActor:
    return TokenActor(token_id=token.pk, tenant_id=token.tenant_id, name=token.name)


@transaction.atomic
def create_token(*, tenant: Tenant, actor: User, name: str, send_setup_mail: bool) -> tuple[ScimToken, str]:
    """A new token; the raw value is returned once and never stored."""
    raw = f"scim_{tenant.pk}_{secrets.token_urlsafe(32)}"
    token = ScimToken.objects.create(
        tenant=tenant,
        name=name,
        token_hash=hash_token(raw),
        send_setup_mail=send_setup_mail,
        created_by=actor,
        created_by_label=actor.email,
    )
    record(
        action="scim.token.created", actor=actor, target=token, data={"send_setup_mail": send_setup_mail}
    )
    return token, raw


@transaction.atomic
def revoke_token(*, token: ScimToken, actor: User) -> ScimToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(action="scim.token.revoked", actor=actor, target=token)
    return token


def authenticate(authorization: str) -> ScimToken | None:
    """The live token of an ``Authorization: Bearer …`` header, or None
    (missing, malformed, unknown or revoked alike: the answer is 401)."""
    scheme, _sep, raw = (authorization or "").partition(" ")
    match = _RAW.match(raw.strip())
    if scheme.lower() != "bearer" or not match:
        return None
    tenant_id = int(match.group(1))
    with tenant_scope(tenant_id):
        token = (
            ScimToken.objects.filter(tenant_id=tenant_id, token_hash=hash_token(raw.strip()), revoked_at__isnull=True)
            .select_related("tenant")
            .first()
        )
        if token is not None:
            now = timezone.now()
            if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
                ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
                token.last_used_at = now
    return token
