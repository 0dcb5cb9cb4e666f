"""Operator notices and news (NOTIF-3): 公開 / 訂正 / 復旧 and the fan-out.

``publish`` snapshots the notice into a Publication and writes one Delivery
row per reached tenant (the set the preview counted, in one SELECT), all in
one transaction with its audit entry; after commit one TenantTask per tenant
mails that tenant's users. ``deliver`` claims its row with a conditional
UPDATE inside the transaction that writes the mail, so publishing twice, a
retried task or two workers running the same delivery mail nobody twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import record
from mail.dates import format_short
from mail.links import absolute_url
from mail.queue import enqueue
from mail.services import Mail, render_mail, send_mails
from notifications import selectors
from notifications.models import Delivery, Notice, NoticeKind, Publication
from tenants.scoping import operator_scope

MAIL_TEMPLATE = "notice"
USERS_PER_BATCH = 2000  # users read and mailed per send_mails call
# A delivery still pending after this was never run (the broker lost it).
STUCK_AFTER = timedelta(minutes=10)


class PublicationError(Exception):
    pass


def mail_context(publication: Publication | Notice, *, revision: str = Publication.Revision.INITIAL) -> dict[str, Any]:
    """The context of the notice mail, shared by the preview and the fan-out."""
    if isinstance(publication, Notice):  # the preview of a publication not made yet
        notice = publication
        publication = Publication(
            notice=notice,
            revision=revision,
            kind=notice.kind,
            service=notice.service,
            prefectures=notice.prefectures,
            title=notice.title,
            body=notice.body,
            starts_at=notice.starts_at,
            ends_at=notice.ends_at,
        )
    period = ""
    if publication.starts_at or publication.ends_at:
        period = f"{format_short(publication.starts_at)}〜{format_short(publication.ends_at)}"
    is_news = publication.kind == NoticeKind.NEWS
    return {
        "publication": publication,
        "kind_label": NoticeKind(publication.kind).label,
        "service_name": "" if is_news or publication.service is None else publication.service.name,
        "area_label": "" if is_news else publication.area_label,
        "period": period,
        "information_url": absolute_url(reverse("notifications:information")),
        "login_url": absolute_url(reverse("accounts:login")),
        "sender": settings.DEFAULT_FROM_EMAIL,
    }


def preview_mail(*, notice: Notice, revision: str) -> tuple[str, str]:
    """(subject, body) exactly as the fan-out will render them."""
    subject, body, _html = render_mail(MAIL_TEMPLATE, mail_context(notice, revision=revision))
    return subject, body


def next_revisions(notice: Notice) -> list[str]:
    """What the operator may do next: 公開 first, then 訂正 any number of
    times and 復旧 once (outages and maintenance only)."""
    done = set(notice.publications.values_list("revision", flat=True))
    if Publication.Revision.INITIAL not in done:
        return [Publication.Revision.INITIAL]
    allowed = [Publication.Revision.CORRECTION]
    if notice.kind != NoticeKind.NEWS and Publication.Revision.RECOVERY not in done:
        allowed.append(Publication.Revision.RECOVERY)
    return allowed


def publish(
    *, notice: Notice, revision: str, actor: User | None, sequence: int | None = None, now: datetime | None = None
) -> Publication:
    """Publish the notice as it now reads; returns the new Publication.

    ``sequence`` is the version the operator previewed: if someone published
    in between (a double click, a second operator), this raises instead of
    mailing the same thing twice."""
    try:
        with transaction.atomic():
            return _publish(notice=notice, revision=revision, actor=actor, sequence=sequence, now=now)
    except IntegrityError as exc:  # the unique constraints caught a race the lock did not
        raise PublicationError(_("このお知らせは既に公開されています。")) from exc


def _publish(*, notice: Notice, revision: str, actor: User | None, sequence: int | None, now: datetime | None) -> Publication:
    # Serialize publications of one notice: the second of two concurrent
    # 公開 waits here, then sees the first and refuses.
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    published = notice.publications.count()
    if sequence is not None and sequence != published + 1:
        raise PublicationError(_("このお知らせは既に公開されています。"))
    if revision not in next_revisions(notice):
        if revision == Publication.Revision.INITIAL:
            raise PublicationError(_("このお知らせは既に公開されています。"))
        raise PublicationError(_("この操作は現在できません。"))
    audience = selectors.Audience.of(notice)
    publication = Publication.objects.create(
        notice=notice,
        sequence=published + 1,
        revision=revision,
        kind=notice.kind,
        service=notice.service,
        prefectures=notice.prefectures,
        target_service_ids=list(audience.target_service_ids),
        title=notice.title,
        body=notice.body,
        starts_at=notice.starts_at,
        ends_at=notice.ends_at,
        published_at=now or timezone.now(),
        published_by=actor,
    )
    with operator_scope():  # which tenants it reaches: a read across tenants
        tenant_ids = list(selectors.audience_tenants(audience).values_list("pk", flat=True))
    deliveries = Delivery.objects.bulk_create(
        [Delivery(tenant_id=tenant_id, publication=publication) for tenant_id in tenant_ids],
        batch_size=1000,
    )
    publication.tenant_count = len(deliveries)
    publication.save(update_fields=["tenant_count"])
    record(
        action=f"notifications.notice.{revision}",
        actor=actor,
        target=publication,
        data={"notice": notice.pk, "sequence": publication.sequence, "tenants": len(deliveries)},
    )
    pairs = [(d.pk, d.tenant_id) for d in deliveries]
    selectors.unread_changed_for_everyone()  # the i badges (issue 22)
    transaction.on_commit(lambda: queue_deliveries(pairs))
    return publication


def queue_deliveries(pairs: list[tuple[int, int]]) -> None:
    """One TenantTask per tenant. A lost message leaves its row pending; the
    sweep queues it again."""
    from notifications.tasks import deliver_publication

    for delivery_id, tenant_id in pairs:
        enqueue(deliver_publication, delivery_id=delivery_id, tenant_id=tenant_id)


def _address_batches(tenant_id: int, kind: str) -> Iterator[list[str]]:
    """The recipients' addresses in batches for ``send_mails``."""
    # The users' mail addresses (User.mail_to, computed in the SELECT). One
    # plain SELECT (a short string a user: 100,000 users are a few MB); a
    # server-side cursor would cost three round trips for every tenant.
    addresses = list(
        selectors.tenant_recipients(tenant_id=tenant_id, kind=kind).values_list(User.mail_to_expression(), flat=True)
    )
    for start in range(0, len(addresses), USERS_PER_BATCH):
        yield addresses[start : start + USERS_PER_BATCH]


