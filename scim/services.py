"""State changes of SCIM provisioning (issue 25). Every change goes through
the user directory's own services (users.services), so USER-1 … USER-9 and
SVC-1 hold for a directory exactly as for an admin at the screen; this module
only translates SCIM into their calls and their refusals into SCIM errors."""

from __future__ import annotations

import copy
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Organization, OrganizationMembership, User, UserServiceRegistration
from accounts.models.field_rules import LOGIN_ID_TAKEN_MESSAGE
from accounts.services.throttle import security_cache
from audit.services import record
from mail.links import absolute_url
from mail.services import Mail, send_mails
from scim import mail_batches, schemas
from scim.errors import ScimError
from scim.filters import matches, parse_path
from scim.models import ScimToken, ScimUser
from scim.resources import as_bool, portal_fields
from scim.tokens import TokenActor, actor_of
from tenants.models import Contract, Tenant
from users.services import organizations as org_services
from users.services import service_registrations, user_accounts, user_deletion
from users.services.errors import UserAdminError
from users.services.organizations import OrganizationError

ID_COUNT_MAIL_INTERVAL = 60 * 60
PROFILE = ("email", "last_name", "first_name", "last_name_kana", "first_name_kana", "notification_email")


def _refusal(exc: ValidationError | UserAdminError | OrganizationError) -> ScimError:
    """A service's Japanese message as the SCIM ``detail``."""
    if isinstance(exc, ValidationError):
        messages = [str(m) for m in exc.messages]
        taken = str(LOGIN_ID_TAKEN_MESSAGE) in messages
        return ScimError(409 if taken else 400, "uniqueness" if taken else "invalidValue", " ".join(messages))
    return ScimError(400, "mutability", str(exc))


def _check(fields: dict[str, Any]) -> None:
    errors = user_accounts.profile_errors({k: fields[k] for k in PROFILE})
    if errors:
        raise ScimError(400, "invalidValue", " ".join(errors.values()))


def _organization(*, tenant: Tenant, actor: TokenActor, name: str) -> Organization:
    """The 所属組織 named ``department``: an existing one of that name
    (the root's first), else a new one under the tenant's root."""
    found = sorted(
        tenant.organizations.filter(name=name), key=lambda o: (o.parent_id is not None, o.pk)
    )
    if found:
        return found[0]
    try:
        return org_services.create_organization(tenant=tenant, actor=actor, name=name, parent_id=None)
    except (ValidationError, OrganizationError) as exc:
        raise _refusal(exc) from None


def _department(*, user: User, tenant: Tenant, actor: TokenActor, name: str) -> dict[str, Any]:
    """update_user's ``organizations``/``primary_organization`` so the
    department becomes the 代表組織, the user's other organizations kept."""
    current = list(
        OrganizationMembership.objects.filter(tenant=tenant, user=user).values_list("organization_id", "is_primary")
    ) if user.pk else []
    if not name:
        return {}
    org = _organization(tenant=tenant, actor=actor, name=name)
    if (org.pk, True) in current:
        return {}
    others = [pk for pk, _primary in current if pk != org.pk]
    return {"organizations": [org.pk, *others], "primary_organization": org.pk}


def _external_id(*, user: User, token: ScimToken, external_id: str, mail_pending: bool = False) -> None:
    ScimUser.objects.update_or_create(
        tenant_id=user.tenant_id,
        user=user,
        defaults={"external_id": external_id, "token": token, **({"setup_mail_pending": True} if mail_pending else {})},
    )


@transaction.atomic
def create_user(*, token: ScimToken, resource: dict[str, Any]) -> User:
    tenant, actor = token.tenant, actor_of(token)
    fields = portal_fields(resource)
    _check(fields)
    data = {k: fields[k] for k in PROFILE} | _department(
        user=User(tenant=tenant), tenant=tenant, actor=actor, name=fields["department"]
    )
    try:
        with transaction.atomic():
            user = user_accounts.create_user(tenant=tenant, actor=actor, data=data, setup_mail=False)
            if not fields["active"]:
                user_accounts.set_status(user=user, actor=actor, status=User.Status.SUSPENDED)
    except (ValidationError, UserAdminError) as exc:
        raise _refusal(exc) from None
    _external_id(user=user, token=token, external_id=fields["external_id"], mail_pending=token.send_setup_mail)
    if token.send_setup_mail:
        mail_batches.schedule(tenant_id=tenant.pk)
    return user


