"""Home screens and the global menu by role (HOME-1, HOME-2, HOME-5)."""

from __future__ import annotations

from http import HTTPStatus

from django.urls import reverse

from tests.factories import ContractFactory


def test_it_works_for_admin_with_contracted_services(alice_client, alice, services):
    """HOME-1: the admin home lists the contracted services and the admin menu."""
    ContractFactory(tenant=alice.tenant, service=services["google_workspace"], number="GW-1")
    response = alice_client.get(reverse("home"))
    assert response.status_code == HTTPStatus.OK
    assert "Google Workspace" in response.text
    assert "請求書サイト" in response.text
    labels = [item["label"] for item in response.context["global_menu"]]
    assert labels[0] == "ホーム"


def test_user_menu_has_no_admin_entries(bob_client, alice, services):
    """HOME-2: an ordinary user's menu shows no admin items."""
    response = bob_client.get(reverse("home"))
    assert response.status_code == HTTPStatus.OK
    labels = {str(item["label"]) for item in response.context["global_menu"]}
    assert not labels & {"ユーザ", "サービス", "契約情報"}
    assert "請求書サイト" not in response.text


def test_it_requires_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith("/?next=/home/")


def test_home_shows_only_own_tenants_contracts(alice_client, charlie, services):
    ContractFactory(tenant=charlie.tenant, service=services["emm"], number="B-SECRET")
    response = alice_client.get(reverse("home"))
    assert "B-SECRET" not in response.text


def test_operator_has_no_tenant_home(operator_client):
    """Operators work in Django admin; the tenant home is not theirs."""
    assert operator_client.get(reverse("home")).status_code == HTTPStatus.NOT_FOUND


def test_home_query_count_is_constant(alice_client, alice, services, django_assert_max_num_queries):
    for code in ("google_workspace", "microsoft_365", "line_works", "emm"):
        ContractFactory(tenant=alice.tenant, service=services[code])
    # The first request also reads the home's リンク集 and the header logo
    # (one query, then cached); every request counts the i entry's unread
    # notices (HOME-3, one COUNT per page): 6 before those two, then 8 and 7.
    with django_assert_max_num_queries(8):
        alice_client.get(reverse("home"))
    with django_assert_max_num_queries(7):
        alice_client.get(reverse("home"))


def test_pages_carry_a_content_security_policy(client, db):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy


def test_home1_an_admins_service_tiles_open_the_services_page(alice_client, alice, services):
    """Issue 23: the tiles did nothing when clicked. An ID service opens its
    row of ID 数確認/変更申込, any other its entry on 契約情報."""
    gw = ContractFactory(tenant=alice.tenant, service=services["google_workspace"], number="GW-1")
    ether = ContractFactory(tenant=alice.tenant, service=services["ether_economy"], number="ET-1")
    body = alice_client.get(reverse("home")).text
    assert f'href="{reverse("idchange:list")}#contract-{gw.pk}"' in body
    assert f'href="{reverse("contract:detail")}#contract-{ether.pk}"' in body
    assert f'id="contract-{ether.pk}"' in alice_client.get(reverse("contract:detail")).text
    assert f'id="contract-{gw.pk}"' in alice_client.get(reverse("idchange:list")).text


def test_home2_a_users_tiles_link_nowhere_they_cannot_open(bob_client, alice, services):
    ContractFactory(tenant=alice.tenant, service=services["google_workspace"], number="GW-1")
    body = bob_client.get(reverse("home")).text
    assert "Google Workspace" in body
    assert reverse("idchange:list") not in body and reverse("contract:detail") not in body
