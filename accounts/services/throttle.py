"""Throttling of the self-service mail pages (password reset, a new setup
link) against mail bombing (issue 15).

Two fixed-window counters in the ``security`` cache (issue 20: in production
a Redis db of their own that every web process shares and that anonymous
traffic filling the page cache cannot evict; settings/base.py):

* per address: past ``MAIL_REQUEST_LIMIT_PER_ADDRESS`` requests an hour for
  one login ID, nothing more is mailed, but the page answers exactly as if it
  had been: whether an address is throttled reveals nothing;
* per IP: past ``MAIL_REQUEST_LIMIT_PER_IP`` requests an hour from one
  address, the page says so in Japanese (429) and sends nothing. It is
  counted for every POST, whatever the ID, so it says nothing about IDs.

The per-account minute in ``tokens.recently_mailed`` stays the first guard;
these cap what an attacker rotating through time or addresses can send.
"""

from __future__ import annotations

import hashlib
import time
from enum import StrEnum

from django.conf import settings
from django.core.cache import BaseCache, caches

WINDOW_SECONDS = 60 * 60
# The counters' own cache when the settings define one (production's posture
# may add a "security" alias that anonymous traffic cannot evict), else the
# default cache. Every counter of the account flows goes through here.
SECURITY_CACHE_ALIAS = "security"


def security_cache() -> BaseCache:
    alias = SECURITY_CACHE_ALIAS if SECURITY_CACHE_ALIAS in settings.CACHES else "default"
    return caches[alias]


class Throttled(StrEnum):
    NO = ""
    ADDRESS = "address"
    IP = "ip"


def _hit(kind: str, value: str, limit: int) -> bool:
    """Count one request; True when this one is past the limit."""
    window = int(time.time() // WINDOW_SECONDS)
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    key = f"throttle:mailreq:{kind}:{digest}:{window}"
    cache = security_cache()
    cache.add(key, 0, timeout=WINDOW_SECONDS + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS + 60)
        count = 1
    return count > limit


def ip_throttled(ip: str | None) -> bool:
    """Count a POST from this client IP (before anything else is done)."""
    limit = int(getattr(settings, "MAIL_REQUEST_LIMIT_PER_IP", 20))
    return _hit("ip", ip or "unknown", limit)


def address_throttled(login_id: str) -> bool:
    """Count a request for this login ID (known or not)."""
    limit = int(getattr(settings, "MAIL_REQUEST_LIMIT_PER_ADDRESS", 5))
    return _hit("address", login_id.strip().lower(), limit)


def login_id_check_throttled(actor_id: int) -> bool:
    """Count one 「このユーザ ID は既に使用されています」 check by an admin
    (issue 21): the user forms must tell an admin that an ID is taken, which
    also tells whether it exists anywhere in the portal, so an admin gets a
    working day's worth of checks an hour, not an enumeration."""
    limit = int(getattr(settings, "LOGIN_ID_CHECKS_PER_ADMIN", 100))
    return _hit("loginid", str(actor_id), limit)
