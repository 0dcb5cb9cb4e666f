"""Trusted proxies (issue 20): X-Forwarded-Proto and X-Forwarded-For are
believed only when ``PORTAL_TRUSTED_PROXY_HOPS`` says proxies stand in front.
Without it a spoofed header neither skips the HTTPS redirect nor changes the
address that throttles and the audit log (操作ログ) see."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from audit.client import client_ip
from audit.models import AuditEntry

PROXY = ("HTTP_X_FORWARDED_PROTO", "https")
# What production.py sets (tests/security/test_headers.py reads the module).
HTTPS_ONLY = {"SECURE_SSL_REDIRECT": True, "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True}


def _ip(remote: str, forwarded: str | None, hops: int) -> str | None:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    with override_settings(PORTAL_TRUSTED_PROXY_HOPS=hops):
        return client_ip(RequestFactory().get("/", **meta))


def test_issue20_a_spoofed_forwarded_proto_is_ignored_without_the_setting(db):
    """A direct http request claiming https is still redirected."""
    with override_settings(**HTTPS_ONLY, SECURE_PROXY_SSL_HEADER=None):
        response = Client().get("/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"].startswith("https://")


def test_issue20_the_forwarded_proto_is_honoured_behind_the_trusted_proxy(db):
    with override_settings(**HTTPS_ONLY, PORTAL_TRUSTED_PROXY_HOPS=1, SECURE_PROXY_SSL_HEADER=PROXY):
        behind = Client().get("/", HTTP_X_FORWARDED_PROTO="https")
        plain = Client().get("/", HTTP_X_FORWARDED_PROTO="http")
    assert behind.status_code == HTTPStatus.OK
    assert plain.status_code == HTTPStatus.MOVED_PERMANENTLY


@pytest.mark.parametrize(
    ("remote", "forwarded", "hops", "expected"),
    [
        # No proxy trusted: the header is the client's word, ignored.
        ("203.0.113.9", "198.51.100.1", 0, "203.0.113.9"),
        # One proxy (nginx appends $remote_addr): the rightmost entry.
        ("10.0.0.2", "198.51.100.1", 1, "198.51.100.1"),
        ("10.0.0.2", "192.0.2.66, 198.51.100.1", 1, "198.51.100.1"),
        # Two (CDN, then the load balancer): the second from the right.
        ("10.0.0.2", "192.0.2.66, 198.51.100.1, 10.0.0.9", 2, "198.51.100.1"),
        # Fewer entries than proxies, or garbage: the socket's peer.
        ("10.0.0.2", "198.51.100.1", 2, "10.0.0.2"),
        ("10.0.0.2", None, 1, "10.0.0.2"),
        ("10.0.0.2", "not-an-address", 1, "10.0.0.2"),
        ("10.0.0.2", " 2001:DB8::1 ", 1, "2001:db8::1"),
    ],
)
def test_issue20_the_client_address(remote, forwarded, hops, expected):
    assert _ip(remote, forwarded, hops) == expected


def _reset(ip: str, forwarded: str):
    return Client(REMOTE_ADDR=ip).post(
        reverse("accounts:password_reset"),
        {"login_id": "nobody@example.com"},
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@override_settings(MAIL_REQUEST_LIMIT_PER_IP=3, MAIL_REQUEST_LIMIT_PER_ADDRESS=1000)
def test_issue20_a_spoofed_forwarded_for_does_not_dodge_the_ip_throttle(db):
    """Rotating X-Forwarded-For from one socket address: still one client."""
    codes = [_reset("203.0.113.9", f"198.51.100.{i}").status_code for i in range(5)]
    # The usual answer, the same for every ID since issue 21 (identical answers).
    assert codes[:3] == [HTTPStatus.FOUND] * 3
    assert codes[3:] == [HTTPStatus.TOO_MANY_REQUESTS] * 2


@override_settings(
    MAIL_REQUEST_LIMIT_PER_IP=3, MAIL_REQUEST_LIMIT_PER_ADDRESS=1000, PORTAL_TRUSTED_PROXY_HOPS=1
)
def test_issue20_behind_the_proxy_each_client_has_its_own_count(db):
    """Everyone arrives from the proxy's address; the proxy's entry tells
    them apart, and what a client put in front of it does not."""
    others = [_reset("10.0.0.2", f"198.51.100.{i}").status_code for i in range(5)]
    assert others == [HTTPStatus.FOUND] * 5
    one = [_reset("10.0.0.2", f"192.0.2.{i}, 198.51.100.200").status_code for i in range(5)]
    assert one[3:] == [HTTPStatus.TOO_MANY_REQUESTS] * 2


@pytest.mark.parametrize(("hops", "recorded"), [(0, "10.0.0.2"), (1, "198.51.100.77")])
def test_issue20_the_audit_log_records_the_trusted_address(alice, hops, recorded):
    client = Client(REMOTE_ADDR="10.0.0.2")
    client.force_login(alice)
    with override_settings(PORTAL_TRUSTED_PROXY_HOPS=hops):
        client.post(reverse("accounts:logout"), HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.77")
    entry = AuditEntry._base_manager.filter(action="accounts.logout").latest("id")
    assert entry.ip_address == recorded
