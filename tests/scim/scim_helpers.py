"""Helpers of the SCIM tests (issue 25): a token and a client that sends it."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from accounts.models import User
from scim.models import ScimToken
from scim.tokens import create_token
from tenants.models import Tenant

SCIM = "application/scim+json"
BASE = "/scim/v2"


def make_token(tenant: Tenant, actor: User, *, name: str = "Entra ID", send_setup_mail: bool = True) -> tuple[ScimToken, str]:
    return create_token(tenant=tenant, actor=actor, name=name, send_setup_mail=send_setup_mail)


class ScimClient:
    """A test client that speaks SCIM with a bearer token."""

    def __init__(self, raw: str) -> None:
        self.client = Client(headers={"Authorization": f"Bearer {raw}"})

    def _send(self, method: str, path: str, body: Any = None, **headers: Any):
        url = path if path.startswith("/") else f"{BASE}/{path}"
        kwargs: dict[str, Any] = {"headers": headers} if headers else {}
        if body is not None:
            kwargs |= {"data": json.dumps(body), "content_type": SCIM}
        return getattr(self.client, method)(url, **kwargs)

    def get(self, path: str, **headers: Any):
        return self._send("get", path, **headers)

    def post(self, path: str, body: Any, **headers: Any):
        return self._send("post", path, body, **headers)

    def put(self, path: str, body: Any, **headers: Any):
        return self._send("put", path, body, **headers)

    def patch(self, path: str, body: Any, **headers: Any):
        return self._send("patch", path, body, **headers)

    def delete(self, path: str, **headers: Any):
        return self._send("delete", path, **headers)


def entra_user(user_name: str = "Test_User_ab6490ee@contoso.co.jp", external_id: str = "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef") -> dict[str, Any]:
    """The create request of Microsoft's SCIM guide ("Request" of Create
    User), with a Japanese name and the department Entra maps by default."""
    return {
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        ],
        "externalId": external_id,
        "userName": user_name,
        "active": True,
        "emails": [{"primary": True, "type": "work", "value": "Test_User_11bb11bb@contoso.co.jp"}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "givenName familyName", "familyName": "山田", "givenName": "花子"},
        "roles": [],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "営業部"},
    }


def okta_user(user_name: str = "test.user@okta.local") -> dict[str, Any]:
    """The create request of Okta's SCIM 2.0 guide."""
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "name": {"givenName": "Test", "familyName": "User"},
        "emails": [{"primary": True, "value": user_name, "type": "work"}],
        "displayName": "Test User",
        "locale": "en-US",
        "externalId": "00ujl29u0le5T6Aj10h7",
        "groups": [],
        "password": "1mz050nq",
        "active": True,
    }
