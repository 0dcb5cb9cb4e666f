"""Lockout after repeated failures (AUTH-8)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from accounts.models import LoginFailureCounter, User
from accounts.services.lockout import count_login_failure, unlock
from accounts.services.throttle import security_cache
from tests.accounts.auth_helpers import audit, login_two_steps
from tests.factories import TEST_PASSWORD, UserFactory


def _fail(user: User, times: int, client: Client | None = None, ip: str = "10.0.0.1") -> None:
    client = client or Client(REMOTE_ADDR=ip)
    client.post(reverse("accounts:login"), {"login_id": user.email})
    for _ in range(times):
        # Each attempt after the login delays have passed (issue 21; they have
        # their own tests in tests/security/test_login_throttle.py): these
        # tests are about the lock's count.
        security_cache().clear()
        client.post(reverse("accounts:login_password"), {"password": "Wrong12345"})


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_account_locks_at_the_threshold_and_right_password_then_fails(bob):
    """AUTH-8: after LOGIN_FAILURE_LIMIT failures the account becomes アカウントロック."""
    _fail(bob, 2)
    bob.refresh_from_db()
    assert bob.status == User.Status.ACTIVE
    _fail(bob, 1)
    bob.refresh_from_db()
    assert bob.status == User.Status.LOCKED
    response = login_two_steps(Client(), bob.email, TEST_PASSWORD)
    assert "アカウントがロックされています" in response.text
    (locked,) = audit("accounts.user.locked")
    assert locked.object_id == str(bob.pk) and locked.data == {"failures": 3}


def test_default_threshold_is_ten(bob, settings):
    assert settings.LOGIN_FAILURE_LIMIT == 10
    assert timedelta(minutes=30) == settings.LOGIN_FAILURE_WINDOW
    _fail(bob, 9)
    bob.refresh_from_db()
    assert bob.status == User.Status.ACTIVE
    _fail(bob, 1)
    bob.refresh_from_db()
    assert bob.status == User.Status.LOCKED


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_failures_outside_the_window_start_over(bob):
    """AUTH-8: the threshold counts failures within LOGIN_FAILURE_WINDOW (30 min)."""
    start = timezone.now()
    with freeze_time(start):
        _fail(bob, 2)
    with freeze_time(start + timedelta(minutes=31)):
        _fail(bob, 2)
    bob.refresh_from_db()
    assert bob.status == User.Status.ACTIVE
    assert LoginFailureCounter.objects.get(user=bob).failures == 2


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_a_successful_login_resets_the_count(bob):
    _fail(bob, 2)
    assert login_two_steps(Client(), bob.email, TEST_PASSWORD).status_code == 302
    _fail(bob, 2)
    bob.refresh_from_db()
    assert bob.status == User.Status.ACTIVE


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_failures_on_one_account_do_not_lock_others_behind_the_same_ip(alice, bob):
    """AUTH-8: counted per account, never per IP."""
    _fail(bob, 3, ip="192.0.2.7")
    response = login_two_steps(Client(REMOTE_ADDR="192.0.2.7"), alice.email, TEST_PASSWORD)
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.status == User.Status.ACTIVE
    assert audit("accounts.login.failed")[0].ip_address == "192.0.2.7"


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_unknown_ids_lock_nothing(alice):
    client = Client()
    client.post(reverse("accounts:login"), {"login_id": "ghost@example.com"})
    for _ in range(5):
        client.post(reverse("accounts:login_password"), {"password": "Wrong12345"})
    assert not LoginFailureCounter.objects.exists()


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_lockout_ends_the_accounts_sessions(bob, bob_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _fail(bob, 3)
    assert bob_client.get(reverse("home")).status_code == 302


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_counting_is_one_race_safe_statement(tenant_a):
    """AUTH-8: concurrent failures each get their own number (one upsert)."""
    user = UserFactory(tenant=tenant_a)
    now = timezone.now()
    results: list[int] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        try:
            barrier.wait()
            results.append(count_login_failure(user=user, now=now))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == list(range(1, 9))


def test_counting_takes_one_query(bob, django_assert_num_queries):
    with django_assert_num_queries(1):
        count_login_failure(user=bob, now=timezone.now())


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_admin_unlock_lets_the_person_in_again(bob, alice):
    """AUTH-8: unlocking by an admin (service for the user screens)."""
    _fail(bob, 3)
    bob.refresh_from_db()
    unlock(user=bob, actor=alice)
    assert login_two_steps(Client(), bob.email, TEST_PASSWORD).status_code == 302
