"""Field rules of USER-1, shared by the user add/edit form and the CSV import
(the ``users`` app) and by opening a tenant (its representative admin). They
are rules of the User record, so identity owns them; here in the models
package, ``users`` reaches them through ``accounts.models`` (.importlinter).

Each rule is a small callable raising ``ValidationError`` with a Japanese
message and a ``code`` so the form and the CSV dry run report the same text.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

NAME_MAX_FULL = 10
NAME_MAX_HALF = 30
KANA_MAX = 20
AFFILIATION_MAX = 50
PHONE_MAX = 15
EMAIL_MIN = 5
EMAIL_MAX = 127

_HALF_LETTERS = re.compile(r"^[A-Za-z]+$")
# Full-width katakana (ァ … ヺ) and the long vowel mark ー.
_KATAKANA = re.compile(r"^[\u30a1-\u30fa\u30fc]+$")
_PHONE = re.compile(r"^[0-9]+$")
_ASCII_PRINTABLE = re.compile(r"^[\x21-\x7e]+$")
_email = EmailValidator(message=_("メールアドレスの形式で入力してください。"))


def is_full_width(char: str) -> bool:
    """Full-width (全角) in the Japanese sense: East Asian Wide or Fullwidth."""
    return unicodedata.east_asian_width(char) in ("F", "W")


def validate_person_name(value: str, *, label: str) -> None:
    """姓 / 名: ≤10 full-width characters or ≤30 half-width letters, never mixed."""
    if not value:
        raise ValidationError(_("%(label)sを入力してください。") % {"label": label}, code="required")
    full = [is_full_width(c) for c in value]
    if all(full):
        if len(value) > NAME_MAX_FULL:
            raise ValidationError(
                _("%(label)sは全角 %(max)d 文字以内で入力してください。") % {"label": label, "max": NAME_MAX_FULL},
                code="name_too_long_full",
            )
        return
    if not any(full):
        if not _HALF_LETTERS.match(value):
            raise ValidationError(
                _("%(label)sは全角文字、または半角英字で入力してください。") % {"label": label},
                code="name_invalid_half",
            )
        if len(value) > NAME_MAX_HALF:
            raise ValidationError(
                _("%(label)sは半角英字 %(max)d 文字以内で入力してください。") % {"label": label, "max": NAME_MAX_HALF},
                code="name_too_long_half",
            )
        return
    raise ValidationError(
        _("%(label)sに全角文字と半角文字を混在させることはできません。") % {"label": label}, code="name_mixed"
    )


def validate_kana(value: str, *, label: str) -> None:
    """姓（カナ） / 名（カナ）: 1–20 full-width katakana (optional: empty passes)."""
    if not value:
        return
    if not _KATAKANA.match(value):
        raise ValidationError(_("%(label)sは全角カタカナで入力してください。") % {"label": label}, code="kana_invalid")
    if len(value) > KANA_MAX:
        raise ValidationError(
            _("%(label)sは %(max)d 文字以内で入力してください。") % {"label": label, "max": KANA_MAX},
            code="kana_too_long",
        )


def validate_affiliation(value: str) -> None:
    """所属: 1–50 half-width alphanumerics or full-width characters (optional)."""
    if not value:
        return
    if any(not (is_full_width(c) or (c.isascii() and c.isalnum())) for c in value):
        raise ValidationError(
            _("所属は半角英数字、または全角文字で入力してください。"), code="affiliation_invalid"
        )
    if len(value) > AFFILIATION_MAX:
        raise ValidationError(
            _("所属は %(max)d 文字以内で入力してください。") % {"max": AFFILIATION_MAX}, code="affiliation_too_long"
        )


def validate_phone(value: str) -> None:
    """サービス利用電話番号: 1–15 half-width digits (optional)."""
    if not value:
        return
    if not _PHONE.match(value):
        raise ValidationError(_("サービス利用電話番号は半角数字で入力してください。"), code="phone_invalid")
    if len(value) > PHONE_MAX:
        raise ValidationError(
            _("サービス利用電話番号は %(max)d 文字以内で入力してください。") % {"max": PHONE_MAX}, code="phone_too_long"
        )


def normalize_mail_address(value: str) -> str:
    """NFKC, then trimmed (issue 23): an address typed with the Japanese IME on
    (ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ, a full-width ＠ or space) becomes the ASCII
    address that was meant. Forms call it before ``validate_mail_address``."""
    return unicodedata.normalize("NFKC", value or "").strip()


def validate_mail_address(value: str, *, label: str) -> None:
    """ユーザ ID / 通知先メールアドレス: a mail address of 5–127 half-width characters.

    When it is refused for its characters or its form, the message says what
    to change (issue 23): the characters that cannot be used, or an example."""
    if not value:
        raise ValidationError(_("%(label)sを入力してください。") % {"label": label}, code="required")
    if not EMAIL_MIN <= len(value) <= EMAIL_MAX:
        raise ValidationError(
            _("%(label)sは %(min)d 文字以上 %(max)d 文字以内で入力してください。")
            % {"label": label, "min": EMAIL_MIN, "max": EMAIL_MAX},
            code="email_length",
        )
    if not _ASCII_PRINTABLE.match(value):
        bad = dict.fromkeys(c for c in value if not ("\x21" <= c <= "\x7e"))
        chars = " ".join(str(_("空白")) if c.isspace() else c for c in bad)
        raise ValidationError(
            _("%(label)sは半角英数字と記号で入力してください。使用できない文字: %(chars)s")
            % {"label": label, "chars": chars},
            code="email_charset",
        )
    try:
        _email(value)
    except ValidationError:
        raise ValidationError(
            _("%(label)sはメールアドレスの形式で入力してください（例: taro.yamada@example.co.jp）。")
            % {"label": label},
            code="email_invalid",
        ) from None


def login_id_taken(login_id: str, *, exclude_user_id: int | None = None) -> bool:
    """Whether the ID is used anywhere in the portal (the global LoginId table)."""
    from accounts.models import LoginId

    qs = LoginId.objects.filter(login_id__iexact=login_id)
    if exclude_user_id is not None:
        qs = qs.exclude(user_id=exclude_user_id)
    return qs.exists()


LOGIN_ID_TAKEN_MESSAGE = _("このユーザ ID は既に使用されています。")
