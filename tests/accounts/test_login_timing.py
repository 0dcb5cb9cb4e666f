"""Benchmark (opt-in): with the production hasher, a login attempt costs the
same for an unknown ID, a wrong password and the right one (AUTH-5).

Run with ``BENCH=1 pytest tests/accounts/test_login_timing.py -s``; the
figures are in docs/accounts.md.
"""

from __future__ import annotations

import os
import time

import pytest
from django.test import override_settings

from accounts.services.login import authenticate_login
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.skipif(not os.environ.get("BENCH"), reason="benchmark: set BENCH=1")


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"])
def test_login_attempts_cost_the_same(tenant_a):
    user = UserFactory(tenant=tenant_a)
    cases = {
        "unknown_id": ("nobody@example.com", TEST_PASSWORD),
        "wrong_password": (user.email, "Wrong12345"),
        "right_password": (user.email, TEST_PASSWORD),
    }
    # Interleaved rounds and the minimum per case: the machine is shared, and
    # the minimum is the cost without interference.
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(7):
        for name, (login_id, password) in cases.items():
            start = time.perf_counter()
            authenticate_login(login_id=login_id, password=password)
            samples[name].append(time.perf_counter() - start)
    medians = {name: min(values) for name, values in samples.items()}
    print({k: f"{v * 1000:.0f} ms" for k, v in medians.items()})
    fastest, slowest = min(medians.values()), max(medians.values())
    assert slowest / fastest < 1.3
