"""What the mails of the account flows share: the common template context
and the bulk send of link mails (set-based outbox INSERTs, in the caller's
transaction). Links, dates and the recipient are the mail kit's
(``mail.links``, ``mail.dates``) and the user's (``User.mail_to``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse

from accounts.models import User
from accounts.services.tokens import issue_tokens
from audit.services import record_many
from mail.dates import format_jst
from mail.links import absolute_url
from mail.services import Mail, send_mails
from tenants.models import Tenant


def login_url() -> str:
    return absolute_url(reverse("accounts:login"))


def mail_context(user: User, *, login: str | None = None, **extra: Any) -> dict[str, Any]:
    """``login``: the login URL when the caller has it (a bulk send reverses
    it once, not once per mail)."""
    return {
        "user": user,
        "tenant": user.tenant,
        "login_url": login or login_url(),
        "sender": settings.DEFAULT_FROM_EMAIL,
        **extra,
    }


def with_tenants(users: Iterable[User]) -> list[User]:
    """The users with ``tenant`` loaded in one query (mail contexts read it)."""
    users = list(users)
    missing = {u.tenant_id for u in users if u.tenant_id and not User.tenant.is_cached(u)}
    if missing:
        tenants = Tenant.objects.in_bulk(missing)
        for user in users:
            if user.tenant_id in tenants:
                user.tenant = tenants[user.tenant_id]
    return users


def mail_links(
    *,
    users: list[User],
    purpose: str,
    expires_at: datetime,
    now: datetime,
    template: str,
    link: Callable[[str], dict[str, str]],
    action: str,
    actor: Any,
) -> None:
    """A fresh single-use link to each user, mailed and audited, in a constant
    number of queries: the tokens (``issue_tokens``), one outbox INSERT per
    500 mails per tenant and one audit INSERT, all in the caller's
    transaction. ``link(raw)`` gives the template's link variable."""
    raws = issue_tokens(users=users, purpose=purpose, expires_at=expires_at, now=now)
    expiry = format_jst(expires_at)
    login = login_url()
    by_tenant: dict[int | None, list[Mail]] = {}
    for user, raw in zip(users, raws, strict=True):
        by_tenant.setdefault(user.tenant_id, []).append(
            Mail(to=user.mail_to, context=mail_context(user, login=login, **link(raw), expires_at=expiry))
        )
    for tenant_id, mails in by_tenant.items():
        send_mails(template=template, mails=mails, tenant=tenant_id)
    record_many(action=action, actor=actor, targets=users)
