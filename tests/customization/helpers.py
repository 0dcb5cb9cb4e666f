from __future__ import annotations

from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from tenants.scoping import operator_scope
from tests.web import flow


def to_confirm(client: Client, url_name: str, data: dict):
    """Post the input step; returns the response (確認 page or the form)."""
    return client.post(reverse(url_name), data)


def confirm(client: Client, url_name: str, first_response, extra: dict | None = None):
    """Press 完了 on the 確認 page: post what it carries (hidden fields, the
    staged key, the one-time token); ``extra={"back": "1"}`` is 戻る."""
    return client.post(reverse(url_name), {**flow.confirm_fields(first_response), **(extra or {})})


def audit_actions(prefix: str = "customization.") -> list[str]:
    with operator_scope():
        return list(
            AuditEntry.objects.filter(action__startswith=prefix)
            .order_by("id")
            .values_list("action", flat=True)
        )
