"""Issue 21, finding 5: throttling that cannot be used against users.
Failures slow down further attempts per typed ID (known or not) and per IP
before the lock; an attempt inside a delay is answered 429 without checking
the password or counting towards the lock; the lock (AUTH-8) still comes
after the configured failures, and the owner and the tenant's admins are
mailed; /admin/login/ has its own stricter limit and never counts a
customer's failures."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from accounts.models import User
from accounts.services.login_throttle import ADMIN, LIMITS, PORTAL, delay_after
from tests.accounts.auth_helpers import outbox
from tests.factories import TEST_PASSWORD

WRONG = "Wrong12345"


def _attempt(login_id: str, password: str, ip: str = "198.51.100.7"):
    client = Client(REMOTE_ADDR=ip)
    client.post(reverse("accounts:login"), {"login_id": login_id})
    return client.post(reverse("accounts:login_password"), {"password": password})


def _status(user: User) -> str:
    return User.all_objects.get(pk=user.pk).status


def test_issue21_delays_grow_and_stop_before_the_lock():
    portal = LIMITS[PORTAL]["id"]
    assert [delay_after(n, portal) for n in range(1, 9)] == [0, 0, 0, 1, 2, 4, 8, 16]
    assert delay_after(100, portal) == portal.max_delay
    assert LIMITS[ADMIN]["id"].free < portal.free and LIMITS[ADMIN]["ip"].free < LIMITS[PORTAL]["ip"].free


@pytest.mark.parametrize("who", ["known", "unknown"])
def test_issue21_per_id_delay_answers_429_without_checking_the_password(who, bob):
    login_id = bob.email if who == "known" else "ghost@a.example.com"
    with freeze_time(timezone.now()) as clock:
        for i in range(4):  # three free, then the fourth starts a 1 s delay
            assert _attempt(login_id, WRONG, ip=f"198.51.100.{i}").status_code == HTTPStatus.OK
        inside = _attempt(login_id, TEST_PASSWORD if who == "known" else WRONG, ip="198.51.100.99")
        assert inside.status_code == HTTPStatus.TOO_MANY_REQUESTS
        assert "しばらく時間をおいてから" in inside.text
        clock.tick(timedelta(seconds=2))
        after = _attempt(login_id, TEST_PASSWORD, ip="198.51.100.99")
    if who == "known":
        assert after.status_code == HTTPStatus.FOUND  # the right password, after the delay
    else:
        assert after.status_code == HTTPStatus.OK


def test_issue21_per_ip_delay_stops_a_spray_across_ids(tenant_a):
    free = LIMITS[PORTAL]["ip"].free
    with freeze_time(timezone.now()):
        for i in range(free + 1):
            _attempt(f"spray{i}@a.example.com", WRONG, ip="203.0.113.50")
        assert _attempt("fresh@a.example.com", WRONG, ip="203.0.113.50").status_code == HTTPStatus.TOO_MANY_REQUESTS
        # Another IP is not slowed down by it.
        assert _attempt("fresh@a.example.com", WRONG, ip="203.0.113.51").status_code == HTTPStatus.OK


def test_issue21_the_lock_still_comes_and_is_told_by_mail(alice, bob, settings, django_capture_on_commit_callbacks):
    settings.LOGIN_FAILURE_LIMIT = 10
    with freeze_time(timezone.now()) as clock, django_capture_on_commit_callbacks(execute=True):
        for i in range(10):
            assert _status(bob) == User.Status.ACTIVE
            assert _attempt(bob.email, WRONG, ip=f"198.51.100.{i}").status_code == HTTPStatus.OK
            # Waiting out each delay: ten failures take about two minutes, not ten seconds.
            clock.tick(timedelta(seconds=delay_after(i + 1, LIMITS[PORTAL]["id"]) + 1))
    assert _status(bob) == User.Status.LOCKED
    mails = outbox("account_locked")
    assert sorted(m.to[0] for m in mails) == sorted([bob.email, alice.email])
    to_bob = next(m for m in mails if m.to == [bob.email])
    assert "198.51.100.9" in to_bob.body and "/password/reset/" in to_bob.body


def test_issue21_admin_login_never_locks_a_customer_and_is_stricter(bob, operator, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    url = reverse("admin:login")
    with freeze_time(timezone.now()) as clock:
        for i in range(6):
            Client(REMOTE_ADDR=f"198.51.100.{i}").post(url, {"username": bob.email, "password": WRONG})
            clock.tick(timedelta(seconds=LIMITS[ADMIN]["id"].max_delay))
        assert _status(bob) == User.Status.ACTIVE  # customers' failures do not count there
        client = Client(REMOTE_ADDR="198.51.100.60")
        for _ in range(2):  # one free failure, the second starts a delay
            client.post(url, {"username": operator.email, "password": WRONG})
        inside = client.post(url, {"username": operator.email, "password": TEST_PASSWORD})
        assert inside.status_code == HTTPStatus.OK  # refused: the login form again
        clock.tick(timedelta(seconds=5))
        assert client.post(url, {"username": operator.email, "password": TEST_PASSWORD}).status_code == HTTPStatus.FOUND
