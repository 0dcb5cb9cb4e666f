"""Every state change of お問い合わせ (INQ-1..INQ-6, INQ-8).

Each function is one transaction: the rows, an audit entry, and the mails
through the outbox (written in the same transaction, sent after commit). The
lock after 解決済 (INQ-6) lives here, on a row re-read ``FOR UPDATE``, so a
crafted POST is refused exactly like a hidden button.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import mail_quota
from audit.services import record
from inquiries import attachments
from inquiries.models import GeneralInquiry, Inquiry, InquiryMessage
from inquiries.retention import attachments_expire_at
from mail.links import absolute_url
from mail.services import send_mail
from tenants.models import Service, Tenant

GENERAL_MAIL = "inquiry_general"
GENERAL_RECEIPT_MAIL = "inquiry_general_receipt"
TROUBLE_RECEIPT_MAIL = "inquiry_trouble_receipt"
STAFF_NOTICE_MAIL = "inquiry_staff_notice"
ANSWERED_MAIL = "inquiry_answered"


class InquiryError(Exception):
    """A refused change; ``message`` is shown to the person as it is."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


LOCKED = _("この問い合わせは解決済みのため、メッセージの送信やステータスの変更はできません。")


def _mail_context(**extra: Any) -> dict[str, Any]:
    return {
        "login_url": absolute_url(reverse("accounts:login")),
        "sender": settings.DEFAULT_FROM_EMAIL,
        **extra,
    }


def detail_url(inquiry: Inquiry) -> str:
    """The customer's detail page; opened from a mail it goes through the
    login page and back (AUTH-6's ``next=``), INQ-5."""
    return absolute_url(reverse("inquiries:detail", args=[inquiry.pk]))


def verified_address(user: User | None, typed: str) -> str | None:
    """Where a mail about the person's own inquiry may go (issue 21,
    finding 1: no relay): the typed 連絡先メールアドレス when it is the
    filer's login ID or confirmed notification address, else the filer's own
    ``mail_to``. A typed address that is neither is kept and shown to staff
    but gets no mail: every mail here carries text the filer wrote (subject,
    body), and the portal's sender address must not carry it to strangers.
    None when the filer's account is gone."""
    if user is None:
        return None
    own = {user.email.lower(), (user.notification_email or "").lower()} - {""}
    return typed if typed and typed.lower() in own else user.mail_to


# --- （一般）お問い合わせ ---------------------------------------------------------


@transaction.atomic
def submit_general_inquiry(
    *, tenant: Tenant, user: User, subject: str, body: str, contact_email: str
) -> GeneralInquiry:
    """INQ-1: store it, mail it to the customer centre, send the receipt to
    the filer's own address (``verified_address``). Past the hourly mail
    quota nothing is stored (``MailQuotaExceeded``)."""
    mail_quota.charge(user=user)
    inquiry = GeneralInquiry.objects.create(
        tenant=tenant, subject=subject, body=body, contact_email=contact_email, created_by=user
    )
    record(action="inquiries.general.submitted", actor=user, target=inquiry)
    receipt_to = verified_address(user, contact_email)
    context = _mail_context(inquiry=inquiry, tenant=tenant, user=user, receipt_to=receipt_to)
    send_mail(template=GENERAL_MAIL, to=settings.INQUIRY_CENTER_EMAIL, context=context, tenant=tenant)
    if receipt_to:
        send_mail(template=GENERAL_RECEIPT_MAIL, to=receipt_to, context=context, tenant=tenant)
    return inquiry


# --- （障害）お問い合わせ ---------------------------------------------------------


@transaction.atomic
def submit_inquiry(
    *,
    tenant: Tenant,
    user: User,
    service: Service,
    subject: str,
    contact_email: str,
    answers: list[dict[str, str]],
    staged_files: Sequence[str] = (),
) -> Inquiry:
    """INQ-2 完了: the inquiry in 受付, its attachments (staged at 確認) kept,
    the centre told. ``service`` must be one the tenant may ask about; the
    view only offers those, and this re-checks (a crafted POST). The filer
    gets a receipt with the 問い合わせ番号 at their own address (issue 21);
    past the hourly mail quota nothing is stored (``MailQuotaExceeded``)."""
    if not tenant.contracts.filter(service=service, service__supports_trouble_inquiry=True).exists():
        raise InquiryError(_("このサービスは障害問い合わせの対象ではありません。"))
    mail_quota.charge(user=user)
    inquiry = Inquiry.objects.create(
        tenant=tenant,
        service=service,
        subject=subject,
        contact_email=contact_email,
        answers=answers,
        created_by=user,
    )
    try:
        attachments.keep_staged(inquiry=inquiry, message=None, keys=staged_files, user=user)
    except attachments.AttachmentError as exc:
        raise InquiryError(exc) from exc
    record(action="inquiries.inquiry.submitted", actor=user, target=inquiry)
    _notify_staff(inquiry, event=_("新しい障害問い合わせ"))
    receipt_to = verified_address(user, contact_email)
    if receipt_to:
        send_mail(
            template=TROUBLE_RECEIPT_MAIL,
            to=receipt_to,
            context=_mail_context(
                inquiry=inquiry,
                user=user,
                service_name=service.name,
                detail_url=detail_url(inquiry),
            ),
            tenant=tenant,
        )
    return inquiry


