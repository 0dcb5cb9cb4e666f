"""Portal users and contracts as SCIM resources, and back (issue 25).

The mapping (docs/provisioning.md):

=============================================  ==========================
SCIM                                           portal
=============================================  ==========================
userName                                       ユーザ ID (USER-1 rules)
name.familyName / name.givenName               姓 / 名
portal extension familyNameKana/givenNameKana  姓（カナ） / 名（カナ）
emails (primary, else work, else the first)    通知先メールアドレス
enterprise extension department                所属組織 (代表組織)
active                                         一時停止 when false
externalId                                     kept by SCIM (ScimUser)
=============================================  ==========================
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.urls import reverse

from accounts.models import User
from accounts.models.field_rules import normalize_mail_address
from scim import schemas
from scim.errors import ScimError
from tenants.models import Contract


def _location(request_base: str, name: str, pk: int) -> str:
    return request_base + reverse(name, args=[pk])


def etag(resource: dict[str, Any]) -> str:
    """A weak ETag over the resource's content (its meta left out): no
    version column to keep, and it changes whenever anything shown changes."""
    body = {k: v for k, v in resource.items() if k != "meta"}
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:20]
    return f'W/"{digest}"'


def user_resource(user: User, *, base: str) -> dict[str, Any]:
    """``user`` comes from ``selectors.users`` (externalId and department annotated)."""
    external_id = getattr(user, "scim_external_id", None) or ""
    department = getattr(user, "scim_department", None) or ""
    resource: dict[str, Any] = {
        "schemas": [schemas.USER, schemas.ENTERPRISE, schemas.PORTAL],
        "id": str(user.pk),
        "userName": user.email,
        # No name.formatted: it is not stored, and a computed one would
        # differ from what the directory set (scim2-tester checks that).
        "name": {"familyName": user.last_name, "givenName": user.first_name},
        "displayName": user.full_name or user.email,
        "active": user.status != User.Status.SUSPENDED,
        "emails": [{"value": user.mail_to, "type": "work", "primary": True}],
        schemas.ENTERPRISE: {"department": department} if department else {},
        schemas.PORTAL: {
            k: v
            for k, v in (("familyNameKana", user.last_name_kana), ("givenNameKana", user.first_name_kana))
            if v
        },
    }
    if external_id:
        resource["externalId"] = external_id
    resource["meta"] = {
        "resourceType": "User",
        "created": user.date_joined.isoformat(),
        "lastModified": user.date_joined.isoformat(),
        "location": _location(base, "scim:user", user.pk),
    }
    resource["meta"]["version"] = etag(resource)
    return resource


def group_resource(contract: Contract, *, members: list[dict[str, Any]], base: str) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "schemas": [schemas.GROUP],
        "id": str(contract.pk),
        "externalId": contract.number,
        "displayName": contract.service.name,
        "members": [
            {"value": m["value"], "display": m["display"], "$ref": _location(base, "scim:user", int(m["value"]))}
            for m in members
        ],
    }
    resource["meta"] = {
        "resourceType": "Group",
        "created": contract.created_at.isoformat(),
        "lastModified": contract.created_at.isoformat(),
        "location": _location(base, "scim:group", contract.pk),
    }
    resource["meta"]["version"] = etag(resource)
    return resource


def _lower_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k).lower(): _lower_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower_keys(v) for v in value]
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise ScimError(400, "invalidValue", "A text attribute was given a complex value.")
    return str(value).strip()


def as_bool(value: Any) -> bool:
    """Entra ID sends ``"False"``/``"True"`` as strings in PATCH."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ScimError(400, "invalidValue", "'active' must be a boolean.")


def _primary_email(emails: Any) -> str:
    if not emails:
        return ""
    if not isinstance(emails, list):
        emails = [emails]
    items = [e for e in emails if isinstance(e, dict) and e.get("value")]
    for pick in (
        lambda e: e.get("primary") in (True, "true", "True"),
        lambda e: str(e.get("type", "")).lower() == "work",
        lambda e: True,
    ):
        for e in items:
            if pick(e):
                return _text(e["value"])
    return ""


