"""（障害）お問い合わせ (INQ-2): the target among the tenant's services that
take trouble inquiries, then that service's form, built from data, 確認 → 完了
→ 状況/履歴."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from inquiries.forms import TroubleInquiryForm
from inquiries.models import Inquiry, TroubleFormField
from tenants.scoping import operator_scope, tenant_scope
from tests.web import flow


def _spec_ids(service) -> dict[str, str]:
    return {f.label: f"f{f.pk}" for f in service.trouble_form_fields.all()}


def valid_data(service, **extra) -> dict:
    ids = _spec_ids(service)
    data = {
        "subject": "本社で通信できない",
        "contact_email": "noc@a.example.com",
        ids["回線 ID"]: "EE-0001",
        ids["設置場所（拠点名）"]: "本社",
        ids["症状"]: ["通信できない", "速度が遅い"],
        ids["発生日時"]: "2026-05-20T09:30",
        ids["影響範囲"]: "全社",
        ids["障害内容"]: "朝から通信できません。",
    }
    data.update(extra)
    return data


# --- pick the service ------------------------------------------------------------


def test_inq2_only_contracted_services_that_take_trouble_inquiries(bob_client, contracts_trouble_a, trouble_services):
    response = bob_client.get(reverse("inquiries:trouble_select"))
    assert response.status_code == HTTPStatus.OK
    names = [label for _value, label in response.context["form"].fields["service"].choices]
    assert names == ["KDDI EMM powered by Omnissa Workspace ONE", "イーサエコノミー", "BPO-Web"]
    assert "Google Workspace" not in names  # contracted, but takes no trouble inquiries


def test_inq2_select_redirects_to_the_service_form(bob_client, contracts_trouble_a):
    response = bob_client.post(reverse("inquiries:trouble_select"), {"service": "ether_economy"})
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("inquiries:trouble_form", args=["ether_economy"])


def test_inq2_select_without_a_choice_says_so(bob_client, contracts_trouble_a):
    response = bob_client.post(reverse("inquiries:trouble_select"), {})
    assert "お問い合わせ対象サービスを選択してください。" in response.text


def test_inq2_a_service_not_offered_is_404(bob_client, contracts_trouble_a, contracts_trouble_b):
    for code in ("google_workspace", "line_works", "nope"):
        assert bob_client.get(reverse("inquiries:trouble_form", args=[code])).status_code == HTTPStatus.NOT_FOUND
        assert bob_client.post(reverse("inquiries:trouble_select"), {"service": code}).status_code == HTTPStatus.OK


def test_inq2_another_tenants_service_is_404(charlie_client, contracts_trouble_a, contracts_trouble_b):
    """Tenant B contracts only BPO-Web: イーサエコノミー's form is 404 for charlie."""
    assert charlie_client.get(reverse("inquiries:trouble_form", args=["ether_economy"])).status_code == HTTPStatus.NOT_FOUND
    assert charlie_client.get(reverse("inquiries:trouble_form", args=["bpo_web"])).status_code == HTTPStatus.OK


# --- the form, from data -----------------------------------------------------------


def test_inq2_the_form_differs_per_service(bob_client, contracts_trouble_a):
    ether = bob_client.get(reverse("inquiries:trouble_form", args=["ether_economy"])).text
    emm = bob_client.get(reverse("inquiries:trouble_form", args=["emm"])).text
    assert "回線 ID" in ether and "回線 ID" not in emm
    assert "対象 OS" in emm and "対象 OS" not in ether
    for body in (ether, emm):
        assert "連絡先メールアドレス" in body and "件名" in body


def test_inq2_form_fields_follow_the_rows(ether, contracts_trouble_a):
    specs = list(ether.trouble_form_fields.order_by("display_order"))
    form = TroubleInquiryForm(specs=specs)
    labels = [form.fields[TroubleInquiryForm.field_name(s)].label for s in specs]
    assert labels == [s.label for s in specs]
    symptoms = next(s for s in specs if s.label == "症状")
    field = form.fields[TroubleInquiryForm.field_name(symptoms)]
    assert [c for c, _l in field.choices] == ["通信できない", "速度が遅い", "断続的に切断される", "その他"]


def test_inq2_required_fields_from_data(ether, contracts_trouble_a):
    specs = list(ether.trouble_form_fields.all())
    ids = _spec_ids(ether)
    data = valid_data(ether)
    del data[ids["回線 ID"]]
    form = TroubleInquiryForm(data, specs=specs)
    assert not form.is_valid()
    assert list(form.errors) == [ids["回線 ID"]]
    # An operator makes it optional in admin: the same input is now fine.
    TroubleFormField.objects.filter(service=ether, label="回線 ID").update(required=False)
    assert TroubleInquiryForm(data, specs=list(ether.trouble_form_fields.all())).is_valid()


