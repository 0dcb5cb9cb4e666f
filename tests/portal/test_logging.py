"""Expected refusals are logged once, without a traceback (issue 23)."""

from __future__ import annotations

import logging
from http import HTTPStatus

from django.conf import settings
from django.urls import reverse


def _request_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "django.request"]


def test_a_403_is_one_line_without_a_traceback(bob_client, caplog):
    """HOME-5: a ユーザ opening an admin page gets 403, and the log one line."""
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = bob_client.get(reverse("users:list"))
    assert response.status_code == HTTPStatus.FORBIDDEN
    records = _request_records(caplog)
    assert len(records) == 1
    assert records[0].exc_info is None and records[0].levelno == logging.WARNING


def test_a_404_is_one_line_without_a_traceback(alice_client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = alice_client.get(reverse("users:detail", args=[999_999]))
    assert response.status_code == HTTPStatus.NOT_FOUND
    records = _request_records(caplog)
    assert len(records) == 1 and records[0].exc_info is None


def test_django_logs_through_one_handler():
    """Django's DEBUG console handler and the root's printed each record twice."""
    django_logger = settings.LOGGING["loggers"]["django"]
    assert django_logger["handlers"] == ["console"] and django_logger["propagate"] is False
    assert logging.getLogger("django").propagate is False
    ours = [h for h in logging.getLogger("django").handlers if type(h) is logging.StreamHandler]
    assert len(ours) == 1  # (pytest adds its capture handlers beside it)
