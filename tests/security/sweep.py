"""The isolation sweep: every URL pattern x method x role, with another
tenant's ids (DESIGN.md, Tenancy; issue 15).

Patterns are enumerated from the resolver at run time (Django admin
included), kwargs are filled with the victim tenant's ids matched by
converter type and name, and every probe must be refused (404 / 403 / 405 /
the login redirect), never show a victim marker, never be a 500, and never
change a victim row.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import (
    IntConverter,
    PathConverter,
    SlugConverter,
    StringConverter,
    UUIDConverter,
)
from django.urls.resolvers import RegexPattern, RoutePattern

from tests.factories import login_verified
from tests.security.world import BearerToken, World, tenant_models

ROUTE_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>(?:[^()]|\([^()]*\))*)\)")
# 401: the bearer-token endpoint (/scim/v2/, issue 25) refuses a request
# without a valid token so; a session is no credential there.
DENIED = {
    HTTPStatus.UNAUTHORIZED,
    HTTPStatus.FORBIDDEN,
    HTTPStatus.NOT_FOUND,
    HTTPStatus.METHOD_NOT_ALLOWED,
}
LOGIN_PREFIXES = ("/?next=", "/admin/login/?next=")


@dataclass(frozen=True)
class Route:
    """One URL pattern as a chain of pieces from the root."""

    pieces: tuple[Any, ...]  # RoutePattern / RegexPattern objects
    name: str  # namespaced name, or the route text for unnamed patterns
    converters: dict[str, Any]
    app_label: str = ""  # the app whose view serves it

    @property
    def text(self) -> str:
        return "".join(str(p) for p in self.pieces)

    @property
    def is_admin(self) -> bool:
        return self.text.startswith("admin/")

    @property
    def is_operator_console(self) -> bool:
        """Django admin and the staff console (/staff/…, INQ-8): operators
        work across tenants there by design, each access audited."""
        return self.is_admin or self.text.startswith("staff/")

    def param_names(self) -> list[str]:
        names = list(self.converters)
        for piece in self.pieces:
            if isinstance(piece, RegexPattern):
                names += [m["name"] for m in REGEX_GROUP.finditer(str(piece))]
        return names


def routes(patterns: list | None = None) -> list[Route]:
    def walk(entries, prefix, namespace, converters) -> Iterator[Route]:
        for entry in entries:
            here = {**converters, **getattr(entry.pattern, "converters", {})}
            if isinstance(entry, URLResolver):
                ns = ":".join(x for x in (namespace, entry.namespace) if x)
                yield from walk(entry.url_patterns, (*prefix, entry.pattern), ns, here)
            elif isinstance(entry, URLPattern):
                name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
                app_label = getattr(entry.callback, "__module__", "").split(".")[0]
                yield Route(
                    (*prefix, entry.pattern),
                    name or "".join(map(str, (*prefix, entry.pattern))),
                    here,
                    app_label,
                )

    return list(walk(patterns if patterns is not None else get_resolver().url_patterns, (), "", {}))


@dataclass
class Candidates:
    """The victim's values per kind: int pks and uuids by model, text by field name."""

    ints: dict[str, list[int]] = field(default_factory=dict)  # model_name -> pks
    by_app: dict[str, list[int]] = field(default_factory=dict)  # app label -> one pk per model
    uuids: dict[str, list[uuid.UUID]] = field(default_factory=dict)  # field or model name -> values
    texts: dict[str, list[str]] = field(default_factory=dict)  # field name -> values
    first_ints: list[int] = field(default_factory=list)  # one pk per model

    @classmethod
    def of(cls, world: World, rows_by_model: dict | None = None) -> Candidates:
        c = cls()
        for model, rows in (rows_by_model or world.victim_rows).items():
            name = model._meta.model_name
            for row in rows[:2]:
                if isinstance(row.pk, int):
                    c.ints.setdefault(name, []).append(row.pk)
                    if row is rows[0]:
                        c.first_ints.append(row.pk)
                        c.by_app.setdefault(model._meta.app_label, []).append(row.pk)
                for f in model._meta.concrete_fields:
                    value = getattr(row, f.attname)
                    if isinstance(value, uuid.UUID):
                        c.uuids.setdefault(f.name, []).append(value)
                        c.uuids.setdefault(name, []).append(value)
                    elif (
                        isinstance(f, models.SlugField | models.CharField)
                        and value
                        and f.name != "tenant"
                    ):
                        c.texts.setdefault(f.name, []).append(str(value))
        return c

    def all_ints(self) -> list[int]:
        """One victim pk per model: a bare ``pk`` is tried as each model's."""
        return sorted(set(self.first_ints))

    def all_uuids(self) -> list[uuid.UUID]:
        return list(dict.fromkeys(v for vs in self.uuids.values() for v in vs))

    def for_param(self, route: Route, name: str, converter: Any) -> tuple[list[str], bool]:
        """The values to try for one URL parameter, and whether they are the
        victim's object ids (then the probe must be refused)."""
        model_hint = re.sub(r"_(pk|id|key|uuid|slug)$", "", name)
        if route.is_admin and name == "object_id":
            # admin:<app>_<model>_<view>: the model is in the name.
            label = route.name.split(":")[-1].rsplit("_", 1)[0]
            for model in tenant_models():
                if f"{model._meta.app_label}_{model._meta.model_name}" == label:
                    return [str(v) for v in self.ints.get(model._meta.model_name, [])] or [
                        "0"
                    ], True
            return [str(v) for v in self.all_ints()[:3]] or ["0"], True
        if isinstance(converter, IntConverter):
            if model_hint in self.ints:
                return [str(v) for v in self.ints[model_hint]], True
            # A bare pk: each model of the app serving the view (a view
            # fetches its own app's rows), else each model's.
            return [str(v) for v in self.by_app.get(route.app_label) or self.all_ints()], True
        if isinstance(converter, UUIDConverter):
            values = self.uuids.get(name) or self.uuids.get(model_hint) or self.all_uuids()
            return ([str(v) for v in values], True) if values else ([str(uuid.uuid4())], False)
        if isinstance(converter, SlugConverter | StringConverter | PathConverter):
            if name in self.texts:
                return self.texts[name][:2], True
            if name in ("pk", "id") or name.endswith(("_pk", "_id")):
                return [str(v) for v in self.all_ints()], True
            return ["x"], False
        return ["x"], False


