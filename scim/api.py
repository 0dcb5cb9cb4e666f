"""The SCIM 2.0 endpoint under /scim/v2/ (RFC 7644; issue 25).

No session and no CSRF: a bearer token (scim/tokens.py) names the tenant and
every view body runs inside ``tenant_scope`` of that tenant, so a token of
tenant A finds nothing of tenant B (404). Thin: parse, call a selector or a
service, answer ``application/scim+json``."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from scim import discovery, rate_limit, resources, schemas, selectors, services, tokens
from scim.errors import ScimError
from scim.models import ScimToken
from tenants.scoping import tenant_scope

MAX_BODY = 1024 * 1024


def scim_response(body: dict[str, Any] | None, *, status: int = 200, etag: str | None = None) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False) if body is not None else b"",
        status=status,
        content_type=schemas.CONTENT_TYPE if body is not None else None,
    )
    if etag:
        response["ETag"] = etag
    return response


def error_response(status: int, detail: str, scim_type: str | None = None) -> HttpResponse:
    body: dict[str, Any] = {"schemas": [schemas.ERROR], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    return scim_response(body, status=status)


def _base(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _body(request: HttpRequest) -> dict[str, Any]:
    if len(request.body) > MAX_BODY:
        raise ScimError(413, None, "The request body is too large.")
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise ScimError(400, "invalidSyntax", "The body is not JSON.") from None
    if not isinstance(body, dict):
        raise ScimError(400, "invalidSyntax", "The body must be a JSON object.")
    return body


def scim_view(*methods: str) -> Callable:
    """Bearer authentication, the per-token rate limit, the tenant scope and
    SCIM errors for one endpoint."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            token = tokens.authenticate(request.headers.get("Authorization", ""))
            if token is None:
                response = error_response(401, "A valid bearer token is required.")
                response["WWW-Authenticate"] = 'Bearer realm="SCIM"'
                return response
            wait = rate_limit.retry_after(token_id=token.pk)
            if wait:
                response = error_response(429, "Too many requests for this token.")
                response["Retry-After"] = str(wait)
                return response
            if request.method not in methods:
                response = error_response(405, f"{request.method} is not supported here.")
                response["Allow"] = ", ".join(methods)
                return response
            with tenant_scope(token.tenant_id):
                try:
                    return view(request, token, *args, **kwargs)
                except services.IdCountExceeded as exc:
                    services.notify_id_count_exceeded(exc)
                    return error_response(exc.status, exc.detail, exc.scim_type)
                except ScimError as exc:
                    return error_response(exc.status, exc.detail, exc.scim_type)

        return wrapped

    return decorator


def _paging(params: Any) -> tuple[int, int]:
    try:
        start = max(1, int(params.get("startIndex", 1)))
        count = min(selectors.MAX_COUNT, max(0, int(params.get("count", 100))))
    except ValueError:
        raise ScimError(400, "invalidValue", "startIndex and count must be integers.") from None
    return start, count


def _list(resources_: list[dict[str, Any]], *, total: int, start: int) -> HttpResponse:
    return scim_response(
        {
            "schemas": [schemas.LIST],
            "totalResults": total,
            "startIndex": start,
            "itemsPerPage": len(resources_),
            "Resources": resources_,
        }
    )


def _precondition(request: HttpRequest, resource: dict[str, Any]) -> None:
    """If-Match on PUT/PATCH/DELETE: 412 when the resource changed since."""
    wanted = request.headers.get("If-Match")
    if wanted and wanted.strip() != "*" and resources.etag(resource) not in [w.strip() for w in wanted.split(",")]:
        raise ScimError(412, None, "The resource changed since it was read (If-Match).")


def _not_modified(request: HttpRequest, resource: dict[str, Any]) -> bool:
    tags = [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]
    return resources.etag(resource) in tags


def _not_found(kind: str, pk: str) -> ScimError:
    return ScimError(404, None, f"{kind} not found.")  # the id is not echoed back


@scim_view("GET", "POST", "PUT", "PATCH", "DELETE")
def not_found(request: HttpRequest, token: ScimToken, rest: str = "") -> HttpResponse:
    """Any other path under /scim/v2/: a SCIM 404, not the portal's page."""
    raise ScimError(404, None, "No such endpoint.")


# --- discovery ---------------------------------------------------------------


@scim_view("GET")
def service_provider_config(request: HttpRequest, token: ScimToken) -> HttpResponse:
    return scim_response(discovery.service_provider_config(base=_base(request)))


@scim_view("GET")
def resource_types(request: HttpRequest, token: ScimToken, name: str | None = None) -> HttpResponse:
    items = discovery.resource_types(base=_base(request))
    if name is not None:
        found = next((i for i in items if i["id"] == name), None)
        if found is None:
            raise _not_found("ResourceType", name)
        return scim_response(found)
    return _list(items, total=len(items), start=1)


@scim_view("GET")
def schemas_view(request: HttpRequest, token: ScimToken, urn: str | None = None) -> HttpResponse:
    items = discovery.all_schemas(base=_base(request))
    if urn is not None:
        found = next((i for i in items if i["id"] == urn), None)
        if found is None:
            raise _not_found("Schema", urn)
        return scim_response(found)
    return _list(items, total=len(items), start=1)


# --- Users -------------------------------------------------------------------


