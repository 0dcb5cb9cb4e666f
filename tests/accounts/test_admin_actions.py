"""Operators' Django admin actions on users (AUTH-8 アカウントロック解除, AUTH-9
パスワード再設定メール送信) and the admin's permission gate (OPS)."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import LoginFailureCounter, User
from tenants.scoping import operator_scope
from tests.factories import UserFactory, login_verified
from tests.users.users_helpers import audit, outbox

CHANGELIST = reverse("admin:accounts_user_changelist")


def _act(client: Client, action: str, users: list[User]):
    return client.post(
        CHANGELIST, {"action": action, "_selected_action": [u.pk for u in users]}, follow=True
    )


def _status(user: User) -> str:
    with operator_scope():
        return User.objects.get(pk=user.pk).status


def _staff(*codenames: str) -> Client:
    staff = User.objects.create_user("staff@carrier.example.com", is_staff=True, status=User.Status.ACTIVE)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="accounts", codename__in=codenames))
    client = Client()
    login_verified(client, staff)
    return client


def test_auth8_admin_action_unlocks_locked_accounts(operator_client, operator, tenant_a, bob):
    locked = UserFactory(tenant=tenant_a, email="locked@a.example.com", status=User.Status.LOCKED)
    LoginFailureCounter.objects.create(user=locked, failures=10, window_started_at=timezone.now())
    body = _act(operator_client, "unlock_accounts", [locked, bob]).content.decode()
    assert "1 件のアカウントロックを解除しました。" in body
    assert "アカウントロック中ではない 1 件は変更していません。" in body
    assert _status(locked) == User.Status.ACTIVE and _status(bob) == User.Status.ACTIVE
    assert not LoginFailureCounter.objects.filter(user_id=locked.pk).exists()
    [entry] = audit("accounts.user.unlocked")
    assert entry.object_id == str(locked.pk) and entry.actor_id == operator.pk


def test_auth9_admin_action_sends_password_reset_mails(
    operator_client, operator, tenant_a, bob, django_capture_on_commit_callbacks, mailoutbox
):
    pending = UserFactory(tenant=tenant_a, email="pending@a.example.com", status=User.Status.PENDING)
    suspended = UserFactory(tenant=tenant_a, email="s@a.example.com", status=User.Status.SUSPENDED)
    with django_capture_on_commit_callbacks(execute=True):
        body = _act(operator_client, "send_password_reset_mails", [bob, pending, suspended]).content.decode()
    assert "2 件のパスワード再設定メールを送信しました。" in body
    assert "一時停止中の 1 件には送信していません。" in body
    assert [m.to for m in outbox("password_reset")] == [[bob.notification_email]]
    assert [m.to for m in outbox("account_setup")] == [[pending.notification_email]]  # no password yet
    assert sorted(m.to[0] for m in mailoutbox) == sorted([bob.notification_email, pending.notification_email])
    assert [e.actor_id for e in audit("accounts.password_reset.requested")] == [operator.pk]


def test_ops_staff_without_view_permission_cannot_see_users(db, tenant_a, bob):
    client = _staff()
    assert client.get(CHANGELIST).status_code == HTTPStatus.FORBIDDEN
    assert client.get(reverse("admin:accounts_user_change", args=[bob.pk])).status_code == HTTPStatus.FORBIDDEN
    assert CHANGELIST not in client.get(reverse("admin:index")).content.decode()
    response = client.post(CHANGELIST, {"action": "unlock_accounts", "_selected_action": [bob.pk]})
    assert response.status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("action", ["unlock_accounts", "send_password_reset_mails"])
def test_ops_view_only_staff_sees_users_but_cannot_run_the_actions(db, tenant_a, action):
    locked = UserFactory(tenant=tenant_a, email="locked@a.example.com", status=User.Status.LOCKED)
    client = _staff("view_user")
    page = client.get(CHANGELIST)
    assert page.status_code == HTTPStatus.OK and "locked@a.example.com" in page.content.decode()
    assert action not in page.content.decode()
    _act(client, action, [locked])
    assert _status(locked) == User.Status.LOCKED and outbox() == []
