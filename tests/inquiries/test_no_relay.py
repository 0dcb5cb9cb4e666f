"""Issue 21, finding 1: the portal relays no mail. Receipts and answer
notices go only to the filer's own login ID or confirmed notification
address; a typed 連絡先メールアドレス that is neither is stored (and shown to
staff) but mailed nothing. Hourly per-user and per-tenant quotas cap the mail
a user can trigger (inquiries, address confirmations)."""

from __future__ import annotations

from http import HTTPStatus

from django.urls import reverse

from accounts.services.mail_quota import QUOTA_MESSAGE
from inquiries.models import GeneralInquiry, Inquiry
from mail.models import OutboxMessage
from tenants.scoping import operator_scope
from tests.factories import TEST_PASSWORD
from tests.inquiries.test_trouble_form import valid_data
from tests.web import flow

GENERAL = "inquiries:general"
QUOTA = "1 時間あたりにメールが送信される操作の上限に達しました"


def _general(n: int, contact: str) -> dict[str, str]:
    return {"subject": f"件名 {n} https://spam.example/", "body": "買ってください", "contact_email": contact}


def _recipients() -> list[str]:
    with operator_scope():
        return [addr for m in OutboxMessage.objects.all() for addr in m.to]


def test_issue21_25_inquiries_to_outside_addresses_mail_nothing_outside(
    bob_client, bob, settings, django_capture_on_commit_callbacks
):
    """The issue's reproduction: 25 （一般）お問い合わせ with outside contact
    addresses. All are stored with the typed address; not one mail goes to
    an outside address; each receipt goes to bob's own address."""
    settings.MAIL_QUOTA_PER_USER = 30
    outside = [f"victim{n}@elsewhere.example" for n in range(25)]
    for n, address in enumerate(outside):
        with django_capture_on_commit_callbacks(execute=True):
            _confirm, done = flow.confirm_then_complete(bob_client, reverse(GENERAL), _general(n, address))
        assert done.status_code == HTTPStatus.FOUND
    with operator_scope():
        assert sorted(GeneralInquiry.objects.values_list("contact_email", flat=True)) == sorted(outside)
    recipients = _recipients()
    assert not set(recipients) & set(outside)
    assert recipients.count(bob.mail_to) == 25
    assert recipients.count(settings.INQUIRY_CENTER_EMAIL) == 25


def test_issue21_a_typed_own_address_gets_the_receipt(
    bob_client, bob, django_capture_on_commit_callbacks
):
    """Typing one's own login ID while the notification address differs:
    the receipt goes where typed (it is verified), not elsewhere."""
    bob.notification_email = "bob.inbox@a.example.com"
    bob.save(update_fields=["notification_email"])
    with django_capture_on_commit_callbacks(execute=True):
        flow.confirm_then_complete(bob_client, reverse(GENERAL), _general(1, "BOB@a.example.com"))
    recipients = _recipients()
    assert "BOB@a.example.com" in recipients and "bob.inbox@a.example.com" not in recipients


def test_issue21_trouble_inquiry_gets_a_receipt_with_its_number(
    bob_client, bob, ether, contracts_trouble_a, settings, django_capture_on_commit_callbacks
):
    """A （障害）お問い合わせ gets a receipt with its 問い合わせ番号 at the
    filer's own address; the typed outside contact gets nothing."""
    url = reverse("inquiries:trouble_form", args=["ether_economy"])
    data = {**valid_data(ether), "contact_email": "noc@outside.example"}
    with django_capture_on_commit_callbacks(execute=True):
        _confirm, done = flow.confirm_then_complete(bob_client, url, data)
    assert done.status_code == HTTPStatus.FOUND
    with operator_scope():
        inquiry = Inquiry.objects.get()
        receipt = OutboxMessage.objects.get(template="inquiry_trouble_receipt")
    assert inquiry.contact_email == "noc@outside.example"
    assert receipt.to == [bob.mail_to]
    assert f"問い合わせ番号 {inquiry.number}" in receipt.subject
    assert inquiry.number in receipt.body and "本社で通信できない" in receipt.body
    assert "noc@outside.example" not in _recipients()


def test_issue21_the_user_quota_is_a_clear_message_and_stores_nothing(
    bob_client, bob, settings, django_capture_on_commit_callbacks
):
    """Past MAIL_QUOTA_PER_USER an hour: at 確認 the input page says so; a
    確認 page taken earlier says so at 完了. Nothing is stored or mailed."""
    settings.MAIL_QUOTA_PER_USER = 3
    early_confirm = bob_client.post(reverse(GENERAL), _general(99, bob.email))
    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            flow.confirm_then_complete(bob_client, reverse(GENERAL), _general(n, bob.email))
    sent = len(_recipients())
    at_confirm = bob_client.post(reverse(GENERAL), _general(3, bob.email))
    assert at_confirm.status_code == HTTPStatus.OK and QUOTA in at_confirm.text
    assert "（一般）お問い合わせ（確認）" not in at_confirm.text
    with django_capture_on_commit_callbacks(execute=True):
        at_done = flow.complete(bob_client, reverse(GENERAL), early_confirm)
    assert at_done.status_code == HTTPStatus.OK and QUOTA in at_done.text
    with operator_scope():
        assert GeneralInquiry.objects.count() == 3
    assert len(_recipients()) == sent
    assert str(QUOTA_MESSAGE).startswith(QUOTA)


def test_issue21_the_tenant_quota_covers_every_user_and_address_confirmations(
    alice_client, bob_client, bob, settings, django_capture_on_commit_callbacks
):
    """MAIL_QUOTA_PER_TENANT counts the tenant's users together, and an
    address confirmation spends the same budget as an inquiry."""
    settings.MAIL_QUOTA_PER_TENANT = 2
    with django_capture_on_commit_callbacks(execute=True):
        flow.confirm_then_complete(alice_client, reverse(GENERAL), _general(1, "alice@a.example.com"))
        flow.confirm_then_complete(bob_client, reverse(GENERAL), _general(2, bob.email))
    page = bob_client.post(
        reverse("accounts:notification_email_change"),
        {"notification_email": "someone@outside.example", "current_password": TEST_PASSWORD},
    )
    assert page.status_code == HTTPStatus.OK and QUOTA in page.text
    with operator_scope():
        assert not OutboxMessage.objects.filter(template="notification_email_confirm").exists()
    assert QUOTA in bob_client.post(reverse(GENERAL), _general(3, bob.email)).text
