"""Walk a web-kit 確認 → 完了 the way a browser does (issue 19)."""

from __future__ import annotations

import re

from web.submission import DONE, STAGE_FIELD, TOKEN_FIELD

_TOKEN = re.compile(r'name="' + TOKEN_FIELD + r'" value="([^"]+)"')


def token_from(page) -> str:
    """The one-time token on a rendered 確認 page."""
    match = _TOKEN.search(page.content.decode())
    assert match, "no submission token on the page"
    return match.group(1)


def done_data(data: dict, token: str) -> dict:
    """What 完了 posts: the fields, ``stage=done`` and the token."""
    return {**data, STAGE_FIELD: DONE, TOKEN_FIELD: token}


def confirm_then_complete(client, url: str, data: dict | None = None):
    """Post the input (or GET the 確認 page when ``data`` is None), then
    完了 with the token from the 確認 page; returns (完了 response, the data
    完了 posted) so a test can post it again."""
    page = client.post(url, data) if data is not None else client.get(url)
    posted = done_data(data or {}, token_from(page))
    return client.post(url, posted), posted


def token_for(user) -> str:
    """A 確認 page's token for ``user``, for a 完了 whose 確認 page cannot be
    shown any more (e.g. the state changed after it was opened)."""
    from django.test import RequestFactory

    from web.submission import issue_token

    request = RequestFactory().get("/")
    request.user = user
    return issue_token(request)
