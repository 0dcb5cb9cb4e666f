"""The account-security services other apps call (accounts.services: registration, tokens, passwords, lockout, sessions)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.models import AccountToken, LoginFailureCounter, PasswordHistory, User, UserSession
from accounts.services.errors import AccountError
from accounts.services.lockout import unlock
from accounts.services.passwords import set_password
from accounts.services.registration import send_setup_mail, setup_link_expiry
from accounts.services.sessions import end_sessions
from accounts.services.tokens import find_valid_token, hash_token, issue_token
from audit.models import AuditEntry
from mail.models import OutboxMessage
from tenants.scoping import operator_scope
from tests.factories import TEST_PASSWORD, UserFactory

JST = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def pending(tenant_a) -> User:
    return UserFactory(
        tenant=tenant_a,
        email="new@a.example.com",
        status=User.Status.PENDING,
        notification_email="notify@a.example.com",
        password=None,
    )


def _audit(action: str) -> list[AuditEntry]:
    with operator_scope():
        return list(AuditEntry.objects.filter(action=action))


def _outbox(template: str) -> list[OutboxMessage]:
    with operator_scope():
        return list(OutboxMessage.objects.filter(template=template).order_by("created_at"))


def test_send_setup_mail_issues_a_hashed_token_and_mails_the_notification_address(
    pending, alice, django_capture_on_commit_callbacks, mailoutbox
):
    """AUTH-2: the mail goes to the notification address; only a hash is stored."""
    with django_capture_on_commit_callbacks(execute=True):
        send_setup_mail(user=pending, actor=alice)
    token = AccountToken.objects.get(user=pending)
    (message,) = _outbox("account_setup")
    assert message.to == ["notify@a.example.com"]
    assert message.tenant_id == pending.tenant_id
    raw = message.body.split("/setup/")[1].split("/")[0]
    assert token.token_hash == hash_token(raw) and raw not in token.token_hash
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["notify@a.example.com"]
    assert _audit("accounts.setup_mail.sent")[0].actor_id == alice.pk


def test_a_new_setup_mail_revokes_the_older_link(pending, alice):
    """AUTH-2: a new link invalidates older ones."""
    send_setup_mail(user=pending, actor=alice)
    send_setup_mail(user=pending, actor=alice)
    first, second = _outbox("account_setup")
    raw_first = first.body.split("/setup/")[1].split("/")[0]
    raw_second = second.body.split("/setup/")[1].split("/")[0]
    assert find_valid_token(raw_first, purpose="setup") is None
    assert find_valid_token(raw_second, purpose="setup").user == pending


def test_send_setup_mail_refuses_an_active_user(alice):
    with pytest.raises(AccountError):
        send_setup_mail(user=alice, actor=alice)


@pytest.mark.parametrize(
    ("sent", "last_valid"),
    [
        # Sent on Monday 2026-03-02 at 09:00 JST: valid through Sunday 03-08 23:59:59 JST.
        (datetime(2026, 3, 2, 9, 0, tzinfo=JST), datetime(2026, 3, 8, 23, 59, 59, tzinfo=JST)),
        # Sent at 23:59 JST counts that day: still through D+6.
        (datetime(2026, 3, 2, 23, 59, tzinfo=JST), datetime(2026, 3, 8, 23, 59, 59, tzinfo=JST)),
        # 00:30 JST on 03-03 is still 03-02 in UTC: the JST day counts.
        (datetime(2026, 3, 3, 0, 30, tzinfo=JST), datetime(2026, 3, 9, 23, 59, 59, tzinfo=JST)),
    ],
)
def test_setup_link_expiry_counts_the_sending_day_in_jst(sent, last_valid):
    """AUTH-2: sent on day D (JST), valid through 23:59:59 JST of D+6."""
    expiry = setup_link_expiry(sent)
    assert expiry >= last_valid
    assert (expiry - last_valid).total_seconds() < 1


def test_set_password_validates_records_history_and_ends_sessions(
    bob, alice, django_capture_on_commit_callbacks
):
    """AUTH-4, AUTH-8: history as hashes; other sessions end."""
    client = Client()
    client.force_login(bob)
    key = client.session.session_key
    assert UserSession.objects.filter(user=bob, session_key=key).exists()
    with django_capture_on_commit_callbacks(execute=True):
        set_password(user=bob, raw_password="NewPass2027", actor=alice, force_change=True)
    bob.refresh_from_db()
    assert bob.check_password("NewPass2027") and bob.must_change_password
    history = list(PasswordHistory.objects.filter(user=bob).order_by("-created_at", "-pk"))
    assert len(history) == 2  # the factory's password and the new one
    assert history[0].password == bob.password
    assert not SessionStore().exists(key)
    assert not UserSession.objects.filter(user=bob).exists()
    assert _audit("accounts.password.set")[0].data == {"force_change": True}


def test_set_password_rejects_breaking_rules_and_changes_nothing(bob, alice):
    with pytest.raises(ValidationError) as exc:
        set_password(user=bob, raw_password="short", actor=alice)
    codes = {e.code for e in exc.value.error_list}
    assert codes == {"password_needs_letter_and_digit", "password_length"}
    bob.refresh_from_db()
    assert bob.check_password(TEST_PASSWORD)
    assert PasswordHistory.objects.filter(user=bob).count() == 1  # only the factory's


def test_unlock_restores_a_locked_account(bob, alice):
    """AUTH-8: an admin unlocks; the failure count starts over."""
    User.all_objects.filter(pk=bob.pk).update(status=User.Status.LOCKED)
    LoginFailureCounter.objects.create(user=bob, failures=10, window_started_at=bob.date_joined)
    bob.refresh_from_db()
    unlock(user=bob, actor=alice)
    bob.refresh_from_db()
    assert bob.status == User.Status.ACTIVE
    assert not LoginFailureCounter.objects.filter(user=bob).exists()
    assert _audit("accounts.user.unlocked")[0].actor_id == alice.pk
    with pytest.raises(AccountError):
        unlock(user=bob, actor=alice)


def test_end_sessions_keeps_the_named_one(bob):
    clients = [Client(), Client()]
    for c in clients:
        c.force_login(bob)
    keep = clients[0].session.session_key
    assert end_sessions(user=bob, except_session_key=keep) == 1
    assert clients[0].get("/home/").status_code == 200
    assert clients[1].get("/home/").status_code == 302


def test_purge_removes_only_stale_security_rows(bob, pending):
    """Beat housekeeping: finished tokens after 30 days, dead sessions, old counters."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.tasks import purge_stale_security_rows

    now = timezone.now()
    old = now - timedelta(days=31)
    issue_token(user=pending, purpose="setup", expires_at=old, now=old - timedelta(days=7))
    issue_token(user=pending, purpose="password_reset", expires_at=now + timedelta(hours=1), now=now)
    LoginFailureCounter.objects.create(user=bob, failures=3, window_started_at=now - timedelta(hours=1))
    live = Client()
    live.force_login(bob)
    UserSession.objects.create(user=bob, session_key="x" * 32)
    UserSession.objects.filter(user=bob).update(created_at=now - timedelta(hours=2))
    result = purge_stale_security_rows.delay().get()
    assert result == {"tokens": 1, "failure_counters": 1, "sessions": 1}
    assert AccountToken.objects.filter(user=pending).count() == 1
    assert UserSession.objects.get(user=bob).session_key == live.session.session_key
