"""HOME-5 / BBS-5 on every bulletin URL: users read (the board and its
articles), only admins write; a walk over the URL conf covers new routes."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import get_resolver, reverse

from tests.portal.test_url_permissions import _sample_kwargs, _walk

READER_ROUTES = {"index", "article"}


def bulletin_routes() -> list[tuple[str, str]]:
    return sorted(
        {
            (name, reverse(f"bulletin:{name}", kwargs=_sample_kwargs(converters)))
            for namespace, name, converters in _walk(get_resolver().url_patterns)
            if namespace == "bulletin"
        }
    )


def test_the_bulletin_has_routes():
    assert len(bulletin_routes()) >= 12


@pytest.mark.parametrize(("name", "url"), bulletin_routes())
def test_bbs5_every_route_requires_login(client, db, name, url):
    for response in (client.get(url), client.post(url)):
        assert response.status_code == HTTPStatus.FOUND, url
        assert response.url.startswith("/?next="), response.url


@pytest.mark.parametrize(("name", "url"), [r for r in bulletin_routes() if r[0] not in READER_ROUTES])
def test_bbs5_only_admins_write(bob_client, name, url):
    assert bob_client.get(url).status_code == HTTPStatus.FORBIDDEN, url
    assert bob_client.post(url).status_code == HTTPStatus.FORBIDDEN, url


def test_operators_see_the_fanout_status_read_only(operator_client, alice, news_a):
    from bulletin.services.articles import create_article
    from tenants.scoping import tenant_scope

    with tenant_scope(alice.tenant):
        article = create_article(
            tenant=alice.tenant, actor=alice, category=news_a, title="運用確認", body="本文", notify=False
        )
    assert operator_client.get("/admin/bulletin/article/").status_code == HTTPStatus.OK
    detail = operator_client.get(f"/admin/bulletin/article/{article.pk}/change/")
    assert detail.status_code == HTTPStatus.OK
    assert "送信数" in detail.content.decode()
    assert operator_client.post(f"/admin/bulletin/article/{article.pk}/delete/").status_code == HTTPStatus.FORBIDDEN
    assert operator_client.get("/admin/bulletin/article/add/").status_code == HTTPStatus.FORBIDDEN
