"""Retention (INQ-7): attachments go 6 months after the inquiry was resolved,
by a daily beat job that is batched and idempotent, each deletion an audit
entry; the detail page states the date. The clock is controlled with
freezegun."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from freezegun import freeze_time

from audit.models import AuditEntry
from inquiries import purge, tasks
from inquiries.attachments import INQUIRY_ATTACHMENT
from inquiries.models import Inquiry, InquiryAttachment
from inquiries.retention import attachments_expire_at, is_expired
from inquiries.services import add_customer_message, resolve_inquiry
from tenants.scoping import operator_scope, tenant_scope
from tests.uploads.samples import PDF, upload
from uploads.models import StoredFile
from uploads.validation import check_upload

JST = ZoneInfo("Asia/Tokyo")
RESOLVED = datetime(2026, 8, 31, 10, 0, tzinfo=JST)
DUE = datetime(2027, 2, 28, 10, 0, tzinfo=JST)  # 8/31 + 6 months clamps to 2/28


def test_inq7_the_date_rule():
    assert attachments_expire_at(RESOLVED) == DUE
    assert attachments_expire_at(datetime(2026, 1, 15, 9, 0, tzinfo=JST)) == datetime(2026, 7, 15, 9, 0, tzinfo=JST)
    assert attachments_expire_at(datetime(2027, 8, 31, 0, 0, tzinfo=JST)) == datetime(2028, 2, 29, 0, 0, tzinfo=JST)
    # Counted on the Japanese calendar: 2026-02-28 20:00 UTC is 3/1 in Tokyo.
    assert attachments_expire_at(datetime(2026, 2, 28, 20, 0, tzinfo=ZoneInfo("UTC"))).date().isoformat() == "2026-09-01"
    assert not is_expired(RESOLVED, DUE - timedelta(seconds=1))
    assert is_expired(RESOLVED, DUE)


def _with_files(inquiry, user, names=("報告書.pdf", "ログ.pdf")):
    with tenant_scope(user.tenant_id):
        add_customer_message(
            inquiry=inquiry, user=user, body="添付します",
            files=[check_upload(upload(n, PDF), policy=INQUIRY_ATTACHMENT) for n in names],
        )


def _resolve(inquiry, user, at):
    with freeze_time(at), tenant_scope(user.tenant_id):
        resolve_inquiry(inquiry=inquiry, user=user)


def _run(at) -> int:
    with freeze_time(at):
        return tasks.purge_expired_attachments.delay().get()


def _stored_count() -> int:
    with operator_scope():
        return StoredFile.objects.count()


def test_inq7_not_before_six_months_then_deleted_with_audit_entries(bob, make_inquiry, media, django_capture_on_commit_callbacks):
    inquiry = make_inquiry(user=bob)
    _with_files(inquiry, bob)
    _resolve(inquiry, bob, RESOLVED)
    _run(DUE - timedelta(seconds=1))
    assert _stored_count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert _run(DUE) == 1  # one tenant dispatched
    assert _stored_count() == 0
    assert not any(media.rglob("*.pdf"))  # the bytes are gone too
    with operator_scope():
        assert not InquiryAttachment.objects.exists()
        entries = list(AuditEntry.objects.filter(action="inquiries.attachment.deleted"))
        inquiry = Inquiry.objects.get(pk=inquiry.pk)
        assert inquiry.messages.count() == 1  # the thread stays; only files go
    assert len(entries) == 2
    assert {e.data["name"] for e in entries} == {"報告書.pdf", "ログ.pdf"}
    assert all(e.tenant_id == bob.tenant_id and e.data["inquiry"] == inquiry.pk for e in entries)
    assert inquiry.attachments_purged_at is not None


def test_inq7_rerun_is_idempotent(bob, make_inquiry):
    inquiry = make_inquiry(user=bob)
    _with_files(inquiry, bob)
    _resolve(inquiry, bob, RESOLVED)
    _run(DUE)
    assert _run(DUE) == 0
    with operator_scope():
        assert AuditEntry.objects.filter(action="inquiries.attachment.deleted").count() == 2


def test_inq7_unresolved_and_recent_inquiries_keep_their_files(bob, alice, make_inquiry):
    open_one = make_inquiry(user=bob, subject="未解決")
    _with_files(open_one, bob, ("a.pdf",))
    recent = make_inquiry(user=alice, subject="最近解決")
    _with_files(recent, alice, ("b.pdf",))
    _resolve(recent, alice, datetime(2026, 12, 1, tzinfo=JST))
    _run(DUE)
    assert _stored_count() == 2


def test_inq7_batched_per_tenant(bob, charlie, make_inquiry, contracts_trouble_b, monkeypatch):
    monkeypatch.setattr(purge, "BATCH", 2)
    for i in range(5):
        inquiry = make_inquiry(user=bob, subject=f"A{i}")
        _with_files(inquiry, bob, (f"a{i}.pdf",))
        _resolve(inquiry, bob, RESOLVED)
    theirs = make_inquiry(user=charlie, service=contracts_trouble_b["bpo_web"].service)
    _with_files(theirs, charlie, ("c.pdf",))
    _resolve(theirs, charlie, RESOLVED)
    assert _run(DUE) == 2
    assert _stored_count() == 0
    with operator_scope():
        assert AuditEntry.objects.filter(action="inquiries.attachment.deleted", tenant_id=charlie.tenant_id).count() == 1


def test_inq7_the_detail_page_states_the_date_then_the_deletion(bob_client, bob, make_inquiry):
    inquiry = make_inquiry(user=bob)
    _with_files(inquiry, bob, ("報告書.pdf",))
    _resolve(inquiry, bob, RESOLVED)
    url = reverse("inquiries:detail", args=[inquiry.pk])
    page = bob_client.get(url).text
    assert "添付ファイルは 2027/02/28 に削除されます" in page
    assert "報告書.pdf" in page
    _run(DUE)
    page = bob_client.get(url).text
    assert "保存期間（解決済みから 6 か月）を過ぎたため削除されました" in page
    assert "報告書.pdf" not in page


def test_inq7_the_job_is_scheduled_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["purge-expired-inquiry-attachments"]
    assert entry["task"] == "inquiries.tasks.purge_expired_attachments"
    assert entry["schedule"].hour == {3}
