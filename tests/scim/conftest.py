from __future__ import annotations

import contextlib

import pytest
from django.core.cache import caches

from tests.scim.scim_helpers import ScimClient, make_token


@pytest.fixture(autouse=True)
def _fresh_counters():
    """Rate-limit windows and mail-batch keys from earlier tests do not count."""
    for alias in ("security", "default"):
        with contextlib.suppress(Exception):  # an alias the settings do not define
            caches[alias].clear()


@pytest.fixture
def token_a(tenant_a, alice):
    return make_token(tenant_a, alice)


@pytest.fixture
def scim_a(token_a) -> ScimClient:
    return ScimClient(token_a[1])


@pytest.fixture
def token_b(tenant_b, charlie):
    return make_token(tenant_b, charlie, name="Okta")


@pytest.fixture
def scim_b(token_b) -> ScimClient:
    return ScimClient(token_b[1])
