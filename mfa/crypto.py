"""The authenticator-app keys encrypted at rest.

A TOTP key is a shared secret: whoever reads it can make every code. The
factor tables carry no ``tenant_id`` (they are read at login, before a tenant
scope exists), so row-level security does not cover them, and a database dump
or a replica must not hand out working second factors. The keys are therefore
stored as Fernet tokens (AES-128-CBC with an HMAC-SHA256, from the
``cryptography`` package) under a key that lives outside the database:

* ``MFA_ENCRYPTION_KEYS`` (env, comma-separated) when set: the first key
  encrypts, every key decrypts, so a new key goes first and an old one
  stays until ``manage.py mfa_reencrypt`` has run;
* otherwise keys derived from ``SECRET_KEY`` and ``SECRET_KEY_FALLBACKS``,
  so Django's own key rotation rotates these too.

Each key is stretched into a Fernet key with Django's ``salted_hmac`` under
its own salt, so the material is never used raw and never for anything else.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.crypto import salted_hmac

SALT = "portal.mfa.totp-key"


class UnreadableSecret(ImproperlyConfigured):
    """A stored key that none of the configured keys opens: the encryption
    key was changed without keeping the old one (see the module docstring)."""


def _materials() -> tuple[str, ...]:
    configured = tuple(k for k in getattr(settings, "MFA_ENCRYPTION_KEYS", ()) if k)
    if configured:
        return configured
    return (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)


@lru_cache(maxsize=4)
def _fernet(materials: tuple[str, ...]) -> MultiFernet:
    if not materials or not materials[0]:
        raise ImproperlyConfigured("MFA_ENCRYPTION_KEYS or SECRET_KEY is needed to store authenticator keys.")
    keys = [salted_hmac(SALT, b"", secret=m, algorithm="sha256").digest() for m in materials]
    return MultiFernet([Fernet(base64.urlsafe_b64encode(k)) for k in keys])


def encrypt(plain: str) -> str:
    return _fernet(_materials()).encrypt(plain.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet(_materials()).decrypt(token.encode("ascii")).decode()
    except InvalidToken:
        raise UnreadableSecret(
            "An authenticator key cannot be decrypted with MFA_ENCRYPTION_KEYS / SECRET_KEY "
            "(and their fallbacks): keep the old key as a fallback until `manage.py mfa_reencrypt` has run."
        ) from None


def reencrypt(token: str) -> str:
    """The token under the first (current) key; already current stays valid."""
    try:
        return _fernet(_materials()).rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise UnreadableSecret("An authenticator key cannot be decrypted with the configured keys.") from None
