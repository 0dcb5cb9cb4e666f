"""INQ-1, INQ-2, INQ-6 with the web kit (issue 19): a 完了 never runs twice.

The same 確認 token posted again (the browser's Back and 完了, a second tab)
gives one inquiry, one set of mails, one audit entry and the 完了-already
page linking to where the first 完了 led; 戻る keeps the input and, for a
trouble inquiry, the chosen files; a missing token shows 確認 again."""

from __future__ import annotations

from http import HTTPStatus

from django.urls import reverse

from audit.models import AuditEntry
from inquiries.models import GeneralInquiry, Inquiry, InquiryAttachment
from mail.models import OutboxMessage
from tenants.scoping import operator_scope
from tests.inquiries.test_trouble_form import valid_data
from tests.uploads.samples import PDF, image_bytes, upload
from tests.web import flow
from uploads.models import StoredFile
from web.submission import TOKEN_FIELD

ALREADY = "この操作はすでに完了しています"
GENERAL = {"subject": "請求書の送付先", "body": "本社に変えたいです。", "contact_email": "bob.contact@a.example.com"}


def _count(model, **filters) -> int:
    with operator_scope():
        return model.objects.filter(**filters).count()


def _trouble_url() -> str:
    return reverse("inquiries:trouble_form", args=["ether_economy"])


def test_inq1_same_token_twice_one_inquiry_one_set_of_mails(bob_client, django_capture_on_commit_callbacks, mailoutbox):
    url = reverse("inquiries:general")
    with django_capture_on_commit_callbacks(execute=True):
        confirm, done = flow.confirm_then_complete(bob_client, url, GENERAL)
    assert done.status_code == HTTPStatus.FOUND
    with django_capture_on_commit_callbacks(execute=True):
        again = flow.complete(bob_client, url, confirm)
    assert again.status_code == HTTPStatus.OK and ALREADY in again.text
    assert f'href="{done.url}"' in again.text
    assert _count(GeneralInquiry) == 1
    assert _count(AuditEntry, action="inquiries.general.submitted") == 1
    assert _count(OutboxMessage) == 2 and len(mailoutbox) == 2  # the centre and the receipt, once


def test_inq2_same_token_twice_one_inquiry_with_its_files_one_mail(
    bob_client, ether, contracts_trouble_a, django_capture_on_commit_callbacks, mailoutbox
):
    url = _trouble_url()
    data = {**valid_data(ether), "files": [upload("画面.png", image_bytes("PNG")), upload("報告.pdf", PDF)]}
    with django_capture_on_commit_callbacks(execute=True):
        confirm, done = flow.confirm_then_complete(bob_client, url, data)
    assert done.status_code == HTTPStatus.FOUND
    with django_capture_on_commit_callbacks(execute=True):
        again = flow.complete(bob_client, url, confirm)
    assert again.status_code == HTTPStatus.OK
    assert ALREADY in again.text and "有効期限" not in again.text
    assert f'href="{done.url}"' in again.text
    assert _count(Inquiry) == 1 and _count(InquiryAttachment) == 2
    assert _count(AuditEntry, action="inquiries.inquiry.submitted") == 1
    # The centre's notice and (issue 21) the filer's receipt, once each.
    assert _count(OutboxMessage) == 2 and len(mailoutbox) == 2


def test_inq2_back_keeps_the_input_and_the_files(bob_client, ether, contracts_trouble_a):
    url = _trouble_url()
    confirm = bob_client.post(url, {**valid_data(ether), "files": [upload("画面.png", image_bytes("PNG"))]})
    back = flow.back(bob_client, url, confirm)
    with operator_scope():
        key = StoredFile.objects.get().key
    assert "障害問い合わせ（入力）" in back.text
    assert 'value="本社で通信できない"' in back.text and "朝から通信できません。" in back.text
    assert f'name="staged" value="{key}" checked' in back.text and "画面.png" in back.text
    # 確認 again from there without choosing the file again, then 完了 attaches it.
    again = bob_client.post(url, {**valid_data(ether), "staged": [str(key)]})
    assert "画面.png" in again.text
    assert flow.complete(bob_client, url, again).status_code == HTTPStatus.FOUND
    assert _count(InquiryAttachment) == 1


def test_inq2_an_input_error_keeps_the_checked_files(bob_client, ether, contracts_trouble_a):
    url = _trouble_url()
    response = bob_client.post(url, {**valid_data(ether, subject=""), "files": [upload("残る.pdf", PDF)]})
    with operator_scope():
        key = StoredFile.objects.get().key
    assert "件名を入力してください。" in response.text  # issue 23: the field's own message
    assert f'name="staged" value="{key}" checked' in response.text


def test_inq1_inq2_missing_token_shows_confirm_again_and_changes_nothing(bob_client, ether, contracts_trouble_a, mailoutbox):
    for url, data, heading in (
        (reverse("inquiries:general"), GENERAL, "（一般）お問い合わせ（確認）"),
        (_trouble_url(), {**valid_data(ether), "files": [upload("報告.pdf", PDF)]}, "障害問い合わせ（確認）"),
    ):
        fields = flow.confirm_fields(bob_client.post(url, data))
        del fields[TOKEN_FIELD]
        response = bob_client.post(url, fields)
        assert response.status_code == HTTPStatus.OK
        assert heading in response.text and "もう一度「完了」を押してください" in response.text
    assert _count(GeneralInquiry) == 0 and _count(Inquiry) == 0 and mailoutbox == []
    assert _count(StoredFile, attached=True) == 0


def test_inq6_resolve_same_token_twice_resolves_once(bob_client, bob, make_inquiry):
    inquiry = make_inquiry(user=bob, status=Inquiry.Status.ANSWERED)
    url = reverse("inquiries:resolve", args=[inquiry.pk])
    confirm = bob_client.get(url)
    done = flow.complete(bob_client, url, confirm)
    assert done.url == reverse("inquiries:detail", args=[inquiry.pk])
    again = flow.complete(bob_client, url, confirm)
    assert again.status_code == HTTPStatus.OK and ALREADY in again.text
    assert f'href="{done.url}"' in again.text
    assert _count(AuditEntry, action="inquiries.inquiry.resolved") == 1
    assert _count(OutboxMessage) == 0


def test_inq6_resolve_without_token_changes_nothing(bob_client, bob, make_inquiry):
    inquiry = make_inquiry(user=bob, status=Inquiry.Status.ANSWERED)
    url = reverse("inquiries:resolve", args=[inquiry.pk])
    response = bob_client.post(url, {"stage": "done"})
    assert response.status_code == HTTPStatus.OK
    assert "もう一度「完了」を押してください" in response.text and 'name="submission_token"' in response.text
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.ANSWERED
    back = bob_client.post(url, {**flow.confirm_fields(response), "back": "1"})
    assert back.url == reverse("inquiries:detail", args=[inquiry.pk])
