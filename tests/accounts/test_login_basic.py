"""The plain two-step login of the foundation (AUTH-5, AUTH-6)."""

from __future__ import annotations

import re
from http import HTTPStatus

from django.urls import reverse

from tests.factories import TEST_PASSWORD


def test_login_page_is_at_the_site_root(client, db):
    response = client.get("/")
    assert response.status_code == HTTPStatus.OK
    assert "ユーザ ID" in response.text and "次へ" in response.text


def test_two_steps_log_in_and_return_to_the_bookmarked_url(client, alice):
    """AUTH-5, AUTH-6."""
    response = client.get("/home/")
    assert response.status_code == HTTPStatus.FOUND
    step1 = client.post("/", {"login_id": alice.email.upper(), "next": "/home/"})
    assert step1.url == reverse("accounts:login_password")
    step2 = client.post(step1.url, {"password": TEST_PASSWORD})
    assert step2.status_code == HTTPStatus.FOUND
    assert step2.url == "/home/"
    assert client.get("/home/").status_code == HTTPStatus.OK


def test_unknown_id_and_wrong_password_fail_alike(client, alice):
    """AUTH-5: the first step never reveals whether an ID exists."""
    texts = []
    for login_id in (alice.email, "nobody@example.com"):
        client.post("/", {"login_id": login_id})
        response = client.post(reverse("accounts:login_password"), {"password": "Wrong12345"})
        assert response.status_code == HTTPStatus.OK
        page = re.sub(r'value="[A-Za-z0-9]{64}"', "TOKEN", response.text)
        texts.append(page.replace(login_id, "ID"))
    assert texts[0] == texts[1]


def test_open_redirect_is_refused(client, alice):
    client.post("/", {"login_id": alice.email, "next": "https://evil.example.com/"})
    response = client.post(reverse("accounts:login_password"), {"password": TEST_PASSWORD})
    assert response.url == reverse("home")
