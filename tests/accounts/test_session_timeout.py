"""Sessions (AUTH-7): 60 idle minutes, renewed by activity, a message on the
login page after expiry, the countdown and its keepalive endpoint; ending a
person's sessions (AUTH-8)."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from accounts.models import User
from accounts.services.sessions import end_sessions
from tests.accounts.auth_helpers import audit, login_two_steps
from tests.factories import TEST_PASSWORD

EXPIRED = "60 分間操作がなかったため、自動的にログアウトしました。"
KEEPALIVE = "accounts:session_keepalive"


def _logged_in(user: User) -> Client:
    client = Client()
    assert login_two_steps(client, user.email, TEST_PASSWORD).status_code == HTTPStatus.FOUND
    return client


def test_sixty_idle_minutes_log_out_with_a_message_on_the_login_page(bob):
    """AUTH-7: the next request after 60 idle minutes shows the login page with a message."""
    start = timezone.now()
    with freeze_time(start):
        client = _logged_in(bob)
        assert client.get(reverse("home")).status_code == HTTPStatus.OK
    with freeze_time(start + timedelta(minutes=61)):
        response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:login") + "?next=/home/")
    assert EXPIRED in response.text
    assert "ユーザ ID" in response.text
    # The notice is shown once, not on every later visit.
    assert EXPIRED not in client.get(reverse("accounts:login")).text


def test_activity_renews_the_idle_timeout(bob):
    """AUTH-7: idle means without requests; each request starts the 60 minutes again."""
    start = timezone.now()
    with freeze_time(start):
        client = _logged_in(bob)
    with freeze_time(start + timedelta(minutes=50)):
        assert client.get(reverse("home")).status_code == HTTPStatus.OK
    with freeze_time(start + timedelta(minutes=100)):
        assert client.get(reverse("home")).status_code == HTTPStatus.OK
    with freeze_time(start + timedelta(minutes=159)):
        assert client.get(reverse("home")).status_code == HTTPStatus.OK
    with freeze_time(start + timedelta(minutes=220)):
        assert client.get(reverse("home")).status_code == HTTPStatus.FOUND


def test_logging_out_does_not_claim_a_timeout(bob):
    client = _logged_in(bob)
    response = client.post(reverse("accounts:logout"), follow=True)
    assert "ログアウトしました。" in response.text
    assert EXPIRED not in response.text
    assert audit("accounts.logout")[0].actor_id == bob.pk
    assert EXPIRED not in client.get(reverse("home"), follow=True).text


def test_keepalive_renews_and_reports_the_time_left(bob):
    """AUTH-7: ログインを継続する from the countdown keeps the session."""
    start = timezone.now()
    with freeze_time(start):
        client = _logged_in(bob)
    with freeze_time(start + timedelta(minutes=58)):
        response = client.post(reverse(KEEPALIVE), HTTP_ACCEPT="application/json")
        assert response.status_code == HTTPStatus.OK
        assert response.json() == {"remaining": 3600}
    with freeze_time(start + timedelta(minutes=110)):
        assert client.get(reverse("home")).status_code == HTTPStatus.OK


def test_keepalive_without_javascript_returns_to_the_page(bob_client):
    response = bob_client.post(reverse(KEEPALIVE), {"next": "/home/?tab=1"})
    assert response.url == "/home/?tab=1"
    response = bob_client.post(reverse(KEEPALIVE), {"next": "https://evil.example/"})
    assert response.url == reverse("home")


def test_keepalive_rejects_get(bob_client):
    assert bob_client.get(reverse(KEEPALIVE)).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_keepalive_after_expiry_says_a_feature_failed(client, db):
    """AUTH-12: 『一部の機能を取得できませんでした。』 when the session had expired."""
    response = client.post(reverse(KEEPALIVE), HTTP_ACCEPT="application/json")
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json() == {"message": "一部の機能を取得できませんでした。"}


def test_countdown_script_is_on_logged_in_pages_only(bob_client, client, db):
    """AUTH-7: the countdown (static/js/session.js, no inline script) warns before the timeout."""
    page = bob_client.get(reverse("home")).text
    assert 'src="/static/js/session.js"' in page
    assert 'id="session-timer"' in page and 'data-expiry="3600"' in page
    assert "ログインを継続する" in page
    assert "<script>" not in page  # CSP: no inline script
    assert "session.js" not in client.get(reverse("accounts:login")).text


def test_suspension_ends_the_persons_sessions(bob, alice):
    """AUTH-8: suspension (by the user screens) ends the person's sessions."""
    first, second = _logged_in(bob), _logged_in(bob)
    User.all_objects.filter(pk=bob.pk).update(status=User.Status.SUSPENDED)
    assert end_sessions(user=bob) == 2
    for client in (first, second):
        assert client.get(reverse("home")).status_code == HTTPStatus.FOUND