def portal_fields(resource: dict[str, Any]) -> dict[str, Any]:
    """The portal's fields from a full SCIM User (POST, PUT, or a PATCH's
    result). Attribute names are matched case-insensitively (RFC 7643 §2.1).
    Keys: the user form's field names plus ``department``, ``active`` and
    ``external_id``."""
    r = _lower_keys(resource)
    name = r.get("name") or {}
    if not isinstance(name, dict):
        raise ScimError(400, "invalidValue", "'name' must be a complex attribute.")
    enterprise = r.get(schemas.ENTERPRISE.lower()) or {}
    portal = r.get(schemas.PORTAL.lower()) or {}
    department = enterprise.get("department") if isinstance(enterprise, dict) else None
    return {
        "email": normalize_mail_address(_text(r.get("username"))).lower(),
        "last_name": _text(name.get("familyname")),
        "first_name": _text(name.get("givenname")),
        "last_name_kana": _text(portal.get("familynamekana")) if isinstance(portal, dict) else "",
        "first_name_kana": _text(portal.get("givennamekana")) if isinstance(portal, dict) else "",
        "notification_email": normalize_mail_address(_primary_email(r.get("emails"))),
        "department": _text(department) if department is not None else "",
        "active": as_bool(r["active"]) if r.get("active") is not None else True,
        "external_id": _text(r.get("externalid")),
    }


ALWAYS_RETURNED = {"id", "schemas", "meta"}


def _split(attr: str) -> tuple[str, str]:
    """``name.givenName`` → (name, givenname); a URN-prefixed attribute
    ``urn:…:User:department`` → (urn:…:user, department); all lowered."""
    attr = attr.strip()
    low = attr.lower()
    for urn in (schemas.ENTERPRISE, schemas.PORTAL, schemas.USER, schemas.GROUP):
        if low == urn.lower():
            return urn.lower(), ""
        if low.startswith(urn.lower() + ":"):
            rest = low[len(urn) + 1 :]
            if urn in (schemas.USER, schemas.GROUP):
                return _split(rest)
            return urn.lower(), rest
    head, _dot, sub = low.partition(".")
    return head, sub


def project(resource: dict[str, Any], *, attributes: str = "", excluded: str = "") -> dict[str, Any]:
    """RFC 7644 §3.4.2.5: ``attributes`` keeps only those (plus id, schemas,
    meta), ``excludedAttributes`` drops them."""
    if not attributes and not excluded:
        return resource
    if attributes:
        wanted: dict[str, set[str]] = {}
        for a in attributes.split(","):
            if a.strip():
                head, sub = _split(a)
                wanted.setdefault(head, set()).add(sub)
        out: dict[str, Any] = {}
        for key, value in resource.items():
            low = key.lower()
            if low in ALWAYS_RETURNED:
                out[key] = value
            elif low in wanted:
                subs = wanted[low]
                if "" in subs or not isinstance(value, (dict, list)):
                    out[key] = value
                elif isinstance(value, dict):
                    out[key] = {k: v for k, v in value.items() if k.lower() in subs}
                else:
                    out[key] = [{k: v for k, v in i.items() if k.lower() in subs} for i in value if isinstance(i, dict)]
        return out
    out = dict(resource)
    for a in excluded.split(","):
        if not a.strip():
            continue
        head, sub = _split(a)
        key = next((k for k in out if k.lower() == head), None)
        if key is None or head in ALWAYS_RETURNED:
            continue
        if not sub:
            out.pop(key)
        elif isinstance(out[key], dict):
            out[key] = {k: v for k, v in out[key].items() if k.lower() != sub}
        elif isinstance(out[key], list):
            out[key] = [{k: v for k, v in i.items() if k.lower() != sub} for i in out[key] if isinstance(i, dict)]
    return out
