"""サービス → SCIM プロビジョニング (issue 25): create (入力 → 確認 → 完了,
shown once), list (last used, created by), revoke with a confirmation; the
view checklist: login, 管理者 only (403 for ユーザ), another tenant's token
404, bad input in Japanese with nothing changed."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from scim.models import ScimToken
from scim.tokens import hash_token
from tenants.scoping import tenant_scope
from tests.scim.scim_helpers import ScimClient, make_token
from tests.web.flow import confirm_then_complete

pytestmark = pytest.mark.django_db

LIST = reverse("scim_tokens:list")
ADD = reverse("scim_tokens:add")


def tokens_of(tenant):
    with tenant_scope(tenant):
        return list(ScimToken.objects.order_by("pk"))


def test_create_through_confirm_shows_the_token_once(alice_client, tenant_a):
    confirm, done = confirm_then_complete(alice_client, ADD, {"name": "Microsoft Entra ID", "send_setup_mail": "on"})
    assert confirm.templates[0].name == "scim/token_confirm.html"
    assert done.status_code == HTTPStatus.FOUND and done.url == reverse("scim_tokens:created")
    shown = alice_client.get(done.url)
    raw = shown.context["raw"]
    assert raw in shown.text and shown["Cache-Control"] == "no-store"
    [token] = tokens_of(tenant_a)
    assert (token.name, token.send_setup_mail, token.created_by_label) == ("Microsoft Entra ID", True, "alice@a.example.com")
    assert token.token_hash == hash_token(raw) and raw not in token.token_hash  # only the hash is stored
    # Shown once: the page again no longer has it.
    again = alice_client.get(done.url)
    assert again.status_code == HTTPStatus.FOUND and again.url == LIST
    assert raw not in alice_client.get(LIST).text
    # The token works.
    assert ScimClient(raw).get("Users").status_code == 200
    with tenant_scope(tenant_a):
        assert AuditEntry.objects.filter(action="scim.token.created").count() == 1


def test_option_off_is_kept(alice_client, tenant_a):
    confirm_then_complete(alice_client, ADD, {"name": "Okta (SSO)"})
    [token] = tokens_of(tenant_a)
    assert token.send_setup_mail is False


def test_list_shows_last_used_and_creator(alice_client, tenant_a, alice):
    token, raw = make_token(tenant_a, alice, name="Okta")
    page = alice_client.get(LIST)
    assert "Okta" in page.text and "alice@a.example.com" in page.text and "未使用" in page.text
    ScimClient(raw).get("Users")
    page = alice_client.get(LIST)
    assert "未使用" not in page.text


def test_bad_input_is_refused_in_japanese_and_changes_nothing(alice_client, tenant_a):
    page = alice_client.post(ADD, {"name": ""})
    assert page.templates[0].name == "scim/token_add.html"
    assert "トークン名を入力してください。" in page.text
    page = alice_client.post(ADD, {"name": "x" * 51})
    assert "トークン名は 50 文字以内で入力してください。" in page.text
    assert tokens_of(tenant_a) == []


def test_revoke_after_confirmation(alice_client, tenant_a, alice):
    token, raw = make_token(tenant_a, alice)
    url = reverse("scim_tokens:revoke", args=[token.pk])
    page = alice_client.get(url)
    assert "失効します" in page.text
    assert tokens_of(tenant_a)[0].revoked_at is None  # the GET changes nothing
    done = alice_client.post(url)
    assert done.url == LIST
    assert tokens_of(tenant_a)[0].revoked_at is not None
    assert ScimClient(raw).get("Users").status_code == 401
    assert alice_client.get(url).status_code == HTTPStatus.NOT_FOUND  # already revoked


def test_login_required(db):
    for url in (LIST, ADD, reverse("scim_tokens:created"), reverse("scim_tokens:revoke", args=[1])):
        response = Client().get(url)
        assert response.status_code == HTTPStatus.FOUND and response.url.startswith("/?next=")


def test_user_role_gets_403(bob_client, tenant_a, alice):
    token, _raw = make_token(tenant_a, alice)
    for url in (LIST, ADD, reverse("scim_tokens:created"), reverse("scim_tokens:revoke", args=[token.pk])):
        assert bob_client.get(url).status_code == HTTPStatus.FORBIDDEN
    assert bob_client.post(reverse("scim_tokens:revoke", args=[token.pk])).status_code == HTTPStatus.FORBIDDEN
    assert tokens_of(tenant_a)[0].revoked_at is None


def test_another_tenants_token_is_404(alice_client, tenant_b, charlie):
    token, _raw = make_token(tenant_b, charlie, name="B社の Okta")
    url = reverse("scim_tokens:revoke", args=[token.pk])
    assert alice_client.get(url).status_code == HTTPStatus.NOT_FOUND
    assert alice_client.post(url).status_code == HTTPStatus.NOT_FOUND
    assert tokens_of(tenant_b)[0].revoked_at is None
    assert "B社の Okta" not in alice_client.get(LIST).text


def test_menu_entry_under_services(alice_client, bob_client):
    assert LIST in alice_client.get(reverse("home")).text
    assert LIST not in bob_client.get(reverse("home")).text


def test_list_query_count_is_constant(alice_client, tenant_a, alice, django_assert_max_num_queries):
    make_token(tenant_a, alice)
    alice_client.get(LIST)
    with django_assert_max_num_queries(12) as few:
        alice_client.get(LIST)
    for n in range(10):
        make_token(tenant_a, alice, name=f"t{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        alice_client.get(LIST)


def test_token_pages_in_english(alice_client, tenant_a, alice):
    make_token(tenant_a, alice, name="Okta")
    page = alice_client.get(LIST, headers={"Accept-Language": "en"})
    assert "SCIM provisioning" in page.text and "Create a token" in page.text and "Never used" in page.text
    page = alice_client.post(ADD, {"name": ""}, headers={"Accept-Language": "en"})
    assert "Enter a token name." in page.text
