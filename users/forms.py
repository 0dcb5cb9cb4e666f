"""Forms of the user administration screens: input validation only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, User
from accounts.models import field_rules as v
from accounts.services.throttle import login_id_check_throttled
from mfa import selectors as mfa_selectors
from tenants.models import Tenant
from users.csv import decode as decode_csv
from users.services.service_registrations import service_values
from web.widgets import Select

LOGIN_ID_CHECKS_EXHAUSTED = _(
    "ユーザ ID の確認が 1 時間の上限に達しました。しばらく時間をおいてからお試しください。"
)


class PasswordMethod:
    USER = "user"
    ADMIN = "admin"
    CHOICES = [(USER, _("ユーザが設定")), (ADMIN, _("管理者が設定"))]


def organization_choices(tenant: Tenant) -> list[tuple[int, str]]:
    """The tenant's organizations in tree order, indented by depth."""
    from users.selectors import organization_tree

    return [(node.org.pk, "\u3000" * node.depth + node.org.name) for node in organization_tree(tenant=tenant)]


class UserForm(forms.Form):
    """ユーザ追加 and 基本情報 edit (USER-1, USER-7)."""

    last_name = forms.CharField(label=_("姓"), max_length=60, error_messages={"required": _("姓を入力してください。")})
    first_name = forms.CharField(label=_("名"), max_length=60, error_messages={"required": _("名を入力してください。")})
    last_name_kana = forms.CharField(label=_("姓（カナ）"), required=False, max_length=40)
    first_name_kana = forms.CharField(label=_("名（カナ）"), required=False, max_length=40)
    organizations = forms.TypedMultipleChoiceField(
        label=_("組織"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    primary_organization = forms.TypedChoiceField(label=_("代表組織"), required=False, coerce=int, empty_value=None)
    affiliation = forms.CharField(label=_("所属"), required=False, max_length=100)
    role = forms.ChoiceField(
        label=_("権限"), choices=User.Role.choices, widget=forms.RadioSelect, initial=User.Role.USER,
        error_messages={"required": _("権限を選択してください。")},
    )
    phone_number = forms.CharField(label=_("サービス利用電話番号"), required=False, max_length=30)
    email = forms.CharField(
        label=_("ユーザ ID（メールアドレス）"), max_length=254,
        error_messages={"required": _("ユーザ ID を入力してください。")},
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    notification_email = forms.CharField(
        label=_("通知先メールアドレス"), max_length=254, widget=forms.EmailInput,
        error_messages={"required": _("通知先メールアドレスを入力してください。")},
    )
    login_condition = forms.ChoiceField(
        label=_("ログイン条件"), choices=User.LoginCondition.choices, initial=User.LoginCondition.TENANT
    )

    def __init__(
        self, *args: Any, tenant: Tenant, instance: User | None = None, actor: User | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.instance = instance
        self.actor = actor  # whose login-ID checks are counted (issue 21)
        choices = organization_choices(tenant)
        self.fields["organizations"].choices = choices
        self.fields["primary_organization"].choices = [("", "---------"), *choices]
        if not choices:
            del self.fields["organizations"]
            del self.fields["primary_organization"]

    def _rule(self, name: str, rule: Any, **kwargs: Any) -> str:
        value = (self.cleaned_data.get(name) or "").strip()
        rule(value, **kwargs)
        return value

    def clean_last_name(self) -> str:
        return self._rule("last_name", v.validate_person_name, label=_("姓"))

    def clean_first_name(self) -> str:
        return self._rule("first_name", v.validate_person_name, label=_("名"))

    def clean_last_name_kana(self) -> str:
        return self._rule("last_name_kana", v.validate_kana, label=_("姓（カナ）"))

    def clean_first_name_kana(self) -> str:
        return self._rule("first_name_kana", v.validate_kana, label=_("名（カナ）"))

    def clean_affiliation(self) -> str:
        return self._rule("affiliation", v.validate_affiliation)

    def clean_phone_number(self) -> str:
        return self._rule("phone_number", v.validate_phone)

    def _mail_address(self, name: str, *, label: str) -> str:
        # NFKC first (issue 23): full-width letters or ＠ typed with the IME on.
        value = v.normalize_mail_address(self.cleaned_data.get(name) or "")
        v.validate_mail_address(value, label=label)
        return value

    def clean_email(self) -> str:
        value = self._mail_address("email", label=_("ユーザ ID")).lower()
        if self.instance is not None and value == self.instance.email:
            return value  # unchanged: nothing to look up
        if self.actor is not None and login_id_check_throttled(self.actor.pk):
            raise ValidationError(LOGIN_ID_CHECKS_EXHAUSTED, code="login_id_checks")
        if v.login_id_taken(value, exclude_user_id=self.instance.pk if self.instance else None):
            raise ValidationError(v.LOGIN_ID_TAKEN_MESSAGE, code="login_id_taken")
        return value

    def clean_notification_email(self) -> str:
        return self._mail_address("notification_email", label=_("通知先メールアドレス"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        orgs = data.get("organizations") or []
        primary = data.get("primary_organization")
        if primary and primary not in orgs:
            # Choosing a 代表組織 implies membership of it.
            data["organizations"] = [*orgs, primary]
        elif orgs and not primary:
            data["primary_organization"] = orgs[0]
        if (
            self.instance is not None
            and self.instance.is_representative
            and data.get("role") == User.Role.USER
        ):
            self.add_error("role", _("代表管理者の権限はユーザに変更できません。先に代表管理者を変更してください。"))
        return data


class UserAddForm(UserForm):
    password_method = forms.ChoiceField(
        label=_("パスワード設定方法"), choices=PasswordMethod.CHOICES, widget=forms.RadioSelect,
        initial=PasswordMethod.USER, error_messages={"required": _("パスワード設定方法を選択してください。")},
    )
    password = forms.CharField(
        label=_("パスワード"), required=False, strip=False,
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
    )
    force_password_change = forms.BooleanField(
        label=_("初回ログイン時にパスワードを強制的に変更させる"), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password_method") == PasswordMethod.ADMIN:
            password = data.get("password") or ""
            if not password:
                self.add_error("password", _("パスワードを入力してください。"))
            else:
                try:
                    validate_password(password)
                except ValidationError as exc:
                    self.add_error("password", exc)
        else:
            data["password"] = ""
            data["force_password_change"] = False
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("ステータス"),
        choices=[(User.Status.ACTIVE, _("有効")), (User.Status.SUSPENDED, _("一時停止"))],
        widget=forms.RadioSelect,
    )


class ReceiveSettingForm(forms.Form):
    value = forms.TypedChoiceField(
        label=_("受信設定"),
        choices=[("1", _("受信する")), ("0", _("受信しない"))],
        coerce=lambda x: x == "1",
        widget=forms.RadioSelect,
        error_messages={"required": _("受信する、または受信しないを選択してください。")},
    )


class UserSearchForm(forms.Form):
    """USER-2: 簡易検索 uses only ``q``; 詳細検索 the rest too. Its selects are
    rendered in Python (``web.widgets.Select``, issue 22)."""

    SERVICE_REGISTERED = "registered"
    SERVICE_UNREGISTERED = "unregistered"

    q = forms.CharField(label=_("ユーザ ID/姓名"), required=False, max_length=127)
    organization = forms.TypedChoiceField(label=_("所属組織"), required=False, coerce=int, empty_value=None, widget=Select)
    role = forms.ChoiceField(
        label=_("権限"), required=False, choices=[("", _("すべて")), *User.Role.choices], widget=Select
    )
    status = forms.ChoiceField(
        label=_("ステータス"), required=False, choices=[("", _("すべて")), *User.Status.choices], widget=Select
    )
    login_condition = forms.ChoiceField(
        label=_("ログイン条件"), required=False, choices=[("", _("すべて")), *User.LoginCondition.choices], widget=Select
    )
    service = forms.TypedChoiceField(label=_("サービス"), required=False, coerce=int, empty_value=None, widget=Select)
    service_state = forms.ChoiceField(
        label=_("登録状態"),
        required=False,
        choices=[("", _("すべて")), (SERVICE_REGISTERED, _("登録済")), (SERVICE_UNREGISTERED, _("未登録"))],
        widget=Select,
    )
    two_step = forms.ChoiceField(
        label=_("2段階認証"), required=False, choices=[("", _("すべて")), *mfa_selectors.STATUS_CHOICES], widget=Select
    )
    detail = forms.BooleanField(required=False, widget=forms.HiddenInput)

    # The 詳細検索 fields whose choices are the tenant's rows (a query each).
    LOOKUP_FIELDS = ("organization", "service")

    def __init__(self, *args: Any, tenant: Tenant, detail: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not detail:
            # 簡易検索 shows and applies only ``q``: the lookups are not made
            # (issue 22: two queries on every list page otherwise).
            for name in self.LOOKUP_FIELDS:
                del self.fields[name]
            return
        self.fields["organization"].choices = [("", _("すべて")), *organization_choices(tenant)]
        self.fields["service"].choices = [
            ("", _("すべて")),
            *[(c.pk, c.service.name) for c in tenant.contracts.select_related("service")],
        ]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}
        if not data.get("detail"):
            data = {"q": data["q"]} if data.get("q") else {}
        data.pop("detail", None)
        return data


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV ファイル"),
        error_messages={"required": _("CSV ファイルを選択してください。"), "empty": _("ファイルが空です。")},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    MAX_BYTES = 20 * 1024 * 1024

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(".csv"):
            raise ValidationError(_("CSV ファイル（.csv）を選択してください。"), code="not_csv")
        if f.size > self.MAX_BYTES:
            raise ValidationError(_("ファイルが大きすぎます（20MB まで）。"), code="too_large")
        # Refused here, before anything is stored: UTF-16, NUL bytes, broken
        # UTF-8, binary content (the message names the line and the encodings).
        decode_csv(f.read())
        f.seek(0)
        return f


class OrganizationForm(forms.Form):
    name = forms.CharField(
        label=_("組織名"), max_length=100, error_messages={"required": _("組織名を入力してください。")}
    )
    parent = forms.TypedChoiceField(label=_("上位組織"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, tenant: Tenant, exclude: Organization | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", _("（なし）")), *organization_choices(tenant)]

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()


class RepresentativeForm(forms.Form):
    """代表管理者変更 (CONTRACT-2): 変更後の管理者, one of the tenant's other admins."""

    new_admin = forms.TypedChoiceField(
        label=_("変更後の管理者"),
        coerce=int,
        error_messages={
            "required": _("変更後の管理者を選択してください。"),
            "invalid_choice": _("変更後の管理者を選択してください。"),
        },
    )

    def __init__(self, *args: Any, candidates: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {u.pk: u for u in candidates}
        self.fields["new_admin"].choices = [("", "---------")] + [
            (u.pk, f"{u.full_name}（{u.email}）") for u in candidates
        ]

    def clean_new_admin(self) -> User:
        return self.candidates[self.cleaned_data["new_admin"]]


class BulkUsersForm(forms.Form):
    """一括処理's 確認 → 完了: the ids of the users the 確認 page listed.
    Hidden fields are user input: only the tenant's own users count."""

    users = forms.CharField(widget=forms.HiddenInput, error_messages={"required": _("ユーザを選択してください。")})

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tenant = tenant

    def clean_users(self) -> list[User]:
        try:
            ids = {int(x) for x in self.cleaned_data["users"].split(",") if x}
        except ValueError:
            raise ValidationError(_("ユーザを選択してください。"), code="invalid") from None
        users = list(self.tenant.users.filter(pk__in=ids).order_by("email"))
        if not users:
            raise ValidationError(_("ユーザを選択してください。"), code="required")
        return users


class ServiceRegistrationForm(forms.Form):
    """サービス登録 (SVC-2): the service's own individual fields (``f_<name>``),
    checked by the same rules the service applies when it stores them."""

    def __init__(self, *args: Any, user: User, contract: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.contract = user, contract
        self.specs = list(contract.service.user_fields or [])
        for spec in self.specs:
            if not spec.get("auto"):
                self.fields[f"f_{spec['name']}"] = forms.CharField(
                    label=spec.get("label", spec["name"]), required=False, strip=False
                )

    def submitted(self) -> dict[str, str]:
        """The values as typed (the fields convert nothing), by field name."""
        return {spec["name"]: str(self.data.get(f"f_{spec['name']}", "")) for spec in self.specs}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        try:
            service_values(user=self.user, contract=self.contract, submitted=self.submitted())
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                self.add_error(f"f_{name}" if f"f_{name}" in self.fields else None, errors)
        return data


class CurrentPasswordForm(forms.Form):
    """The acting admin's password again before an account-security change
    (issue 21, finding 2: the 代表管理者 transfer): a borrowed session is not
    enough. Checked through accounts' re-authentication, which counts a wrong
    password toward the login's delays but not toward the lock."""

    error_messages = {
        "wrong": _("現在のパスワードが正しくありません。"),
        "wait": _("パスワードの誤りが続いたため、しばらく時間をおいてからお試しください。"),
    }

    current_password = forms.CharField(
        label=_("現在のパスワード"),
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("確認のため、ログイン中の管理者のパスワードを入力してください。"),
        error_messages={"required": _("現在のパスワードを入力してください。")},
    )

    def __init__(self, *args: Any, user: User, ip_address: str | None, **kwargs: Any) -> None:
        self.user = user
        self.ip_address = ip_address
        super().__init__(*args, **kwargs)

    def clean_current_password(self) -> str:
        from accounts.services.reauth import Reauth, check_current_password

        password = self.cleaned_data["current_password"]
        outcome = check_current_password(user=self.user, password=password, ip_address=self.ip_address)
        if outcome == Reauth.WAIT:
            raise ValidationError(self.error_messages["wait"], code="wait")
        if outcome == Reauth.WRONG:
            raise ValidationError(self.error_messages["wrong"], code="wrong")
        return password
