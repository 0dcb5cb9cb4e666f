"""The notice mail of an article to every registered user (BBS-5, MAIL-2).

The request only commits the article; after commit a TenantTask walks the
recipients in id order, one batch per transaction: lock the article, read
the next users after ``mail_cursor``, write their outbox rows through
``send_mails`` and move the cursor, all in one commit. A batch that runs
twice (a retried task, the sweep, a duplicate delivery of the task) waits
for the lock and then finds its users behind the cursor: nobody is mailed
twice. Each batch is a fixed number of statements whatever its size.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from audit.services import record
from bulletin.models import Article
from bulletin.selectors import notice_recipients
from mail.links import absolute_url
from mail.queue import enqueue, enqueue_on_commit
from mail.services import Mail, render_mail, send_mails
from tenants.scoping import operator_scope

MAIL_TEMPLATE = "bulletin_article"
BATCH_SIZE = 1000
# The sweep picks up a fan-out whose task was lost (broker down, worker
# killed) once it has been unfinished this long.
RESUME_AFTER = timedelta(minutes=5)


# The 確認 page's preview is written before the article has a number.
ARTICLE_NUMBER_PLACEHOLDER = "（記事番号）"


def mail_context(
    *, tenant_name: str, category_name: str, title: str, body: str, article_id: int | None = None
) -> dict[str, Any]:
    """The mail links to the article itself (issue 23: it linked to the
    board), so a recipient lands on what the mail is about after login."""
    if article_id:
        path = reverse("bulletin:article", args=[article_id])
    else:  # the 確認 preview: the number comes at 完了
        path = reverse("bulletin:article", args=[0]).replace("/0/", f"/{ARTICLE_NUMBER_PLACEHOLDER}/")
    return {
        "tenant_name": tenant_name,
        "category_name": category_name,
        "title": title,
        "body": body,
        "article_url": absolute_url(path),
    }


def preview_mail(*, tenant_name: str, category_name: str, title: str, body: str) -> tuple[str, str]:
    """(subject, body) as each recipient will get it (the 確認 page), the
    article's number in its link still to be given."""
    subject, text, _html = render_mail(
        MAIL_TEMPLATE, mail_context(tenant_name=tenant_name, category_name=category_name, title=title, body=body)
    )
    return subject, text


def _task() -> Any:
    # bulletin.tasks imports this module: the task is looked up when queued.
    from bulletin.tasks import send_article_mails

    return send_article_mails


def queue_fanout(*, article: Article) -> None:
    """Start the fan-out once the caller's transaction commits (a broker that
    is down leaves it to the sweep, ``resume_unfinished``)."""
    enqueue_on_commit(_task(), article.pk, tenant_id=article.tenant_id)


@transaction.atomic
def send_batch(*, article_id: int, batch_size: int = BATCH_SIZE) -> int:
    """Mail the next ``batch_size`` recipients of one article (inside its
    tenant's scope). Returns how many were mailed; queues the next batch
    after commit while recipients remain."""
    article = (
        Article.objects.select_for_update(of=("self",))
        .select_related("tenant", "category")
        .filter(pk=article_id, notify=True, mail_done_at__isnull=True)
        .first()
    )
    if article is None:  # deleted, or already done
        return 0
    users = list(
        notice_recipients(tenant=article.tenant)
        .filter(pk__gt=article.mail_cursor)
        .only("pk", "email", "notification_email")[:batch_size]
    )
    context = mail_context(
        tenant_name=article.tenant.name,
        category_name=article.category.name,
        title=article.title,
        body=article.body,
        article_id=article.pk,
    )
    if users:
        send_mails(
            template=MAIL_TEMPLATE,
            mails=(Mail(to=user.mail_to, context=context) for user in users),
            tenant=article.tenant_id,
        )
    more = len(users) == batch_size
    done_at = None if more else timezone.now()
    Article.objects.filter(pk=article.pk).update(
        mail_cursor=users[-1].pk if users else article.mail_cursor,
        mail_count=F("mail_count") + len(users),
        mail_done_at=done_at,
    )
    if more:
        enqueue_on_commit(_task(), article.pk, tenant_id=article.tenant_id)
    else:
        record(
            action="bulletin.article.mailed",
            target=article,
            tenant=article.tenant_id,
            data={"recipients": article.mail_count + len(users)},
        )
    return len(users)


def unfinished_fanouts(*, now: datetime) -> list[tuple[int, int]]:
    """(article id, tenant id) of fan-outs left unfinished for a while: a
    platform read across tenants, for the sweep."""
    with operator_scope():
        return list(
            Article.objects.filter(notify=True, mail_done_at__isnull=True, created_at__lt=now - RESUME_AFTER)
            .order_by("created_at")
            .values_list("pk", "tenant_id")[:500]
        )


def resume_unfinished(*, now: datetime) -> int:
    found = unfinished_fanouts(now=now)
    for article_id, tenant_id in found:
        enqueue(_task(), article_id, tenant_id=tenant_id)
    return len(found)
