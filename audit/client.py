"""The client's address, the one place it is read (issue 20): throttles,
login records and the audit log (操作ログ) all use ``client_ip``.

REMOTE_ADDR is the peer of the socket: behind a proxy, the proxy. The
proxy's X-Forwarded-For says who its client was, but anyone can send that
header, so it is believed only with ``PORTAL_TRUSTED_PROXY_HOPS`` = N > 0:
each of the N trusted proxies appends the address it received from, so the
client is the N-th entry from the right; whatever stands left of it came from
the client and is ignored.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    hops = int(getattr(settings, "PORTAL_TRUSTED_PROXY_HOPS", 0))
    if hops <= 0:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [part for part in chain if part]
    if len(chain) < hops:
        # Fewer entries than trusted proxies: the request did not come through
        # all of them, so nothing in the header is vouched for.
        return remote
    candidate = chain[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
