"""The 入力 → 確認 → 完了 flow every chapter uses (issue 19): one protocol,
and a 完了 that never runs twice.

The protocol, the same on every page:

* the input page posts its fields: ``stage(request)`` is ``CONFIRM`` and the
  view validates and renders its 確認 page;
* the 確認 page carries the fields in hidden inputs and ends with
  ``{% include "web/_confirm_actions.html" %}``: 戻る posts ``back``
  (``stage`` is then ``INPUT``: the view shows the input again, filled in),
  完了 posts ``stage=done`` with a one-time token;
* at 完了 the view validates the form again (hidden fields are user input)
  and calls ``complete()``, which consumes the token in the same transaction
  as the change (django-formtools' FormPreview, plus the token).

The token is signed (user, random nonce) and costs nothing at 確認; 完了
inserts the nonce as a primary key, so of two requests with one token
exactly one changes anything, however they race.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from web.models import CompletedSubmission

INPUT, CONFIRM, DONE = "input", "confirm", "done"
STAGE_FIELD = "stage"
TOKEN_FIELD = "submission_token"
BACK_FIELD = "back"

_SALT = "web.submission"
STALE_MESSAGE = _(
    "確認画面の有効期限が切れたか、内容を確認できませんでした。"
    "内容をご確認のうえ、もう一度「完了」を押してください。"
)


def token_max_age() -> int:
    """Seconds a 確認 page's token stays valid (default one day)."""
    return getattr(settings, "SUBMISSION_TOKEN_MAX_AGE", 24 * 3600)


def stage(request: HttpRequest) -> str:
    """Which step the request is: ``INPUT`` (GET or 戻る), ``CONFIRM`` (the
    input posted) or ``DONE`` (完了 posted from 確認)."""
    if request.method != "POST" or BACK_FIELD in request.POST:
        return INPUT
    return DONE if request.POST.get(STAGE_FIELD) == DONE else CONFIRM


def _user_id(request: HttpRequest) -> int | None:
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def issue_token(request: HttpRequest) -> str:
    """A one-time token for a 確認 page, bound to the user (or to nobody,
    on the anonymous account-setup pages)."""
    return signing.dumps({"n": secrets.token_urlsafe(24), "u": _user_id(request)}, salt=_SALT)


def posted_nonce(request: HttpRequest) -> str | None:
    """The nonce of the posted token; None when it is missing, tampered
    with, expired or another user's."""
    try:
        data = signing.loads(request.POST.get(TOKEN_FIELD, ""), salt=_SALT, max_age=token_max_age())
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != _user_id(request):
        return None
    nonce = data.get("n")
    return nonce if isinstance(nonce, str) and nonce else None


class _AlreadyCompleted(Exception):
    pass


def _claim(nonce: str, user_id: int | None) -> bool:
    """Insert the nonce; False when another request already did. A
    concurrent holder makes this wait on the primary key until it commits
    (then False) or rolls back (then True)."""
    try:
        with transaction.atomic():
            CompletedSubmission.objects.create(nonce=nonce, user_id=user_id)
    except IntegrityError:
        return False
    return True


def complete(
    request: HttpRequest,
    change: Callable[[], str | HttpResponse],
    *,
    form: Form | None = None,
) -> HttpResponse | None:
    """完了: run ``change`` once per 確認 token.

    ``change`` makes the change (a service call) and returns where the user
    goes next: a URL or a redirect response (``redirect("app:done", pk=…)``).

    * The first 完了 with a token: ``change`` runs in one transaction with
      the token's row, and the answer is the redirect.
    * The same token again (Back and 完了, a second tab, a double click):
      nothing runs; the answer is the 完了-already page linking to where the
      first one led.
    * No valid token (missing, edited, expired, another user's): nothing
      runs; a form error is added and None returned, so the view shows its
      確認 page again, with a fresh token.
    * ``change`` raising (the chapter's domain error): the token's row rolls
      back with the change, and the exception reaches the view.
    """
    nonce = posted_nonce(request)
    if nonce is None:
        if form is not None:
            form.add_error(None, STALE_MESSAGE)
        return None
    user_id = _user_id(request)
    try:
        with transaction.atomic():
            if not _claim(nonce, user_id):
                raise _AlreadyCompleted
            outcome = change()
            url = outcome.url if isinstance(outcome, HttpResponseRedirect) else str(outcome)
            CompletedSubmission.objects.filter(pk=nonce).update(result_url=url)
    except _AlreadyCompleted:
        return already_completed(request, nonce=nonce, user_id=user_id)
    return outcome if isinstance(outcome, HttpResponse) else HttpResponseRedirect(url)


def replay(request: HttpRequest) -> HttpResponse | None:
    """At 完了, before the form is validated again: the 完了-already page
    when this 確認 token was used already, else None. The second 完了 must
    not be judged by the form: what the first one consumed (staged files,
    now attached) would otherwise read as 「有効期限が切れました」."""
    nonce = posted_nonce(request)
    if nonce is None:
        return None
    user_id = _user_id(request)
    if not CompletedSubmission.objects.filter(pk=nonce, user_id=user_id).exists():
        return None
    return already_completed(request, nonce=nonce, user_id=user_id)


def already_completed(request: HttpRequest, *, nonce: str, user_id: int | None) -> HttpResponse:
    """「この操作はすでに完了しています」 with a link to the result: not an
    error page, and nothing changed."""
    result_url = (
        CompletedSubmission.objects.filter(pk=nonce, user_id=user_id)
        .values_list("result_url", flat=True)
        .first()
    )
    return render(request, "web/already_completed.html", {"result_url": result_url or ""})


def purge_completed_submissions(*, now: timezone.datetime | None = None) -> int:
    """Forget tokens nobody can post any more (older than their validity,
    plus a day's margin). Idempotent; nightly from beat."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=token_max_age()) - timedelta(days=1)
    deleted, _ = CompletedSubmission.objects.filter(created_at__lt=cutoff).delete()
    return deleted
