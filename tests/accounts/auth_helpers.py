"""Helpers shared by the account-security tests (AUTH-*)."""

from __future__ import annotations

import re

from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from mail.models import OutboxMessage
from tenants.scoping import operator_scope


class CountingMD5Hasher(MD5PasswordHasher):
    """Counts every hash computed (encode is what both make_password and
    check_password end in), to prove login hashes exactly once."""

    calls = 0

    def encode(self, password: str, salt: str) -> str:
        type(self).calls += 1
        return super().encode(password, salt)


def audit(action: str, **filters: object) -> list[AuditEntry]:
    with operator_scope():
        return list(AuditEntry.objects.filter(action=action, **filters).order_by("id"))


def outbox(template: str) -> list[OutboxMessage]:
    with operator_scope():
        return list(OutboxMessage.objects.filter(template=template).order_by("created_at", "id"))


def link_from(body: str, prefix: str) -> str:
    """The path of the first URL in a mail body that starts with ``prefix``."""
    match = re.search(r"https?://[^/\s]+(" + re.escape(prefix) + r"[^\s]+)", body)
    assert match, f"no {prefix} link in:\n{body}"
    return match.group(1)


def login_two_steps(client: Client, login_id: str, password: str, next_url: str | None = None):
    data = {"login_id": login_id}
    if next_url:
        data["next"] = next_url
    client.post(reverse("accounts:login"), data)
    return client.post(reverse("accounts:login_password"), {"password": password})