@transaction.atomic
def replace_user(*, token: ScimToken, user: User, resource: dict[str, Any]) -> User:
    """PUT, and the result of a PATCH: the user becomes what ``resource`` says."""
    tenant, actor = token.tenant, actor_of(token)
    fields = portal_fields(resource)
    _check(fields)
    data = {k: fields[k] for k in PROFILE if getattr(user, k) != fields[k]}
    data |= _department(user=user, tenant=tenant, actor=actor, name=fields["department"])
    try:
        with transaction.atomic():
            if data:
                user = user_accounts.update_user(user=user, actor=actor, data=data)
            suspended = user.status == User.Status.SUSPENDED
            if suspended == fields["active"]:  # active false → 一時停止; true → back
                status = User.Status.ACTIVE if fields["active"] else User.Status.SUSPENDED
                user = user_accounts.set_status(user=user, actor=actor, status=status)
    except (ValidationError, UserAdminError) as exc:
        raise _refusal(exc) from None
    if fields["external_id"] != (getattr(user, "scim_external_id", None) or ""):
        _external_id(user=user, token=token, external_id=fields["external_id"])
        record(action="scim.user.external_id_set", actor=actor, target=user, data={"externalId": fields["external_id"]})
    return user


@transaction.atomic
def delete_user(*, token: ScimToken, user: User) -> None:
    """DELETE → the portal's user deletion (USER-8: never the representative)."""
    result = user_deletion.delete_users(tenant=token.tenant, actor=actor_of(token), user_ids=[user.pk])
    if result.skipped:
        raise ScimError(400, "mutability", result.skipped[0][1])


# --- PATCH -----------------------------------------------------------------


def _find_key(target: dict[str, Any], name: str) -> str:
    """The key of ``target`` matching ``name`` case-insensitively, or ``name``."""
    return next((k for k in target if k.lower() == name.lower()), name)


def _container(resource: dict[str, Any], schema: str) -> dict[str, Any]:
    if not schema or schema in (schemas.USER.lower(), schemas.GROUP.lower()):
        return resource
    key = _find_key(resource, schema)
    resource.setdefault(key, {})
    if not isinstance(resource[key], dict):
        resource[key] = {}
    return resource[key]


def _merge(target: dict[str, Any], value: dict[str, Any], *, op: str) -> None:
    """An op without a path (Okta, Entra): its value is a partial resource.
    Entra also sends dotted keys (``"name.givenName"``) and URN-prefixed ones
    here, so each key is applied as if it were a path."""
    for key, item in value.items():
        if ":" in key and key.lower().startswith("urn:") and isinstance(item, dict) and key.lower() in (
            schemas.ENTERPRISE.lower(), schemas.PORTAL.lower()
        ):
            for sub_key, sub_value in item.items():
                _apply_path(target, parse_path(f"{key}:{sub_key}"), sub_value, op=op)
            continue
        _apply_path(target, parse_path(key), item, op=op)


