"""Django admin shows outbox mails without their single-use links: a setup or
password-reset link read there would let whoever reads it take over the
account (only the link's hash is stored in AccountToken, by design)."""

from __future__ import annotations

import re

from django.urls import reverse

from accounts.models import User
from accounts.services.registration import send_setup_mail
from mail.models import OutboxMessage
from tenants.scoping import operator_scope, tenant_scope
from tests.factories import UserFactory

LINK = re.compile(r"https?://\S+/setup/[A-Za-z0-9_\-]{20,}/")


def test_outbox_admin_hides_setup_links(operator_client, tenant_a):
    pending = UserFactory(tenant=tenant_a, email="new@a.example.com", status=User.Status.PENDING)
    with tenant_scope(tenant_a.pk):
        send_setup_mail(user=pending, actor=None)
    with operator_scope():
        message = OutboxMessage.objects.get(template="account_setup")
    link = LINK.search(message.body).group(0)
    page = operator_client.get(reverse("admin:mail_outboxmessage_change", args=[message.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert link not in body
    assert message.subject in body  # the rest of the mail is still there for support
    assert "/setup/********/" in body
