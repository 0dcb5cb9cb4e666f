"""Tenant isolation of the SCIM endpoint (issue 25): a token of tenant A gets
404 for every user and group of tenant B, whatever the method; an unknown,
malformed or revoked token gets 401; and under production's database posture
(RLS on, a plain role) the token lookup and the whole request still work."""

from __future__ import annotations

import pytest

from accounts.models import User
from scim.tokens import revoke_token
from tenants.scoping import tenant_scope
from tests.factories import ContractFactory, UserFactory
from tests.rls import as_application, ensure_app_role
from tests.scim.scim_helpers import ScimClient, okta_user

pytestmark = pytest.mark.django_db

PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@pytest.fixture
def victim(tenant_b, charlie, services):
    user = UserFactory(tenant=tenant_b, email="victim@b.example.com")
    contract = ContractFactory(tenant=tenant_b, service=services["google_workspace"], number="B-1")
    return user, contract


def test_token_of_a_gets_404_for_every_object_of_b(scim_a, victim, charlie):
    user, contract = victim
    ops = {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": False}]}
    for pk in (user.pk, charlie.pk):
        assert scim_a.get(f"Users/{pk}").status_code == 404
        assert scim_a.put(f"Users/{pk}", okta_user()).status_code == 404
        assert scim_a.patch(f"Users/{pk}", ops).status_code == 404
        assert scim_a.delete(f"Users/{pk}").status_code == 404
    members = {"schemas": [PATCH], "Operations": [{"op": "add", "path": "members", "value": [{"value": str(user.pk)}]}]}
    assert scim_a.get(f"Groups/{contract.pk}").status_code == 404
    assert scim_a.patch(f"Groups/{contract.pk}", members).status_code == 404
    assert scim_a.put(f"Groups/{contract.pk}", {"members": []}).status_code == 404
    assert scim_a.delete(f"Groups/{contract.pk}").status_code == 404
    listed = scim_a.get(f'Users?filter=userName eq "{user.email}"').json()
    assert listed["totalResults"] == 0
    assert "victim@b.example.com" not in scim_a.get("Users").content.decode()
    with tenant_scope(user.tenant_id):
        assert User.objects.get(pk=user.pk).status == User.Status.ACTIVE


def test_a_cannot_add_b_users_to_its_groups(scim_a, contracts_a, victim):
    user, _contract = victim
    contract = contracts_a["google_workspace"]
    members = {"schemas": [PATCH], "Operations": [{"op": "add", "path": "members", "value": [{"value": str(user.pk)}]}]}
    response = scim_a.patch(f"Groups/{contract.pk}", members)
    assert response.status_code == 400
    assert "存在しないユーザ" in response.json()["detail"]


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer scim_1_" + "A" * 43],
)
def test_missing_or_unknown_token_is_401(db, header):
    client = ScimClient("x")
    client.client = client.client.__class__(headers={"Authorization": header} if header else {})
    response = client.get("Users")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="SCIM"'
    assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]


def test_revoked_token_is_401(token_a, scim_a, alice):
    assert scim_a.get("Users").status_code == 200
    revoke_token(token=token_a[0], actor=alice)
    assert scim_a.get("Users").status_code == 401


def test_token_naming_another_tenant_is_401(token_a, tenant_b, charlie):
    """The tenant number in a token is only a lookup key: changing it finds nothing."""
    raw = token_a[1]
    forged = f"scim_{tenant_b.pk}_" + raw.split("_", 2)[2]
    assert ScimClient(forged).get("Users").status_code == 401


@pytest.mark.postgres
def test_works_under_row_level_security(token_a, tenant_a, bob, django_db_blocker):
    """PORTAL_TEST_RLS_POSTURE: the token is found inside its tenant's scope
    (no bypass), and the request reads and writes that tenant's rows only."""
    from django.db import connection

    with connection.cursor() as cursor:
        role = ensure_app_role(cursor)
    client = ScimClient(token_a[1])
    with as_application(role):
        assert client.get('Users?filter=userName eq "bob@a.example.com"').json()["totalResults"] == 1
        assert client.post("Users", okta_user()).status_code == 201
        assert client.get(f"Users/{bob.pk}").status_code == 200
