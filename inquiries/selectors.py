"""Reads of お問い合わせ: the FAQ search, who sees which inquiries, the lists.

Who sees what (docs/inquiries.md): the manual lets admins and users alike
send inquiries (§5.1 「KDDI お問い合わせフォームからのお問い合わせ送信 ○ ○」);
a ユーザ sees the inquiries they filed, a 管理者 sees every inquiry of the
tenant (the admin answers for the company's contracts).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Case, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import User
from inquiries import search
from inquiries.models import (
    FaqCategory,
    FaqEntry,
    GeneralInquiry,
    Inquiry,
    InquiryMessage,
    TroubleFormField,
)
from tenants.models import Service, Tenant

FAQ_SUGGESTION_LIMIT = 5
SUGGESTION_MIN_SCORE = 4


def faq_entries(query: str = "") -> QuerySet[FaqEntry]:
    """Published entries matching every word of ``query`` (inquiries/search.py:
    normalised, substring first, particle-tolerant when that finds nothing),
    annotated ``title_hit`` (1 when every word is in the question) so lists
    can show those first."""
    entries = FaqEntry.objects.filter(is_published=True).select_related("category")
    words = search.query_words(query)
    if not words:
        return entries.annotate(title_hit=Value(0))
    return _matching(entries, words).order_by(
        "-title_hit", "category__display_order", "category_id", "display_order", "pk"
    )


def _matching(entries: QuerySet[FaqEntry], words: list[str]) -> QuerySet[FaqEntry]:
    exact = entries
    for word in words:
        exact = exact.filter(text_search__contains=word)
    title = Q()
    for word in words:
        title &= Q(question_search__contains=word)
    if exact.exists():
        return exact.annotate(title_hit=Case(When(title, then=Value(1)), default=Value(0)))
    # Nothing exact: the few dozen entries are read once and matched word by
    # word with a particle's tolerance.
    texts = entries.values_list("pk", "question_search", "text_search")
    hits = [
        (pk, all(search.fuzzy_match(w, question) for w in words))
        for pk, question, text in texts
        if all(search.fuzzy_match(w, text) for w in words)
    ]
    titled = [pk for pk, in_title in hits if in_title]
    return entries.filter(pk__in=[pk for pk, _ in hits]).annotate(
        title_hit=Case(When(pk__in=titled, then=Value(1)), default=Value(0))
    )


def faq_categories(query: str = "") -> list[FaqCategory]:
    """The categories that have a matching entry, each with its entries
    (two queries whatever the size)."""
    matching = faq_entries(query).order_by("-title_hit", "display_order", "pk")
    categories = (
        FaqCategory.objects.filter(entries__in=matching.values("pk"))
        .distinct()
        .prefetch_related(Prefetch("entries", queryset=matching, to_attr="matching_entries"))
    )
    return list(categories)


HIRAGANA_OR_PUNCTUATION = re.compile(r"^[\u3040-\u309f\u3000-\u303f\uff01-\uff0f\W]+$")


def _bigrams(text: str) -> set[str]:
    """Two-character pieces of a Japanese text, leaving out the ones made of
    hiragana and punctuation only (「ない」「があ」 match almost anything)."""
    text = "".join(text.upper().split())
    pairs = {text[i : i + 2] for i in range(len(text) - 1)}
    return {p for p in pairs if not HIRAGANA_OR_PUNCTUATION.match(p)}


def faq_suggestions(subject: str) -> list[FaqEntry]:
    """Entries to show beside the inquiry form while the subject is typed.

    A subject is a sentence, not a keyword (「ログインできない拠点がある」), so
    a substring match would find nothing: entries are ranked by the
    two-character pieces they share with it, a question's counting double.
    The FAQ is a few dozen rows operators write, so this reads them all (one
    query) rather than asking the database to rank."""
    wanted = _bigrams(subject.strip())
    if not wanted:
        return []
    scored = []
    for entry in FaqEntry.objects.filter(is_published=True).select_related("category"):
        score = 2 * len(wanted & _bigrams(entry.question)) + len(wanted & _bigrams(entry.answer))
        if score >= SUGGESTION_MIN_SCORE:
            scored.append((-score, entry.category.display_order, entry.display_order, entry.pk, entry))
    return [row[-1] for row in sorted(scored)[:FAQ_SUGGESTION_LIMIT]]


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


def _searched(rows: QuerySet[Any], *, number: int | None, subject: str, tenant_query: str) -> QuerySet[Any]:
    """The staff console's search (issue 23): the number is the pk, the
    subject a substring, the tenant a substring of its name or code."""
    if number:
        rows = rows.filter(pk=number)
    if subject:
        rows = rows.filter(subject__icontains=subject)
    if tenant_query:
        rows = rows.filter(Q(tenant__name__icontains=tenant_query) | Q(tenant__code__icontains=tenant_query))
    return rows


def staff_inquiries(
    *,
    number: int | None = None,
    subject: str = "",
    tenant_query: str = "",
    service_id: int | None = None,
    status: str = "",
    older_than_days: int | None = None,
    now: datetime | None = None,
) -> QuerySet[Inquiry]:
    """INQ-8: every tenant's （障害）お問い合わせ for operators. Call inside
    ``operator_scope()``; the criteria narrow it."""
    inquiries = _searched(Inquiry.objects.all(), number=number, subject=subject, tenant_query=tenant_query)
    if service_id:
        inquiries = inquiries.filter(service_id=service_id)
    if status:
        inquiries = inquiries.filter(status=status)
    if older_than_days:
        inquiries = inquiries.filter(created_at__lte=(now or timezone.now()) - timedelta(days=older_than_days))
    return inquiries.select_related("tenant", "service", "created_by").order_by("-created_at", "-pk")


def staff_general_inquiries(
    *, number: int | None = None, subject: str = "", tenant_query: str = ""
) -> QuerySet[GeneralInquiry]:
    """INQ-8 (issue 23): every tenant's （一般）お問い合わせ for operators,
    inside ``operator_scope()``."""
    rows = _searched(GeneralInquiry.objects.all(), number=number, subject=subject, tenant_query=tenant_query)
    return rows.select_related("tenant", "created_by").order_by("-created_at", "-pk")
