from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import (
    password_validators_help_texts,
    validate_password,
)
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.services.reauth import Reauth, check_current_password


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


def _password_field(label: str, autocomplete: str = "new-password", **attrs: object) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=200,  # the validators give the AUTH-4 message for 101–200
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete, **attrs}),
        # Lazy: the message follows the request's language, not import time.
        error_messages={"required": format_lazy(_("{label}を入力してください。"), label=label)},
    )


class NewPasswordForm(forms.Form):
    """Password + confirmation under the AUTH-4 validators (registration,
    reset, own change). ``user`` is the account whose password is being set,
    so the history rule can apply."""

    error_messages = {
        "mismatch": _("『パスワード』と『パスワード（確認）』が一致しません。"),
    }

    password1 = _password_field(_("パスワード"), autofocus=True)
    password2 = _password_field(_("パスワード（確認）"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        # The rules are listed by the template (accounts/_password_rules.html).
        self.rules = password_validators_help_texts()

    def clean_password1(self) -> str:
        password = self.cleaned_data["password1"]
        validate_password(password, self.user)  # one message per broken rule
        return password

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", forms.ValidationError(self.error_messages["mismatch"], code="mismatch"))
        return cleaned


class PasswordChangeForm(NewPasswordForm):
    """AUTH-10: the current password is required."""

    error_messages = {
        **NewPasswordForm.error_messages,
        "wrong_current": _("現在のパスワードが正しくありません。"),
    }

    current_password = _password_field(_("現在のパスワード"), "current-password", autofocus=True)
    field_order = ["current_password", "password1", "password2"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["password1"].label = _("新しいパスワード")
        self.fields["password1"].widget.attrs.pop("autofocus", None)
        self.fields["password2"].label = _("新しいパスワード（確認）")
        self.fields["password1"].error_messages["required"] = _("新しいパスワードを入力してください。")
        self.fields["password2"].error_messages["required"] = _(
            "新しいパスワード（確認）を入力してください。"
        )

    def clean_current_password(self) -> str:
        current = self.cleaned_data["current_password"]
        if not self.user.check_password(current):
            raise forms.ValidationError(self.error_messages["wrong_current"], code="wrong_current")
        return current


class NotificationEmailForm(forms.Form):
    notification_email = forms.EmailField(
        label=_("通知先メールアドレス"),
        max_length=127,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("通知先メールアドレスを入力してください。"),
            "invalid": _("通知先メールアドレスの形式が正しくありません。"),
            "max_length": _("通知先メールアドレスは 127 文字以内で入力してください。"),
        },
    )

    def clean_notification_email(self) -> str:
        return self.cleaned_data["notification_email"].strip().lower()


class NotificationEmailChangeForm(NotificationEmailForm):
    """AUTH-10 with re-authentication (issue 21, finding 2): the current
    password is asked again, so a borrowed session cannot move the account's
    mail (and with it the password reset) elsewhere."""

    error_messages = {
        "same": _("現在の通知先メールアドレスと同じです。"),
        "wrong_current": _("現在のパスワードが正しくありません。"),
        "wait": _("パスワードの誤りが続いたため、しばらく時間をおいてからお試しください。"),
    }

    current_password = _password_field(_("現在のパスワード"), "current-password")
    field_order = ["notification_email", "current_password"]

    def __init__(self, *args: Any, user: Any, ip_address: str | None = None, **kwargs: Any) -> None:
        self.user = user
        self.ip_address = ip_address
        super().__init__(*args, **kwargs)
        self.fields["notification_email"].label = _("新しい通知先メールアドレス")

    def clean_current_password(self) -> str:
        current = self.cleaned_data["current_password"]
        outcome = check_current_password(user=self.user, password=current, ip_address=self.ip_address)
        if outcome == Reauth.WAIT:
            raise forms.ValidationError(self.error_messages["wait"], code="wait")
        if outcome == Reauth.WRONG:
            raise forms.ValidationError(self.error_messages["wrong_current"], code="wrong_current")
        return current

    def clean_notification_email(self) -> str:
        email = super().clean_notification_email()
        if email == (self.user.notification_email or "").lower():
            raise forms.ValidationError(self.error_messages["same"], code="same")
        return email


class LoginIdRequestForm(LoginIdForm):
    """Asks for a login ID (password reset, a new setup link): the same field
    and normalisation as the login's first step."""
