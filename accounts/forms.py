from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class LoginIdForm(forms.Form):
    login_id = forms.CharField(
        label=_("ユーザ ID"),
        max_length=127,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
        error_messages={"required": _("ユーザ ID を入力してください。")},
    )

    def clean_login_id(self) -> str:
        return self.cleaned_data["login_id"].strip().lower()


class PasswordLoginForm(forms.Form):
    password = forms.CharField(
        label=_("パスワード"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
        error_messages={"required": _("パスワードを入力してください。")},
    )
