"""Plain-text mail parts (subject, body.txt) are not HTML: names such as
"Q&A" or "O'Neil" arrive as typed, not as "Q&amp;A" or "O&#x27;Neil"
(MAIL-1; the HTML part, when a template has one, stays escaped)."""

from __future__ import annotations

from mail import services
from mail.services import Mail

CONTEXT = {"name": "O'Neil <Sales>", "title": "Q&A"}


def test_send_mail_text_parts_are_not_html_escaped(tenant_a):
    message = services.send_mail(template="test_notice", to="a@example.com", context=CONTEXT, tenant=tenant_a)
    assert message.subject == "Q&A のお知らせ"
    assert "O'Neil <Sales> 様" in message.body
    assert "Q&A をお知らせします。" in message.body


def test_send_mails_text_parts_are_not_html_escaped(tenant_a):
    services.send_mails(template="test_notice", mails=[Mail(to="a@example.com", context=CONTEXT)], tenant=tenant_a)
    from mail.models import OutboxMessage
    from tenants.scoping import operator_scope

    with operator_scope():
        message = OutboxMessage.objects.get()
    assert message.subject == "Q&A のお知らせ"
    assert "O'Neil <Sales> 様" in message.body
