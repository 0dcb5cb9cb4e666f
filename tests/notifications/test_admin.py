"""NOTIF-3 and HOME-4 in Django admin: operators write notices, see the reach
and the mail before 公開, publish once; manuals are links or PDFs checked by
the shared upload module's content checks."""

from __future__ import annotations

from http import HTTPStatus

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mail.models import OutboxMessage
from notifications import prefectures as prefs
from notifications.models import Notice, NoticeKind, Publication, ServiceManual
from tenants.scoping import operator_scope
from tests.notifications.conftest import TOKYO
from tests.uploads.samples import PDF


def publish_url(notice: Notice) -> str:
    return reverse("admin:notifications_notice_publish", args=[notice.pk])


def mails() -> list[OutboxMessage]:
    with operator_scope():
        return list(OutboxMessage.objects.filter(template="notice"))


def test_notif3_operator_writes_a_notice_with_prefecture_boxes(operator_client, ether):
    response = operator_client.post(
        reverse("admin:notifications_notice_add"),
        {
            "kind": NoticeKind.OUTAGE,
            "title": "東京都で回線障害",
            "body": "復旧作業中です。",
            "service": ether.pk,
            "affected": ["13"],
            "publications-TOTAL_FORMS": "0",
            "publications-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == HTTPStatus.FOUND, response.context["adminform"].form.errors
    notice = Notice.objects.get()
    assert notice.prefectures == TOKYO and notice.service == ether


def test_notif3_outage_without_service_or_area_is_refused(operator_client):
    response = operator_client.post(
        reverse("admin:notifications_notice_add"),
        {"kind": NoticeKind.OUTAGE, "title": "t", "body": "b", "publications-TOTAL_FORMS": "0", "publications-INITIAL_FORMS": "0"},
    )
    assert response.status_code == HTTPStatus.OK
    text = response.text
    assert "サービスを選択してください" in text and "都道府県を 1 つ以上選択してください" in text
    assert not Notice.objects.exists()


def test_notif3_publish_page_shows_reach_and_mail_then_publishes_once(
    operator_client, ether_a, alice, bob, make_notice, django_capture_on_commit_callbacks
):
    notice = make_notice(NoticeKind.OUTAGE, TOKYO, title="回線障害")
    page = operator_client.get(publish_url(notice))
    assert page.status_code == HTTPStatus.OK
    assert "対象テナント 1 社、送信対象ユーザ 2 名" in page.text
    assert "【障害情報】イーサエコノミー 回線障害" in page.text and "影響エリア：東京都" in page.text
    form = {"revision": "initial", "sequence": "1"}
    with django_capture_on_commit_callbacks(execute=True):
        done = operator_client.post(publish_url(notice), form)
    assert done.status_code == HTTPStatus.FOUND
    assert len(mails()) == 2
    again = operator_client.post(publish_url(notice), form, follow=True)  # the double click
    assert "この操作は現在できません。" in again.text or "既に公開されています" in again.text
    assert len(mails()) == 2
    page = operator_client.get(publish_url(notice))
    assert "【障害情報】【訂正】" in page.text and "【障害情報】【復旧】" in page.text


def test_notif3_publish_page_is_operators_only(client, alice_client, make_notice, db):
    notice = make_notice(NoticeKind.NEWS)
    assert client.get(publish_url(notice)).status_code == HTTPStatus.FOUND  # to the admin login
    assert alice_client.get(publish_url(notice)).status_code == HTTPStatus.FOUND
    assert alice_client.post(publish_url(notice), {"revision": "initial", "sequence": "1"}).status_code == HTTPStatus.FOUND
    assert not Publication.objects.exists()


def test_notif3_change_page_has_the_publish_button(operator_client, make_notice, db):
    notice = make_notice(NoticeKind.NEWS)
    response = operator_client.get(reverse("admin:notifications_notice_change", args=[notice.pk]))
    assert publish_url(notice) in response.text and "公開・訂正・復旧" in response.text
    assert notice.prefectures == prefs.NATIONWIDE


def test_home4_manual_file_must_be_a_pdf(operator_client, ether, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    url = reverse("admin:notifications_servicemanual_add")
    fake = SimpleUploadedFile("guide.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = operator_client.post(url, {"service": ether.pk, "title": "偽物", "file": fake, "display_order": 0})
    assert response.status_code == HTTPStatus.OK and "ファイルの内容が拡張子（.pdf）と一致しません" in response.text
    word = SimpleUploadedFile("guide.docx", b"PK\x03\x04 not a manual", content_type="application/pdf")
    response = operator_client.post(url, {"service": ether.pk, "title": "Word", "file": word, "display_order": 0})
    assert "ファイルの形式が許可されていません（許可: PDF）" in response.text
    empty = operator_client.post(url, {"service": ether.pk, "title": "空", "display_order": 0})
    assert "URL か PDF ファイルのどちらかを指定してください。" in empty.text
    real = SimpleUploadedFile("guide.pdf", PDF, content_type="application/pdf")
    ok = operator_client.post(url, {"service": ether.pk, "title": "本物", "file": real, "display_order": 0})
    assert ok.status_code == HTTPStatus.FOUND
    assert ServiceManual.objects.get().title == "本物"


def test_notif3_the_notice_form_is_japanese_with_prefectures_by_region(operator_client, db):
    """Issue 23: the form showed Django 6.1's 「- Select an option -」 and the
    47 prefectures in one column; now Japanese, grouped by region in columns."""
    response = operator_client.get(reverse("admin:notifications_notice_add"))
    body = response.text
    assert "Select an option" not in body
    assert "- 選択してください -" in body
    affected = body[body.index('id="id_affected"') :]
    for region in prefs.REGIONS:
        assert f"<label>{region.label}</label>" in affected
    assert affected.index("<label>関東</label>") < affected.index("東京都") < affected.index("<label>中部</label>")
    assert "css/admin_notices.css" in body
