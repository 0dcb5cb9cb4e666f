"""BBS-3: 記事削除 with a confirmation."""

from __future__ import annotations

from http import HTTPStatus

from django.urls import reverse

from tests.bulletin.conftest import article_count, audit, titles


def test_bbs3_delete_confirmation_then_delete(alice_client, alice, events_a, events_articles):
    article = events_articles[1]
    url = reverse("bulletin:article_delete", args=[article.pk])
    page = alice_client.get(url)
    assert page.status_code == HTTPStatus.OK
    assert "忘年会" in page.content.decode() and "削除" in page.content.decode()
    assert article_count(events_a.tenant) == 3

    response = alice_client.post(url)
    assert response.status_code == HTTPStatus.FOUND
    assert titles(events_a) == ["運動会", "新年会"]
    entry = audit("bulletin.article.deleted")[0]
    assert (entry.actor_id, entry.data["title"]) == (alice.pk, "忘年会")


def test_bbs3_delete_requires_login_admin_and_own_tenant(client, bob_client, alice_client, events_articles, article_b):
    url = reverse("bulletin:article_delete", args=[events_articles[0].pk])
    assert client.post(url).status_code == HTTPStatus.FOUND
    assert bob_client.get(url).status_code == HTTPStatus.FORBIDDEN
    assert bob_client.post(url).status_code == HTTPStatus.FORBIDDEN
    other = reverse("bulletin:article_delete", args=[article_b.pk])
    assert alice_client.post(other).status_code == HTTPStatus.NOT_FOUND
    assert article_count(events_articles[0].tenant) == 3
    assert article_count(article_b.tenant) == 1


def test_bbs3_edit_page_lists_delete_and_order_controls(alice_client, news_a, events_a, events_articles):
    response = alice_client.get(reverse("bulletin:edit"))
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    for text in ("掲示板編集", "カテゴリ削除", "削除", "上へ", "下へ", "Sortable.min.js"):
        assert text in body
    assert reverse("bulletin:category_delete", args=[news_a.pk]) not in body


def test_bbs3_edit_page_requires_admin(bob_client, client, db):
    assert bob_client.get(reverse("bulletin:edit")).status_code == HTTPStatus.FORBIDDEN
    assert client.get(reverse("bulletin:edit")).status_code == HTTPStatus.FOUND
