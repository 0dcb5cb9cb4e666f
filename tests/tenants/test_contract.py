"""契約情報 (CONTRACT-1) and 代表管理者の変更 (CONTRACT-2)."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tenants.scoping import operator_scope
from tests.factories import TEST_PASSWORD, UserFactory
from tests.users.users_helpers import audit, submit
from tests.web.flow import complete
from users.services.contract import ContractError, change_representative

CONTRACT = "/contract/"
CHANGE = "/contract/representative/"


@pytest.fixture
def dora(tenant_a) -> User:
    return UserFactory(tenant=tenant_a, email="dora@a.example.com", role=User.Role.ADMIN, last_name="土良",
                       first_name="ドラ")


def representative_of(tenant) -> list[str]:
    with operator_scope():
        return list(User.objects.filter(tenant=tenant, is_representative=True).values_list("email", flat=True))


def test_contract1_shows_company_code_representative_and_contracts(alice_client, alice, contracts_a, dora):
    body = alice_client.get(CONTRACT).content.decode()
    for text in ("契約情報", "テナントA株式会社", "TA000001", "代表管理者", "alice@a.example.com", "変更",
                 "Google Workspace", "A-google_workspace", "A-emm"):
        assert text in body


def test_contract1_checklist(client, bob_client, db):
    assert client.get(CONTRACT).status_code == HTTPStatus.FOUND
    assert bob_client.get(CONTRACT).status_code == HTTPStatus.FORBIDDEN
    assert bob_client.post(CHANGE, {"new_admin": 1}).status_code == HTTPStatus.FORBIDDEN


def test_contract1_only_own_tenant(charlie_client, alice, contracts_a):
    body = charlie_client.get(CONTRACT).content.decode()
    assert "テナントB株式会社" in body and "A-emm" not in body and "alice@a.example.com" not in body


def test_contract2_change_flow(alice_client, alice, dora, tenant_a):
    page = alice_client.get(CHANGE).content.decode()
    assert "変更後の管理者" in page and "dora@a.example.com" in page and "確認" in page
    confirm = alice_client.post(CHANGE, {"new_admin": dora.pk}).content.decode()
    assert "代表管理者変更確認" in confirm and "変更後代表管理者" in confirm and "完了" in confirm
    assert representative_of(tenant_a) == ["alice@a.example.com"]
    done = submit(alice_client, CHANGE, {"new_admin": dora.pk}, current_password=TEST_PASSWORD)
    assert done.url == reverse("contract:detail")
    response = alice_client.get(done.url)
    assert "代表管理者を 土良 ドラ（dora@a.example.com）に変更しました。" in response.content.decode()
    assert representative_of(tenant_a) == ["dora@a.example.com"]
    entry = audit("tenants.representative.changed")[0]
    assert entry.data == {"from": "alice@a.example.com", "to": "dora@a.example.com"}


def test_contract2_only_admins_of_the_tenant_can_be_chosen(alice_client, alice, dora, bob, charlie, tenant_a):
    for candidate in (bob, charlie, alice):
        response = submit(alice_client, CHANGE, {"new_admin": candidate.pk})
        assert "変更後の管理者を選択してください。" in response.content.decode()
    assert representative_of(tenant_a) == ["alice@a.example.com"]


def test_contract2_with_fewer_than_two_admins_offers_user_add(alice_client, alice, bob):
    contract = alice_client.get(CONTRACT).content.decode()
    assert '<dialog id="no-admin-dialog"' in contract and 'data-open-dialog="no-admin-dialog"' in contract
    page = alice_client.get(CHANGE).content.decode()
    assert "管理者権限ユーザを追加しますか" in page
    assert f'href="{reverse("users:add")}">はい' in page


def test_contract2_service_swaps_in_one_transaction(alice, dora, tenant_a):
    with operator_scope():
        change_representative(tenant=tenant_a, new_admin=dora, actor=alice)
    assert representative_of(tenant_a) == ["dora@a.example.com"]
    with operator_scope(), pytest.raises(ContractError):
        change_representative(tenant=tenant_a, new_admin=dora, actor=alice)


def test_contract2_new_representative_must_be_admin(alice, bob, tenant_a):
    with operator_scope(), pytest.raises(ContractError):
        change_representative(tenant=tenant_a, new_admin=bob, actor=alice)
    assert representative_of(tenant_a) == ["alice@a.example.com"]


def test_contract2_old_representative_can_then_be_deleted(alice, dora, tenant_a):
    """The FAQ: change the representative first, then the old one can go (USER-8)."""
    with operator_scope():
        change_representative(tenant=tenant_a, new_admin=dora, actor=alice)
    client = Client()
    client.force_login(dora)
    submit(client, reverse("users:delete", args=[alice.pk]), {})
    with operator_scope():
        assert not User.objects.filter(pk=alice.pk).exists()


def test_contract2_issue21_the_transfer_needs_the_admins_password(alice_client, alice, dora, tenant_a):
    """A borrowed admin session cannot hand the representative role away:
    完了 asks for the current password; a wrong one changes nothing."""
    confirm = alice_client.post(CHANGE, {"new_admin": dora.pk})
    assert 'name="current_password"' in confirm.content.decode()
    for password in ("", "wrong-password-1"):
        response = complete(alice_client, CHANGE, confirm, current_password=password)
        assert response.status_code == 200
        body = response.content.decode()
        assert "現在のパスワードを入力してください。" in body or "現在のパスワードが正しくありません。" in body
        assert representative_of(tenant_a) == ["alice@a.example.com"]
    assert audit("tenants.representative.changed") == []
    done = complete(alice_client, CHANGE, confirm, current_password=TEST_PASSWORD)
    assert done.status_code == 302 and representative_of(tenant_a) == ["dora@a.example.com"]
