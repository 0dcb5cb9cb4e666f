"""Mail the owner whenever their factors change (issue 24): a factor added
or removed, a recovery code used, factors reset by an admin or an operator.
Someone who did not do it learns of it at once."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services.account_mail import mail_context, with_tenants
from mail.dates import format_jst
from mail.links import absolute_url
from mail.services import send_mail

KINDS = {"totp_added", "totp_removed", "passkey_added", "passkey_removed", "recovery_used", "reset"}


def tell_factor_changed(*, user: User, kind: str, detail: str = "") -> None:
    if kind not in KINDS:
        raise ValueError(kind)
    [user] = with_tenants([user])
    context = mail_context(
        user,
        kind=kind,
        detail=detail,
        changed_at=format_jst(timezone.now()),
        settings_url=absolute_url(reverse("mfa:settings")),
    )
    send_mail(template="mfa_factor_changed", to=user.mail_to, context=context, tenant=user.tenant_id)
