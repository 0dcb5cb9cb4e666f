"""Helpers of the two-step verification tests (issue 24)."""

from __future__ import annotations

import time

import pyotp
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from mfa.models import TotpDevice
from tests.accounts.auth_helpers import login_two_steps
from tests.factories import TEST_PASSWORD

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def code_at(secret: str, offset_steps: int = 0) -> str:
    """The code of the step ``offset_steps`` away from now."""
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


def give_totp(user: User, secret: str = SECRET) -> TotpDevice:
    return TotpDevice.objects.create(user=user, secret=secret, confirmed_at=timezone.now())


def password_step(client: Client, user: User):
    return login_two_steps(client, user.email, TEST_PASSWORD)


def submit_code(client: Client, code: str, next_url: str = ""):
    return client.post(reverse("mfa:verify"), {"code": code, "next": next_url})
