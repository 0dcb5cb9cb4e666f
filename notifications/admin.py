from __future__ import annotations

from django.contrib import admin

from notifications.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "tenant", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "template"]
    search_fields = ["subject", "to"]
    list_select_related = ["tenant"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
