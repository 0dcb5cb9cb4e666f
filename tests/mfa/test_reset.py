"""Help when a factor is lost (issue 24): an admin resets another user's
factors after re-entering their password; the user is mailed; the
代表管理者's factors are reset only by an operator in Django admin."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from mfa.models import RecoveryCode, TotpDevice
from mfa.services import recovery
from tests.accounts.auth_helpers import audit, outbox
from tests.factories import TEST_PASSWORD, UserFactory
from tests.mfa.helpers import give_totp


@pytest.fixture
def totp_bob(bob):
    give_totp(bob)
    recovery.generate(bob)
    return bob


def _url(user):
    return reverse("mfa:reset", args=[user.pk])


def test_admin_resets_a_users_factors_after_reentering_the_password(alice_client, alice, totp_bob):
    page = alice_client.get(_url(totp_bob))
    assert page.status_code == HTTPStatus.OK and "アプリ" in page.text
    wrong = alice_client.post(_url(totp_bob), {"password": "Wrong12345"})
    assert wrong.status_code == HTTPStatus.OK and "パスワードが正しくありません" in wrong.text
    assert TotpDevice.objects.filter(user=totp_bob).exists()
    done = alice_client.post(_url(totp_bob), {"password": TEST_PASSWORD})
    assert done.url == reverse("users:detail", args=[totp_bob.pk])
    assert not TotpDevice.objects.filter(user=totp_bob).exists()
    assert not RecoveryCode.objects.filter(user=totp_bob).exists()
    [entry] = audit("mfa.factors.reset", object_id=str(totp_bob.pk))
    assert entry.actor_id == alice.pk
    [mail] = [m for m in outbox("mfa_factor_changed") if "リセット" in m.body]
    assert totp_bob.email in mail.to or totp_bob.mail_to in mail.to


def test_reset_requires_login(client, bob):
    response = client.get(_url(bob))
    assert response.status_code == HTTPStatus.FOUND and reverse("accounts:login") in response.url


def test_reset_is_for_admins(bob_client, tenant_a):
    other = UserFactory(tenant=tenant_a)
    assert bob_client.get(_url(other)).status_code == HTTPStatus.FORBIDDEN


def test_another_tenants_user_is_not_found(alice_client, charlie):
    assert alice_client.get(_url(charlie)).status_code == HTTPStatus.NOT_FOUND


def test_not_ones_own_factors(alice_client, alice):
    assert alice_client.get(_url(alice)).status_code == HTTPStatus.FORBIDDEN


def test_the_representative_is_reset_only_by_an_operator(tenant_a, alice, bob):
    """alice is the 代表管理者; another admin of the tenant may not reset her."""
    from tests.conftest import _client_for

    bob.role = "admin"
    bob.save(update_fields=["role"])
    give_totp(alice)
    client = _client_for(bob)
    assert client.get(_url(alice)).status_code == HTTPStatus.FORBIDDEN
    assert client.post(_url(alice), {"password": TEST_PASSWORD}).status_code == HTTPStatus.FORBIDDEN
    assert TotpDevice.objects.filter(user=alice).exists()


def test_operator_resets_the_representative_in_django_admin(operator_client, operator, alice):
    give_totp(alice)
    url = reverse("admin:mfa_twostepuser_changelist")
    listing = operator_client.get(url)
    assert listing.status_code == HTTPStatus.OK and alice.email in listing.text
    data = {"action": "reset_two_step", "_selected_action": [alice.pk]}
    intermediate = operator_client.post(url, data)
    assert intermediate.status_code == HTTPStatus.OK and "パスワード" in intermediate.text
    operator_client.post(url, {**data, "apply": "1", "password": "Wrong12345"})
    assert TotpDevice.objects.filter(user=alice).exists()
    operator_client.post(url, {**data, "apply": "1", "password": TEST_PASSWORD})
    assert not TotpDevice.objects.filter(user=alice).exists()
    assert audit("mfa.factors.reset", object_id=str(alice.pk))[0].actor_id == operator.pk
    assert [m for m in outbox("mfa_factor_changed") if "運用担当者" in m.body]


def test_user_detail_links_to_the_reset(alice_client, bob, alice):
    page = alice_client.get(reverse("users:detail", args=[bob.pk]))
    assert _url(bob) in page.text
    own = alice_client.get(reverse("users:detail", args=[alice.pk]))
    assert _url(alice) not in own.text  # nor the 代表管理者's


def test_a_second_tab_resetting_again_neither_logs_nor_mails_twice(alice_client, totp_bob):
    """Two tabs on the reset page (or the form resubmitted with Back): the
    first reset removes the factors; the second finds nothing, says so, and
    adds no 操作ログ entry and no second mail to the user."""
    alice_client.get(_url(totp_bob))
    first = alice_client.post(_url(totp_bob), {"password": TEST_PASSWORD})
    second = alice_client.post(_url(totp_bob), {"password": TEST_PASSWORD}, follow=True)
    assert first.url == reverse("users:detail", args=[totp_bob.pk])
    assert "既にリセットされています" in second.text
    assert len(audit("mfa.factors.reset", object_id=str(totp_bob.pk))) == 1
    assert len([m for m in outbox("mfa_factor_changed") if "リセット" in m.body]) == 1


def test_the_operators_action_counts_only_users_it_reset(operator_client, alice, bob):
    give_totp(alice)
    url = reverse("admin:mfa_twostepuser_changelist")
    data = {"action": "reset_two_step", "_selected_action": [alice.pk, bob.pk], "apply": "1"}
    done = operator_client.post(url, {**data, "password": TEST_PASSWORD}, follow=True)
    assert "1 人の2段階認証をリセットしました" in done.text  # bob had no factor
    assert not audit("mfa.factors.reset", object_id=str(bob.pk))
