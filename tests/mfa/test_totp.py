"""Authenticator app (TOTP) enrolment and the login's second step (issue 24)."""

from __future__ import annotations

import re
from http import HTTPStatus

import pyotp
import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from accounts.models import User
from mfa.models import RecoveryCode, TotpDevice
from mfa.services import recovery
from mfa.session import STATE, VERIFIED, VERIFY
from tests.accounts.auth_helpers import audit, outbox
from tests.factories import login_verified
from tests.mfa.helpers import SECRET, code_at, give_totp, password_step, submit_code


@pytest.fixture
def totp_bob(bob):
    give_totp(bob)
    return bob


def test_enrolment_shows_qr_and_key_and_is_confirmed_by_a_first_code(bob_client, bob):
    """Issue 24: QR rendered here (inline SVG) + the key as text; the first code confirms."""
    page = bob_client.get(reverse("mfa:totp_enrol"))
    assert page.status_code == HTTPStatus.OK
    assert "<svg" in page.text
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page.text).group(1).replace(" ", "")
    assert not TotpDevice.objects.filter(user=bob).exists()  # a GET writes nothing
    wrong = bob_client.post(reverse("mfa:totp_enrol"), {"code": "000000"})
    assert wrong.status_code == HTTPStatus.OK and "確認コードが正しくありません" in wrong.text
    assert not TotpDevice.objects.filter(user=bob).exists()
    done = bob_client.post(reverse("mfa:totp_enrol"), {"code": pyotp.TOTP(secret).now()})
    assert done.url == reverse("mfa:recovery_codes")
    assert TotpDevice.objects.get(user=bob).secret == secret
    codes_page = bob_client.get(done.url)
    codes = re.findall(r"<code>([A-Z0-9-]{11})</code>", codes_page.text)
    assert len(codes) == 10 and RecoveryCode.objects.filter(user=bob).count() == 10
    # Shown once.
    assert bob_client.get(reverse("mfa:recovery_codes")).url == reverse("mfa:settings")
    assert audit("mfa.totp.enrolled", object_id=str(bob.pk))
    assert outbox("mfa_factor_changed")


def test_login_asks_for_the_code_and_rotates_the_key(client, totp_bob):
    """Issue 24: after the password the session reaches only the verification page."""
    response = password_step(client, totp_bob)
    assert client.session[STATE] == VERIFY
    home = client.get(reverse("home"))
    assert home.status_code == HTTPStatus.FOUND and home.url.startswith(reverse("mfa:verify"))
    assert client.get(reverse("mfa:settings")).url.startswith(reverse("mfa:verify"))
    assert client.get(reverse("mfa:totp_enrol")).url.startswith(reverse("mfa:verify"))
    assert response.status_code == HTTPStatus.FOUND
    before = client.session.session_key
    done = submit_code(client, code_at(SECRET))
    assert done.url == reverse("home")
    assert client.session[STATE] == VERIFIED
    assert client.session.session_key != before
    assert client.get(reverse("home")).status_code == HTTPStatus.OK
    assert audit("mfa.verify.succeeded", object_id=str(totp_bob.pk))


@pytest.mark.parametrize("offset", [-1, 1])
def test_one_step_of_drift_is_accepted(client, totp_bob, offset):
    password_step(client, totp_bob)
    assert submit_code(client, code_at(SECRET, offset)).url == reverse("home")


@pytest.mark.parametrize("offset", [-2, 2])
def test_two_steps_of_drift_are_refused(client, totp_bob, offset):
    password_step(client, totp_bob)
    response = submit_code(client, code_at(SECRET, offset))
    assert response.status_code == HTTPStatus.OK and "確認コードが正しくありません" in response.text
    assert client.session[STATE] == VERIFY


def test_a_used_code_is_refused_a_second_time(totp_bob):
    """Issue 24 / RFC 6238 §5.2: one code, one login."""
    code = code_at(SECRET)
    first, second = Client(), Client()
    password_step(first, totp_bob)
    assert submit_code(first, code).url == reverse("home")
    password_step(second, totp_bob)
    caches["default"].clear()
    response = submit_code(second, code)
    assert response.status_code == HTTPStatus.OK and "確認コードが正しくありません" in response.text


