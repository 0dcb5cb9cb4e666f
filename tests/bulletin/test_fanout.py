"""BBS-5, MAIL-2: the notice mail of an article goes once to every
registered (有効) user of the tenant, in batches after commit, never twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from bulletin.models import Article
from bulletin.services import fanout
from bulletin.services.articles import create_article
from bulletin.tasks import resume_article_mails, send_article_mails
from tenants.scoping import operator_scope, tenant_scope
from tests.bulletin.conftest import audit, outbox
from tests.factories import UserFactory


def post(alice, category, *, notify=True) -> Article:
    with tenant_scope(alice.tenant):
        return create_article(
            tenant=alice.tenant, actor=alice, category=category, title="全社集会", body="10 時から。", notify=notify
        )


def recipients() -> list[str]:
    return sorted(m.to[0] for m in outbox())


def refreshed(article: Article) -> Article:
    with operator_scope():
        return Article.objects.get(pk=article.pk)


@pytest.fixture
def cast(tenant_a, alice, bob, charlie):
    """Registered users of A: alice, bob, carol (a notification address of
    her own). Not registered: suspended, pending, locked. Tenant B: charlie."""
    carol = UserFactory(tenant=tenant_a, email="carol@a.example.com", notification_email="carol.notice@a.example.com")
    for status in (User.Status.SUSPENDED, User.Status.PENDING, User.Status.LOCKED):
        UserFactory(tenant=tenant_a, status=status, email=f"{status}@a.example.com")
    return {"expected": sorted([alice.email, bob.email, "carol.notice@a.example.com"]), "carol": carol}


def test_bbs5_one_mail_per_registered_user_after_commit(alice, cast, news_a, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        article = post(alice, news_a)
        # Nothing is written before the article commits: the request never waits for the fan-out.
        assert outbox() == []
    assert outbox() == []
    for callback in callbacks:
        with django_capture_on_commit_callbacks(execute=True):
            callback()
    assert recipients() == cast["expected"]
    assert sorted(m.to[0] for m in mailoutbox) == cast["expected"]
    assert all(m.tenant_id == alice.tenant_id for m in outbox())
    article = refreshed(article)
    assert article.mail_done_at is not None and article.mail_count == 3
    assert audit("bulletin.article.mailed")[0].data == {"recipients": 3}


def test_bbs5_the_mail_links_to_the_article(alice, cast, news_a, django_capture_on_commit_callbacks, settings):
    """Issue 23: the mail linked to the board, not to the article it is about."""
    with django_capture_on_commit_callbacks(execute=True):
        article = post(alice, news_a)
    expected = settings.PORTAL_BASE_URL.rstrip("/") + reverse("bulletin:article", args=[article.pk])
    bodies = [m.body for m in outbox()]
    assert bodies and all(expected in body for body in bodies)


def test_bbs5_the_preview_says_the_number_comes_at_completion():
    _subject, body = fanout.preview_mail(tenant_name="A社", category_name="お知らせ", title="t", body="b")
    assert "/bulletin/articles/（記事番号）/" in body


def test_bbs5_notify_off_sends_nothing(alice, cast, news_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(alice, news_a, notify=False)
    assert outbox() == []


def test_bbs5_the_count_on_confirm_is_the_fanout_query(alice, cast, tenant_a):
    from bulletin.selectors import notice_recipients

    with tenant_scope(tenant_a):
        assert notice_recipients(tenant=tenant_a).count() == 3


def test_bbs5_run_twice_still_one_each(alice, cast, news_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article = post(alice, news_a)
    with django_capture_on_commit_callbacks(execute=True):
        send_article_mails.delay(article.pk, tenant_id=alice.tenant_id)
        send_article_mails.delay(article.pk, tenant_id=alice.tenant_id)
    assert recipients() == cast["expected"]
    assert len(audit("bulletin.article.mailed")) == 1


def test_bbs5_batches_chain_and_a_repeated_batch_skips_done_users(alice, tenant_a, cast, news_a, django_capture_on_commit_callbacks):
    for i in range(4):
        UserFactory(tenant=tenant_a, email=f"extra{i}@a.example.com")
    article = post(alice, news_a)  # callbacks not run: drive the batches by hand
    with tenant_scope(tenant_a), django_capture_on_commit_callbacks(execute=False) as queued:
        assert fanout.send_batch(article_id=article.pk, batch_size=3) == 3
    # After commit: the delivery of these 3 mails, and the next batch.
    assert len(queued) == 2
    assert refreshed(article).mail_done_at is None
    # The same batch delivered twice (a retried task) continues after the cursor.
    with tenant_scope(tenant_a):
        assert fanout.send_batch(article_id=article.pk, batch_size=3) == 3
        assert fanout.send_batch(article_id=article.pk, batch_size=3) == 1
        assert fanout.send_batch(article_id=article.pk, batch_size=3) == 0
    assert len(recipients()) == 7 and len(set(recipients())) == 7
    assert refreshed(article).mail_count == 7


def test_bbs5_query_count_is_independent_of_recipients(alice, tenant_a, news_a):
    counts = []
    for extra in (1, 40):
        UserFactory.create_batch(extra, tenant=tenant_a)
        article = post(alice, news_a)
        with tenant_scope(tenant_a), CaptureQueriesContext(connection) as ctx:
            sent = fanout.send_batch(article_id=article.pk)
        counts.append((sent, len(ctx.captured_queries)))
    assert counts[0][0] < counts[1][0]
    assert counts[0][1] == counts[1][1]


def test_bbs5_other_tenants_users_get_nothing(alice, charlie, cast, news_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article = post(alice, news_a)
    assert charlie.email not in recipients()
    with operator_scope():
        Article.objects.filter(pk=article.pk).update(mail_done_at=None, mail_cursor=0, mail_count=0)
    # A task run in tenant B's scope cannot reach tenant A's article.
    with django_capture_on_commit_callbacks(execute=True):
        assert send_article_mails.delay(article.pk, tenant_id=charlie.tenant_id).get() == 0
    assert len(outbox()) == 3


def test_bbs5_deleted_article_mails_nobody(alice, cast, news_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        article = post(alice, news_a)
    with operator_scope():
        Article.objects.filter(pk=article.pk).delete()
    for callback in callbacks:
        callback()
    assert outbox() == []


def test_mail2_sweep_resumes_a_lost_fanout(alice, cast, news_a, django_capture_on_commit_callbacks):
    article = post(alice, news_a)  # the task was never queued (broker down)
    with django_capture_on_commit_callbacks(execute=True):
        assert resume_article_mails.delay().get() == 0  # too recent: maybe still running
    with operator_scope():
        Article.objects.filter(pk=article.pk).update(created_at=timezone.now() - timedelta(minutes=6))
    with django_capture_on_commit_callbacks(execute=True):
        assert resume_article_mails.delay().get() == 1
    assert recipients() == cast["expected"]
    with django_capture_on_commit_callbacks(execute=True):
        assert resume_article_mails.delay().get() == 0
    assert len(outbox()) == 3


@pytest.mark.postgres
def test_mail2_concurrent_batches_never_mail_twice(transactional_db, tenant_a, alice, news_a):
    """Two workers running the same article at once: the row lock makes the
    second wait and continue after the first one's cursor."""
    import threading

    UserFactory.create_batch(30, tenant=tenant_a)
    # Created directly: with real commits the eager task would run at once.
    article = Article.objects.create(tenant=tenant_a, category=news_a, title="集会", body="本文", notify=True)
    barrier = threading.Barrier(2)
    results: list[int] = []

    def worker() -> None:
        try:
            barrier.wait()
            with tenant_scope(tenant_a):
                results.append(fanout.send_batch(article_id=article.pk, batch_size=20))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Whichever order the lock gave (the first batch may also have chained the
    # rest itself after commit), every user has exactly one mail.
    assert 20 in results and sum(results) <= 31
    assert len(recipients()) == 31 and len(set(recipients())) == 31
    assert refreshed(article).mail_count == 31
