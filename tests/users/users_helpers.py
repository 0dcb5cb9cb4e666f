"""Helpers shared by the user administration tests (USER-*, SVC-*, NOTIF-1)."""

from __future__ import annotations

from typing import Any

from accounts.models import LoginId, OrganizationMembership, User
from audit.models import AuditEntry
from mail.models import OutboxMessage
from tenants.scoping import operator_scope
from tests.web.flow import complete

VALID_ADD = {
    "last_name": "山田",
    "first_name": "花子",
    "last_name_kana": "ヤマダ",
    "first_name_kana": "ハナコ",
    "affiliation": "営業部",
    "role": "user",
    "phone_number": "0312345678",
    "email": "hanako@a.example.com",
    "notification_email": "hanako.notify@a.example.com",
    "login_condition": "tenant",
    "password_method": "user",
}


def add_data(**changes: Any) -> dict[str, Any]:
    return {**VALID_ADD, **changes}


def audit(action: str, **filters: Any) -> list[AuditEntry]:
    with operator_scope():
        return list(AuditEntry.objects.filter(action=action, **filters).order_by("id"))


def outbox(template: str | None = None) -> list[OutboxMessage]:
    with operator_scope():
        qs = OutboxMessage.objects.all()
        if template:
            qs = qs.filter(template=template)
        return list(qs.order_by("id"))


def user_by_email(email: str) -> User | None:
    with operator_scope():
        return User.objects.filter(email=email).first()


def user_count(tenant: Any) -> int:
    with operator_scope():
        return User.objects.filter(tenant=tenant).count()


def login_id_exists(email: str) -> bool:
    with operator_scope():
        return LoginId.objects.filter(login_id=email).exists()


def memberships(user: User) -> list[OrganizationMembership]:
    with operator_scope():
        return list(OrganizationMembership.objects.filter(user=user).order_by("id"))


def submit(client: Any, url: str, data: dict[str, Any], **done: Any) -> Any:
    """入力 → 確認 → 完了 with the 確認 page's token (issue 19), or the page
    that refused the input (no 確認 page, so no token)."""
    page = client.post(url, data)
    return complete(client, url, page, **done) if 'name="submission_token"' in page.content.decode() else page
