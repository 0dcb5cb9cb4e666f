"""Passkeys and security keys (WebAuthn, through py_webauthn): several per
user, named, removable; used as the login's second step (issue 24).

The relying party is the host the person uses (``request.get_host()``,
which ALLOWED_HOSTS has vetted), so one deployment serves its own name and
the browser binds each key to it. Challenges live in the session, one per
ceremony, and are spent when checked."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from accounts.models import User
from audit.services import record
from mfa.models import WebAuthnCredential
from mfa.services.notify import tell_factor_changed

CHALLENGE = "mfa_webauthn_challenge"
MAX_PASSKEYS = 10


class PasskeyError(ValueError):
    pass


def rp_id(request: HttpRequest) -> str:
    return request.get_host().rsplit(":", 1)[0] if not request.get_host().startswith("[") else request.get_host()


def origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(id=bytes(c.credential_id))
        for c in WebAuthnCredential.objects.filter(user=user)
    ]


def registration_options(request: HttpRequest, user: User) -> str:
    options = generate_registration_options(
        rp_id=rp_id(request),
        rp_name=settings.PORTAL_PRODUCT_NAME,
        user_id=f"portal-user-{user.pk}".encode(),
        user_name=user.email,
        user_display_name=user.full_name or user.email,
        exclude_credentials=_descriptors(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    request.session[CHALLENGE] = options.challenge.hex()
    return options_to_json(options)


def _spend_challenge(request: HttpRequest) -> bytes:
    challenge = request.session.pop(CHALLENGE, None)
    if not challenge:
        raise PasskeyError("no challenge")
    return bytes.fromhex(challenge)


@transaction.atomic
def register(request: HttpRequest, user: User, *, name: str, credential: dict[str, Any]) -> WebAuthnCredential:
    challenge = _spend_challenge(request)
    if WebAuthnCredential.objects.filter(user=user).count() >= MAX_PASSKEYS:
        raise PasskeyError("too many")
    try:
        verified = verify_registration_response(
            credential=json.dumps(credential),
            expected_challenge=challenge,
            expected_rp_id=rp_id(request),
            expected_origin=origin(request),
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:  # any malformed or false answer
        raise PasskeyError(str(exc)) from exc
    if WebAuthnCredential.objects.filter(credential_id=verified.credential_id).exists():
        raise PasskeyError("already registered")
    passkey = WebAuthnCredential.objects.create(
        user=user,
        name=name,
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
    )
    record(action="mfa.passkey.added", actor=user, target=user, data={"name": name})
    tell_factor_changed(user=user, kind="passkey_added", detail=name)
    return passkey


def authentication_options(request: HttpRequest, user: User) -> str:
    options = generate_authentication_options(
        rp_id=rp_id(request),
        allow_credentials=_descriptors(user),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    request.session[CHALLENGE] = options.challenge.hex()
    return options_to_json(options)


def authenticate(request: HttpRequest, user: User, *, credential: dict[str, Any]) -> bool:
    """True when one of the user's keys signed this session's challenge."""
    try:
        challenge = _spend_challenge(request)
        raw_id = base64url_to_bytes(credential["rawId"])
    except (PasskeyError, KeyError, TypeError, ValueError):
        return False
    passkey = WebAuthnCredential.objects.filter(user=user, credential_id=raw_id).first()
    if passkey is None:
        return False
    try:
        verified = verify_authentication_response(
            credential=json.dumps(credential),
            expected_challenge=challenge,
            expected_rp_id=rp_id(request),
            expected_origin=origin(request),
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError):  # any malformed or false answer
        return False
    WebAuthnCredential.objects.filter(pk=passkey.pk).update(
        sign_count=verified.new_sign_count, last_used_at=timezone.now()
    )
    return True


def owns(user: User, pk: int) -> bool:
    return WebAuthnCredential.objects.filter(user=user, pk=pk).exists()


@transaction.atomic
def remove(user: User, pk: int) -> bool:
    passkey = WebAuthnCredential.objects.filter(user=user, pk=pk).first()
    if passkey is None:
        return False
    passkey.delete()
    record(action="mfa.passkey.removed", actor=user, target=user, data={"name": passkey.name})
    tell_factor_changed(user=user, kind="passkey_removed", detail=passkey.name)
    return True
