"""Changing the notification address (AUTH-10): a confirmation link to the
new address; the change applies only when that link is opened."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountToken, User
from accounts.services.account_mail import mail_context
from accounts.services.tokens import consume_token, issue_token
from audit.services import record
from mail.dates import format_jst
from mail.links import absolute_url
from mail.services import send_mail

# A notification address change is confirmed within the same time.
DEFAULT_EMAIL_CHANGE_HOURS = 24


@transaction.atomic
def request_notification_email_change(
    *, user: User, new_email: str, now: datetime | None = None
) -> None:
    """Send a confirmation link to the new address; the change applies only
    when that link is opened."""
    now = now or timezone.now()
    hours = int(getattr(settings, "EMAIL_CHANGE_LINK_HOURS", DEFAULT_EMAIL_CHANGE_HOURS))
    expires_at = now + timedelta(hours=hours)
    raw = issue_token(
        user=user,
        purpose=AccountToken.Purpose.EMAIL_CHANGE,
        expires_at=expires_at,
        now=now,
        new_email=new_email,
    )
    send_mail(
        template="notification_email_confirm",
        to=new_email,
        context=mail_context(
            user,
            new_email=new_email,
            confirm_url=absolute_url(reverse("accounts:notification_email_confirm", args=[raw])),
            expires_at=format_jst(expires_at),
        ),
        tenant=user.tenant_id,
    )
    record(
        action="accounts.notification_email.change_requested",
        actor=user,
        target=user,
        data={"new_email": new_email},
    )


@transaction.atomic
def confirm_notification_email_change(*, token: AccountToken, now: datetime | None = None) -> User:
    now = now or timezone.now()
    consume_token(token, now=now)
    user = User.all_objects.select_for_update().get(pk=token.user_id)
    old = user.notification_email
    user.notification_email = token.new_email
    user.save(update_fields=["notification_email"])
    record(
        action="accounts.notification_email.changed",
        actor=user,
        target=user,
        data={"old": old, "new": token.new_email},
    )
    return user
