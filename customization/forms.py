"""Input of the three 設定 screens. Each form serves both steps: at input
the image arrives as a file (checked by the upload module's field), at 確認
it comes back as the key of the staged file (``staged_key``, read by the
upload module's StagedFilesField: a key that is not this admin's staged
image is an error on the image field, never a 500)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from customization.images import STAGED_EXPIRED
from customization.policies import LINK_ICON, LOGIN_LOGO, SITE_LOGO
from customization.rules import (
    LOGO_MAX_RATIO,
    RuleError,
    aspect_within_limit,
    check_link_url,
    normalize_alias,
)
from customization.selectors import alias_taken
from customization.services import ALIAS_TAKEN
from tenants.models import Tenant
from uploads.fields import StagedFilesField, UploadField, UploadInput, bind_uploader
from uploads.policies import UploadPolicy


def _image_widget(policy: UploadPolicy) -> UploadInput:
    return UploadInput(policy, attrs={"class": "dropzone__input"})


def _staged(policy: UploadPolicy) -> StagedFilesField:
    return StagedFilesField(policy=policy, error_messages={"expired": STAGED_EXPIRED})


class _ImageForm(forms.Form):
    """A form with one image and its staged key: the key's errors are
    shown on the image field (the key itself is a hidden input)."""

    image_field = ""

    def __init__(self, *args: Any, tenant: Tenant, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        bind_uploader(self, tenant=tenant, user=user)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for error in self._errors.pop("staged_key", []):
            self.add_error(self.image_field, error)
        return data


class LinkForm(_ImageForm):
    """LINK-1: 追加."""

    image_field = "icon"

    title = forms.CharField(label=_("リンクタイトル"), max_length=50)
    url = forms.CharField(
        label=_("リンク URL"),
        max_length=2000,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    icon = UploadField(
        policy=LINK_ICON,
        label=_("アイコン画像ファイル"),
        required=False,
        widget=_image_widget(LINK_ICON),
    )
    staged_key = _staged(LINK_ICON)

    def clean_url(self) -> str:
        try:
            return check_link_url(self.cleaned_data["url"])
        except RuleError as exc:
            raise forms.ValidationError(exc.message) from exc


class SiteLogoForm(_ImageForm):
    """LOGO-1: the image, 1 MB, aspect within 1:6."""

    image_field = "logo"

    logo = UploadField(
        policy=SITE_LOGO, label=_("ロゴ画像"), required=False, widget=_image_widget(SITE_LOGO)
    )
    staged_key = _staged(SITE_LOGO)

    def clean_logo(self) -> Any:
        upload = self.cleaned_data.get("logo")
        if upload is not None and not aspect_within_limit(upload.width or 0, upload.height or 0):
            raise forms.ValidationError(
                _(
                    "画像の縦横比が 1:%(ratio)s を超えています（%(width)s×%(height)s ピクセル）。縦横比を 1:%(ratio)s 以内に収めてください。"
                )
                % {"ratio": LOGO_MAX_RATIO, "width": upload.width, "height": upload.height}
            )
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and data.get("logo") is None and not data.get("staged_key"):
            self.add_error("logo", _("ロゴ画像を選択してください。"))
        return data


class LoginPageForm(_ImageForm):
    """ALIAS-1, ALIAS-2: 専用ログイン URL の利用, お客さま専用 URL, 表示するロゴ画像."""

    image_field = "logo"

    USE = "on"
    NO_USE = "off"
    LOGO_DEFAULT = "default"
    LOGO_CUSTOM = "custom"

    use_alias = forms.ChoiceField(
        label=_("専用ログイン URL の利用"),
        choices=[(USE, _("する")), (NO_USE, _("しない"))],
        widget=forms.RadioSelect,
    )
    alias = forms.CharField(
        label=_("お客さま専用 URL"),
        required=False,
        max_length=64,
        help_text=_(
            "半角英数字 5〜32 文字。ドット(.)、ハイフン(-)は先頭および末尾以外で使えます。"
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "url"}
        ),
    )
    logo_choice = forms.ChoiceField(
        label=_("表示するロゴ画像"),
        choices=[
            (LOGO_DEFAULT, _("デフォルトの画像を利用する")),
            (LOGO_CUSTOM, _("独自の画像を利用する")),
        ],
        widget=forms.RadioSelect,
    )
    logo = UploadField(
        policy=LOGIN_LOGO, label=_("ロゴ画像"), required=False, widget=_image_widget(LOGIN_LOGO)
    )
    staged_key = _staged(LOGIN_LOGO)

    def __init__(self, *args: Any, has_logo: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_logo = has_logo

    def clean_alias(self) -> str:
        raw = self.cleaned_data.get("alias", "")
        if self.data.get("use_alias") != self.USE:
            return ""
        if not raw:
            raise forms.ValidationError(_("お客さま専用 URL を入力してください。"))
        try:
            alias = normalize_alias(raw)
        except RuleError as exc:
            raise forms.ValidationError(exc.message) from exc
        # Checked as typed (alias_check) and again here; the unique index is
        # the last word when two tenants save at once (services).
        if alias_taken(alias=alias, tenant=self.tenant):
            raise forms.ValidationError(ALIAS_TAKEN)
        return alias

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            "logo" not in self.errors
            and data.get("logo_choice") == self.LOGO_CUSTOM
            and data.get("logo") is None
            and not data.get("staged_key")
            and not self.has_logo
        ):
            self.add_error("logo", _("ロゴ画像を選択してください。"))
        return data


class OperatorRemovalForm(forms.Form):
    """The operator's reason for removing a tenant's image (ALIAS-4, issue
    23): recorded in the tenant's 操作ログ and mailed to its admins."""

    reason = forms.CharField(
        label=_("削除の理由"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("テナントの管理者へのメールと操作ログに記載されます。"),
        error_messages={
            "required": _("削除の理由を入力してください。"),
            "max_length": _("削除の理由は %(limit_value)d 文字以内で入力してください。"),
        },
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(self.fields["reason"].error_messages["required"], code="required")
        return reason
