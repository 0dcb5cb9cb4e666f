"""Input of 記事追加 and カテゴリ追加: validation only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_scopes.forms import SafeModelChoiceField

from bulletin.models import Article, Category
from bulletin.policies import BULLETIN_ATTACHMENT, MAX_ATTACHMENTS
from bulletin.services.categories import normalize_name
from tenants.models import Tenant
from uploads.fields import MultipleUploadField, MultipleUploadInput, StagedFilesField, bind_uploader
from uploads.models import StoredFile

NOTIFY_CHOICES = [("yes", _("する")), ("no", _("しない"))]
MAX_NEW_CATEGORIES = 20


class ArticleForm(forms.Form):
    category = SafeModelChoiceField(
        label=_("カテゴリ"),
        queryset=Category.objects.none(),
        empty_label=None,
        error_messages={"required": _("カテゴリを選択してください。"), "invalid_choice": _("カテゴリを選択してください。")},
    )
    title = forms.CharField(
        label=_("タイトル"),
        max_length=Article._meta.get_field("title").max_length,
        error_messages={
            "required": _("タイトルを入力してください。"),
            "max_length": _("タイトルは %(limit_value)d 文字以内で入力してください。"),
        },
    )
    body = forms.CharField(
        label=_("本文"),
        max_length=Article._meta.get_field("body").max_length,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("テキストで入力します。改行はそのまま表示され、URL はリンクになります。"),
        error_messages={
            "required": _("本文を入力してください。"),
            "max_length": _("本文は %(limit_value)d 文字以内で入力してください。"),
        },
    )
    attachments = MultipleUploadField(
        label=_("添付ファイル"),
        policy=BULLETIN_ATTACHMENT,
        max_files=MAX_ATTACHMENTS,
        required=False,
        widget=MultipleUploadInput(BULLETIN_ATTACHMENT),
    )
    # Files checked and staged earlier (at 確認, or with an input error) that
    # the admin keeps: hidden inputs on 確認, checkboxes on the input page.
    attachment_keys = StagedFilesField(policy=BULLETIN_ATTACHMENT)
    notify = forms.ChoiceField(
        label=_("メール通知"),
        choices=NOTIFY_CHOICES,
        initial="no",
        widget=forms.RadioSelect,
        help_text=_("「する」を選ぶと、登録ユーザ全員に記事掲載のお知らせメールを送信します。"),
        error_messages={"required": _("メール通知を選択してください。"), "invalid_choice": _("メール通知を選択してください。")},
    )

    def __init__(self, *args: Any, tenant: Tenant, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bind_uploader(self, tenant=tenant, user=user)
        field = self.fields["category"]
        field.queryset = tenant.bulletin_categories.all()
        default = next((c for c in field.queryset if c.is_default), None)
        if default is not None:
            field.initial = default.pk

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].replace("\r\n", "\n")
        if not body.strip():
            raise forms.ValidationError(self.fields["body"].error_messages["required"], code="required")
        return body

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        total = len(data.get("attachment_keys") or []) + len(data.get("attachments") or [])
        if total > MAX_ATTACHMENTS:
            self.add_error(
                "attachments",
                forms.ValidationError(
                    _("添付できるファイルは %(limit)s 個までです。"), code="too_many_files", params={"limit": MAX_ATTACHMENTS}
                ),
            )
        return data

    def kept_files(self) -> list[StoredFile]:
        """The staged files posted back, even when the rest of the form is invalid."""
        return getattr(self, "cleaned_data", {}).get("attachment_keys") or []

    @property
    def wants_mail(self) -> bool:
        return self.cleaned_data.get("notify") == "yes"


class CategoryNameForm(forms.Form):
    name = forms.CharField(
        label=_("カテゴリ名"),
        max_length=Category._meta.get_field("name").max_length,
        error_messages={
            "required": _("カテゴリ名を入力してください。"),
            "max_length": _("カテゴリ名は %(limit_value)d 文字以内で入力してください。"),
        },
    )

    def clean_name(self) -> str:
        return normalize_name(self.cleaned_data["name"])


class BaseCategoryFormSet(forms.BaseFormSet):
    """The ＋ rows of カテゴリ追加. Blank extra rows are ignored; a name already
    on the board or typed twice is marked on its row."""

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tenant = tenant

    def clean(self) -> None:
        if any(self.errors):
            return
        existing = set(self.tenant.bulletin_categories.values_list("name", flat=True))
        seen: set[str] = set()
        for form in self.forms:
            name = form.cleaned_data.get("name")
            if not name:
                continue
            if name in existing:
                form.add_error("name", _("カテゴリ「%(name)s」は既にあります。") % {"name": name})
            elif name in seen:
                form.add_error("name", _("同じカテゴリ名が複数入力されています。"))
            seen.add(name)

    def names(self) -> list[str]:
        return [f.cleaned_data["name"] for f in self.forms if f.cleaned_data.get("name")]


CategoryFormSet = forms.formset_factory(
    CategoryNameForm,
    formset=BaseCategoryFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=MAX_NEW_CATEGORIES,
    validate_max=True,
    absolute_max=MAX_NEW_CATEGORIES,
)