def test_inq2_choices_from_data_refuse_other_values(ether, contracts_trouble_a):
    specs = list(ether.trouble_form_fields.all())
    ids = _spec_ids(ether)
    form = TroubleInquiryForm(valid_data(ether, **{ids["影響範囲"]: "宇宙全体", ids["症状"]: ["爆発"]}), specs=specs)
    assert not form.is_valid()
    assert set(form.errors) == {ids["影響範囲"], ids["症状"]}


def test_inq2_answers_are_a_snapshot_of_labels_and_values(ether, contracts_trouble_a):
    form = TroubleInquiryForm(valid_data(ether), specs=list(ether.trouble_form_fields.all()))
    assert form.is_valid(), form.errors
    answers = {a["label"]: a["value"] for a in form.answers()}
    assert answers["症状"] == "通信できない、速度が遅い"
    assert answers["発生日時"] == "2026/05/20 09:30"


def test_inq2_contact_address_is_always_asked(ether, contracts_trouble_a):
    form = TroubleInquiryForm({**valid_data(ether), "contact_email": ""}, specs=list(ether.trouble_form_fields.all()))
    assert not form.is_valid() and "contact_email" in form.errors


# --- 確認 → 完了 → 状況/履歴 ----------------------------------------------------------


def test_inq2_confirm_then_complete(bob_client, bob, ether, contracts_trouble_a, django_capture_on_commit_callbacks, mailoutbox, settings):
    url = reverse("inquiries:trouble_form", args=["ether_economy"])
    confirm = bob_client.post(url, valid_data(ether))
    assert confirm.status_code == HTTPStatus.OK
    assert "障害問い合わせ（確認）" in confirm.text
    assert "通信できない、速度が遅い" in confirm.text
    with operator_scope():
        assert not Inquiry.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = flow.complete(bob_client, url, confirm)
    assert done.status_code == HTTPStatus.FOUND
    assert done.url == reverse("inquiries:history_list", args=["ether_economy"])
    with operator_scope():
        inquiry = Inquiry.objects.get()
        assert AuditEntry.objects.filter(action="inquiries.inquiry.submitted", object_id=str(inquiry.pk)).exists()
    assert inquiry.status == Inquiry.Status.RECEIVED
    assert inquiry.created_by == bob and inquiry.service == ether
    assert {"label": "回線 ID", "value": "EE-0001"} in inquiry.answers
    # The centre, and (issue 21) a receipt with the number to bob's own
    # address: the typed noc@ is not one of his, so it gets nothing.
    assert [m.to for m in mailoutbox] == [[settings.INQUIRY_CENTER_EMAIL], [bob.mail_to]]
    receipt = mailoutbox[1]
    assert inquiry.number in receipt.subject and inquiry.number in receipt.body
    assert settings.PORTAL_BASE_URL + reverse("inquiries:detail", args=[inquiry.pk]) in receipt.body
    listing = bob_client.get(done.url)
    assert "お問い合わせを受け付けました。" in listing.text
    assert "本社で通信できない" in listing.text


def test_inq2_back_keeps_the_input(bob_client, ether, contracts_trouble_a):
    url = reverse("inquiries:trouble_form", args=["ether_economy"])
    response = flow.back(bob_client, url, bob_client.post(url, valid_data(ether)))
    assert 'value="本社で通信できない"' in response.text
    assert "朝から通信できません。" in response.text
    assert response.text.count("checked") >= 3  # two symptoms and one radio
    assert "field__error" not in response.text


def test_inq2_bad_input_keeps_it_and_changes_nothing(bob_client, ether, contracts_trouble_a):
    url = reverse("inquiries:trouble_form", args=["ether_economy"])
    ids = _spec_ids(ether)
    response = bob_client.post(url, {**valid_data(ether, **{ids["回線 ID"]: ""}), "stage": "done"})
    assert response.status_code == HTTPStatus.OK
    assert "回線 IDを入力してください。" in response.text  # issue 23: the field's own message
    assert 'value="本社で通信できない"' in response.text
    with operator_scope():
        assert not Inquiry.objects.exists()


def test_inq2_submit_refuses_a_service_the_tenant_does_not_have(bob, trouble_services, contracts_trouble_a):
    from inquiries.services import InquiryError, submit_inquiry

    with tenant_scope(bob.tenant_id), pytest.raises(InquiryError):
        submit_inquiry(
            tenant=bob.tenant, user=bob, service=trouble_services["line_works"], subject="x",
            contact_email="a@b.example.com", answers=[],
        )
    with operator_scope():
        assert not Inquiry.objects.exists()


def test_inq2_views_require_login(client, contracts_trouble_a):
    for url in (reverse("inquiries:trouble_select"), reverse("inquiries:trouble_form", args=["emm"])):
        response = client.get(url)
        assert response.status_code == HTTPStatus.FOUND and response.url.startswith(reverse("accounts:login"))


def test_inq2_views_are_not_for_operators(staff_client, contracts_trouble_a):
    assert staff_client.get(reverse("inquiries:trouble_select")).status_code == HTTPStatus.NOT_FOUND
    assert staff_client.get(reverse("inquiries:trouble_form", args=["emm"])).status_code == HTTPStatus.NOT_FOUND
