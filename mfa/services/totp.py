"""The authenticator app (RFC 6238 through pyotp): enrolment confirmed by a
first code, ±1 time step of clock drift, and each step accepted once."""

from __future__ import annotations

from datetime import datetime

import pyotp
import segno
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from audit.services import record
from mfa.models import TotpDevice
from mfa.services.notify import tell_factor_changed

ISSUER = "Portal"
STEP_SECONDS = 30
# ±1 step (RFC 6238 §5.2's recommendation): a phone clock 30 s off still works.
VALID_WINDOW = 1


def new_secret() -> str:
    """A key for enrolment (160 bits, RFC 4226's recommendation). It is kept
    in the session until the first code confirms it: opening the page writes
    nothing to the database."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, user: User) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The QR code as inline SVG, rendered here (the key never leaves the
    server for a third-party QR service)."""
    return segno.make(uri, error="m").svg_inline(scale=4, title="QR")


def formatted_secret(secret: str) -> str:
    """The key in groups of four, easier to type by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None


def _claim_step(device: TotpDevice, step: int) -> bool:
    """Accept ``step`` only if it is later than the last accepted one: one
    conditional UPDATE, so two requests with the same code cannot both win."""
    claimed = TotpDevice.objects.filter(
        Q(last_step__isnull=True) | Q(last_step__lt=step), pk=device.pk
    ).update(last_step=step)
    return bool(claimed)


@transaction.atomic
def confirm(user: User, secret: str, code: str, *, now: datetime | None = None) -> bool:
    """Finish enrolment with the first code from the app; that code's step
    counts as used."""
    now = now or timezone.now()
    step = _matching_step(secret, code, now)
    if step is None or TotpDevice.objects.filter(user=user).exists():
        return False
    TotpDevice.objects.create(user=user, secret=secret, confirmed_at=now, last_step=step)
    record(action="mfa.totp.enrolled", actor=user, target=user)
    tell_factor_changed(user=user, kind="totp_added")
    return True


def verify(user: User, code: str, *, now: datetime | None = None) -> bool:
    """A login's code: right for the current step ±1 and not used before."""
    now = now or timezone.now()
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        return False
    step = _matching_step(device.secret, code, now)
    return step is not None and _claim_step(device, step)


@transaction.atomic
def remove(user: User, *, actor: User | None = None) -> bool:
    deleted, _ = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).delete()
    if deleted:
        record(action="mfa.totp.removed", actor=actor or user, target=user)
        tell_factor_changed(user=user, kind="totp_removed")
    return bool(deleted)
