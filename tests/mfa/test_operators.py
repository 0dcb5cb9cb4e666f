"""Operators always need a second factor (issue 24): Django admin and the
staff console refuse a staff session that has not used one."""

from __future__ import annotations

from http import HTTPStatus

from django.test import Client
from django.urls import reverse

from mfa.session import STATE, VERIFIED
from tests.factories import TEST_PASSWORD, login_verified
from tests.mfa.helpers import SECRET, code_at, give_totp, submit_code

ADMIN_HOME = reverse("admin:index")
STAFF_CONSOLE = reverse("inquiries_staff:list")


def _unverified(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_operator_without_a_factor_is_sent_to_enrolment(operator):
    client = _unverified(operator)
    for url in (ADMIN_HOME, STAFF_CONSOLE, reverse("admin:accounts_user_changelist")):
        response = client.get(url)
        assert response.status_code == HTTPStatus.FOUND
        assert response.url.startswith(reverse("mfa:enrol"))
    assert client.get(reverse("mfa:enrol")).status_code == HTTPStatus.OK


def test_operator_with_a_factor_is_sent_to_verification(operator):
    give_totp(operator)
    client = _unverified(operator)
    for url in (ADMIN_HOME, STAFF_CONSOLE):
        assert client.get(url).url.startswith(reverse("mfa:verify"))
    # Enrolling another factor is not a way around the code.
    assert client.get(reverse("mfa:totp_enrol")).url.startswith(reverse("mfa:verify"))


def test_a_staff_session_from_before_the_feature_is_held_too(operator):
    """A session without any two-step state (older than issue 24) counts as unverified."""
    client = _unverified(operator)
    session = client.session
    session.pop(STATE, None)
    session.save()
    assert client.get(ADMIN_HOME).url.startswith(reverse("mfa:verify"))


def test_admin_login_then_code_opens_admin(operator):
    give_totp(operator)
    client = Client()
    response = client.post(
        reverse("admin:login"), {"username": operator.email, "password": TEST_PASSWORD, "next": ADMIN_HOME}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert client.get(ADMIN_HOME).url.startswith(reverse("mfa:verify"))
    done = submit_code(client, code_at(SECRET), next_url=ADMIN_HOME)
    assert done.url == ADMIN_HOME
    assert client.session[STATE] == VERIFIED
    assert client.get(ADMIN_HOME).status_code == HTTPStatus.OK
    assert client.get(STAFF_CONSOLE).status_code == HTTPStatus.OK


def test_operator_enrols_on_first_login_and_may_then_work(operator):
    import re

    import pyotp

    client = _unverified(operator)
    page = client.get(reverse("mfa:totp_enrol"))
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page.text).group(1).replace(" ", "")
    client.post(reverse("mfa:totp_enrol"), {"code": pyotp.TOTP(secret).now()})
    assert client.session[STATE] == VERIFIED
    assert client.get(ADMIN_HOME).status_code == HTTPStatus.OK


def test_verified_helper_lets_operators_in(operator):
    assert login_verified(Client(), operator).get(ADMIN_HOME).status_code == HTTPStatus.OK
