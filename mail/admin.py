"""The outbox in Django admin, read-only and with the account links masked."""

from __future__ import annotations

import re

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from mail.models import OutboxMessage
from mail.services import message_texts

# The single-use links of the account flows (setup, password reset,
# notification address confirmation). Only their hash is stored in
# AccountToken; shown here in clear they would let whoever reads the admin
# take over the account, so the token part is masked.
TOKEN_LINK = re.compile(r"(/(?:setup|password/reset|account/notification-email)/)[A-Za-z0-9_\-]{20,}(/)")


def redact_links(text: str) -> str:
    return TOKEN_LINK.sub(r"\1********\2", text or "")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "tenant", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "template"]
    search_fields = ["subject", "to"]
    list_select_related = ["tenant"]
    # ``context`` (a body left to the worker, issue 22) is shown rendered,
    # in 本文, links masked as any body.
    exclude = ["body", "html_body", "context"]
    readonly_fields = [
        *(f.name for f in OutboxMessage._meta.fields if f.name not in ("body", "html_body", "context")),
        "redacted_body",
        "redacted_html_body",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description=_("本文"))
    def redacted_body(self, obj: OutboxMessage) -> str:
        return redact_links(message_texts(obj)[0])

    @admin.display(description=_("HTML 本文"))
    def redacted_html_body(self, obj: OutboxMessage) -> str:
        return redact_links(message_texts(obj)[1])