def deliver(*, delivery_id: int, tenant_id: int) -> int:
    """Mail one tenant's users for one publication; returns the mails queued.

    Runs inside the tenant's scope (TenantTask). The claim (a conditional
    UPDATE pending → done) and the outbox rows commit together: a crash rolls
    both back and the retry mails; a second run, or a second worker blocked
    on the row until the first commits, updates nothing and mails nothing."""
    delivery = (
        Delivery.objects.select_related("publication__service")
        .filter(pk=delivery_id, tenant_id=tenant_id, status=Delivery.Status.PENDING)
        .first()
    )
    if delivery is None:  # done already (a retry, a duplicate message)
        return 0
    publication = delivery.publication
    with transaction.atomic():
        batches = list(_address_batches(tenant_id, publication.kind))
        count = sum(len(batch) for batch in batches)
        claimed = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.DONE, delivered_at=timezone.now(), mail_count=count
        )
        if not claimed:
            return 0
        context = mail_context(publication)
        for addresses in batches:
            send_mails(
                template=MAIL_TEMPLATE,
                mails=[Mail(to=address, context=context) for address in addresses],
                tenant=tenant_id,
            )
    return count


def stuck_deliveries(*, now: datetime | None = None, limit: int = 1000) -> list[tuple[int, int]]:
    """(delivery, tenant) pairs still pending long after publication."""
    now = now or timezone.now()
    with operator_scope():
        return list(
            Delivery.objects.filter(status=Delivery.Status.PENDING, publication__published_at__lt=now - STUCK_AFTER)
            .order_by("pk")
            .values_list("pk", "tenant_id")[:limit]
        )
