"""web.submission.replay (issue 19): the 完了-already page before the form is
validated again, so a second 完了 is never judged by what the first consumed."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from tests.factories import TenantFactory
from web import submission

pytestmark = pytest.mark.django_db


def _posted(user, token: str):
    request = RequestFactory().post("/flow/", {submission.STAGE_FIELD: submission.DONE, submission.TOKEN_FIELD: token})
    request.user, request.session = user, SessionStore()
    return request


def test_replay_is_none_until_the_token_is_used_then_the_already_page(alice, bob):
    token = submission.issue_token(_posted(alice, ""))
    assert submission.replay(_posted(alice, token)) is None
    submission.complete(_posted(alice, token), lambda: (TenantFactory(), "/done/R/")[1])
    again = submission.replay(_posted(alice, token))
    assert again.status_code == 200 and 'href="/done/R/"' in again.content.decode()
    assert "この操作はすでに完了しています" in again.content.decode()
    assert submission.replay(_posted(bob, token)) is None  # another user's token is no token
    assert submission.replay(_posted(alice, "garbage")) is None
