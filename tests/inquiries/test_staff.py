"""The operators' staff console (INQ-8): every tenant's inquiries with filters,
answers that set 回答済 and mail the contact address a link (INQ-5), and an
audit entry whenever an operator opens a tenant's inquiry."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from inquiries.models import Inquiry, InquiryMessage
from tenants.scoping import operator_scope

LIST = "inquiries_staff:list"
DETAIL = "inquiries_staff:detail"


def test_inq8_operators_see_every_tenants_inquiries(staff_client, bob, charlie, make_inquiry, contracts_trouble_b):
    make_inquiry(user=bob, subject="A社の問い合わせ")
    make_inquiry(user=charlie, subject="B社の問い合わせ", service=contracts_trouble_b["bpo_web"].service)
    response = staff_client.get(reverse(LIST))
    assert response.status_code == HTTPStatus.OK
    assert "A社の問い合わせ" in response.text and "B社の問い合わせ" in response.text


def test_inq8_filters_tenant_service_status_age(staff_client, bob, charlie, make_inquiry, contracts_trouble_a, contracts_trouble_b):
    a = make_inquiry(user=bob, subject="A-受付")
    make_inquiry(user=bob, subject="A-EMM", service=contracts_trouble_a["emm"].service, status=Inquiry.Status.ANSWERED)
    make_inquiry(user=charlie, subject="B-受付", service=contracts_trouble_b["bpo_web"].service)
    with operator_scope():
        Inquiry.objects.filter(pk=a.pk).update(created_at=timezone.now() - timedelta(days=10))

    def subjects(**params):
        return {i.subject for i in staff_client.get(reverse(LIST), params).context["page"].object_list}

    assert subjects(tenant=bob.tenant.code) == {"A-受付", "A-EMM"}  # issue 23: tenant is a name/code search
    assert subjects(service=contracts_trouble_a["emm"].service_id) == {"A-EMM"}
    assert subjects(status="received") == {"A-受付", "B-受付"}
    assert subjects(older_than_days=7) == {"A-受付"}
    assert subjects(older_than_days=-1) == {"A-受付", "A-EMM", "B-受付"}  # bad input: unfiltered, with the error shown


def test_inq8_list_query_count_is_constant(staff_client, bob, make_inquiry, django_assert_max_num_queries):
    staff_client.get(reverse(LIST))
    counts = []
    for n in (1, 25):
        for i in range(n):
            make_inquiry(user=bob, subject=f"{n}-{i}")
        with django_assert_max_num_queries(40) as ctx:
            assert staff_client.get(reverse(LIST)).status_code == HTTPStatus.OK
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_inq8_opening_an_inquiry_is_an_audit_entry(staff_client, operator, bob, make_inquiry):
    inquiry = make_inquiry(user=bob)
    response = staff_client.get(reverse(DETAIL, args=[inquiry.pk]))
    assert response.status_code == HTTPStatus.OK
    assert "回答" in response.text and bob.tenant.name in response.text
    with operator_scope():
        entry = AuditEntry.objects.get(action="operator.viewed")
    assert entry.actor == operator and entry.tenant_id == bob.tenant_id and entry.object_id == str(inquiry.pk)


def test_inq8_inq5_answer_sets_answered_and_mails_a_link(staff_client, operator, bob, make_inquiry, django_capture_on_commit_callbacks, mailoutbox, settings):
    inquiry = make_inquiry(user=bob, contact_email="noc@a.example.com")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse(DETAIL, args=[inquiry.pk]), {"body": "復旧しました。"})
    assert response.status_code == HTTPStatus.FOUND
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.ANSWERED
    with operator_scope():
        message = InquiryMessage.objects.get()
        assert AuditEntry.objects.filter(action="inquiries.inquiry.answered", tenant_id=bob.tenant_id).exists()
    assert message.from_staff and message.author == operator
    [mail] = mailoutbox
    # Issue 21: noc@ is neither bob's login ID nor his notification address,
    # so the notice goes to bob's own address (no relay).
    assert mail.to == [bob.mail_to]
    link = settings.PORTAL_BASE_URL + reverse("inquiries:detail", args=[inquiry.pk])
    assert link in mail.body
    assert inquiry.number in mail.subject


def test_inq8_bad_answer_keeps_input_and_changes_nothing(staff_client, bob, make_inquiry, mailoutbox):
    inquiry = make_inquiry(user=bob)
    response = staff_client.post(reverse(DETAIL, args=[inquiry.pk]), {"body": ""})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "メッセージを入力してください。" in response.text  # issue 23: the field's own message
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.RECEIVED
    assert mailoutbox == []


def test_inq8_answering_a_resolved_inquiry_is_refused(staff_client, bob, make_inquiry, mailoutbox):
    inquiry = make_inquiry(user=bob, status=Inquiry.Status.RESOLVED)
    response = staff_client.post(reverse(DETAIL, args=[inquiry.pk]), {"body": "追記"}, follow=True)
    assert "解決済みのため" in response.text
    with operator_scope():
        assert not InquiryMessage.objects.exists()
    assert mailoutbox == []


def test_inq8_staff_console_requires_login(client, bob, make_inquiry):
    inquiry = make_inquiry(user=bob)
    for url in (reverse(LIST), reverse(DETAIL, args=[inquiry.pk])):
        response = client.get(url)
        assert response.status_code == HTTPStatus.FOUND and response.url.startswith(reverse("accounts:login"))


def test_inq8_staff_console_refuses_customers(alice_client, bob_client, bob, make_inquiry):
    inquiry = make_inquiry(user=bob)
    for c in (alice_client, bob_client):
        assert c.get(reverse(LIST)).status_code == HTTPStatus.FORBIDDEN
        assert c.get(reverse(DETAIL, args=[inquiry.pk])).status_code == HTTPStatus.FORBIDDEN
        assert c.post(reverse(DETAIL, args=[inquiry.pk]), {"body": "x"}).status_code == HTTPStatus.FORBIDDEN
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.RECEIVED


def test_inq8_missing_inquiry_is_404(staff_client, db):
    assert staff_client.get(reverse(DETAIL, args=[999999])).status_code == HTTPStatus.NOT_FOUND


def test_inq8_list_rejects_post(staff_client, db):
    assert staff_client.post(reverse(LIST)).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_inq8_admin_lists_inquiries_and_maintains_faq_and_forms(staff_client, bob, make_inquiry):
    make_inquiry(user=bob, subject="管理画面で見える")
    assert "管理画面で見える" in staff_client.get(reverse("admin:inquiries_inquiry_changelist")).text
    assert staff_client.get(reverse("admin:inquiries_faqentry_changelist")).status_code == HTTPStatus.OK
    assert staff_client.get(reverse("admin:inquiries_faqcategory_change", args=[1])).status_code == HTTPStatus.OK
    assert staff_client.get(reverse("admin:inquiries_troubleformfield_changelist")).status_code == HTTPStatus.OK
    assert staff_client.get(reverse("admin:inquiries_generalinquiry_changelist")).status_code == HTTPStatus.OK
