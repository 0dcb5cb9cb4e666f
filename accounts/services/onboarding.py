"""Onboarding: opening a tenant with its first admin and opening mail (OPS-2,
AUTH-1). Operator code, so it works outside any tenant scope; Django admin
(accounts/admin.py), the ``open_tenant`` command and tests call it.

It lives in accounts, not tenants: it creates a user and sends mail, and the
ground floor (tenants) imports no app above it (.importlinter)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import LoginId, User
from accounts.models.field_rules import validate_mail_address, validate_person_name
from accounts.services.registration import issue_setup_link, send_setup_mail
from audit.services import record
from mail.dates import format_jst
from mail.links import absolute_url
from mail.services import send_mail
from tenants.models import Service, Tenant


class OpeningVariant(models.TextChoices):
    """The four opening mails of manual ch. 2, by what the customer ordered."""

    PORTAL = "portal", _("ポータル単体申込（初期設定のお願い）")
    ORDER_RECEIVED = "order_received", _("申込受付完了のお知らせ")
    SERVICE = "service", _("他サービス申込（「サービス名」を申込のお客さまへ）")
    BASIC_PACK = "basic_pack", _("ベーシックパック開通（サービス開通のご案内）")


OPENING_TEMPLATES: dict[str, str] = {
    OpeningVariant.PORTAL: "opening_portal",
    OpeningVariant.ORDER_RECEIVED: "opening_order_received",
    OpeningVariant.SERVICE: "opening_service",
    OpeningVariant.BASIC_PACK: "opening_basic_pack",
}


class OnboardingError(Exception):
    """A tenant operation the rules do not allow."""


@transaction.atomic
def open_tenant(
    *,
    name: str,
    code: str,
    admin_email: str,
    admin_last_name: str,
    admin_first_name: str,
    variant: str,
    ordered_service: Service | None = None,
    actor: Any,
    now: datetime | None = None,
) -> Tenant:
    """Create the tenant and its representative admin (status 未設定) and
    send the opening mail with the initial-registration link (AUTH-1, AUTH-2).

    Raises ``ValidationError`` (by field) for bad input, an existing tenant
    code or a login ID already in use anywhere in the portal.
    """
    now = now or timezone.now()
    if variant not in OPENING_TEMPLATES:
        raise ValidationError({"variant": _("開通通知メールの種類を選択してください。")})
    if variant == OpeningVariant.SERVICE and ordered_service is None:
        raise ValidationError(
            {"ordered_service": _("「他サービス申込」では申込サービスを選択してください。")}
        )
    email = User.objects.normalize_email(admin_email or "").strip().lower()
    tenant = Tenant(name=(name or "").strip(), code=(code or "").strip())
    tenant.full_clean()
    # The representative admin is a user like any other: USER-1's rules.
    errors: dict[str, list] = {}
    for field, value, label in (
        ("admin_last_name", admin_last_name, _("姓")),
        ("admin_first_name", admin_first_name, _("名")),
    ):
        try:
            validate_person_name((value or "").strip(), label=str(label))
        except ValidationError as exc:
            errors[field] = exc.messages
    try:
        validate_mail_address(email, label=str(_("メールアドレス")))
    except ValidationError as exc:
        errors["admin_email"] = exc.messages
    if errors:
        raise ValidationError(errors)
    if LoginId.objects.filter(login_id__iexact=email).exists():
        raise ValidationError(
            {"admin_email": _("このメールアドレスはすでにユーザ ID として登録されています。")}
        )
    admin = User(
        tenant=tenant,
        email=email,
        role=User.Role.ADMIN,
        status=User.Status.PENDING,
        is_representative=True,
        last_name=(admin_last_name or "").strip(),
        first_name=(admin_first_name or "").strip(),
        notification_email=email,
    )
    admin.set_unusable_password()
    # The tenant is not saved yet; its own validation ran above.
    admin.full_clean(
        exclude=["tenant", "password"], validate_unique=False, validate_constraints=False
    )
    tenant.save()
    admin.tenant = tenant
    admin.save()
    LoginId.objects.create(login_id=email, user=admin)

    url, expires_at = issue_setup_link(user=admin, now=now)
    send_mail(
        template=OPENING_TEMPLATES[variant],
        to=email,
        context={
            "tenant": tenant,
            "user": admin,
            "setup_url": url,
            "expires_at": format_jst(expires_at),
            "basic_pack_name": settings.BASIC_PACK_PRODUCT_NAME,
            "service_name": ordered_service.name if ordered_service else "",
            "login_url": absolute_url("/"),
            "sender": settings.DEFAULT_FROM_EMAIL,
        },
        tenant=tenant,
    )
    record(
        action="tenants.tenant.opened",
        actor=actor,
        tenant=tenant,
        target=tenant,
        data={
            "variant": variant,
            "admin": email,
            "ordered_service": ordered_service.code if ordered_service else None,
        },
    )
    return tenant


@transaction.atomic
def resend_opening_setup(*, tenant: Tenant, actor: Any, now: datetime | None = None) -> User:
    """A fresh setup mail to the tenant's representative admin who has not
    finished initial registration (the older link stops working)."""
    admin = User.all_objects.filter(tenant=tenant, is_representative=True).first()
    if admin is None or admin.status != User.Status.PENDING:
        raise OnboardingError(_("代表管理者の初期設定はすでに完了しています。"))
    send_setup_mail(user=admin, actor=actor, now=now)
    return admin
