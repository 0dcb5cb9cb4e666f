"""Error pages carry the manual's messages (AUTH-12)."""

from __future__ import annotations

from http import HTTPStatus

from django.test import Client, RequestFactory

from portal import views


def test_404_says_data_could_not_be_fetched(alice_client):
    response = alice_client.get("/no-such-page/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "データが取得できませんでした。" in response.text


def test_500_says_try_again_later(db):
    response = views.server_error(RequestFactory().get("/"))
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert "問題が発生しました。しばらくしてからご利用ください。" in response.content.decode()


def test_csrf_failure_says_token_invalid(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/", {"login_id": "a@example.com"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "アクセストークンが不正です。" in response.text
