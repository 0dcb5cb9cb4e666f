"""Operators see the notice-mail fan-out of each article (MAIL-2), read
only: the board is the tenant's own, so operators neither write it nor read
the bodies here, and its files are not downloadable by them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from bulletin.models import Article


@admin.register(Article)
class ArticleFanoutAdmin(admin.ModelAdmin):
    list_display = ("pk", "tenant", "created_at", "notify", "mail_count", "mail_done_at")
    list_filter = ("notify",)
    fields = ("tenant", "created_at", "notify", "mail_cursor", "mail_count", "mail_done_at")
    readonly_fields = fields
    list_select_related = ("tenant",)
    ordering = ("-created_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
