"""Guards found missing in review: the representative admin stays an active
admin in every path (USER-7, USER-8, CONTRACT-2), and an admin cannot take
away their own admin rights from the edit screen (as the CSV import refuses)."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.test import Client, TestCase
from django.urls import reverse

from accounts.models import User
from tenants.scoping import tenant_scope
from tests.factories import TEST_PASSWORD, UserFactory
from tests.users.users_helpers import submit
from users.services.errors import UserAdminError
from users.services.user_accounts import set_status


@pytest.fixture
def dave(tenant_a) -> User:
    """A second admin of tenant A (not the representative)."""
    return UserFactory(tenant=tenant_a, email="dave@a.example.com", role=User.Role.ADMIN)


@pytest.fixture
def dave_client(dave) -> Client:
    client = Client()
    client.force_login(dave)
    return client


def test_user7_representative_cannot_be_suspended_from_the_screen(dave_client, alice):
    """USER-8/CONTRACT-2: the representative admin must stay usable; another
    admin's 一時停止 of the representative is refused with the reason."""
    response = dave_client.post(reverse("users:status", args=[alice.pk]), {"status": "suspended"})
    assert response.status_code == HTTPStatus.OK
    assert "代表管理者は一時停止できません。" in response.content.decode()
    alice.refresh_from_db()
    assert alice.status == User.Status.ACTIVE


def test_user7_representative_cannot_be_suspended_by_the_service(dave, alice):
    with tenant_scope(alice.tenant_id), pytest.raises(UserAdminError):
        set_status(user=alice, actor=dave, status=User.Status.SUSPENDED)
    alice.refresh_from_db()
    assert alice.status == User.Status.ACTIVE


def test_user7_admin_cannot_demote_themselves_on_the_edit_screen(dave_client, dave):
    """As the CSV import (ログイン中のユーザの権限は変更できません), the edit
    screen does not let an admin lock themselves out of administration."""
    data = {
        "last_name": "山田",
        "first_name": "大介",
        "role": "user",
        "email": dave.email,
        "notification_email": "dave@a.example.com",
        "login_condition": "tenant",
    }
    response = submit(dave_client, reverse("users:edit", args=[dave.pk]), data)
    assert response.status_code == HTTPStatus.OK
    assert "ログイン中のユーザの権限は変更できません。" in response.content.decode()
    dave.refresh_from_db()
    assert dave.role == User.Role.ADMIN


def test_auth8_sessions_end_when_the_tenant_is_deactivated(alice_client, tenant_a):
    """A tenant an operator deactivates cannot log in (accounts.services.login);
    its users' open sessions must not keep working either."""
    assert alice_client.get(reverse("home")).status_code == HTTPStatus.OK
    tenant_a.is_active = False
    tenant_a.save(update_fields=["is_active"])
    response = alice_client.get(reverse("home"))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(reverse("accounts:login"))


def test_contract2_suspended_admin_cannot_become_the_representative(alice_client, alice, dave, tenant_a):
    """Otherwise the representative, who may not be suspended, would be."""
    User.all_objects.filter(pk=dave.pk).update(status=User.Status.SUSPENDED)
    response = submit(
        alice_client, reverse("contract:representative_change"), {"new_admin": dave.pk}, current_password=TEST_PASSWORD
    )
    assert response.status_code == HTTPStatus.OK
    assert "一時停止中のユーザは代表管理者にできません。" in response.content.decode()
    alice.refresh_from_db()
    assert alice.is_representative


def test_auth9_users_of_a_deactivated_tenant_get_no_reset_mail(client, bob, tenant_a):
    """A closed customer's account is unavailable like a suspended one (AUTH-8,
    AUTH-9): no reset link that could never be used to log in."""
    from tests.accounts.auth_helpers import outbox

    tenant_a.is_active = False
    tenant_a.save(update_fields=["is_active"])
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"login_id": bob.email})
    # Issue 21: the page answers as for any ID; the mailbox is told why.
    assert response.url == reverse("accounts:password_reset_sent")
    assert outbox("password_reset") == []
    assert len(outbox("account_unavailable")) == 1
