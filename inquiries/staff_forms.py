"""The staff console's search forms (INQ-8, issue 23): 問い合わせ番号, 件名 and
テナント (name or code) on both lists, and on the trouble inquiries also
service, status and age. GET forms: the pager keeps their values."""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from inquiries.forms import STATUS_CHOICES


class GeneralSearchForm(forms.Form):
    """（一般）お問い合わせ: number, subject, tenant."""

    number = forms.CharField(
        label=_("問い合わせ番号"), required=False, max_length=20,
        error_messages={"max_length": _("問い合わせ番号は %(limit_value)d 文字以内で入力してください。")},
    )
    subject = forms.CharField(label=_("件名"), required=False, max_length=200)
    tenant = forms.CharField(
        label=_("テナント"), required=False, max_length=100,
        help_text=_("会社名またはテナントコードの一部"),
    )

    def clean_number(self) -> int | None:
        """「00000042」, 「42」 or a full-width 「４２」: the inquiry's pk."""
        value = unicodedata.normalize("NFKC", self.cleaned_data["number"]).strip()
        if not value:
            return None
        if not value.isdigit():
            raise forms.ValidationError(_("問い合わせ番号は数字で入力してください。"), code="invalid")
        return int(value)

    def clean_subject(self) -> str:
        return self.cleaned_data["subject"].strip()

    def clean_tenant(self) -> str:
        return self.cleaned_data["tenant"].strip()

    def criteria(self) -> dict[str, Any]:
        """The selector's keyword arguments; nothing when the input is invalid."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"number": data["number"], "subject": data["subject"], "tenant_query": data["tenant"]}


class StaffSearchForm(GeneralSearchForm):
    """（障害）お問い合わせ: also service, status and age."""

    service = forms.IntegerField(label=_("サービス"), required=False, widget=forms.Select)
    status = forms.ChoiceField(label=_("ステータス"), choices=STATUS_CHOICES, required=False)
    older_than_days = forms.IntegerField(label=_("経過日数（以上）"), required=False, min_value=0, max_value=3650)

    def __init__(self, *args: Any, services: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].widget.choices = [("", _("すべて")), *((s.pk, s.name) for s in services)]

    def criteria(self) -> dict[str, Any]:
        found = super().criteria()
        if found:
            data = self.cleaned_data
            found |= {"service_id": data["service"], "status": data["status"], "older_than_days": data["older_than_days"]}
        return found