def _apply_path(resource: dict[str, Any], path: Any, value: Any, *, op: str) -> None:
    container = _container(resource, path.schema)
    key = _find_key(container, path.attr)
    if path.value_filter:
        items = container.get(key) or []
        if not isinstance(items, list):
            items = [items]
        hits = [i for i in items if isinstance(i, dict) and matches(i, path.value_filter)]
        if op == "remove":
            container[key] = [i for i in items if i not in hits] if not path.sub else items
            for i in hits if path.sub else []:
                i.pop(_find_key(i, path.sub), None)
            return
        if not hits:
            # Entra: replace emails[type eq "work"].value on a user without
            # one creates it, with the filter's equalities as its attributes.
            new = {c.attr: c.value for c in path.value_filter if c.op == "eq"}
            items.append(new)
            hits = [new]
        for i in hits:
            if path.sub:
                i[_find_key(i, path.sub)] = value
            elif isinstance(value, dict):
                i.update(value)
        container[key] = items
        return
    if path.sub:
        parent = container.get(key)
        if not isinstance(parent, dict):
            parent = {}
            container[key] = parent
        sub = _find_key(parent, path.sub)
        if op == "remove":
            parent.pop(sub, None)
        else:
            parent[sub] = value
        return
    if op == "remove":
        if isinstance(value, list) and isinstance(container.get(key), list):
            container[key] = [i for i in container[key] if i not in value]
        else:
            container.pop(key, None)
        return
    if op == "add" and isinstance(container.get(key), list) and isinstance(value, list):
        container[key] = container[key] + [v for v in value if v not in container[key]]
    elif isinstance(value, dict) and isinstance(container.get(key), dict):
        container[key].update(value)
    else:
        container[key] = value


