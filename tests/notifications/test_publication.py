"""NOTIF-3: 公開 fans out one mail per matching user through the outbox,
once; 訂正 and 復旧 mail again, marked; every publication is audited."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEntry
from mail.models import OutboxMessage
from notifications.models import Delivery, NoticeKind, Publication
from notifications.services import notices
from notifications.services.notices import PublicationError
from notifications.tasks import deliver_publication, sweep_deliveries
from tenants.scoping import operator_scope
from tests.factories import ContractFactory, TenantFactory, UserFactory
from tests.notifications.conftest import HOKKAIDO, TOKYO, set_area_row


def outbox(template: str = "notice") -> list[OutboxMessage]:
    with operator_scope():
        return list(OutboxMessage.objects.filter(template=template).order_by("pk"))


def deliveries() -> list[Delivery]:
    with operator_scope():
        return list(Delivery.objects.order_by("pk"))


def test_notif3_publish_mails_each_matching_user_once(ether_a, alice, bob, charlie, make_notice, publish, mailoutbox):
    bob.notification_email = "bob-notice@a.example.com"
    bob.save()
    publication = publish(make_notice(NoticeKind.OUTAGE, TOKYO, title="回線障害"))
    assert publication.tenant_count == 1  # tenant B has no contract
    rows = outbox()
    assert sorted(r.to[0] for r in rows) == ["alice@a.example.com", "bob-notice@a.example.com"]
    assert {r.tenant_id for r in rows} == {alice.tenant_id}
    assert rows[0].subject == "【障害情報】イーサエコノミー 回線障害"
    assert "影響エリア：東京都" in rows[0].body and "本文です。" in rows[0].body
    assert len(mailoutbox) == 2 and all(r.status == OutboxMessage.Status.SENT for r in outbox())
    assert [d.status for d in deliveries()] == [Delivery.Status.DONE]
    assert deliveries()[0].mail_count == 2
    with operator_scope():
        entry = AuditEntry.objects.get(action="notifications.notice.initial")
    assert entry.object_id == str(publication.pk) and entry.data["tenants"] == 1


def test_notif3_publishing_twice_sends_nothing_twice(ether_a, alice, make_notice, publish):
    notice = make_notice()
    publish(notice)
    with pytest.raises(PublicationError):
        publish(notice)
    with pytest.raises(PublicationError):  # a stale form (double submit) too
        notices.publish(notice=notice, revision=Publication.Revision.CORRECTION, actor=None, sequence=1)
    assert len(outbox()) == 1
    assert notice.publications.count() == 1


def test_notif3_a_retried_or_repeated_task_mails_nothing_more(ether_a, alice, bob, make_notice, publish):
    publish(make_notice())
    delivery = deliveries()[0]
    assert deliver_publication.apply(kwargs={"delivery_id": delivery.pk, "tenant_id": delivery.tenant_id}).get() == 0
    assert len(outbox()) == 2


def test_notif3_correction_and_recovery_mail_again_marked(ether_a, alice, make_notice, publish):
    notice = make_notice(NoticeKind.MAINTENANCE, title="定期メンテナンス")
    with pytest.raises(PublicationError):  # nothing to correct yet
        notices.publish(notice=notice, revision=Publication.Revision.CORRECTION, actor=None)
    publish(notice)
    notice.body = "時間を訂正します。"
    notice.save()
    publish(notice, Publication.Revision.CORRECTION)
    publish(notice, Publication.Revision.CORRECTION)
    publish(notice, Publication.Revision.RECOVERY)
    with pytest.raises(PublicationError):
        publish(notice, Publication.Revision.RECOVERY)
    subjects = [r.subject for r in outbox()]
    assert subjects == [
        "【メンテナンス情報】イーサエコノミー 定期メンテナンス",
        "【メンテナンス情報】【訂正】イーサエコノミー 定期メンテナンス",
        "【メンテナンス情報】【訂正】イーサエコノミー 定期メンテナンス",
        "【メンテナンス情報】【復旧】イーサエコノミー 定期メンテナンス",
    ]
    assert "時間を訂正します。" in outbox()[1].body
    assert list(notice.publications.order_by("sequence").values_list("sequence", flat=True)) == [1, 2, 3, 4]


def test_notif3_news_has_no_recovery(alice, make_notice, publish):
    notice = make_notice(NoticeKind.NEWS, title="新機能のお知らせ")
    publish(notice)
    assert notices.next_revisions(notice) == [Publication.Revision.CORRECTION]
    assert outbox()[0].subject == "【お知らせ】新機能のお知らせ"


def test_notif3_tenant_eligibility_is_fixed_at_publication(ether_a, alice, make_notice, publish, ether):
    """The area changing afterwards neither adds nor removes a delivery."""
    publication = publish(make_notice(NoticeKind.OUTAGE, TOKYO))
    set_area_row(alice.tenant, ether, HOKKAIDO)
    with operator_scope():
        assert Delivery.objects.filter(publication=publication).count() == 1


def _fan_out_queries(make_notice, publish, users_per_tenant: int, ether) -> tuple[int, int]:
    tenants = [TenantFactory() for _ in range(3)]
    for tenant in tenants:
        ContractFactory(tenant=tenant, service=ether)
        UserFactory.create_batch(users_per_tenant, tenant=tenant)
    notice = make_notice()
    with CaptureQueriesContext(connection) as publishing:
        publication = notices.publish(notice=notice, revision=Publication.Revision.INITIAL, actor=None)
    with operator_scope():
        delivery = Delivery.objects.filter(publication=publication).first()
    with CaptureQueriesContext(connection) as delivering:
        deliver_publication.apply(kwargs={"delivery_id": delivery.pk, "tenant_id": delivery.tenant_id})
    return len(publishing), len(delivering)


@pytest.mark.parametrize("kind", [NoticeKind.OUTAGE])
def test_notif3_query_count_does_not_grow_with_recipients(db, ether, make_notice, publish, kind):
    """Selection and fan-out are set-based: 3 or 40 users a tenant, the same queries."""
    small = _fan_out_queries(make_notice, publish, 3, ether)
    with operator_scope():
        Delivery.objects.all().delete()
        OutboxMessage.objects.all().delete()
    large = _fan_out_queries(make_notice, publish, 40, ether)
    assert small == large


def test_notif3_sweep_requeues_a_lost_delivery(ether_a, alice, make_notice):
    from datetime import timedelta

    from django.utils import timezone

    publication = notices.publish(
        notice=make_notice(), revision=Publication.Revision.INITIAL, actor=None, now=timezone.now() - timedelta(hours=1)
    )  # on_commit never runs here: as if the broker had lost the message
    assert outbox() == []
    assert sweep_deliveries.apply().get() == 1
    assert len(outbox()) == 1
    assert sweep_deliveries.apply().get() == 0
    assert [d.publication_id for d in deliveries()] == [publication.pk]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_notif3_two_operators_publishing_at_once_publish_once(ether_a, alice, make_notice):
    """Two connections: the second 公開 waits on the notice's row lock, then refuses."""
    notice = make_notice()
    result: dict = {}

    def second() -> None:
        try:
            notices.publish(notice=notice, revision=Publication.Revision.INITIAL, actor=None)
        except PublicationError as exc:
            result["refused"] = str(exc)
        finally:
            connection.close()

    with transaction.atomic():
        notices.publish(notice=notice, revision=Publication.Revision.INITIAL, actor=None)
        worker = threading.Thread(target=second)
        worker.start()
        time.sleep(0.5)  # the second publish now waits on our lock
    worker.join(10)
    assert "refused" in result
    assert notice.publications.count() == 1
    assert len(outbox()) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_notif3_two_workers_running_one_delivery_mail_once(ether_a, alice, bob, make_notice):
    """Two connections run the same delivery: the claim lets one mail."""
    with transaction.atomic():
        publication = Publication.objects.create(
            notice=make_notice(), sequence=1, revision="initial", kind="outage", service=ether_a.service,
            prefectures=TOKYO, title="t", body="b",
        )
        delivery = Delivery.objects.create(tenant=alice.tenant, publication=publication)
    results: list[int] = []

    def run() -> None:
        try:
            results.append(deliver_publication.apply(kwargs={"delivery_id": delivery.pk, "tenant_id": alice.tenant_id}).result)
        except Exception as exc:
            results.append(repr(exc))
        finally:
            connection.close()

    workers = [threading.Thread(target=run) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(20)
    assert all(isinstance(r, int) for r in results), results
    assert sorted(results) == [0, 2]
    assert len(outbox()) == 2