@scim_view("GET", "POST")
def users(request: HttpRequest, token: ScimToken) -> HttpResponse:
    base = _base(request)
    if request.method == "POST":
        user = services.create_user(token=token, resource=_body(request))
        resource = resources.user_resource(selectors.user(tenant=token.tenant, pk=str(user.pk)), base=base)
        response = scim_response(resource, status=201, etag=resource["meta"]["version"])
        response["Location"] = resource["meta"]["location"]
        return response
    return _user_list(request, token, request.GET)


def _user_list(request: HttpRequest, token: ScimToken, params: Any) -> HttpResponse:
    start, count = _paging(params)
    qs = selectors.filter_users(tenant=token.tenant, filter_text=params.get("filter"))
    total = qs.count()
    page = list(qs[start - 1 : start - 1 + count]) if count else []
    items = [_projected(params, resources.user_resource(u, base=_base(request))) for u in page]
    return _list(items, total=total, start=start)


def _projected(params: Any, resource: dict[str, Any]) -> dict[str, Any]:
    def text(name: str) -> str:
        value = params.get(name) or ""
        return ",".join(value) if isinstance(value, list) else str(value)

    return resources.project(resource, attributes=text("attributes"), excluded=text("excludedAttributes"))


@scim_view("POST")
def users_search(request: HttpRequest, token: ScimToken) -> HttpResponse:
    """POST /Users/.search (RFC 7644 §3.4.3): the query in the body."""
    body = _body(request)
    return _user_list(request, token, {k: v for k, v in body.items() if k != "schemas"})


@scim_view("GET", "PUT", "PATCH", "DELETE")
def user(request: HttpRequest, token: ScimToken, pk: str) -> HttpResponse:
    base = _base(request)
    found = selectors.user(tenant=token.tenant, pk=pk)
    if found is None:
        raise _not_found("User", pk)
    current = resources.user_resource(found, base=base)
    if request.method == "GET":
        if _not_modified(request, current):
            return scim_response(None, status=304, etag=current["meta"]["version"])
        return scim_response(_projected(request.GET, current), etag=current["meta"]["version"])
    _precondition(request, current)
    if request.method == "DELETE":
        services.delete_user(token=token, user=found)
        return scim_response(None, status=204)
    body = _body(request)
    wanted = services.patched(current, body) if request.method == "PATCH" else _keep_kana(current, body)
    with transaction.atomic():
        services.replace_user(token=token, user=found, resource=wanted)
    resource = resources.user_resource(selectors.user(tenant=token.tenant, pk=pk), base=base)
    return scim_response(resource, etag=resource["meta"]["version"])


def _keep_kana(current: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """A PUT without our extension at all (Okta sends its own profile) keeps
    the kana the portal holds: a directory that does not know the kana must
    not erase what the admins entered. Sending the extension replaces them."""
    if any(k.lower() == schemas.PORTAL.lower() for k in body):
        return body
    return {**body, schemas.PORTAL: current.get(schemas.PORTAL, {})}


# --- Groups: one per contracted service (SVC-1) ------------------------------


@scim_view("GET", "POST")
def groups(request: HttpRequest, token: ScimToken) -> HttpResponse:
    base = _base(request)
    if request.method == "POST":
        body = _body(request)
        name = str(body.get("displayName", ""))
        existing = selectors.filter_groups(tenant=token.tenant, filter_text=None).filter(service__name__iexact=name)
        if existing.exists():
            raise ScimError(409, "uniqueness", "このサービスのグループは既にあります。displayName で検索して使ってください。")
        raise ScimError(
            400,
            "invalidValue",
            "グループはご契約中のサービスごとに 1 つずつあり、作成できません。displayName にはご契約中のサービス名を指定してください。",
        )
    start, count = _paging(request.GET)
    qs = selectors.filter_groups(tenant=token.tenant, filter_text=request.GET.get("filter"))
    total = qs.count()
    page = list(qs[start - 1 : start - 1 + count]) if count else []
    excluded = {a.strip().lower() for a in request.GET.get("excludedAttributes", "").split(",")}
    members = (
        selectors.members(tenant=token.tenant, contract_ids=[c.pk for c in page]) if "members" not in excluded else {}
    )
    items = [resources.group_resource(c, members=members.get(c.pk, []), base=base) for c in page]
    if "members" in excluded:
        for item in items:
            item.pop("members", None)
    return _list(items, total=total, start=start)


@scim_view("GET", "PUT", "PATCH", "DELETE")
def group(request: HttpRequest, token: ScimToken, pk: str) -> HttpResponse:
    base = _base(request)
    contract = selectors.group(tenant=token.tenant, pk=pk)
    if contract is None:
        raise _not_found("Group", pk)

    def current() -> dict[str, Any]:
        members = selectors.members(tenant=token.tenant, contract_ids=[contract.pk])[contract.pk]
        return resources.group_resource(contract, members=members, base=base)

    resource = current()
    if request.method == "GET":
        return scim_response(resource, etag=resource["meta"]["version"])
    _precondition(request, resource)
    if request.method == "DELETE":
        raise ScimError(400, "mutability", "ご契約中のサービスのグループは削除できません。")
    body = _body(request)
    member_ids = [int(m["value"]) for m in resource["members"]]
    if request.method == "PATCH":
        services.group_patch(token=token, contract=contract, body=body, current=member_ids)
    else:
        wanted = set(services._member_ids(body.get("members") or []))
        services.set_members(
            token=token, contract=contract, add=list(wanted - set(member_ids)), remove=list(set(member_ids) - wanted)
        )
    resource = current()
    return scim_response(resource, etag=resource["meta"]["version"])
