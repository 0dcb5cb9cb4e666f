"""Changing the notification address (AUTH-10): a confirmation link to the
new address; the change applies only when that link is opened. The request
needs the current password (``accounts.forms.NotificationEmailChangeForm``,
issue 21) and the old address is told when the change applies."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountToken, User
from accounts.services import mail_quota
from accounts.services.account_mail import mail_context
from accounts.services.tokens import consume_token, issue_token
from accounts.services.user_lookup import in_token_users_scope
from audit.services import record
from mail.dates import format_jst
from mail.links import absolute_url
from mail.services import send_mail

# A notification address change is confirmed within the same time.
DEFAULT_EMAIL_CHANGE_HOURS = 24


@transaction.atomic
def request_notification_email_change(
    *, user: User, new_email: str, ip_address: str | None = None, now: datetime | None = None
) -> None:
    """Send a confirmation link to the new address; the change applies only
    when that link is opened. Past the user's or tenant's hourly mail quota
    (issue 21) nothing is issued or sent: ``MailQuotaExceeded``."""
    mail_quota.charge(user=user)
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
        ip_address=ip_address,
    )


@in_token_users_scope
@transaction.atomic
def confirm_notification_email_change(
    *, token: AccountToken, ip_address: str | None = None, now: datetime | None = None
) -> User:
    """Apply the change and tell the OLD address (issue 21, finding 2): a
    change nobody asked for must not go unnoticed, because the password reset
    follows the notification address."""
    now = now or timezone.now()
    consume_token(token, now=now)
    user = User.all_objects.select_for_update().get(pk=token.user_id)
    old = user.notification_email
    old_mail_to = user.mail_to
    user.notification_email = token.new_email
    user.save(update_fields=["notification_email"])
    record(
        action="accounts.notification_email.changed",
        actor=user,
        target=user,
        data={"old": old, "new": token.new_email},
        ip_address=ip_address,
    )
    if old_mail_to.lower() != token.new_email.lower():
        _tell_old_address(user=user, old_email=old_mail_to, ip_address=ip_address, now=now)
    return user


def _tell_old_address(*, user: User, old_email: str, ip_address: str | None, now: datetime) -> None:
    # A tenant's user reports through the tenant's admin or the portal's
    # inquiry page; an operator (no tenant) has no inquiry page.
    inquiry_url = absolute_url(reverse("inquiries:index")) if user.tenant_id else ""
    send_mail(
        template="notification_email_changed",
        to=old_email,
        context=mail_context(
            user,
            old_email=old_email,
            new_email=user.notification_email,
            changed_at=format_jst(now),
            ip_address=ip_address or "-",
            inquiry_url=inquiry_url,
        ),
        tenant=user.tenant_id,
    )
