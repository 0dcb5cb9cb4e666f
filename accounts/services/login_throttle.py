"""Login throttling that cannot be used against users (issue 21, finding 5).

Before the lock (AUTH-8, ``lockout``), failures slow further attempts down:
per typed login ID (known or not, so the delay says nothing about which IDs
exist) and per client IP, each with a few free failures and then a delay
that doubles with every failure, up to a cap. An attempt inside the delay is
answered 429 without checking the password and without counting towards the
lock. ``/admin/login/`` has its own, stricter counters.

The trade-off (docs/security.md): an attacker can still slow a victim's
logins down (a minute or so), but locking the account takes the configured
10 failures spread over several minutes instead of ten seconds, and the
owner and the tenant's admins are mailed when it happens; a password reset
unlocks it. Counters live in ``security_cache()`` (read-modify-write, not
atomic: concurrent attempts may undercount a little; the lock's own count in
the database stays exact).
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from accounts.services.throttle import security_cache

WINDOW_SECONDS = 60 * 60
PORTAL = "portal"
ADMIN = "admin"


@dataclass(frozen=True)
class Limits:
    free: int  # failures without any delay
    max_delay: int  # seconds


# The portal's login: three free tries per ID (typos), twenty per IP (an
# office behind one NAT); then 1, 2, 4 … seconds. Django admin (operators
# only, two-step verification): one free try per ID, five per IP.
LIMITS = {
    PORTAL: {"id": Limits(free=3, max_delay=300), "ip": Limits(free=20, max_delay=900)},
    ADMIN: {"id": Limits(free=1, max_delay=900), "ip": Limits(free=5, max_delay=900)},
}


def delay_after(failures: int, limits: Limits) -> int:
    if failures <= limits.free:
        return 0
    return min(2 ** (failures - limits.free - 1), limits.max_delay)


def _keys(scope: str, ip: str | None, login_id: str) -> dict[str, str]:
    def key(kind: str, value: str) -> str:
        return f"throttle:login:{scope}:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"

    return {"id": key("id", login_id.strip().lower()), "ip": key("ip", ip or "unknown")}


def wait_seconds(*, scope: str, ip: str | None, login_id: str) -> int:
    """Seconds before the next attempt may be checked (0: now)."""
    cache = security_cache()
    now = time.time()
    wait = 0.0
    for kind, key in _keys(scope, ip, login_id).items():
        entry = cache.get(key)
        if entry:
            failures, last = entry
            wait = max(wait, last + delay_after(failures, LIMITS[scope][kind]) - now)
    return math.ceil(wait) if wait > 0 else 0


def register_failure(*, scope: str, ip: str | None, login_id: str) -> None:
    cache = security_cache()
    now = time.time()
    for key in _keys(scope, ip, login_id).values():
        failures, _last = cache.get(key) or (0, now)
        cache.set(key, (failures + 1, now), timeout=WINDOW_SECONDS)


def register_success(*, scope: str, ip: str | None, login_id: str) -> None:
    """The ID's delay ends with a login; the IP's does not (one good
    password must not reset a spray from that IP)."""
    security_cache().delete(_keys(scope, ip, login_id)["id"])
