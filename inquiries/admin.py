"""Operators' side in Django admin (INQ-2, INQ-8, INQ-9): the FAQ and the
per-service trouble forms are data maintained here; the inquiries themselves
are answered in the staff console (/staff/inquiries/), which the admin links to."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from inquiries.models import FaqCategory, FaqEntry, GeneralInquiry, Inquiry, TroubleFormField


class FaqEntryInline(admin.StackedInline):
    model = FaqEntry
    extra = 0
    fields = ["question", "answer", "display_order", "is_published"]


@admin.register(FaqCategory)
class FaqCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "display_order"]
    list_editable = ["display_order"]
    inlines = [FaqEntryInline]


@admin.register(FaqEntry)
class FaqEntryAdmin(admin.ModelAdmin):
    list_display = ["question", "category", "display_order", "is_published", "updated_at"]
    list_filter = ["category", "is_published"]
    search_fields = ["question", "answer"]
    list_select_related = ["category"]


@admin.register(TroubleFormField)
class TroubleFormFieldAdmin(admin.ModelAdmin):
    list_display = ["label", "service", "field_type", "required", "display_order"]
    list_editable = ["display_order", "required"]
    list_filter = ["service"]
    list_select_related = ["service"]
    fields = ["service", "label", "field_type", "choices", "required", "help_text", "display_order"]


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Inquiry)
class InquiryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only list; answering happens in the staff console."""

    list_display = ["number", "subject", "tenant", "service", "status", "created_at", "console"]
    list_filter = ["status", "service", "tenant"]
    list_select_related = ["tenant", "service"]
    search_fields = ["subject"]

    @admin.display(description=_("スタッフコンソール"))
    def console(self, obj: Inquiry) -> str:
        return format_html('<a href="{}">{}</a>', reverse("inquiries_staff:detail", args=[obj.pk]), _("回答"))


@admin.register(GeneralInquiry)
class GeneralInquiryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["subject", "tenant", "contact_email", "created_at"]
    list_filter = ["tenant"]
    list_select_related = ["tenant"]
    search_fields = ["subject", "body"]
