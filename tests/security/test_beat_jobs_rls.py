"""Issue 20: every beat job, run as production runs it (row-level security
on, the plain application role: tests/rls.py ``as_application``), must find
and do its seeded work, not just return. A job that leaves the tenant scope
any way but ``operator_scope()`` sees no rows under RLS and "succeeds" with
nothing done: before issue 20 the notice-delivery sweep found 0 of 1 lost
deliveries this way (``with_scopes_disabled()``, which sets no RLS bypass).

Each job is run by its name in CELERY_BEAT_SCHEDULE, with no arguments, as
beat sends it; the work each dispatches (per-tenant tasks, outbox deliveries)
runs eagerly inside the same posture. ``SEEDED`` maps every scheduled task
to its test here, and a test fails when a scheduled job has none.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from accounts.models import AccountToken, LoginFailureCounter, UserSession
from bulletin.models import Article, Category
from idchange.models import IdChangeApplication
from inquiries.attachments import INQUIRY_ATTACHMENT
from inquiries.models import Inquiry, InquiryAttachment
from inquiries.services import add_customer_message
from mail.models import OutboxMessage
from notifications.models import Delivery, Notice, NoticeKind, Publication
from notifications.services import notices
from portal.celery import app
from tenants.scoping import operator_scope, tenant_scope
from tests.factories import ContractFactory
from tests.rls import as_application
from tests.security.test_row_level_security import app_role  # noqa: F401 - the fixture
from tests.uploads.samples import EVERYTHING, PDF, upload
from uploads.models import StoredFile
from uploads.services import store_file
from uploads.validation import check_upload
from web.models import CompletedSubmission

pytestmark = [pytest.mark.postgres, pytest.mark.django_db, pytest.mark.usefixtures("app_role")]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def run_beat_job(task_name: str, capture) -> object:
    """The job as beat sends it (its name, no arguments), as the application
    role under RLS; what it queues after commit runs inside too."""
    app.loader.import_default_modules()  # autodiscovery, as a worker does at start
    assert task_name in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    with as_application(), capture(execute=True):
        result = app.tasks[task_name].apply()
    assert result.successful(), f"{task_name}: {result.traceback}"
    return result.result


def _ago(**delta) -> object:
    return timezone.now() - timedelta(**delta)


def test_issue20_the_outbox_sweep_sends_a_lost_mail(tenant_a, alice, django_capture_on_commit_callbacks, mailoutbox):
    """MAIL-1: a row whose delivery task the broker lost is re-queued and sent."""
    lost = OutboxMessage.objects.create(
        tenant=tenant_a, template="t", to=[alice.email], subject="lost", body="b", from_email="f@example.com"
    )
    with operator_scope():
        OutboxMessage.objects.filter(pk=lost.pk).update(created_at=_ago(minutes=10))
    assert run_beat_job("notifications.tasks.sweep_outbox", django_capture_on_commit_callbacks) == 1
    with operator_scope():
        lost.refresh_from_db()
    assert lost.status == OutboxMessage.Status.SENT
    assert [m.subject for m in mailoutbox] == ["lost"]


def test_issue20_the_month_job_applies_a_due_change(services, settings, django_capture_on_commit_callbacks):
    """IDC-11: due applications of two tenants are applied."""
    from tests.idchange.conftest import WED_MAY_20
    from tests.idchange.test_job_batches import _due_in_new_tenants

    due = _due_in_new_tenants(services, WED_MAY_20, 2, "BJ")
    settings.IDCHANGE_NOW = WED_MAY_20  # the job's clock (idchange/clock.py)
    assert run_beat_job("idchange.tasks.apply_due_changes", django_capture_on_commit_callbacks) == 2
    with operator_scope():
        statuses = set(
            IdChangeApplication.objects.filter(pk__in=[a.pk for a in due]).values_list("status", flat=True)
        )
    assert statuses == {IdChangeApplication.Status.PROCESSING}


def test_issue20_the_security_purge_deletes_expired_rows(alice, bob, django_capture_on_commit_callbacks):
    """Finished tokens, stale failure counters and dead sessions go."""
    AccountToken.objects.create(
        user=alice,
        purpose=AccountToken.Purpose.values[0],
        token_hash="x" * 64,
        created_at=_ago(days=40),
        expires_at=_ago(days=33),
    )
    LoginFailureCounter.objects.create(user=bob, failures=3, window_started_at=_ago(days=2))
    session = UserSession.objects.create(user=alice, session_key="gone" + "0" * 36)
    UserSession.objects.filter(pk=session.pk).update(created_at=_ago(days=1))
    assert not SessionStore().exists(session.session_key)
    result = run_beat_job("accounts.tasks_auth.purge_stale_security_rows", django_capture_on_commit_callbacks)
    assert result == {"tokens": 1, "failure_counters": 1, "sessions": 1}
    assert not AccountToken.objects.exists()
    assert not LoginFailureCounter.objects.exists()
    assert not UserSession.objects.exists()


def test_issue20_the_upload_purge_removes_an_expired_staged_file(tenant_a, alice, media, django_capture_on_commit_callbacks):
    """A staged file (a 確認 never completed) older than a day goes, bytes too."""
    checked = check_upload(upload("下書き.pdf", PDF), policy=EVERYTHING)
    staged = store_file(tenant=tenant_a, upload=checked, policy=EVERYTHING, user=alice, staged=True)
    with operator_scope():
        StoredFile.objects.filter(pk=staged.pk).update(created_at=_ago(days=1, minutes=1))
    assert (media / staged.name).exists()
    assert run_beat_job("uploads.tasks.purge_staged_files", django_capture_on_commit_callbacks) == 1
    with operator_scope():
        assert not StoredFile.objects.filter(pk=staged.pk).exists()
    assert not (media / staged.name).exists()


def test_issue20_the_bulletin_sweep_mails_a_lost_fanout(tenant_a, alice, bob, django_capture_on_commit_callbacks, mailoutbox):
    """BBS-5 / MAIL-2: an article whose fan-out task was lost is mailed."""
    category = Category.objects.create(tenant=tenant_a, name="全社連絡")
    article = Article.objects.create(tenant=tenant_a, category=category, title="集会", body="本文", notify=True)
    with operator_scope():
        Article.objects.filter(pk=article.pk).update(created_at=_ago(minutes=10))
    assert run_beat_job("bulletin.tasks.resume_article_mails", django_capture_on_commit_callbacks) == 1
    with operator_scope():
        article.refresh_from_db()
        rows = list(OutboxMessage.objects.filter(template="bulletin_article"))
    assert article.mail_done_at is not None
    assert sorted(address for row in rows for address in row.to) == sorted([alice.email, bob.email])
    assert {row.status for row in rows} == {OutboxMessage.Status.SENT}
    assert sorted(address for m in mailoutbox for address in m.to) == sorted([alice.email, bob.email])


def test_issue20_the_notice_sweep_delivers_a_lost_delivery(tenant_a, alice, operator, django_capture_on_commit_callbacks, mailoutbox):
    """NOTIF-3: the issue's defect. A delivery whose fan-out task was lost is
    found across tenants (operator_scope sets the RLS bypass) and mailed."""
    notice = Notice.objects.create(kind=NoticeKind.NEWS, title="メンテナンスのお知らせ", body="本文")
    publication = notices.publish(notice=notice, revision=Publication.Revision.INITIAL, actor=operator)
    # Published, its after-commit dispatch never ran: the broker lost it.
    Publication.objects.filter(pk=publication.pk).update(published_at=_ago(minutes=20))
    assert run_beat_job("notifications.tasks.sweep_deliveries", django_capture_on_commit_callbacks) == 1
    with operator_scope():
        delivery = Delivery.objects.get(publication=publication, tenant=tenant_a)
        rows = list(OutboxMessage.objects.filter(template="notice"))
    assert delivery.status == Delivery.Status.DONE and delivery.mail_count == 1
    assert [row.to for row in rows] == [[alice.email]]
    assert [m.to for m in mailoutbox] == [[alice.email]]


def test_issue20_the_retention_job_purges_six_month_old_attachments(tenant_a, alice, services, media, django_capture_on_commit_callbacks):
    """INQ-7: attachments of an inquiry resolved more than 6 months ago go."""
    from inquiries.demo import ensure_trouble_forms

    ensure_trouble_forms()
    contract = ContractFactory(tenant=tenant_a, service=services["bpo_web"], number="A-bpo")
    inquiry = Inquiry.objects.create(
        tenant_id=tenant_a.pk,
        service=contract.service,
        subject="通信できない",
        answers=[],
        status=Inquiry.Status.RECEIVED,
        created_by=alice,
        contact_email=alice.email,
    )
    with tenant_scope(tenant_a):
        add_customer_message(
            inquiry=inquiry,
            user=alice,
            body="添付します",
            files=[check_upload(upload("報告書.pdf", PDF), policy=INQUIRY_ATTACHMENT)],
        )
        Inquiry.objects.filter(pk=inquiry.pk).update(status=Inquiry.Status.RESOLVED, resolved_at=_ago(days=200))
    assert run_beat_job("inquiries.tasks.purge_expired_attachments", django_capture_on_commit_callbacks) == 1
    with operator_scope():
        inquiry.refresh_from_db()
        assert not InquiryAttachment.objects.filter(tenant=tenant_a).exists()
    assert inquiry.attachments_purged_at is not None
    assert not any(media.rglob("*.pdf"))


def test_issue20_the_token_purge_forgets_tokens_that_can_no_longer_be_posted(alice, django_capture_on_commit_callbacks):
    """web.submission: 完了 tokens past their validity (plus a day) go; a
    token that can still be posted again stays, so its 完了-already page works."""
    old = CompletedSubmission.objects.create(nonce="old", user=alice, result_url="/x/")
    CompletedSubmission.objects.filter(pk=old.pk).update(created_at=_ago(days=3))
    CompletedSubmission.objects.create(nonce="fresh", user=alice, result_url="/y/")
    result = run_beat_job("web.tasks.purge_completed_submissions", django_capture_on_commit_callbacks)
    assert result == 1
    assert list(CompletedSubmission.objects.values_list("nonce", flat=True)) == ["fresh"]


SEEDED = {
    "notifications.tasks.sweep_outbox": test_issue20_the_outbox_sweep_sends_a_lost_mail,
    "idchange.tasks.apply_due_changes": test_issue20_the_month_job_applies_a_due_change,
    "accounts.tasks_auth.purge_stale_security_rows": test_issue20_the_security_purge_deletes_expired_rows,
    "uploads.tasks.purge_staged_files": test_issue20_the_upload_purge_removes_an_expired_staged_file,
    "bulletin.tasks.resume_article_mails": test_issue20_the_bulletin_sweep_mails_a_lost_fanout,
    "notifications.tasks.sweep_deliveries": test_issue20_the_notice_sweep_delivers_a_lost_delivery,
    "inquiries.tasks.purge_expired_attachments": test_issue20_the_retention_job_purges_six_month_old_attachments,
    "web.tasks.purge_completed_submissions": test_issue20_the_token_purge_forgets_tokens_that_can_no_longer_be_posted,
}


def test_issue20_every_beat_job_has_a_seeded_work_test():
    """A job added to CELERY_BEAT_SCHEDULE needs its find-and-do test here."""
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled == set(SEEDED)


