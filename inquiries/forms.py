"""Input of お問い合わせ. The trouble form is built from the service's
``TroubleFormField`` rows (INQ-2: forms are data)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from inquiries import attachments
from inquiries.models import Inquiry, TroubleFormField
from tenants.models import Service
from uploads.errors import refuse
from uploads.fields import bind_uploader

SUBJECT_MAX = 200
BODY_MAX = 4000

# Field-specific messages instead of Django's generic 「このフィールドは必須です。」
# (issue 23), as the other chapters' forms give. The address's "invalid" is left
# to its validators, whose messages (and hints) an override would replace.
SUBJECT_ERRORS = {
    "required": _("件名を入力してください。"),
    "max_length": _("件名は %(limit_value)d 文字以内で入力してください。"),
}
BODY_ERRORS = {
    "required": _("お問い合わせ内容を入力してください。"),
    "max_length": _("お問い合わせ内容は %(limit_value)d 文字以内で入力してください。"),
}
CONTACT_EMAIL_ERRORS = {
    "required": _("連絡先メールアドレスを入力してください。"),
    "max_length": _("連絡先メールアドレスは %(limit_value)d 文字以内で入力してください。"),
}


class GeneralInquiryForm(forms.Form):
    """（一般）お問い合わせ (INQ-1)."""

    subject = forms.CharField(label=_("件名"), max_length=SUBJECT_MAX, error_messages=SUBJECT_ERRORS)
    body = forms.CharField(
        label=_("お問い合わせ内容"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 8}),
        error_messages=BODY_ERRORS,
    )
    contact_email = forms.EmailField(
        label=_("連絡先メールアドレス"),
        max_length=254,
        error_messages=CONTACT_EMAIL_ERRORS,
        help_text=_(
            "受付メールは、ユーザ ID または通知先メールアドレスと同じ場合にこのアドレスへ、"
            "それ以外の場合は通知先メールアドレスへ送信されます。"
        ),
    )


class ServiceSelectForm(forms.Form):
    """「障害問い合わせ（入力）」: the target among the tenant's services."""

    service = forms.ChoiceField(
        label=_("お問い合わせ対象サービス"),
        widget=forms.RadioSelect,
        error_messages={"required": _("お問い合わせ対象サービスを選択してください。")},
    )

    def __init__(self, *args: Any, services: list[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [(s.code, s.name) for s in services]


def _messages_for(spec: TroubleFormField) -> dict[str, str]:
    """The field's own messages, naming it by its label (issue 23). Built when
    the form is, so ``gettext`` sees the request's language. Messages Django
    formats with params get the label's ``%`` doubled."""
    kind = TroubleFormField.FieldType
    label = spec.label
    escaped = {"label": label.replace("%", "%%")}
    if spec.field_type in (kind.SELECT, kind.RADIO, kind.CHECKBOXES):
        chosen = gettext("%(label)sを選択してください。")
        return {"required": chosen % {"label": label}, "invalid_choice": chosen % escaped}
    messages = {
        "required": gettext("%(label)sを入力してください。") % {"label": label},
        "max_length": gettext("%(label)sは %%(limit_value)d 文字以内で入力してください。") % escaped,
    }
    if spec.field_type in (kind.DATE, kind.DATETIME):
        messages["invalid"] = gettext("%(label)sを正しい日付で入力してください。") % {"label": label}
    return messages


def _field_for(spec: TroubleFormField) -> forms.Field:
    """One form field from one row of the service's form."""
    common: dict[str, Any] = {
        "label": spec.label, "required": spec.required, "help_text": spec.help_text,
        "error_messages": _messages_for(spec),
    }
    kind = TroubleFormField.FieldType
    choices = [(c, c) for c in spec.choice_list()]
    if spec.field_type == kind.TEXTAREA:
        return forms.CharField(max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 6}), **common)
    if spec.field_type == kind.SELECT:
        return forms.ChoiceField(choices=[("", "---------"), *choices], **common)
    if spec.field_type == kind.RADIO:
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if spec.field_type == kind.CHECKBOXES:
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
    if spec.field_type == kind.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if spec.field_type == kind.DATETIME:
        return forms.DateTimeField(
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
            **common,
        )
    return forms.CharField(max_length=SUBJECT_MAX, **common)


def _display(value: Any) -> str:
    if isinstance(value, list):
        return "、".join(value)
    if hasattr(value, "strftime"):
        return value.strftime("%Y/%m/%d %H:%M") if hasattr(value, "hour") else value.strftime("%Y/%m/%d")
    return "" if value is None else str(value)


class TroubleInquiryForm(forms.Form):
    """（障害）お問い合わせ for one service (INQ-2): 件名 and 連絡先メールアドレス
    always, then the service's own fields in order, then attachments."""

    subject = forms.CharField(label=_("件名"), max_length=SUBJECT_MAX, error_messages=SUBJECT_ERRORS)
    contact_email = forms.EmailField(
        label=_("連絡先メールアドレス"),
        max_length=254,
        error_messages=CONTACT_EMAIL_ERRORS,
        help_text=_(
            "受付・回答通知メールは、ユーザ ID または通知先メールアドレスと同じ場合にこのアドレスへ、"
            "それ以外の場合は通知先メールアドレスへ送信されます。"
        ),
    )

    def __init__(self, *args: Any, specs: list[TroubleFormField], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.specs = specs
        for spec in specs:
            self.fields[self.field_name(spec)] = _field_for(spec)

    @staticmethod
    def field_name(spec: TroubleFormField) -> str:
        return f"f{spec.pk}"

    def service_fields(self) -> list[forms.BoundField]:
        return [self[self.field_name(spec)] for spec in self.specs]

    def answers(self) -> list[dict[str, str]]:
        """The filled-in form as the snapshot ``Inquiry.answers`` keeps."""
        return [
            {"label": spec.label, "value": _display(self.cleaned_data.get(self.field_name(spec)))}
            for spec in self.specs
        ]


def initial_from(form: forms.Form, data: Any) -> dict[str, Any]:
    """The posted values as ``initial`` of a fresh form: 戻る shows the input
    again without error messages."""
    return {
        name: data.getlist(name) if isinstance(field, forms.MultipleChoiceField) else data.get(name)
        for name, field in form.fields.items()
        if name in data
    }


class AttachmentsForm(forms.Form):
    """The files of INQ-2 入力: newly chosen ones, and those staged earlier
    (at 確認, or with an input error) that the sender keeps."""

    files = attachments.form_field()
    staged = attachments.staged_field()

    def __init__(self, *args: Any, tenant: Any = None, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bind_uploader(self, tenant=tenant, user=user)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if len(data.get("files") or []) + len(data.get("staged") or []) > attachments.MAX_FILES:
            self.add_error("files", refuse("too_many_files", limit=attachments.MAX_FILES))
        return data

    def kept(self) -> list[Any]:
        """The staged files posted back, even when the rest is invalid."""
        return getattr(self, "cleaned_data", {}).get("staged") or []


class MessageForm(forms.Form):
    """INQ-4 送信 and INQ-8 回答: a text and optional attachments."""

    body = forms.CharField(
        label=_("メッセージ"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _("メッセージを入力してください。"),
            "max_length": _("メッセージは %(limit_value)d 文字以内で入力してください。"),
        },
    )
    files = attachments.form_field()


STATUS_CHOICES = [("", _("すべて")), *Inquiry.Status.choices]


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("ステータス"), choices=STATUS_CHOICES, required=False)

