"""What the session knows about the second factor (issue 24).

The password step logs the person in as before (``django.contrib.auth.login``
rotates the key); the ``user_logged_in`` receiver here then writes what is
still owed, and ``TwoStepMiddleware`` keeps such a session to the
verification or enrolment pages until it is settled. Every later request
reads only the session: no query per page.

* ``VERIFY``: the user has a factor and has not used it yet.
* ``ENROL``: the user must have a factor (operators always; a tenant's
  policy from its date) and has none.
* ``VERIFIED``: the factor was used (or enrolled) in this session, whose key
  was rotated once more at that moment.
* absent: no factor and none required (yet: ``ENROL_FROM`` holds the day the
  policy starts, so a session spanning midnight is caught then).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.models import User, UserSession

STATE = "mfa_state"
ENROL_FROM = "mfa_enrol_from"
VERIFY = "verify"
ENROL = "enrol"
VERIFIED = "verified"


def on_password_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    from mfa.services.factors import factors_of, required_from, today

    session = getattr(request, "session", None)
    if session is None:
        return
    session.pop(ENROL_FROM, None)
    if factors_of(user).any:
        session[STATE] = VERIFY
        return
    when = required_from(user)
    if when is not None and when <= today():
        session[STATE] = ENROL
        return
    session.pop(STATE, None)
    if when is not None:
        session[ENROL_FROM] = when.isoformat()
        messages.info(
            request,
            _("%(date)s から2段階認証が必須になります。アカウント設定の「2段階認証」から設定してください。")
            % {"date": when.strftime("%Y/%m/%d")},
            fail_silently=True,
        )


def state_of(request: HttpRequest) -> str | None:
    """The session's state, with a policy date that has come turned into ENROL
    and a staff session without a state (older than this feature) into VERIFY."""
    session = request.session
    state = session.get(STATE)
    if state is None and session.get(ENROL_FROM):
        from mfa.services.factors import today

        if date.fromisoformat(session[ENROL_FROM]) <= today():
            return ENROL
    if state is None and getattr(request.user, "is_staff", False):
        return VERIFY
    return state


def mark_verified(request: HttpRequest) -> None:
    """The factor was used: the session gets a key of its own (the one the
    password step issued is dropped) and is verified."""
    old_key = request.session.session_key
    request.session.cycle_key()
    request.session[STATE] = VERIFIED
    request.session.pop(ENROL_FROM, None)
    new_key = request.session.session_key
    if old_key and new_key and old_key != new_key:
        # accounts ends a user's sessions through these rows.
        UserSession.objects.filter(session_key=old_key).update(session_key=new_key)