def test_recovery_codes_work_once(client, totp_bob):
    codes = recovery.generate(totp_bob)
    password_step(client, totp_bob)
    assert submit_code(client, codes[0].lower()).url == reverse("home")
    assert audit("mfa.recovery.used", object_id=str(totp_bob.pk))
    assert [m for m in outbox("mfa_factor_changed") if "リカバリーコードが使用されました" in m.body]
    again = Client()
    password_step(again, totp_bob)
    assert submit_code(again, codes[0]).status_code == HTTPStatus.OK
    assert again.session[STATE] == VERIFY
    assert recovery.remaining(totp_bob) == 9


def test_regenerating_voids_the_old_set(totp_bob):
    old = recovery.generate(totp_bob)
    new = recovery.generate(totp_bob)
    assert not recovery.use(totp_bob, old[1])
    assert recovery.use(totp_bob, new[1])


def test_codes_are_stored_hashed(totp_bob):
    codes = recovery.generate(totp_bob)
    stored = set(RecoveryCode.objects.filter(user=totp_bob).values_list("code_hash", flat=True))
    assert not any(c in stored or c.replace("-", "") in stored for c in codes)


def test_wrong_codes_count_towards_throttling_and_the_lock(client, totp_bob, settings):
    """Issue 24: a wrong code counts like a wrong password (delay, then AUTH-8's lock)."""
    password_step(client, totp_bob)
    statuses = [submit_code(client, "123456").status_code for _ in range(5)]
    assert HTTPStatus.TOO_MANY_REQUESTS in statuses
    assert audit("accounts.login.failed", object_id=str(totp_bob.pk))[0].data["reason"] == "wrong_code"


def test_the_lock_ends_the_half_logged_in_session(client, totp_bob, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    password_step(client, totp_bob)
    submit_code(client, "111111")
    caches["default"].clear()
    response = submit_code(client, "222222")
    assert response.url == reverse("accounts:login")
    totp_bob.refresh_from_db()
    assert totp_bob.status == User.Status.LOCKED
    assert "_auth_user_id" not in client.session


def test_verify_requires_login(client):
    response = client.get(reverse("mfa:verify"))
    assert response.status_code == HTTPStatus.FOUND and response.url.startswith(reverse("accounts:login"))


def test_removing_the_app_needs_the_password(bob):
    give_totp(bob)
    client = login_verified(Client(), bob)
    client.post(reverse("mfa:totp_remove"), {"password": "wrong"})
    assert TotpDevice.objects.filter(user=bob).exists()
    from tests.factories import TEST_PASSWORD

    client.post(reverse("mfa:totp_remove"), {"password": TEST_PASSWORD})
    assert not TotpDevice.objects.filter(user=bob).exists()
    assert audit("mfa.totp.removed", object_id=str(bob.pk))


def test_passkey_endpoints_refuse_junk_and_others_keys(bob_client, alice):
    """Issue 24: a form post to the JSON endpoint is a 400, not a 500; another user's key is a 404."""
    from mfa.models import WebAuthnCredential

    assert bob_client.post(reverse("mfa:passkey_add"), {"name": "x"}).status_code == HTTPStatus.BAD_REQUEST
    key = WebAuthnCredential.objects.create(user=alice, name="a", credential_id=b"a-1", public_key=b"pk")
    response = bob_client.post(reverse("mfa:passkey_remove", args=[key.pk]), {"password": "x"})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert WebAuthnCredential.objects.filter(pk=key.pk).exists()


def test_a_malformed_passkey_answer_is_a_400(bob_client):
    """Found by the isolation sweep: after the options, junk is refused, not a 500."""
    bob_client.post(reverse("mfa:passkey_add_options"))
    response = bob_client.post(reverse("mfa:passkey_add"), {"name": "x"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    bob_client.post(reverse("mfa:passkey_add_options"))
    junk = '{"name": "x", "credential": {"id": "AA", "rawId": "AA", "response": {}}}'
    response = bob_client.post(reverse("mfa:passkey_add"), data=junk, content_type="application/json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
