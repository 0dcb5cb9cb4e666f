"""HOME-5 on every URL, not only in menus: a walk over the URL conf.

Every route of the admin areas (users, contract, idchange) requires login and
the 管理者 role: anonymous → login page, a ユーザ → 403, whatever the
arguments. New routes are covered automatically when they are added.
"""

from __future__ import annotations

import uuid
from http import HTTPStatus

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, UUIDConverter

ADMIN_NAMESPACES = {"users", "tenants", "idchange"}


def _walk(patterns, namespace: str | None = None, converters: dict | None = None):
    """Yield (namespace, name, converters of the whole route) for every named route."""
    converters = converters or {}
    for entry in patterns:
        here = {**converters, **getattr(entry.pattern, "converters", {})}
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, entry.namespace or namespace, here)
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace, entry.name, here


def _sample_kwargs(converters: dict) -> dict:
    kwargs = {}
    for name, converter in converters.items():
        if isinstance(converter, IntConverter):
            kwargs[name] = 999999
        elif isinstance(converter, UUIDConverter):
            kwargs[name] = uuid.UUID(int=0)
        else:
            kwargs[name] = "x"
    return kwargs


def admin_urls() -> list[str]:
    urls = []
    for namespace, name, converters in _walk(get_resolver().url_patterns):
        if namespace in ADMIN_NAMESPACES:
            urls.append(reverse(f"{namespace}:{name}", kwargs=_sample_kwargs(converters)))
    return sorted(set(urls))


def test_the_admin_areas_have_routes():
    assert admin_urls(), "no admin routes found: the walk is broken"


@pytest.mark.parametrize("url", admin_urls())
def test_admin_url_requires_login(client, db, url):
    response = client.get(url)
    assert response.status_code == HTTPStatus.FOUND, url
    assert response.url.startswith("/?next=") or response.url.startswith("/?"), response.url


@pytest.mark.parametrize("url", admin_urls())
def test_admin_url_refuses_an_ordinary_user(bob_client, url):
    """HOME-5: the permission matrix of §5.1 holds on every URL."""
    assert bob_client.get(url).status_code == HTTPStatus.FORBIDDEN, url
    assert bob_client.post(url).status_code in (HTTPStatus.FORBIDDEN, HTTPStatus.METHOD_NOT_ALLOWED), url


@pytest.mark.parametrize("url", admin_urls())
def test_admin_url_is_not_for_operators(operator_client, url):
    """Operators have no tenant: tenant pages are 404 for them, like a missing page."""
    assert operator_client.get(url).status_code == HTTPStatus.NOT_FOUND, url
