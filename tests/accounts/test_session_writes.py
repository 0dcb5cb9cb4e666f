"""Issue 22: a page view that changes nothing does not write the session; the
idle timer is renewed at most once a minute and the 60-minute rule (AUTH-7)
still holds to the minute; with Redis the session is read from the cache."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from accounts.middleware import RENEW_AFTER_SECONDS
from tests.accounts.test_session_timeout import EXPIRED, _logged_in

HOME = reverse("home")


def session_sql(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if "django_session" in q["sql"]]


def writes(ctx: CaptureQueriesContext) -> list[str]:
    return [s for s in session_sql(ctx) if s.lstrip().upper().startswith(("UPDATE", "INSERT"))]


def test_issue22_a_request_that_changes_nothing_does_not_write_the_session(bob):
    start = timezone.now()
    with freeze_time(start):
        client = _logged_in(bob)
    with freeze_time(start + timedelta(seconds=RENEW_AFTER_SECONDS - 1)), CaptureQueriesContext(connection) as ctx:
        response = client.get(HOME)
    assert response.status_code == HTTPStatus.OK
    assert writes(ctx) == []
    assert "sessionid" not in response.cookies  # nothing to re-send either


def test_issue22_a_minute_after_the_last_renewal_a_user_action_renews_it(bob):
    start = timezone.now()
    with freeze_time(start):
        client = _logged_in(bob)
    with freeze_time(start + timedelta(seconds=RENEW_AFTER_SECONDS)), CaptureQueriesContext(connection) as ctx:
        response = client.get(HOME)
    assert len(writes(ctx)) == 1
    assert response.cookies["sessionid"]["max-age"] == 3600


def test_issue22_the_idle_rule_still_ends_the_session_within_the_sixtieth_minute(bob):
    """The last action 30 s after a renewal is not saved: the session ends 60
    minutes after the renewal, i.e. between 59 and 60 minutes after the last
    action — never later, and not before 59."""
    start = timezone.now()
    clients = []
    for _ in range(2):
        with freeze_time(start):
            client = _logged_in(bob)
        with freeze_time(start + timedelta(seconds=30)):
            assert client.get(HOME).status_code == HTTPStatus.OK  # an action, not saved
        clients.append(client)
    with freeze_time(start + timedelta(seconds=30, minutes=59)):
        assert clients[0].get(HOME).status_code == HTTPStatus.OK
    with freeze_time(start + timedelta(seconds=30, minutes=60)):
        response = clients[1].get(HOME, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))
    assert EXPIRED in response.text


def test_issue22_the_idle_rule_holds_at_sixty_minutes_after_a_renewal(bob):
    start = timezone.now()
    with freeze_time(start):
        kept, ended = _logged_in(bob), _logged_in(bob)
    with freeze_time(start + timedelta(minutes=59, seconds=59)):
        assert kept.get(HOME).status_code == HTTPStatus.OK
    with freeze_time(start + timedelta(minutes=60)):
        assert ended.get(HOME).status_code == HTTPStatus.FOUND


@override_settings(
    SESSION_ENGINE="django.contrib.sessions.backends.cached_db",
    SESSION_CACHE_ALIAS="default",
)
def test_issue22_with_cached_db_an_unchanged_request_makes_no_session_query(bob):
    """Production's engine when Redis is configured (portal/settings/base.py):
    the session comes from the cache, and nothing is written."""
    client = Client()
    client.force_login(bob)
    start = timezone.now()
    with freeze_time(start):
        assert client.get(HOME).status_code == HTTPStatus.OK  # stamps the login: a write
    with freeze_time(start + timedelta(seconds=10)), CaptureQueriesContext(connection) as ctx:
        assert client.get(HOME).status_code == HTTPStatus.OK
    assert session_sql(ctx) == []


def test_issue22_staying_logged_in_renews_even_within_the_minute(bob):
    """The countdown's ログインを継続する is an explicit request to stay."""
    start = timezone.now()
    with freeze_time(start):
        client = _logged_in(bob)
    with freeze_time(start + timedelta(seconds=20)):
        response = client.post(reverse("accounts:session_keepalive"), HTTP_ACCEPT="application/json")
    assert response.json() == {"remaining": 3600}
    assert response.cookies["sessionid"]["max-age"] == 3600


def test_issue22_a_short_idle_timeout_renews_at_a_sixtieth_of_it(bob, settings):
    start = timezone.now()
    with freeze_time(start):
        client = _logged_in(bob)
    settings.SESSION_COOKIE_AGE = 4  # renewed on every action from now on
    with freeze_time(start + timedelta(seconds=1)):
        assert client.get(HOME).cookies["sessionid"]["max-age"] == 4
    with freeze_time(start + timedelta(seconds=6)):
        assert client.get(HOME).status_code == HTTPStatus.FOUND