def _fill(route: Route, values: dict[str, str]) -> str | None:
    out = ""
    for piece in route.pieces:
        text = str(piece)
        if isinstance(piece, RoutePattern):
            out += ROUTE_PARAM.sub(lambda m: values[m["name"]], text)
        else:

            def group(m: re.Match) -> str:
                if m["name"] in values and values[m["name"]] != "x":
                    return values[m["name"]]
                body = m["body"]
                if re.fullmatch(r"[\w|]+", body):
                    return body.split("|")[0]
                return "x"

            text = REGEX_GROUP.sub(group, text).lstrip("^").rstrip("$").replace("\\Z", "")
            text = text.replace(".*", "x")
            if re.search(r"[\\()\[\]*+?{}^$|]", text):
                return None
            out += text
    return "/" + out


def probes_for(route: Route, cand: Candidates) -> Iterator[tuple[str, bool]]:
    """(url, object_bearing) for one route: the first parameter runs through
    its candidates, the others keep their first."""
    params = route.param_names()
    if not params:
        url = _fill(route, {})
        if url is not None:
            yield url, False
        return
    options = {}
    bearing = False
    for name in params:
        values, is_obj = cand.for_param(route, name, route.converters.get(name))
        options[name] = values
        bearing = bearing or is_obj
    first, *rest = params
    for value in options[first]:
        url = _fill(route, {first: value, **{n: options[n][0] for n in rest}})
        if url is not None:
            yield url, bearing


def id_payload(cand: Candidates) -> dict[str, list[str]]:
    """Victim ids under the names forms use, for query strings and bodies."""
    data: dict[str, list[str]] = {}
    everything = [str(v) for v in cand.all_ints()]
    for key in ("pk", "id", "ids", "selected", "object_id", "_selected_action", "target"):
        data[key] = everything
    for model_name, pks in cand.ints.items():
        for key in (model_name, f"{model_name}_id", f"{model_name}_pk", f"{model_name}s"):
            data[key] = [str(v) for v in pks]
    return data


@dataclass
class Result:
    probes: int = 0
    routes: int = 0
    skipped: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def run_sweep(
    world: World,
    *,
    only: Callable[[Route], bool] | None = None,
    route_list: list[Route] | None = None,
) -> Result:
    cand = Candidates.of(world)
    payload = id_payload(cand)
    markers = world.markers()
    result = Result()
    clients: dict[str, Client] = {}

    def client_for(role: str) -> Client:
        c = clients.get(role)
        if c is None:
            user = world.roles[role]
            if isinstance(user, BearerToken):  # no session: the token in every request
                c = Client(raise_request_exception=False, headers={"Authorization": f"Bearer {user.raw}"})
            else:
                c = Client(raise_request_exception=False)
            if user is not None and not isinstance(user, BearerToken):
                login_verified(c, user)
            clients[role] = c
        return c

    # One snapshot per route: the one after a route is the one before the next.
    before = world.snapshot()
    for route in route_list if route_list is not None else routes():
        if only is not None and not only(route):
            continue
        urls = list(probes_for(route, cand))
        if not urls:
            result.skipped.append(route.text)
            continue
        result.routes += 1
        for url, bearing in urls:
            for role, user in world.roles.items():
                # Operators may read every tenant in Django admin and the
                # staff console: that is their job (and each access is
                # logged), not a leak.
                operator_in_admin = role == "operator" and route.is_operator_console
                # The operator's admin forms have their own tests; here the
                # admin pages only need to render (no 500) for every id.
                for method in ("get",) if operator_in_admin else ("get", "post"):
                    client = client_for(role)
                    send = getattr(client, method)
                    data = payload if (not bearing and not operator_in_admin) else {}
                    response = send(url, data=data)
                    result.probes += 1
                    where = f"{method.upper()} {url} as {role} ({route.name})"
                    status = response.status_code
                    if status >= 500:
                        result.failures.append(f"{where}: {status}")
                        continue
                    if (
                        response.cookies.get(settings.SESSION_COOKIE_NAME) is not None
                        and not response.cookies[settings.SESSION_COOKIE_NAME].value
                        and user is not None
                    ):
                        clients.pop(role)  # logged out by the probe: log in again
                    if operator_in_admin:
                        continue
                    if bearing:
                        refused = status in DENIED or (
                            status == HTTPStatus.FOUND
                            and response["Location"].startswith(LOGIN_PREFIXES)
                        )
                        if not refused:
                            result.failures.append(f"{where}: {status} with another tenant's id")
                    body = (
                        b"".join(response.streaming_content)
                        if response.streaming
                        else response.content
                    )
                    text = body.decode("utf-8", "replace")
                    location = response.get("Location", "")
                    for marker in markers:
                        if marker in text or marker in location:
                            result.failures.append(
                                f"{where}: shows another tenant's data ({marker!r})"
                            )
                            break
        after = world.snapshot()
        changed = [label for label in before if before[label] != after.get(label)]
        if changed:
            result.failures.append(f"{route.name}: changed the other tenant's rows in {changed}")
        before = after
    return result
