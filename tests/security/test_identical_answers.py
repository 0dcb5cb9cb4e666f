"""Issue 21, finding 4: the password-reset page and the new-setup-link page
answer the same — status, redirect, cookies, page — for a known, an unknown,
a suspended and an operator's ID, after the same work in the request (the
same queries and one queued task each); only the worker's mail differs, and
the manual's 『ご指定のアカウント情報が取得できません。』 reaches the
suspended account's own mailbox instead of whoever typed the ID."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from tests.accounts.auth_helpers import outbox
from tests.factories import UserFactory
from tests.security.test_login_abuse import _shape

PAGES = ["accounts:password_reset", "accounts:setup_invalid"]


@pytest.fixture
def ids(tenant_a, operator) -> dict[str, str]:
    UserFactory(tenant=tenant_a, email="known@a.example.com")
    UserFactory(tenant=tenant_a, email="susp@a.example.com", status=User.Status.SUSPENDED)
    return {
        "known": "known@a.example.com",
        "unknown": "ghost@a.example.com",
        "suspended": "susp@a.example.com",
        "operator": operator.email,
    }


def _post(page: str, login_id: str, n: int):
    client = Client(REMOTE_ADDR=f"198.51.100.{n}")
    client.get(reverse(page))  # a session and a CSRF cookie, as a browser has
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse(page), {"login_id": login_id})
    return response, len(queries)


@pytest.mark.parametrize("page", PAGES)
def test_issue21_every_id_gets_the_same_answer_after_the_same_work(page, ids, django_capture_on_commit_callbacks):
    shapes, query_counts, tasks = {}, {}, {}
    for n, (who, login_id) in enumerate(ids.items()):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response, count = _post(page, login_id, n)
        shapes[who] = _shape(response)
        query_counts[who] = count
        tasks[who] = len(callbacks)
    assert len(set(shapes.values())) == 1, shapes
    assert len(set(query_counts.values())) == 1, query_counts
    assert set(tasks.values()) == {1}, tasks


def test_issue21_what_each_id_gets_by_mail(ids, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for n, login_id in enumerate(ids.values()):
            _post("accounts:password_reset", login_id, n)
    assert sorted(m.to[0] for m in outbox("password_reset")) == sorted([ids["known"], ids["operator"]])
    (notice,) = outbox("account_unavailable")
    assert notice.to == [ids["suspended"]]
    assert "ご指定のアカウント情報が取得できません。" in notice.body
