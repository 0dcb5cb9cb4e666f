"""ServiceProviderConfig, ResourceTypes and Schemas (RFC 7643 §5–7): what
this service provider supports, for directories and checkers to discover."""

from __future__ import annotations

from typing import Any

from scim import schemas
from scim.selectors import MAX_COUNT


def service_provider_config(*, base: str) -> dict[str, Any]:
    return {
        "schemas": [schemas.SPC],
        "documentationUri": base + "/scim/v2/",
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_COUNT},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": True},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "Bearer token",
                "description": "A token created on the portal's SCIM token page (サービス → SCIM プロビジョニング).",
                "primary": True,
            }
        ],
        "meta": {"resourceType": "ServiceProviderConfig", "location": base + "/scim/v2/ServiceProviderConfig"},
    }


def _resource_type(name: str, endpoint: str, schema: str, extensions: list[str], base: str) -> dict[str, Any]:
    return {
        "schemas": [schemas.RESOURCE_TYPE],
        "id": name,
        "name": name,
        "endpoint": endpoint,
        "description": name,
        "schema": schema,
        "schemaExtensions": [{"schema": e, "required": False} for e in extensions],
        "meta": {"resourceType": "ResourceType", "location": f"{base}/scim/v2/ResourceTypes/{name}"},
    }


def resource_types(*, base: str) -> list[dict[str, Any]]:
    return [
        _resource_type("User", "/Users", schemas.USER, [schemas.ENTERPRISE, schemas.PORTAL], base),
        _resource_type("Group", "/Groups", schemas.GROUP, [], base),
    ]


def _attr(
    name: str,
    type_: str = "string",
    *,
    required: bool = False,
    multi: bool = False,
    mutability: str = "readWrite",
    uniqueness: str = "none",
    returned: str = "default",
    sub: list[dict[str, Any]] | None = None,
    description: str = "",
) -> dict[str, Any]:
    attr: dict[str, Any] = {
        "name": name,
        "type": type_,
        "multiValued": multi,
        "description": description or name,
        "required": required,
        "caseExact": False,
        "mutability": mutability,
        "returned": returned,
        "uniqueness": uniqueness,
    }
    if sub:
        attr["subAttributes"] = sub
    if type_ == "reference":
        attr["referenceTypes"] = ["User"]
    return attr


def _schemas() -> list[tuple[str, str, list[dict[str, Any]]]]:
    return [
        (
            schemas.USER,
            "User",
            [
                _attr("userName", required=True, uniqueness="server", description="ユーザ ID (USER-1)"),
                _attr(
                    "name",
                    "complex",
                    required=True,
                    sub=[_attr("familyName", required=True, description="姓"),
                         _attr("givenName", required=True, description="名")],
                ),
                _attr("displayName", mutability="readOnly"),
                _attr("active", "boolean", description="false: 一時停止"),
                _attr(
                    "emails",
                    "complex",
                    multi=True,
                    sub=[_attr("value", description="通知先メールアドレス"), _attr("type"),
                         _attr("primary", "boolean")],
                ),
            ],
        ),
        (
            schemas.ENTERPRISE,
            "EnterpriseUser",
            [_attr("department", description="所属組織 (代表組織; created under the root when missing)")],
        ),
        (
            schemas.PORTAL,
            "PortalUser",
            [_attr("familyNameKana", description="姓（カナ）"), _attr("givenNameKana", description="名（カナ）")],
        ),
        (
            schemas.GROUP,
            "Group",
            [
                _attr("displayName", required=True, mutability="readOnly", description="The contracted service"),
                _attr(
                    "members",
                    "complex",
                    multi=True,
                    sub=[_attr("value", mutability="immutable"), _attr("display", mutability="readOnly"),
                         _attr("$ref", "reference", mutability="immutable")],
                ),
            ],
        ),
    ]


def all_schemas(*, base: str) -> list[dict[str, Any]]:
    return [
        {
            "schemas": [schemas.SCHEMA],
            "id": urn,
            "name": name,
            "description": name,
            "attributes": attributes,
            "meta": {"resourceType": "Schema", "location": f"{base}/scim/v2/Schemas/{urn}"},
        }
        for urn, name, attributes in _schemas()
    ]
