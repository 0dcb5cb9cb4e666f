"""Logging filters (issue 23: every expected 403/404 was logged twice with a
full traceback, burying the errors that matter)."""

from __future__ import annotations

import logging

# Answers the portal gives on purpose: a weak role (403), another tenant's or a
# missing object (404), a method not allowed (405).
EXPECTED_STATUSES = frozenset({403, 404, 405})


class ExpectedClientErrors(logging.Filter):
    """On ``django.request``: a deliberate 403/404/405 stays one line, without
    the traceback of the PermissionDenied/Http404 that produced it. Server
    errors keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in EXPECTED_STATUSES:
            record.exc_info = None
            record.exc_text = None
        return True
