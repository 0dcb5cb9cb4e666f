from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    """The login's second step: a 6-digit code from the app, or a recovery code."""

    code = forms.CharField(
        label=_("確認コード"),
        max_length=20,
        help_text=_("認証アプリに表示された 6 桁の数字、またはリカバリーコードを入力してください。"),
        error_messages={"required": _("確認コードを入力してください。")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True, "spellcheck": "false"}
        ),
    )


class TotpConfirmForm(forms.Form):
    code = forms.CharField(
        label=_("確認コード（6 桁）"),
        max_length=10,
        help_text=_("認証アプリに表示された 6 桁の数字を入力してください。"),
        error_messages={"required": _("確認コードを入力してください。")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PasswordForm(forms.Form):
    """Re-entering one's own password before a change to the account's security."""

    password = forms.CharField(
        label=_("現在のパスワード"),
        strip=False,
        error_messages={"required": _("現在のパスワードを入力してください。")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PolicyForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("2段階認証を必須にする対象"),
        choices=[
            ("none", _("求めない")),
            ("admins", _("管理者のみ必須")),
            ("everyone", _("全員必須")),
        ],
        widget=forms.RadioSelect,
    )
    enforce_from = forms.DateField(
        label=_("必須にする日"),
        required=False,
        help_text=_("この日から、2段階認証を設定していない対象ユーザはログイン後に設定画面へ案内され、設定するまで他の画面を使えません。それまではログイン後にお知らせします。"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("日付を正しく入力してください。")},
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("scope") in ("admins", "everyone") and not data.get("enforce_from"):
            self.add_error("enforce_from", _("必須にする日を入力してください。"))
        return data
