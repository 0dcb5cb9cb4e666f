"""The mail to a tenant's admins when an operator removed one of its images
(ALIAS-4, issue 23): which image, when, and the operator's reason, so the
tenant is not left to find its logo gone without a word."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from mail.dates import format_jst
from mail.links import absolute_url
from mail.services import Mail, send_mails
from tenants.models import Tenant

TEMPLATE = "image_removed_by_operator"

# Which image; the mail names it (templates/mail/image_removed_by_operator/).
SITE_LOGO = {"kind": "site_logo"}
LOGIN_LOGO = {"kind": "login_logo"}


def link_icon(title: str) -> dict[str, str]:
    return {"kind": "link_icon", "link_title": title}


def tell_tenant_admins(*, tenant: Tenant, image: dict[str, str], reason: str) -> int:
    """Queue one mail per active admin of the tenant, in the caller's
    transaction (the outbox sends it after commit). Returns how many."""
    admins = User.all_objects.filter(tenant_id=tenant.pk, role=User.Role.ADMIN, status=User.Status.ACTIVE).only(
        "email", "notification_email", "last_name", "first_name"
    )
    context = {
        **image,
        "tenant": tenant,
        "reason": reason,
        "removed_at": format_jst(timezone.now()),
        "customization_url": absolute_url(reverse("customization:index")),
        "login_url": absolute_url(reverse("accounts:login")),
        "sender": settings.DEFAULT_FROM_EMAIL,
    }
    return send_mails(
        template=TEMPLATE, mails=[Mail(to=admin.mail_to, context=context) for admin in admins], tenant=tenant.pk
    )
