"""状況/履歴 (INQ-3), the detail and its thread (INQ-4), 解決済み and the lock
(INQ-6), and who sees what: a ユーザ the inquiries they filed, a 管理者 the
tenant's; another tenant's is a 404."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from inquiries.models import Inquiry, InquiryMessage
from inquiries.services import InquiryError, add_customer_message, answer_inquiry, resolve_inquiry
from tenants.scoping import operator_scope, tenant_scope
from tests.factories import UserFactory
from tests.web import flow

R, A, S = Inquiry.Status.RECEIVED, Inquiry.Status.ANSWERED, Inquiry.Status.RESOLVED


# --- 状況/履歴 (INQ-3) -------------------------------------------------------------------


def test_inq3_history_lists_the_services_first(bob_client, contracts_trouble_a):
    response = bob_client.get(reverse("inquiries:history"))
    assert response.status_code == HTTPStatus.OK
    assert reverse("inquiries:history_list", args=["ether_economy"]) in response.text
    assert reverse("inquiries:history_list", args=["google_workspace"]) not in response.text


def test_inq3_list_newest_first_with_statuses(bob_client, bob, make_inquiry):
    old = make_inquiry(user=bob, subject="古い問い合わせ", status=A)
    with operator_scope():
        Inquiry.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    make_inquiry(user=bob, subject="新しい問い合わせ")
    response = bob_client.get(reverse("inquiries:history_list", args=["ether_economy"]))
    body = response.text
    assert body.index("新しい問い合わせ") < body.index("古い問い合わせ")
    assert "受付" in body and "回答済" in body


def test_inq3_filter_by_status(bob_client, bob, make_inquiry):
    make_inquiry(user=bob, subject="受付のもの")
    make_inquiry(user=bob, subject="解決のもの", status=S)
    response = bob_client.get(reverse("inquiries:history_list", args=["ether_economy"]), {"status": "resolved"})
    assert "解決のもの" in response.text and "受付のもの" not in response.text
    response = bob_client.get(reverse("inquiries:history_list", args=["ether_economy"]), {"status": "bogus"})
    assert "解決のもの" in response.text and "受付のもの" in response.text


def test_inq3_one_service_only(bob_client, bob, make_inquiry, contracts_trouble_a):
    make_inquiry(user=bob, subject="EMM の件", service=contracts_trouble_a["emm"].service)
    response = bob_client.get(reverse("inquiries:history_list", args=["ether_economy"]))
    assert "EMM の件" not in response.text


def test_inq3_100_a_page(bob_client, bob, make_inquiry):
    for i in range(101):
        make_inquiry(user=bob, subject=f"件名{i:03d}")
    url = reverse("inquiries:history_list", args=["ether_economy"])
    first = bob_client.get(url)
    assert len(first.context["page"].object_list) == 100
    assert "件名100" in first.text and "件名000" not in first.text
    second = bob_client.get(url, {"page": 2})
    assert [i.subject for i in second.context["page"].object_list] == ["件名000"]


def test_inq3_list_query_count_is_constant(bob_client, bob, make_inquiry, django_assert_max_num_queries):
    url = reverse("inquiries:history_list", args=["ether_economy"])
    bob_client.get(url)
    counts = []
    for n in (1, 30):
        for i in range(n):
            make_inquiry(user=bob, subject=f"件名{n}-{i}")
        with django_assert_max_num_queries(40) as ctx:
            assert bob_client.get(url).status_code == HTTPStatus.OK
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_inq3_who_sees_what_in_the_list(alice_client, bob_client, alice, bob, make_inquiry):
    make_inquiry(user=bob, subject="ボブの問い合わせ")
    make_inquiry(user=alice, subject="アリスの問い合わせ")
    url = reverse("inquiries:history_list", args=["ether_economy"])
    as_bob = bob_client.get(url).text
    assert "ボブの問い合わせ" in as_bob and "アリスの問い合わせ" not in as_bob
    as_alice = alice_client.get(url).text
    assert "ボブの問い合わせ" in as_alice and "アリスの問い合わせ" in as_alice


def test_inq3_another_tenant_sees_none(charlie_client, bob, make_inquiry, contracts_trouble_b):
    make_inquiry(user=bob, subject="ボブの問い合わせ", service=contracts_trouble_b["bpo_web"].service)
    response = charlie_client.get(reverse("inquiries:history_list", args=["bpo_web"]))
    assert response.status_code == HTTPStatus.OK
    assert "ボブの問い合わせ" not in response.text


def test_inq3_views_require_login(client, contracts_trouble_a):
    for url in (reverse("inquiries:history"), reverse("inquiries:history_list", args=["emm"])):
        response = client.get(url)
        assert response.status_code == HTTPStatus.FOUND and response.url.startswith(reverse("accounts:login"))


def test_inq3_views_reject_post(bob_client, contracts_trouble_a):
    for url in (reverse("inquiries:history"), reverse("inquiries:history_list", args=["emm"])):
        assert bob_client.post(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED


# --- the detail and its thread (INQ-4) ---------------------------------------------------------


def test_inq4_detail_shows_the_inquiry_and_the_thread_newest_first(bob_client, bob, operator, make_inquiry, add_message):
    inquiry = make_inquiry(user=bob, subject="本社で通信できない")
    first = add_message(inquiry, body="最初のメッセージ", author=bob)
    with operator_scope():
        InquiryMessage.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(hours=1))
    add_message(inquiry, body="スタッフの回答", author=operator, from_staff=True)
    response = bob_client.get(reverse("inquiries:detail", args=[inquiry.pk]))
    assert response.status_code == HTTPStatus.OK
    body = response.text
    assert "本社で通信できない" in body and "EE-1" in body
    assert body.index("スタッフの回答") < body.index("最初のメッセージ")
    assert "スタッフアカウント" in body and "カスタマーアカウント" in body
    assert "送信" in body and "ステータスを解決済みにする" in body


def test_inq4_send_adds_a_message_and_goes_back_to_received(bob_client, bob, make_inquiry, django_capture_on_commit_callbacks, mailoutbox, settings):
    inquiry = make_inquiry(user=bob, status=A)
    with django_capture_on_commit_callbacks(execute=True):
        response = bob_client.post(reverse("inquiries:send_message", args=[inquiry.pk]), {"body": "まだ直りません"})
    assert response.status_code == HTTPStatus.FOUND
    inquiry.refresh_from_db()
    assert inquiry.status == R
    with tenant_scope(bob.tenant_id):
        message = inquiry.messages.get()
    assert message.body == "まだ直りません" and not message.from_staff and message.author == bob
    assert [m.to for m in mailoutbox] == [[settings.INQUIRY_CENTER_EMAIL]]
    assert "まだ直りません" in bob_client.get(response.url).text


def test_inq4_empty_message_is_refused_and_changes_nothing(bob_client, bob, make_inquiry):
    inquiry = make_inquiry(user=bob, status=A)
    response = bob_client.post(reverse("inquiries:send_message", args=[inquiry.pk]), {"body": ""})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "メッセージを入力してください。" in response.text  # issue 23: the field's own message
    inquiry.refresh_from_db()
    assert inquiry.status == A
    with operator_scope():
        assert not InquiryMessage.objects.exists()


def test_inq4_send_rejects_get(bob_client, bob, make_inquiry):
    inquiry = make_inquiry(user=bob)
    assert bob_client.get(reverse("inquiries:send_message", args=[inquiry.pk])).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_inq4_another_tenants_inquiry_is_404(charlie_client, bob, make_inquiry):
    inquiry = make_inquiry(user=bob)
    for name in ("inquiries:detail", "inquiries:resolve"):
        assert charlie_client.get(reverse(name, args=[inquiry.pk])).status_code == HTTPStatus.NOT_FOUND
    for name in ("inquiries:send_message", "inquiries:resolve"):
        assert charlie_client.post(reverse(name, args=[inquiry.pk]), {"body": "x"}).status_code == HTTPStatus.NOT_FOUND
    inquiry.refresh_from_db()
    assert inquiry.status == R


def test_inq4_a_user_sees_only_their_own_an_admin_the_tenants(alice_client, bob_client, alice, bob, make_inquiry):
    other_user = UserFactory(tenant=bob.tenant)
    theirs = make_inquiry(user=other_user)
    url = reverse("inquiries:detail", args=[theirs.pk])
    assert bob_client.get(url).status_code == HTTPStatus.NOT_FOUND
    assert bob_client.post(reverse("inquiries:send_message", args=[theirs.pk]), {"body": "x"}).status_code == HTTPStatus.NOT_FOUND
    assert alice_client.get(url).status_code == HTTPStatus.OK


def test_inq4_detail_requires_login_and_comes_back_after_it(client, bob, make_inquiry):
    """INQ-5: the mail's link opens the detail after login (AUTH-6's next=)."""
    inquiry = make_inquiry(user=bob)
    url = reverse("inquiries:detail", args=[inquiry.pk])
    response = client.get(url)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == f"{reverse('accounts:login')}?next={url}"


def test_inq4_detail_query_count_is_constant(bob_client, bob, operator, make_inquiry, add_message, django_assert_max_num_queries):
    inquiry = make_inquiry(user=bob)
    url = reverse("inquiries:detail", args=[inquiry.pk])
    bob_client.get(url)
    counts = []
    for n in (1, 20):
        for i in range(n):
            add_message(inquiry, body=f"m{i}", author=operator if i % 2 else bob, from_staff=bool(i % 2))
        with django_assert_max_num_queries(40) as ctx:
            assert bob_client.get(url).status_code == HTTPStatus.OK
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


# --- 解決済みにする and the lock (INQ-6) ---------------------------------------------------------


def test_inq6_resolve_asks_for_confirmation_then_closes(bob_client, bob, make_inquiry):
    inquiry = make_inquiry(user=bob, status=A)
    url = reverse("inquiries:resolve", args=[inquiry.pk])
    confirm = bob_client.get(url)
    assert confirm.status_code == HTTPStatus.OK
    assert "メッセージ送信やステータス変更はできなくなります" in confirm.text
    inquiry.refresh_from_db()
    assert inquiry.status == A
    response = flow.complete(bob_client, url, confirm)
    assert response.status_code == HTTPStatus.FOUND
    inquiry.refresh_from_db()
    assert inquiry.status == S and inquiry.resolved_at is not None
    with operator_scope():
        assert AuditEntry.objects.filter(action="inquiries.inquiry.resolved", object_id=str(inquiry.pk)).exists()
    detail = bob_client.get(reverse("inquiries:detail", args=[inquiry.pk])).text
    assert "解決済" in detail
    assert 'name="body"' not in detail  # no message form any more
    assert reverse("inquiries:resolve", args=[inquiry.pk]) not in detail


def test_inq6_a_crafted_post_after_resolution_is_refused(bob_client, bob, make_inquiry, mailoutbox):
    inquiry = make_inquiry(user=bob, status=S)
    response = bob_client.post(reverse("inquiries:send_message", args=[inquiry.pk]), {"body": "もう一度"}, follow=True)
    assert "解決済みのため、メッセージの送信やステータスの変更はできません" in response.text
    response = bob_client.post(reverse("inquiries:resolve", args=[inquiry.pk]), follow=True)
    assert "解決済みのため" in response.text
    with operator_scope():
        assert not InquiryMessage.objects.exists()
        assert not AuditEntry.objects.filter(action__startswith="inquiries.").exists()
    assert mailoutbox == []


def test_inq6_the_services_refuse_both_sides_after_resolution(bob, operator, make_inquiry):
    inquiry = make_inquiry(user=bob)
    with tenant_scope(bob.tenant_id):
        resolve_inquiry(inquiry=inquiry, user=bob)
        with pytest.raises(InquiryError):
            add_customer_message(inquiry=inquiry, user=bob, body="x")
        with pytest.raises(InquiryError):
            resolve_inquiry(inquiry=inquiry, user=bob)
    with operator_scope():
        with pytest.raises(InquiryError):
            answer_inquiry(inquiry=inquiry, operator=operator, body="x")
        assert not InquiryMessage.objects.exists()
    inquiry.refresh_from_db()
    assert inquiry.status == S


def test_inq6_the_lock_reads_the_row_not_the_callers_copy(bob, make_inquiry):
    """A stale copy (another tab resolved it meanwhile) is refused too."""
    inquiry = make_inquiry(user=bob)
    with operator_scope():
        stale = Inquiry.objects.get(pk=inquiry.pk)
    with tenant_scope(bob.tenant_id):
        resolve_inquiry(inquiry=inquiry, user=bob)
        with pytest.raises(InquiryError):
            add_customer_message(inquiry=stale, user=bob, body="x")


def test_inq6_resolve_requires_login(client, bob, make_inquiry):
    inquiry = make_inquiry(user=bob)
    response = client.post(reverse("inquiries:resolve", args=[inquiry.pk]))
    assert response.status_code == HTTPStatus.FOUND and response.url.startswith(reverse("accounts:login"))
    inquiry.refresh_from_db()
    assert inquiry.status == R
