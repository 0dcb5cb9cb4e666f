"""Attachments of inquiries (INQ-2, INQ-4, INQ-8): the kinds the manual lists,
in either case, checked by content by the upload module; 3 MB each; several
per message; downloads for who may see the inquiry and for operators, 404 for
anyone else."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils.datastructures import MultiValueDict

from inquiries.attachments import INQUIRY_ATTACHMENT
from inquiries.forms import AttachmentsForm
from inquiries.models import Inquiry, InquiryAttachment
from inquiries.services import InquiryError, add_customer_message, submit_inquiry
from tenants.scoping import operator_scope, tenant_scope
from tests.factories import UserFactory
from tests.inquiries.test_trouble_form import valid_data
from tests.uploads.samples import PDF, image_bytes, ole_bytes, ooxml_bytes, pdf_bytes, upload
from tests.web import flow
from uploads.models import StoredFile
from uploads.policies import MB
from uploads.validation import check_upload

ACCEPTED = {
    "障害報告.pdf": PDF,
    "障害報告.PDF": PDF,
    "画面.png": image_bytes("PNG"),
    "画面.PNG": image_bytes("PNG"),
    "写真.jpeg": image_bytes("JPEG"),
    "写真.jpg": image_bytes("JPEG"),
    "写真.JPEG": image_bytes("JPEG"),
    "写真.JPG": image_bytes("JPEG"),
    "アニメ.gif": image_bytes("GIF"),
    "アニメ.GIF": image_bytes("GIF"),
    "スキャン.bmp": image_bytes("BMP"),
    "スキャン.BMP": image_bytes("BMP"),
    "ログ.txt": b"2026-05-20 09:30 link down\n",
    "ログ.TXT": "通信断\n".encode("cp932"),
    "一覧.csv": "拠点,回線\n本社,EE-1\n".encode(),
    "一覧.CSV": "拠点,回線\n本社,EE-1\n".encode("cp932"),
    "集計.xlsx": ooxml_bytes("xlsx"),
    "集計.XLSX": ooxml_bytes("xlsx"),
}

REFUSED = {
    "報告.docx": ooxml_bytes("docx"),  # a kind the manual does not list
    "報告.doc": ole_bytes("WordDocument"),
    "集計.xls": ole_bytes("Workbook"),
    "資料.pptx": ooxml_bytes("pptx"),
    "画面.png": image_bytes("JPEG"),  # a JPEG behind a .png name
    "集計.xlsx": ooxml_bytes("docx"),  # a Word file named .xlsx
    "報告.pdf": image_bytes("PNG"),
    "ログ.txt": b"<html><script>alert(1)</script></html>",
    "ページ.html": b"<html></html>",
    "図.svg": b'<svg xmlns="http://www.w3.org/2000/svg"></svg>',
    "実行.exe": b"MZ\x90\x00" + b"\x00" * 60,
}


def _form(*files) -> AttachmentsForm:
    return AttachmentsForm(data={}, files=MultiValueDict({"files": list(files)}))


@pytest.mark.parametrize("name", ACCEPTED)
def test_inq2_every_listed_kind_is_accepted_by_content_in_either_case(name):
    form = _form(upload(name, ACCEPTED[name]))
    assert form.is_valid(), form.errors
    assert len(form.cleaned_data["files"]) == 1


@pytest.mark.parametrize("name", REFUSED)
def test_inq2_other_kinds_and_disguised_content_are_refused(name):
    form = _form(upload(name, REFUSED[name]))
    assert not form.is_valid()
    assert name in form.errors["files"][0]  # the message names the file


def test_inq2_three_megabytes_exactly_is_accepted_one_byte_more_is_refused():
    exact = b"a" * (3 * MB)
    form = _form(upload("ちょうど.txt", exact))
    assert form.is_valid(), form.errors
    pdf = pdf_bytes(pad_to=3 * MB)  # well-formed (pypdf parses it, issue 21), padded with a comment
    assert len(pdf) == 3 * MB
    form = _form(upload("ちょうど.pdf", pdf))
    assert form.is_valid(), form.errors
    over = _form(upload("超過.txt", exact + b"a"))
    assert not over.is_valid()
    assert "3 MB" in over.errors["files"][0]


def test_inq2_several_files_per_message():
    files = [upload(n, ACCEPTED[n]) for n in ("障害報告.pdf", "画面.png", "一覧.csv")]
    form = _form(*files)
    assert form.is_valid(), form.errors
    assert [f.original_name for f in form.cleaned_data["files"]] == ["障害報告.pdf", "画面.png", "一覧.csv"]


def test_inq2_the_policy_is_the_manuals():
    assert INQUIRY_ATTACHMENT.max_bytes == 3 * MB
    assert INQUIRY_ATTACHMENT.kinds_label() == "PDF, XLSX, TXT, CSV, JPEG, PNG, GIF, BMP"


# --- through the screens ------------------------------------------------------------------


def _file_inquiry(bob_client, ether, *names):
    url = reverse("inquiries:trouble_form", args=["ether_economy"])
    files = [upload(n, ACCEPTED[n]) for n in names]
    confirm = bob_client.post(url, {**valid_data(ether), "files": files})
    assert confirm.status_code == HTTPStatus.OK, confirm.context and confirm.context["files_form"].errors
    done = flow.complete(bob_client, url, confirm)
    assert done.status_code == HTTPStatus.FOUND
    with operator_scope():
        return Inquiry.objects.latest("pk"), confirm


def test_inq2_files_are_staged_at_confirm_and_attached_at_complete(bob_client, ether, contracts_trouble_a):
    inquiry, confirm = _file_inquiry(bob_client, ether, "画面.png", "一覧.csv")
    assert "画面.png" in confirm.text and "一覧.csv" in confirm.text
    with operator_scope():
        rows = list(InquiryAttachment.objects.filter(inquiry=inquiry, message__isnull=True).select_related("file"))
    assert sorted(r.file.original_name for r in rows) == ["一覧.csv", "画面.png"]
    assert all(r.file.attached and r.file.purpose == "inquiries.attachment" for r in rows)
    detail = bob_client.get(reverse("inquiries:detail", args=[inquiry.pk])).text
    assert "画面.png" in detail and reverse("uploads:download", args=[rows[0].file.key]) in detail


def test_inq2_a_refused_file_keeps_the_input_and_stages_nothing(bob_client, ether, contracts_trouble_a):
    url = reverse("inquiries:trouble_form", args=["ether_economy"])
    response = bob_client.post(url, {**valid_data(ether), "files": [upload("報告.docx", REFUSED["報告.docx"])]})
    assert response.status_code == HTTPStatus.OK
    assert "報告.docx" in response.text and "許可されていません" in response.text
    assert 'value="本社で通信できない"' in response.text
    with operator_scope():
        assert not StoredFile.objects.exists()


def test_inq2_someone_elses_staged_key_is_refused(bob, alice, ether, contracts_trouble_a):
    from uploads.services import store_file

    with tenant_scope(alice.tenant_id):
        theirs = store_file(
            tenant=alice.tenant, upload=check_upload(upload("画面.png", ACCEPTED["画面.png"]), policy=INQUIRY_ATTACHMENT),
            policy=INQUIRY_ATTACHMENT, user=alice, staged=True,
        )
        with pytest.raises(InquiryError):
            submit_inquiry(
                tenant=bob.tenant, user=bob, service=ether, subject="x", contact_email="x@a.example.com",
                answers=[], staged_files=[str(theirs.key)],
            )
    with operator_scope():
        assert not Inquiry.objects.exists()
        assert not StoredFile.objects.get(pk=theirs.pk).attached


def test_inq4_a_message_with_attachments(bob_client, bob, make_inquiry):
    inquiry = make_inquiry(user=bob, status=Inquiry.Status.ANSWERED)
    files = [upload("追加ログ.txt", ACCEPTED["ログ.txt"]), upload("画面.PNG", ACCEPTED["画面.PNG"])]
    response = bob_client.post(reverse("inquiries:send_message", args=[inquiry.pk]), {"body": "ログです", "files": files})
    assert response.status_code == HTTPStatus.FOUND
    with operator_scope():
        rows = list(InquiryAttachment.objects.filter(inquiry=inquiry).select_related("message", "file"))
    assert len(rows) == 2 and all(r.message.body == "ログです" for r in rows)
    detail = bob_client.get(response.url).text
    assert "追加ログ.txt" in detail and "画面.PNG" in detail


def test_inq4_a_refused_attachment_sends_nothing(bob_client, bob, make_inquiry):
    inquiry = make_inquiry(user=bob, status=Inquiry.Status.ANSWERED)
    response = bob_client.post(
        reverse("inquiries:send_message", args=[inquiry.pk]),
        {"body": "ログです", "files": [upload("実行.exe", REFUSED["実行.exe"])]},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "実行.exe" in response.text and "ログです" in response.text
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.ANSWERED
    with operator_scope():
        assert not inquiry.messages.exists() and not StoredFile.objects.exists()


def test_inq8_staff_answer_with_an_attachment(staff_client, bob, make_inquiry):
    inquiry = make_inquiry(user=bob)
    response = staff_client.post(
        reverse("inquiries_staff:detail", args=[inquiry.pk]),
        {"body": "手順書を添付します", "files": [upload("手順書.pdf", PDF)]},
    )
    assert response.status_code == HTTPStatus.FOUND
    with operator_scope():
        row = InquiryAttachment.objects.select_related("file", "message").get(inquiry=inquiry)
    assert row.message.from_staff and row.file.tenant_id == bob.tenant_id
    assert row.file.original_name == "手順書.pdf"


# --- downloads: who sees the inquiry, and operators ---------------------------------------------


@pytest.fixture
def bobs_file(bob, make_inquiry):
    inquiry = make_inquiry(user=bob)
    with tenant_scope(bob.tenant_id):
        add_customer_message(
            inquiry=inquiry, user=bob, body="ログ",
            files=[check_upload(upload("ログ.txt", ACCEPTED["ログ.txt"]), policy=INQUIRY_ATTACHMENT)],
        )
        return InquiryAttachment.objects.select_related("file").get(inquiry=inquiry).file


def test_inq4_the_filer_and_the_admin_may_download(bob_client, alice_client, bobs_file):
    url = reverse("uploads:download", args=[bobs_file.key])
    for c in (bob_client, alice_client):
        response = c.get(url)
        assert response.status_code == HTTPStatus.OK
        assert b"".join(response.streaming_content) == ACCEPTED["ログ.txt"]
        assert "attachment;" in response["Content-Disposition"]


def test_inq8_operators_may_download(staff_client, bobs_file):
    assert staff_client.get(reverse("uploads:download", args=[bobs_file.key])).status_code == HTTPStatus.OK


def test_inq4_another_user_of_the_tenant_may_not(bob, bobs_file, client):
    other = UserFactory(tenant=bob.tenant)
    client.force_login(other)
    assert client.get(reverse("uploads:download", args=[bobs_file.key])).status_code == HTTPStatus.NOT_FOUND


def test_inq4_another_tenant_gets_404(charlie_client, bobs_file):
    assert charlie_client.get(reverse("uploads:download", args=[bobs_file.key])).status_code == HTTPStatus.NOT_FOUND


def test_inq4_download_requires_login(client, bobs_file):
    response = client.get(reverse("uploads:download", args=[bobs_file.key]))
    assert response.status_code == HTTPStatus.FOUND


def test_inq2_a_staged_file_only_for_its_uploader(bob_client, alice_client, ether, contracts_trouble_a):
    url = reverse("inquiries:trouble_form", args=["ether_economy"])
    confirm = bob_client.post(url, {**valid_data(ether), "files": [upload("画面.png", ACCEPTED["画面.png"])]})
    staged = reverse("uploads:download", args=[confirm.context["staged"][0].key])
    assert bob_client.get(staged).status_code == HTTPStatus.OK
    assert alice_client.get(staged).status_code == HTTPStatus.NOT_FOUND