def _locked_inquiry(inquiry: Inquiry) -> Inquiry:
    """Re-read the row under a lock: two tabs (or a customer and an operator)
    acting at once see each other's status; a resolved one is refused."""
    current = Inquiry.objects.select_for_update().get(pk=inquiry.pk, tenant_id=inquiry.tenant_id)
    if current.is_locked:
        raise InquiryError(LOCKED)
    return current


def _touch(inquiry: Inquiry, *, status: str, now: datetime | None = None) -> None:
    from django.utils import timezone

    inquiry.status = status
    inquiry.updated_at = now or timezone.now()
    inquiry.save(update_fields=["status", "updated_at"])


@transaction.atomic
def add_customer_message(
    *, inquiry: Inquiry, user: User, body: str, files: Sequence[Any] = ()
) -> InquiryMessage:
    """INQ-4 送信: a カスタマーアカウント message; the status goes back to 受付."""
    current = _locked_inquiry(inquiry)
    message = InquiryMessage.objects.create(
        tenant_id=current.tenant_id, inquiry=current, author=user, from_staff=False, body=body
    )
    attachments.store(inquiry=current, message=message, files=files, user=user)
    _touch(current, status=Inquiry.Status.RECEIVED)
    record(action="inquiries.message.added", actor=user, target=current, data={"message": message.pk})
    _notify_staff(current, event=_("お客さまからの追加メッセージ"))
    inquiry.status = current.status
    return message


@transaction.atomic
def answer_inquiry(
    *, inquiry: Inquiry, operator: User, body: str, files: Sequence[Any] = ()
) -> InquiryMessage:
    """INQ-8 and INQ-5: a スタッフアカウント message; the status becomes 回答済
    and the filer gets a mail with a link to the detail, at the typed
    contact address only when it is one of the filer's own
    (``verified_address``)."""
    if not operator.is_staff or operator.tenant_id is not None or not operator.has_perm("inquiries.answer_inquiry"):
        raise InquiryError(_("回答できるのは運用担当者だけです。"))
    current = _locked_inquiry(inquiry)
    message = InquiryMessage.objects.create(
        tenant_id=current.tenant_id, inquiry=current, author=operator, from_staff=True, body=body
    )
    attachments.store(inquiry=current, message=message, files=files, user=operator)
    _touch(current, status=Inquiry.Status.ANSWERED)
    record(
        action="inquiries.inquiry.answered",
        actor=operator,
        tenant=current.tenant_id,
        target=current,
        data={"message": message.pk},
    )
    notice_to = verified_address(current.created_by, current.contact_email)
    if notice_to:
        send_mail(
            template=ANSWERED_MAIL,
            to=notice_to,
            context=_mail_context(
                inquiry=current,
                user=current.created_by,
                detail_url=detail_url(current),
                service_name=current.service.name,
            ),
            tenant=current.tenant_id,
        )
    inquiry.status = current.status
    return message


@transaction.atomic
def resolve_inquiry(*, inquiry: Inquiry, user: User, now: datetime | None = None) -> Inquiry:
    """INQ-6 ステータスを解決済みにする: from then on no message and no status
    change from either side; the attachments' 6-month clock starts (INQ-7)."""
    from django.utils import timezone

    current = _locked_inquiry(inquiry)
    at = now or timezone.now()
    current.status = Inquiry.Status.RESOLVED
    current.resolved_at = at
    current.updated_at = at
    current.save(update_fields=["status", "resolved_at", "updated_at"])
    record(
        action="inquiries.inquiry.resolved",
        actor=user,
        target=current,
        data={"attachments_expire_at": attachments_expire_at(at).isoformat()},
    )
    inquiry.status, inquiry.resolved_at = current.status, current.resolved_at
    return current


def record_operator_access(*, inquiry: Inquiry | GeneralInquiry, operator: User) -> None:
    """An operator opened a tenant's inquiry (INQ-8): who looked at what is
    part of the tenant's audit trail."""
    record(action="operator.viewed", actor=operator, tenant=inquiry.tenant_id, target=inquiry)


def _notify_staff(inquiry: Inquiry, *, event: Any) -> None:
    send_mail(
        template=STAFF_NOTICE_MAIL,
        to=settings.INQUIRY_CENTER_EMAIL,
        context=_mail_context(
            inquiry=inquiry,
            event=event,
            service_name=inquiry.service.name,
            tenant_name=inquiry.tenant.name,
            staff_url=absolute_url(reverse("inquiries_staff:detail", args=[inquiry.pk])),
        ),
        tenant=inquiry.tenant_id,
    )
