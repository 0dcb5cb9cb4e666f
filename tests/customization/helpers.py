from __future__ import annotations

from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from tenants.scoping import operator_scope


def to_confirm(client: Client, url_name: str, data: dict):
    """Post the input step; returns the response (確認 page or the form)."""
    return client.post(reverse(url_name), data)


def confirm(client: Client, url_name: str, first_response, extra: dict | None = None):
    """Post 完了 with what the 確認 page carried (hidden fields + staged key)."""
    form = first_response.context["form"]
    data = {k: v for k, v in form.cleaned_data.items() if isinstance(v, str)}
    data.update({"staged_key": first_response.context["staged_key"], "step": "confirm"})
    data.update(extra or {})
    return client.post(reverse(url_name), data)


def audit_actions(prefix: str = "customization.") -> list[str]:
    with operator_scope():
        return list(
            AuditEntry.objects.filter(action__startswith=prefix)
            .order_by("id")
            .values_list("action", flat=True)
        )
