"""Settings of the failure drills (scripts/drill_*.py), for the drill process
and the real Celery workers it starts: the base settings with the broker on
the drill's private Redis, the counting mail sink of scripts/drillmail.py and
time compressed so a drill takes seconds, not the production minutes:

* ``OUTBOX_CLAIM_LEASE`` 8 s (production 5 min), ``OUTBOX_STUCK_AFTER`` 4 s
  (production 2 min); the drill process runs the sweep every 2 s (beat: every
  minute);
* ``visibility_timeout`` 15 s (production 1 h), restored within a second.

The order of the three is production's: a delivery batch (≈ 3 s here) is
shorter than the claim lease, which is shorter than the visibility timeout.
"""

from __future__ import annotations

import os
from datetime import timedelta

from portal.settings.base import *  # noqa: F403
from portal.settings.base import CELERY_BROKER_TRANSPORT_OPTIONS

DEBUG = False
SECRET_KEY = "drill-only-key"  # noqa: S105 — a throwaway database
CELERY_BROKER_URL = os.environ["DRILL_BROKER_URL"]
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "visibility_timeout": 15,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
# Nothing of the drills touches the shared Redis: the cache stays in process.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "security": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "security"},
}
MAILERS = {
    "default": {
        "BACKEND": "drillmail.CountingFileBackend",
        "OPTIONS": {
            "file_path": os.environ["DRILL_MAIL_DIR"],
            "delay": float(os.environ.get("DRILL_MAIL_DELAY", "0")),
        },
    }
}
OUTBOX_CLAIM_LEASE = timedelta(seconds=8)
OUTBOX_STUCK_AFTER = timedelta(seconds=4)
