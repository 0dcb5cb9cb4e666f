"""Reads of お問い合わせ: the FAQ search, who sees which inquiries, the lists.

Who sees what (docs/inquiries.md): the manual lets admins and users alike
send inquiries (§5.1 「KDDI お問い合わせフォームからのお問い合わせ送信 ○ ○」);
a ユーザ sees the inquiries they filed, a 管理者 sees every inquiry of the
tenant (the admin answers for the company's contracts).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet

from accounts.models import User
from inquiries.models import FaqCategory, FaqEntry, Inquiry, InquiryMessage, TroubleFormField
from tenants.models import Service, Tenant

FAQ_SUGGESTION_LIMIT = 5


def faq_entries(query: str = "") -> QuerySet[FaqEntry]:
    """Published entries, matching every word of ``query`` in the question or
    the answer. A substring match (``icontains``): Japanese has no spaces, so
    「ログイン」 must find 「ログインできない」; on PostgreSQL the trigram index
    of migration 0003 serves ``UPPER(col) LIKE UPPER('%…%')``."""
    entries = FaqEntry.objects.filter(is_published=True)
    for word in query.split():
        entries = entries.filter(Q(question__icontains=word) | Q(answer__icontains=word))
    return entries.select_related("category")


def faq_categories(query: str = "") -> list[FaqCategory]:
    """The categories that have a matching entry, each with its entries
    (two queries whatever the size)."""
    matching = faq_entries(query).order_by("display_order", "pk")
    categories = (
        FaqCategory.objects.filter(entries__in=matching.values("pk"))
        .distinct()
        .prefetch_related(Prefetch("entries", queryset=matching, to_attr="matching_entries"))
    )
    return list(categories)


def faq_suggestions(subject: str) -> list[FaqEntry]:
    """Entries to show beside the inquiry form while the subject is typed."""
    subject = subject.strip()
    if len(subject) < 2:
        return []
    return list(faq_entries(subject)[:FAQ_SUGGESTION_LIMIT])


def trouble_services(tenant: Tenant) -> list[Service]:
    """The tenant's contracted services that take trouble inquiries (INQ-2)."""
    return list(
        Service.objects.filter(contracts__tenant=tenant, supports_trouble_inquiry=True)
        .distinct()
        .order_by("display_order", "code")
    )


def form_fields(service: Service) -> list[TroubleFormField]:
    return list(service.trouble_form_fields.order_by("display_order", "pk"))


def visible_inquiries(tenant: Tenant, user: User) -> QuerySet[Inquiry]:
    inquiries = tenant.inquiries.all()  # type: ignore[attr-defined]
    if user.role != User.Role.ADMIN:
        inquiries = inquiries.filter(created_by=user)
    return inquiries


def inquiry_list(
    tenant: Tenant, user: User, *, service: Service, status: str = ""
) -> QuerySet[Inquiry]:
    """INQ-3: one service's inquiries, newest first, optionally one status."""
    inquiries = visible_inquiries(tenant, user).filter(service=service)
    if status:
        inquiries = inquiries.filter(status=status)
    return inquiries.select_related("created_by").order_by("-created_at", "-pk")


def thread(inquiry: Inquiry) -> list[InquiryMessage]:
    """INQ-4: the messages, newest first, with their authors."""
    return list(inquiry.messages.select_related("author").order_by("-created_at", "-pk"))


def staff_inquiries(
    *,
    tenant_id: int | None = None,
    service_id: int | None = None,
    status: str = "",
    created_before: datetime | None = None,
) -> QuerySet[Inquiry]:
    """INQ-8: every tenant's inquiries for operators. Call inside
    ``operator_scope()``; the filters narrow it."""
    inquiries = Inquiry.objects.all()
    if tenant_id:
        inquiries = inquiries.filter(tenant_id=tenant_id)
    if service_id:
        inquiries = inquiries.filter(service_id=service_id)
    if status:
        inquiries = inquiries.filter(status=status)
    if created_before:
        inquiries = inquiries.filter(created_at__lte=created_before)
    return inquiries.select_related("tenant", "service", "created_by").order_by("-created_at", "-pk")