def patched(resource: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """RFC 7644 §3.5.2 applied to a copy of the current resource: add,
    replace and remove, with or without a path; op names in any case (Entra
    sends ``Replace``)."""
    if schemas.PATCH not in (body.get("schemas") or []):
        raise ScimError(400, "invalidSyntax", "A PATCH body needs the PatchOp schema.")
    operations = body.get("Operations") or body.get("operations")
    if not isinstance(operations, list) or not operations:
        raise ScimError(400, "invalidSyntax", "A PATCH body needs Operations.")
    result = copy.deepcopy(resource)
    for operation in operations:
        if not isinstance(operation, dict):
            raise ScimError(400, "invalidSyntax", "Each operation must be an object.")
        op = str(operation.get("op", "")).lower()
        if op not in ("add", "replace", "remove"):
            raise ScimError(400, "invalidSyntax", f"Unknown op {operation.get('op')!r}.")
        path, value = operation.get("path"), operation.get("value")
        if path:
            _apply_path(result, parse_path(path), value, op=op)
        elif op == "remove":
            raise ScimError(400, "noTarget", "A remove operation needs a path.")
        elif isinstance(value, dict):
            _merge(result, value, op=op)
        else:
            raise ScimError(400, "invalidValue", "An operation without a path needs an object value.")
    if "active" in {k.lower() for k in result}:
        key = _find_key(result, "active")
        result[key] = as_bool(result[key])
    return result


# --- Groups: service registrations (SVC-1) ---------------------------------


def _member_ids(values: Any) -> list[int]:
    if not isinstance(values, list):
        values = [values] if values else []
    ids = []
    for v in values:
        raw = str(v.get("value", "")) if isinstance(v, dict) else str(v)
        if not raw.isdigit():
            raise ScimError(400, "invalidValue", f"Unknown member {raw!r}.")
        ids.append(int(raw))
    return ids


def _tenant_users(*, tenant: Tenant, ids: list[int]) -> list[User]:
    found = list(User.objects.filter(tenant=tenant, pk__in=ids))
    if len(found) != len(set(ids)):
        raise ScimError(400, "invalidValue", _("存在しないユーザがメンバーに含まれています。"))
    return found


@transaction.atomic
def set_members(*, token: ScimToken, contract: Contract, add: list[int], remove: list[int]) -> None:
    """Register ``add`` to the contracted service and unregister ``remove``.
    More than the contracted ID count is refused as a whole, and the
    tenant's admins get a mail suggesting an ID-count change (IDC)."""
    tenant, actor = token.tenant, actor_of(token)
    registered = set(
        UserServiceRegistration.objects.filter(tenant=tenant, contract=contract).values_list("user_id", flat=True)
    )
    to_remove = [pk for pk in set(remove) if pk in registered]
    to_add = [u for u in _tenant_users(tenant=tenant, ids=list(set(add) - registered))]
    for user in User.objects.filter(tenant=tenant, pk__in=to_remove):
        service_registrations.unregister_service(user=user, contract=contract, actor=actor)
    refusal = service_registrations.id_count_refusal(contract=contract, adding=len(to_add))
    if refusal:
        raise IdCountExceeded(contract=contract, token=token, adding=len(to_add), detail=refusal)
    for user in to_add:
        try:
            service_registrations.register_service(user=user, contract=contract, actor=actor, values={})
        except (ValidationError, UserAdminError) as exc:
            raise _refusal(exc) from None


class IdCountExceeded(ScimError):
    """400 with the Japanese reason; the view mails the admins outside the
    refused transaction (the mail must survive the rollback)."""

    def __init__(self, *, contract: Contract, token: ScimToken, adding: int, detail: str) -> None:
        super().__init__(400, "invalidValue", detail)
        self.contract, self.token, self.adding = contract, token, adding


@transaction.atomic
def notify_id_count_exceeded(exc: IdCountExceeded) -> None:
    """The tenant's admins learn that the directory asked for more IDs than
    contracted, with the way to change the count."""
    contract, token = exc.contract, exc.token
    admins = list(
        User.objects.filter(tenant_id=contract.tenant_id, role=User.Role.ADMIN)
        .exclude(status=User.Status.SUSPENDED)
        .order_by("pk")
    )
    registered = UserServiceRegistration.objects.filter(tenant_id=contract.tenant_id, contract=contract).count()
    context = {
        "token_name": token.name,
        "service_name": contract.service.name,
        "contract_number": contract.number,
        "id_count": contract.id_count,
        "registered": registered,
        "adding": exc.adding,
        "idchange_url": absolute_url(reverse("idchange:list")),
    }
    # A directory retries a refused change on every sync cycle (Entra: each
    # 40 minutes): the admins hear of it once an hour per contract, not each time.
    first = security_cache().add(f"scim:id-count-mail:{contract.pk}", 1, timeout=ID_COUNT_MAIL_INTERVAL)
    if first:
        send_mails(
            template="scim_id_count_exceeded",
            mails=[Mail(to=a.mail_to, context=context, tenant=contract.tenant_id) for a in admins],
            tenant=contract.tenant_id,
        )
    record(
        action="scim.id_count.exceeded",
        actor=actor_of(token),
        target=token,
        data={"contract": contract.number, "service": contract.service.code, "adding": exc.adding, "mailed": first},
    )


def group_patch(*, token: ScimToken, contract: Contract, body: dict[str, Any], current: list[int]) -> None:
    """PATCH on a group: members add/remove/replace (Entra, Okta); anything
    else (displayName) is the contract's and cannot change."""
    if schemas.PATCH not in (body.get("schemas") or []):
        raise ScimError(400, "invalidSyntax", "A PATCH body needs the PatchOp schema.")
    add: list[int] = []
    remove: list[int] = []
    members = set(current)
    for operation in body.get("Operations") or body.get("operations") or []:
        op = str(operation.get("op", "")).lower()
        path = parse_path(operation["path"]) if operation.get("path") else None
        value = operation.get("value")
        if path is None and isinstance(value, dict):
            value = {k.lower(): v for k, v in value.items()}
            if "members" not in value:
                continue  # displayName and the like: the contract's, unchanged
            path, value = parse_path("members"), value["members"]
        if path is None or path.attr != "members":
            continue
        if op == "remove":
            if path.value_filter:  # members[value eq "12"]
                ids = [int(c.value) for c in path.value_filter if c.attr == "value" and str(c.value).isdigit()]
            elif value is None:
                ids = list(members)
            else:
                ids = _member_ids(value)
            remove += ids
            members -= set(ids)
        elif op == "add":
            ids = _member_ids(value)
            add += ids
            members |= set(ids)
        elif op == "replace":
            ids = set(_member_ids(value))
            remove += list(members - ids)
            add += list(ids - members)
            members = ids
        else:
            raise ScimError(400, "invalidSyntax", f"Unknown op {operation.get('op')!r}.")
    set_members(token=token, contract=contract, add=[a for a in add if a in members], remove=remove)
