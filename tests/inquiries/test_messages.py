"""Issue 23 (smaller ones): the inquiry forms answer with field-specific
Japanese messages, never Django's generic 「このフィールドは必須です。」, and
the trouble forms' checkbox and radio groups are fieldsets with a legend."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils import translation

from inquiries.forms import GeneralInquiryForm, MessageForm, TroubleInquiryForm
from inquiries.models import TroubleFormField

GENERIC = "このフィールドは必須です。"


def test_issue23_general_form_names_each_missing_field(bob_client):
    response = bob_client.post(reverse("inquiries:general"), {"subject": "", "body": "", "contact_email": ""})
    assert "件名を入力してください。" in response.text
    assert "お問い合わせ内容を入力してください。" in response.text
    assert "連絡先メールアドレスを入力してください。" in response.text
    assert GENERIC not in response.text


def test_issue23_general_form_too_long():
    form = GeneralInquiryForm({"subject": "あ" * 201, "body": "本文", "contact_email": "bob@a.example.com"})
    assert not form.is_valid()
    assert form.errors["subject"] == ["件名は 200 文字以内で入力してください。"]


def test_issue23_message_form_names_its_field():
    assert MessageForm({"body": ""}).errors["body"] == ["メッセージを入力してください。"]


def test_issue23_trouble_fields_use_their_labels(ether, contracts_trouble_a):
    """The per-service fields built from TroubleFormField rows: 入力 for text,
    選択 for choices, and a date message for dates; each names its label."""
    specs = list(ether.trouble_form_fields.all())
    form = TroubleInquiryForm({}, specs=specs)
    assert not form.is_valid()
    errors = {form.fields[name].label: messages for name, messages in form.errors.items()}
    assert errors["件名"] == ["件名を入力してください。"]
    assert errors["連絡先メールアドレス"] == ["連絡先メールアドレスを入力してください。"]
    assert errors["回線 ID"] == ["回線 IDを入力してください。"]
    assert errors["症状"] == ["症状を選択してください。"]
    assert errors["影響範囲"] == ["影響範囲を選択してください。"]
    assert GENERIC not in str(form.errors)
    bad = TroubleInquiryForm({TroubleInquiryForm.field_name(s): "x" for s in specs if s.label == "発生日時"}, specs=specs)
    date = next(s for s in specs if s.label == "発生日時")
    assert bad.errors[TroubleInquiryForm.field_name(date)] == ["発生日時を正しい日付で入力してください。"]


def test_issue23_a_label_with_a_percent_sign_is_safe(ether):
    spec = TroubleFormField(pk=9999, service=ether, label="使用率 (%)", field_type="text", required=True)
    form = TroubleInquiryForm({"f9999": "x" * 201}, specs=[spec])
    assert form.errors["f9999"] == ["使用率 (%)は 200 文字以内で入力してください。"]


def test_issue23_english_messages(ether, contracts_trouble_a):
    specs = list(ether.trouble_form_fields.all())
    with translation.override("en"):
        form = TroubleInquiryForm({}, specs=specs)
        errors = {str(form.fields[name].label): list(messages) for name, messages in form.errors.items()}
    assert errors["Subject"] == ["Enter the subject."]
    assert errors["回線 ID"] == ["Enter 回線 ID."]
    assert errors["症状"] == ["Select 症状."]


def _group(html: str, field_id: str) -> str:
    """The markup of the field whose widget has ``field_id``."""
    start = html.rindex("<fieldset", 0, html.index(f'id="{field_id}"'))
    return html[start : html.index("</fieldset>", start)]


def test_issue23_trouble_choice_groups_are_fieldsets_with_legends(bob_client, ether, contracts_trouble_a):
    """The radio and checkbox groups (症状, 影響範囲) are a fieldset named by its
    legend; no <label for=""> is left; single fields keep their <label for>."""
    ids = {f.label: f"id_f{f.pk}" for f in ether.trouble_form_fields.all()}
    html = bob_client.get(reverse("inquiries:trouble_form", args=["ether_economy"])).text
    assert 'for=""' not in html
    for label in ("症状", "影響範囲"):
        group = _group(html, ids[label])
        assert re.search(rf"<legend>{label}( <span class=\"required\">必須</span>)?</legend>", group), group
        assert f'<label for="{ids[label]}"' not in html
    assert f'<label for="{ids["回線 ID"]}">回線 ID' in html
    assert '<label for="id_subject">件名' in html


def test_issue23_a_group_error_is_inside_its_fieldset(bob_client, ether, contracts_trouble_a):
    symptoms = ether.trouble_form_fields.get(label="症状")
    html = bob_client.post(reverse("inquiries:trouble_form", args=["ether_economy"]), {"subject": "x"}).text
    group = _group(html, f"id_f{symptoms.pk}")
    assert "症状を選択してください。" in group
    assert f'aria-describedby="id_f{symptoms.pk}_error"' in group or f'id_f{symptoms.pk}_error"' in group
