"""The FAQ's messages where those situations happen (AUTH-12)."""

from __future__ import annotations

from http import HTTPStatus

from django.test import Client
from django.urls import reverse

from tests.factories import TEST_PASSWORD


def test_csrf_failure_says_the_access_token_is_invalid(alice):
    """AUTH-12: 『アクセストークンが不正です。』 (an expired form token)."""
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"login_id": alice.email})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "アクセストークンが不正です。" in response.text
    assert reverse("accounts:login") in response.text


def test_expired_link_pages_offer_a_way_forward(client, db):
    """AUTH-2/AUTH-9: clear pages for dead links (no bare error)."""
    page = client.get(reverse("accounts:password_reset_link", args=["x" * 43]))
    assert page.status_code == HTTPStatus.GONE
    assert "このリンクは有効期限が切れているか、すでに使用されています。" in page.text
    page = client.get(reverse("accounts:notification_email_confirm", args=["x" * 43]))
    assert page.status_code == HTTPStatus.GONE


def test_missing_page_says_data_could_not_be_fetched(alice_client):
    response = alice_client.get("/no-such-page/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "データが取得できませんでした。" in response.text


def test_login_with_real_csrf_works(alice):
    """The same flow with CSRF enforced, taking the token from the pages."""
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("accounts:login"))
    token = client.cookies["csrftoken"].value
    client.post(reverse("accounts:login"), {"login_id": alice.email, "csrfmiddlewaretoken": token})
    response = client.post(
        reverse("accounts:login_password"), {"password": TEST_PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == HTTPStatus.FOUND and response.url == reverse("home")