def test_a_suspended_user_is_logged_out_even_without_end_sessions(bob):
    client = _logged_in(bob)
    User.all_objects.filter(pk=bob.pk).update(status=User.Status.SUSPENDED)
    assert client.get(reverse("home")).status_code == HTTPStatus.FOUND


def test_logout_is_post_only(bob_client):
    assert bob_client.get(reverse("accounts:logout")).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert bob_client.get(reverse("home")).status_code == HTTPStatus.OK


ABSOLUTE = "ログインから 12 時間が経過したため、自動的にログアウトしました。"
BACKGROUND = {"HTTP_X_PORTAL_BACKGROUND": "1", "HTTP_ACCEPT": "application/json"}


def test_issue20_a_busy_session_ends_at_the_absolute_lifetime(bob):
    """Issue 20: a request every 30 minutes keeps the idle timer fresh, but
    12 hours after the login the session ends all the same, with its notice."""
    start = timezone.now()
    with freeze_time(start):
        client = _logged_in(bob)
    for minutes in range(30, 12 * 60, 30):
        with freeze_time(start + timedelta(minutes=minutes)):
            assert client.get(reverse("home")).status_code == HTTPStatus.OK, minutes
    with freeze_time(start + timedelta(hours=12, minutes=1)):
        response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))
    assert ABSOLUTE in response.text and EXPIRED not in response.text


def test_issue20_the_last_hour_counts_down_to_the_absolute_end(bob):
    """Near the end the cookie, the countdown and 延長 report what is left,
    not a fresh hour."""
    start = timezone.now()
    with freeze_time(start):
        client = _logged_in(bob)
    for minutes in range(50, 11 * 60 + 40, 50):
        with freeze_time(start + timedelta(minutes=minutes)):
            client.get(reverse("home"))
    with freeze_time(start + timedelta(hours=11, minutes=40)):
        response = client.post(reverse(KEEPALIVE), HTTP_ACCEPT="application/json")
        assert response.json() == {"remaining": 20 * 60}
        assert response.cookies["sessionid"]["max-age"] == 1200
        page = client.get(reverse("home"))
        assert 'data-expiry="1200"' in page.text
    # Within the minute nothing is renewed; the countdown counts on.
    with freeze_time(start + timedelta(hours=11, minutes=40, seconds=30)):
        assert 'data-expiry="1170"' in client.get(reverse("home")).text


def test_issue20_background_polling_does_not_keep_an_idle_session_alive(bob):
    """Issue 20: a page polling by itself (X-Portal-Background) is answered
    but does not renew the idle timer: 60 minutes after the last action the
    session ends."""
    start = timezone.now()
    with freeze_time(start):
        client = _logged_in(bob)
        assert client.get(reverse("home")).status_code == HTTPStatus.OK
    for minutes in range(5, 60, 5):
        with freeze_time(start + timedelta(minutes=minutes)):
            assert client.get(reverse("home"), **BACKGROUND).status_code == HTTPStatus.OK
    with freeze_time(start + timedelta(minutes=61)):
        assert client.get(reverse("home"), **BACKGROUND).status_code == HTTPStatus.FOUND
        response = client.get(reverse("home"), follow=True)
    assert EXPIRED in response.text


def test_issue20_pressing_extend_keeps_a_polled_session(bob):
    """The countdown's 延長 is a user action: after polling alone for 58
    minutes, pressing it keeps the session another hour."""
    start = timezone.now()
    with freeze_time(start):
        client = _logged_in(bob)
    for minutes in range(5, 58, 5):
        with freeze_time(start + timedelta(minutes=minutes)):
            client.get(reverse("home"), **BACKGROUND)
    with freeze_time(start + timedelta(minutes=58)):
        response = client.post(reverse(KEEPALIVE), HTTP_ACCEPT="application/json")
        assert response.json() == {"remaining": 3600}
    with freeze_time(start + timedelta(minutes=110)):
        assert client.get(reverse("home")).status_code == HTTPStatus.OK


def test_issue20_the_absolute_lifetime_is_a_setting(bob, settings):
    settings.SESSION_ABSOLUTE_SECONDS = 2 * 60 * 60
    start = timezone.now()
    with freeze_time(start):
        client = _logged_in(bob)
    for minutes in (40, 80, 119):
        with freeze_time(start + timedelta(minutes=minutes)):
            assert client.get(reverse("home")).status_code == HTTPStatus.OK
    with freeze_time(start + timedelta(minutes=121)):
        response = client.get(reverse("home"), follow=True)
    assert "ログインから 2 時間が経過したため" in response.text
