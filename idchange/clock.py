"""The clock the ID-count change screens and job read.

``settings.IDCHANGE_NOW`` (an aware datetime, default None) pins it: browser
tests use it so the flow behaves the same whatever today's date is, without
freezing the whole process clock (a frozen clock would also expire the
browser's session cookie). Production never sets it. Services take ``now=``
explicitly; only views and tasks call this.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import timezone


def now() -> datetime:
    pinned = getattr(settings, "IDCHANGE_NOW", None)
    return pinned if pinned is not None else timezone.now()
