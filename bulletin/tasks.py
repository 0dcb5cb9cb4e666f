"""Celery entry points of the board: thin, pks only."""

from __future__ import annotations

from celery import shared_task

from tenants.tasks import TenantTask


@shared_task(base=TenantTask, acks_late=True)
def send_article_mails(article_id: int, *, tenant_id: int) -> int:
    """One batch of an article's notice mail; queues the next itself."""
    from bulletin.services.fanout import send_batch

    return send_batch(article_id=article_id)


@shared_task
def resume_article_mails() -> int:
    """Beat: restart fan-outs whose task was lost. Safe to overlap with a
    running one: each batch locks the article and continues from its cursor."""
    from django.utils import timezone

    from bulletin.services.fanout import resume_unfinished

    return resume_unfinished(now=timezone.now())
