"""（一般）お問い合わせ (INQ-1): 入力 → 確認 → 完了, stored, mailed to the
customer centre through the outbox, a receipt to the sender."""

from __future__ import annotations

from http import HTTPStatus

from django.urls import reverse

from audit.models import AuditEntry
from inquiries.models import GeneralInquiry
from tenants.scoping import operator_scope
from tests.web import flow

URL = "inquiries:general"
DATA = {"subject": "請求書の送付先を変更したい", "body": "送付先を本社に変えたいです。", "contact_email": "bob.contact@a.example.com"}


def test_inq1_input_offers_the_notification_address(bob_client, bob):
    response = bob_client.get(reverse(URL))
    assert response.status_code == HTTPStatus.OK
    assert f'value="{bob.notification_email}"' in response.text
    assert "法人お客さまセンター宛" in response.text


def test_inq1_confirm_shows_the_input_and_stores_nothing(bob_client):
    response = bob_client.post(reverse(URL), DATA)
    assert response.status_code == HTTPStatus.OK
    assert "（一般）お問い合わせ（確認）" in response.text
    assert "請求書の送付先を変更したい" in response.text
    assert "完了" in response.text
    with operator_scope():
        assert not GeneralInquiry.objects.exists()


def test_inq1_back_keeps_the_input(bob_client):
    response = flow.back(bob_client, reverse(URL), bob_client.post(reverse(URL), DATA))
    assert 'value="請求書の送付先を変更したい"' in response.text
    assert "field__error" not in response.text


def test_inq1_submit_stores_and_mails_the_centre_and_the_sender(
    bob_client, bob, settings, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        _confirm, response = flow.confirm_then_complete(bob_client, reverse(URL), DATA)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("inquiries:general_done")
    with operator_scope():
        inquiry = GeneralInquiry.objects.get()
        assert inquiry.tenant_id == bob.tenant_id and inquiry.created_by == bob
        assert AuditEntry.objects.filter(action="inquiries.general.submitted", object_id=str(inquiry.pk)).exists()
    by_to = {tuple(m.to): m for m in mailoutbox}
    centre = by_to[(settings.INQUIRY_CENTER_EMAIL,)]
    assert "請求書の送付先を変更したい" in centre.subject
    assert "送付先を本社に変えたいです。" in centre.body
    assert bob.tenant.name in centre.body and bob.email in centre.body
    # Issue 21: the typed bob.contact@ is not one of bob's addresses, so the
    # receipt goes to his own; the typed one is stored (and shown to staff).
    assert ("bob.contact@a.example.com",) not in by_to
    assert f"受付メールは {bob.mail_to} に送信しました" in centre.body
    assert inquiry.contact_email == "bob.contact@a.example.com"
    receipt = by_to[(bob.mail_to,)]
    assert "受け付けました" in receipt.subject
    assert "送付先を本社に変えたいです。" in receipt.body
    done = bob_client.get(response.url)
    assert "お問い合わせを受け付けました" in done.text


def test_inq1_admins_may_send_too(alice_client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _confirm, response = flow.confirm_then_complete(alice_client, reverse(URL), DATA)
    assert response.status_code == HTTPStatus.FOUND
    assert len(mailoutbox) == 2


def test_inq1_bad_input_keeps_it_and_changes_nothing(bob_client, mailoutbox):
    data = {**DATA, "contact_email": "not-an-address", "subject": "", "stage": "done"}
    response = bob_client.post(reverse(URL), data)
    assert response.status_code == HTTPStatus.OK
    assert "有効なメールアドレスを入力してください。" in response.text
    assert "件名を入力してください。" in response.text  # issue 23: the field's own message
    assert 'value="not-an-address"' in response.text
    assert "送付先を本社に変えたいです。" in response.text
    with operator_scope():
        assert not GeneralInquiry.objects.exists()
    assert mailoutbox == []


def test_inq1_requires_login(client, db):
    for name in (URL, "inquiries:general_done"):
        response = client.get(reverse(name))
        assert response.status_code == HTTPStatus.FOUND
        assert response.url.startswith(reverse("accounts:login"))


def test_inq1_is_not_for_operators(staff_client):
    assert staff_client.get(reverse(URL)).status_code == HTTPStatus.NOT_FOUND


def test_inq1_done_rejects_post(bob_client):
    assert bob_client.post(reverse("inquiries:general_done")).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_seed_demo_has_trouble_forms_and_inquiries(db):
    """A fresh `make run` has the FAQ, forms for the services that take trouble
    inquiries and an inquiry or two; reseeding changes nothing."""
    import io

    from django.core.management import call_command

    from inquiries.models import FaqCategory, FaqEntry, Inquiry, TroubleFormField
    from tenants.models import Service

    FaqEntry.objects.all().delete()  # as a flushed test database has it
    FaqCategory.objects.all().delete()
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    assert FaqEntry.objects.count() == 11 and FaqCategory.objects.count() == 4
    for service in Service.objects.filter(supports_trouble_inquiry=True):
        assert TroubleFormField.objects.filter(service=service).exists(), service
    with operator_scope():
        assert Inquiry.objects.count() == 2
        assert {i.status for i in Inquiry.objects.all()} == {"received", "answered"}
