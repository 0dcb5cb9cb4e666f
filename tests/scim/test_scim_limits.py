"""Per-token rate limit (issue 25): over the limit a SCIM request gets 429
with Retry-After, counted per token (another token is not slowed)."""

from __future__ import annotations

import pytest
from django.test import override_settings

from scim import rate_limit
from tests.scim.scim_helpers import ScimClient, make_token

pytestmark = pytest.mark.django_db


@override_settings(SCIM_REQUESTS_PER_MINUTE=3)
def test_over_the_limit_is_429_with_retry_after(scim_a, tenant_a, alice):
    for _ in range(3):
        assert scim_a.get("Users").status_code == 200
    refused = scim_a.get("Users")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    _other, raw = make_token(tenant_a, alice, name="other")
    assert ScimClient(raw).get("Users").status_code == 200


@override_settings(SCIM_REQUESTS_PER_MINUTE=1)
def test_the_window_ends(db):
    assert rate_limit.retry_after(token_id=99, now=120.0) == 0
    assert rate_limit.retry_after(token_id=99, now=150.0) == 30
    assert rate_limit.retry_after(token_id=99, now=180.5) == 0
