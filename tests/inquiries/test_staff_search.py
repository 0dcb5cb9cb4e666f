"""Issue 23 (smaller ones): the staff console searches by 問い合わせ番号,
件名 and テナント (name or code) with a GET form whose values the pager's
links keep, and lists （一般）お問い合わせ too, with the same permission and
constant query counts."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from inquiries.models import GeneralInquiry
from tenants.scoping import operator_scope

LIST = "inquiries_staff:list"
GENERAL = "inquiries_staff:general_list"
GENERAL_DETAIL = "inquiries_staff:general_detail"


@pytest.fixture
def make_general(db):
    def make(*, user, subject="請求書の送付先", body="本社へ") -> GeneralInquiry:
        with operator_scope():
            return GeneralInquiry.objects.create(
                tenant_id=user.tenant_id, subject=subject, body=body, contact_email=user.email, created_by=user
            )
    return make


def _subjects(client, name, **params) -> set[str]:
    response = client.get(reverse(name), params)
    assert response.status_code == HTTPStatus.OK
    return {row.subject for row in response.context["page"].object_list}


def test_issue23_trouble_list_searches_number_subject_and_tenant(
    staff_client, bob, charlie, make_inquiry, contracts_trouble_b
):
    first = make_inquiry(user=bob, subject="本社で通信できない")
    make_inquiry(user=bob, subject="支店で速度が遅い")
    make_inquiry(user=charlie, subject="BPO 画面が開かない", service=contracts_trouble_b["bpo_web"].service)
    assert _subjects(staff_client, LIST, number=first.number) == {"本社で通信できない"}
    assert _subjects(staff_client, LIST, number=str(first.pk)) == {"本社で通信できない"}
    assert _subjects(staff_client, LIST, number="０" + str(first.pk).translate(str.maketrans("0123456789", "０１２３４５６７８９"))) == {
        "本社で通信できない"
    }
    assert _subjects(staff_client, LIST, subject="通信") == {"本社で通信できない"}
    assert _subjects(staff_client, LIST, tenant="テナントB") == {"BPO 画面が開かない"}
    assert _subjects(staff_client, LIST, tenant="ta0000") == {"本社で通信できない", "支店で速度が遅い"}  # code, any case
    assert _subjects(staff_client, LIST, tenant="テナントA", subject="支店") == {"支店で速度が遅い"}


def test_issue23_a_number_that_is_not_a_number_says_so(staff_client, bob, make_inquiry):
    make_inquiry(user=bob)
    response = staff_client.get(reverse(LIST), {"number": "abc"})
    assert "問い合わせ番号は数字で入力してください。" in response.text
    assert response.context["page"].paginator.count == 1  # unfiltered, with the error shown


def test_issue23_the_pager_keeps_the_search(staff_client, bob, make_inquiry, monkeypatch):
    monkeypatch.setattr("inquiries.views_staff.PAGE_SIZE", 2)
    for i in range(5):
        make_inquiry(user=bob, subject=f"通信 {i}")
    make_inquiry(user=bob, subject="別件")
    response = staff_client.get(reverse(LIST), {"subject": "通信", "tenant": "テナントA"})
    assert response.context["page"].paginator.count == 5
    assert 'value="通信"' in response.text and 'value="テナントA"' in response.text
    assert "page=2" in response.text
    link = next(part for part in response.text.split('href="')[1:] if "page=2" in part).split('"')[0]
    assert "subject=%E9%80%9A%E4%BF%A1" in link and "tenant=" in link, link
    second = staff_client.get(reverse(LIST) + link.replace("&amp;", "&"))
    assert {row.subject for row in second.context["page"].object_list} <= {f"通信 {i}" for i in range(5)}


def test_issue23_general_inquiries_are_listed_and_searched(staff_client, bob, charlie, make_general):
    mine = make_general(user=bob, subject="請求書の送付先")
    make_general(user=charlie, subject="契約内容の確認")
    response = staff_client.get(reverse(GENERAL))
    assert response.status_code == HTTPStatus.OK
    assert "請求書の送付先" in response.text and "契約内容の確認" in response.text
    assert mine.number in response.text
    assert 'aria-current="page"' in response.text
    assert _subjects(staff_client, GENERAL, number=mine.number) == {"請求書の送付先"}
    assert _subjects(staff_client, GENERAL, subject="契約") == {"契約内容の確認"}
    assert _subjects(staff_client, GENERAL, tenant="TB000001") == {"契約内容の確認"}
    # The trouble list links to it.
    assert reverse(GENERAL) in staff_client.get(reverse(LIST)).text


def test_issue23_opening_a_general_inquiry_is_an_audit_entry(staff_client, operator, bob, make_general):
    inquiry = make_general(user=bob, body="送付先を本社に\n変えたいです。")
    response = staff_client.get(reverse(GENERAL_DETAIL, args=[inquiry.pk]))
    assert response.status_code == HTTPStatus.OK
    assert "送付先を本社に<br>変えたいです。" in response.text
    with operator_scope():
        entry = AuditEntry.objects.get(action="operator.viewed")
    assert entry.actor == operator and entry.tenant_id == bob.tenant_id and entry.object_id == str(inquiry.pk)
    assert staff_client.get(reverse(GENERAL_DETAIL, args=[999999])).status_code == HTTPStatus.NOT_FOUND


def test_issue23_general_console_refuses_customers(alice_client, bob, make_general):
    inquiry = make_general(user=bob)
    assert alice_client.get(reverse(GENERAL)).status_code == HTTPStatus.FORBIDDEN
    assert alice_client.get(reverse(GENERAL_DETAIL, args=[inquiry.pk])).status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("name", [LIST, GENERAL])
def test_issue23_list_query_counts_are_constant(name, staff_client, bob, charlie, make_inquiry, make_general, contracts_trouble_b, django_assert_max_num_queries):
    """With a search, 1 and 30 rows of two tenants cost the same queries."""
    params = {"subject": "件", "tenant": "テナント"}
    staff_client.get(reverse(name), params)
    counts = []
    for n in (1, 30):
        for i in range(n):
            make_inquiry(user=bob, subject=f"件 {n}-{i}")
            make_inquiry(user=charlie, subject=f"件 B{n}-{i}", service=contracts_trouble_b["bpo_web"].service)
            make_general(user=bob, subject=f"件 {n}-{i}")
            make_general(user=charlie, subject=f"件 B{n}-{i}")
        with django_assert_max_num_queries(40) as ctx:
            response = staff_client.get(reverse(name), params)
        assert response.status_code == HTTPStatus.OK
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_issue23_the_search_form_is_a_labelled_get_form(staff_client, db):
    html = staff_client.get(reverse(LIST)).text
    assert '<form method="get" class="inq-filter" role="search">' in html
    for name in ("number", "subject", "tenant"):
        assert f'<label for="id_{name}">' in html
    # The tenant field's hint is on the page, so its aria-describedby points somewhere.
    assert 'aria-describedby="id_tenant_helptext"' in html and 'id="id_tenant_helptext"' in html


def test_issue23_both_staff_lists_render_their_rows_through_one_shell(staff_client, bob, make_inquiry):
    """templates/inquiries/staff/_list_base.html: each list fills its own
    columns and rows; the empty row spans that list's columns."""
    trouble = make_inquiry(user=bob, subject="本社で通信できない")
    with operator_scope():
        general = GeneralInquiry.objects.create(
            tenant_id=bob.tenant_id, subject="請求書の送付先", body="本社へ", contact_email=bob.email, created_by=bob
        )
    trouble_page = staff_client.get(reverse(LIST)).text
    assert reverse("inquiries_staff:detail", args=[trouble.pk]) in trouble_page and "本社で通信できない" in trouble_page
    general_page = staff_client.get(reverse(GENERAL)).text
    assert reverse("inquiries_staff:general_detail", args=[general.pk]) in general_page and bob.email in general_page
    assert '<td colspan="7">' in staff_client.get(reverse(LIST), {"subject": "該当なし"}).text
    assert '<td colspan="5">' in staff_client.get(reverse(GENERAL), {"subject": "該当なし"}).text
