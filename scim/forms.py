from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    """A new SCIM token (issue 25): its name and the setup-mail option."""

    name = forms.CharField(
        label=_("トークン名"),
        max_length=50,
        help_text=_("どの ID 管理システム用のトークンか分かる名前（例: Microsoft Entra ID）。50 文字以内。"),
        error_messages={
            "required": _("トークン名を入力してください。"),
            "max_length": _("トークン名は 50 文字以内で入力してください。"),
        },
    )
    send_setup_mail = forms.BooleanField(
        label=_("プロビジョニングしたユーザに初期設定依頼メールを送信する"),
        required=False,
        initial=True,
        help_text=_("ID 管理システムでシングルサインオンも行う場合は、送信しない設定にできます。"),
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("トークン名を入力してください。"), code="required")
        return name
