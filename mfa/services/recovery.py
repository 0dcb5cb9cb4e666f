"""Recovery codes: 10 at a time, shown once, stored as keyed hashes, each
usable once; a new set voids the old one."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import record
from mfa.models import RecoveryCode
from mfa.services.notify import tell_factor_changed

COUNT = 10
# No 0/O, 1/I/L: read off paper and typed by hand.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 10  # 10 × log2(31) ≈ 49 bits: a keyed SHA-256 is enough (no slow hash needed)


def normalise(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def code_hash(code: str, key: str | None = None) -> str:
    key_bytes = (key or settings.SECRET_KEY).encode()
    return hmac.new(key_bytes, b"mfa-recovery:" + normalise(code).encode(), hashlib.sha256).hexdigest()


def _accepted_hashes(code: str) -> list[str]:
    """The code's hash under SECRET_KEY and each of SECRET_KEY_FALLBACKS, so
    rolling out a new SECRET_KEY does not void the codes people keep on paper."""
    return [code_hash(code, key) for key in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)]


def _new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


@transaction.atomic
def generate(user: User) -> list[str]:
    """A new set (the old one is void); the plain codes are returned once
    and never stored."""
    codes = [_new_code() for _ in range(COUNT)]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=code_hash(c)) for c in codes)
    record(action="mfa.recovery.generated", actor=user, target=user)
    return codes


def remaining(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


@transaction.atomic
def use(user: User, code: str) -> bool:
    """Spend one code: one conditional UPDATE, so it works only once."""
    if len(normalise(code)) != LENGTH:
        return False
    used = RecoveryCode.objects.filter(
        user=user, code_hash__in=_accepted_hashes(code), used_at__isnull=True
    ).update(used_at=timezone.now())
    if used:
        left = remaining(user)
        record(action="mfa.recovery.used", actor=user, target=user, data={"remaining": left})
        tell_factor_changed(user=user, kind="recovery_used", detail=str(left))
    return bool(used)
